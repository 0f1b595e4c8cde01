-- Broadcasts: one-off or scheduled sends to a segment's members. A job claims the start of a due broadcast in one
-- UPDATE … WHERE status = 'scheduled'; each member's message is a journey instance of 'broadcast:<id>' (entry key
-- 'broadcast', unique per customer) plus an outbox row keyed broadcast:<id>:<customer>, so no member is sent twice.
CREATE TABLE broadcasts (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    -- The Idempotency-Key the broadcast was created with: a retried request finds it instead of making a second one.
    idempotency_key   TEXT UNIQUE,
    segment           TEXT NOT NULL,
    channel           TEXT NOT NULL,
    template          TEXT NOT NULL,
    send_at           TEXT NOT NULL,
    -- A wall-clock time (2026-12-24T10:00) each member gets it at in their own zone; send_at is then its earliest moment.
    local_time        TEXT,
    -- A pre-sale name: each member's message is due when their tier's access opens.
    presale           TEXT,
    holdout_percent   INTEGER NOT NULL,
    -- The A/B arms as JSON [{ "Name": "A", "Template": "…", "Weight": 1 }], or NULL for one template.
    variants          TEXT,
    status            TEXT NOT NULL,
    audience          INTEGER NOT NULL,
    -- Progress: members reached and enqueued, and the last member id walked so a crashed walk resumes after it.
    walked            INTEGER NOT NULL DEFAULT 0,
    enqueued          INTEGER NOT NULL DEFAULT 0,
    last_customer_id  INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    started_at        TEXT,
    finished_at       TEXT
);
CREATE INDEX ix_broadcasts_status_send_at ON broadcasts (status, send_at);
CREATE INDEX ix_outbox_journey_status ON outbox (journey, status);
