-- SPDX-License-Identifier: MIT
-- A host's history goes with the host by a statement trigger on hosts
-- instead of host_events' foreign key (issue #15). The foreign key checked
-- every inserted event against hosts (a query of its own per row)
-- although every writer of events inserts them from the row of hosts that
-- it has just updated or inserted in the same statement, so the host is
-- there and locked. Measured on a 2-core machine: a group write of 16
-- changes from one pgbench client took 1.07-1.10 ms with the key and
-- 0.94-1.10 ms without (EXPLAIN ANALYZE: the key's checks 0.117 ms of it).
-- Under /nic/update good at 64 connections PostgreSQL's CPU per change
-- (124-170 us) moves more between runs than this: seven interleaved pairs
-- gave a mean of 144 us with the key and 140 us without.
--
-- ON DELETE CASCADE is what the key still did: the trigger deletes the
-- events of every deleted host at the end of each statement that deleted
-- hosts (a tombstone reaped, a host removed with its account), in the same
-- transaction. Host ids are never reused.

ALTER TABLE host_events DROP CONSTRAINT host_events_host_id_fkey;

-- enable_seqscan off, as in host_dirty_sync (0014): PL/pgSQL caches the
-- plan for the session, and one made for a statement that deleted nothing
-- must not read all of host_events for the next.
CREATE FUNCTION host_events_gone() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
	DELETE FROM host_events e USING gone_hosts g WHERE e.host_id = g.id;
	RETURN NULL;
END $$;

CREATE TRIGGER host_events_gone AFTER DELETE ON hosts
	REFERENCING OLD TABLE AS gone_hosts
	FOR EACH STATEMENT EXECUTE FUNCTION host_events_gone();
