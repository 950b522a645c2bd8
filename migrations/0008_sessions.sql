-- SPDX-License-Identifier: MIT
-- Web console sessions. The cookie holds 256 random bits; only their
-- keyed BLAKE2b-256 hash (as for tokens) is stored. A session ends when
-- it was not used for DDNS_SESSION_IDLE_S, DDNS_SESSION_MAX_S after it
-- began (expires_at), on sign-out, or when the password changes.
-- db/sessions.c is the only writer of this table.

CREATE TABLE sessions (
	id           bigserial PRIMARY KEY,
	account_id   bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	secret_hash  bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
	created_at   timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz NOT NULL DEFAULT now(),
	expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_account_idx ON sessions (account_id, id);
