-- SMS replies from customers (Twilio inbound, Aliyun uplink, Tencent reply callbacks), one row per reply: a provider
-- that delivers the same reply twice finds its key taken, so a STOP or START is applied once (and a late duplicate of
-- an old STOP cannot undo a newer START).
CREATE TABLE inbound_replies (
    provider     text NOT NULL,
    reply_key    text NOT NULL,
    channel      text NOT NULL,
    sender       text NOT NULL,
    body         text NOT NULL,
    intent       text NOT NULL,
    received_at  timestamptz NOT NULL,
    PRIMARY KEY (provider, reply_key)
);
CREATE INDEX ix_inbound_replies_sender ON inbound_replies (channel, sender);
