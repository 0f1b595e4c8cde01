-- The console editor's drafts: one per user and file (path under the content root, such as rules/welcome.json).
-- base_hash: the SHA-256 (hex) of the published file the draft started from, empty for a new file; the editor
-- compares it with the file now to show a conflict when someone else published since. revision: the draft's own
-- compare-and-set counter, so a save from a stale tab is refused rather than overwriting a newer save.
CREATE TABLE content_drafts (
    user_name   text NOT NULL,
    path        text NOT NULL,
    base_hash   text NOT NULL,
    content     text NOT NULL,
    updated_at  timestamptz NOT NULL,
    revision    bigint NOT NULL,
    PRIMARY KEY (user_name, path)
);
CREATE INDEX ix_content_drafts_path ON content_drafts (path);
