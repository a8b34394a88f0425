-- A bulk load does less work per client (issue 15, item 4: a million
-- clients in 60 s). Measured on one 100 000-client batch into a loaded
-- million, the duplicate keys took 8.5 s of its 20.2: ~4 s queueing every
-- key for the recompute, ~2.7 s checking each key's foreign key.

-- 1. A business whose duplicate links must all be recomputed: a bulk load
-- marks it instead of queueing each key, since past 50 000 queued entries
-- the recompute takes the whole-business pass anyway (duplicate_links.rs,
-- recompute_all, which deletes the mark).
CREATE TABLE duplicate_recompute_all (
    business_id uuid NOT NULL PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    marked_at   timestamptz NOT NULL DEFAULT now()
);

-- The keys' queue skips a marked business. The mark is read FOR KEY
-- SHARE, so a recompute deleting it waits for this writer to commit and
-- then reads its keys; a mark deleted first is not found, and the writer
-- queues its keys as before. (Loaders share the lock: they never wait for
-- each other.)
CREATE FUNCTION duplicate_stale_keys_queued() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    marked uuid[];
BEGIN
    SELECT coalesce(array_agg(m.business_id), '{}') INTO marked
    FROM (SELECT business_id FROM duplicate_recompute_all
          WHERE business_id IN (SELECT DISTINCT business_id FROM changed) FOR KEY SHARE) AS m;
    INSERT INTO duplicate_stale_keys (business_id, kind, key)
    SELECT DISTINCT business_id, kind, key FROM changed
    WHERE business_id <> ALL (marked);
    RETURN NULL;
END $$;

DROP TRIGGER duplicate_stale_key_added ON client_match_keys;
DROP TRIGGER duplicate_stale_key_removed ON client_match_keys;
DROP FUNCTION duplicate_stale_keys_added();
DROP FUNCTION duplicate_stale_keys_removed();
CREATE TRIGGER duplicate_stale_key_added AFTER INSERT ON client_match_keys
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duplicate_stale_keys_queued();
CREATE TRIGGER duplicate_stale_key_removed AFTER DELETE ON client_match_keys
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION duplicate_stale_keys_queued();

-- 2. The keys' foreign key becomes a delete trigger, as the search words'
-- (0030): keys are written only by the triggers on clients and on custom
-- values (whose own foreign key names an existing client), so the check
-- per inserted key guarded nothing, and what the key still needs is to go
-- with its client.
ALTER TABLE client_match_keys DROP CONSTRAINT client_match_keys_business_id_client_id_fkey;

CREATE FUNCTION client_match_keys_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM client_match_keys k USING removed o
    WHERE k.business_id = o.business_id AND k.client_id = o.id;
    RETURN NULL;
END $$;

CREATE TRIGGER client_match_keys_delete AFTER DELETE ON clients
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION client_match_keys_removed();

