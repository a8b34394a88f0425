-- Client search. One FTS5 entry per client, keyed by the client's rowid, with
-- three columns filled by ficha_store::search::SearchDocument:
--   tenant  one token naming the business; every query requires it
--   name    the folded name
--   other   email, phone-tail and RUT tokens, custom-field values
-- Contentless: the text lives in clients and client_custom_values; with
-- contentless_delete an entry can be replaced or deleted when its client
-- changes. detail=column keeps which column a token is in (for the tenant
-- filter) but no positions: queries never use phrases, and the doclists are
-- a fraction of the size. The prefix index answers the one- to eight-letter
-- prefixes typed first as single terms, instead of merging the doclists of
-- every word they begin.
CREATE VIRTUAL TABLE client_search USING fts5(
    tenant, name, other,
    content = '',
    contentless_delete = 1,
    detail = column,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4 5 6 7 8'
);

-- Name words of each business (by tenant token), where a query word's
-- one-typo neighbours are looked up. Words are never removed: a stale one
-- only costs a lookup that finds nobody.
CREATE TABLE search_terms (
    tenant  TEXT NOT NULL,
    term    TEXT NOT NULL,
    PRIMARY KEY (tenant, term)
) WITHOUT ROWID;

-- Clients that need (re)indexing outside a write: every client that existed
-- before this migration. The store empties it when it opens the database.
CREATE TABLE client_search_pending (client_rowid INTEGER PRIMARY KEY);
INSERT INTO client_search_pending (client_rowid) SELECT rowid FROM clients;
