-- Failed staff logins in a row, per business slug and email as typed, so the
-- growing delay after repeated failures holds across every app instance.
-- The same schema as the SQLite backend's migration of this name.
--
-- Keyed by the typed slug, not a business id, on purpose: attempts against a
-- business or an email that does not exist are counted the same way, and the
-- delays reveal nothing. A successful login deletes its row.
CREATE TABLE login_failures (
    business_slug   text    NOT NULL,
    email_key       text    NOT NULL,
    failures        integer NOT NULL,
    -- UTC microseconds of the latest failure
    last_failure_at bigint  NOT NULL,
    PRIMARY KEY (business_slug, email_key)
);
