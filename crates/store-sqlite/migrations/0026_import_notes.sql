-- Imported notes and the import's history entries (issue 13, item 4). The
-- same schema as the PostgreSQL migration of this name.
--
-- A file's "Notas" column becomes general notes. A note an import wrote
-- carries its batch, so undoing the batch removes exactly those notes
-- (unless edited since) and a profile the batch created counts them as its
-- own, not as activity. A column rather than a table of its own: the note
-- is the row, it moves with its profile in a merge like any note, and NULL
-- (every note staff write) costs nothing. The batch is referenced with the
-- business; batches are never deleted apart from their business.
ALTER TABLE client_notes ADD COLUMN import_id BLOB;
-- SQLite's ALTER TABLE cannot add a two-column foreign key, and rebuilding
-- client_notes for one is not worth it on one node (as 0020 left its other
-- keys): the tie to the batch is kept by the store here; PostgreSQL
-- enforces it.
CREATE INDEX client_notes_of_import ON client_notes (business_id, import_id) WHERE import_id IS NOT NULL;

-- The history learns client_imported (subject the batch's id, new the file's
-- name and whether the line created the profile, as JSON) and import_undone
-- entries. SQLite cannot change a CHECK in place, so the table is rebuilt as
-- 0023 left it plus the two kinds (nothing refers to it).
CREATE TABLE client_history_new (
    id           BLOB    NOT NULL,
    business_id  BLOB    NOT NULL,
    client_id    BLOB    NOT NULL,
    at           INTEGER NOT NULL,
    who_kind     TEXT    NOT NULL CHECK (who_kind IN ('staff', 'integration', 'system', 'client')),
    who_id       BLOB,
    change       TEXT    NOT NULL CHECK (change IN ('field', 'custom_value', 'note_added', 'note_edited',
                 'note_deleted', 'booking_created', 'booking_rescheduled', 'booking_confirmed',
                 'booking_cancelled', 'booking_attendance', 'booking_payment', 'attention_note_added',
                 'attention_note_edited', 'attention_note_deleted', 'notification_preferences',
                 'data_request', 'client_blocked', 'client_unblocked', 'client_merged', 'merge_undone',
                 'client_imported', 'import_undone')),
    subject      TEXT    NOT NULL,
    old_value    TEXT,
    new_value    TEXT,
    booking_id   BLOB,
    visibility   TEXT    CHECK (visibility IN ('private', 'shared')),
    CHECK ((who_kind = 'staff') = (who_id IS NOT NULL)),
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, who_id) REFERENCES staff (business_id, id)
);
INSERT INTO client_history_new
    (id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value, booking_id, visibility)
    SELECT id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value, booking_id,
           visibility
    FROM client_history;
DROP TABLE client_history;
ALTER TABLE client_history_new RENAME TO client_history;
CREATE INDEX client_history_by_client ON client_history (business_id, client_id, at, id);
