/* SPDX-License-Identifier: MIT */
/*
 * Console session secrets: 32 random bytes, sent as the cookie value in
 * base64url without padding (43 characters). Only a hash is stored: the
 * keyed BLAKE2b-256 of auth_token_hash() (the same pepper), so a database
 * dump holds nothing that signs anyone in. No HTTP here.
 */
#ifndef DDNS_AUTH_SESSION_H
#define DDNS_AUTH_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "auth/token.h"

#define AUTH_SESSION_TEXT_LEN 43
#define AUTH_SESSION_HASH_LEN AUTH_TOKEN_HASH_LEN

/*
 * A new random session secret: its text (NUL-terminated, textsz >=
 * AUTH_SESSION_TEXT_LEN + 1) and the hash to store. The caller wipes
 * text after sending it. Returns 0 or DDNS_ETRUNC.
 */
int auth_session_generate(char *text, size_t textsz,
			  uint8_t hash[AUTH_SESSION_HASH_LEN]);

/*
 * The hash of a session secret in text form (len bytes, need not be
 * NUL-terminated). Returns 0, or DDNS_EAUTH for anything that is not
 * exactly 43 canonical base64url characters. Never logs.
 */
int auth_session_hash(const char *text, size_t len,
		      uint8_t hash[AUTH_SESSION_HASH_LEN]);

#endif
