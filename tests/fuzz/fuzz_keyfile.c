/* SPDX-License-Identifier: MIT */
/* The BIND-style TSIG key file parser (dns_keyfile_parse). */
#include <stdint.h>
#include <string.h>

#include "common/errors.h"
#include "dnsbackend/keyfile.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_keyring kr;
	size_t i;
	int ret;

	memset(&kr, 0, sizeof(kr));
	ret = dns_keyfile_parse((const char *)data, size, &kr);
	if (ret != 0) {
		FUZZ_CHECK(ret == DDNS_EMALFORMED || ret == DDNS_ENOMEM);
		FUZZ_CHECK(kr.n == 0 && kr.keys == NULL);
		return 0;
	}
	for (i = 0; i < kr.n; i++) {
		FUZZ_CHECK(kr.keys[i].secret_len > 0 &&
			   kr.keys[i].secret_len <= DNS_KEY_SECRET_MAX);
		FUZZ_CHECK(memchr(kr.keys[i].name, '\0',
				  sizeof(kr.keys[i].name)) != NULL);
		/* Every parsed key can be found again by its name. */
		FUZZ_CHECK(dns_keyring_find(&kr, kr.keys[i].name) ==
			   &kr.keys[i]);
	}
	dns_keyring_free(&kr);
	return 0;
}
