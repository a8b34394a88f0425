-- Mi cuenta: the client's own sign-in, sessions, email change and optional
-- password, each keyed by the business. The same schema as the SQLite
-- migration of this name. Secrets are stored only as SHA-256 hashes (of a
-- 256-bit random token, or of the sign-in id and its 6-digit code), so a
-- database dump opens nobody's account.

-- One sign-in request: a code and a link, short-lived, single use, and
-- dead after a few wrong codes.
CREATE TABLE client_sign_ins (
    business_id  uuid    NOT NULL,
    id           uuid    NOT NULL,
    client_id    uuid    NOT NULL,
    code_hash    bytea   NOT NULL,
    link_hash    bytea   NOT NULL,
    created_at   bigint  NOT NULL,
    expires_at   bigint  NOT NULL,
    -- wrong codes typed so far
    attempts     integer NOT NULL DEFAULT 0,
    used_at      bigint,
    PRIMARY KEY (business_id, id),
    UNIQUE (business_id, link_hash),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);
CREATE INDEX client_sign_ins_of_client ON client_sign_ins (business_id, client_id);

-- A signed-in client: the cookie's secret, hashed.
CREATE TABLE client_sessions (
    business_id  uuid    NOT NULL,
    token_hash   bytea   NOT NULL,
    client_id    uuid    NOT NULL,
    created_at   bigint  NOT NULL,
    expires_at   bigint  NOT NULL,
    PRIMARY KEY (business_id, token_hash),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);
CREATE INDEX client_sessions_of_client ON client_sessions (business_id, client_id);

-- An email change waiting for its verification at the new address.
CREATE TABLE client_email_changes (
    business_id  uuid    NOT NULL,
    token_hash   bytea   NOT NULL,
    client_id    uuid    NOT NULL,
    new_email    text    NOT NULL,
    created_at   bigint  NOT NULL,
    expires_at   bigint  NOT NULL,
    used_at      bigint,
    PRIMARY KEY (business_id, token_hash),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);
CREATE INDEX client_email_changes_of_client ON client_email_changes (business_id, client_id);

-- The password a client may set (argon2id PHC string); none by default.
CREATE TABLE client_passwords (
    business_id    uuid    NOT NULL,
    client_id      uuid    NOT NULL,
    password_hash  text    NOT NULL,
    updated_at     bigint  NOT NULL,
    PRIMARY KEY (business_id, client_id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) ON DELETE CASCADE
);

-- The history learns who_kind 'client': a change the client made from Mi
-- cuenta (who_id stays empty: it is the profile's own client).
ALTER TABLE client_history
    DROP CONSTRAINT client_history_who_kind_check,
    ADD CONSTRAINT client_history_who_kind_check
        CHECK (who_kind IN ('staff', 'integration', 'system', 'client'));
