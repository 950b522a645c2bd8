-- SPDX-License-Identifier: MIT
-- Tenants' own zones: a zone owned by an account carries its own TSIG key.
-- The key's name is in tsig_key as for operator zones; its secret is only
-- ever stored sealed (auth/secretbox.c: XChaCha20-Poly1305 under
-- DDNS_SECRET_KEY_FILE, the zone id as associated data). Operator zones
-- keep tsig_secret NULL: their secrets stay in DDNS_TSIG_KEY_FILE.
ALTER TABLE zones
	ADD COLUMN tsig_secret bytea,
	ADD COLUMN created_via text NOT NULL DEFAULT 'cli'
		CHECK (created_via IN ('cli', 'api'));
CREATE INDEX zones_owner_idx ON zones (owner_account_id)
	WHERE owner_account_id IS NOT NULL;

-- A value sealed under the secret key when the first tenant zone was
-- stored: serve opens it at start, so that a wrong DDNS_SECRET_KEY_FILE is
-- found then, not at the first push.
CREATE TABLE secret_key_check (
	id     integer PRIMARY KEY CHECK (id = 1),
	sealed bytea NOT NULL
);
