-- Membership tiers. A customer without a row holds the lowest tier of rules/tiers.json.
CREATE TABLE customer_tiers (
    customer_id   INTEGER PRIMARY KEY REFERENCES customers (id),
    tier          TEXT NOT NULL,
    since         TEXT NOT NULL,
    -- What the last review granted, kept until its period ends: no downgrade below it before then.
    review_tier   TEXT,
    review_until  TEXT
);
CREATE INDEX ix_customer_tiers_tier ON customer_tiers (tier);

-- Every change of tier, append-only.
CREATE TABLE tier_history (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    from_tier    TEXT NOT NULL,
    to_tier      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    changed_at   TEXT NOT NULL
);
CREATE INDEX ix_tier_history_customer ON tier_history (customer_id, changed_at);

-- Repurchase and attribution reports read orders by time and sent messages by journey.
CREATE INDEX ix_orders_completed ON orders (completed_at);
CREATE INDEX ix_outbox_journey ON outbox (journey, step, status);
