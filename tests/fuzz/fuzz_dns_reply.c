/* SPDX-License-Identifier: MIT */
/*
 * A nameserver's reply as dnsbackend/client.c checks it: dns_reply_parse,
 * then TSIG verification with a fixed key and request MAC (those of the
 * BIND-captured vector in tests/unit/test_dns_tsig.c), at a fixed time so
 * that a correctly signed seed reaches the MAC and time checks.
 */
#include <stdint.h>
#include <string.h>

#include "common/errors.h"
#include "dnsbackend/tsig.h"
#include "dnsbackend/wire.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_NOW 0x6b0987baULL

static const uint8_t fuzz_secret[32] = {
	0x60, 0x99, 0x4e, 0x0e, 0x11, 0x90, 0xde, 0xa1, 0x3a, 0x27, 0xdd,
	0x38, 0xd8, 0xfe, 0xd1, 0x66, 0xf9, 0x47, 0x48, 0xe7, 0xe0, 0xfe,
	0x6a, 0xfa, 0xc4, 0x86, 0xc6, 0x95, 0x5a, 0x80, 0xe5, 0xd6,
};

static const uint8_t fuzz_req_mac[32] = {
	0x84, 0x2d, 0x00, 0x02, 0x47, 0xc5, 0x93, 0x9a, 0xb4, 0x02, 0xfa,
	0x20, 0xc2, 0x5b, 0x56, 0xc8, 0x04, 0xe3, 0x12, 0x35, 0xb3, 0xaf,
	0xc0, 0x96, 0x2b, 0x0f, 0xff, 0xe3, 0x11, 0x55, 0x57, 0xa9,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_tsig_key key;
	struct dns_reply_info info;
	uint8_t name[255];
	size_t next;
	int ret, parsed;

	memset(&key, 0, sizeof(key));
	memcpy(key.name, "ddns-test.example", sizeof("ddns-test.example"));
	memcpy(key.secret, fuzz_secret, sizeof(fuzz_secret));
	key.secret_len = sizeof(fuzz_secret);

	parsed = dns_reply_parse(data, size, &info);
	FUZZ_CHECK(parsed == 0 || parsed == DDNS_EMALFORMED);
	if (size > 12) {
		ret = dns_name_unpack(data, size, 12, name, sizeof(name),
				      &next);
		FUZZ_CHECK(ret < 0 || (ret <= 255 && next <= size));
	}
	ret = dns_tsig_verify_reply(data, size, &key, fuzz_req_mac, FUZZ_NOW);
	switch (ret) {
	case 0:
		/* Only a message that parses can carry a valid signature. */
		FUZZ_CHECK(parsed == 0);
		break;
	case DDNS_ETSIGMISSING:
	case DDNS_EBADKEY:
	case DDNS_EBADSIG:
	case DDNS_EBADTIME:
	case DDNS_EMALFORMED: break;
	default: FUZZ_CHECK(0);
	}
	return 0;
}
