-- Who may merge profiles (issue 13, item 2: "owners, or professionals if
-- the business allows"). The same schema as the PostgreSQL migration of
-- this name. No row = owners only, the default; the setting also governs
-- dismissing a suggested duplicate pair ("No es duplicado"). Undoing a
-- merge stays the owners' whatever it says, so it has no column here.
CREATE TABLE merge_settings (
    business_id             BLOB    NOT NULL PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    professionals_may_merge INTEGER NOT NULL CHECK (professionals_may_merge IN (0, 1))
);
