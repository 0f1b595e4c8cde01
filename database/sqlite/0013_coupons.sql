-- Coupon campaigns (rules/coupons/*.json) and their codes. The shared strings of the old IssueCoupon action are kept
-- under another name for reference; nothing reads or writes them.
ALTER TABLE customer_coupons RENAME TO customer_coupons_before_campaigns;

-- Every code: imported ones wait with no customer until issued; generated ones are inserted as they are issued.
CREATE TABLE coupon_codes (
    code           TEXT PRIMARY KEY,
    campaign       TEXT NOT NULL,
    customer_id    INTEGER REFERENCES customers (id),
    issue_key      TEXT UNIQUE,
    kind           TEXT,
    amount         REAL,
    currency       TEXT,
    minimum_spend  REAL,
    imported_at    TEXT,
    issued_at      TEXT,
    expires_at     TEXT,
    redeemed_at    TEXT,
    order_id       TEXT
);
CREATE INDEX coupon_codes_unissued ON coupon_codes (campaign, code) WHERE customer_id IS NULL;
CREATE INDEX coupon_codes_by_customer ON coupon_codes (customer_id, expires_at) WHERE customer_id IS NOT NULL;
CREATE INDEX coupon_codes_by_campaign ON coupon_codes (campaign, issued_at);

-- Counters claimed by a conditional upsert in the statement that issues: the campaign's budget, and each customer's limit.
CREATE TABLE coupon_campaign_counts (
    campaign  TEXT PRIMARY KEY,
    issued    INTEGER NOT NULL
);
CREATE TABLE coupon_holdings (
    campaign     TEXT NOT NULL,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    issued       INTEGER NOT NULL,
    PRIMARY KEY (campaign, customer_id)
);

-- One row per order that named a coupon, whatever became of it: redeemed, unknown, expired or already redeemed.
CREATE TABLE coupon_redemptions (
    order_id     TEXT PRIMARY KEY,
    code         TEXT NOT NULL,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    campaign     TEXT,
    outcome      TEXT NOT NULL,
    total        REAL NOT NULL,
    discount     REAL NOT NULL,
    currency     TEXT,
    at           TEXT NOT NULL
);
CREATE INDEX coupon_redemptions_by_campaign ON coupon_redemptions (campaign, outcome);

-- Why a step that fired did not do what it says (no coupon could be issued…); null when it did.
ALTER TABLE journey_steps ADD COLUMN outcome TEXT;
