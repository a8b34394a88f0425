-- Notifications: the outbox of messages to clients, each business's
-- notification settings, and what each client chose to receive. The same
-- schema as the PostgreSQL migration of this name; conventions as in 0001.
--
-- Every new table here keys a business's data by business_id first (primary
-- key, unique constraints, foreign keys), so a distributed PostgreSQL can
-- shard by business; SQLite follows the same shape.

-- The foreign keys below name a client by (business_id, id); a key must
-- reference a unique index on exactly those columns. clients keeps its id
-- unique on its own too (older tables reference it so).
CREATE UNIQUE INDEX clients_business_id ON clients (business_id, id);

-- One row per message to send: written in the transaction of the change
-- that caused it, then claimed, sent and marked by a worker of any instance.
-- Deleting a client deletes its messages (they hold its address and what
-- they said): erasure reaches the outbox too.
CREATE TABLE outbox_messages (
    business_id      BLOB    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    id               BLOB    NOT NULL,
    -- NULL for an account message to an address not (yet) a client's
    client_id        BLOB,
    -- the booking a booking_*, reminder or shared_note message is about
    booking_id       BLOB,
    channel          TEXT    NOT NULL CHECK (channel IN ('email', 'whatsapp')),
    -- an email address, or an E.164 phone for WhatsApp
    recipient        TEXT    NOT NULL,
    -- ficha_domain::NoticeKind (booking_created, reminder, sign_in_link…);
    -- not checked here: new kinds come with new features, and a row is read
    -- back through NoticeKind::parse
    kind             TEXT    NOT NULL,
    -- JSON (ficha_domain::Facts): everything the message says, captured at
    -- the time of the change
    facts            TEXT    NOT NULL,
    -- the calendar invite's SEQUENCE the message carries (facts.booking),
    -- NULL for none; a booking's next message counts on from its highest
    sequence         INTEGER,
    status           TEXT    NOT NULL
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    -- attempts made, counting the one under way; the claim's fencing token
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- pending: when it is due; sending: when its lease ends (equal to
    -- lease_until), so a message whose worker died is simply due again
    next_attempt_at  INTEGER NOT NULL,
    -- while sending: until when the worker that claimed it holds it
    lease_until      INTEGER,
    last_error       TEXT,
    -- the provider's id once it took the message (email Message-ID,
    -- WhatsApp message id); delivery reports find the message by it
    provider_id      TEXT,
    -- the provider's last delivery report
    delivery         TEXT    CHECK (delivery IN ('sent', 'delivered', 'read', 'failed')),
    -- event × channel × recipient: a second insert of the same message is
    -- a no-op
    idempotency_key  TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER,
    PRIMARY KEY (business_id, id),
    UNIQUE (business_id, idempotency_key),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    CHECK ((status = 'sending') = (lease_until IS NOT NULL))
);
-- The workers' claim: due messages of every business, soonest first. The
-- worker is the installation's, not a business's, so this index alone does
-- not start with business_id; only unfinished messages are in it.
CREATE INDEX outbox_due ON outbox_messages (next_attempt_at) WHERE status IN ('pending', 'sending');
-- The business's list, newest first, whole or by status; a client's.
CREATE INDEX outbox_by_business ON outbox_messages (business_id, created_at, id);
CREATE INDEX outbox_by_status ON outbox_messages (business_id, status, created_at, id);
CREATE INDEX outbox_by_client ON outbox_messages (business_id, client_id, created_at, id);
-- A booking's messages: its next invite sequence, cancelling its reminder.
CREATE INDEX outbox_by_booking ON outbox_messages (business_id, booking_id);
-- Delivery reports (webhooks) name only the provider's id, not the
-- business: a lookup across businesses, by an id the provider made unique.
CREATE INDEX outbox_by_provider_id ON outbox_messages (provider_id) WHERE provider_id IS NOT NULL;

-- A business's notification settings (Configuración → Notificaciones). No
-- row means the defaults: reminders a day ahead, email only.
CREATE TABLE notification_settings (
    business_id               BLOB    PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    -- the email's sender name; NULL: the business's name
    sender_name               TEXT,
    -- how long before an appointment its reminder goes; NULL: reminders off
    reminder_lead_minutes     INTEGER CHECK (reminder_lead_minutes BETWEEN 0 AND 20160),
    whatsapp_enabled          INTEGER NOT NULL DEFAULT 0 CHECK (whatsapp_enabled IN (0, 1)),
    whatsapp_phone_number_id  TEXT    NOT NULL DEFAULT '',
    -- the WhatsApp Cloud API token, kept as given: sending needs it back
    whatsapp_access_token     TEXT    NOT NULL DEFAULT '',
    -- JSON: kind → {"name", "language"} of its approved template
    whatsapp_templates        TEXT    NOT NULL DEFAULT '{}',
    updated_at                INTEGER NOT NULL
);

-- What a client chose not to receive. No row: everything.
CREATE TABLE client_notification_preferences (
    business_id   BLOB    NOT NULL,
    client_id     BLOB    NOT NULL,
    no_whatsapp   INTEGER NOT NULL CHECK (no_whatsapp IN (0, 1)),
    no_reminders  INTEGER NOT NULL CHECK (no_reminders IN (0, 1)),
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (business_id, client_id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);

-- The history learns notification_preferences entries (subject
-- 'notifications', old and new the choices as JSON). SQLite cannot change
-- a CHECK in place, so the table is rebuilt (nothing refers to it).
CREATE TABLE client_history_new (
    id           BLOB    PRIMARY KEY,
    business_id  BLOB    NOT NULL,
    client_id    BLOB    NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    who_kind     TEXT    NOT NULL CHECK (who_kind IN ('staff', 'integration', 'system')),
    who_id       BLOB    REFERENCES staff (id),
    -- field: subject is the field's API name; custom_value: the field's
    -- label then; note_* and attention_note_*: the note's id; booking_*:
    -- the booking's id; notification_preferences: 'notifications'
    change       TEXT    NOT NULL CHECK (change IN ('field', 'custom_value', 'note_added', 'note_edited',
                 'note_deleted', 'booking_created', 'booking_rescheduled', 'booking_confirmed',
                 'booking_cancelled', 'booking_attendance', 'booking_payment', 'attention_note_added',
                 'attention_note_edited', 'attention_note_deleted', 'notification_preferences')),
    subject      TEXT    NOT NULL,
    old_value    TEXT,
    new_value    TEXT,
    -- booking_* and attention_note_* entries
    booking_id   BLOB,
    -- attention_note_* entries
    visibility   TEXT    CHECK (visibility IN ('private', 'shared')),
    CHECK ((who_kind = 'staff') = (who_id IS NOT NULL))
);
INSERT INTO client_history_new
    (id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value, booking_id, visibility)
    SELECT id, business_id, client_id, at, who_kind, who_id, change, subject, old_value, new_value, booking_id,
           visibility
    FROM client_history;
DROP TABLE client_history;
ALTER TABLE client_history_new RENAME TO client_history;
CREATE INDEX client_history_by_client ON client_history (business_id, client_id, at, id);
CREATE INDEX client_history_of_client ON client_history (client_id);
