-- Orders that used a coupon, for the price-sensitive tag.
ALTER TABLE customer_stats ADD COLUMN coupon_order_count integer NOT NULL DEFAULT 0;
CREATE INDEX ix_customer_tags_tag ON customer_tags (tag);

-- RFM quintiles (1 worst … 5 best) over all customers who ordered, computed by the daily job.
CREATE TABLE customer_rfm (
    customer_id  bigint PRIMARY KEY REFERENCES customers (id),
    r            integer NOT NULL,
    f            integer NOT NULL,
    m            integer NOT NULL,
    spend_365    numeric(18, 4) NOT NULL,
    computed_at  timestamptz NOT NULL
);

-- Points: what each ledger entry is, and when earned points lapse (oldest first).
ALTER TABLE points_ledger ADD COLUMN kind text NOT NULL DEFAULT 'award';
ALTER TABLE points_ledger ADD COLUMN expires_at timestamptz;
CREATE INDEX ix_points_ledger_expiry ON points_ledger (expires_at);
