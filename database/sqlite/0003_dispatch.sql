-- Delivery of outbox messages: attempts, claims, provider ids, and suppressed addresses.

ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
-- A message in 'sending' whose claim ran out belongs to a dispatcher that died: it is claimed again.
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
ALTER TABLE outbox ADD COLUMN provider_id TEXT;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN sent_at TEXT;
ALTER TABLE outbox ADD COLUMN recipient TEXT;
-- Transactional messages (receipts, password resets) skip caps and quiet hours.
ALTER TABLE outbox ADD COLUMN transactional INTEGER NOT NULL DEFAULT 0;
-- The A/B variant the customer was assigned ('holdout' rows are recorded, never sent).
ALTER TABLE outbox ADD COLUMN variant TEXT;
CREATE INDEX ix_outbox_provider ON outbox (provider_id);
CREATE INDEX ix_outbox_customer_sent ON outbox (customer_id, channel, sent_at);

-- Addresses that must not receive marketing on a channel: unsubscribed, bounced, replied STOP.
CREATE TABLE suppressions (
    channel     TEXT NOT NULL,
    address     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (channel, address)
);
