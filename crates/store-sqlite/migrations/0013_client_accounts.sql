-- Mi cuenta: the client's own sign-in, sessions, email change and optional
-- password, each keyed by the business. The same schema as the PostgreSQL
-- migration of this name. Secrets are stored only as SHA-256 hashes (of a
-- 256-bit random token, or of the sign-in id and its 6-digit code), so a
-- database dump opens nobody's account.

-- One sign-in request: a code and a link, short-lived, single use, and
-- dead after a few wrong codes.
CREATE TABLE client_sign_ins (
    business_id  BLOB    NOT NULL,
    id           BLOB    NOT NULL,
    client_id    BLOB    NOT NULL,
    code_hash    BLOB    NOT NULL,
    link_hash    BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    -- wrong codes typed so far
    attempts     INTEGER NOT NULL DEFAULT 0,
    used_at      INTEGER,
    PRIMARY KEY (business_id, id),
    UNIQUE (business_id, link_hash),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);
CREATE INDEX client_sign_ins_of_client ON client_sign_ins (business_id, client_id);

-- A signed-in client: the cookie's secret, hashed.
CREATE TABLE client_sessions (
    business_id  BLOB    NOT NULL,
    token_hash   BLOB    NOT NULL,
    client_id    BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (business_id, token_hash),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);
CREATE INDEX client_sessions_of_client ON client_sessions (business_id, client_id);

-- An email change waiting for its verification at the new address.
CREATE TABLE client_email_changes (
    business_id  BLOB    NOT NULL,
    token_hash   BLOB    NOT NULL,
    client_id    BLOB    NOT NULL,
    new_email    TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER,
    PRIMARY KEY (business_id, token_hash),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);
CREATE INDEX client_email_changes_of_client ON client_email_changes (business_id, client_id);

-- The password a client may set (argon2id PHC string); none by default.
CREATE TABLE client_passwords (
    business_id    BLOB    NOT NULL,
    client_id      BLOB    NOT NULL,
    password_hash  TEXT    NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (business_id, client_id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);

-- The history learns who_kind 'client': a change the client made from Mi
-- cuenta (who_id stays empty: it is the profile's own client). SQLite
-- cannot change a CHECK in place, so the table is rebuilt (nothing refers
-- to it).
CREATE TABLE client_history_new (
    id           BLOB    PRIMARY KEY,
    business_id  BLOB    NOT NULL,
    client_id    BLOB    NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    who_kind     TEXT    NOT NULL CHECK (who_kind IN ('staff', 'integration', 'system', 'client')),
    who_id       BLOB    REFERENCES staff (id),
    change       TEXT    NOT NULL CHECK (change IN ('field', 'custom_value', 'note_added', 'note_edited',
                 'note_deleted', 'booking_created', 'booking_rescheduled', 'booking_confirmed',
                 'booking_cancelled', 'booking_attendance', 'booking_payment', 'attention_note_added',
                 'attention_note_edited', 'attention_note_deleted', 'notification_preferences')),
    subject      TEXT    NOT NULL,
    old_value    TEXT,
    new_value    TEXT,
    booking_id   BLOB,
    visibility   TEXT    CHECK (visibility IN ('private', 'shared')),
    CHECK ((who_kind = 'staff') = (who_id IS NOT NULL))
);
INSERT INTO client_history_new
    (id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value, booking_id, visibility)
    SELECT id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value, booking_id,
           visibility
    FROM client_history;
DROP TABLE client_history;
ALTER TABLE client_history_new RENAME TO client_history;
CREATE INDEX client_history_by_client ON client_history (business_id, client_id, at, id);
CREATE INDEX client_history_of_client ON client_history (client_id);
