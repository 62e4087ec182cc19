-- Adaptive sessions of passport serve: the exposure record that exposure
-- control reads, kept in versions, and each session's start version and
-- classification.
--
-- An adaptive test (an engine: a run, a configuration and the pool they
-- give, named by the SHA-256 digest engine) counts the items of its
-- finished sessions in an exposure record (bank/cat's Exposure, as JSON).
-- Each finished session adds a version holding the record with that
-- session counted, in the transaction that finishes it; a session starts
-- from the newest version and stores its id, so that a restarted server
-- resumes it from the record as it was at its start. Versions that are
-- neither the newest of their engine nor the start of an open session are
-- deleted when a session finishes (a finished session's start version is
-- then set to NULL: it is never replayed).
CREATE TABLE cat_exposures (
    id         INTEGER PRIMARY KEY,
    engine     TEXT    NOT NULL,
    tests      INTEGER NOT NULL CHECK (tests >= 0),
    record     TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX cat_exposures_engine ON cat_exposures (engine, id);

ALTER TABLE sessions ADD COLUMN exposure_id INTEGER REFERENCES cat_exposures (id) ON DELETE SET NULL;
-- The class of a finished adaptive session's θ among its configuration's
-- cut scores (the number of cuts below it); NULL without cut scores.
ALTER TABLE sessions ADD COLUMN category INTEGER CHECK (category >= 0);
CREATE INDEX sessions_exposure ON sessions (exposure_id) WHERE exposure_id IS NOT NULL;
