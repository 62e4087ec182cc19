-- Examinees' attributes for analyses by group (DIF): any number of named
-- attributes (gender, region, first_language, year…), one value each per
-- examinee, imported with `passport examinees import`. An examinee without
-- a row for an attribute is not known to belong to any of its groups.
CREATE TABLE examinee_groups (
    examinee_id INTEGER NOT NULL REFERENCES examinees (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    value       TEXT    NOT NULL CHECK (value <> ''),
    PRIMARY KEY (examinee_id, name)
) WITHOUT ROWID;
CREATE INDEX examinee_groups_name ON examinee_groups (name, value);
