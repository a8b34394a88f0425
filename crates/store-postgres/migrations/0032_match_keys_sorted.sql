-- A bulk import's duplicate keys go into their primary key's btree in its
-- own order (issue 15, item 4: a million clients in 60 s), as the search
-- words already do (0030): the keys of a 100 000-client batch then fill
-- the index's pages one after the other instead of landing on a random
-- page each. Measured on loads of a million clients: see
-- docs/performance.md, "Bulk load, third pass".
CREATE OR REPLACE FUNCTION client_match_keys_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO client_match_keys (business_id, kind, key, client_id)
    SELECT k.* FROM added n
    CROSS JOIN LATERAL client_match_keys_of(n.business_id, n.id, n.rut, n.phone, n.birth_date) AS k
    ORDER BY 1, 2, 3, 4;
    RETURN NULL;
END $$;
