-- The booking site's rules gain a third deadline, until when before the
-- appointment a client may confirm their attendance, and whether the
-- booking form asks the birth date. The same schema as the PostgreSQL
-- migration of this name.
ALTER TABLE booking_rules ADD COLUMN confirm_until_hours INTEGER NOT NULL DEFAULT 2
    CHECK (confirm_until_hours BETWEEN 0 AND 720);
ALTER TABLE booking_rules ADD COLUMN ask_birth_date INTEGER NOT NULL DEFAULT 0 CHECK (ask_birth_date IN (0, 1));
