-- Client search. One entry per client: a tsvector of the exact tokens of
-- ficha_store::search::SearchDocument (tenant token, folded name, email,
-- phone-tail and RUT tokens, custom-field values), built with
-- array_to_tsvector so PostgreSQL's parser never re-splits them. The entry
-- goes with its client (ON DELETE CASCADE).
CREATE TABLE client_search (
    client_id    uuid     PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    business_id  uuid     NOT NULL,
    doc          tsvector NOT NULL
);
-- Answers both whole-token and prefix (:*) queries.
CREATE INDEX client_search_doc ON client_search USING gin (doc);

-- Name words of each business, where a query word's one-typo neighbours are
-- looked up. Words are never removed: a stale one only costs a lookup that
-- finds nobody.
CREATE TABLE search_terms (
    business_id  uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    term         text NOT NULL,
    PRIMARY KEY (business_id, term)
);

-- Clients that existed before search did; the store indexes them when it
-- connects and empties this table.
CREATE TABLE client_search_pending (client_id uuid PRIMARY KEY);
INSERT INTO client_search_pending (client_id) SELECT id FROM clients;
