-- Journey instances, the steps they took, and what the steps produced.

CREATE TABLE journey_instances (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id    bigint NOT NULL REFERENCES customers (id),
    journey        text NOT NULL,
    entry_key      text NOT NULL,
    status         text NOT NULL,
    end_reason     text,
    trigger_event  jsonb,
    entered_at     timestamptz NOT NULL,
    last_step_at   timestamptz,
    ended_at       timestamptz,
    -- The same entry (event, schedule occurrence, scan period) never enters twice.
    UNIQUE (customer_id, journey, entry_key)
);
-- At most one active instance per customer and journey.
CREATE UNIQUE INDEX ux_journey_instances_active ON journey_instances (customer_id, journey) WHERE status = 'active';
CREATE INDEX ix_journey_instances_status ON journey_instances (status, id);
CREATE INDEX ix_journey_instances_journey ON journey_instances (journey, status);

-- A step fires at most once per instance: the primary key is the guard.
CREATE TABLE journey_steps (
    instance_id  bigint NOT NULL REFERENCES journey_instances (id),
    step         text NOT NULL,
    action       text NOT NULL,
    fired_at     timestamptz NOT NULL,
    PRIMARY KEY (instance_id, step)
);

-- Messages to send, written in the step's transaction (transactional outbox).
CREATE TABLE outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    customer_id      bigint NOT NULL REFERENCES customers (id),
    journey          text NOT NULL,
    instance_id      bigint NOT NULL REFERENCES journey_instances (id),
    step             text NOT NULL,
    channel          text NOT NULL,
    template         text NOT NULL,
    context          jsonb NOT NULL,
    status           text NOT NULL,
    created_at       timestamptz NOT NULL,
    due_at           timestamptz NOT NULL
);
CREATE INDEX ix_outbox_status_due ON outbox (status, due_at);
CREATE INDEX ix_outbox_customer ON outbox (customer_id, created_at);

CREATE TABLE customer_tags (
    customer_id  bigint NOT NULL REFERENCES customers (id),
    tag          text NOT NULL,
    source       text NOT NULL,
    added_at     timestamptz NOT NULL,
    PRIMARY KEY (customer_id, tag)
);

CREATE TABLE customer_coupons (
    customer_id  bigint NOT NULL REFERENCES customers (id),
    coupon       text NOT NULL,
    source       text NOT NULL,
    issued_at    timestamptz NOT NULL,
    PRIMARY KEY (customer_id, coupon, source)
);

-- Append-only; the balance is the sum.
CREATE TABLE points_ledger (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers (id),
    points       integer NOT NULL,
    reason       text NOT NULL,
    source_key   text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL
);
CREATE INDEX ix_points_ledger_customer ON points_ledger (customer_id);

-- When each schedule or scan was last checked, per time zone: missed occurrences run once, not once per tick.
CREATE TABLE journey_schedule_state (
    journey          text NOT NULL,
    timezone         text NOT NULL,
    last_checked_at  timestamptz NOT NULL,
    PRIMARY KEY (journey, timezone)
);

CREATE INDEX ix_customers_timezone ON customers (timezone);
