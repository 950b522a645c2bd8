/* SPDX-License-Identifier: MIT */
/*
 * The dyndns2 request parsers: the query string / form body decoder
 * (api_form_parse) and the parameter interpretation (api_dyndns2_parse),
 * chained as api/nic_update.c chains them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "api/params.h"
#include "common/errors.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_MAXKV 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_kv kv[FUZZ_MAXKV];
	struct api_dyndns2_req req;
	char *buf;
	size_t n = 0, i;
	int ret;

	/* api_form_parse wants buf[len] == '\0' and decodes in place. */
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	ret = api_form_parse(buf, size, kv, FUZZ_MAXKV, &n);
	if (ret != 0) {
		FUZZ_CHECK(ret == DDNS_EINVAL || ret == DDNS_ERANGE);
		goto out;
	}
	FUZZ_CHECK(n <= FUZZ_MAXKV);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(kv[i].key != NULL && kv[i].value != NULL);
	memset(&req, 0, sizeof(req));
	ret = api_dyndns2_parse(kv, n, &req);
	if (ret != 0) {
		FUZZ_CHECK(ret == DDNS_ENUMHOST || ret == DDNS_EBADADDR);
		goto out;
	}
	FUZZ_CHECK(req.nhosts <= API_DYNDNS2_MAX_HOSTS);
	for (i = 0; i < req.nhosts; i++) {
		if (req.hosts[i].status != 0)
			continue;
		FUZZ_CHECK(strlen(req.hosts[i].name) <= DDNS_NAME_MAX);
	}
	FUZZ_CHECK(!req.has_v4 || req.v4.family == AF_INET);
	FUZZ_CHECK(!req.has_v6 || req.v6.family == AF_INET6);
	if (req.has_prefix) {
		FUZZ_CHECK(req.prefix.family == AF_INET6);
		FUZZ_CHECK(req.prefix_len >= 1 && req.prefix_len <= 128);
		/* the host bits of a LAN prefix are zero */
		for (i = req.prefix_len; i < 128; i++)
			FUZZ_CHECK((req.prefix.bytes[i / 8] &
				    (0x80u >> (i % 8))) == 0);
	}
out:
	free(buf);
	return 0;
}
