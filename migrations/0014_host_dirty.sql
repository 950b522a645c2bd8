-- SPDX-License-Identifier: MIT
-- The outbox moves out of hosts' indexes into a table of its own, so that
-- a change of a host and the pusher's lease and mark are HOT updates
-- (issue #15). A host is dirty while version > pushed_version, as before;
-- host_dirty holds exactly the (zone, host) pairs of the dirty hosts and is
-- written only by the triggers below, in the transaction that changed the
-- host. hosts_dirty_idx (0001) put version and pushed_version into an
-- index predicate, which made every such UPDATE a non-HOT one: a new entry
-- in each of hosts' indexes for every change and again for every mark, and
-- PostgreSQL pruning those entries on the busy hosts' index pages. With it
-- gone no column that these UPDATEs write is indexed. Measured on a 2-core
-- machine, /nic/update good at 64 connections over 10,000 hosts: HOT
-- updates of hosts went from 28 % to 98 % of all; good, two databases side
-- by side, runs interleaved: 7,733 / 8,041 changes/s before, 9,540 / 8,872
-- after (with the claim of db/outbox.c that walks host_dirty in order).
-- (Dropping the index and tracking nothing measured 8,100-9,200:
-- host_dirty's own inserts and deletes cost part of the gain. A
-- statement-level trigger over transition tables measured the same as
-- these row triggers, within the runs' spread.)
--
-- fillfactor 70 leaves room on each page for the new versions of its rows
-- (a HOT update needs it on the same page); it applies to pages written
-- from now on, or to all after a VACUUM FULL hosts.

CREATE TABLE host_dirty (
	zone_id bigint NOT NULL,
	host_id bigint NOT NULL,
	PRIMARY KEY (zone_id, host_id)
);

-- enable_seqscan off: host_dirty's size swings from none to thousands of
-- rows (a million for a zone-wide push) in seconds, faster than autovacuum
-- analyzes it, and a plan made while it was nearly empty (a sequential
-- scan, cached by PL/pgSQL for the session) then read every row, live and
-- dead, for each host the pusher marked: under load a mark of 200 hosts
-- took 100-300 ms instead of about 5.
CREATE FUNCTION host_dirty_sync() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
	IF TG_OP <> 'INSERT' AND OLD.version > OLD.pushed_version THEN
		DELETE FROM host_dirty
		 WHERE zone_id = OLD.zone_id AND host_id = OLD.id;
	END IF;
	IF TG_OP <> 'DELETE' AND NEW.version > NEW.pushed_version THEN
		INSERT INTO host_dirty (zone_id, host_id)
		VALUES (NEW.zone_id, NEW.id) ON CONFLICT DO NOTHING;
	END IF;
	RETURN NULL;
END $$;

-- Called only when a host becomes dirty or clean, or moves to another
-- zone: a change of a host that is dirty already costs nothing here.
CREATE TRIGGER host_dirty_ins AFTER INSERT ON hosts FOR EACH ROW
	WHEN (NEW.version > NEW.pushed_version)
	EXECUTE FUNCTION host_dirty_sync();
CREATE TRIGGER host_dirty_upd
	AFTER UPDATE OF version, pushed_version, zone_id ON hosts FOR EACH ROW
	WHEN ((OLD.version > OLD.pushed_version)
	      IS DISTINCT FROM (NEW.version > NEW.pushed_version)
	      OR OLD.zone_id IS DISTINCT FROM NEW.zone_id)
	EXECUTE FUNCTION host_dirty_sync();
CREATE TRIGGER host_dirty_del AFTER DELETE ON hosts FOR EACH ROW
	WHEN (OLD.version > OLD.pushed_version)
	EXECUTE FUNCTION host_dirty_sync();

LOCK TABLE hosts IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO host_dirty (zone_id, host_id)
	SELECT zone_id, id FROM hosts WHERE version > pushed_version;
DROP INDEX hosts_dirty_idx;
ALTER TABLE hosts SET (fillfactor = 70);
