-- The client registry: businesses (tenants), their staff, logins, API tokens
-- and clients.
--
-- Conventions for every table of this backend:
-- * ids are UUIDv7 stored as 16-byte BLOBs;
-- * timestamps are INTEGER microseconds since the Unix epoch, UTC;
-- * every row of a business's data carries business_id, and every index that
--   serves a query starts with it: queries are always scoped by business.

CREATE TABLE businesses (
    id          BLOB    PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    time_zone   TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE staff (
    id             BLOB    PRIMARY KEY,
    business_id    BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    email          TEXT    NOT NULL,
    -- lower-cased email: what logins and uniqueness compare
    email_key      TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('owner', 'professional')),
    password_hash  TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (business_id, email_key)
);

-- Login sessions of staff. Only a hash of the cookie's secret is kept.
CREATE TABLE sessions (
    token_hash  BLOB    PRIMARY KEY,
    staff_id    BLOB    NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_staff ON sessions (staff_id);

-- Integrators' tokens, one business each. Only a hash of the secret is kept.
CREATE TABLE api_tokens (
    id            BLOB    PRIMARY KEY,
    business_id   BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    token_hash    BLOB    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX api_tokens_by_business ON api_tokens (business_id);

-- Clients keep SQLite's integer rowid on purpose: full-text indexes key on it.
CREATE TABLE clients (
    id               BLOB    NOT NULL UNIQUE,
    business_id      BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    -- folded name (lower case, no accents): what the name sort compares
    name_key         TEXT    NOT NULL,
    email            TEXT    NOT NULL,
    -- lower-cased email: the client's identity inside the business
    email_key        TEXT    NOT NULL,
    phone            TEXT,            -- E.164
    rut              TEXT,            -- canonical 12345678-5
    birth_date       TEXT,            -- YYYY-MM-DD
    last_booking_at  INTEGER,         -- maintained by bookings
    registered_at    INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX clients_email ON clients (business_id, email_key);
-- One index per sort of the client list, each ending in id for keyset paging.
CREATE INDEX clients_by_name ON clients (business_id, name_key, id);
CREATE INDEX clients_by_registered ON clients (business_id, registered_at, id);
-- Never-booked clients sort as booking time 0; the expression must match the
-- queries' exactly for the planner to use it.
CREATE INDEX clients_by_last_booking ON clients (business_id, coalesce(last_booking_at, 0), id);
