-- Readiness writes here: a database that answers reads but refuses writes (a read-only replica or transaction mode,
-- a full disk) must not be reported ready. One row whose counter every probe of every node moves on.
CREATE TABLE write_probe (id integer PRIMARY KEY CHECK (id = 1), probes bigint NOT NULL);
