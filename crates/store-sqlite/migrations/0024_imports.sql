-- Client imports (issue 13, item 4): one row per file imported, and one row
-- per line of it that wrote something or was refused, so that the batch can
-- be reported and undone. The same schema as the PostgreSQL migration of
-- this name; timestamps are UTC microseconds as everywhere.
--
-- A batch is `staged` while the panel holds its file between the upload and
-- the import (the file is in the row, so any instance can run the import),
-- `running` while its rows are written (`processed` and the counts grow
-- with each committed chunk: the progress bar), then `done` or `failed`
-- (a failed batch keeps the chunks it committed, and can be undone), and
-- `undone`. The file is forgotten once the import starts.
CREATE TABLE import_batches (
    business_id   BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    id            BLOB    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('staged', 'running', 'done', 'failed', 'undone')),
    -- what to do with a line whose email is a client's already
    existing      TEXT    NOT NULL CHECK (existing IN ('update', 'skip')),
    file_name     TEXT    NOT NULL,
    file          BLOB,
    -- the panel's column choices, JSON (only while staged)
    mapping       TEXT,
    total_rows    INTEGER NOT NULL DEFAULT 0,
    created       INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    skipped       INTEGER NOT NULL DEFAULT 0,
    refused       INTEGER NOT NULL DEFAULT 0,
    -- who imported; no foreign key: the batch outlives a deleted account
    staff_id      BLOB,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    undone_at     INTEGER,
    failure       TEXT,
    PRIMARY KEY (business_id, id)
);
CREATE INDEX import_batches_by_time ON import_batches (business_id, started_at);

-- The lines of a batch that changed a profile (what undo reverts) or were
-- refused (what the report lists). `client_id` has no foreign key: a
-- profile deleted since leaves its line, which undo then reports.
-- `version_after` is the profile's version right after the import wrote
-- it: a different version at undo time means someone changed it since.
-- `previous` (updated lines) is the profile's general data and the custom
-- values the line changed, as they were before; `problems` (refused lines)
-- each column's error.
CREATE TABLE import_rows (
    business_id    BLOB    NOT NULL,
    import_id      BLOB    NOT NULL,
    line           INTEGER NOT NULL,
    outcome        TEXT    NOT NULL CHECK (outcome IN ('created', 'updated', 'refused', 'blocked')),
    client_id      BLOB,
    version_after  INTEGER,
    previous       TEXT,
    problems       TEXT,
    PRIMARY KEY (business_id, import_id, line),
    FOREIGN KEY (business_id, import_id) REFERENCES import_batches (business_id, id) ON DELETE CASCADE
);
