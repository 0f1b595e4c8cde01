-- The scheduler pages active instances by customer and loads them by customer: with (status, id) both read every
-- active instance per page, which grew with the square of the active count (a million customers' daily tick did not
-- finish). (status, customer_id) serves both as a range or a lookup.
DROP INDEX ix_journey_instances_status;
CREATE INDEX ix_journey_instances_status_customer ON journey_instances (status, customer_id);
