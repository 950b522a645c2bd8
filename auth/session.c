/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <sodium.h>

#include "auth/session.h"
#include "common/errors.h"

_Static_assert(AUTH_TOKEN_SECRET_LEN == 32, "a session secret is 256 bits");

static int b64url_ok(const char *s, size_t n);

static int
b64url_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return 0;
	return 1;
}

int
auth_session_generate(char *text, size_t textsz,
		      uint8_t hash[AUTH_SESSION_HASH_LEN])
{
	struct auth_token tok;

	if (text == NULL || textsz < AUTH_SESSION_TEXT_LEN + 1)
		return DDNS_ETRUNC;
	memset(&tok, 0, sizeof(tok));
	randombytes_buf(tok.secret, sizeof(tok.secret));
	sodium_bin2base64(text, textsz, tok.secret, sizeof(tok.secret),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	auth_token_hash(&tok, hash);
	auth_token_wipe(&tok);
	return 0;
}

int
auth_session_hash(const char *text, size_t len,
		  uint8_t hash[AUTH_SESSION_HASH_LEN])
{
	char canon[AUTH_SESSION_TEXT_LEN + 1];
	struct auth_token tok;
	const char *end = NULL;
	size_t binlen = 0;
	int ret = DDNS_EAUTH;

	memset(&tok, 0, sizeof(tok));
	if (text == NULL || len != AUTH_SESSION_TEXT_LEN ||
	    !b64url_ok(text, len))
		return DDNS_EAUTH;
	if (sodium_base642bin(tok.secret, sizeof(tok.secret), text, len, NULL,
			      &binlen, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    binlen != sizeof(tok.secret) || end != text + len)
		goto out;
	/* One spelling per secret: the unused low bits of the last
	 * character must be zero. */
	sodium_bin2base64(canon, sizeof(canon), tok.secret, sizeof(tok.secret),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (memcmp(canon, text, len) != 0)
		goto out;
	auth_token_hash(&tok, hash);
	ret = 0;
out:
	sodium_memzero(canon, sizeof(canon));
	auth_token_wipe(&tok);
	return ret;
}
