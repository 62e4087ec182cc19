-- Simulation studies of adaptive tests (passport cat simulate): the
-- calibration run whose items and parameters the engine used, the CAT
-- configuration (JSON, fixtures/cat/README.md), the seed, the simulees'
-- number and where their θ came from, and the study's summary (JSON:
-- recovery overall and by decile, exposure, overlap, classification).
-- A study is derived from its run and goes with it.
CREATE TABLE cat_studies (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL DEFAULT '',
    calibration_id INTEGER NOT NULL REFERENCES calibrations (id) ON DELETE CASCADE,
    config         TEXT    NOT NULL,
    seed           INTEGER NOT NULL,
    simulees       INTEGER NOT NULL CHECK (simulees >= 1),
    thetas         TEXT    NOT NULL,
    summary        TEXT    NOT NULL,
    created_at     TEXT    NOT NULL
);
CREATE UNIQUE INDEX cat_studies_name ON cat_studies (name) WHERE name <> '';
