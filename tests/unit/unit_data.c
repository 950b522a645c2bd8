/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/unit/unit_data.h"

size_t
unit_data_load(const char *name, uint8_t *buf, size_t sz)
{
	const char *dir = getenv("DDNS_SOURCE_DIR");
	char path[1024];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/unit/data/%s", dir ? dir : ".",
		 name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	n = fread(buf, 1, sz, f);
	fclose(f);
	ck_assert_uint_lt(n, sz);
	return n;
}
