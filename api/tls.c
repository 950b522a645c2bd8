/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/x509.h>
#include <sodium.h>

#include "api/tls.h"
#include "common/errors.h"

#define TLS_CHAIN_MAX 16
#define TLS_PEM_MAX (1024 * 1024)

/* One certificate chain and its key, as handed to GnuTLS. */
struct tls_cred {
	gnutls_pcert_st pcert[TLS_CHAIN_MAX];
	unsigned int npcert;
	gnutls_privkey_t key;
	struct tls_cred *older; /* replaced ones, kept until api_tls_free */
};

struct api_tls {
	pthread_mutex_t lock;           /* serialises reloads */
	_Atomic(struct tls_cred *) cur; /* what new handshakes get */
};

static _Atomic(struct api_tls *) tls_active;

static void cred_free(struct tls_cred *c);
static struct tls_cred *cred_parse(const char *cert_pem, const char *key_pem,
				   char *err, size_t errlen);
static int key_matches(struct tls_cred *c);
static int read_file(const char *path, char **out, char *err, size_t errlen);

static void
cred_free(struct tls_cred *c)
{
	if (c == NULL)
		return;
	for (unsigned int i = 0; i < c->npcert; i++)
		gnutls_pcert_deinit(&c->pcert[i]);
	if (c->key != NULL)
		gnutls_privkey_deinit(c->key);
	free(c);
}

/* 0 when the leaf's public key is the private key's public half. */
static int
key_matches(struct tls_cred *c)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t a = { NULL, 0 }, b = { NULL, 0 };
	int ret = DDNS_EINVAL;

	if (gnutls_pubkey_init(&pub) < 0)
		return DDNS_ENOMEM;
	if (gnutls_pubkey_import_privkey(pub, c->key, 0, 0) < 0 ||
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &a) < 0 ||
	    gnutls_pubkey_export2(c->pcert[0].pubkey, GNUTLS_X509_FMT_DER, &b) <
		    0)
		goto out;
	if (a.size == b.size && memcmp(a.data, b.data, a.size) == 0)
		ret = 0;
out:
	gnutls_free(a.data);
	gnutls_free(b.data);
	gnutls_pubkey_deinit(pub);
	return ret;
}

static struct tls_cred *
cred_parse(const char *cert_pem, const char *key_pem, char *err, size_t errlen)
{
	struct tls_cred *c;
	gnutls_datum_t d;
	int ret;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d.data = (unsigned char *)(uintptr_t)cert_pem;
	d.size = (unsigned int)strlen(cert_pem);
	c->npcert = TLS_CHAIN_MAX;
	ret = gnutls_pcert_list_import_x509_raw(c->pcert, &c->npcert, &d,
						GNUTLS_X509_FMT_PEM, 0);
	if (ret < 0 || c->npcert == 0) {
		c->npcert = 0;
		snprintf(err, errlen, "certificate: %s",
			 ret < 0 ? gnutls_strerror(ret) : "no certificate");
		goto fail;
	}
	if ((ret = gnutls_privkey_init(&c->key)) < 0) {
		snprintf(err, errlen, "key: %s", gnutls_strerror(ret));
		goto fail;
	}
	d.data = (unsigned char *)(uintptr_t)key_pem;
	d.size = (unsigned int)strlen(key_pem);
	ret = gnutls_privkey_import_x509_raw(c->key, &d, GNUTLS_X509_FMT_PEM,
					     NULL, 0);
	if (ret < 0) {
		snprintf(err, errlen, "key: %s", gnutls_strerror(ret));
		goto fail;
	}
	if (key_matches(c) != 0) {
		snprintf(err, errlen,
			 "the key does not belong to the certificate");
		goto fail;
	}
	return c;
fail:
	cred_free(c);
	return NULL;
}

struct api_tls *
api_tls_new(const char *cert_pem, const char *key_pem, char *err, size_t errlen)
{
	struct api_tls *t;
	struct tls_cred *c;

	if ((c = cred_parse(cert_pem, key_pem, err, errlen)) == NULL)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		cred_free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	atomic_store(&t->cur, c);
	return t;
}

/* The whole file into *out (caller frees and wipes); 0 or DDNS_EIO. */
static int
read_file(const char *path, char **out, char *err, size_t errlen)
{
	FILE *f;
	char *buf;
	size_t n;
	int ret = DDNS_EIO;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return DDNS_EIO;
	}
	if ((buf = malloc(TLS_PEM_MAX + 1)) == NULL) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return DDNS_ENOMEM;
	}
	n = fread(buf, 1, TLS_PEM_MAX + 1, f);
	if (ferror(f) || n == 0 || n > TLS_PEM_MAX) {
		snprintf(err, errlen, "%s: %s", path,
			 ferror(f) ? strerror(errno)
			 : n == 0  ? "empty file"
				   : "larger than 1 MiB");
		sodium_memzero(buf, TLS_PEM_MAX + 1);
		free(buf);
	} else {
		buf[n] = '\0';
		*out = buf;
		ret = 0;
	}
	fclose(f);
	return ret;
}

int
api_tls_reload(struct api_tls *t, const char *cert_path, const char *key_path,
	       char *err, size_t errlen)
{
	char *cert = NULL, *key = NULL, why[200];
	struct tls_cred *c = NULL;
	int ret;

	if ((ret = read_file(cert_path, &cert, err, errlen)) != 0 ||
	    (ret = read_file(key_path, &key, err, errlen)) != 0)
		goto out;
	if ((c = cred_parse(cert, key, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s", why);
		ret = DDNS_EINVAL;
		goto out;
	}
	pthread_mutex_lock(&t->lock);
	c->older = atomic_load(&t->cur);
	atomic_store(&t->cur, c);
	pthread_mutex_unlock(&t->lock);
	ret = 0;
out:
	if (key != NULL)
		sodium_memzero(key, strlen(key));
	free(key);
	free(cert);
	return ret;
}

void
api_tls_describe(struct api_tls *t, char *buf, size_t n)
{
	struct tls_cred *c = atomic_load(&t->cur);
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t dn = { NULL, 0 };
	char until[32] = "?";
	time_t exp;
	struct tm tm;

	snprintf(buf, n, "?");
	if (gnutls_x509_crt_init(&crt) < 0)
		return;
	if (gnutls_x509_crt_import(crt, &c->pcert[0].cert,
				   GNUTLS_X509_FMT_DER) >= 0 &&
	    gnutls_x509_crt_get_dn3(crt, &dn, 0) >= 0) {
		exp = gnutls_x509_crt_get_expiration_time(crt);
		if (exp != (time_t)-1 && gmtime_r(&exp, &tm) != NULL)
			strftime(until, sizeof(until), "%Y-%m-%d %H:%M:%SZ",
				 &tm);
		snprintf(buf, n, "%.*s, valid until %s", (int)dn.size,
			 (const char *)dn.data, until);
	}
	gnutls_free(dn.data);
	gnutls_x509_crt_deinit(crt);
}

void
api_tls_activate(struct api_tls *t)
{
	atomic_store(&tls_active, t);
}

int
api_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca,
		 int nreqs, const gnutls_pk_algorithm_t *algos, int nalgos,
		 gnutls_pcert_st **pcert, unsigned int *pcert_length,
		 gnutls_privkey_t *key)
{
	struct api_tls *t = atomic_load(&tls_active);
	struct tls_cred *c;

	(void)session;
	(void)req_ca;
	(void)nreqs;
	(void)algos;
	(void)nalgos;
	if (t == NULL || (c = atomic_load(&t->cur)) == NULL)
		return -1;
	*pcert = c->pcert;
	*pcert_length = c->npcert;
	*key = c->key;
	return 0;
}

void
api_tls_free(struct api_tls *t)
{
	struct tls_cred *c, *next;

	if (t == NULL)
		return;
	if (atomic_load(&tls_active) == t)
		atomic_store(&tls_active, NULL);
	for (c = atomic_load(&t->cur); c != NULL; c = next) {
		next = c->older;
		cred_free(c);
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}
