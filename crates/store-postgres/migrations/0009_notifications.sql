-- Notifications: the outbox of messages to clients, each business's
-- notification settings, and what each client chose to receive. The same
-- schema as the SQLite migration of this name; conventions as in 0001.
--
-- Every new table here keys a business's data by business_id first (primary
-- key, unique constraints, foreign keys), so a distributed PostgreSQL
-- (Citus) can shard by business.

-- The foreign keys below name a client by (business_id, id), which must be
-- a unique key of clients. clients keeps id as its primary key (older
-- tables reference it so).
ALTER TABLE clients ADD CONSTRAINT clients_business_id UNIQUE (business_id, id);

-- One row per message to send: written in the transaction of the change
-- that caused it, then claimed (FOR UPDATE SKIP LOCKED), sent and marked by
-- a worker of any instance. Deleting a client deletes its messages (they
-- hold its address and what they said): erasure reaches the outbox too.
CREATE TABLE outbox_messages (
    business_id      uuid    NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    id               uuid    NOT NULL,
    -- NULL for an account message to an address not (yet) a client's
    client_id        uuid,
    -- the booking a booking_*, reminder or shared_note message is about
    booking_id       uuid,
    channel          text    NOT NULL CHECK (channel IN ('email', 'whatsapp')),
    -- an email address, or an E.164 phone for WhatsApp
    recipient        text    NOT NULL,
    -- ficha_domain::NoticeKind (booking_created, reminder, sign_in_link…);
    -- not checked here: new kinds come with new features, and a row is read
    -- back through NoticeKind::parse
    kind             text    NOT NULL,
    -- ficha_domain::Facts: everything the message says, captured at the
    -- time of the change
    facts            jsonb   NOT NULL,
    -- the calendar invite's SEQUENCE the message carries (facts.booking),
    -- NULL for none; a booking's next message counts on from its highest
    sequence         integer,
    status           text    NOT NULL
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    -- attempts made, counting the one under way; the claim's fencing token
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- pending: when it is due; sending: when its lease ends (equal to
    -- lease_until), so a message whose worker died is simply due again
    next_attempt_at  bigint  NOT NULL,
    -- while sending: until when the worker that claimed it holds it
    lease_until      bigint,
    last_error       text,
    -- the provider's id once it took the message (email Message-ID,
    -- WhatsApp message id); delivery reports find the message by it
    provider_id      text,
    -- the provider's last delivery report
    delivery         text    CHECK (delivery IN ('sent', 'delivered', 'read', 'failed')),
    -- event × channel × recipient: a second insert of the same message is
    -- a no-op (INSERT … ON CONFLICT DO NOTHING)
    idempotency_key  text    NOT NULL,
    created_at       bigint  NOT NULL,
    sent_at          bigint,
    PRIMARY KEY (business_id, id),
    CONSTRAINT outbox_messages_idempotency UNIQUE (business_id, idempotency_key),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    CHECK ((status = 'sending') = (lease_until IS NOT NULL))
);
-- The workers' claim: due messages of every business, soonest first. The
-- worker is the installation's, not a business's, so this index alone does
-- not start with business_id; only unfinished messages are in it, so it
-- stays small however many messages were sent.
CREATE INDEX outbox_due ON outbox_messages (next_attempt_at) WHERE status IN ('pending', 'sending');
-- The business's list, newest first, whole or by status; a client's (also
-- what deleting a client looks its messages up by).
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
    business_id               uuid    PRIMARY KEY REFERENCES businesses (id) ON DELETE CASCADE,
    -- the email's sender name; NULL: the business's name
    sender_name               text,
    -- how long before an appointment its reminder goes; NULL: reminders off
    reminder_lead_minutes     integer CHECK (reminder_lead_minutes BETWEEN 0 AND 20160),
    whatsapp_enabled          boolean NOT NULL DEFAULT false,
    whatsapp_phone_number_id  text    NOT NULL DEFAULT '',
    -- the WhatsApp Cloud API token, kept as given: sending needs it back
    whatsapp_access_token     text    NOT NULL DEFAULT '',
    -- kind → {"name", "language"} of its approved template
    whatsapp_templates        jsonb   NOT NULL DEFAULT '{}',
    updated_at                bigint  NOT NULL
);

-- What a client chose not to receive. No row: everything.
CREATE TABLE client_notification_preferences (
    business_id   uuid    NOT NULL,
    client_id     uuid    NOT NULL,
    no_whatsapp   boolean NOT NULL,
    no_reminders  boolean NOT NULL,
    updated_at    bigint  NOT NULL,
    PRIMARY KEY (business_id, client_id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);

-- The history learns notification_preferences entries (subject
-- 'notifications', old and new the choices as JSON).
ALTER TABLE client_history
    DROP CONSTRAINT client_history_change_check,
    ADD CONSTRAINT client_history_change_check CHECK (change IN ('field', 'custom_value', 'note_added',
        'note_edited', 'note_deleted', 'booking_created', 'booking_rescheduled', 'booking_confirmed',
        'booking_cancelled', 'booking_attendance', 'booking_payment', 'attention_note_added',
        'attention_note_edited', 'attention_note_deleted', 'notification_preferences'));
