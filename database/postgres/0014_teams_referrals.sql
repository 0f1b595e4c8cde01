-- Team-split coupons (瓜分券): a team of a campaign in rules/teams/, opened by a customer, filled by friends.
CREATE TABLE teams (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign      text NOT NULL,
    initiator_id  bigint NOT NULL REFERENCES customers (id),
    size          integer NOT NULL,
    -- Members so far, the initiator included: claimed by the join statement itself, never read-then-written.
    members       integer NOT NULL DEFAULT 1,
    pool          numeric(18, 4) NOT NULL,
    currency      text NOT NULL,
    -- The terms the team was opened under hold until it settles, whatever its campaign file says by then.
    split         text NOT NULL,
    floor         numeric(18, 4) NOT NULL DEFAULT 0,
    coupon        text NOT NULL,
    consolation_coupon text,
    status        text NOT NULL DEFAULT 'open',
    opened_at     timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    settled_at    timestamptz
);
-- One open team per initiator and campaign: opening again returns it.
CREATE UNIQUE INDEX ux_teams_open ON teams (campaign, initiator_id) WHERE status = 'open';
CREATE INDEX ix_teams_expiry ON teams (expires_at) WHERE status = 'open';

CREATE TABLE team_members (
    team_id      bigint NOT NULL REFERENCES teams (id),
    customer_id  bigint NOT NULL REFERENCES customers (id),
    position     integer NOT NULL,
    joined_at    timestamptz NOT NULL,
    share        numeric(18, 4),
    PRIMARY KEY (team_id, customer_id)
);
CREATE INDEX ix_team_members_customer ON team_members (customer_id);

-- Who brought whom: the first attribution wins (one row per referred customer). The reward for the referred
-- customer's first order is paid once, after the refund window, by the job that claims rewarded_at.
CREATE TABLE referrals (
    referred_id     bigint PRIMARY KEY REFERENCES customers (id),
    referrer_id     bigint NOT NULL REFERENCES customers (id),
    source          text NOT NULL,
    attributed_at   timestamptz NOT NULL,
    first_order_id  text,
    first_order_at  timestamptz,
    rewarded_at     timestamptz,
    outcome         text
);
CREATE INDEX ix_referrals_referrer ON referrals (referrer_id);
CREATE INDEX ix_referrals_due ON referrals (first_order_at) WHERE rewarded_at IS NULL AND first_order_at IS NOT NULL;
