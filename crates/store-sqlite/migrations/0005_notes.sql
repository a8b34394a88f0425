-- General notes on clients, each client's history (audit trail), and the
-- anonymous trace a deleted client leaves. The same schema as the PostgreSQL
-- migration of this name; conventions as in 0001.
--
-- "Who" is stored as a kind ('staff', 'integration' for an API token,
-- 'system' for command-line tools) and, for staff, the account; the name is
-- joined in when read.

CREATE TABLE client_notes (
    id           BLOB    PRIMARY KEY,
    business_id  BLOB    NOT NULL,
    -- a client's notes go with it
    client_id    BLOB    NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    -- as typed (trimmed), up to 5000 characters
    text         TEXT    NOT NULL,
    author_kind  TEXT    NOT NULL CHECK (author_kind IN ('staff', 'integration', 'system')),
    author_id    BLOB    REFERENCES staff (id),
    created_at   INTEGER NOT NULL,
    edited_at    INTEGER,
    CHECK ((author_kind = 'staff') = (author_id IS NOT NULL))
);
-- A client's notes, newest first.
CREATE INDEX client_notes_by_client ON client_notes (business_id, client_id, created_at, id);
-- What deleting a client looks its notes up by (the foreign key's cascade).
CREATE INDEX client_notes_of_client ON client_notes (client_id);

-- One row per change; written in the transaction of the change itself.
CREATE TABLE client_history (
    id           BLOB    PRIMARY KEY,
    business_id  BLOB    NOT NULL,
    -- a client's history goes with it (client_deletions keeps the trace)
    client_id    BLOB    NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    who_kind     TEXT    NOT NULL CHECK (who_kind IN ('staff', 'integration', 'system')),
    who_id       BLOB    REFERENCES staff (id),
    -- field: subject is the field's API name; custom_value: the field's
    -- label then; note_*: the note's id
    change       TEXT    NOT NULL
                 CHECK (change IN ('field', 'custom_value', 'note_added', 'note_edited', 'note_deleted')),
    subject      TEXT    NOT NULL,
    old_value    TEXT,
    new_value    TEXT,
    CHECK ((who_kind = 'staff') = (who_id IS NOT NULL))
);
-- A client's history, newest first, paged by (at, id).
CREATE INDEX client_history_by_client ON client_history (business_id, client_id, at, id);
CREATE INDEX client_history_of_client ON client_history (client_id);

-- That a client was deleted, by whom and when: nothing about the client.
CREATE TABLE client_deletions (
    id           BLOB    PRIMARY KEY,
    business_id  BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    who_kind     TEXT    NOT NULL CHECK (who_kind IN ('staff', 'integration', 'system')),
    who_id       BLOB    REFERENCES staff (id),
    CHECK ((who_kind = 'staff') = (who_id IS NOT NULL))
);
CREATE INDEX client_deletions_by_business ON client_deletions (business_id, at, id);
