-- Ability estimates of examinees under a calibration run, one row per
-- examinee and scoring method. Scoring a run again with a method replaces
-- that method's rows: they are a function of the run and the responses.
CREATE TABLE scores (
    calibration_id INTEGER NOT NULL REFERENCES calibrations (id) ON DELETE CASCADE,
    method         TEXT    NOT NULL CHECK (method IN ('eap', 'map', 'ml', 'wle', 'eapsum')),
    examinee_id    INTEGER NOT NULL REFERENCES examinees (id),
    theta          REAL,             -- NULL where the method has no finite estimate
    se             REAL,
    n_items        INTEGER NOT NULL, -- responses scored
    raw            INTEGER NOT NULL, -- number correct on them
    created_at     TEXT    NOT NULL,
    PRIMARY KEY (calibration_id, method, examinee_id)
) WITHOUT ROWID;
