-- SPDX-License-Identifier: MIT
-- History retention once per statement instead of once per row, and
-- reading old events only when there is something to prune (issue #15).
-- /nic/update now writes a group of changes in one statement
-- (db_host_apply_group), and the row trigger of 0009 ran its four
-- statements (the retention row, the count upsert, two DELETEs that read
-- the host's oldest events) for every history row of the group: almost
-- half of the group statement's time. Now, over the rows the statement
-- inserted (a transition table), for each host among them:
--   * the count grows by the host's new rows; the count row also keeps
--     the time of the host's oldest event (oldest_at);
--   * only hosts over max_per_host, or whose oldest event is past
--     max_age_days, are pruned, by the rules of 0009: the oldest
--     least(count - max_per_host, 64) events go (one in the steady state;
--     after max_per_host was lowered the excess drains over the next
--     statements), then of the two oldest left those past max_age_days
--     (events are inserted in time order; reads hide anything older,
--     db/events.c); the count shrinks by what was deleted and oldest_at
--     is read again for those hosts.
-- Any other writer that deletes events or changes their times must set
-- oldest_at again (NULL is "unknown": the next insert looks).

ALTER TABLE host_event_counts ADD COLUMN oldest_at timestamptz;
LOCK TABLE host_events IN SHARE ROW EXCLUSIVE MODE;
UPDATE host_event_counts c SET oldest_at = (
	SELECT x.at FROM host_events x WHERE x.host_id = c.host_id
	 ORDER BY x.id LIMIT 1);

CREATE FUNCTION host_events_prune_batch() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	r event_retention%ROWTYPE;
	cutoff timestamptz;
BEGIN
	SELECT * INTO r FROM event_retention WHERE id = 1;
	IF NOT FOUND THEN
		r.max_age_days := 90;
		r.max_per_host := 1000;
	END IF;
	cutoff := now() - make_interval(days => r.max_age_days);
	-- In host order, so that concurrent statements lock counts alike.
	INSERT INTO host_event_counts AS c (host_id, n, oldest_at)
		SELECT host_id, count(*), min(at) FROM new_events
		 GROUP BY host_id ORDER BY host_id
		ON CONFLICT (host_id) DO UPDATE SET n = c.n + EXCLUDED.n,
			oldest_at = CASE WHEN c.n = 0 THEN EXCLUDED.oldest_at
				    ELSE c.oldest_at END;
	IF NOT EXISTS (SELECT 1 FROM host_event_counts c
			WHERE c.host_id IN (SELECT host_id FROM new_events)
			  AND (c.n > r.max_per_host OR c.oldest_at IS NULL
			       OR c.oldest_at < cutoff)) THEN
		RETURN NULL;
	END IF;
	WITH h AS (
		SELECT c.host_id, greatest(least(c.n - r.max_per_host, 64), 0) AS k
		  FROM host_event_counts c
		 WHERE c.host_id IN (SELECT host_id FROM new_events)
		   AND (c.n > r.max_per_host OR c.oldest_at IS NULL
			OR c.oldest_at < cutoff)),
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
			OR (oldest.at < cutoff
			    AND NOT EXISTS (SELECT 1 FROM new_events n
					     WHERE n.id = oldest.id)))
		RETURNING e.host_id)
	UPDATE host_event_counts c SET n = c.n - g.gone, oldest_at = NULL
	  FROM (SELECT h.host_id, count(d.host_id) AS gone
		  FROM h LEFT JOIN d ON d.host_id = h.host_id
		 GROUP BY h.host_id) g
	 WHERE c.host_id = g.host_id;
	-- What is left of those hosts' history, now that the deletes show.
	UPDATE host_event_counts c SET oldest_at = (
		SELECT x.at FROM host_events x WHERE x.host_id = c.host_id
		 ORDER BY x.id LIMIT 1)
	 WHERE c.host_id IN (SELECT host_id FROM new_events)
	   AND c.oldest_at IS NULL;
	RETURN NULL;
END
$$;

DROP TRIGGER host_events_prune ON host_events;
DROP FUNCTION host_events_prune();
CREATE TRIGGER host_events_prune AFTER INSERT ON host_events
	REFERENCING NEW TABLE AS new_events
	FOR EACH STATEMENT EXECUTE FUNCTION host_events_prune_batch();
