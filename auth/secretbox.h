/* SPDX-License-Identifier: MIT */
/*
 * Secrets at rest: tenants' TSIG secrets are stored sealed with
 * XChaCha20-Poly1305 (libsodium's IETF construction) under a 32-byte key
 * read from DDNS_SECRET_KEY_FILE, with the zone id as associated data, so
 * that a sealed secret can neither be read from a database dump nor moved
 * to another zone. A second, older key (DDNS_SECRET_KEY_FILE_OLD) may be
 * given while `ddnsd rekey` re-seals everything under the new one.
 */
#ifndef DDNS_AUTH_SECRETBOX_H
#define DDNS_AUTH_SECRETBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_BOX_KEY_LEN 32
#define AUTH_BOX_NONCE_LEN 24
#define AUTH_BOX_MAC_LEN 16
#define AUTH_BOX_PLAIN_MAX 128 /* a TSIG secret (up to 64 bytes) fits */
#define AUTH_BOX_SEALED_MAX                                                    \
	(AUTH_BOX_NONCE_LEN + AUTH_BOX_PLAIN_MAX + AUTH_BOX_MAC_LEN)
/* The associated data of the check value (never a zone id). */
#define AUTH_BOX_CHECK_AD (-1LL)

/*
 * Reads the keys: path (base64 of 32 bytes, as `openssl rand -base64 32`
 * writes it; surrounding white space ignored) and optionally old_path
 * (NULL: none). Returns 0, or DDNS_ECONFIG with a one-line reason in err.
 * Call once at start, before threads; the keys stay in locked memory.
 */
int auth_box_init(const char *path, const char *old_path, char *err,
		  size_t errsz);

/* Whether a key was loaded (tenant zones are possible). */
bool auth_box_ready(void);

/*
 * Seals plain (len <= AUTH_BOX_PLAIN_MAX) under the current key with ad as
 * associated data into out (>= AUTH_BOX_SEALED_MAX): nonce || ciphertext ||
 * MAC. Returns 0 (and *outlen), DDNS_EINVAL (too long) or DDNS_EACCES (no
 * key loaded).
 */
int auth_box_seal(const uint8_t *plain, size_t len, long long ad, uint8_t *out,
		  size_t *outlen);

/*
 * Opens a sealed value with the current key, else the old one; *old tells
 * which (may be NULL). out holds >= AUTH_BOX_PLAIN_MAX bytes; the caller
 * wipes it after use. Returns 0, DDNS_EACCES (no key) or DDNS_EBADSIG (no
 * key opens it: wrong key, tampered, or sealed for another ad).
 */
int auth_box_open(const uint8_t *sealed, size_t len, long long ad, uint8_t *out,
		  size_t *outlen, bool *old);

/*
 * The check value: a known text sealed under the current key (stored once
 * in the database), and whether a stored one opens with a key loaded now.
 * _make: 0 or DDNS_EACCES; _verify: 0 or DDNS_EBADSIG / DDNS_EACCES.
 */
int auth_box_check_make(uint8_t *out, size_t *outlen);
int auth_box_check_verify(const uint8_t *sealed, size_t len);

#endif
