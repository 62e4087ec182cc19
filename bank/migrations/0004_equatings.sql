-- Equating tables: raw scores of one form equated to another's under a
-- calibration run, by IRT true-score and observed-score equating.
CREATE TABLE equatings (
    id             INTEGER PRIMARY KEY,
    calibration_id INTEGER NOT NULL REFERENCES calibrations (id),
    from_form_id   INTEGER NOT NULL REFERENCES forms (id),
    to_form_id     INTEGER NOT NULL REFERENCES forms (id),
    options        TEXT    NOT NULL DEFAULT '{}', -- JSON: population, policies
    created_at     TEXT    NOT NULL
);

CREATE TABLE equating_rows (
    equating_id    INTEGER NOT NULL REFERENCES equatings (id) ON DELETE CASCADE,
    raw            INTEGER NOT NULL,
    true_score     REAL    NOT NULL,
    observed_score REAL    NOT NULL,
    PRIMARY KEY (equating_id, raw)
) WITHOUT ROWID;
