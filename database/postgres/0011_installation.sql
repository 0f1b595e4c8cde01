-- One row naming this installation: a random id made once, which makes email Message-IDs unique across installs and
-- database resets while a resend of one message keeps its own.
CREATE TABLE installation (
    singleton   integer PRIMARY KEY CHECK (singleton = 1),
    install_id  text NOT NULL
);
INSERT INTO installation (singleton, install_id) VALUES (1, replace(gen_random_uuid()::text, '-', ''));
