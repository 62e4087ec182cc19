-- passport item bank, schema version 1.
-- Internal ids are integers; people see the text codes (item SEM-001,
-- examinee E000123, form F01). Nothing analytic is overwritten in place: a
-- calibration, a linking, a scale and a conversion table are new rows that
-- name their inputs.

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('items', 'responses-long', 'responses-wide')),
    source      TEXT    NOT NULL,            -- file name as given
    sha256      TEXT    NOT NULL,            -- of the file's bytes
    rows        INTEGER NOT NULL,
    options     TEXT    NOT NULL DEFAULT '{}', -- JSON: flags used
    imported_at TEXT    NOT NULL,
    UNIQUE (kind, sha256)
);

CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    domain      TEXT    NOT NULL CHECK (domain IN ('semantics', 'idioms', 'performance', 'stdlib')),
    subdomain   TEXT    NOT NULL DEFAULT '',
    stem        TEXT    NOT NULL DEFAULT '',
    n_options   INTEGER NOT NULL CHECK (n_options BETWEEN 2 AND 5),
    key         INTEGER CHECK (key BETWEEN 1 AND n_options), -- NULL: an unkeyed item, scored responses only
    enemy_group TEXT,
    status      TEXT    NOT NULL CHECK (status IN ('draft', 'pretest', 'operational', 'retired')),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX items_domain ON items (domain, status);
CREATE INDEX items_enemy ON items (enemy_group) WHERE enemy_group IS NOT NULL;

CREATE TABLE item_options (
    item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 5), -- 1 = A
    text     TEXT    NOT NULL,
    PRIMARY KEY (item_id, position)
) WITHOUT ROWID;

CREATE TABLE examinees (
    id         INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL
);

CREATE TABLE forms (
    id         INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE,
    origin     TEXT    NOT NULL CHECK (origin IN ('log', 'assembly', 'import')),
    created_at TEXT    NOT NULL
);

CREATE TABLE form_items (
    form_id  INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
    item_id  INTEGER NOT NULL REFERENCES items (id),
    position INTEGER NOT NULL,
    anchor   INTEGER NOT NULL DEFAULT 0 CHECK (anchor IN (0, 1)),
    PRIMARY KEY (form_id, item_id),
    UNIQUE (form_id, position)
) WITHOUT ROWID;

-- One row per examinee x item. option: the chosen option 1..n_options, 0 when
-- the item was presented but not answered (scored wrong), NULL when the log
-- carried only a score. rt_ms: response time in milliseconds.
-- administered_at: Unix seconds, UTC.
CREATE TABLE responses (
    examinee_id     INTEGER NOT NULL REFERENCES examinees (id),
    item_id         INTEGER NOT NULL REFERENCES items (id),
    form_id         INTEGER REFERENCES forms (id),
    option          INTEGER CHECK (option BETWEEN 0 AND 5),
    score           INTEGER NOT NULL CHECK (score IN (0, 1)),
    rt_ms           INTEGER,
    administered_at INTEGER,
    import_id       INTEGER NOT NULL REFERENCES imports (id),
    PRIMARY KEY (examinee_id, item_id)
) WITHOUT ROWID;

-- A calibration run: item parameters estimated here (source 'em'), stored
-- from elsewhere ('import'), or a linked copy of another run ('linked').
CREATE TABLE calibrations (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL DEFAULT '',
    model        TEXT    NOT NULL CHECK (model IN ('rasch', '1pl', '2pl', '3pl')),
    d            REAL    NOT NULL DEFAULT 1,
    source       TEXT    NOT NULL CHECK (source IN ('em', 'import', 'linked')),
    options      TEXT    NOT NULL DEFAULT '{}', -- JSON: priors, quadrature, tolerance, anchors, ...
    loglik       REAL,
    cycles       INTEGER,
    converged    INTEGER CHECK (converged IN (0, 1)),
    n_examinees  INTEGER,
    n_responses  INTEGER,
    latent_mean  REAL    NOT NULL DEFAULT 0,
    latent_sd    REAL    NOT NULL DEFAULT 1,
    parent_id    INTEGER REFERENCES calibrations (id), -- the run this one was linked or anchored from
    created_at   TEXT    NOT NULL
);

-- Which response imports a calibration read.
CREATE TABLE calibration_inputs (
    calibration_id INTEGER NOT NULL REFERENCES calibrations (id) ON DELETE CASCADE,
    import_id      INTEGER NOT NULL REFERENCES imports (id),
    PRIMARY KEY (calibration_id, import_id)
) WITHOUT ROWID;

-- Item parameters in the IRT parameterisation
-- P = c + (1-c)/(1+exp(-D a (theta-b))), with D from the run.
CREATE TABLE item_params (
    calibration_id INTEGER NOT NULL REFERENCES calibrations (id) ON DELETE CASCADE,
    item_id        INTEGER NOT NULL REFERENCES items (id),
    a REAL NOT NULL, b REAL NOT NULL, c REAL NOT NULL DEFAULT 0,
    se_a REAL, se_b REAL, se_c REAL,
    n     INTEGER,                      -- responses the estimate used
    fixed INTEGER NOT NULL DEFAULT 0 CHECK (fixed IN (0, 1)), -- an anchor held at its bank value
    PRIMARY KEY (calibration_id, item_id)
) WITHOUT ROWID;

-- theta_base = A * theta_new + B.
CREATE TABLE linkings (
    id               INTEGER PRIMARY KEY,
    from_calibration INTEGER NOT NULL REFERENCES calibrations (id),
    to_calibration   INTEGER NOT NULL REFERENCES calibrations (id),
    method           TEXT    NOT NULL CHECK (method IN ('mean-mean', 'mean-sigma', 'haebara', 'stocking-lord')),
    a_const REAL NOT NULL, b_const REAL NOT NULL,
    se_a REAL, se_b REAL,
    options          TEXT    NOT NULL DEFAULT '{}', -- JSON: D, grid, weights, symmetry, exclusions
    created_at       TEXT    NOT NULL
);

CREATE TABLE linking_items (
    linking_id INTEGER NOT NULL REFERENCES linkings (id) ON DELETE CASCADE,
    item_id    INTEGER NOT NULL REFERENCES items (id),
    used       INTEGER NOT NULL CHECK (used IN (0, 1)), -- 0: excluded (by the user or as drifting)
    PRIMARY KEY (linking_id, item_id)
) WITHOUT ROWID;

-- score = slope * theta + intercept, clamped to [min_score, max_score] and rounded.
CREATE TABLE scales (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    slope      REAL    NOT NULL,
    intercept  REAL    NOT NULL,
    min_score  REAL    NOT NULL,
    max_score  REAL    NOT NULL,
    definition TEXT    NOT NULL DEFAULT '{}', -- JSON: how slope and intercept were set
    created_at TEXT    NOT NULL
);

CREATE TABLE conversion_tables (
    id             INTEGER PRIMARY KEY,
    form_id        INTEGER NOT NULL REFERENCES forms (id),
    calibration_id INTEGER NOT NULL REFERENCES calibrations (id),
    scale_id       INTEGER NOT NULL REFERENCES scales (id),
    options        TEXT    NOT NULL DEFAULT '{}',
    created_at     TEXT    NOT NULL
);

CREATE TABLE conversion_rows (
    table_id    INTEGER NOT NULL REFERENCES conversion_tables (id) ON DELETE CASCADE,
    raw         INTEGER NOT NULL,
    theta_eap   REAL, sd_eap REAL,
    theta_tcc   REAL,
    scale_score REAL NOT NULL,
    csem        REAL,
    PRIMARY KEY (table_id, raw)
) WITHOUT ROWID;
