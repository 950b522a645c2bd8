-- SPDX-License-Identifier: MIT
-- History retention in O(1) per insert (issue #15). The trigger of 0002
-- ran, on every insert, a DELETE whose condition read every event of the
-- host (the age test) and an OFFSET max_per_host subquery that walked up
-- to 1,000 index entries: the cost of a change grew with its host's
-- history. Now a per-host count says when the host is over its limit, and
-- only the oldest events are looked at:
--   * by count: the oldest (count - max_per_host) events, at most 64 per
--     insert (one in the steady state; after max_per_host was lowered the
--     excess drains over the next inserts);
--   * by age: of the host's two oldest events, those past max_age_days
--     (events are inserted in time order, so the oldest go first; as
--     before, reads hide anything older, db/events.c).

CREATE TABLE host_event_counts (
	host_id bigint PRIMARY KEY REFERENCES hosts(id) ON DELETE CASCADE,
	n       integer NOT NULL
);

LOCK TABLE host_events IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO host_event_counts (host_id, n)
	SELECT host_id, count(*) FROM host_events GROUP BY host_id;

CREATE OR REPLACE FUNCTION host_events_prune() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	r event_retention%ROWTYPE;
	cnt integer;
	gone integer := 0;
	aged integer := 0;
BEGIN
	SELECT * INTO r FROM event_retention WHERE id = 1;
	IF NOT FOUND THEN
		r.max_age_days := 90;
		r.max_per_host := 1000;
	END IF;
	INSERT INTO host_event_counts AS c (host_id, n) VALUES (NEW.host_id, 1)
		ON CONFLICT (host_id) DO UPDATE SET n = c.n + 1
		RETURNING c.n INTO cnt;
	IF cnt > r.max_per_host THEN
		WITH d AS (
			DELETE FROM host_events WHERE id IN (
				SELECT x.id FROM host_events x
				 WHERE x.host_id = NEW.host_id
				 ORDER BY x.id
				 LIMIT least(cnt - r.max_per_host, 64))
			RETURNING 1)
		SELECT count(*) INTO gone FROM d;
	END IF;
	WITH d AS (
		DELETE FROM host_events WHERE id IN (
			SELECT o.id FROM (
				SELECT x.id, x.at FROM host_events x
				 WHERE x.host_id = NEW.host_id AND x.id <> NEW.id
				 ORDER BY x.id
				 LIMIT 2) o
			 WHERE o.at < now() - make_interval(days => r.max_age_days))
		RETURNING 1)
	SELECT count(*) INTO aged FROM d;
	IF gone + aged > 0 THEN
		UPDATE host_event_counts SET n = n - (gone + aged)
		 WHERE host_id = NEW.host_id;
	END IF;
	RETURN NULL;
END
$$;
