-- Coupon campaigns (rules/coupons/*.json) and their codes. The shared strings of the old IssueCoupon action are kept
-- under another name for reference; nothing reads or writes them.
ALTER TABLE customer_coupons RENAME TO customer_coupons_before_campaigns;

-- Every code: imported ones wait with no customer until issued; generated ones are inserted as they are issued.
CREATE TABLE coupon_codes (
    code           text PRIMARY KEY,
    campaign       text NOT NULL,
    customer_id    bigint REFERENCES customers (id),
    issue_key      text UNIQUE,
    kind           text,
    amount         numeric(18, 4),
    currency       text,
    minimum_spend  numeric(18, 4),
    imported_at    timestamptz,
    issued_at      timestamptz,
    expires_at     timestamptz,
    redeemed_at    timestamptz,
    order_id       text
);
CREATE INDEX coupon_codes_unissued ON coupon_codes (campaign, code) WHERE customer_id IS NULL;
CREATE INDEX coupon_codes_by_customer ON coupon_codes (customer_id, expires_at) WHERE customer_id IS NOT NULL;
CREATE INDEX coupon_codes_by_campaign ON coupon_codes (campaign, issued_at);

-- Counters claimed by a conditional upsert in the statement that issues: the campaign's budget, and each customer's limit.
CREATE TABLE coupon_campaign_counts (
    campaign  text PRIMARY KEY,
    issued    integer NOT NULL
);
CREATE TABLE coupon_holdings (
    campaign     text NOT NULL,
    customer_id  bigint NOT NULL REFERENCES customers (id),
    issued       integer NOT NULL,
    PRIMARY KEY (campaign, customer_id)
);

-- One row per order that named a coupon, whatever became of it: redeemed, unknown, expired or already redeemed.
CREATE TABLE coupon_redemptions (
    order_id     text PRIMARY KEY,
    code         text NOT NULL,
    customer_id  bigint NOT NULL REFERENCES customers (id),
    campaign     text,
    outcome      text NOT NULL,
    total        numeric(18, 4) NOT NULL,
    discount     numeric(18, 4) NOT NULL,
    currency     text,
    at           timestamptz NOT NULL
);
CREATE INDEX coupon_redemptions_by_campaign ON coupon_redemptions (campaign, outcome);

-- Why a step that fired did not do what it says (no coupon could be issued…); null when it did.
ALTER TABLE journey_steps ADD COLUMN outcome text;
