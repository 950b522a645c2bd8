/* SPDX-License-Identifier: MIT */
/*
 * Token generation, parsing and verification. The text form is
 * "<kind>_<base32 id>_<base64url secret>"; parsing is strict so that one
 * token has exactly one spelling.
 */
#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "auth/token.h"
#include "common/errors.h"
#include "common/metrics.h"

#define ID_BYTES 12
#define SECRET_B64_LEN 43
#define KIND_LEN 3

_Static_assert(AUTH_TOKEN_ID_LEN == (ID_BYTES * 8 + 4) / 5,
	       "public id length does not match its byte count");
_Static_assert(SECRET_B64_LEN + 1 ==
		       sodium_base64_ENCODED_LEN(
			       AUTH_TOKEN_SECRET_LEN,
			       sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	       "secret text length does not match its byte count");
_Static_assert(AUTH_TOKEN_HASH_LEN >= crypto_generichash_BYTES_MIN &&
		       AUTH_TOKEN_HASH_LEN <= crypto_generichash_BYTES_MAX,
	       "hash length unsupported by BLAKE2b");
_Static_assert(AUTH_PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES,
	       "password hash buffer too small");

static const char b32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

/* The pepper-derived key; written once by auth_init() before threads. */
static uint8_t pepper_key[crypto_generichash_KEYBYTES];
static size_t pepper_keylen;

static size_t b32_encode(const uint8_t *in, size_t n, char *out);
static int b32_value(char c);
static int b32_decode(const char *in, size_t len, uint8_t *out, size_t n);
static const char *kind_prefix(enum auth_token_kind kind);
static bool b64url_char_ok(char c);

/* Encodes n bytes into ceil(8n/5) characters plus a NUL; returns length. */
static size_t
b32_encode(const uint8_t *in, size_t n, char *out)
{
	uint32_t acc = 0;
	unsigned int bits = 0;
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alphabet[(acc >> bits) & 0x1f];
		}
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 0x1f];
	out[o] = '\0';
	return o;
}

static int
b32_value(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/*
 * Decodes exactly n bytes from len characters. Fails on a wrong length,
 * a character outside the lower-case alphabet, or non-zero padding bits
 * (a second spelling of the same bytes).
 */
static int
b32_decode(const char *in, size_t len, uint8_t *out, size_t n)
{
	uint32_t acc = 0;
	unsigned int bits = 0;
	size_t i, o = 0;
	int v;

	if (len != (n * 8 + 4) / 5)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = b32_value(in[i])) < 0)
			return -1;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (o != n || (acc & ((1u << bits) - 1)) != 0)
		return -1;
	return 0;
}

static const char *
kind_prefix(enum auth_token_kind kind)
{
	switch (kind) {
	case AUTH_TOKEN_HOST: return "ddh";
	case AUTH_TOKEN_ACCOUNT: return "dda";
	}
	return NULL;
}

static bool
b64url_char_ok(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
auth_init(const char *pepper)
{
	if (sodium_init() < 0)
		return DDNS_EINVAL;
	sodium_memzero(pepper_key, sizeof(pepper_key));
	pepper_keylen = 0;
	if (pepper != NULL && pepper[0] != '\0') {
		crypto_generichash(pepper_key, sizeof(pepper_key),
				   (const unsigned char *)pepper,
				   strlen(pepper), NULL, 0);
		pepper_keylen = sizeof(pepper_key);
	}
	return 0;
}

int
auth_token_generate(enum auth_token_kind kind, struct auth_token *tok,
		    char *text, size_t textsz)
{
	uint8_t id[ID_BYTES];
	const char *prefix;
	char *p;

	if (text != NULL && textsz > 0)
		text[0] = '\0';
	if ((prefix = kind_prefix(kind)) == NULL || tok == NULL)
		return DDNS_EINVAL;
	if (text == NULL || textsz < AUTH_TOKEN_TEXT_LEN + 1)
		return DDNS_ETRUNC;

	memset(tok, 0, sizeof(*tok));
	tok->kind = kind;
	randombytes_buf(id, sizeof(id));
	b32_encode(id, sizeof(id), tok->public_id);
	randombytes_buf(tok->secret, sizeof(tok->secret));

	p = text;
	memcpy(p, prefix, KIND_LEN);
	p += KIND_LEN;
	*p++ = '_';
	memcpy(p, tok->public_id, AUTH_TOKEN_ID_LEN);
	p += AUTH_TOKEN_ID_LEN;
	*p++ = '_';
	sodium_bin2base64(p, textsz - (size_t)(p - text), tok->secret,
			  sizeof(tok->secret),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

int
auth_token_parse(const char *text, size_t len, struct auth_token *tok)
{
	uint8_t id[ID_BYTES];
	char canon[AUTH_TOKEN_ID_LEN + 1];
	const char *idp, *sp, *end = NULL;
	size_t binlen = 0, i;

	if (tok == NULL)
		return DDNS_EAUTH;
	memset(tok, 0, sizeof(*tok));
	if (text == NULL || len != AUTH_TOKEN_TEXT_LEN)
		return DDNS_EAUTH;

	if (memcmp(text, "ddh_", KIND_LEN + 1) == 0)
		tok->kind = AUTH_TOKEN_HOST;
	else if (memcmp(text, "dda_", KIND_LEN + 1) == 0)
		tok->kind = AUTH_TOKEN_ACCOUNT;
	else
		return DDNS_EAUTH;

	idp = text + KIND_LEN + 1;
	sp = idp + AUTH_TOKEN_ID_LEN + 1;
	if (idp[AUTH_TOKEN_ID_LEN] != '_')
		goto bad;
	if (b32_decode(idp, AUTH_TOKEN_ID_LEN, id, sizeof(id)) != 0)
		goto bad;
	/* Belt and braces: the id must be the canonical spelling. */
	b32_encode(id, sizeof(id), canon);
	if (memcmp(canon, idp, AUTH_TOKEN_ID_LEN) != 0)
		goto bad;
	memcpy(tok->public_id, canon, sizeof(canon));

	/* libsodium stops at the first foreign byte; check them all first. */
	for (i = 0; i < SECRET_B64_LEN; i++) {
		if (!b64url_char_ok(sp[i]))
			goto bad;
	}
	if (sodium_base642bin(tok->secret, sizeof(tok->secret), sp,
			      SECRET_B64_LEN, NULL, &binlen, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    binlen != sizeof(tok->secret) || end != sp + SECRET_B64_LEN)
		goto bad;
	return 0;
bad:
	auth_token_wipe(tok);
	return DDNS_EAUTH;
}

void
auth_token_hash(const struct auth_token *tok, uint8_t hash[AUTH_TOKEN_HASH_LEN])
{
	const uint8_t *key = pepper_keylen > 0 ? pepper_key : NULL;

	crypto_generichash(hash, AUTH_TOKEN_HASH_LEN, tok->secret,
			   sizeof(tok->secret), key, pepper_keylen);
}

int
auth_token_verify(const struct auth_token *tok, const uint8_t *stored,
		  size_t stored_len)
{
	uint8_t hash[AUTH_TOKEN_HASH_LEN];
	int ret;

	if (tok == NULL || stored == NULL || stored_len != AUTH_TOKEN_HASH_LEN)
		return DDNS_EAUTH;
	auth_token_hash(tok, hash);
	ret = sodium_memcmp(hash, stored, sizeof(hash)) == 0 ? 0 : DDNS_EAUTH;
	sodium_memzero(hash, sizeof(hash));
	ddns_metrics_token_verify(ret == 0);
	return ret;
}

void
auth_token_wipe(struct auth_token *tok)
{
	if (tok != NULL)
		sodium_memzero(tok, sizeof(*tok));
}

int
auth_password_hash(const char *pw, char *out, size_t outsz)
{
	if (out != NULL && outsz > 0)
		out[0] = '\0';
	if (pw == NULL)
		return DDNS_EINVAL;
	if (out == NULL || outsz < crypto_pwhash_STRBYTES)
		return DDNS_ETRUNC;
	if (crypto_pwhash_str(out, pw, strlen(pw),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return DDNS_ENOMEM;
	return 0;
}

int
auth_password_verify(const char *hash, const char *pw)
{
	if (hash == NULL || pw == NULL)
		return DDNS_EAUTH;
	/* A stored value that is not a string of the expected size is no
	 * match, whatever libsodium would make of it. */
	if (strnlen(hash, AUTH_PASSWORD_HASH_MAX) >= crypto_pwhash_STRBYTES)
		return DDNS_EAUTH;
	if (crypto_pwhash_str_verify(hash, pw, strlen(pw)) != 0)
		return DDNS_EAUTH;
	return 0;
}
