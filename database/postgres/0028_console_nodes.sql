-- The marketer console on several nodes. Data Protection's key ring (the keys that protect console cookies and
-- antiforgery tokens), shared so a cookie one node issued is read by every other: each element as Data Protection
-- writes it, never updated; unencrypted at rest, like Entity Framework Core's key store.
CREATE TABLE data_protection_keys (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name  text NOT NULL,
    xml            text NOT NULL,
    created_at     timestamptz NOT NULL
);

-- Sign-in attempts per user name or client address within the throttle's window (since: its first attempt), counted
-- in one upsert so attempts on every node add up; a sign-in clears its keys, finished windows are deleted.
CREATE TABLE login_attempts (
    key       text PRIMARY KEY,
    attempts  integer NOT NULL,
    since     timestamptz NOT NULL
);
CREATE INDEX ix_login_attempts_since ON login_attempts (since);
