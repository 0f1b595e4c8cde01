-- Ingestion's dead letters: messages of a batch refused one by one while their siblings were stored.
CREATE TABLE rejected_messages (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at    TEXT NOT NULL,
    message_index  INTEGER NOT NULL,
    message_id     TEXT,
    errors         TEXT NOT NULL,
    message        TEXT NOT NULL
);
