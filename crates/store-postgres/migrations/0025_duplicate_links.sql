-- Duplicate suggestions, second part (issue 13): a fourth reason — a
-- custom field the business marks as identifying (N° de ficha, pasaporte),
-- the same value and a very similar name — and the pairs kept as links.

-- A custom field may identify a person.
ALTER TABLE custom_fields ADD COLUMN identifying boolean NOT NULL DEFAULT false;

-- client_match_keys takes a fourth kind, 'field' (key: the field's id,
-- ':', the value lower-cased); 0022's update trigger now leaves those alone.
ALTER TABLE client_match_keys DROP CONSTRAINT client_match_keys_kind_check,
    ADD CONSTRAINT client_match_keys_kind_check CHECK (kind IN ('rut', 'phone', 'birth_date', 'field'));

CREATE OR REPLACE FUNCTION client_match_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM client_match_keys WHERE business_id = OLD.business_id AND client_id = OLD.id
        AND kind IN ('rut', 'phone', 'birth_date');
    INSERT INTO client_match_keys (business_id, kind, key, client_id)
    SELECT k.* FROM client_match_keys_of(NEW.business_id, NEW.id, NEW.rut, NEW.phone, NEW.birth_date) AS k;
    RETURN NULL;
END $$;

CREATE FUNCTION client_value_key(uuid, text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT $1::text || ':' || lower(btrim($2))
$$;

-- The values of identifying fields are keys too. (A trigger's WHEN cannot
-- ask custom_fields, so the function does.)
CREATE FUNCTION client_match_keys_value() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.value IS NOT DISTINCT FROM NEW.value AND OLD.client_id = NEW.client_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM client_match_keys WHERE business_id = OLD.business_id AND kind = 'field'
            AND key = client_value_key(OLD.field_id, OLD.value) AND client_id = OLD.client_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (SELECT 1 FROM custom_fields f
            WHERE f.business_id = NEW.business_id AND f.id = NEW.field_id AND f.identifying) THEN
        INSERT INTO client_match_keys (business_id, kind, key, client_id)
        VALUES (NEW.business_id, 'field', client_value_key(NEW.field_id, NEW.value), NEW.client_id)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

-- (A merge moves values to another client: client_id changes too.)
CREATE TRIGGER client_match_keys_value AFTER INSERT OR DELETE OR UPDATE OF value, client_id ON client_custom_values
    FOR EACH ROW EXECUTE FUNCTION client_match_keys_value();

-- Marking or unmarking a field writes or removes the keys of its values.
CREATE FUNCTION client_match_keys_field_marked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM client_match_keys WHERE business_id = NEW.business_id AND kind = 'field'
        AND key >= NEW.id::text || ':' AND key < NEW.id::text || ';';
    IF NEW.identifying THEN
        INSERT INTO client_match_keys (business_id, kind, key, client_id)
        SELECT v.business_id, 'field', client_value_key(v.field_id, v.value), v.client_id
        FROM client_custom_values v WHERE v.business_id = NEW.business_id AND v.field_id = NEW.id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER client_match_keys_field_marked AFTER UPDATE OF identifying ON custom_fields
    FOR EACH ROW WHEN (OLD.identifying IS DISTINCT FROM NEW.identifying)
    EXECUTE FUNCTION client_match_keys_field_marked();

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
    business_id  uuid NOT NULL,
    kind         text COLLATE "C" NOT NULL,
    key          text COLLATE "C" NOT NULL,
    client_a     uuid NOT NULL,
    client_b     uuid NOT NULL,
    PRIMARY KEY (business_id, kind, key, client_a, client_b),
    CHECK (client_a < client_b),
    FOREIGN KEY (business_id, client_a) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, client_b) REFERENCES clients (business_id, id) ON DELETE CASCADE
);
CREATE INDEX duplicate_links_by_a ON duplicate_links (business_id, client_a);
CREATE INDEX duplicate_links_by_b ON duplicate_links (business_id, client_b);

-- Groups to recompute: an entry per change, not per group. A recompute
-- deletes the entries it can see (RETURNING them) and then reads the
-- groups' members; a writer that commits later leaves its entry behind for
-- the next one. With one row per group, a writer finding the row already
-- there would add nothing, and the recompute could clear that row without
-- having seen the writer's change.
CREATE TABLE duplicate_stale_keys (
    business_id  uuid   NOT NULL,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    kind         text COLLATE "C" NOT NULL,
    key          text COLLATE "C" NOT NULL,
    PRIMARY KEY (business_id, id)
);

INSERT INTO duplicate_stale_keys (business_id, kind, key)
SELECT DISTINCT business_id, kind, key FROM client_match_keys;

-- Statement-level, so a bulk import queues its groups in one insert.
CREATE FUNCTION duplicate_stale_keys_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO duplicate_stale_keys (business_id, kind, key)
    SELECT DISTINCT business_id, kind, key FROM added;
    RETURN NULL;
END $$;

CREATE TRIGGER duplicate_stale_key_added AFTER INSERT ON client_match_keys
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION duplicate_stale_keys_added();

CREATE FUNCTION duplicate_stale_keys_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO duplicate_stale_keys (business_id, kind, key)
    SELECT DISTINCT business_id, kind, key FROM removed;
    RETURN NULL;
END $$;

CREATE TRIGGER duplicate_stale_key_removed AFTER DELETE ON client_match_keys
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION duplicate_stale_keys_removed();

-- A new name changes which clients of its birth date, or of its
-- identifying values, it is similar to.
CREATE FUNCTION duplicate_stale_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO duplicate_stale_keys (business_id, kind, key)
    SELECT business_id, kind, key FROM client_match_keys
    WHERE business_id = NEW.business_id AND client_id = NEW.id AND kind IN ('birth_date', 'field');
    RETURN NULL;
END $$;

CREATE TRIGGER duplicate_stale_renamed AFTER UPDATE OF name_key ON clients
    FOR EACH ROW WHEN (OLD.name_key IS DISTINCT FROM NEW.name_key)
    EXECUTE FUNCTION duplicate_stale_renamed();
