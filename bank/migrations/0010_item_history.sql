-- An item's history: every key it has had and every status.
--
-- item_keys: version 1 is the key the item came with (items import, or a
-- wide import that added it); passport items rekey adds the next version
-- and rescores the item's stored options in the same transaction.
-- rescored counts the responses whose score the new key changed. A bank
-- migrated to this schema starts each item's history with the key it has
-- now, dated when the item was created.
CREATE TABLE item_keys (
    item_id    INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL CHECK (version >= 1),
    key        INTEGER CHECK (key BETWEEN 1 AND 5), -- NULL: unkeyed
    reason     TEXT    NOT NULL,
    rescored   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (item_id, version)
) WITHOUT ROWID;

INSERT INTO item_keys (item_id, version, key, reason, created_at)
    SELECT id, 1, key, 'key at import', created_at FROM items;

-- item_statuses: seq 1 is the status the item came with; each change of
-- items.status adds the next (the triggers below, whatever path changes it).
CREATE TABLE item_statuses (
    item_id    INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    status     TEXT    NOT NULL,
    changed_at TEXT    NOT NULL,
    PRIMARY KEY (item_id, seq)
) WITHOUT ROWID;

INSERT INTO item_statuses (item_id, seq, status, changed_at)
    SELECT id, 1, status, created_at FROM items;

-- Every new item starts its key and status histories.
CREATE TRIGGER items_history_start AFTER INSERT ON items
BEGIN
    INSERT INTO item_keys (item_id, version, key, reason, created_at)
        VALUES (NEW.id, 1, NEW.key, 'key at import', NEW.created_at);
    INSERT INTO item_statuses (item_id, seq, status, changed_at)
        VALUES (NEW.id, 1, NEW.status, NEW.created_at);
END;

CREATE TRIGGER items_status_history AFTER UPDATE OF status ON items
WHEN NEW.status IS NOT OLD.status
BEGIN
    INSERT INTO item_statuses (item_id, seq, status, changed_at)
        VALUES (NEW.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM item_statuses WHERE item_id = NEW.id), NEW.status, NEW.updated_at);
END;

-- A key changes only together with a new key version: whoever changes
-- items.key writes the version (with its reason) first.
CREATE TRIGGER items_key_versioned BEFORE UPDATE OF key ON items
WHEN NEW.key IS NOT OLD.key
 AND NEW.key IS NOT (SELECT key FROM item_keys WHERE item_id = NEW.id ORDER BY version DESC LIMIT 1)
BEGIN
    SELECT RAISE(ABORT, 'an item''s key changes only with a new key version');
END;
