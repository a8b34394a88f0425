-- The client registry: businesses (tenants), their staff, logins, API tokens
-- and clients. The same schema as the SQLite backend's migration of this name.
--
-- Conventions for every table of this backend:
-- * ids are UUIDv7 stored as uuid;
-- * timestamps are bigint microseconds since the Unix epoch, UTC, exactly as on
--   SQLite, so both backends share one conversion and one cursor format;
-- * every row of a business's data carries business_id, and every index that
--   serves a query starts with it: queries are always scoped by business.
--
-- Unique constraints are named explicitly: the store tells which one a write
-- violated by its name (StoreError::SlugTaken, StaffEmailTaken, EmailTaken).

CREATE TABLE businesses (
    id          uuid    PRIMARY KEY,
    slug        text    NOT NULL CONSTRAINT businesses_slug UNIQUE,
    name        text    NOT NULL,
    time_zone   text    NOT NULL,
    created_at  bigint  NOT NULL
);

CREATE TABLE staff (
    id             uuid    PRIMARY KEY,
    business_id    uuid    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    name           text    NOT NULL,
    email          text    NOT NULL,
    -- lower-cased email: what logins and uniqueness compare
    email_key      text    NOT NULL,
    role           text    NOT NULL CHECK (role IN ('owner', 'professional')),
    password_hash  text    NOT NULL,
    created_at     bigint  NOT NULL,
    CONSTRAINT staff_email UNIQUE (business_id, email_key)
);

-- Login sessions of staff. Only a hash of the cookie's secret is kept.
CREATE TABLE sessions (
    token_hash  bytea   PRIMARY KEY,
    staff_id    uuid    NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at  bigint  NOT NULL,
    expires_at  bigint  NOT NULL
);
-- PostgreSQL does not index the referencing side of a foreign key by itself;
-- this one makes deleting a staff account (and its cascade) cheap.
CREATE INDEX sessions_by_staff ON sessions (staff_id);

-- Integrators' tokens, one business each. Only a hash of the secret is kept.
CREATE TABLE api_tokens (
    id            uuid    PRIMARY KEY,
    business_id   uuid    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    name          text    NOT NULL,
    token_hash    bytea   NOT NULL CONSTRAINT api_tokens_hash UNIQUE,
    created_at    bigint  NOT NULL,
    last_used_at  bigint
);
CREATE INDEX api_tokens_by_business ON api_tokens (business_id);

CREATE TABLE clients (
    id               uuid    PRIMARY KEY,
    business_id      uuid    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    name             text    NOT NULL,
    -- folded name (lower case, no accents): what the name sort compares.
    -- Collation "C" compares it byte-wise like SQLite, whatever the database's
    -- locale: the first page of a descending sort starts after U+10FFFF, which
    -- only works if that sorts after every name (see ListQuery::start).
    name_key         text    COLLATE "C" NOT NULL,
    email            text    NOT NULL,
    -- lower-cased email: the client's identity inside the business
    email_key        text    NOT NULL,
    phone            text,            -- E.164
    rut              text,            -- canonical 12345678-5
    birth_date       date,
    last_booking_at  bigint,          -- maintained by bookings
    registered_at    bigint  NOT NULL,
    version          bigint  NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX clients_email ON clients (business_id, email_key);
-- One index per sort of the client list, each ending in id for keyset paging.
CREATE INDEX clients_by_name ON clients (business_id, name_key, id);
CREATE INDEX clients_by_registered ON clients (business_id, registered_at, id);
-- Never-booked clients sort as booking time 0; the expression must match the
-- queries' exactly for the planner to use it.
CREATE INDEX clients_by_last_booking ON clients (business_id, coalesce(last_booking_at, 0), id);
