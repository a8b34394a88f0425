-- Client search at a million clients. FTS5 merges its index segments as
-- they pile up; with the default (automerge 4) a bulk import of 1 000 000
-- clients spent most of its time re-merging the same long doclists (the
-- tenant token and the one- to eight-letter prefixes every entry carries).
-- Letting 16 segments gather per level before a merge made such a load about
-- three times faster, with query times unchanged within noise (measured in
-- docs/performance.md). The setting is stored in the table's own config.
INSERT INTO client_search (client_search, rank) VALUES ('automerge', 16);
