-- Sessions served by passport serve. Each session is an import of kind
-- 'serve' (one import per session): its answers are rows of responses
-- like an imported log's, so calibrate, analyze and delete treat served
-- data as they treat imported data.
--
-- imports.kind gains 'serve'. SQLite cannot alter a CHECK constraint, and
-- rebuilding imports inside the migration's transaction would trip the
-- foreign keys of responses and calibration_inputs; widening the list of
-- allowed values is the schema edit SQLite documents for loosening a
-- CHECK constraint ("ALTER TABLE", section "Making other kinds of table
-- schema changes"): every existing row meets the new constraint. The
-- schema cookie is bumped by the CREATE TABLEs below, so every other
-- connection reloads the schema.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, '''responses-wide'')', '''responses-wide'', ''serve'')')
    WHERE type = 'table' AND name = 'imports';
PRAGMA writable_schema = RESET;

-- A session: an examinee taking a form (kind form), the sample (kind
-- sample, a stored 5-item form) or an adaptive test (kind cat, its
-- configuration in config). The candidate's token is stored only as its
-- SHA-256. seed is the session's random seed (a uint64 stored as its
-- int64 bit pattern): with the configuration and the answers in order it
-- determines the session, so a restarted server resumes it by replaying
-- them. theta and se are set when the session finishes.
CREATE TABLE sessions (
    id             INTEGER PRIMARY KEY,
    token_hash     BLOB    NOT NULL UNIQUE,
    examinee_id    INTEGER NOT NULL REFERENCES examinees (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('form', 'sample', 'cat')),
    form_id        INTEGER REFERENCES forms (id),
    version        INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0),
    calibration_id INTEGER REFERENCES calibrations (id) ON DELETE SET NULL,
    config         TEXT    NOT NULL DEFAULT '{}',
    seed           INTEGER NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('open', 'finished')),
    theta          REAL,
    se             REAL,
    import_id      INTEGER NOT NULL UNIQUE REFERENCES imports (id),
    created_at     TEXT    NOT NULL,
    finished_at    TEXT
);
CREATE INDEX sessions_examinee ON sessions (examinee_id, state);
CREATE INDEX sessions_form ON sessions (form_id) WHERE form_id IS NOT NULL;

-- A session's answers by position: the item delivered there and the
-- letter chosen as delivered. The response itself (the option as
-- written, its score, the time) is the responses row of the session's
-- examinee and this item, written in the same transaction.
CREATE TABLE session_answers (
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 1),
    item_id     INTEGER NOT NULL REFERENCES items (id),
    delivered   TEXT    NOT NULL,
    answered_at TEXT    NOT NULL,
    PRIMARY KEY (session_id, position),
    UNIQUE (session_id, item_id)
) WITHOUT ROWID;
