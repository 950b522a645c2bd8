/* SPDX-License-Identifier: MIT */
/* The HTTP Basic Authorization header parser (api_basic_auth_parse). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/params.h"
#include "common/errors.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char user[API_CRED_MAX], pass[API_CRED_MAX];
	char *hdr;
	int ret;

	/* libmicrohttpd hands the handler a NUL-terminated header value. */
	if ((hdr = malloc(size + 1)) == NULL)
		return 0;
	memcpy(hdr, data, size);
	hdr[size] = '\0';
	ret = api_basic_auth_parse(hdr, user, pass);
	if (ret == 0) {
		FUZZ_CHECK(memchr(user, '\0', sizeof(user)) != NULL);
		FUZZ_CHECK(memchr(pass, '\0', sizeof(pass)) != NULL);
		FUZZ_CHECK(strchr(user, ':') == NULL);
	} else {
		FUZZ_CHECK(ret == DDNS_EAUTH);
		FUZZ_CHECK(user[0] == '\0' && pass[0] == '\0');
	}
	free(hdr);
	return 0;
}
