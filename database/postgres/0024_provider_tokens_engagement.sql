-- Access tokens of providers that honour one token at a time (WeChat). A node refreshes a token only after claiming
-- the refresh in one upsert (refresh_claimed_until), so racing nodes fetch it once and never retire each other's.
CREATE TABLE provider_tokens (
    name                   text PRIMARY KEY,
    token                  text,
    expires_at             timestamptz,
    refresh_claimed_until  timestamptz
);

-- Email engagement (opt-in per Channels:Email:Tracking): every open and click, machine ones (Apple Mail Privacy
-- Protection, link scanners) flagged and left out of rates. Rates count distinct messages, so a message opened
-- five times counts once; the rows themselves are all kept.
CREATE TABLE email_engagement (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id   bigint NOT NULL REFERENCES outbox (id),
    kind         text NOT NULL,
    url          text,
    machine      boolean NOT NULL,
    occurred_at  timestamptz NOT NULL
);
CREATE INDEX ix_email_engagement_message ON email_engagement (message_id, kind);
