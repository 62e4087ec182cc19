-- Every stored object may have a name, unique among its kind, by which
-- commands address it as well as by its number. Runs and assemblies had
-- names already: duplicates among them get their number appended.
ALTER TABLE imports ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE linkings ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE conversion_tables ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE equatings ADD COLUMN name TEXT NOT NULL DEFAULT '';

UPDATE calibrations SET name = name || ' (' || id || ')'
    WHERE name <> '' AND id NOT IN (SELECT MIN(id) FROM calibrations WHERE name <> '' GROUP BY name);
UPDATE assemblies SET name = name || ' (' || id || ')'
    WHERE name <> '' AND id NOT IN (SELECT MIN(id) FROM assemblies WHERE name <> '' GROUP BY name);

CREATE UNIQUE INDEX imports_name ON imports (name) WHERE name <> '';
CREATE UNIQUE INDEX calibrations_name ON calibrations (name) WHERE name <> '';
CREATE UNIQUE INDEX linkings_name ON linkings (name) WHERE name <> '';
CREATE UNIQUE INDEX conversion_tables_name ON conversion_tables (name) WHERE name <> '';
CREATE UNIQUE INDEX equatings_name ON equatings (name) WHERE name <> '';
CREATE UNIQUE INDEX assemblies_name ON assemblies (name) WHERE name <> '';
