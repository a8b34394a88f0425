-- Tenant keys (issue 15): every table of a business's data carries
-- business_id, and it leads the primary key, every unique constraint and
-- every foreign key between such tables. That is what a distributed
-- PostgreSQL (Citus) needs to shard the data by business with every table
-- colocated (docs/scale-out.md), and it makes a join across businesses
-- impossible to write by accident. Tables from 0009 on were born this way;
-- this migration brings the older ones in line, with their data.
--
-- Which tables are NOT a business's data (docs/scale-out.md says why for
-- each; crates/store-postgres/tests/catalog.rs holds the same list and
-- checks every other table):
-- * businesses: the tenants themselves. Every business table references it;
--   on Citus a reference table (a copy on every node).
-- * login_failures: keyed by the business slug AS TYPED on the login form,
--   so failures against a business that does not exist count the same way
--   (the delays reveal nothing). There is no business id to key by.
-- * request_counts: a SHA-256 of what is counted (an address, an email),
--   counted before, or without, knowing a business.
--
-- Staff sessions and API tokens are looked up by a token hash before the
-- business is known, yet they ARE keyed by business here: each belongs to
-- one business's staff member or integration, and deleting that account
-- must end them (a cascade, which on Citus needs colocation). The lookup by
-- hash keeps its own plain index (token_hash alone); on Citus it is the one
-- per-request query that asks every shard (see docs/scale-out.md for its
-- cost and the fix). client_sessions, sign-in links, booking links and the
-- other Mi cuenta tokens were keyed by business from the start: the site's
-- URL names the business first.
--
-- Left alone here: client_words (the search word index), which migration
-- 0021 replaces with tables of its own, keyed by business.
--
-- Order: add and backfill the missing columns; drop every foreign key that
-- names a single-column id (and those naming the interim (business_id, id)
-- unique keys of clients and bookings, which the new primary keys replace);
-- re-key; add the foreign keys back with business_id, keeping each ON
-- DELETE. The backfilled rows were written by the store inside one business
-- each, so every new foreign key validates.

-- 1. Columns the children lacked, from their parent.

ALTER TABLE sessions ADD COLUMN business_id uuid;
UPDATE sessions x SET business_id = s.business_id FROM staff s WHERE s.id = x.staff_id;
ALTER TABLE sessions ALTER COLUMN business_id SET NOT NULL;

ALTER TABLE service_staff ADD COLUMN business_id uuid;
UPDATE service_staff ss SET business_id = s.business_id FROM services s WHERE s.id = ss.service_id;
ALTER TABLE service_staff ALTER COLUMN business_id SET NOT NULL;

-- Entries of clients deleted meanwhile would have no business to take; the
-- store drops them anyway (search::index_pending).
DELETE FROM client_search_pending p WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = p.client_id);
ALTER TABLE client_search_pending ADD COLUMN business_id uuid;
UPDATE client_search_pending p SET business_id = c.business_id FROM clients c WHERE c.id = p.client_id;
ALTER TABLE client_search_pending ALTER COLUMN business_id SET NOT NULL;

-- 2. Foreign keys that name a parent by its id alone, or by the interim
-- unique keys clients_business_id / bookings_business_id.

ALTER TABLE sessions DROP CONSTRAINT sessions_staff_id_fkey;
ALTER TABLE service_staff DROP CONSTRAINT service_staff_service_id_fkey,
    DROP CONSTRAINT service_staff_staff_id_fkey;
ALTER TABLE agendas DROP CONSTRAINT agendas_staff_id_fkey;
ALTER TABLE bookings DROP CONSTRAINT bookings_client_id_fkey,
    DROP CONSTRAINT bookings_service_id_fkey,
    DROP CONSTRAINT bookings_staff_id_fkey;
ALTER TABLE client_custom_values DROP CONSTRAINT client_custom_values_client_id_fkey,
    DROP CONSTRAINT client_custom_values_field_id_fkey;
ALTER TABLE client_search DROP CONSTRAINT client_search_client_id_fkey;
ALTER TABLE client_notes DROP CONSTRAINT client_notes_client_id_fkey,
    DROP CONSTRAINT client_notes_author_id_fkey;
ALTER TABLE client_history DROP CONSTRAINT client_history_client_id_fkey,
    DROP CONSTRAINT client_history_who_id_fkey;
ALTER TABLE client_deletions DROP CONSTRAINT client_deletions_who_id_fkey;
ALTER TABLE attention_notes DROP CONSTRAINT attention_notes_booking_id_fkey,
    DROP CONSTRAINT attention_notes_author_id_fkey;

ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_business_id_client_id_fkey;
ALTER TABLE client_notification_preferences
    DROP CONSTRAINT client_notification_preferences_business_id_client_id_fkey;
ALTER TABLE client_sign_ins DROP CONSTRAINT client_sign_ins_business_id_client_id_fkey;
ALTER TABLE client_sessions DROP CONSTRAINT client_sessions_business_id_client_id_fkey;
ALTER TABLE client_email_changes DROP CONSTRAINT client_email_changes_business_id_client_id_fkey;
ALTER TABLE client_passwords DROP CONSTRAINT client_passwords_business_id_client_id_fkey;
ALTER TABLE client_blocks DROP CONSTRAINT client_blocks_business_id_client_id_fkey;
ALTER TABLE client_access_log DROP CONSTRAINT client_access_log_business_id_client_id_fkey;
ALTER TABLE booking_consents DROP CONSTRAINT booking_consents_business_id_client_id_fkey,
    DROP CONSTRAINT booking_consents_business_id_booking_id_fkey;
ALTER TABLE booking_links DROP CONSTRAINT booking_links_business_id_booking_id_fkey;
ALTER TABLE booking_entered_data DROP CONSTRAINT booking_entered_data_business_id_booking_id_fkey;

-- 3. Primary keys and unique constraints led by business_id. The names stay
-- <table>_pkey, as PostgreSQL gives them.

ALTER TABLE staff DROP CONSTRAINT staff_pkey, ADD CONSTRAINT staff_pkey PRIMARY KEY (business_id, id);

-- A session is found by its hash alone (the cookie names no business), so
-- that lookup keeps an index of its own; ending a staff member's sessions
-- (and the cascade from staff) goes by (business_id, staff_id).
ALTER TABLE sessions DROP CONSTRAINT sessions_pkey, ADD CONSTRAINT sessions_pkey PRIMARY KEY (business_id, token_hash);
CREATE INDEX sessions_by_hash ON sessions (token_hash);
DROP INDEX sessions_by_staff;
CREATE INDEX sessions_by_staff ON sessions (business_id, staff_id);

-- An API token is found by its hash alone too. Its uniqueness was global
-- (api_tokens_hash); a unique key cannot span shards, and a 256-bit random
-- secret does not repeat, so a plain index serves the lookup. The primary
-- key now also serves the business's list, so api_tokens_by_business goes.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_pkey, ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (business_id, id),
    DROP CONSTRAINT api_tokens_hash;
CREATE INDEX api_tokens_by_hash ON api_tokens (token_hash);
DROP INDEX api_tokens_by_business;

-- clients_business_id (0009) and bookings_business_id (0010) were the same
-- keys as unique constraints beside the id primary keys; they become the
-- primary keys.
ALTER TABLE clients DROP CONSTRAINT clients_pkey, DROP CONSTRAINT clients_business_id,
    ADD CONSTRAINT clients_pkey PRIMARY KEY (business_id, id);
ALTER TABLE bookings DROP CONSTRAINT bookings_pkey, DROP CONSTRAINT bookings_business_id,
    ADD CONSTRAINT bookings_pkey PRIMARY KEY (business_id, id);

ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_pkey,
    ADD CONSTRAINT custom_fields_pkey PRIMARY KEY (business_id, id);
ALTER TABLE services DROP CONSTRAINT services_pkey, ADD CONSTRAINT services_pkey PRIMARY KEY (business_id, id);
ALTER TABLE agendas DROP CONSTRAINT agendas_pkey, ADD CONSTRAINT agendas_pkey PRIMARY KEY (business_id, staff_id);
ALTER TABLE service_staff DROP CONSTRAINT service_staff_pkey,
    ADD CONSTRAINT service_staff_pkey PRIMARY KEY (business_id, service_id, staff_id);

ALTER TABLE client_custom_values DROP CONSTRAINT client_custom_values_pkey,
    ADD CONSTRAINT client_custom_values_pkey PRIMARY KEY (business_id, client_id, field_id);
-- Whether a field has values (archive or delete), inside its business.
DROP INDEX client_custom_values_by_field;
CREATE INDEX client_custom_values_by_field ON client_custom_values (business_id, field_id);

ALTER TABLE client_search DROP CONSTRAINT client_search_pkey,
    ADD CONSTRAINT client_search_pkey PRIMARY KEY (business_id, client_id);
ALTER TABLE client_search_pending DROP CONSTRAINT client_search_pending_pkey,
    ADD CONSTRAINT client_search_pending_pkey PRIMARY KEY (business_id, client_id);

-- The by-client indexes already start (business_id, client_id), so they
-- serve the cascade from the client (or booking) too: the indexes on the
-- bare id that only the cascade used go.
ALTER TABLE client_notes DROP CONSTRAINT client_notes_pkey,
    ADD CONSTRAINT client_notes_pkey PRIMARY KEY (business_id, id);
DROP INDEX client_notes_of_client;
ALTER TABLE client_history DROP CONSTRAINT client_history_pkey,
    ADD CONSTRAINT client_history_pkey PRIMARY KEY (business_id, id);
DROP INDEX client_history_of_client;
ALTER TABLE client_deletions DROP CONSTRAINT client_deletions_pkey,
    ADD CONSTRAINT client_deletions_pkey PRIMARY KEY (business_id, id);
ALTER TABLE attention_notes DROP CONSTRAINT attention_notes_pkey,
    ADD CONSTRAINT attention_notes_pkey PRIMARY KEY (business_id, id);
DROP INDEX attention_notes_of_booking;

-- 4. The foreign keys again, each with business_id first and its ON DELETE
-- as before. A nullable reference (a booking's professional, a note's
-- author) is checked only when set, as before (MATCH SIMPLE).

ALTER TABLE sessions ADD FOREIGN KEY (business_id, staff_id) REFERENCES staff (business_id, id) ON DELETE CASCADE;
ALTER TABLE service_staff
    ADD FOREIGN KEY (business_id, service_id) REFERENCES services (business_id, id) ON DELETE CASCADE,
    ADD FOREIGN KEY (business_id, staff_id) REFERENCES staff (business_id, id) ON DELETE CASCADE;
ALTER TABLE agendas ADD FOREIGN KEY (business_id, staff_id) REFERENCES staff (business_id, id) ON DELETE CASCADE;
ALTER TABLE bookings
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    ADD FOREIGN KEY (business_id, service_id) REFERENCES services (business_id, id),
    ADD FOREIGN KEY (business_id, staff_id) REFERENCES staff (business_id, id);
ALTER TABLE client_custom_values
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    -- no cascade: a field with values is archived, never deleted
    ADD FOREIGN KEY (business_id, field_id) REFERENCES custom_fields (business_id, id);
ALTER TABLE client_search
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE;
ALTER TABLE client_notes
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    ADD FOREIGN KEY (business_id, author_id) REFERENCES staff (business_id, id);
ALTER TABLE client_history
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    ADD FOREIGN KEY (business_id, who_id) REFERENCES staff (business_id, id);
ALTER TABLE client_deletions ADD FOREIGN KEY (business_id, who_id) REFERENCES staff (business_id, id);
ALTER TABLE attention_notes
    ADD FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) ON DELETE CASCADE,
    ADD FOREIGN KEY (business_id, author_id) REFERENCES staff (business_id, id);

ALTER TABLE outbox_messages
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE;
ALTER TABLE client_notification_preferences
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE;
ALTER TABLE client_sign_ins
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE;
ALTER TABLE client_sessions
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE;
ALTER TABLE client_email_changes
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE;
ALTER TABLE client_passwords
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE;
ALTER TABLE client_blocks
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE;
ALTER TABLE client_access_log
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE;
ALTER TABLE booking_consents
    ADD FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) ON DELETE CASCADE,
    ADD FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE;
ALTER TABLE booking_links
    ADD FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) ON DELETE CASCADE;
ALTER TABLE booking_entered_data
    ADD FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) ON DELETE CASCADE;
