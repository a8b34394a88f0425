-- A bulk load does not queue each duplicate key (issue 3's target, a
-- million clients in 60 s, missed since issue 13): measured at a million
-- clients, the per-key queue trigger alone cost ~10 s of a 65 s load.
-- As on PostgreSQL (0031), a batch of 20 000 clients or more marks its
-- business instead, and the recompute sweeps the business's key groups in
-- key order from the mark (duplicate_links.rs, sweep_batch).
--
-- The sweep commits every few thousand groups so that other writers wait
-- milliseconds, not the whole sweep; the mark keeps its position between
-- batches: every group up to (after_kind, after_key) has been recomputed.
-- A key written behind that position is queued as before (its group was
-- already swept); one ahead of it is left to the sweep. SQLite has one
-- writer, so a writer and a sweep batch never see each other half-done.
CREATE TABLE duplicate_recompute_all (
    business_id  BLOB NOT NULL PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    after_kind   TEXT NOT NULL DEFAULT '',
    after_key    TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

DROP TRIGGER duplicate_stale_key_added;
DROP TRIGGER duplicate_stale_key_removed;

CREATE TRIGGER duplicate_stale_key_added AFTER INSERT ON client_match_keys
WHEN NOT EXISTS (SELECT 1 FROM duplicate_recompute_all m WHERE m.business_id = NEW.business_id
                 AND (NEW.kind, NEW.key) > (m.after_kind, m.after_key))
BEGIN
    INSERT OR IGNORE INTO duplicate_stale_keys (business_id, kind, key) VALUES (NEW.business_id, NEW.kind, NEW.key);
END;

CREATE TRIGGER duplicate_stale_key_removed AFTER DELETE ON client_match_keys
WHEN NOT EXISTS (SELECT 1 FROM duplicate_recompute_all m WHERE m.business_id = OLD.business_id
                 AND (OLD.kind, OLD.key) > (m.after_kind, m.after_key))
BEGIN
    INSERT OR IGNORE INTO duplicate_stale_keys (business_id, kind, key) VALUES (OLD.business_id, OLD.kind, OLD.key);
END;
