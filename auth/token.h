/* SPDX-License-Identifier: MIT */
/*
 * Tokens: "<kind>_<public id>_<secret>". kind is "ddh" (host update token)
 * or "dda" (account API token); the public id is 12 random bytes in
 * lower-case RFC 4648 base32 without padding (20 chars); the secret is 32
 * random bytes in base64url without padding (43 chars). Only a BLAKE2b-256
 * hash of the secret, keyed with the server pepper, is ever stored.
 */
#ifndef DDNS_AUTH_TOKEN_H
#define DDNS_AUTH_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define AUTH_TOKEN_ID_LEN 20
#define AUTH_TOKEN_SECRET_LEN 32
#define AUTH_TOKEN_HASH_LEN 32
#define AUTH_TOKEN_TEXT_LEN (3 + 1 + AUTH_TOKEN_ID_LEN + 1 + 43)
#define AUTH_PASSWORD_HASH_MAX 128 /* >= crypto_pwhash_STRBYTES */

enum auth_token_kind { AUTH_TOKEN_HOST, AUTH_TOKEN_ACCOUNT };

struct auth_token {
	enum auth_token_kind kind;
	char public_id[AUTH_TOKEN_ID_LEN + 1];
	uint8_t secret[AUTH_TOKEN_SECRET_LEN];
};

/*
 * Initialises libsodium and sets the pepper that keys the token hash.
 * pepper may be NULL or empty (no key). Call once, before threads start.
 * Returns 0 or DDNS_EINVAL (libsodium failed to initialise).
 */
int auth_init(const char *pepper);

/*
 * Creates a new random token of the given kind. Fills tok and writes its
 * text form (NUL-terminated) into text, textsz >= AUTH_TOKEN_TEXT_LEN + 1.
 * Returns 0 or DDNS_ETRUNC.
 */
int auth_token_generate(enum auth_token_kind kind, struct auth_token *tok,
			char *text, size_t textsz);

/*
 * Parses the text form (len bytes, need not be NUL-terminated). Returns 0,
 * or DDNS_EAUTH for anything malformed (wrong kind prefix, lengths,
 * alphabet). Never logs.
 */
int auth_token_parse(const char *text, size_t len, struct auth_token *tok);

/* Keyed BLAKE2b-256 of the secret into hash. */
void auth_token_hash(const struct auth_token *tok,
		     uint8_t hash[AUTH_TOKEN_HASH_LEN]);

/*
 * Constant-time check of tok's secret against a stored hash. Returns 0 if
 * they match, DDNS_EAUTH otherwise (also when stored_len is wrong).
 */
int auth_token_verify(const struct auth_token *tok, const uint8_t *stored,
		      size_t stored_len);

/* Wipes the secret from memory. NULL-safe. */
void auth_token_wipe(struct auth_token *tok);

/* argon2id (crypto_pwhash_str, interactive limits) of a password into out
 * (outsz >= AUTH_PASSWORD_HASH_MAX). Returns 0, DDNS_ENOMEM. */
int auth_password_hash(const char *pw, char *out, size_t outsz);

/* Returns 0 if pw matches hash, DDNS_EAUTH otherwise. */
int auth_password_verify(const char *hash, const char *pw);

#endif
