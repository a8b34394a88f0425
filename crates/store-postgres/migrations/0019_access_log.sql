-- Who looked at a client's profile (Ley 21.719): one row per staff read of a
-- profile, its notes, its history or its data file, and of this log itself.
-- The same schema as the SQLite migration of this name; timestamps are
-- UTC microseconds as everywhere.
--
-- Written on the request's own connection by one INSERT … SELECT that also
-- copies the staff member's name: the log says who they were then, and no
-- staff row is ever needed to read it back (hence no foreign key to staff).
CREATE TABLE client_access_log (
    business_id  uuid    NOT NULL,
    id           uuid    NOT NULL,
    client_id    uuid    NOT NULL,
    at           bigint  NOT NULL,
    -- 'staff' (with account and name), 'integration' (an API token),
    -- 'system' (command-line tools); a client's own reads are not logged
    who_kind     text    NOT NULL CHECK (who_kind IN ('staff', 'integration', 'system')),
    who_id       uuid,
    who_name     text,
    kind         text    NOT NULL CHECK (kind IN
                 ('profile', 'notes', 'attention_notes', 'history', 'data_file', 'access_log')),
    PRIMARY KEY (business_id, id),
    -- the log of a deleted client goes with it (client_deletions keeps the
    -- anonymous trace), like its history
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    CHECK ((who_kind = 'staff') = (who_id IS NOT NULL AND who_name IS NOT NULL))
);
-- A client's log, newest first, paged by (at, id); also the cascade's lookup.
CREATE INDEX client_access_log_by_client ON client_access_log (business_id, client_id, at, id);
-- The pruning: a business's entries older than a cutoff.
CREATE INDEX client_access_log_by_age ON client_access_log (business_id, at);

-- How long a business keeps its access log; no row = two years.
CREATE TABLE access_log_settings (
    business_id     uuid    NOT NULL PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    retention_days  integer NOT NULL CHECK (retention_days BETWEEN 30 AND 3653)
);
