-- Email engagement: whether a sent email carried the open pixel and tracked links, as the channel reported when it
-- sent it. Reports count opens over the emails that carried a pixel and clicks over those with tracked links, and say
-- "tracking off" rather than 0 % when none did. Messages sent before this migration count as untracked.
ALTER TABLE outbox ADD COLUMN tracked_opens boolean NOT NULL DEFAULT false;
ALTER TABLE outbox ADD COLUMN tracked_clicks boolean NOT NULL DEFAULT false;
