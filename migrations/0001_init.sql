-- SPDX-License-Identifier: MIT
-- Core schema: tenants, zones, hosts, their tokens and update history.

CREATE TABLE accounts (
	id            bigserial PRIMARY KEY,
	email         text NOT NULL,
	password_hash text,
	max_hosts     integer NOT NULL DEFAULT 20 CHECK (max_hosts >= 0),
	created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));

CREATE TABLE api_tokens (
	id          bigserial PRIMARY KEY,
	account_id  bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	public_id   text NOT NULL UNIQUE,
	secret_hash bytea NOT NULL,
	name        text NOT NULL DEFAULT '',
	scopes      text[] NOT NULL DEFAULT '{read}',
	created_at  timestamptz NOT NULL DEFAULT now(),
	expires_at  timestamptz,
	last_used_at timestamptz
);

CREATE TABLE zones (
	id          bigserial PRIMARY KEY,
	name        text NOT NULL UNIQUE,
	primary_ns  text NOT NULL,          -- "addr:port" of the hidden primary
	tsig_key    text NOT NULL,          -- key name; secrets stay in the key file
	default_ttl integer NOT NULL DEFAULT 60 CHECK (default_ttl BETWEEN 1 AND 86400),
	owner_account_id bigint REFERENCES accounts(id) ON DELETE CASCADE, -- NULL: shared provider zone
	created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hosts (
	id             bigserial PRIMARY KEY,
	zone_id        bigint NOT NULL REFERENCES zones(id) ON DELETE RESTRICT,
	account_id     bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	fqdn           text NOT NULL UNIQUE,
	ipv4           inet CHECK (ipv4 IS NULL OR family(ipv4) = 4),
	ipv6           inet CHECK (ipv6 IS NULL OR family(ipv6) = 6),
	ttl            integer NOT NULL DEFAULT 60 CHECK (ttl BETWEEN 1 AND 86400),
	offline        boolean NOT NULL DEFAULT false,
	version        bigint NOT NULL DEFAULT 1,
	pushed_version bigint NOT NULL DEFAULT 0,
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	abuse_count    integer NOT NULL DEFAULT 0
);
CREATE INDEX hosts_account_idx ON hosts (account_id, fqdn);
-- The outbox: only rows that still have to reach DNS are in this index.
CREATE INDEX hosts_dirty_idx ON hosts (zone_id, id) WHERE version > pushed_version;

CREATE TABLE host_tokens (
	id          bigserial PRIMARY KEY,
	host_id     bigint NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
	account_id  bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	public_id   text NOT NULL UNIQUE,
	secret_hash bytea NOT NULL,
	label       text NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL DEFAULT now(),
	last_used_at timestamptz
);
CREATE INDEX host_tokens_host_idx ON host_tokens (host_id);

CREATE TABLE host_events (
	id          bigserial PRIMARY KEY,
	host_id     bigint NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
	at          timestamptz NOT NULL DEFAULT now(),
	source      inet,
	user_agent  text,
	result      text NOT NULL,
	ipv4        inet,
	ipv6        inet,
	via         text NOT NULL DEFAULT 'nic/update'
);
CREATE INDEX host_events_host_idx ON host_events (host_id, id DESC);
