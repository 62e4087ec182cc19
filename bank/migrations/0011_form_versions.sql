-- Versions of a form (passport assemble --versions): each delivers the
-- form's items in the form's order with every item's options scrambled.
-- Version 0, the options as written, is not stored. One row per version
-- and position: the item, its option letters in delivery order ('CADB':
-- the item's option C is delivered as A, A as B, …), and the key letter as
-- delivered ('' for an unkeyed item).
CREATE TABLE form_versions (
    form_id      INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    position     INTEGER NOT NULL CHECK (position >= 1),
    item_id      INTEGER NOT NULL REFERENCES items (id),
    option_order TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    PRIMARY KEY (form_id, version, position),
    FOREIGN KEY (form_id, item_id) REFERENCES form_items (form_id, item_id) ON DELETE CASCADE
) WITHOUT ROWID;
