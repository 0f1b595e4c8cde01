-- One row naming this installation: a random id made once, which makes email Message-IDs unique across installs and
-- database resets while a resend of one message keeps its own.
CREATE TABLE installation (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    install_id  TEXT NOT NULL
);
INSERT INTO installation (singleton, install_id) VALUES (1, lower(hex(randomblob(16))));
