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

-- A new name changes which clients of its birth date it is similar to.
CREATE TRIGGER duplicate_stale_renamed AFTER UPDATE OF name_key ON clients
WHEN OLD.name_key IS NOT NEW.name_key AND NEW.birth_date IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO duplicate_stale_keys (business_id, kind, key)
    VALUES (NEW.business_id, 'birth_date', NEW.birth_date);
END;
