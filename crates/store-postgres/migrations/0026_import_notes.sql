-- Imported notes and the import's history entries (issue 13, item 4). The
-- same schema as the SQLite migration of this name.
--
-- A file's "Notas" column becomes general notes. A note an import wrote
-- carries its batch, so undoing the batch removes exactly those notes
-- (unless edited since) and a profile the batch created counts them as its
-- own, not as activity. A column rather than a table of its own: the note
-- is the row, it moves with its profile in a merge like any note, and NULL
-- (every note staff write) costs nothing. The batch is referenced with the
-- business; batches are never deleted apart from their business.
ALTER TABLE client_notes ADD COLUMN import_id uuid,
    ADD CONSTRAINT client_notes_import_fkey
        FOREIGN KEY (business_id, import_id) REFERENCES import_batches (business_id, id);
CREATE INDEX client_notes_of_import ON client_notes (business_id, import_id) WHERE import_id IS NOT NULL;

-- The history learns client_imported (subject the batch's id, new the file's
-- name and whether the line created the profile, as JSON) and import_undone
-- entries.
ALTER TABLE client_history
    DROP CONSTRAINT client_history_change_check,
    ADD CONSTRAINT client_history_change_check CHECK (change IN ('field', 'custom_value', 'note_added',
        'note_edited', 'note_deleted', 'booking_created', 'booking_rescheduled', 'booking_confirmed',
        'booking_cancelled', 'booking_attendance', 'booking_payment', 'attention_note_added',
        'attention_note_edited', 'attention_note_deleted', 'notification_preferences',
        'data_request', 'client_blocked', 'client_unblocked', 'client_merged', 'merge_undone',
        'client_imported', 'import_undone'));
