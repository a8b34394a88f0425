-- "Otros datos": the fields each business defines for its clients, and each
-- client's values of them. The same schema as the PostgreSQL migration of
-- this name; conventions as in 0001 (UUIDv7 BLOB ids, INTEGER microseconds,
-- business_id first in every index that serves a query).

CREATE TABLE custom_fields (
    id                 BLOB    PRIMARY KEY,
    business_id        BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    -- what integrators name it: lower-case letters, digits, underscores
    key                TEXT    NOT NULL,
    label              TEXT    NOT NULL,
    kind               TEXT    NOT NULL CHECK (kind IN
                           ('text', 'long_text', 'number', 'date', 'yes_no', 'single_choice', 'multi_choice')),
    -- JSON array of the option labels, in the order offered; '[]' unless a
    -- choice kind
    options            TEXT    NOT NULL DEFAULT '[]',
    required           INTEGER NOT NULL CHECK (required IN (0, 1)),
    -- asked on the booking site
    in_booking_form    INTEGER NOT NULL CHECK (in_booking_form IN (0, 1)),
    -- shown to the client in Mi cuenta
    visible_to_client  INTEGER NOT NULL CHECK (visible_to_client IN (0, 1)),
    -- shown by position, then by id (creation order)
    position           INTEGER NOT NULL,
    -- set when the owner removed a field that has values: the values stay
    -- and come back with their clients, new ones are refused
    archived_at        INTEGER,
    created_at         INTEGER NOT NULL,
    -- an archived field keeps its key
    UNIQUE (business_id, key)
);

-- One row per client and field that has a value; no value, no row.
CREATE TABLE client_custom_values (
    client_id    BLOB NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    -- no cascade: a field with values is archived, never deleted
    field_id     BLOB NOT NULL REFERENCES custom_fields (id),
    business_id  BLOB NOT NULL,
    -- canonical text: text as saved, canonical number (3.5), ISO date,
    -- true/false, the option's label; a JSON array of labels for multi_choice
    value        TEXT NOT NULL,
    -- the words search finds the client by through this value (the field's
    -- label for a "yes", '' for a "no"); read by the search index
    search_text  TEXT NOT NULL,
    PRIMARY KEY (client_id, field_id)
);
-- Whether a field has values (archive or delete) and which options they hold.
CREATE INDEX client_custom_values_by_field ON client_custom_values (field_id);
