/* SPDX-License-Identifier: MIT */
#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>

#include "common/errors.h"
#include "db/limits.h"
#include "db/stmt.h"

static void cidr_text(const struct ddns_addr *a, unsigned plen, char *out,
		      size_t outsz);

static _Atomic unsigned max_tokens = 10;
static _Atomic unsigned max_account_tokens = 50;

/*
 * One statement: the upsert of the client's prefix and of its wide prefix
 * starts a new window where the stored one has passed (the CASE
 * expressions read the old row), and the DELETE of up to 16 expired rows
 * (more than the 2 a failure may add) keeps the table at about the rows
 * of one window, without a janitor.
 */
static const struct db_stmt st_fail = {
	"auth_failure_record",
	"WITH d AS (DELETE FROM auth_failures WHERE prefix IN"
	"  (SELECT prefix FROM auth_failures"
	"   WHERE window_start < now() - make_interval(secs => $3::float8)"
	"   AND prefix <> $1::cidr AND prefix <> $2::cidr LIMIT 16))"
	" INSERT INTO auth_failures AS f (prefix, window_start, count)"
	" VALUES ($1::cidr, now(), 1), ($2::cidr, now(), 1)"
	" ON CONFLICT (prefix) DO UPDATE SET"
	"  count = CASE WHEN f.window_start <="
	"   now() - make_interval(secs => $3::float8) THEN 1"
	"   ELSE f.count + 1 END,"
	"  window_start = CASE WHEN f.window_start <="
	"   now() - make_interval(secs => $3::float8) THEN now()"
	"   ELSE f.window_start END"
	" RETURNING f.prefix = $1::cidr, f.count,"
	"  greatest(1, ceil(extract(epoch FROM f.window_start +"
	"  make_interval(secs => $3::float8) - now())))::int",
	3
};

static void
cidr_text(const struct ddns_addr *a, unsigned plen, char *out, size_t outsz)
{
	char addr[48];

	ddns_addr_format(a, addr, sizeof(addr));
	snprintf(out, outsz, "%s/%u", addr, plen);
}

int
db_auth_failure_record(struct db_conn *c, const struct db_auth_prefixes *px,
		       unsigned window_s, struct db_auth_counts *out)
{
	char narrow[56], wide[56], win[16];
	const char *p[3] = { narrow, wide, win };
	long long n, rem;
	PGresult *r;
	int err;

	cidr_text(&px->narrow, px->narrow_len, narrow, sizeof(narrow));
	cidr_text(&px->wide, px->wide_len, wide, sizeof(wide));
	snprintf(win, sizeof(win), "%u", window_s);
	if ((r = db_exec(c, &st_fail, p, &err)) == NULL)
		return err;
	if (PQntuples(r) != 2) {
		PQclear(r);
		return DDNS_EDB;
	}
	for (int i = 0; i < 2; i++) {
		bool is_narrow = db_get_bool(r, i, 0);
		unsigned *cnt = is_narrow ? &out->narrow : &out->wide;
		unsigned *left =
			is_narrow ? &out->narrow_left_s : &out->wide_left_s;

		n = db_get_ll(r, i, 1);
		rem = db_get_ll(r, i, 2);
		*cnt = n > 0 && n < 1000000000 ? (unsigned)n : 1;
		*left = rem > 0 && rem <= (long long)window_s ? (unsigned)rem
							      : window_s;
	}
	PQclear(r);
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

void
db_limits_set_max_account_tokens(unsigned n)
{
	atomic_store(&max_account_tokens, n);
}

unsigned
db_limits_max_account_tokens(void)
{
	return atomic_load(&max_account_tokens);
}
