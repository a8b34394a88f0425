-- The booking site: each business's booking rules, which services clients
-- may book online, the manage links of bookings made there, and what a
-- client typed that differs from their stored profile ("datos ingresados al
-- reservar"). The same schema as the PostgreSQL migration of this name;
-- business_id leads every key.

-- No row: online booking off, and the defaults of
-- ficha_store::booking_site::BookingRules.
CREATE TABLE booking_rules (
    business_id            BLOB    PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    online                 INTEGER NOT NULL CHECK (online IN (0, 1)),
    min_notice_hours       INTEGER NOT NULL CHECK (min_notice_hours BETWEEN 0 AND 720),
    horizon_days           INTEGER NOT NULL CHECK (horizon_days BETWEEN 1 AND 365),
    -- what a new online booking starts as
    start_state            TEXT    NOT NULL CHECK (start_state IN ('pending', 'confirmed')),
    cancel_until_hours     INTEGER NOT NULL CHECK (cancel_until_hours BETWEEN 0 AND 720),
    reschedule_until_hours INTEGER NOT NULL CHECK (reschedule_until_hours BETWEEN 0 AND 720),
    require_phone          INTEGER NOT NULL CHECK (require_phone IN (0, 1)),
    require_rut            INTEGER NOT NULL CHECK (require_rut IN (0, 1)),
    updated_at             INTEGER NOT NULL
);

-- Bookable on the site. On for every service, existing and new: nothing is
-- offered until the owner turns online booking on, and then the owner
-- unticks what clients should not book themselves.
ALTER TABLE services ADD COLUMN online INTEGER NOT NULL DEFAULT 1 CHECK (online IN (0, 1));

-- Bookings become referable by (business_id, id), as clients did in 0009.
CREATE UNIQUE INDEX bookings_business_id ON bookings (business_id, id);

-- A booking's manage links: the SHA-256 of a 256-bit random token; the
-- token itself is only in the client's hands (page and email). A
-- reschedule keeps the booking's id, so an old link finds the booking as
-- it is now.
CREATE TABLE booking_links (
    business_id  BLOB    NOT NULL,
    token_hash   BLOB    NOT NULL,
    booking_id   BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (business_id, token_hash),
    FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) ON DELETE CASCADE
);
CREATE INDEX booking_links_of_booking ON booking_links (business_id, booking_id);

-- What the client typed on the site that differs from the stored profile,
-- kept on the booking for staff (never written over the profile). JSON: an
-- object of field → typed value, as ficha_store::booking_site::Entered.
CREATE TABLE booking_entered_data (
    business_id  BLOB    NOT NULL,
    booking_id   BLOB    NOT NULL,
    data         TEXT    NOT NULL,
    PRIMARY KEY (business_id, booking_id),
    FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) ON DELETE CASCADE
);
