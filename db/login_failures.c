/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "common/errors.h"
#include "db/login_failures.h"
#include "db/stmt.h"

#define EMAIL_KEY "sha256(convert_to(lower($1::text), 'UTF8'))"

static const struct db_stmt st_blocked = {
	"login_failure_blocked",
	"SELECT greatest(1, ceil(extract(epoch FROM window_start +"
	"  make_interval(secs => $2::float8) - now())))::int"
	" FROM login_failures WHERE email_hash = " EMAIL_KEY
	" AND window_start > now() - make_interval(secs => $2::float8)"
	" AND count >= $3::int",
	3
};

/* As auth_failure_record (db/limits.c): the CASEs read the old row. */
static const struct db_stmt st_record = {
	"login_failure_record",
	"WITH d AS (DELETE FROM login_failures WHERE email_hash IN"
	"  (SELECT email_hash FROM login_failures"
	"   WHERE window_start < now() - make_interval(secs => $2::float8)"
	"   AND email_hash <> " EMAIL_KEY " LIMIT 8))"
	" INSERT INTO login_failures AS f (email_hash, window_start, count)"
	" VALUES (" EMAIL_KEY ", now(), 1)"
	" ON CONFLICT (email_hash) DO UPDATE SET"
	"  count = CASE WHEN f.window_start <="
	"   now() - make_interval(secs => $2::float8) THEN 1"
	"   ELSE f.count + 1 END,"
	"  window_start = CASE WHEN f.window_start <="
	"   now() - make_interval(secs => $2::float8) THEN now()"
	"   ELSE f.window_start END"
	" RETURNING f.count",
	2
};

int
db_login_failure_blocked(struct db_conn *c, const char *email,
			 unsigned window_s, unsigned max, unsigned *retry_s)
{
	char win[16], mx[16];
	const char *p[3] = { email, win, mx };
	long long rem;
	PGresult *r;
	int err;

	*retry_s = 0;
	snprintf(win, sizeof(win), "%u", window_s);
	snprintf(mx, sizeof(mx), "%u", max);
	if ((r = db_exec(c, &st_blocked, p, &err)) == NULL)
		return err;
	if (PQntuples(r) == 1) {
		rem = db_get_ll(r, 0, 0);
		*retry_s = rem > 0 && rem <= (long long)window_s ? (unsigned)rem
								 : window_s;
	}
	PQclear(r);
	return 0;
}

int
db_login_failure_record(struct db_conn *c, const char *email, unsigned window_s,
			unsigned *count)
{
	char win[16];
	const char *p[2] = { email, win };
	long long n;
	PGresult *r;
	int err;

	snprintf(win, sizeof(win), "%u", window_s);
	if ((r = db_exec(c, &st_record, p, &err)) == NULL)
		return err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return DDNS_EDB;
	}
	n = db_get_ll(r, 0, 0);
	PQclear(r);
	*count = n > 0 && n < 1000000000 ? (unsigned)n : 1;
	return 0;
}
