-- Data-subject requests (Ley 21.719): the register of what people asked the
-- business about their data, when it falls due and how it was answered;
-- the due-days setting; and the privacy page's email codes. The same schema
-- as the PostgreSQL migration of this name.

-- Days a business gives itself to answer (no row: 30, the legal maximum).
CREATE TABLE data_request_settings (
    business_id  BLOB      PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    due_days     INTEGER   NOT NULL CHECK (due_days BETWEEN 1 AND 30)
);

-- One request. client_id has no foreign key on purpose: the register is
-- the proof of what was done, so a request outlives the profile it may
-- have erased ("supresión"); reads join the profile and treat a missing
-- one as no profile. email is who is answered (the profile's, or the
-- address confirmed on the privacy page).
CREATE TABLE data_requests (
    business_id       BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    id                BLOB    NOT NULL,
    client_id         BLOB,
    email             TEXT    NOT NULL,
    data_right        TEXT    NOT NULL CHECK (data_right IN ('access', 'rectification', 'erasure',
                      'opposition', 'portability', 'blocking')),
    channel           TEXT    NOT NULL CHECK (channel IN ('account', 'privacy_page', 'email', 'phone',
                      'in_person')),
    detail            TEXT,
    received_at       INTEGER NOT NULL,
    -- the day of receipt in the business's zone, and the due date from it
    -- (YYYY-MM-DD)
    received_on       TEXT    NOT NULL,
    due_on            TEXT    NOT NULL,
    -- the one extension: all three or none
    extension_reason  TEXT,
    previous_due_on   TEXT,
    extended_at       INTEGER,
    status            TEXT    NOT NULL CHECK (status IN ('received', 'in_progress', 'answered', 'refused')),
    response          TEXT,
    action_taken      TEXT,
    closed_at         INTEGER,
    PRIMARY KEY (business_id, id),
    CHECK ((extension_reason IS NULL) = (previous_due_on IS NULL)
           AND (extension_reason IS NULL) = (extended_at IS NULL))
);
-- The open ones by due date: the list's first part and the header's flag.
CREATE INDEX data_requests_open ON data_requests (business_id, due_on)
    WHERE status IN ('received', 'in_progress');
-- A client's own (Mi cuenta), newest first.
CREATE INDEX data_requests_of_client ON data_requests (business_id, client_id, received_at);
-- The whole register, newest first.
CREATE INDEX data_requests_by_receipt ON data_requests (business_id, received_at);

-- A privacy-page request waiting for the 6-digit code sent to its email:
-- the code only as SHA-256 bound to the row's id, 15 minutes, single use,
-- dead after 5 wrong codes.
CREATE TABLE data_request_codes (
    business_id  BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    id           BLOB    NOT NULL,
    email        TEXT    NOT NULL,
    data_right   TEXT    NOT NULL,
    detail       TEXT,
    code_hash    BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    used_at      INTEGER,
    PRIMARY KEY (business_id, id)
);

-- The history learns data_request entries (subject the request's id, old
-- the right, new what happened as JSON). SQLite cannot change a CHECK in
-- place, so the table is rebuilt as in 0013 (nothing refers to it).
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
                 'attention_note_edited', 'attention_note_deleted', 'notification_preferences',
                 'data_request')),
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
