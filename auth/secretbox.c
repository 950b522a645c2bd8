/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth/secretbox.h"
#include "common/errors.h"

#define KEYFILE_MAX 256

static int read_key(const char *path, uint8_t key[AUTH_BOX_KEY_LEN], char *err,
		    size_t errsz);
static void ad_bytes(long long ad, uint8_t out[8]);
static int open_with(const uint8_t *key, const uint8_t *sealed, size_t len,
		     long long ad, uint8_t *out, size_t *outlen);

/* keys[0] current, keys[1] old; in sodium_malloc'd (guarded) memory. */
static uint8_t *keys;
static bool have_key, have_old;

static int
read_key(const char *path, uint8_t key[AUTH_BOX_KEY_LEN], char *err,
	 size_t errsz)
{
	char buf[KEYFILE_MAX + 1];
	size_t n, keylen = 0;
	const char *end = NULL;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: cannot be read", path);
		return DDNS_ECONFIG;
	}
	n = fread(buf, 1, KEYFILE_MAX + 1, f);
	fclose(f);
	if (n > KEYFILE_MAX) {
		sodium_memzero(buf, sizeof(buf));
		snprintf(err, errsz, "%s: larger than a key file", path);
		return DDNS_ECONFIG;
	}
	buf[n] = '\0';
	if (sodium_base642bin(key, AUTH_BOX_KEY_LEN, buf, n, " \t\r\n", &keylen,
			      &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    keylen != AUTH_BOX_KEY_LEN ||
	    strspn(end, " \t\r\n") != strlen(end)) {
		sodium_memzero(buf, sizeof(buf));
		sodium_memzero(key, AUTH_BOX_KEY_LEN);
		snprintf(err, errsz,
			 "%s: expected the base64 of 32 bytes (openssl rand "
			 "-base64 32)",
			 path);
		return DDNS_ECONFIG;
	}
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

int
auth_box_init(const char *path, const char *old_path, char *err, size_t errsz)
{
	int ret;

	if (path == NULL)
		return 0;
	if (sodium_init() < 0) {
		snprintf(err, errsz, "cannot initialise libsodium");
		return DDNS_ECONFIG;
	}
	if (keys == NULL &&
	    (keys = sodium_malloc(2 * AUTH_BOX_KEY_LEN)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return DDNS_ECONFIG;
	}
	if ((ret = read_key(path, keys, err, errsz)) != 0)
		return ret;
	have_key = true;
	if (old_path != NULL) {
		if ((ret = read_key(old_path, keys + AUTH_BOX_KEY_LEN, err,
				    errsz)) != 0)
			return ret;
		have_old = true;
	}
	return 0;
}

bool
auth_box_ready(void)
{
	return have_key;
}

/* The associated data: the zone id, 8 bytes big-endian. */
static void
ad_bytes(long long ad, uint8_t out[8])
{
	unsigned long long v = (unsigned long long)ad;

	for (int i = 7; i >= 0; i--, v >>= 8)
		out[i] = (uint8_t)v;
}

int
auth_box_seal(const uint8_t *plain, size_t len, long long ad, uint8_t *out,
	      size_t *outlen)
{
	uint8_t adb[8];
	unsigned long long clen;

	if (!have_key)
		return DDNS_EACCES;
	if (len > AUTH_BOX_PLAIN_MAX)
		return DDNS_EINVAL;
	ad_bytes(ad, adb);
	randombytes_buf(out, AUTH_BOX_NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		out + AUTH_BOX_NONCE_LEN, &clen, plain, len, adb, sizeof(adb),
		NULL, out, keys);
	*outlen = AUTH_BOX_NONCE_LEN + (size_t)clen;
	return 0;
}

static int
open_with(const uint8_t *key, const uint8_t *sealed, size_t len, long long ad,
	  uint8_t *out, size_t *outlen)
{
	uint8_t adb[8];
	unsigned long long plen;

	if (len < AUTH_BOX_NONCE_LEN + AUTH_BOX_MAC_LEN ||
	    len > AUTH_BOX_SEALED_MAX)
		return DDNS_EBADSIG;
	ad_bytes(ad, adb);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    out, &plen, NULL, sealed + AUTH_BOX_NONCE_LEN,
		    len - AUTH_BOX_NONCE_LEN, adb, sizeof(adb), sealed,
		    key) != 0)
		return DDNS_EBADSIG;
	*outlen = (size_t)plen;
	return 0;
}

int
auth_box_open(const uint8_t *sealed, size_t len, long long ad, uint8_t *out,
	      size_t *outlen, bool *old)
{
	if (old != NULL)
		*old = false;
	if (!have_key)
		return DDNS_EACCES;
	if (open_with(keys, sealed, len, ad, out, outlen) == 0)
		return 0;
	if (have_old && open_with(keys + AUTH_BOX_KEY_LEN, sealed, len, ad, out,
				  outlen) == 0) {
		if (old != NULL)
			*old = true;
		return 0;
	}
	return DDNS_EBADSIG;
}

static const uint8_t check_text[] = "ddnsd secret key check";

int
auth_box_check_make(uint8_t *out, size_t *outlen)
{
	return auth_box_seal(check_text, sizeof(check_text), AUTH_BOX_CHECK_AD,
			     out, outlen);
}

int
auth_box_check_verify(const uint8_t *sealed, size_t len)
{
	uint8_t plain[AUTH_BOX_PLAIN_MAX];
	size_t plen = 0;
	int err = auth_box_open(sealed, len, AUTH_BOX_CHECK_AD, plain, &plen,
				NULL);

	if (err == 0 && (plen != sizeof(check_text) ||
			 memcmp(plain, check_text, plen) != 0))
		err = DDNS_EBADSIG;
	return err;
}
