-- Orders that used a coupon, for the price-sensitive tag.
ALTER TABLE customer_stats ADD COLUMN coupon_order_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_customer_tags_tag ON customer_tags (tag);

-- RFM quintiles (1 worst … 5 best) over all customers who ordered, computed by the daily job.
CREATE TABLE customer_rfm (
    customer_id  INTEGER PRIMARY KEY REFERENCES customers (id),
    r            INTEGER NOT NULL,
    f            INTEGER NOT NULL,
    m            INTEGER NOT NULL,
    spend_365    REAL NOT NULL,
    computed_at  TEXT NOT NULL
);

-- Points: what each ledger entry is, and when earned points lapse (oldest first).
ALTER TABLE points_ledger ADD COLUMN kind TEXT NOT NULL DEFAULT 'award';
ALTER TABLE points_ledger ADD COLUMN expires_at TEXT;
CREATE INDEX ix_points_ledger_expiry ON points_ledger (expires_at);
