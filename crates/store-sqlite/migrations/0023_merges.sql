-- Merging two profiles of one person (issue 13). The same schema as the
-- PostgreSQL migration of this name, which explains it; SQLite has no SQL
-- functions, so the one email lookup lives in the store (merges.rs,
-- CLIENT_BY_EMAIL_KEY).
CREATE TABLE client_merges (
    business_id  BLOB    NOT NULL,
    id           BLOB    NOT NULL,
    survivor_id  BLOB    NOT NULL,
    absorbed_id  BLOB    NOT NULL,
    merged_at    INTEGER NOT NULL,
    who_kind     TEXT    NOT NULL CHECK (who_kind IN ('staff', 'integration', 'system', 'client')),
    who_id       BLOB,
    undone_at    INTEGER,
    record       TEXT    NOT NULL,
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, survivor_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, who_id) REFERENCES staff (business_id, id),
    CHECK ((who_kind = 'staff') = (who_id IS NOT NULL))
);
CREATE INDEX client_merges_by_survivor ON client_merges (business_id, survivor_id, merged_at);
CREATE INDEX client_merges_by_absorbed ON client_merges (business_id, absorbed_id, merged_at);

CREATE TABLE client_email_aliases (
    business_id  BLOB  NOT NULL,
    email_key    TEXT  NOT NULL,
    client_id    BLOB  NOT NULL,
    merge_id     BLOB  NOT NULL,
    PRIMARY KEY (business_id, email_key),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, merge_id) REFERENCES client_merges (business_id, id) ON DELETE CASCADE
);
CREATE INDEX client_email_aliases_of_client ON client_email_aliases (business_id, client_id);
CREATE INDEX client_email_aliases_of_merge ON client_email_aliases (business_id, merge_id);

-- The history learns client_merged and merge_undone entries. SQLite cannot
-- change a CHECK in place, so the table is rebuilt as 0017 left it plus the
-- two kinds (nothing refers to it) — and, since it is rebuilt anyway, keyed
-- by business like PostgreSQL's since 0020: (business_id, id), its client
-- and staff member referenced with the business.
CREATE TABLE client_history_new (
    id           BLOB    NOT NULL,
    business_id  BLOB    NOT NULL,
    client_id    BLOB    NOT NULL,
    at           INTEGER NOT NULL,
    who_kind     TEXT    NOT NULL CHECK (who_kind IN ('staff', 'integration', 'system', 'client')),
    who_id       BLOB,
    change       TEXT    NOT NULL CHECK (change IN ('field', 'custom_value', 'note_added', 'note_edited',
                 'note_deleted', 'booking_created', 'booking_rescheduled', 'booking_confirmed',
                 'booking_cancelled', 'booking_attendance', 'booking_payment', 'attention_note_added',
                 'attention_note_edited', 'attention_note_deleted', 'notification_preferences',
                 'data_request', 'client_blocked', 'client_unblocked', 'client_merged', 'merge_undone')),
    subject      TEXT    NOT NULL,
    old_value    TEXT,
    new_value    TEXT,
    booking_id   BLOB,
    visibility   TEXT    CHECK (visibility IN ('private', 'shared')),
    CHECK ((who_kind = 'staff') = (who_id IS NOT NULL)),
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, who_id) REFERENCES staff (business_id, id)
);
INSERT INTO client_history_new
    (id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value, booking_id, visibility)
    SELECT id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value, booking_id,
           visibility
    FROM client_history;
DROP TABLE client_history;
ALTER TABLE client_history_new RENAME TO client_history;
CREATE INDEX client_history_by_client ON client_history (business_id, client_id, at, id);
