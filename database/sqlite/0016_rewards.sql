-- The rewards catalog (rules/rewards.json, 积分商城). One row per redemption: who, which item, the points spent, and
-- where it stands (a gift is pending until the shop ships it). A request key is unique per customer (idempotency).
CREATE TABLE reward_redemptions (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    item          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    request_key   TEXT NOT NULL,
    points        INTEGER NOT NULL,
    value         REAL NOT NULL,
    period        TEXT NOT NULL,
    charity       TEXT,
    status        TEXT NOT NULL,
    coupon_code   TEXT,
    tracking      TEXT,
    redeemed_at   TEXT NOT NULL,
    fulfilled_at  TEXT,
    cancelled_at  TEXT,
    UNIQUE (customer_id, request_key)
);
CREATE INDEX ix_reward_redemptions_status ON reward_redemptions (status, id);

-- Units of each item taken (redeemed and not cancelled), claimed against the file's stock in the statement that takes one.
CREATE TABLE reward_stock (
    item   TEXT PRIMARY KEY,
    taken  INTEGER NOT NULL
);

-- Redemptions per customer, item and limit period, claimed against the item's per-customer limit.
CREATE TABLE reward_limits (
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    item         TEXT NOT NULL,
    period       TEXT NOT NULL,
    taken        INTEGER NOT NULL,
    PRIMARY KEY (customer_id, item, period)
);
