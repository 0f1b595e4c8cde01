-- Who changed what, and when (docs/security.md, "Audit log"). Each entry is written in the transaction of the change
-- it records, so there is no change without its entry and no entry without its change. before and after are JSON
-- text (null where there was nothing: before an add, after a removal). Read newest first, by id.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('console', 'api', 'cli', 'system')),
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX ix_audit_log_actor ON audit_log (actor, id);
CREATE INDEX ix_audit_log_action ON audit_log (action, id);
CREATE INDEX ix_audit_log_target ON audit_log (target, id);
CREATE INDEX ix_audit_log_at ON audit_log (at);

-- The console users' roles as the configuration gave them when a node last started: a node starting with other roles
-- records the difference as user.role_changed entries, once (under the start-up lock), and stores the new roles.
CREATE TABLE console_roles (
    name  TEXT PRIMARY KEY,
    role  TEXT NOT NULL
);
