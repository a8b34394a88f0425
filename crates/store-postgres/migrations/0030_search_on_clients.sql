-- Client search, fourth design (issue 15, item 4): the word index without a
-- copy of each entry in every word row, and without a lookup a query would
-- not make anyway.
--
-- client_words (0007) held one row per (business, word, client) with the
-- client's whole entry INCLUDEd, so that a query's other words were checked
-- on the index tuple: 4.5 GB for a million clients, most of it the same
-- entries copied eight times over. Two leaner designs were measured and not
-- merged (docs/performance.md): both paid, per candidate, lookups that the
-- old design did not (the entry, then the client). Here the entry moves
-- onto the client's own row, which a query reads anyway for every
-- candidate it returns (to rank it), so the exact check costs nothing more:
--
-- * clients.search_doc, the entry (a tsvector of its words; NULL until the
--   client is indexed), and clients.search_no, a 4-byte number naming the
--   entry in the word rows in place of the 16-byte client id (twice per
--   row: heap and btree);
-- * search_words, one row per (business, word, entry) with a 128-bit
--   signature of the entry's words INCLUDEd: sig_a has a bit for each
--   word's first letter (exact: one per letter or digit) and one for a hash
--   of its first five letters; sig_b one for a hash of its first two and
--   one for its first three letters. A query's other words are checked
--   against the signature on the index tuple; the entries that have every
--   bit (the true matches and a few per cent of others) are checked exactly
--   on the client's row (search_doc @@ tsquery) as it is read.
--
-- client_search, the entries' own table, goes: its rows and its primary key
-- were a quarter of a gigabyte at a million clients.

-- The old index goes first.
DROP TRIGGER client_search_insert ON client_search;
DROP TRIGGER client_search_delete ON client_search;
DROP TRIGGER client_search_update ON client_search;
DROP FUNCTION client_search_added();
DROP FUNCTION client_search_removed();
DROP FUNCTION client_search_changed();
DROP TABLE client_words;
DROP FUNCTION client_search_words(client_search);

-- Entries move onto their clients, without the business's tenant token (the
-- GIN design's, never searched by since 0007). The number of entries over
-- the database's life is bounded by int4 (two thousand million); a later
-- migration can widen it.
CREATE SEQUENCE clients_search_no AS int4;
ALTER TABLE clients ADD COLUMN search_no int4, ADD COLUMN search_doc tsvector;
UPDATE clients c SET search_no = nextval('clients_search_no'),
    search_doc = (SELECT ts_delete(s.doc, 't' || replace(c.business_id::text, '-', ''))
                  FROM client_search s WHERE s.business_id = c.business_id AND s.client_id = c.id);
ALTER TABLE clients
    ALTER COLUMN search_no SET DEFAULT nextval('clients_search_no'),
    ALTER COLUMN search_no SET NOT NULL,
    ADD CONSTRAINT clients_search_no_key UNIQUE (business_id, search_no);
ALTER SEQUENCE clients_search_no OWNED BY clients.search_no;
DROP TABLE client_search;

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

-- No foreign key to clients: the triggers below delete a client's rows
-- with it, and a key would need a second index on (business_id, entry_no).
CREATE TABLE search_words (
    business_id uuid NOT NULL,
    word        text COLLATE "C" NOT NULL,
    entry_no    int4 NOT NULL,
    sig_a       int8 NOT NULL,
    sig_b       int8 NOT NULL,
    PRIMARY KEY (business_id, word, entry_no) INCLUDE (sig_a, sig_b)
);

-- Everyday edits replace a few rows each; a query reads the index only
-- while the pages it visits are marked all-visible, which only a vacuum
-- does. The default thresholds (a fifth of the table) would leave a
-- million-client business's index visiting the heap for a long while
-- after a busy day; these run a vacuum every 1-2 % of changed rows.
ALTER TABLE search_words SET (
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.05
);

-- The word rows of one entry, each with the entry's signature (a tenant
-- token, should a writer ever put one back, is left out). A single SELECT,
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

-- A bulk import inserts its clients with their entries in one statement:
-- their words are one set-based insert, sorted as the btree is.
CREATE FUNCTION search_words_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_words (business_id, word, entry_no, sig_a, sig_b)
    SELECT w.* FROM added n CROSS JOIN LATERAL search_entry_words(n.business_id, n.search_no, n.search_doc) AS w
    WHERE n.search_doc IS NOT NULL
    ORDER BY 1, 2, 3;
    RETURN NULL;
END $$;

CREATE FUNCTION search_words_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_words w
    USING removed o CROSS JOIN LATERAL unnest(tsvector_to_array(o.search_doc)) AS r(word)
    WHERE w.business_id = o.business_id AND w.word = r.word AND w.entry_no = o.search_no;
    RETURN NULL;
END $$;

-- A changed entry has all its rows replaced: each carries the entry's
-- signature. Row-level, so that only an UPDATE naming search_doc pays it
-- (a booking's last_booking_at does not).
CREATE FUNCTION search_words_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_words w
    WHERE w.business_id = OLD.business_id AND w.entry_no = OLD.search_no
      AND w.word = ANY (tsvector_to_array(OLD.search_doc));
    INSERT INTO search_words (business_id, word, entry_no, sig_a, sig_b)
    SELECT w.* FROM search_entry_words(NEW.business_id, NEW.search_no, NEW.search_doc) AS w
    WHERE NEW.search_doc IS NOT NULL;
    RETURN NULL;
END $$;

CREATE TRIGGER clients_search_words_insert AFTER INSERT ON clients
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION search_words_added();
CREATE TRIGGER clients_search_words_delete AFTER DELETE ON clients
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION search_words_removed();
CREATE TRIGGER clients_search_words_update AFTER UPDATE OF search_doc ON clients
    FOR EACH ROW WHEN (OLD.search_doc IS DISTINCT FROM NEW.search_doc) EXECUTE FUNCTION search_words_changed();

-- The existing entries' words, in index order.
INSERT INTO search_words (business_id, word, entry_no, sig_a, sig_b)
SELECT w.* FROM clients n CROSS JOIN LATERAL search_entry_words(n.business_id, n.search_no, n.search_doc) AS w
WHERE n.search_doc IS NOT NULL
ORDER BY 1, 2, 3;
