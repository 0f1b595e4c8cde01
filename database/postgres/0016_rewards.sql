-- The rewards catalog (rules/rewards.json, 积分商城). One row per redemption: who, which item, the points spent, and
-- where it stands (a gift is pending until the shop ships it). A request key is unique per customer (idempotency).
CREATE TABLE reward_redemptions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id   bigint NOT NULL REFERENCES customers (id),
    item          text NOT NULL,
    kind          text NOT NULL,
    request_key   text NOT NULL,
    points        integer NOT NULL,
    value         numeric(18, 4) NOT NULL,
    period        text NOT NULL,
    charity       text,
    status        text NOT NULL,
    coupon_code   text,
    tracking      text,
    redeemed_at   timestamptz NOT NULL,
    fulfilled_at  timestamptz,
    cancelled_at  timestamptz,
    UNIQUE (customer_id, request_key)
);
CREATE INDEX ix_reward_redemptions_status ON reward_redemptions (status, id);

-- Units of each item taken (redeemed and not cancelled), claimed against the file's stock in the statement that takes one.
CREATE TABLE reward_stock (
    item   text PRIMARY KEY,
    taken  integer NOT NULL
);

-- Redemptions per customer, item and limit period, claimed against the item's per-customer limit.
CREATE TABLE reward_limits (
    customer_id  bigint NOT NULL REFERENCES customers (id),
    item         text NOT NULL,
    period       text NOT NULL,
    taken        integer NOT NULL,
    PRIMARY KEY (customer_id, item, period)
);
