-- Team-split coupons (瓜分券): a team of a campaign in rules/teams/, opened by a customer, filled by friends.
CREATE TABLE teams (
    id            INTEGER PRIMARY KEY,
    campaign      TEXT NOT NULL,
    initiator_id  INTEGER NOT NULL REFERENCES customers (id),
    size          INTEGER NOT NULL,
    -- Members so far, the initiator included: claimed by the join statement itself, never read-then-written.
    members       INTEGER NOT NULL DEFAULT 1,
    pool          REAL NOT NULL,
    currency      TEXT NOT NULL,
    -- The terms the team was opened under hold until it settles, whatever its campaign file says by then.
    split         TEXT NOT NULL,
    floor         REAL NOT NULL DEFAULT 0,
    coupon        TEXT NOT NULL,
    consolation_coupon TEXT,
    status        TEXT NOT NULL DEFAULT 'open',
    opened_at     TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    settled_at    TEXT
);
-- One open team per initiator and campaign: opening again returns it.
CREATE UNIQUE INDEX ux_teams_open ON teams (campaign, initiator_id) WHERE status = 'open';
CREATE INDEX ix_teams_expiry ON teams (expires_at) WHERE status = 'open';

CREATE TABLE team_members (
    team_id      INTEGER NOT NULL REFERENCES teams (id),
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    position     INTEGER NOT NULL,
    joined_at    TEXT NOT NULL,
    share        REAL,
    PRIMARY KEY (team_id, customer_id)
);
CREATE INDEX ix_team_members_customer ON team_members (customer_id);

-- Who brought whom: the first attribution wins (one row per referred customer). The reward for the referred
-- customer's first order is paid once, after the refund window, by the job that claims rewarded_at.
CREATE TABLE referrals (
    referred_id     INTEGER PRIMARY KEY REFERENCES customers (id),
    referrer_id     INTEGER NOT NULL REFERENCES customers (id),
    source          TEXT NOT NULL,
    attributed_at   TEXT NOT NULL,
    first_order_id  TEXT,
    first_order_at  TEXT,
    rewarded_at     TEXT,
    outcome         TEXT
);
CREATE INDEX ix_referrals_referrer ON referrals (referrer_id);
CREATE INDEX ix_referrals_due ON referrals (first_order_at) WHERE rewarded_at IS NULL AND first_order_at IS NOT NULL;
