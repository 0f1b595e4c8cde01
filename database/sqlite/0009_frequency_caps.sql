-- A marketing message's place under its customer's frequency caps: taken when a dispatcher is about to send it, kept
-- when it is sent, given back otherwise. Counting places (not sent_at) makes messages being sent count as well.
ALTER TABLE outbox ADD COLUMN cap_at TEXT;
UPDATE outbox SET cap_at = sent_at WHERE sent_at IS NOT NULL AND transactional = 0;
CREATE INDEX ix_outbox_customer_cap ON outbox (customer_id, channel, cap_at);
