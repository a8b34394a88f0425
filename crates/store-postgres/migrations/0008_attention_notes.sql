-- Attention notes on bookings, and history entries about bookings and
-- attention notes. The same schema as the SQLite migration of this name;
-- conventions as in 0001 and 0005.

CREATE TABLE attention_notes (
    id           uuid    PRIMARY KEY,
    business_id  uuid    NOT NULL,
    -- a booking's notes go with it (and a client's bookings with the client)
    booking_id   uuid    NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    -- the booking's client, whose profile lists the note
    client_id    uuid    NOT NULL,
    -- private: staff only; shared: also shown to the client
    visibility   text    NOT NULL CHECK (visibility IN ('private', 'shared')),
    -- as typed (trimmed), up to 5000 characters
    text         text    NOT NULL,
    author_kind  text    NOT NULL CHECK (author_kind IN ('staff', 'integration', 'system')),
    author_id    uuid    REFERENCES staff (id),
    created_at   bigint  NOT NULL,
    edited_at    bigint,
    CHECK ((author_kind = 'staff') = (author_id IS NOT NULL))
);
-- A booking's notes, newest first; the profile's, newest first.
CREATE INDEX attention_notes_by_booking ON attention_notes (business_id, booking_id, created_at, id);
CREATE INDEX attention_notes_by_client ON attention_notes (business_id, client_id, created_at, id);
-- What deleting a booking looks its notes up by (the foreign key's cascade).
CREATE INDEX attention_notes_of_booking ON attention_notes (booking_id);

-- The history learns booking and attention note entries: each names its
-- booking, an attention note's also its kind. Subjects: the note's id for
-- note_* and attention_note_*, the booking's id for booking_*.
ALTER TABLE client_history
    ADD COLUMN booking_id uuid,
    ADD COLUMN visibility text CHECK (visibility IN ('private', 'shared')),
    DROP CONSTRAINT client_history_change_check,
    ADD CONSTRAINT client_history_change_check CHECK (change IN ('field', 'custom_value', 'note_added',
        'note_edited', 'note_deleted', 'booking_created', 'booking_rescheduled', 'booking_confirmed',
        'booking_cancelled', 'booking_attendance', 'booking_payment', 'attention_note_added',
        'attention_note_edited', 'attention_note_deleted'));
