-- The booking site: each business's booking rules, which services clients
-- may book online, the manage links of bookings made there, and what a
-- client typed that differs from their stored profile ("datos ingresados al
-- reservar"). The same schema as the SQLite migration of this name;
-- business_id leads every key.

-- No row: online booking off, and the defaults of
-- ficha_store::booking_site::BookingRules.
CREATE TABLE booking_rules (
    business_id            uuid    PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    online                 boolean NOT NULL,
    min_notice_hours       integer NOT NULL CHECK (min_notice_hours BETWEEN 0 AND 720),
    horizon_days           integer NOT NULL CHECK (horizon_days BETWEEN 1 AND 365),
    -- what a new online booking starts as
    start_state            text    NOT NULL CHECK (start_state IN ('pending', 'confirmed')),
    cancel_until_hours     integer NOT NULL CHECK (cancel_until_hours BETWEEN 0 AND 720),
    reschedule_until_hours integer NOT NULL CHECK (reschedule_until_hours BETWEEN 0 AND 720),
    require_phone          boolean NOT NULL,
    require_rut            boolean NOT NULL,
    updated_at             bigint  NOT NULL
);

-- Bookable on the site. On for every service, existing and new: nothing is
-- offered until the owner turns online booking on, and then the owner
-- unticks what clients should not book themselves.
ALTER TABLE services ADD COLUMN online boolean NOT NULL DEFAULT true;

-- Bookings become referable by (business_id, id), as clients did in 0009.
ALTER TABLE bookings ADD CONSTRAINT bookings_business_id UNIQUE (business_id, id);

-- A booking's manage links: the SHA-256 of a 256-bit random token; the
-- token itself is only in the client's hands (page and email). A
-- reschedule keeps the booking's id, so an old link finds the booking as
-- it is now.
CREATE TABLE booking_links (
    business_id  uuid    NOT NULL,
    token_hash   bytea   NOT NULL,
    booking_id   uuid    NOT NULL,
    created_at   bigint  NOT NULL,
    PRIMARY KEY (business_id, token_hash),
    FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) ON DELETE CASCADE
);
CREATE INDEX booking_links_of_booking ON booking_links (business_id, booking_id);

-- What the client typed on the site that differs from the stored profile,
-- kept on the booking for staff (never written over the profile). JSON: an
-- object of field → typed value, as ficha_store::booking_site::Entered.
CREATE TABLE booking_entered_data (
    business_id  uuid    NOT NULL,
    booking_id   uuid    NOT NULL,
    data         jsonb   NOT NULL,
    PRIMARY KEY (business_id, booking_id),
    FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) ON DELETE CASCADE
);
