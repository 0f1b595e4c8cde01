-- Tracing: the W3C traceparent of the journey step that queued a message, so the dispatcher's send continues the trace
-- of the ingest request that fired the step. Null for messages queued without a recorded trace.
ALTER TABLE outbox ADD COLUMN trace_parent text;
