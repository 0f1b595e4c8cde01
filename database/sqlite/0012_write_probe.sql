-- Readiness writes here: a database that answers reads but refuses writes (a read-only or immutable file, a full
-- disk) must not be reported ready. One row whose counter every probe moves on: SQLite skips writing a row whose
-- bytes do not change, so a probe that rewrote the same value would prove nothing.
CREATE TABLE write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), probes INTEGER NOT NULL);
