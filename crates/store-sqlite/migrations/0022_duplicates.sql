-- Duplicate suggestions (issue 13). Each client's RUT, phone and birth date
-- are kept as match keys: the clients sharing a key are the only
-- candidates for a pair, so listing the suggestions never compares every
-- client with every other. Triggers keep the keys in the statement that
-- writes the client, whichever path writes it (forms, API, booking site,
-- a set-based import); deleting a client cascades.
CREATE TABLE client_match_keys (
    business_id  BLOB NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('rut', 'phone', 'birth_date')),
    key          TEXT NOT NULL,
    client_id    BLOB NOT NULL,
    PRIMARY KEY (business_id, kind, key, client_id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
-- A client's own keys: its profile's notice, and rewriting them on a change.
CREATE INDEX client_match_keys_by_client ON client_match_keys (business_id, client_id);

INSERT INTO client_match_keys (business_id, kind, key, client_id)
SELECT business_id, 'rut', rut, id FROM clients WHERE rut IS NOT NULL
UNION ALL SELECT business_id, 'phone', phone, id FROM clients WHERE phone IS NOT NULL
UNION ALL SELECT business_id, 'birth_date', birth_date, id FROM clients WHERE birth_date IS NOT NULL;

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
    DELETE FROM client_match_keys WHERE business_id = OLD.business_id AND client_id = OLD.id;
    INSERT INTO client_match_keys (business_id, kind, key, client_id)
    SELECT NEW.business_id, 'rut', NEW.rut, NEW.id WHERE NEW.rut IS NOT NULL
    UNION ALL SELECT NEW.business_id, 'phone', NEW.phone, NEW.id WHERE NEW.phone IS NOT NULL
    UNION ALL SELECT NEW.business_id, 'birth_date', NEW.birth_date, NEW.id WHERE NEW.birth_date IS NOT NULL;
END;

-- "No es duplicado": a pair dismissed for good, the smaller id first.
CREATE TABLE duplicate_dismissals (
    business_id   BLOB    NOT NULL,
    client_a      BLOB    NOT NULL,
    client_b      BLOB    NOT NULL,
    dismissed_by  BLOB,             -- the staff member; NULL for the system or a token
    dismissed_at  INTEGER NOT NULL,
    PRIMARY KEY (business_id, client_a, client_b),
    CHECK (client_a < client_b),
    FOREIGN KEY (business_id, client_a) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, client_b) REFERENCES clients (business_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX duplicate_dismissals_by_b ON duplicate_dismissals (business_id, client_b);
