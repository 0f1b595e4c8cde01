-- Membership tiers. A customer without a row holds the lowest tier of rules/tiers.json.
CREATE TABLE customer_tiers (
    customer_id   bigint PRIMARY KEY REFERENCES customers (id),
    tier          text NOT NULL,
    since         timestamptz NOT NULL,
    -- What the last review granted, kept until its period ends: no downgrade below it before then.
    review_tier   text,
    review_until  timestamptz
);
CREATE INDEX ix_customer_tiers_tier ON customer_tiers (tier);

-- Every change of tier, append-only.
CREATE TABLE tier_history (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers (id),
    from_tier    text NOT NULL,
    to_tier      text NOT NULL,
    reason       text NOT NULL,
    changed_at   timestamptz NOT NULL
);
CREATE INDEX ix_tier_history_customer ON tier_history (customer_id, changed_at);

-- Repurchase and attribution reports read orders by time and sent messages by journey.
CREATE INDEX ix_orders_completed ON orders (completed_at);
CREATE INDEX ix_outbox_journey ON outbox (journey, step, status);
