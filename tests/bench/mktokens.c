/* SPDX-License-Identifier: MIT */
/*
 * tests/bench/mktokens.c - host tokens in bulk for the benchmark's seed,
 * made by the project's own auth/token.c (linked from libddnscore.a), so
 * that ddnsd accepts them exactly like tokens from `ddnsd token add`.
 *
 *   mktokens N ZONE [FIRST]
 *
 * prints N lines "fqdn token public_id hash_hex basic" for the hosts
 * hFIRST..hFIRST+N-1 (zero-padded to 7 digits) under ZONE; hash_hex is the
 * keyed BLAKE2b-256 of the secret (DDNS_TOKEN_PEPPER as ddnsd reads it) and
 * basic is base64("fqdn:token"), the ready HTTP Basic credentials. The
 * first four columns go into PostgreSQL with COPY, the first and the last
 * into the wrk scripts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/token.h"

#define FQDN_MAX 256

int
main(int argc, char **argv)
{
	char text[AUTH_TOKEN_TEXT_LEN + 1], fqdn[FQDN_MAX];
	char cred[FQDN_MAX + AUTH_TOKEN_TEXT_LEN + 2];
	char hex[AUTH_TOKEN_HASH_LEN * 2 + 1];
	char b64[sodium_base64_ENCODED_LEN(sizeof(cred),
					   sodium_base64_VARIANT_ORIGINAL)];
	uint8_t hash[AUTH_TOKEN_HASH_LEN];
	struct auth_token tok;
	unsigned long n, first = 1;
	char *end;
	int len;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: mktokens N ZONE [FIRST]\n");
		return 2;
	}
	n = strtoul(argv[1], &end, 10);
	if (*end != '\0' || n == 0 || n > 100000000UL) {
		fprintf(stderr, "mktokens: bad N\n");
		return 2;
	}
	if (argc == 4) {
		first = strtoul(argv[3], &end, 10);
		if (*end != '\0') {
			fprintf(stderr, "mktokens: bad FIRST\n");
			return 2;
		}
	}
	if (auth_init(getenv("DDNS_TOKEN_PEPPER")) != 0)
		return 1;
	for (unsigned long i = first; i < first + n; i++) {
		len = snprintf(fqdn, sizeof(fqdn), "h%07lu.%s", i, argv[2]);
		if (len < 0 || (size_t)len >= sizeof(fqdn))
			return 2;
		if (auth_token_generate(AUTH_TOKEN_HOST, &tok, text,
					sizeof(text)) != 0)
			return 1;
		auth_token_hash(&tok, hash);
		sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
		len = snprintf(cred, sizeof(cred), "%s:%s", fqdn, text);
		sodium_bin2base64(b64, sizeof(b64), (const uint8_t *)cred,
				  (size_t)len, sodium_base64_VARIANT_ORIGINAL);
		printf("%s %s %s %s %s\n", fqdn, text, tok.public_id, hex, b64);
	}
	auth_token_wipe(&tok);
	return fflush(stdout) == 0 ? 0 : 1;
}
