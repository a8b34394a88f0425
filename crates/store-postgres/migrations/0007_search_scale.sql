-- Client search, second design. A GIN index answers a tsquery with a bitmap
-- of EVERY matching entry, so a short prefix typed first ("ca") touched
-- hundreds of thousands of entries before LIMIT could apply. A btree over
-- (business, word, client) answers a whole word or a prefix as a range scan
-- that stops as soon as enough clients are found, and starts inside the
-- business, so no tenant token is needed.
--
-- client_words holds one row per distinct token of a client's search entry
-- (the tsvector in client_search), the tenant token excepted, with a copy of
-- the whole entry in the index (INCLUDE): a query's other words are checked
-- on the index tuple as the scan goes (about half a microsecond a row),
-- never by a lookup per candidate. Triggers on client_search keep it in
-- step, in the same statement as every change to an entry, including the
-- cascade that deletes a client.
CREATE TABLE client_words (
    business_id  uuid     NOT NULL,
    word         text     COLLATE "C" NOT NULL,
    client_id    uuid     NOT NULL,
    doc          tsvector NOT NULL,
    PRIMARY KEY (business_id, word, client_id) INCLUDE (doc)
);

-- The words of one search entry, without its business's tenant token.
CREATE FUNCTION client_search_words(entry client_search)
RETURNS TABLE (business_id uuid, word text, client_id uuid, doc tsvector)
LANGUAGE sql IMMUTABLE AS $$
    SELECT entry.business_id, w.word, entry.client_id, entry.doc
    FROM unnest(tsvector_to_array(entry.doc)) AS w(word)
    WHERE w.word <> 't' || replace(entry.business_id::text, '-', '')
$$;

INSERT INTO client_words (business_id, word, client_id, doc)
SELECT w.* FROM client_search s CROSS JOIN LATERAL client_search_words(s) AS w;

-- Statement-level triggers with transition tables: a bulk import of 25 000
-- entries is one set-based insert, not 25 000 calls. PostgreSQL allows a
-- transition table only on a single-event trigger, hence three. A changed
-- entry has all its rows replaced, since each carries the whole entry.
CREATE FUNCTION client_search_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO client_words (business_id, word, client_id, doc)
    SELECT w.* FROM added n CROSS JOIN LATERAL client_search_words(n) AS w;
    RETURN NULL;
END $$;

CREATE FUNCTION client_search_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM client_words c
    USING removed o CROSS JOIN LATERAL client_search_words(o) AS r
    WHERE c.business_id = r.business_id AND c.word = r.word AND c.client_id = r.client_id;
    RETURN NULL;
END $$;

CREATE FUNCTION client_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM client_words c
    USING removed o CROSS JOIN LATERAL client_search_words(o) AS r
    WHERE c.business_id = r.business_id AND c.word = r.word AND c.client_id = r.client_id;
    INSERT INTO client_words (business_id, word, client_id, doc)
    SELECT w.* FROM added n CROSS JOIN LATERAL client_search_words(n) AS w;
    RETURN NULL;
END $$;

CREATE TRIGGER client_search_insert AFTER INSERT ON client_search
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION client_search_added();
CREATE TRIGGER client_search_delete AFTER DELETE ON client_search
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION client_search_removed();
CREATE TRIGGER client_search_update AFTER UPDATE ON client_search
    REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION client_search_changed();

-- Candidates are checked on client_words' index tuples now; the GIN index
-- has no query left to answer.
DROP INDEX client_search_doc;
