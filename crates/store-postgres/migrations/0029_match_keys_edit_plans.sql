-- A client's edit must not depend on fresh statistics to stay fast.
--
-- After a bulk import of a million clients, before anything had analyzed
-- client_match_keys, the planner answered the edit trigger's
-- "DELETE ... WHERE business_id = $1 AND client_id = $2 AND kind IN (...)"
-- with the primary key (business_id, kind, key, client_id) — three of its
-- columns named, key skipped — and read every key of the business: 386 ms
-- for a new phone, where the client's own index answers in 0.3 ms. The
-- rename trigger's read of the same shape took 106 ms. Both now say what
-- leaves no such choice.

-- The old row's keys, deleted by their whole primary key: they are
-- exactly client_match_keys_of(the old row) (0022, 0025).
CREATE OR REPLACE FUNCTION client_match_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM client_match_keys k
    USING client_match_keys_of(OLD.business_id, OLD.id, OLD.rut, OLD.phone, OLD.birth_date) AS o
    WHERE k.business_id = o.business_id AND k.kind = o.kind AND k.key = o.key AND k.client_id = o.client_id;
    INSERT INTO client_match_keys (business_id, kind, key, client_id)
    SELECT k.* FROM client_match_keys_of(NEW.business_id, NEW.id, NEW.rut, NEW.phone, NEW.birth_date) AS k;
    RETURN NULL;
END $$;

-- The client's keys read by client alone (OFFSET 0 keeps the kinds out of
-- the index condition), then filtered.
CREATE OR REPLACE FUNCTION duplicate_stale_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO duplicate_stale_keys (business_id, kind, key)
    SELECT k.business_id, k.kind, k.key
    FROM (SELECT business_id, kind, key FROM client_match_keys
          WHERE business_id = NEW.business_id AND client_id = NEW.id OFFSET 0) AS k
    WHERE k.kind IN ('birth_date', 'field');
    RETURN NULL;
END $$;
