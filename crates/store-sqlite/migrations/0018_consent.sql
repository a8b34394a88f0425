-- Ley 21.719: the business's privacy notice, versioned; what each booking
-- made on the site (or the public API) accepted; custom fields marked
-- sensitive. The same schema as the PostgreSQL migration of this name;
-- business_id leads every key.

-- Every version of a business's privacy notice, never changed once written
-- (the store only inserts). Versions count from 1 per business. Until the
-- owner writes one, clients read the product's default notice; the first
-- booking that accepts it stores it here as version 1 (is_default = 1), so
-- every consent points at a stored text.
CREATE TABLE privacy_notices (
    business_id  BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    body         TEXT    NOT NULL,
    -- 1: the product's default text, stored when first accepted
    is_default   INTEGER NOT NULL CHECK (is_default IN (0, 1)),
    -- who wrote it: the staff member, and their name then (NULL for the
    -- default); no foreign key, the version outlives the account
    staff_id     BLOB,
    author       TEXT,
    written_at   INTEGER NOT NULL,
    PRIMARY KEY (business_id, version)
);

-- A booking's consent: the notice version the client accepted and, when the
-- business sends WhatsApp messages, whether they opted in (NULL: not asked).
-- One row per booking made online (each session of a pack).
CREATE TABLE booking_consents (
    business_id      BLOB    NOT NULL,
    booking_id       BLOB    NOT NULL,
    client_id        BLOB    NOT NULL,
    notice_version   INTEGER NOT NULL,
    accepted_at      INTEGER NOT NULL,
    whatsapp_opt_in  INTEGER CHECK (whatsapp_opt_in IN (0, 1)),
    PRIMARY KEY (business_id, booking_id),
    FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, notice_version) REFERENCES privacy_notices (business_id, version)
);
-- The profile's latest consent.
CREATE INDEX booking_consents_of_client ON booking_consents (business_id, client_id, accepted_at);

-- A sensitive field (diagnóstico, alergias): its values stay findable but
-- are never shown in search snippets, and the profile marks them.
ALTER TABLE custom_fields ADD COLUMN sensitive INTEGER NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1));
