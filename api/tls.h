/* SPDX-License-Identifier: MIT */
/*
 * Reloadable TLS credentials of the HTTP server. libmicrohttpd asks
 * api_tls_retrieve() (MHD_OPTION_HTTPS_CERT_CALLBACK, GnuTLS) for the
 * certificate chain and key of every new handshake; a reload swaps what
 * it hands out, so new connections get the new certificate while those in
 * flight keep theirs. Replaced credentials stay allocated until
 * api_tls_free(): a session may still point into them, and a certificate
 * is renewed a few times a year, not per request.
 */
#ifndef DDNS_API_TLS_H
#define DDNS_API_TLS_H

#include <stddef.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

struct api_tls;

/*
 * Parses a PEM certificate chain (leaf first, up to 16) and its private
 * key; the key must belong to the leaf. Returns a new store (free with
 * api_tls_free), or NULL with the reason in err (never key material).
 */
struct api_tls *api_tls_new(const char *cert_pem, const char *key_pem,
			    char *err, size_t errlen);

/*
 * Reads cert_path and key_path again (each at most 1 MiB) and, when they
 * parse and belong together, makes them the credentials of new
 * handshakes. 0; or DDNS_EIO (a file cannot be read), DDNS_EINVAL (does
 * not parse, or key and certificate differ), DDNS_ENOMEM, with the reason
 * in err: the credentials in use stay. Thread-safe.
 */
int api_tls_reload(struct api_tls *t, const char *cert_path,
		   const char *key_path, char *err, size_t errlen);

/* "subject DN, valid until YYYY-MM-DD" of the current leaf, into buf. */
void api_tls_describe(struct api_tls *t, char *buf, size_t n);

/*
 * Makes t the store api_tls_retrieve() serves from (one per process: the
 * GnuTLS callback has no user pointer). NULL stops serving.
 */
void api_tls_activate(struct api_tls *t);

/* The gnutls_certificate_retrieve_function2 for libmicrohttpd. */
int api_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca,
		     int nreqs, const gnutls_pk_algorithm_t *algos, int nalgos,
		     gnutls_pcert_st **pcert, unsigned int *pcert_length,
		     gnutls_privkey_t *key);

/* Frees the store and every set of credentials it ever held. NULL-safe. */
void api_tls_free(struct api_tls *t);

#endif
