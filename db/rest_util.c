/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "common/errors.h"
#include "db/rest_util.h"

int
db_col_copy(const PGresult *r, int row, int col, char *out, size_t outsz)
{
	const char *s = db_get_str(r, row, col);
	size_t n;

	if (outsz == 0)
		return DDNS_EDB;
	out[0] = '\0';
	if (s == NULL)
		return 0;
	n = strlen(s);
	if (n >= outsz)
		return DDNS_EDB;
	memcpy(out, s, n + 1);
	return 0;
}

bool
db_col_bool(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}
