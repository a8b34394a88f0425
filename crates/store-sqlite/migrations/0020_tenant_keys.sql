-- Tenant keys (issue 15), as far as they cost nothing on SQLite. The
-- PostgreSQL migration of this name makes business_id lead every key of a
-- business's data so a distributed PostgreSQL can shard by business; an
-- embedded SQLite is never sharded, so here the goal is only that the two
-- schemas stay parallel where the store's code must be alike.
--
-- Done here, as on PostgreSQL:
-- * sessions and service_staff gain business_id (from their staff member
--   and service), and with agendas are keyed and referenced by
--   (business_id, …). They are small tables nothing refers to, so they are
--   rebuilt, which is SQLite's only way to change a key.
-- * staff, services and custom_fields become referable by (business_id, id)
--   through a unique index, as clients (0009) and bookings (0010) did.
--
-- Not done here (docs/scale-out.md, "SQLite"): clients, bookings,
-- custom_fields, services, staff, api_tokens, client_custom_values,
-- client_notes, client_history, client_deletions and attention_notes keep
-- their primary key on id, and their older foreign keys on the bare id.
-- Each of those tables already carries business_id and every query filters
-- on it; changing their keys means rebuilding the largest tables of the
-- file (and, for client_history, carrying its CHECK of every history kind
-- through the rebuild, as 0016 and 0017 had to), for no gain on one node.
-- client_search_pending keys the FTS5 index's integer rowid, which is
-- unique across businesses by nature. login_failures and request_counts are
-- global, as on PostgreSQL.

CREATE UNIQUE INDEX staff_business_id ON staff (business_id, id);
CREATE UNIQUE INDEX services_business_id ON services (business_id, id);
CREATE UNIQUE INDEX custom_fields_business_id ON custom_fields (business_id, id);

-- Staff sessions: found by the hash alone (the cookie names no business),
-- ended per staff member (a password reset) and with the account.
CREATE TABLE sessions_new (
    business_id  BLOB    NOT NULL,
    token_hash   BLOB    NOT NULL,
    staff_id     BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (business_id, token_hash),
    FOREIGN KEY (business_id, staff_id) REFERENCES staff (business_id, id) ON DELETE CASCADE
);
INSERT INTO sessions_new (business_id, token_hash, staff_id, created_at, expires_at)
SELECT s.business_id, x.token_hash, x.staff_id, x.created_at, x.expires_at
FROM sessions x JOIN staff s ON s.id = x.staff_id;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_by_hash ON sessions (token_hash);
CREATE INDEX sessions_by_staff ON sessions (business_id, staff_id);

-- Who performs which service.
CREATE TABLE service_staff_new (
    business_id  BLOB NOT NULL,
    service_id   BLOB NOT NULL,
    staff_id     BLOB NOT NULL,
    PRIMARY KEY (business_id, service_id, staff_id),
    FOREIGN KEY (business_id, service_id) REFERENCES services (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, staff_id) REFERENCES staff (business_id, id) ON DELETE CASCADE
);
INSERT INTO service_staff_new (business_id, service_id, staff_id)
SELECT s.business_id, ss.service_id, ss.staff_id
FROM service_staff ss JOIN services s ON s.id = ss.service_id;
DROP TABLE service_staff;
ALTER TABLE service_staff_new RENAME TO service_staff;

-- One agenda per professional (see 0004).
CREATE TABLE agendas_new (
    business_id  BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    staff_id     BLOB    NOT NULL,
    hours        TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (business_id, staff_id),
    FOREIGN KEY (business_id, staff_id) REFERENCES staff (business_id, id) ON DELETE CASCADE
);
INSERT INTO agendas_new (business_id, staff_id, hours, updated_at)
SELECT business_id, staff_id, hours, updated_at FROM agendas;
DROP TABLE agendas;
ALTER TABLE agendas_new RENAME TO agendas;
