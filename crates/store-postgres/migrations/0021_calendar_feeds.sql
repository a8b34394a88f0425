-- Calendar feeds (issue 13): private iCalendar subscription URLs of a staff
-- member's bookings, one per device, each with the label its owner typed.
-- The same schema as the SQLite migration of this name; timestamps are UTC
-- microseconds as everywhere.
--
-- The URL's token is the credential; only its SHA-256 is kept. A calendar
-- app asks with the token alone, before the business is known, so the
-- lookup has its own plain index on the hash, as sessions and api_tokens
-- (0020): a unique key cannot span shards, and a 256-bit random secret does
-- not repeat; the unique key that holds is (business_id, token_hash). The
-- primary key and the foreign key lead with business_id like every table of
-- a business's data, so the table shards with its staff. Revoking deletes
-- the row, and so does deleting the staff member (cascade).
CREATE TABLE calendar_feeds (
    business_id   uuid    NOT NULL,
    id            uuid    NOT NULL,
    staff_id      uuid    NOT NULL,
    label         text    NOT NULL,
    token_hash    bytea   NOT NULL,
    created_at    bigint  NOT NULL,
    -- written at most once a minute, when the feed is read
    last_used_at  bigint,
    PRIMARY KEY (business_id, id),
    UNIQUE (business_id, token_hash),
    FOREIGN KEY (business_id, staff_id) REFERENCES staff (business_id, id) ON DELETE CASCADE
);
-- The feed's request: found by the hash alone.
CREATE INDEX calendar_feeds_by_hash ON calendar_feeds (token_hash);
-- A staff member's feeds, oldest first.
CREATE INDEX calendar_feeds_by_staff ON calendar_feeds (business_id, staff_id, created_at);

-- What a business's feeds say about clients; no row = initials only.
CREATE TABLE calendar_feed_settings (
    business_id  uuid    NOT NULL PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    full_names   boolean NOT NULL
);
