-- Email engagement: whether a sent email carried the open pixel and tracked links, as the channel reported when it
-- sent it. Reports count opens over the emails that carried a pixel and clicks over those with tracked links, and say
-- "tracking off" rather than 0 % when none did. Messages sent before this migration count as untracked.
ALTER TABLE outbox ADD COLUMN tracked_opens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN tracked_clicks INTEGER NOT NULL DEFAULT 0;
