-- The recompute takes queued groups in key order, as SQLite's does: every
-- entry of a group goes in the one batch that recomputes it. Taken in id
-- order, a group queued by each of ten import batches (a birth date, shared
-- by ~30 clients at a million) was recomputed ten times. Entries stay one
-- per change (see 0025 for why); this index only orders them.
CREATE INDEX duplicate_stale_keys_by_key ON duplicate_stale_keys (business_id, kind, key);
