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

-- A new name changes which clients of its birth date it is similar to.
CREATE FUNCTION duplicate_stale_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO duplicate_stale_keys (business_id, kind, key)
    VALUES (NEW.business_id, 'birth_date', NEW.birth_date::text);
    RETURN NULL;
END $$;

CREATE TRIGGER duplicate_stale_renamed AFTER UPDATE OF name_key ON clients
    FOR EACH ROW
    WHEN (OLD.name_key IS DISTINCT FROM NEW.name_key AND NEW.birth_date IS NOT NULL)
    EXECUTE FUNCTION duplicate_stale_renamed();
