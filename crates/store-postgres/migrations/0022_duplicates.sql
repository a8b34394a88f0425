-- Duplicate suggestions (issue 13). Each client's RUT, phone and birth date
-- are kept as match keys: the clients sharing a key are the only
-- candidates for a pair, so listing the suggestions never compares every
-- client with every other. Triggers keep the keys in the statement that
-- writes the client, whichever path writes it (forms, API, booking site,
-- a set-based import); deleting a client cascades.
CREATE TABLE client_match_keys (
    business_id  uuid NOT NULL,
    kind         text COLLATE "C" NOT NULL CHECK (kind IN ('rut', 'phone', 'birth_date')),
    key          text COLLATE "C" NOT NULL,
    client_id    uuid NOT NULL,
    PRIMARY KEY (business_id, kind, key, client_id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);
-- A client's own keys: its profile's notice, and rewriting them on a change.
CREATE INDEX client_match_keys_by_client ON client_match_keys (business_id, client_id);

-- The keys of one client row: (business_id, id, rut, phone, birth_date).
CREATE FUNCTION client_match_keys_of(uuid, uuid, text, text, date)
RETURNS TABLE (business_id uuid, kind text, key text, client_id uuid)
LANGUAGE sql IMMUTABLE AS $$
    SELECT $1, k.kind, k.key, $2
    FROM (VALUES ('rut', $3), ('phone', $4), ('birth_date', $5::text)) AS k(kind, key)
    WHERE k.key IS NOT NULL
$$;

INSERT INTO client_match_keys (business_id, kind, key, client_id)
SELECT k.* FROM clients c
CROSS JOIN LATERAL client_match_keys_of(c.business_id, c.id, c.rut, c.phone, c.birth_date) AS k;

-- Inserts: one statement-level trigger, so a bulk import stays one
-- set-based insert of its keys.
CREATE FUNCTION client_match_keys_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO client_match_keys (business_id, kind, key, client_id)
    SELECT k.* FROM added n
    CROSS JOIN LATERAL client_match_keys_of(n.business_id, n.id, n.rut, n.phone, n.birth_date) AS k;
    RETURN NULL;
END $$;

CREATE TRIGGER client_match_keys_insert AFTER INSERT ON clients
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION client_match_keys_added();

-- Updates: a row trigger, since PostgreSQL allows no transition table on a
-- trigger limited to columns, and most updates of clients (the last
-- booking time, a name) must not pay for the keys at all.
CREATE FUNCTION client_match_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM client_match_keys WHERE business_id = OLD.business_id AND client_id = OLD.id;
    INSERT INTO client_match_keys (business_id, kind, key, client_id)
    SELECT k.* FROM client_match_keys_of(NEW.business_id, NEW.id, NEW.rut, NEW.phone, NEW.birth_date) AS k;
    RETURN NULL;
END $$;

CREATE TRIGGER client_match_keys_update AFTER UPDATE OF rut, phone, birth_date ON clients
    FOR EACH ROW
    WHEN (OLD.rut IS DISTINCT FROM NEW.rut OR OLD.phone IS DISTINCT FROM NEW.phone
          OR OLD.birth_date IS DISTINCT FROM NEW.birth_date)
    EXECUTE FUNCTION client_match_keys_changed();

-- "No es duplicado": a pair dismissed for good, the smaller id first.
CREATE TABLE duplicate_dismissals (
    business_id   uuid   NOT NULL,
    client_a      uuid   NOT NULL,
    client_b      uuid   NOT NULL,
    dismissed_by  uuid,            -- the staff member; NULL for the system or a token
    dismissed_at  bigint NOT NULL,
    PRIMARY KEY (business_id, client_a, client_b),
    CHECK (client_a < client_b),
    FOREIGN KEY (business_id, client_a) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, client_b) REFERENCES clients (business_id, id) ON DELETE CASCADE
);
CREATE INDEX duplicate_dismissals_by_b ON duplicate_dismissals (business_id, client_b);
