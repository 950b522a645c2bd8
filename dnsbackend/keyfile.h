/* SPDX-License-Identifier: MIT */
/*
 * TSIG keys from a BIND-style key file, as tsig-keygen writes it:
 *   key "name" { algorithm hmac-sha256; secret "base64"; };
 * One or more blocks; comments in #, // and C style are allowed.
 */
#ifndef DDNS_DNSBACKEND_KEYFILE_H
#define DDNS_DNSBACKEND_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#define DNS_KEY_SECRET_MAX 128

struct dns_tsig_key {
	char name[256]; /* lower case, no trailing dot */
	uint8_t secret[DNS_KEY_SECRET_MAX];
	size_t secret_len;
};

struct dns_keyring {
	struct dns_tsig_key *keys; /* owned */
	size_t n;
};

/*
 * Parses len bytes of key file text into kr (which must be zeroed or freed
 * before). Only hmac-sha256 is accepted. Returns 0, DDNS_EMALFORMED (syntax,
 * bad base64, empty secret, duplicate name, unsupported algorithm) or
 * DDNS_ENOMEM. On error kr is left empty. Never logs secret material.
 */
int dns_keyfile_parse(const char *text, size_t len, struct dns_keyring *kr);

/* Reads and parses path. Errors as above plus negative errno of open/read. */
int dns_keyfile_load(const char *path, struct dns_keyring *kr);

/* Finds a key by name (case-insensitive, trailing dot ignored) or NULL. */
const struct dns_tsig_key *dns_keyring_find(const struct dns_keyring *kr,
					    const char *name);

/* Wipes secrets and frees. NULL-safe. */
void dns_keyring_free(struct dns_keyring *kr);

#endif
