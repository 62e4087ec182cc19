-- Form assembly (passport assemble): one row per run of the assembler,
-- with the blueprint its forms meet, the calibration run whose parameters
-- it optimised, and what the solver reported. The forms it built name it
-- in forms.assembly_id; their items are form_items rows (anchor = 1 for
-- the anchors shared by every form of the assembly).
CREATE TABLE assemblies (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL DEFAULT '',
    calibration_id INTEGER NOT NULL REFERENCES calibrations (id),
    blueprint      TEXT    NOT NULL,          -- JSON, defaults filled in
    objective_type TEXT    NOT NULL CHECK (objective_type IN ('maximin', 'target')),
    objective      REAL    NOT NULL,          -- maximin's y, or a target's largest deviation
    bound          REAL,                      -- the solver's bound on the best objective
    gap            REAL,                      -- |bound - objective| / |objective|
    solver         TEXT    NOT NULL,          -- e.g. 'cbc 2.10.8', 'heuristic'
    status         TEXT    NOT NULL CHECK (status IN ('optimal', 'feasible', 'heuristic')),
    seconds        REAL    NOT NULL,          -- the solve's wall-clock time
    options        TEXT    NOT NULL DEFAULT '{}', -- JSON: time limit, gap tolerance, seed, ...
    created_at     TEXT    NOT NULL
);

ALTER TABLE forms ADD COLUMN assembly_id INTEGER REFERENCES assemblies (id);
CREATE INDEX forms_assembly ON forms (assembly_id) WHERE assembly_id IS NOT NULL;
