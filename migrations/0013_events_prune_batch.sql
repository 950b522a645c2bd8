-- SPDX-License-Identifier: MIT
-- History retention once per statement instead of once per row (issue
-- #15). /nic/update now writes a group of changes in one statement
-- (db_host_apply_group), and the row trigger of 0009 ran its four
-- statements (the retention row, the count upsert, two DELETEs) for every
-- history row of the group: about a third of the group statement's time.
-- The same rules, set-based over the rows the statement inserted (a
-- transition table), for each host among them:
--   * the count grows by the host's new rows;
--   * by count: the oldest least(count - max_per_host, 64) events go (one
--     in the steady state; after max_per_host was lowered the excess
--     drains over the next statements);
--   * by age: of the two oldest events left after that, those past
--     max_age_days (events are inserted in time order; reads hide
--     anything older, db/events.c);
--   * the count shrinks by what was deleted.

CREATE FUNCTION host_events_prune_batch() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	r event_retention%ROWTYPE;
BEGIN
	SELECT * INTO r FROM event_retention WHERE id = 1;
	IF NOT FOUND THEN
		r.max_age_days := 90;
		r.max_per_host := 1000;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM new_events) THEN
		RETURN NULL;
	END IF;
	-- In host order, so that concurrent statements lock counts alike.
	INSERT INTO host_event_counts AS c (host_id, n)
		SELECT host_id, count(*) FROM new_events
		 GROUP BY host_id ORDER BY host_id
		ON CONFLICT (host_id) DO UPDATE SET n = c.n + EXCLUDED.n;
	WITH h AS (
		SELECT c.host_id, greatest(least(c.n - r.max_per_host, 64), 0) AS k
		  FROM host_event_counts c
		 WHERE c.host_id IN (SELECT host_id FROM new_events)),
	oldest AS (
		SELECT o.id, o.at, h.k, o.rn
		  FROM h CROSS JOIN LATERAL (
			SELECT s.id, s.at, row_number() OVER (ORDER BY s.id) AS rn
			  FROM (SELECT x.id, x.at FROM host_events x
				 WHERE x.host_id = h.host_id
				 ORDER BY x.id LIMIT h.k + 2) s) o),
	d AS (
		DELETE FROM host_events e USING oldest
		 WHERE e.id = oldest.id
		   AND (oldest.rn <= oldest.k
			OR (oldest.at < now() - make_interval(days => r.max_age_days)
			    AND NOT EXISTS (SELECT 1 FROM new_events n
					     WHERE n.id = oldest.id)))
		RETURNING e.host_id)
	UPDATE host_event_counts c SET n = c.n - g.gone
	  FROM (SELECT host_id, count(*) AS gone FROM d GROUP BY host_id) g
	 WHERE c.host_id = g.host_id;
	RETURN NULL;
END
$$;

LOCK TABLE host_events IN SHARE ROW EXCLUSIVE MODE;
DROP TRIGGER host_events_prune ON host_events;
DROP FUNCTION host_events_prune();
CREATE TRIGGER host_events_prune AFTER INSERT ON host_events
	REFERENCING NEW TABLE AS new_events
	FOR EACH STATEMENT EXECUTE FUNCTION host_events_prune_batch();
