-- SPDX-License-Identifier: MIT
-- The pusher holds back a re-created name while a tombstone of it waits
-- for DNS; this index keeps that per-claim lookup cheap.
CREATE INDEX hosts_tombstone_fqdn_idx ON hosts (fqdn)
	WHERE deleted_at IS NOT NULL;
