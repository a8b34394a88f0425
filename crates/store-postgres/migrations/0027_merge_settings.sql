-- Who may merge profiles (issue 13, item 2: "owners, or professionals if
-- the business allows"). The same schema as the SQLite migration of this
-- name. No row = owners only, the default; the setting also governs
-- dismissing a suggested duplicate pair ("No es duplicado"). Undoing a
-- merge stays the owners' whatever it says, so it has no column here.
-- Keyed by business_id like every business's setting (it shards with its
-- business; businesses is a reference table).
CREATE TABLE merge_settings (
    business_id             uuid    NOT NULL PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    professionals_may_merge boolean NOT NULL
);
