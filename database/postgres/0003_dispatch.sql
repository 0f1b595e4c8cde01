-- Delivery of outbox messages: attempts, claims, provider ids, and suppressed addresses.

ALTER TABLE outbox ADD COLUMN attempts integer NOT NULL DEFAULT 0;
-- A message in 'sending' whose claim ran out belongs to a dispatcher that died: it is claimed again.
ALTER TABLE outbox ADD COLUMN claimed_until timestamptz;
ALTER TABLE outbox ADD COLUMN provider_id text;
ALTER TABLE outbox ADD COLUMN last_error text;
ALTER TABLE outbox ADD COLUMN sent_at timestamptz;
ALTER TABLE outbox ADD COLUMN recipient text;
-- Transactional messages (receipts, password resets) skip caps and quiet hours.
ALTER TABLE outbox ADD COLUMN transactional boolean NOT NULL DEFAULT false;
-- The A/B variant the customer was assigned ('holdout' rows are recorded, never sent).
ALTER TABLE outbox ADD COLUMN variant text;
CREATE INDEX ix_outbox_provider ON outbox (provider_id);
CREATE INDEX ix_outbox_customer_sent ON outbox (customer_id, channel, sent_at);

-- Addresses that must not receive marketing on a channel: unsubscribed, bounced, replied STOP.
CREATE TABLE suppressions (
    channel     text NOT NULL,
    address     text NOT NULL,
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (channel, address)
);
