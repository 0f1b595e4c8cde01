-- Published content: versions of the complete set of rule and template files. A file's bytes are stored once by their
-- SHA-256 (lower-case hex) however many versions hold them; content_head's one row names the version now published
-- and moves by compare-and-set (UPDATE … WHERE version = @base), so of two publishes from one base exactly one wins.
CREATE TABLE content_blobs (
    hash   TEXT PRIMARY KEY,
    bytes  BLOB NOT NULL
);
CREATE TABLE content_versions (
    id             INTEGER PRIMARY KEY,
    published_at   TEXT NOT NULL,
    author         TEXT NOT NULL,
    message        TEXT NOT NULL,
    restored_from  INTEGER REFERENCES content_versions (id)
);
CREATE TABLE content_version_files (
    version  INTEGER NOT NULL REFERENCES content_versions (id),
    path     TEXT NOT NULL,
    hash     TEXT NOT NULL REFERENCES content_blobs (hash),
    PRIMARY KEY (version, path)
);
CREATE INDEX ix_content_version_files_path ON content_version_files (path, version);
CREATE TABLE content_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO content_head (id, version) VALUES (1, 0);

-- The version of its journey file an instance entered with (the file's SHA-256, as content_version_files names it):
-- it runs that version until it ends. Null for instances entered before versions: they follow the file as it is now.
ALTER TABLE journey_instances ADD COLUMN journey_hash TEXT;
