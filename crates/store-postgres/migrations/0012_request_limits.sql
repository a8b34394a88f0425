-- Requests counted per key in fixed windows: the booking site's limits on
-- bookings and sign-in requests, per client address and per email, held
-- across every app instance. The same schema as the SQLite migration
-- of this name.
--
-- Not a business's data: the subject is a SHA-256 of what is counted
-- (an address, an email), so the table holds nothing personal, and a
-- request is counted before (or without) knowing a business. Windows that
-- ended a day ago are deleted as new ones start.
CREATE TABLE request_counts (
    scope         text    NOT NULL,
    subject       text    NOT NULL,
    -- UTC microseconds where the window starts
    window_start  bigint  NOT NULL,
    hits          bigint  NOT NULL,
    PRIMARY KEY (scope, subject, window_start)
);
CREATE INDEX request_counts_by_age ON request_counts (window_start);
