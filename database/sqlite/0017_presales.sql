-- Pre-sale announcements (rules/presales.json): each customer is told of a sale once, whichever node tells them; the
-- (sale, customer) key is claimed by the statement that records the announcement.
CREATE TABLE presale_announcements (
    sale          TEXT NOT NULL,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    -- tier:<name> for the early window of a tier, everyone for the opening to all.
    wave          TEXT NOT NULL,
    tier          TEXT,
    announced_at  TEXT NOT NULL,
    PRIMARY KEY (sale, customer_id)
);

-- Waves gone through to the end, so a job does not walk their customers again. A sale whose opening moves is a new wave.
CREATE TABLE presale_waves (
    sale          TEXT NOT NULL,
    wave          TEXT NOT NULL,
    opens_at      TEXT NOT NULL,
    completed_at  TEXT NOT NULL,
    PRIMARY KEY (sale, wave, opens_at)
);

-- A wave pages through the members of one tier in id order.
CREATE INDEX ix_customer_tiers_tier_customer ON customer_tiers (tier, customer_id);
DROP INDEX ix_customer_tiers_tier;
