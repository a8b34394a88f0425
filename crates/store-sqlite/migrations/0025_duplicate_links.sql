-- Duplicate suggestions, second part (issue 13): a fourth reason — a
-- custom field the business marks as identifying (N° de ficha, pasaporte),
-- the same value and a very similar name — and the pairs kept as links.

-- A custom field may identify a person.
ALTER TABLE custom_fields ADD COLUMN identifying INTEGER NOT NULL DEFAULT 0 CHECK (identifying IN (0, 1));

-- client_match_keys takes a fourth kind, 'field' (key: the field's id in
-- hex, ':', the value lower-cased): SQLite cannot alter a CHECK, so the
-- table is rebuilt, and the triggers of 0022 that write it with it (the
-- update trigger now leaves the 'field' keys alone).
DROP TRIGGER client_match_keys_insert;
DROP TRIGGER client_match_keys_update;
CREATE TABLE client_match_keys_new (
    business_id  BLOB NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('rut', 'phone', 'birth_date', 'field')),
    key          TEXT NOT NULL,
    client_id    BLOB NOT NULL,
    PRIMARY KEY (business_id, kind, key, client_id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO client_match_keys_new SELECT business_id, kind, key, client_id FROM client_match_keys;
DROP TABLE client_match_keys;
ALTER TABLE client_match_keys_new RENAME TO client_match_keys;
CREATE INDEX client_match_keys_by_client ON client_match_keys (business_id, client_id);

CREATE TRIGGER client_match_keys_insert AFTER INSERT ON clients
BEGIN
    INSERT INTO client_match_keys (business_id, kind, key, client_id)
    SELECT NEW.business_id, 'rut', NEW.rut, NEW.id WHERE NEW.rut IS NOT NULL
    UNION ALL SELECT NEW.business_id, 'phone', NEW.phone, NEW.id WHERE NEW.phone IS NOT NULL
    UNION ALL SELECT NEW.business_id, 'birth_date', NEW.birth_date, NEW.id WHERE NEW.birth_date IS NOT NULL;
END;

CREATE TRIGGER client_match_keys_update AFTER UPDATE OF rut, phone, birth_date ON clients
WHEN OLD.rut IS NOT NEW.rut OR OLD.phone IS NOT NEW.phone OR OLD.birth_date IS NOT NEW.birth_date
BEGIN
    DELETE FROM client_match_keys WHERE business_id = OLD.business_id AND client_id = OLD.id
        AND kind IN ('rut', 'phone', 'birth_date');
    INSERT INTO client_match_keys (business_id, kind, key, client_id)
    SELECT NEW.business_id, 'rut', NEW.rut, NEW.id WHERE NEW.rut IS NOT NULL
    UNION ALL SELECT NEW.business_id, 'phone', NEW.phone, NEW.id WHERE NEW.phone IS NOT NULL
    UNION ALL SELECT NEW.business_id, 'birth_date', NEW.birth_date, NEW.id WHERE NEW.birth_date IS NOT NULL;
END;

-- The values of identifying fields are keys too.
CREATE TRIGGER client_match_keys_value_added AFTER INSERT ON client_custom_values
WHEN EXISTS (SELECT 1 FROM custom_fields f WHERE f.id = NEW.field_id AND f.identifying)
BEGIN
    INSERT OR IGNORE INTO client_match_keys (business_id, kind, key, client_id)
    VALUES (NEW.business_id, 'field', hex(NEW.field_id) || ':' || lower(trim(NEW.value)), NEW.client_id);
END;

-- (A merge moves values to another client: client_id changes too.)
CREATE TRIGGER client_match_keys_value_changed AFTER UPDATE OF value, client_id ON client_custom_values
WHEN (OLD.value IS NOT NEW.value OR OLD.client_id IS NOT NEW.client_id)
    AND EXISTS (SELECT 1 FROM custom_fields f WHERE f.id = NEW.field_id AND f.identifying)
BEGIN
    DELETE FROM client_match_keys WHERE business_id = OLD.business_id AND kind = 'field'
        AND key = hex(OLD.field_id) || ':' || lower(trim(OLD.value)) AND client_id = OLD.client_id;
    INSERT OR IGNORE INTO client_match_keys (business_id, kind, key, client_id)
    VALUES (NEW.business_id, 'field', hex(NEW.field_id) || ':' || lower(trim(NEW.value)), NEW.client_id);
END;

CREATE TRIGGER client_match_keys_value_removed AFTER DELETE ON client_custom_values
BEGIN
    DELETE FROM client_match_keys WHERE business_id = OLD.business_id AND kind = 'field'
        AND key = hex(OLD.field_id) || ':' || lower(trim(OLD.value)) AND client_id = OLD.client_id;
END;

-- Marking or unmarking a field writes or removes the keys of its values.
CREATE TRIGGER client_match_keys_field_marked AFTER UPDATE OF identifying ON custom_fields
WHEN OLD.identifying IS NOT NEW.identifying
BEGIN
    DELETE FROM client_match_keys WHERE business_id = NEW.business_id AND kind = 'field'
        AND key >= hex(NEW.id) || ':' AND key < hex(NEW.id) || ';';
    INSERT OR IGNORE INTO client_match_keys (business_id, kind, key, client_id)
    SELECT v.business_id, 'field', hex(v.field_id) || ':' || lower(trim(v.value)), v.client_id
    FROM client_custom_values v WHERE NEW.identifying AND v.field_id = NEW.id;
END;

-- The pairs, kept.
-- Duplicate suggestions, kept (issue 13): listing them must not read every
-- shared key of a business (at 100 000 clients almost every birth date is
-- shared, so that read was the whole business). Instead each pair's links
-- — one per key two clients share and that says something (a birth date
-- only with a very similar name, decided in Rust) — are stored, and the
-- key groups that changed since are queued in duplicate_stale_keys by
-- triggers, in the statement that changed them, whatever path wrote it.
-- A reader first recomputes the queued groups (a handful after everyday
-- writes; every group once after this migration or a bulk import), then
-- reads the links.
CREATE TABLE duplicate_links (
    business_id  BLOB NOT NULL,
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    client_a     BLOB NOT NULL,
    client_b     BLOB NOT NULL,
    PRIMARY KEY (business_id, kind, key, client_a, client_b),
    CHECK (client_a < client_b),
    FOREIGN KEY (business_id, client_a) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, client_b) REFERENCES clients (business_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX duplicate_links_by_a ON duplicate_links (business_id, client_a);
CREATE INDEX duplicate_links_by_b ON duplicate_links (business_id, client_b);

-- Groups to recompute. One row per group: SQLite has one writer at a time
-- and the recompute holds the write lock, so a queued group cannot change
-- between being read and being cleared (PostgreSQL's table differs).
CREATE TABLE duplicate_stale_keys (
    business_id  BLOB NOT NULL,
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    PRIMARY KEY (business_id, kind, key)
) WITHOUT ROWID;

INSERT INTO duplicate_stale_keys (business_id, kind, key)
SELECT DISTINCT business_id, kind, key FROM client_match_keys;

CREATE TRIGGER duplicate_stale_key_added AFTER INSERT ON client_match_keys
BEGIN
    INSERT OR IGNORE INTO duplicate_stale_keys (business_id, kind, key) VALUES (NEW.business_id, NEW.kind, NEW.key);
END;

CREATE TRIGGER duplicate_stale_key_removed AFTER DELETE ON client_match_keys
BEGIN
    INSERT OR IGNORE INTO duplicate_stale_keys (business_id, kind, key) VALUES (OLD.business_id, OLD.kind, OLD.key);
END;

-- A new name changes which clients of its birth date, or of its
-- identifying values, it is similar to.
CREATE TRIGGER duplicate_stale_renamed AFTER UPDATE OF name_key ON clients
WHEN OLD.name_key IS NOT NEW.name_key
BEGIN
    INSERT OR IGNORE INTO duplicate_stale_keys (business_id, kind, key)
    SELECT business_id, kind, key FROM client_match_keys
    WHERE business_id = NEW.business_id AND client_id = NEW.id AND kind IN ('birth_date', 'field');
END;
