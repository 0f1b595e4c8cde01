-- Journey instances, the steps they took, and what the steps produced.

CREATE TABLE journey_instances (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id),
    journey        TEXT NOT NULL,
    entry_key      TEXT NOT NULL,
    status         TEXT NOT NULL,
    end_reason     TEXT,
    trigger_event  TEXT,
    entered_at     TEXT NOT NULL,
    last_step_at   TEXT,
    ended_at       TEXT,
    -- The same entry (event, schedule occurrence, scan period) never enters twice.
    UNIQUE (customer_id, journey, entry_key)
);
-- At most one active instance per customer and journey.
CREATE UNIQUE INDEX ux_journey_instances_active ON journey_instances (customer_id, journey) WHERE status = 'active';
CREATE INDEX ix_journey_instances_status ON journey_instances (status, id);
CREATE INDEX ix_journey_instances_journey ON journey_instances (journey, status);

-- A step fires at most once per instance: the primary key is the guard.
CREATE TABLE journey_steps (
    instance_id  INTEGER NOT NULL REFERENCES journey_instances (id),
    step         TEXT NOT NULL,
    action       TEXT NOT NULL,
    fired_at     TEXT NOT NULL,
    PRIMARY KEY (instance_id, step)
);

-- Messages to send, written in the step's transaction (transactional outbox).
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    idempotency_key  TEXT NOT NULL UNIQUE,
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    journey          TEXT NOT NULL,
    instance_id      INTEGER NOT NULL REFERENCES journey_instances (id),
    step             TEXT NOT NULL,
    channel          TEXT NOT NULL,
    template         TEXT NOT NULL,
    context          TEXT NOT NULL,
    status           TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    due_at           TEXT NOT NULL
);
CREATE INDEX ix_outbox_status_due ON outbox (status, due_at);
CREATE INDEX ix_outbox_customer ON outbox (customer_id, created_at);

CREATE TABLE customer_tags (
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    tag          TEXT NOT NULL,
    source       TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
);

CREATE TABLE customer_coupons (
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    coupon       TEXT NOT NULL,
    source       TEXT NOT NULL,
    issued_at    TEXT NOT NULL,
    PRIMARY KEY (customer_id, coupon, source)
);

-- Append-only; the balance is the sum.
CREATE TABLE points_ledger (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    points       INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    source_key   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL
);
CREATE INDEX ix_points_ledger_customer ON points_ledger (customer_id);

-- When each schedule or scan was last checked, per time zone: missed occurrences run once, not once per tick.
CREATE TABLE journey_schedule_state (
    journey          TEXT NOT NULL,
    timezone         TEXT NOT NULL,
    last_checked_at  TEXT NOT NULL,
    PRIMARY KEY (journey, timezone)
);

CREATE INDEX ix_customers_timezone ON customers (timezone);
