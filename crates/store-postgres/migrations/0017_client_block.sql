-- Bloqueo (Ley 21.719, temporary blocking): while a client has a row here
-- the profile is frozen — no edits, no messages, no new bookings, hidden
-- from professionals, lists and search except to owners. Unblocking deletes
-- the row; both acts are written to the client's history (who, when, why),
-- so this table holds only the current state. The same schema as the
-- SQLite migration of this name.
CREATE TABLE client_blocks (
    business_id  uuid    NOT NULL,
    client_id    uuid    NOT NULL,
    -- when the block began (UTC microseconds)
    since        BIGINT  NOT NULL,
    -- why, as the owner typed it (shown on the profile's banner)
    reason       TEXT    NOT NULL,
    PRIMARY KEY (business_id, client_id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);

-- The history learns client_blocked (new_value the reason) and
-- client_unblocked entries, subject 'profile'.
ALTER TABLE client_history
    DROP CONSTRAINT client_history_change_check,
    ADD CONSTRAINT client_history_change_check CHECK (change IN ('field', 'custom_value', 'note_added',
        'note_edited', 'note_deleted', 'booking_created', 'booking_rescheduled', 'booking_confirmed',
        'booking_cancelled', 'booking_attendance', 'booking_payment', 'attention_note_added',
        'attention_note_edited', 'attention_note_deleted', 'notification_preferences',
        'data_request', 'client_blocked', 'client_unblocked'));
