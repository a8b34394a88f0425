-- Failed staff logins in a row, per business slug and email as typed, so the
-- growing delay after repeated failures holds across every app instance.
--
-- Keyed by the typed slug, not a business id, on purpose: attempts against a
-- business or an email that does not exist are counted the same way, and the
-- delays reveal nothing. A successful login deletes its row.
CREATE TABLE login_failures (
    business_slug   TEXT    NOT NULL,
    email_key       TEXT    NOT NULL,
    failures        INTEGER NOT NULL,
    -- UTC microseconds of the latest failure
    last_failure_at INTEGER NOT NULL,
    PRIMARY KEY (business_slug, email_key)
);
