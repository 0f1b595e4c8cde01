-- Ingestion's dead letters: messages of a batch refused one by one while their siblings were stored. The message is
-- text, not jsonb: jsonb refuses the \u0000 escape a refused message may hold.
CREATE TABLE rejected_messages (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at    timestamptz NOT NULL,
    message_index  integer NOT NULL,
    message_id     text,
    errors         text NOT NULL,
    message        text NOT NULL
);
