-- Calendar feeds (issue 13): private iCalendar subscription URLs of a staff
-- member's bookings, one per device, each with the label its owner typed.
-- The same schema as the PostgreSQL migration of this name; timestamps are
-- UTC microseconds as everywhere.
--
-- The URL's token is the credential; only its SHA-256 is kept. A calendar
-- app asks with the token alone, before the business is known, so the
-- lookup has its own index on the hash (as sessions and api_tokens, 0020);
-- the key and the foreign key lead with business_id like every table of a
-- business's data. Revoking deletes the row, and so does deleting the
-- staff member (cascade).
CREATE TABLE calendar_feeds (
    business_id   BLOB    NOT NULL,
    id            BLOB    NOT NULL,
    staff_id      BLOB    NOT NULL,
    label         TEXT    NOT NULL,
    token_hash    BLOB    NOT NULL,
    created_at    INTEGER NOT NULL,
    -- written at most once a minute, when the feed is read
    last_used_at  INTEGER,
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
    business_id  BLOB    NOT NULL PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    full_names   INTEGER NOT NULL CHECK (full_names IN (0, 1))
);
