-- Attention notes on bookings, and history entries about bookings and
-- attention notes. The same schema as the PostgreSQL migration of this
-- name; conventions as in 0001 and 0005.

CREATE TABLE attention_notes (
    id           BLOB    PRIMARY KEY,
    business_id  BLOB    NOT NULL,
    -- a booking's notes go with it (and a client's bookings with the client)
    booking_id   BLOB    NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    -- the booking's client, whose profile lists the note
    client_id    BLOB    NOT NULL,
    -- private: staff only; shared: also shown to the client
    visibility   TEXT    NOT NULL CHECK (visibility IN ('private', 'shared')),
    -- as typed (trimmed), up to 5000 characters
    text         TEXT    NOT NULL,
    author_kind  TEXT    NOT NULL CHECK (author_kind IN ('staff', 'integration', 'system')),
    author_id    BLOB    REFERENCES staff (id),
    created_at   INTEGER NOT NULL,
    edited_at    INTEGER,
    CHECK ((author_kind = 'staff') = (author_id IS NOT NULL))
);
-- A booking's notes, newest first; the profile's, newest first.
CREATE INDEX attention_notes_by_booking ON attention_notes (business_id, booking_id, created_at, id);
CREATE INDEX attention_notes_by_client ON attention_notes (business_id, client_id, created_at, id);
-- What deleting a booking looks its notes up by (the foreign key's cascade).
CREATE INDEX attention_notes_of_booking ON attention_notes (booking_id);

-- The history learns booking and attention note entries: each names its
-- booking, an attention note's also its kind. SQLite cannot change a CHECK
-- in place, so the table is rebuilt (nothing refers to it).
CREATE TABLE client_history_new (
    id           BLOB    PRIMARY KEY,
    business_id  BLOB    NOT NULL,
    client_id    BLOB    NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    who_kind     TEXT    NOT NULL CHECK (who_kind IN ('staff', 'integration', 'system')),
    who_id       BLOB    REFERENCES staff (id),
    -- field: subject is the field's API name; custom_value: the field's
    -- label then; note_* and attention_note_*: the note's id; booking_*:
    -- the booking's id
    change       TEXT    NOT NULL CHECK (change IN ('field', 'custom_value', 'note_added', 'note_edited',
                 'note_deleted', 'booking_created', 'booking_rescheduled', 'booking_confirmed',
                 'booking_cancelled', 'booking_attendance', 'booking_payment', 'attention_note_added',
                 'attention_note_edited', 'attention_note_deleted')),
    subject      TEXT    NOT NULL,
    old_value    TEXT,
    new_value    TEXT,
    -- booking_* and attention_note_* entries
    booking_id   BLOB,
    -- attention_note_* entries
    visibility   TEXT    CHECK (visibility IN ('private', 'shared')),
    CHECK ((who_kind = 'staff') = (who_id IS NOT NULL))
);
INSERT INTO client_history_new
    (id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value)
    SELECT id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value
    FROM client_history;
DROP TABLE client_history;
ALTER TABLE client_history_new RENAME TO client_history;
CREATE INDEX client_history_by_client ON client_history (business_id, client_id, at, id);
CREATE INDEX client_history_of_client ON client_history (client_id);
