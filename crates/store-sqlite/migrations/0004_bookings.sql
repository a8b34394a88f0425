-- Services, agendas and bookings. The same schema as the PostgreSQL
-- migration of this name; conventions as in 0001 (UUIDv7 BLOB ids, INTEGER
-- microseconds UTC, business_id first in every index that serves a query).

CREATE TABLE services (
    id                BLOB    PRIMARY KEY,
    business_id       BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    name              TEXT    NOT NULL,
    -- folded name: what the list sorts by
    name_key          TEXT    NOT NULL,
    duration_minutes  INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 720),
    -- Chilean pesos have no cents
    price_clp         INTEGER NOT NULL CHECK (price_clp >= 0),
    -- 1, or the sessions of a pack
    sessions          INTEGER NOT NULL CHECK (sessions >= 1),
    created_at        INTEGER NOT NULL
);
CREATE INDEX services_by_name ON services (business_id, name_key, id);

-- Who performs which service.
CREATE TABLE service_staff (
    service_id  BLOB NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    staff_id    BLOB NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, staff_id)
);

-- One agenda per professional, read and written whole: weekly hours and
-- days off as JSON (see ficha_store::bookings::record::agenda_json).
CREATE TABLE agendas (
    staff_id     BLOB    PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    business_id  BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    hours        TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- Bookings, and the sessions of packs (those without a time are "por
-- reservar"). Deleting a client deletes its bookings, which frees their
-- professionals' time.
CREATE TABLE bookings (
    id           BLOB    PRIMARY KEY,
    business_id  BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    client_id    BLOB    NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    service_id   BLOB    NOT NULL REFERENCES services (id),
    -- NULL together with the times: a pack session not yet scheduled
    staff_id     BLOB    REFERENCES staff (id),
    starts_at    INTEGER,
    ends_at      INTEGER,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'confirmed', 'cancelled')),
    attendance   TEXT    NOT NULL CHECK (attendance IN ('unknown', 'attended', 'no_show')),
    origin       TEXT    NOT NULL CHECK (origin IN ('panel', 'booking_site')),
    -- all three or none: the payment
    paid_amount  INTEGER CHECK (paid_amount > 0),
    paid_method  TEXT,
    paid_on      TEXT,            -- YYYY-MM-DD, the business's date
    -- the staff member who booked; NULL for API tokens, the system, the site
    created_by   BLOB,
    created_at   INTEGER NOT NULL,
    -- the pack purchase this session belongs to, its number and the size
    pack_id      BLOB,
    pack_number  INTEGER,
    pack_size    INTEGER,
    CHECK ((starts_at IS NULL) = (ends_at IS NULL) AND (starts_at IS NULL) = (staff_id IS NULL)),
    CHECK (ends_at > starts_at)
);
-- The profile: a client's bookings by time (pages, stats, next appointment).
CREATE INDEX bookings_by_client ON bookings (business_id, client_id, starts_at, id);
-- Overlap checks and one professional's calendar.
CREATE INDEX bookings_by_staff ON bookings (business_id, staff_id, starts_at);
-- The calendar of all professionals.
CREATE INDEX bookings_by_start ON bookings (business_id, starts_at);
