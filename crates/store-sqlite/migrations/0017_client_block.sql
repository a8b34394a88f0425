-- Bloqueo (Ley 21.719, temporary blocking): while a client has a row here
-- the profile is frozen — no edits, no messages, no new bookings, hidden
-- from professionals, lists and search except to owners. Unblocking deletes
-- the row; both acts are written to the client's history (who, when, why),
-- so this table holds only the current state. The same schema as the
-- PostgreSQL migration of this name.
CREATE TABLE client_blocks (
    business_id  BLOB    NOT NULL,
    client_id    BLOB    NOT NULL,
    -- when the block began (UTC microseconds)
    since        INTEGER NOT NULL,
    -- why, as the owner typed it (shown on the profile's banner)
    reason       TEXT    NOT NULL,
    PRIMARY KEY (business_id, client_id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);

-- The history learns client_blocked (new_value the reason) and
-- client_unblocked entries, subject 'profile'. SQLite cannot change a CHECK
-- in place, so the table is rebuilt as 0013 left it plus the two kinds
-- (nothing refers to it).
CREATE TABLE client_history_new (
    id           BLOB    PRIMARY KEY,
    business_id  BLOB    NOT NULL,
    client_id    BLOB    NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    who_kind     TEXT    NOT NULL CHECK (who_kind IN ('staff', 'integration', 'system', 'client')),
    who_id       BLOB    REFERENCES staff (id),
    change       TEXT    NOT NULL CHECK (change IN ('field', 'custom_value', 'note_added', 'note_edited',
                 'note_deleted', 'booking_created', 'booking_rescheduled', 'booking_confirmed',
                 'booking_cancelled', 'booking_attendance', 'booking_payment', 'attention_note_added',
                 'attention_note_edited', 'attention_note_deleted', 'notification_preferences',
                 'data_request', 'client_blocked', 'client_unblocked')),
    subject      TEXT    NOT NULL,
    old_value    TEXT,
    new_value    TEXT,
    booking_id   BLOB,
    visibility   TEXT    CHECK (visibility IN ('private', 'shared')),
    CHECK ((who_kind = 'staff') = (who_id IS NOT NULL))
);
INSERT INTO client_history_new
    (id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value, booking_id, visibility)
    SELECT id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value, booking_id,
           visibility
    FROM client_history;
DROP TABLE client_history;
ALTER TABLE client_history_new RENAME TO client_history;
CREATE INDEX client_history_by_client ON client_history (business_id, client_id, at, id);
CREATE INDEX client_history_of_client ON client_history (client_id);
