-- Access tokens of providers that honour one token at a time (WeChat). A node refreshes a token only after claiming
-- the refresh in one upsert (refresh_claimed_until), so racing nodes fetch it once and never retire each other's.
CREATE TABLE provider_tokens (
    name                   text PRIMARY KEY,
    token                  text,
    expires_at             timestamptz,
    refresh_claimed_until  timestamptz
);
