/* SPDX-License-Identifier: MIT */
/*
 * Pure parsers of what an update client sends: the dyndns2 parameters, a
 * form-encoded body and the HTTP Basic Authorization header. No I/O.
 */
#ifndef DDNS_API_PARAMS_H
#define DDNS_API_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/names.h"

#define API_DYNDNS2_MAX_HOSTS 20
#define API_CRED_MAX 256

struct api_kv {
	const char *key;
	const char *value; /* may be "" ; never NULL */
};

struct api_dyndns2_host {
	char name[DDNS_NAME_MAX + 1]; /* normalised, valid if status == 0 */
	int status;                   /* 0 or DDNS_ENOTFQDN */
};

struct api_dyndns2_req {
	struct api_dyndns2_host hosts[API_DYNDNS2_MAX_HOSTS];
	size_t nhosts;       /* 0: no hostname parameter given */
	bool has_v4, has_v6; /* addresses given by the client */
	struct ddns_addr v4, v6;
	bool offline;            /* offline=YES */
	bool has_prefix;         /* ip6lanprefix= or ipv6prefix= given */
	struct ddns_addr prefix; /* that LAN prefix, host bits zero */
	unsigned prefix_len;     /* its length, 1..128 */
	const char *username;    /* username= query parameter or NULL */
	const char *password;    /* password= query parameter or NULL; secret */
};

/*
 * Interprets decoded key/value pairs (query string and/or form body, in the
 * order received). Recognised: hostname (comma list, "" entries skipped),
 * myip (IPv4, IPv6 or a "v4,v6" pair of which either half may be empty:
 * FRITZ!Box sends "v4," or ",v6" for a missing family; "" = absent),
 * myipv4, myipv6, ip6lanprefix / ipv6prefix ("ADDR/LEN", LEN 1..128,
 * default 64; "" = absent; ipv6prefix wins if both), offline (YES
 * case-insensitive = true), username, password. An IPv4 address may carry
 * "/0".."/32" (a RouterOS interface address), which is dropped. Ignored:
 * system, wildcard, mx, backmx and any unknown key. For a repeated key the
 * last one wins. Keys are case-sensitive as sent by all known clients.
 * Returns 0; DDNS_ENUMHOST if more than API_DYNDNS2_MAX_HOSTS names;
 * DDNS_EBADADDR if an address or prefix parameter is present but does not
 * parse, or names two addresses of one family. On error req is unusable.
 */
int api_dyndns2_parse(const struct api_kv *kv, size_t n,
		      struct api_dyndns2_req *req);

/*
 * Decodes an application/x-www-form-urlencoded string in place ('+' is
 * space, %XX escapes) and stores up to maxkv pairs in kv (pointers into
 * buf). buf must be NUL-terminated at buf[len]. A decoded NUL byte makes
 * the input invalid. Returns 0, DDNS_EINVAL (bad escape, NUL) or
 * DDNS_ERANGE (more than maxkv pairs).
 */
int api_form_parse(char *buf, size_t len, struct api_kv *kv, size_t maxkv,
		   size_t *n);

/*
 * Parses an "Authorization: Basic <base64>" header value. user/pass get the
 * NUL-terminated parts (each at most API_CRED_MAX - 1 bytes; buffers must be
 * API_CRED_MAX). The scheme is case-insensitive. Returns 0 or DDNS_EAUTH
 * (not Basic, bad base64, no ':', too long, embedded NUL).
 */
int api_basic_auth_parse(const char *header, char *user, char *pass);

/*
 * Copies the NUL-terminated header value src into dst (dstsz bytes,
 * always NUL-terminated) as valid UTF-8, fit for a PostgreSQL text
 * column: each byte that does not begin a valid sequence becomes '?', and
 * a value too long is cut before the first character that does not fit.
 */
void api_text_copy(char *dst, size_t dstsz, const char *src);

#endif
