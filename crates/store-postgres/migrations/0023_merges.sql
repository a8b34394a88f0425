-- Merging two profiles of one person (issue 13). A merge moves every row of
-- the absorbed profile to the survivor, deletes the absorbed profile's row
-- and keeps here what an undo needs: the absorbed profile as it was, what
-- the merge changed on the survivor, and the keys of the rows it moved,
-- per table (`record`, JSON). The row also maps the absorbed id to the
-- survivor, so its old address leads there. Deleting the survivor erases
-- its merges with it (a deletion erases the whole record).
CREATE TABLE client_merges (
    business_id  uuid    NOT NULL,
    id           uuid    NOT NULL,
    -- kept current: a later merge that absorbs the survivor moves its
    -- merges to the new survivor, an undo moves them back
    survivor_id  uuid    NOT NULL,
    -- no foreign key: while merged, the absorbed profile has no row
    absorbed_id  uuid    NOT NULL,
    merged_at    bigint  NOT NULL,
    who_kind     text    NOT NULL CHECK (who_kind IN ('staff', 'integration', 'system', 'client')),
    who_id       uuid,
    undone_at    bigint,
    record       text    NOT NULL,
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, survivor_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, who_id) REFERENCES staff (business_id, id),
    CHECK ((who_kind = 'staff') = (who_id IS NOT NULL))
);
-- A survivor's merges (the undo control), newest first.
CREATE INDEX client_merges_by_survivor ON client_merges (business_id, survivor_id, merged_at);
-- Where an absorbed id leads.
CREATE INDEX client_merges_by_absorbed ON client_merges (business_id, absorbed_id, merged_at);

-- The email a survivor did not keep: still the same person's. The booking
-- site, Mi cuenta's sign-in and a new profile's email check look here
-- after clients.email_key (client_by_email_key below).
CREATE TABLE client_email_aliases (
    business_id  uuid  NOT NULL,
    email_key    text  NOT NULL,
    client_id    uuid  NOT NULL,
    -- the merge that made it: an undo removes it
    merge_id     uuid  NOT NULL,
    PRIMARY KEY (business_id, email_key),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE,
    FOREIGN KEY (business_id, merge_id) REFERENCES client_merges (business_id, id) ON DELETE CASCADE
);
CREATE INDEX client_email_aliases_of_client ON client_email_aliases (business_id, client_id);
CREATE INDEX client_email_aliases_of_merge ON client_email_aliases (business_id, merge_id);

-- The one lookup of an email inside a business: the client whose email it
-- is, else the client it is an alias of. Every path that finds a client by
-- email (booking site, Mi cuenta, the email checks, an import) asks this.
CREATE FUNCTION client_by_email_key(uuid, text) RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT id FROM clients WHERE business_id = $1 AND email_key = $2),
        (SELECT client_id FROM client_email_aliases WHERE business_id = $1 AND email_key = $2))
$$;

-- The history learns client_merged and merge_undone entries (subject the
-- merge's id, old the other profile's id, new its side, name and email as
-- JSON).
ALTER TABLE client_history
    DROP CONSTRAINT client_history_change_check,
    ADD CONSTRAINT client_history_change_check CHECK (change IN ('field', 'custom_value', 'note_added',
        'note_edited', 'note_deleted', 'booking_created', 'booking_rescheduled', 'booking_confirmed',
        'booking_cancelled', 'booking_attendance', 'booking_payment', 'attention_note_added',
        'attention_note_edited', 'attention_note_deleted', 'notification_preferences',
        'data_request', 'client_blocked', 'client_unblocked', 'client_merged', 'merge_undone'));
