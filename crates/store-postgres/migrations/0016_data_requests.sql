-- Data-subject requests (Ley 21.719): the register of what people asked the
-- business about their data, when it falls due and how it was answered;
-- the due-days setting; and the privacy page's email codes. The same schema
-- as the SQLite migration of this name.

-- Days a business gives itself to answer (no row: 30, the legal maximum).
CREATE TABLE data_request_settings (
    business_id  uuid      PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    due_days     smallint  NOT NULL CHECK (due_days BETWEEN 1 AND 30)
);

-- One request. client_id has no foreign key on purpose: the register is
-- the proof of what was done, so a request outlives the profile it may
-- have erased ("supresión"); reads join the profile and treat a missing
-- one as no profile. email is who is answered (the profile's, or the
-- address confirmed on the privacy page).
CREATE TABLE data_requests (
    business_id       uuid    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    id                uuid    NOT NULL,
    client_id         uuid,
    email             text    NOT NULL,
    data_right        text    NOT NULL CHECK (data_right IN ('access', 'rectification', 'erasure',
                      'opposition', 'portability', 'blocking')),
    channel           text    NOT NULL CHECK (channel IN ('account', 'privacy_page', 'email', 'phone',
                      'in_person')),
    detail            text,
    received_at       bigint  NOT NULL,
    -- the day of receipt in the business's zone, and the due date from it
    received_on       date    NOT NULL,
    due_on            date    NOT NULL,
    -- the one extension: all three or none
    extension_reason  text,
    previous_due_on   date,
    extended_at       bigint,
    status            text    NOT NULL CHECK (status IN ('received', 'in_progress', 'answered', 'refused')),
    response          text,
    action_taken      text,
    closed_at         bigint,
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
    business_id  uuid    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    id           uuid    NOT NULL,
    email        text    NOT NULL,
    data_right   text    NOT NULL,
    detail       text,
    code_hash    bytea   NOT NULL,
    created_at   bigint  NOT NULL,
    expires_at   bigint  NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    used_at      bigint,
    PRIMARY KEY (business_id, id)
);

-- The history learns data_request entries (subject the request's id, old
-- the right, new what happened as JSON).
ALTER TABLE client_history
    DROP CONSTRAINT client_history_change_check,
    ADD CONSTRAINT client_history_change_check CHECK (change IN ('field', 'custom_value', 'note_added',
        'note_edited', 'note_deleted', 'booking_created', 'booking_rescheduled', 'booking_confirmed',
        'booking_cancelled', 'booking_attendance', 'booking_payment', 'attention_note_added',
        'attention_note_edited', 'attention_note_deleted', 'notification_preferences', 'data_request'));
