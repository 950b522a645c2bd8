/* SPDX-License-Identifier: MIT */
#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>

#include "common/errors.h"
#include "db/limits.h"
#include "db/stmt.h"

static _Atomic unsigned max_tokens = 10;

/*
 * The upsert starts a new window when the stored one has passed; the CASE
 * expressions read the old row. The DELETE keeps the table bounded by the
 * failure rate without a janitor.
 */
static const struct db_stmt st_fail = {
	"auth_failure_record",
	"WITH d AS (DELETE FROM auth_failures WHERE prefix IN"
	"  (SELECT prefix FROM auth_failures"
	"   WHERE window_start < now() - make_interval(secs => $2::float8)"
	"   AND prefix <> $1::cidr LIMIT 8))"
	" INSERT INTO auth_failures AS f (prefix, window_start, count)"
	" VALUES ($1::cidr, now(), 1)"
	" ON CONFLICT (prefix) DO UPDATE SET"
	"  count = CASE WHEN f.window_start <="
	"   now() - make_interval(secs => $2::float8) THEN 1"
	"   ELSE f.count + 1 END,"
	"  window_start = CASE WHEN f.window_start <="
	"   now() - make_interval(secs => $2::float8) THEN now()"
	"   ELSE f.window_start END"
	" RETURNING f.count, greatest(1, ceil(extract(epoch FROM"
	"  f.window_start + make_interval(secs => $2::float8) - now())))::int",
	2
};

int
db_auth_failure_record(struct db_conn *c, const struct ddns_addr *prefix,
		       unsigned window_s, unsigned *count,
		       unsigned *remaining_s)
{
	char addr[48], cidr[56], win[16];
	const char *p[2] = { cidr, win };
	long long n, rem;
	PGresult *r;
	int err;

	ddns_addr_format(prefix, addr, sizeof(addr));
	snprintf(cidr, sizeof(cidr), "%s/%d", addr,
		 prefix->family == AF_INET ? 32 : 64);
	snprintf(win, sizeof(win), "%u", window_s);
	if ((r = db_exec(c, &st_fail, p, &err)) == NULL)
		return err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return DDNS_EDB;
	}
	n = db_get_ll(r, 0, 0);
	rem = db_get_ll(r, 0, 1);
	PQclear(r);
	*count = n > 0 && n < 1000000000 ? (unsigned)n : 1;
	*remaining_s = rem > 0 && rem <= (long long)window_s ? (unsigned)rem
							     : window_s;
	return 0;
}

void
db_limits_set_max_tokens(unsigned n)
{
	atomic_store(&max_tokens, n);
}

unsigned
db_limits_max_tokens(void)
{
	return atomic_load(&max_tokens);
}
