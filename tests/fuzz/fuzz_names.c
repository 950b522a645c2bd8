/* SPDX-License-Identifier: MIT */
/*
 * Host name and address validation (common/names.c): whatever they accept
 * must be canonical, i.e. survive a second pass unchanged.
 */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "common/errors.h"
#include "common/names.h"
#include "tests/fuzz/fuzz.h"

static void fuzz_name(const uint8_t *data, size_t size);
static void fuzz_addr(const uint8_t *data, size_t size);

static void
fuzz_name(const uint8_t *data, size_t size)
{
	char out[DDNS_NAME_MAX + 1], again[DDNS_NAME_MAX + 1];
	size_t len;
	const char *dot;
	int ret;

	ret = ddns_name_normalize((const char *)data, size, out, sizeof(out));
	if (ret != 0) {
		FUZZ_CHECK(ret == DDNS_ENOTFQDN);
		return;
	}
	len = strlen(out);
	FUZZ_CHECK(len > 0 && len <= DDNS_NAME_MAX);
	FUZZ_CHECK(ddns_name_normalize(out, len, again, sizeof(again)) == 0);
	FUZZ_CHECK(strcmp(out, again) == 0);
	/* A name is in its own zone and in its parent. */
	FUZZ_CHECK(ddns_name_in_zone(out, out));
	dot = strchr(out, '.');
	FUZZ_CHECK(dot != NULL);
	FUZZ_CHECK(ddns_name_in_zone(out, dot + 1));
	/* A too small output buffer is refused, never overrun. */
	FUZZ_CHECK(ddns_name_normalize(out, len, again, len) != 0);
}

static void
fuzz_addr(const uint8_t *data, size_t size)
{
	struct ddns_addr a, b;
	char text[64];
	int ret;

	ret = ddns_addr_parse((const char *)data, size, &a);
	if (ret != 0) {
		FUZZ_CHECK(ret == DDNS_EBADADDR);
		return;
	}
	FUZZ_CHECK(a.family == AF_INET || a.family == AF_INET6);
	ddns_addr_format(&a, text, sizeof(text));
	FUZZ_CHECK(ddns_addr_parse(text, strlen(text), &b) == 0);
	FUZZ_CHECK(a.family == b.family);
	FUZZ_CHECK(memcmp(a.bytes, b.bytes, a.family == AF_INET ? 4 : 16) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_name(data, size);
	fuzz_addr(data, size);
	return 0;
}
