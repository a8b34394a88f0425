-- "Otros datos": the fields each business defines for its clients, and each
-- client's values of them. The same schema as the SQLite migration of this
-- name; conventions as in 0001 (uuid ids, bigint microseconds, business_id
-- first in every index that serves a query, unique constraints named).

CREATE TABLE custom_fields (
    id                 uuid     PRIMARY KEY,
    business_id        uuid     NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    -- what integrators name it: lower-case letters, digits, underscores
    key                text     NOT NULL,
    label              text     NOT NULL,
    kind               text     NOT NULL CHECK (kind IN
                           ('text', 'long_text', 'number', 'date', 'yes_no', 'single_choice', 'multi_choice')),
    -- JSON array of the option labels, in the order offered; '[]' unless a
    -- choice kind. Text, not jsonb: it is only ever read whole, as on SQLite.
    options            text     NOT NULL DEFAULT '[]',
    required           boolean  NOT NULL,
    -- asked on the booking site
    in_booking_form    boolean  NOT NULL,
    -- shown to the client in Mi cuenta
    visible_to_client  boolean  NOT NULL,
    -- shown by position, then by id (creation order)
    position           integer  NOT NULL,
    -- set when the owner removed a field that has values: the values stay
    -- and come back with their clients, new ones are refused
    archived_at        bigint,
    created_at         bigint   NOT NULL,
    -- an archived field keeps its key (StoreError::FieldKeyTaken)
    CONSTRAINT custom_fields_key UNIQUE (business_id, key)
);

-- One row per client and field that has a value; no value, no row.
CREATE TABLE client_custom_values (
    client_id    uuid  NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    -- no cascade: a field with values is archived, never deleted
    field_id     uuid  NOT NULL REFERENCES custom_fields (id),
    business_id  uuid  NOT NULL,
    -- canonical text: text as saved, canonical number (3.5), ISO date,
    -- true/false, the option's label; a JSON array of labels for multi_choice
    value        text  NOT NULL,
    -- the words search finds the client by through this value (the field's
    -- label for a "yes", '' for a "no"); read by the search index
    search_text  text  NOT NULL,
    PRIMARY KEY (client_id, field_id)
);
-- Whether a field has values (archive or delete) and which options they hold;
-- PostgreSQL does not index the referencing side of a foreign key by itself.
CREATE INDEX client_custom_values_by_field ON client_custom_values (field_id);
