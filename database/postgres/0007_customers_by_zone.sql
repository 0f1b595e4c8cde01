-- The scheduler pages customers of one time zone in id order. For "UTC" (no zone, or 'UTC') the filter was an OR
-- over ix_customers_timezone, which read every customer after the page start and sorted them for each page of 500:
-- the work grew with the square of the customer count. An index on the zone as the scheduler names it, then id,
-- serves every zone's page as one ordered range, and the list of zones; it replaces the index on the bare column.
DROP INDEX ix_customers_timezone;
CREATE INDEX ix_customers_zone ON customers (COALESCE(timezone, 'UTC'), id);
