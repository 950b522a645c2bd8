/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <sodium.h>

#include "api/lookup.h"
#include "api/nic_update.h"
#include "api/writer.h"
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
enum { NIC_GOOD = 1, NIC_NOCHG = 2, NIC_BLOCKED = 3, NIC_WRITE = 4 };

/* Where a suspended request resumes. */
enum nic_phase {
	NIC_PHASE_LOOKUP = 1,
	NIC_PHASE_WRITE = 2,
	NIC_PHASE_AUTHFAIL = 3 /* recording a failed authentication */
};

struct nic_ctx {
	struct api_kv kv[NIC_MAX_PARAMS];
	size_t nkv;
	struct api_dyndns2_req dd;
	struct db_token_host th;
	struct auth_token tok;
	char source[64];
	char ua[NIC_UA_MAX + 1];
	bool presented;           /* credentials were sent (a failure counts) */
	struct ddns_addr client;  /* for recording a failure */
	unsigned retry_after;     /* seconds, with NIC_BLOCKED */
	struct api_lookup lookup; /* the token's host, read in a group */
	struct api_write write;   /* a change, on a writer thread */
	enum nic_phase phase;
	int results[API_DYNDNS2_MAX_HOSTS];
	size_t n, next; /* answer lines; the next to decide */
};

static const char *nic_word(int result);
static unsigned nic_status(int result);
static int nic_collect(struct api_request *req, struct nic_ctx *c);
static int nic_credentials(const struct api_request *req, struct nic_ctx *c);
static int nic_verify(struct nic_ctx *c);
static void nic_finish(struct api_request *req, struct api_response *resp,
		       struct nic_ctx *c, int err);
static void nic_ctx_free(void *state);
static int nic_decide(struct nic_ctx *c);
static int nic_applied(struct nic_ctx *c);
static void nic_run(struct api_request *req, struct api_response *resp,
		    struct nic_ctx *c);
static void nic_answer(struct api_response *resp, const struct nic_ctx *c,
		       const int *results, size_t n);
static void nic_default_address(const struct api_request *req,
				struct api_dyndns2_req *dd);
static bool addr_differs(bool want, const struct ddns_addr *a, bool have,
			 const struct ddns_addr *b);
static bool prefix_differs(const struct api_dyndns2_req *dd,
			   const struct db_host *h);
static void nic_follower(const struct db_host *h, struct api_dyndns2_req *dd);
static bool nic_auth_failed(struct api_request *req, struct api_response *resp,
			    struct nic_ctx *c);
static void nic_auth_record(struct db_conn *db, void *arg);

/* The one place that maps results to dyndns2 code words... */
static const char *
nic_word(int result)
{
	switch (result) {
	case NIC_GOOD: return "good";
	case NIC_NOCHG: return "nochg";
	case DDNS_EAUTH: return "badauth";
	case NIC_BLOCKED: return "abuse";
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
	case DDNS_EAUTH: return 401;
	/* Not badauth: many routers take that as final and stop updating,
	 * and a blocked prefix may be a CGNAT address shared with them. */
	case NIC_BLOCKED: return 429;
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

/* The token from the request; its host is then read in a group lookup. */
static int
nic_credentials(const struct api_request *req, struct nic_ctx *c)
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
	return 0;
}

/* After the group lookup: the secret against the stored hash. */
static int
nic_verify(struct nic_ctx *c)
{
	if (c->lookup.err == DDNS_ENOENT)
		return DDNS_EAUTH;
	if (c->lookup.err != 0)
		return c->lookup.err;
	c->th = c->lookup.th;
	return auth_token_verify(&c->tok, c->th.hash, c->th.hash_len);
}

/*
 * Wrong credentials count against the client's prefix in PostgreSQL, shared
 * by every instance; the answer tells this instance whether to block it.
 * Missing credentials do not count: clients may probe for the challenge.
 * The count is written on a writer thread (an HTTP thread never waits for
 * PostgreSQL) while the request waits: true when it was queued so.
 */
static bool
nic_auth_failed(struct api_request *req, struct api_response *resp,
		struct nic_ctx *c)
{
	if (!c->presented || !req->has_client || auth_limits()->fail_max == 0)
		return false;
	c->client = req->client;
	memset(&c->write, 0, sizeof(c->write));
	c->write.run = nic_auth_record;
	c->write.run_arg = c;
	c->write.wait.submit = api_writer_submit;
	c->phase = NIC_PHASE_AUTHFAIL;
	req->handler_state = c;
	req->handler_state_free = nic_ctx_free;
	resp->wait = &c->write.wait;
	return true;
}

/* On a writer thread: nic_auth_failed()'s count, and the block it calls for. */
static void
nic_auth_record(struct db_conn *db, void *arg)
{
	const struct auth_limits_conf *lim = auth_limits();
	const struct ddns_addr client = ((struct nic_ctx *)arg)->client;
	struct db_auth_prefixes px;
	struct db_auth_counts n;

	if (db == NULL)
		return;
	auth_limits_prefix(&client, &px.narrow);
	auth_limits_wide_prefix(&client, &px.wide);
	px.narrow_len = auth_limits_prefix_len(&client, false);
	px.wide_len = auth_limits_prefix_len(&client, true);
	if (db_auth_failure_record(db, &px, lim->fail_window_s, &n) != 0)
		return;
	if (auth_limits_failed(&client, n.narrow, n.narrow_left_s))
		log_warn("nic/update: client prefix blocked for %us after %u "
			 "failed authentications",
			 n.narrow_left_s, n.narrow);
	if (auth_limits_failed_wide(&client, n.wide, n.wide_left_s))
		log_warn("nic/update: wide client prefix (/%u) blocked for "
			 "%us after %u failed authentications",
			 px.wide_len, n.wide_left_s, n.wide);
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

/* The LAN prefix is the one of the latest update: none sent clears it. */
static bool
prefix_differs(const struct api_dyndns2_req *dd, const struct db_host *h)
{
	if (dd->has_prefix != h->has_prefix)
		return true;
	return dd->has_prefix &&
	       (dd->prefix_len != h->prefix_len ||
		memcmp(dd->prefix.bytes, h->prefix.bytes, 16) != 0);
}

/*
 * A follower's AAAA (and its A, with ipv4_follows) comes from the host it
 * follows; an update of its own only sets what is its own.
 */
static void
nic_follower(const struct db_host *h, struct api_dyndns2_req *dd)
{
	if (!h->follower)
		return;
	dd->has_v6 = false;
	if (h->ipv4_follows)
		dd->has_v4 = false;
}

/*
 * Decides good/nochg for the token's host: NIC_NOCHG (or abuse), or
 * NIC_WRITE with the change prepared in c->write for a writer thread.
 */
static int
nic_decide(struct nic_ctx *c)
{
	struct db_host *h = &c->th.host;
	struct db_host_change *ch = &c->write.ch;
	const struct api_dyndns2_req *dd = &c->dd;
	bool changed;

	changed = dd->offline != h->offline ||
		  addr_differs(dd->has_v4, &dd->v4, h->has_v4, &h->v4) ||
		  addr_differs(dd->has_v6, &dd->v6, h->has_v6, &h->v6) ||
		  prefix_differs(dd, h);
	/* Counted in memory: the nochg path stays free of writes. */
	if (!changed)
		return auth_limits_nochg(h->id) == 0 ? NIC_NOCHG : DDNS_EABUSE;
	memset(ch, 0, sizeof(*ch));
	ch->set_v4 = dd->has_v4;
	ch->v4 = dd->v4;
	ch->set_v6 = dd->has_v6;
	ch->v6 = dd->v6;
	ch->offline = dd->offline;
	ch->has_prefix = dd->has_prefix;
	ch->prefix = dd->prefix;
	ch->prefix_len = dd->prefix_len;
	ch->token_id = c->th.token_id;
	ch->source = c->source[0] ? c->source : NULL;
	ch->user_agent = c->ua[0] ? c->ua : NULL;
	ch->result = dd->offline ? "good offline" : "good";
	ch->via = "nic/update";
	ch->bucket_burst = auth_limits()->change_burst;
	ch->bucket_window_s = auth_limits()->change_window_s;
	c->write.host_id = h->id;
	c->write.account_id = h->account_id;
	c->write.wait.submit = api_writer_submit;
	return NIC_WRITE;
}

/* The writer committed the change (or failed): its result word. */
static int
nic_applied(struct nic_ctx *c)
{
	struct db_host *h = &c->th.host;
	const struct api_dyndns2_req *dd = &c->dd;
	int err = c->write.err;

	if (err != 0)
		return err == DDNS_ENOENT ? DDNS_ENOHOST : err;
	/* A name repeated in the same request is then a nochg. */
	h->offline = dd->offline;
	h->has_prefix = dd->has_prefix;
	h->prefix = dd->prefix;
	h->prefix_len = dd->prefix_len;
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

static void
nic_ctx_free(void *state)
{
	struct nic_ctx *c = state;

	if (c == NULL)
		return;
	/*
	 * The secret itself is in tok only (kv and dd point into the query
	 * or body, which api/server.c wipes); wiping all 8 KiB of the
	 * context on every request was a measurable part of nochg's memset.
	 */
	auth_token_wipe(&c->tok);
	sodium_memzero(c->th.hash, sizeof(c->th.hash));
	sodium_memzero(c->lookup.th.hash, sizeof(c->lookup.th.hash));
	free(c);
}

/* Everything after authentication (err: its outcome, or NIC_BLOCKED). */
static void
nic_finish(struct api_request *req, struct api_response *resp,
	   struct nic_ctx *c, int err)
{
	if (err == DDNS_EAUTH && c->phase != NIC_PHASE_AUTHFAIL &&
	    nic_auth_failed(req, resp, c))
		return; /* answered once the failure is counted */
	if (err == 0)
		err = api_dyndns2_parse(c->kv, c->nkv, &c->dd);
	c->n = 1;
	if (err != 0) {
		c->results[0] = err;
		nic_answer(resp, c, c->results, c->n);
		nic_ctx_free(c);
		return;
	}
	snprintf(resp->log_host, sizeof(resp->log_host), "%s", c->th.host.fqdn);
	resp->log_account = c->th.host.account_id;
	if (req->has_client)
		ddns_addr_format(&req->client, c->source, sizeof(c->source));
	if (req->user_agent != NULL)
		api_text_copy(c->ua, sizeof(c->ua), req->user_agent);
	nic_default_address(req, &c->dd);
	nic_follower(&c->th.host, &c->dd);
	/* No hostname=: one line, for the token's own host. */
	if (c->dd.nhosts > 0)
		c->n = c->dd.nhosts;
	c->next = 0;
	nic_run(req, resp, c);
}

/*
 * Decides the answer lines from c->next on; a change suspends the request
 * for its write (resp->wait) and the run continues after the commit.
 */
static void
nic_run(struct api_request *req, struct api_response *resp, struct nic_ctx *c)
{
	const struct api_dyndns2_host *dh;
	int r;

	for (; c->next < c->n; c->next++) {
		dh = &c->dd.hosts[c->next];
		if (c->dd.nhosts > 0 && dh->status != 0) {
			r = dh->status;
		} else if (c->dd.nhosts > 0 &&
			   strcmp(dh->name, c->th.host.fqdn) != 0) {
			r = DDNS_ENOHOST;
		} else if ((r = nic_decide(c)) == NIC_WRITE) {
			c->phase = NIC_PHASE_WRITE;
			req->handler_state = c;
			req->handler_state_free = nic_ctx_free;
			resp->wait = &c->write.wait;
			return;
		}
		c->results[c->next] = r;
	}
	snprintf(resp->log_host, sizeof(resp->log_host), "%s", c->th.host.fqdn);
	resp->log_account = c->th.host.account_id;
	nic_answer(resp, c, c->results, c->n);
	nic_ctx_free(c);
}

/*
 * Called two or three times for a request with a well-formed host token:
 * first up to the token, which is queued for a group lookup (resp->wait)
 * while the connection waits; then, with the lookup done, for the rest,
 * which may wait once more for a change's commit on a writer thread.
 */
void
api_nic_update(struct api_request *req, struct api_response *resp)
{
	struct nic_ctx *c = req->handler_state;
	int err;

	if (c != NULL) {
		req->handler_state = NULL;
		if (c->phase == NIC_PHASE_LOOKUP) {
			nic_finish(req, resp, c, nic_verify(c));
		} else if (c->phase == NIC_PHASE_AUTHFAIL) {
			nic_finish(req, resp, c, DDNS_EAUTH);
		} else {
			c->results[c->next++] = nic_applied(c);
			nic_run(req, resp, c);
		}
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		api_answer_text(resp, nic_status(DDNS_ENOMEM), "911\n");
		resp->log_result = nic_word(DDNS_ENOMEM);
		return;
	}
	if (req->has_client &&
	    (c->retry_after = auth_limits_blocked(&req->client)) > 0) {
		nic_finish(req, resp, c, NIC_BLOCKED);
		return;
	}
	err = nic_collect(req, c);
	if (err == 0)
		err = nic_credentials(req, c);
	if (err != 0) {
		nic_finish(req, resp, c, err);
		return;
	}
	memcpy(c->lookup.public_id, c->tok.public_id,
	       sizeof(c->lookup.public_id));
	c->lookup.wait.submit = api_lookup_submit;
	c->phase = NIC_PHASE_LOOKUP;
	req->handler_state = c;
	req->handler_state_free = nic_ctx_free;
	resp->wait = &c->lookup.wait;
}
