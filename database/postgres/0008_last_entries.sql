-- Whether a customer may enter a journey again depends on when they last entered it; the scheduler asks that for
-- every customer of every page a scan reads. The unique (customer_id, journey, entry_key) index finds the rows but
-- not their entered_at, so each row was a second lookup in the table. This index answers the question by itself.
CREATE INDEX ix_journey_instances_last_entry ON journey_instances (customer_id, journey, entered_at);
