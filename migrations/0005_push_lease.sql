-- SPDX-License-Identifier: MIT
-- The pusher no longer holds row locks through a DNS exchange: it leases
-- the hosts it claims (push_lease = a random number per claim, valid until
-- push_lease_until) and commits at once, so that an update of a host being
-- pushed never waits for the nameserver. A crashed pusher's lease expires.
ALTER TABLE hosts
	ADD COLUMN push_lease bigint,
	ADD COLUMN push_lease_until timestamptz;
