/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "db/events.h"
#include "db/stmt.h"

static const struct db_stmt st_list = {
	"events_list",
	"SELECT " DB_TS(
		"e.at") ", host(e.source), e.user_agent, e.result,"
			" host(e.ipv4), host(e.ipv6), e.via FROM host_events e"
			" JOIN hosts h ON h.id = e.host_id"
			" WHERE e.host_id = $2 AND h.account_id = $1"
			" AND e.at >= now() - make_interval(days => coalesce((SELECT"
			"  max_age_days FROM event_retention WHERE id = 1), 90))"
			" ORDER BY e.id DESC LIMIT $3",
	3
};
static const struct db_stmt st_retention = {
	"events_retention",
	"INSERT INTO event_retention (id, max_age_days, max_per_host)"
	" VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET"
	" max_age_days = $1, max_per_host = $2",
	2
};

int
db_events_list(struct db_conn *c, long long account_id, long long host_id,
	       unsigned limit, int (*cb)(void *arg, const struct db_event *e),
	       void *arg)
{
	char acc[24], hid[24], lim[16];
	const char *p[3] = { acc, hid, lim };
	struct db_event e;
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(hid, sizeof(hid), "%lld", host_id);
	snprintf(lim, sizeof(lim), "%u", limit);
	if ((r = db_exec(c, &st_list, p, &err)) == NULL)
		return err;
	for (int i = 0; i < PQntuples(r) && err == 0; i++) {
		memset(&e, 0, sizeof(e));
		/* A user agent is capped at insert; never fail a listing. */
		snprintf(e.user_agent, sizeof(e.user_agent), "%s",
			 PQgetisnull(r, i, 2) ? "" : PQgetvalue(r, i, 2));
		if (db_col_copy(r, i, 0, e.at, sizeof(e.at)) ||
		    db_col_copy(r, i, 1, e.source, sizeof(e.source)) ||
		    db_col_copy(r, i, 3, e.result, sizeof(e.result)) ||
		    db_col_copy(r, i, 4, e.ipv4, sizeof(e.ipv4)) ||
		    db_col_copy(r, i, 5, e.ipv6, sizeof(e.ipv6)) ||
		    db_col_copy(r, i, 6, e.via, sizeof(e.via)))
			err = DDNS_EDB;
		else
			err = cb(arg, &e);
	}
	PQclear(r);
	return err;
}

int
db_events_retention_set(struct db_conn *c, unsigned max_age_days,
			unsigned max_per_host)
{
	char d[16], m[16];
	const char *p[2] = { d, m };
	PGresult *r;
	int err;

	snprintf(d, sizeof(d), "%u", max_age_days);
	snprintf(m, sizeof(m), "%u", max_per_host);
	if ((r = db_exec(c, &st_retention, p, &err)) == NULL)
		return err;
	PQclear(r);
	return 0;
}
