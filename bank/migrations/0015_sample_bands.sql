-- Score bands of the free sample (passport cat sample): for each number
-- right on the sample's form, where the true θ of the simulees with that
-- score lay — the (1 − level)/2, 0.5 and (1 + level)/2 quantiles — and
-- the same on the reporting scale named, so that a delivery service
-- reports a band rather than a point score. The study that simulated them
-- is kept in cat_studies. The bands go with their form.
CREATE TABLE sample_bands (
    form_id    INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
    raw        INTEGER NOT NULL CHECK (raw >= 0),
    study_id   INTEGER REFERENCES cat_studies (id) ON DELETE SET NULL,
    n          INTEGER NOT NULL CHECK (n >= 1),
    level      REAL    NOT NULL CHECK (level > 0 AND level < 1),
    theta_low  REAL    NOT NULL,
    theta_mid  REAL    NOT NULL,
    theta_high REAL    NOT NULL,
    scale      TEXT    NOT NULL,
    low        REAL    NOT NULL,
    mid        REAL    NOT NULL,
    high       REAL    NOT NULL,
    PRIMARY KEY (form_id, raw)
);
