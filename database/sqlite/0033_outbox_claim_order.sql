-- The dispatcher claims each status's due messages in (due_at, id) order. Without id in the index, a backlog that
-- shares one due_at (a broadcast) was sorted whole for every claim of a batch.
CREATE INDEX ix_outbox_claim ON outbox (status, due_at, id);
DROP INDEX ix_outbox_status_due;
