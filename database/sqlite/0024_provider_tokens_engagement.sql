-- Access tokens of providers that honour one token at a time (WeChat). A node refreshes a token only after claiming
-- the refresh in one upsert (refresh_claimed_until), so racing nodes fetch it once and never retire each other's.
CREATE TABLE provider_tokens (
    name                   TEXT PRIMARY KEY,
    token                  TEXT,
    expires_at             TEXT,
    refresh_claimed_until  TEXT
);

-- Email engagement (opt-in per Channels:Email:Tracking): every open and click, machine ones (Apple Mail Privacy
-- Protection, link scanners) flagged and left out of rates. Rates count distinct messages, so a message opened
-- five times counts once; the rows themselves are all kept.
CREATE TABLE email_engagement (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL REFERENCES outbox (id),
    kind         TEXT NOT NULL,
    url          TEXT,
    machine      INTEGER NOT NULL,
    occurred_at  TEXT NOT NULL
);
CREATE INDEX ix_email_engagement_message ON email_engagement (message_id, kind);
