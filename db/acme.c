/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "common/errors.h"
#include "db/acme.h"
#include "db/events.h"
#include "db/hosts.h"
#include "db/notify.h"
#include "db/stmt.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static int acme_exec(struct db_conn *c, const struct db_stmt *st,
		     long long host_id, long long account_id, const char *value,
		     const struct db_acme_who *who);

/*
 * The only writer of acme_challenges. The host row's version is bumped with
 * every change of its challenge set (the set is part of the host's DNS
 * state, like its addresses), so a pusher that read the set for an older
 * version pushes the host again (db/outbox.c). Run with the host row locked (db_exec_locked) so
 * that the count is exact.
 */
static const struct db_stmt st_add = {
	"acme_add",
	"WITH h AS (UPDATE hosts SET version = version + 1, updated_at = now(),"
	"  " DB_BUCKET_TAKE(
		"$6",
		"$7") "  WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL"
		      "  AND ((SELECT count(*) FROM acme_challenges a WHERE a.host_id = $1"
		      "   AND a.value <> $3) < " STR(
			      DB_ACME_MAX) ")"
					   "  AND " DB_BUCKET_HAS(
						   "$6",
						   "$7") "  RETURNING id, ipv4, ipv6),"
							 " a AS (INSERT INTO acme_challenges (host_id, account_id, value)"
							 "  SELECT id, $2, $3 FROM h ON CONFLICT (host_id, value) DO NOTHING),"
							 " e AS (" DB_EVENT_INSERT(
								 "h",
								 "$4::inet",
								 "$5",
								 "'acme-challenge set'",
								 "'api'") ")"
									  " SELECT h.id FROM h",
	7
};

static const struct db_stmt st_clear = {
	"acme_clear",
	"WITH h AS (UPDATE hosts SET version = version + 1, updated_at = now(),"
	"  " DB_BUCKET_TAKE(
		"$5",
		"$6") "  WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL"
		      "  AND " DB_BUCKET_HAS(
			      "$5",
			      "$6") "  RETURNING id, ipv4, ipv6),"
				    " a AS (DELETE FROM acme_challenges WHERE host_id IN"
				    "  (SELECT id FROM h)),"
				    " e AS (" DB_EVENT_INSERT(
					    "h", "$3::inet", "$4",
					    "'acme-challenge cleared'",
					    "'api'") ")"
						     " SELECT h.id FROM h",
	6
};

static int
acme_exec(struct db_conn *c, const struct db_stmt *st, long long host_id,
	  long long account_id, const char *value,
	  const struct db_acme_who *who)
{
	char id[24], acc[24], burst[16], win[16];
	const char *p[7] = { id,    acc, value, who->source, who->user_agent,
			     burst, win };
	const char *pc[6] = {
		id, acc, who->source, who->user_agent, burst, win
	};
	unsigned wait = 0;
	PGresult *r;
	int err, n;

	snprintf(id, sizeof(id), "%lld", host_id);
	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(burst, sizeof(burst), "%u", who->bucket_burst);
	snprintf(win, sizeof(win), "%u",
		 who->bucket_window_s > 0 ? who->bucket_window_s : 1);
	if (st == &st_add)
		r = db_exec_locked(c, &db_host_lock, p, st, p, &err);
	else
		r = db_exec(c, st, pc, &err);
	if (r == NULL)
		return err;
	n = PQntuples(r);
	PQclear(r);
	if (n == 1) {
		db_changed(c, DB_CHANGED_ALL);
		return 0;
	}
	/* No row: the host is gone, its change bucket is empty, or (add)
	 * it holds DB_ACME_MAX values. */
	if ((n = db_host_live(c, host_id, account_id)) < 0)
		return n;
	if (n != 1)
		return DDNS_ENOENT;
	if (who->bucket_burst > 0 &&
	    (err = db_host_bucket_wait(c, host_id, who->bucket_burst,
				       who->bucket_window_s, &wait)) != 0)
		return err;
	if (wait > 0)
		return DDNS_EABUSE;
	return st == &st_add ? DDNS_ELIMIT : DDNS_ENOENT;
}

int
db_acme_add(struct db_conn *c, long long host_id, long long account_id,
	    const char *value, const struct db_acme_who *who)
{
	return acme_exec(c, &st_add, host_id, account_id, value, who);
}

int
db_acme_clear(struct db_conn *c, long long host_id, long long account_id,
	      const struct db_acme_who *who)
{
	return acme_exec(c, &st_clear, host_id, account_id, NULL, who);
}
