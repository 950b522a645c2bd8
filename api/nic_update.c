/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <sodium.h>

#include "api/nic_update.h"
#include "api/params.h"
#include "auth/limits.h"
#include "auth/token.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/metrics.h"
#include "db/conn.h"
#include "db/hosts.h"
#include "db/limits.h"

#define NIC_MAX_PARAMS 64
#define NIC_UA_MAX 200

/*
 * Result of one requested name: an error code, or one of these. NIC_BLOCKED:
 * the client's prefix failed to authenticate too often, nothing verified.
 */
enum { NIC_GOOD = 1, NIC_NOCHG = 2, NIC_BLOCKED = 3 };

struct nic_ctx {
	struct api_kv kv[NIC_MAX_PARAMS];
	size_t nkv;
	struct api_dyndns2_req dd;
	struct db_token_host th;
	struct auth_token tok;
	char source[64];
	char ua[NIC_UA_MAX + 1];
	bool presented;        /* credentials were sent (a failure counts) */
	unsigned retry_after;  /* seconds, with NIC_BLOCKED */
};

static const char *nic_word(int result);
static unsigned nic_status(int result);
static int nic_collect(struct api_request *req, struct nic_ctx *c);
static int nic_authenticate(const struct api_request *req, struct nic_ctx *c,
			    struct db_conn **db);
static int nic_apply(struct db_conn *db, struct nic_ctx *c);
static void nic_answer(struct api_response *resp, const struct nic_ctx *c,
		       const int *results, size_t n);
static void nic_default_address(const struct api_request *req,
				struct api_dyndns2_req *dd);
static bool addr_differs(bool want, const struct ddns_addr *a, bool have,
			 const struct ddns_addr *b);
static void nic_auth_failed(const struct api_request *req, struct nic_ctx *c,
			    struct db_conn *db);

/* The one place that maps results to dyndns2 code words... */
static const char *
nic_word(int result)
{
	switch (result) {
	case NIC_GOOD: return "good";
	case NIC_NOCHG: return "nochg";
	case DDNS_EAUTH:
	case NIC_BLOCKED: return "badauth";
	case DDNS_ENOHOST: return "nohost";
	case DDNS_ENOTFQDN: return "notfqdn";
	case DDNS_ENUMHOST: return "numhost";
	case DDNS_EABUSE: return "abuse";
	case DDNS_EBADADDR: return "dnserr";
	default: return "911";
	}
}

/* ...and to the HTTP status; a response takes the highest of its lines. */
static unsigned
nic_status(int result)
{
	switch (result) {
	case DDNS_EAUTH:
	case NIC_BLOCKED: return 401;
	case DDNS_EBADADDR: return 400;
	case NIC_GOOD:
	case NIC_NOCHG:
	case DDNS_ENOHOST:
	case DDNS_ENOTFQDN:
	case DDNS_ENUMHOST:
	case DDNS_EABUSE: return 200;
	default: return 503;
	}
}

/* Query string, then a form body: routers use either. */
static int
nic_collect(struct api_request *req, struct nic_ctx *c)
{
	size_t n = 0;
	int err;

	if (req->query != NULL) {
		err = api_form_parse(req->query, req->query_len, c->kv,
				     NIC_MAX_PARAMS, &n);
		if (err != 0)
			return DDNS_EBADADDR;
		c->nkv = n;
	}
	if (req->body_len > 0 && req->content_type != NULL &&
	    strncasecmp(req->content_type, "application/x-www-form-urlencoded",
			33) == 0) {
		err = api_form_parse(req->body, req->body_len, c->kv + c->nkv,
				     NIC_MAX_PARAMS - c->nkv, &n);
		if (err != 0)
			return DDNS_EBADADDR;
		c->nkv += n;
	}
	return 0;
}

static int
nic_authenticate(const struct api_request *req, struct nic_ctx *c,
		 struct db_conn **db)
{
	char user[API_CRED_MAX], pass[API_CRED_MAX];
	const char *secret = NULL;
	int err;

	if (req->authorization != NULL) {
		if (api_basic_auth_parse(req->authorization, user, pass) != 0)
			return DDNS_EAUTH;
		secret = pass;
	} else {
		for (size_t i = 0; i < c->nkv; i++)
			if (strcmp(c->kv[i].key, "password") == 0)
				secret = c->kv[i].value;
	}
	if (secret == NULL)
		return DDNS_EAUTH;
	c->presented = true;
	err = auth_token_parse(secret, strlen(secret), &c->tok);
	sodium_memzero(user, sizeof(user));
	sodium_memzero(pass, sizeof(pass));
	if (err != 0 || c->tok.kind != AUTH_TOKEN_HOST)
		return DDNS_EAUTH;
	if ((*db = db_thread_conn()) == NULL)
		return DDNS_EDB;
	err = db_token_host_lookup(*db, c->tok.public_id, &c->th);
	if (err == DDNS_ENOENT)
		return DDNS_EAUTH;
	if (err != 0)
		return err;
	return auth_token_verify(&c->tok, c->th.hash, c->th.hash_len);
}

/*
 * Wrong credentials count against the client's prefix in PostgreSQL, shared
 * by every instance; the answer tells this instance whether to block it.
 * Missing credentials do not count: clients may probe for the challenge.
 */
static void
nic_auth_failed(const struct api_request *req, struct nic_ctx *c,
		struct db_conn *db)
{
	const struct auth_limits_conf *lim = auth_limits();
	struct ddns_addr prefix;
	unsigned count, left;

	if (!c->presented || !req->has_client || lim->fail_max == 0)
		return;
	if (db == NULL && (db = db_thread_conn()) == NULL)
		return;
	auth_limits_prefix(&req->client, &prefix);
	if (db_auth_failure_record(db, &prefix, lim->fail_window_s, &count,
				   &left) != 0)
		return;
	if (auth_limits_failed(&req->client, count, left))
		log_warn("nic/update: client prefix blocked for %us after %u "
			 "failed authentications", left, count);
}

/* No address given: the address the request came from. */
static void
nic_default_address(const struct api_request *req, struct api_dyndns2_req *dd)
{
	if (dd->has_v4 || dd->has_v6 || dd->offline || !req->has_client)
		return;
	if (req->client.family == AF_INET) {
		dd->has_v4 = true;
		dd->v4 = req->client;
	} else {
		dd->has_v6 = true;
		dd->v6 = req->client;
	}
}

static bool
addr_differs(bool want, const struct ddns_addr *a, bool have,
	     const struct ddns_addr *b)
{
	if (!want)
		return false;
	return !have || memcmp(a->bytes, b->bytes, 16) != 0;
}

/* Decides good/nochg for the token's host and writes only on a change. */
static int
nic_apply(struct db_conn *db, struct nic_ctx *c)
{
	struct db_host *h = &c->th.host;
	struct db_host_change ch = { 0 };
	const struct api_dyndns2_req *dd = &c->dd;
	bool changed;
	int err;

	changed = dd->offline != h->offline ||
		  addr_differs(dd->has_v4, &dd->v4, h->has_v4, &h->v4) ||
		  addr_differs(dd->has_v6, &dd->v6, h->has_v6, &h->v6);
	/* Counted in memory: the nochg path stays free of writes. */
	if (!changed)
		return auth_limits_nochg(h->id) == 0 ? NIC_NOCHG : DDNS_EABUSE;
	ch.set_v4 = dd->has_v4;
	ch.v4 = dd->v4;
	ch.set_v6 = dd->has_v6;
	ch.v6 = dd->v6;
	ch.offline = dd->offline;
	ch.token_id = c->th.token_id;
	ch.source = c->source[0] ? c->source : NULL;
	ch.user_agent = c->ua[0] ? c->ua : NULL;
	ch.result = dd->offline ? "good offline" : "good";
	ch.via = "nic/update";
	ch.bucket_burst = auth_limits()->change_burst;
	ch.bucket_window_s = auth_limits()->change_window_s;
	if ((err = db_host_apply(db, h->id, h->account_id, &ch)) != 0)
		return err == DDNS_ENOENT ? DDNS_ENOHOST : err;
	/* A name repeated in the same request is then a nochg. */
	h->offline = dd->offline;
	if (dd->has_v4) {
		h->has_v4 = true;
		h->v4 = dd->v4;
	}
	if (dd->has_v6) {
		h->has_v6 = true;
		h->v6 = dd->v6;
	}
	return NIC_GOOD;
}

static void
nic_answer(struct api_response *resp, const struct nic_ctx *c,
	   const int *results, size_t n)
{
	char a4[48] = "", a6[48] = "";
	unsigned status = 200;

	if (c->dd.has_v4)
		ddns_addr_format(&c->dd.v4, a4, sizeof(a4));
	if (c->dd.has_v6)
		ddns_addr_format(&c->dd.v6, a6, sizeof(a6));
	resp->content_type = "text/plain; charset=utf-8";
	for (size_t i = 0; i < n; i++) {
		ddns_buf_append_str(&resp->body, nic_word(results[i]));
		ddns_metrics_nic(nic_word(results[i]));
		if ((results[i] == NIC_GOOD || results[i] == NIC_NOCHG) &&
		    (a4[0] || a6[0]))
			ddns_buf_appendf(&resp->body, " %s%s%s", a4,
					 a4[0] && a6[0] ? "," : "", a6);
		ddns_buf_append_str(&resp->body, "\n");
		if (nic_status(results[i]) > status)
			status = nic_status(results[i]);
	}
	resp->status = status;
	resp->log_result = nic_word(results[0]);
	if (status == 401)
		resp->www_authenticate = "Basic realm=\"ddnsd\"";
	if (results[0] == NIC_BLOCKED)
		api_add_header(resp, "Retry-After", "%u", c->retry_after);
}

void
api_nic_update(struct api_request *req, struct api_response *resp)
{
	struct nic_ctx c;
	struct db_conn *db = NULL;
	int results[API_DYNDNS2_MAX_HOSTS];
	size_t n = 1;
	int err;

	memset(&c, 0, sizeof(c));
	if (req->has_client &&
	    (c.retry_after = auth_limits_blocked(&req->client)) > 0) {
		results[0] = NIC_BLOCKED;
		goto answer;
	}
	err = nic_collect(req, &c);
	if (err == 0) {
		err = nic_authenticate(req, &c, &db);
		if (err == DDNS_EAUTH)
			nic_auth_failed(req, &c, db);
	}
	if (err == 0)
		err = api_dyndns2_parse(c.kv, c.nkv, &c.dd);
	if (err != 0) {
		results[0] = err;
		goto answer;
	}
	snprintf(resp->log_host, sizeof(resp->log_host), "%s", c.th.host.fqdn);
	resp->log_account = c.th.host.account_id;
	if (req->has_client)
		ddns_addr_format(&req->client, c.source, sizeof(c.source));
	if (req->user_agent != NULL)
		api_text_copy(c.ua, sizeof(c.ua), req->user_agent);
	nic_default_address(req, &c.dd);
	if (c.dd.nhosts == 0) {
		/* No hostname=: the token names its host. */
		results[0] = nic_apply(db, &c);
		goto answer;
	}
	n = c.dd.nhosts;
	for (size_t i = 0; i < n; i++) {
		if (c.dd.hosts[i].status != 0)
			results[i] = c.dd.hosts[i].status;
		else if (strcmp(c.dd.hosts[i].name, c.th.host.fqdn) != 0)
			results[i] = DDNS_ENOHOST;
		else
			results[i] = nic_apply(db, &c);
	}
answer:
	nic_answer(resp, &c, results, n);
	auth_token_wipe(&c.tok);
	sodium_memzero(&c, sizeof(c));
}
