-- SPDX-License-Identifier: MIT
-- REST API: deleted hosts become tombstones until DNS has seen the
-- removal, so a name is unique only among live hosts; ACME DNS-01
-- challenge values per host; indexes for the account-scoped listings.

ALTER TABLE hosts ADD COLUMN deleted_at timestamptz;
ALTER TABLE hosts DROP CONSTRAINT hosts_fqdn_key;
CREATE UNIQUE INDEX hosts_fqdn_live_key ON hosts (fqdn) WHERE deleted_at IS NULL;

CREATE TABLE acme_challenges (
	id          bigserial PRIMARY KEY,
	host_id     bigint NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
	account_id  bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	value       text NOT NULL CHECK (length(value) BETWEEN 1 AND 255),
	created_at  timestamptz NOT NULL DEFAULT now(),
	UNIQUE (host_id, value)
);

CREATE INDEX api_tokens_account_idx ON api_tokens (account_id, id);
CREATE INDEX host_tokens_account_idx ON host_tokens (account_id, host_id);

-- History retention, applied on every insert whoever writes the event
-- (/nic/update, the REST API): events older than max_age_days and all but
-- the newest max_per_host of a host go. `ddnsd serve` stores its
-- DDNS_EVENTS_MAX_AGE_DAYS / DDNS_EVENTS_MAX_PER_HOST in the one row.
CREATE TABLE event_retention (
	id           integer PRIMARY KEY CHECK (id = 1),
	max_age_days integer NOT NULL CHECK (max_age_days >= 1),
	max_per_host integer NOT NULL CHECK (max_per_host >= 1)
);
INSERT INTO event_retention VALUES (1, 90, 1000);

CREATE FUNCTION host_events_prune() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	r event_retention%ROWTYPE;
BEGIN
	SELECT * INTO r FROM event_retention WHERE id = 1;
	IF NOT FOUND THEN
		r.max_age_days := 90;
		r.max_per_host := 1000;
	END IF;
	DELETE FROM host_events
	 WHERE host_id = NEW.host_id
	   AND (at < now() - make_interval(days => r.max_age_days)
	     OR id <= (SELECT x.id FROM host_events x
			WHERE x.host_id = NEW.host_id
			ORDER BY x.id DESC OFFSET r.max_per_host LIMIT 1));
	RETURN NULL;
END
$$;

CREATE TRIGGER host_events_prune AFTER INSERT ON host_events
	FOR EACH ROW EXECUTE FUNCTION host_events_prune();
