-- Client search, third design (issue 15, item 4): the word index without a
-- copy of each entry in every word row.
--
-- client_words (0007) held one row per (business, word, client) with the
-- client's whole entry INCLUDEd, so that a query's other words were checked
-- on the index tuple: 4.5 GB for a million clients, most of it the same
-- entries copied ten times over. search_words keeps what a scan needs and no
-- more:
--
-- * entry_no, a 4-byte number given to each search entry, in place of the
--   16-byte client id (twice per row: heap and btree);
-- * a 128-bit signature of the entry's words, in two columns: sig_a has a
--   bit for each word's first letter (exact: one bit per letter or digit)
--   and one for a hash of its first five letters; sig_b one for a hash of
--   its first two and one of its first three letters. A query's other
--   words are checked against the signature on the index tuple first; only
--   the entries that have all their bits (the true matches and a few per
--   cent of others) are looked up in client_search and checked exactly
--   (doc @@ tsquery).
--
-- A million clients: about 1.1 GB for the words (heap and btree) against
-- 4.5. The number of entries over the database's life is bounded by int4
-- (two thousand million); a later migration can widen it.

-- The old index goes first.
DROP TRIGGER client_search_insert ON client_search;
DROP TRIGGER client_search_delete ON client_search;
DROP TRIGGER client_search_update ON client_search;
DROP FUNCTION client_search_added();
DROP FUNCTION client_search_removed();
DROP FUNCTION client_search_changed();
DROP TABLE client_words;
DROP FUNCTION client_search_words(client_search);

-- Entries are numbered, and the business's tenant token (the GIN design's,
-- in every entry, never searched by since 0007) leaves them. The table is
-- written anew rather than updated in place: an UPDATE of every row would
-- leave it and its primary key twice their size until a VACUUM FULL. The
-- entry's number leads to its client without a visit to the table
-- (INCLUDE), as a query that only needs the client reads it.
CREATE SEQUENCE client_search_entry_no AS int4;
CREATE TABLE client_search_numbered (
    client_id   uuid     NOT NULL,
    business_id uuid     NOT NULL,
    doc         tsvector NOT NULL,
    entry_no    int4     NOT NULL DEFAULT nextval('client_search_entry_no')
);
INSERT INTO client_search_numbered (client_id, business_id, doc)
SELECT client_id, business_id, ts_delete(doc, 't' || replace(business_id::text, '-', ''))
FROM client_search ORDER BY business_id, client_id;
DROP TABLE client_search;
ALTER TABLE client_search_numbered RENAME TO client_search;
ALTER SEQUENCE client_search_entry_no OWNED BY client_search.entry_no;
ALTER TABLE client_search
    ADD CONSTRAINT client_search_pkey PRIMARY KEY (business_id, client_id),
    ADD CONSTRAINT client_search_entry_key UNIQUE (business_id, entry_no) INCLUDE (client_id),
    ADD CONSTRAINT client_search_business_id_client_id_fkey FOREIGN KEY (business_id, client_id)
        REFERENCES clients (business_id, id) ON DELETE CASCADE;

-- One word's bits in the two halves of an entry's signature. A query sets
-- the same bits for the start of what it typed: whatever begins with
-- "gonz" has the bits of "g", "go" and "gon". hashtext is the hash of
-- PostgreSQL's own hash indexes, which pg_upgrade keeps, so it does not
-- change under a stored signature. Single-expression SQL: inlined where
-- it is called.
--
-- sig_a: bits 0-25 the first letter a-z, 26-35 a first digit, 36 any
-- other first character; bits 37-63 a hash of the first five letters.
CREATE FUNCTION search_word_sig_a(word text) RETURNS int8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE WHEN ascii(word) BETWEEN 97 AND 122 THEN 1::int8 << (ascii(word) - 97)
                 WHEN ascii(word) BETWEEN 48 AND 57 THEN 1::int8 << (ascii(word) - 22)
                 WHEN word <> '' THEN 1::int8 << 36 ELSE 0 END)
         | (CASE WHEN length(word) >= 5 THEN 1::int8 << (37 + (hashtext(left(word, 5)) & 2147483647) % 27) ELSE 0 END)
$$;

-- sig_b: a hash of the first two letters and one of the first three.
CREATE FUNCTION search_word_sig_b(word text) RETURNS int8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE WHEN length(word) >= 2 THEN 1::int8 << (hashtext(left(word, 2)) & 63) ELSE 0 END)
         | (CASE WHEN length(word) >= 3 THEN 1::int8 << (hashtext(left(word, 3)) & 63) ELSE 0 END)
$$;

CREATE TABLE search_words (
    business_id uuid NOT NULL,
    word        text COLLATE "C" NOT NULL,
    entry_no    int4 NOT NULL,
    sig_a       int8 NOT NULL,
    sig_b       int8 NOT NULL,
    PRIMARY KEY (business_id, word, entry_no) INCLUDE (sig_a, sig_b)
);

-- The word rows of one entry, each with the entry's signature. (A tenant
-- token, should a writer ever put one back, is left out.) A single SELECT,
-- so a query calling it in FROM has it inlined.
CREATE FUNCTION search_entry_words(business uuid, entry int4, doc tsvector)
RETURNS TABLE (business_id uuid, word text, entry_no int4, sig_a int8, sig_b int8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT business, w.word, entry, s.sig_a, s.sig_b
    FROM (SELECT array_remove(tsvector_to_array(doc), 't' || replace(business::text, '-', '')) AS words) a
    CROSS JOIN LATERAL (SELECT coalesce(bit_or(search_word_sig_a(x)), 0) AS sig_a,
                               coalesce(bit_or(search_word_sig_b(x)), 0) AS sig_b
                        FROM unnest(a.words) AS x) s
    CROSS JOIN LATERAL unnest(a.words) AS w(word)
$$;

-- Statement-level triggers with transition tables, as in 0007: a bulk
-- import's entries are one set-based insert. Rows go in sorted as the
-- btree is, so an import's fill the index in order rather than at random.
CREATE FUNCTION search_entries_insert_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_words (business_id, word, entry_no, sig_a, sig_b)
    SELECT w.* FROM added n CROSS JOIN LATERAL search_entry_words(n.business_id, n.entry_no, n.doc) AS w
    ORDER BY 1, 2, 3;
    RETURN NULL;
END $$;

CREATE FUNCTION search_entries_delete_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_words w
    USING removed o CROSS JOIN LATERAL unnest(tsvector_to_array(o.doc)) AS r(word)
    WHERE w.business_id = o.business_id AND w.word = r.word AND w.entry_no = o.entry_no;
    RETURN NULL;
END $$;

-- A changed entry has all its rows replaced: each carries the entry's
-- signature.
CREATE FUNCTION search_entries_replace_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_words w
    USING removed o CROSS JOIN LATERAL unnest(tsvector_to_array(o.doc)) AS r(word)
    WHERE w.business_id = o.business_id AND w.word = r.word AND w.entry_no = o.entry_no;
    INSERT INTO search_words (business_id, word, entry_no, sig_a, sig_b)
    SELECT w.* FROM added n CROSS JOIN LATERAL search_entry_words(n.business_id, n.entry_no, n.doc) AS w
    ORDER BY 1, 2, 3;
    RETURN NULL;
END $$;

CREATE TRIGGER client_search_insert AFTER INSERT ON client_search
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION search_entries_insert_words();
CREATE TRIGGER client_search_delete AFTER DELETE ON client_search
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION search_entries_delete_words();
CREATE TRIGGER client_search_update AFTER UPDATE ON client_search
    REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION search_entries_replace_words();

-- The existing entries' words, in index order.
INSERT INTO search_words (business_id, word, entry_no, sig_a, sig_b)
SELECT w.* FROM client_search n CROSS JOIN LATERAL search_entry_words(n.business_id, n.entry_no, n.doc) AS w
ORDER BY 1, 2, 3;
