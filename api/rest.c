/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api/openapi.h"
#include "api/problem.h"
#include "api/rest.h"
#include "api/rest_handlers.h"
#include "auth/limits.h"
#include "auth/token.h"
#include "common/errors.h"
#include "common/log.h"
#include "db/api_tokens.h"
#include "db/events.h"
#include "db/hosts.h"

#define REST_SEGS_MAX 8
#define REST_ALLOW_MAX 64

enum rest_auth {
	REST_PUBLIC, /* no credentials */
	REST_BASIC,  /* the handler checks e-mail:password itself (or
			* the console session) */
	REST_READ,   /* account token with read (or write) scope */
	REST_WRITE,  /* account token with write scope */
	REST_ACME,   /* REST_WRITE, or the host's own host token */
};

struct rest_route {
	const char *method;
	const char *path; /* "{name}" and "{id}" match one segment */
	enum rest_auth auth;
	rest_fn fn;
};

static int rest_openapi(struct rest_ctx *c);

/* Every REST endpoint; api/openapi.json describes exactly these. */
static const struct rest_route routes[] = {
	{ "GET", "/v1/openapi.json", REST_PUBLIC, rest_openapi },
	{ "POST", "/v1/accounts", REST_PUBLIC, api_rest_account_create },
	{ "POST", "/v1/session", REST_PUBLIC, api_rest_session_create },
	{ "GET", "/v1/session", REST_PUBLIC, api_rest_session_get },
	{ "DELETE", "/v1/session", REST_PUBLIC, api_rest_session_delete },
	{ "POST", "/v1/account/password", REST_WRITE,
	  api_rest_password_change },
	{ "POST", "/v1/tokens", REST_BASIC, api_rest_token_create },
	{ "GET", "/v1/tokens", REST_READ, api_rest_token_list },
	{ "DELETE", "/v1/tokens/{id}", REST_WRITE, api_rest_token_delete },
	{ "GET", "/v1/zones", REST_READ, api_rest_zone_list },
	{ "POST", "/v1/zones", REST_WRITE, api_rest_zone_create },
	{ "PATCH", "/v1/zones/{name}", REST_WRITE, api_rest_zone_patch },
	{ "DELETE", "/v1/zones/{name}", REST_WRITE, api_rest_zone_delete },
	{ "POST", "/v1/hosts", REST_WRITE, api_rest_host_create },
	{ "GET", "/v1/hosts", REST_READ, api_rest_host_list },
	{ "GET", "/v1/hosts/{name}", REST_READ, api_rest_host_get },
	{ "PATCH", "/v1/hosts/{name}", REST_WRITE, api_rest_host_patch },
	{ "DELETE", "/v1/hosts/{name}", REST_WRITE, api_rest_host_delete },
	{ "POST", "/v1/hosts/{name}/tokens", REST_WRITE,
	  api_rest_host_token_create },
	{ "GET", "/v1/hosts/{name}/tokens", REST_READ,
	  api_rest_host_token_list },
	{ "DELETE", "/v1/hosts/{name}/tokens/{id}", REST_WRITE,
	  api_rest_host_token_delete },
	{ "PATCH", "/v1/hosts/{name}/tokens/{id}", REST_WRITE,
	  api_rest_host_token_patch },
	{ "GET", "/v1/hosts/{name}/events", REST_READ, api_rest_event_list },
	{ "GET", "/v1/hosts/{name}/setup", REST_READ, api_rest_host_setup },
	{ "PUT", "/v1/hosts/{name}/acme-challenge", REST_ACME,
	  api_rest_acme_put },
	{ "DELETE", "/v1/hosts/{name}/acme-challenge", REST_ACME,
	  api_rest_acme_delete },
};

static struct ddns_config rest_cfg;

static size_t split(const char *path, const char **seg, size_t *len,
		    size_t max);
static bool route_match(const struct rest_route *r, const char *path,
			struct rest_ctx *c);
static int authenticate(struct rest_ctx *c, enum rest_auth need);
static int auth_account(struct rest_ctx *c, const struct auth_token *tok,
			enum rest_auth need);
static int auth_host(struct rest_ctx *c, const struct auth_token *tok);
static int rest_fill(struct rest_ctx *c);

void
api_rest_configure(const struct ddns_config *cfg)
{
	struct db_conn *db;
	int err;

	rest_cfg = *cfg;
	api_json_wipe_on_free();
	/* Every writer of history applies these (a trigger reads them). */
	db = db_connect(cfg->database_url, &err);
	if (db != NULL)
		err = db_events_retention_set(db, cfg->events_max_age_days,
					      cfg->events_max_per_host);
	db_close(db);
	if (err != 0)
		log_warn("rest: history retention not stored (%s); the "
			 "previous setting stays in force",
			 ddns_strerror(err));
}

void
api_rest_routes_print(FILE *f)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		fprintf(f, "%s %s\n", routes[i].method, routes[i].path);
}

/* Splits "/a/b/c" into segments; more than max gives max + 1. */
static size_t
split(const char *path, const char **seg, size_t *len, size_t max)
{
	size_t n = 0;
	const char *p = path, *e;

	while (*p == '/') {
		p++;
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (n == max)
			return max + 1;
		seg[n] = p;
		len[n++] = (size_t)(e - p);
		p = e;
	}
	return n;
}

/* Does path match r? Fills c's {name} and {id} when it does. */
static bool
route_match(const struct rest_route *r, const char *path, struct rest_ctx *c)
{
	const char *ps[REST_SEGS_MAX + 1], *rs[REST_SEGS_MAX + 1];
	size_t pl[REST_SEGS_MAX + 1], rl[REST_SEGS_MAX + 1], np, nr;

	np = split(path, ps, pl, REST_SEGS_MAX);
	nr = split(r->path, rs, rl, REST_SEGS_MAX);
	if (np != nr)
		return false;
	for (size_t i = 0; i < np; i++) {
		if (rl[i] > 2 && rs[i][0] == '{') {
			if (pl[i] == 0)
				return false;
			continue;
		}
		if (pl[i] != rl[i] || memcmp(ps[i], rs[i], pl[i]) != 0)
			return false;
	}
	c->id = NULL;
	c->name[0] = '\0';
	for (size_t i = 0; i < np; i++) {
		if (rl[i] == 4 && memcmp(rs[i], "{id}", 4) == 0)
			c->id = ps[i];
		/* An invalid name cannot exist: left "" and found nowhere. */
		if (rl[i] == 6 && memcmp(rs[i], "{name}", 6) == 0 &&
		    ddns_name_normalize(ps[i], pl[i], c->name,
					sizeof(c->name)) != 0)
			c->name[0] = '\0';
	}
	return true;
}

static int
auth_account(struct rest_ctx *c, const struct auth_token *tok,
	     enum rest_auth need)
{
	struct db_api_token_auth a;
	int err;

	err = db_api_token_lookup(c->db, tok->public_id, &a);
	if (err == DDNS_ENOENT)
		return DDNS_EAUTH;
	if (err != 0)
		return err;
	if (auth_token_verify(tok, a.hash, a.hash_len) != 0 || a.expired) {
		snprintf(c->detail, sizeof(c->detail),
			 "token invalid or expired");
		return DDNS_EAUTH;
	}
	c->account_id = a.account_id;
	c->scopes = a.scopes;
	(void)db_api_token_touch(c->db, a.token_id);
	if ((need == REST_WRITE || need == REST_ACME) &&
	    !(a.scopes & DB_SCOPE_WRITE)) {
		snprintf(c->detail, sizeof(c->detail),
			 "this token lacks the write scope");
		return DDNS_EACCES;
	}
	return 0;
}

/* A host token: for its own host's ACME challenge only. */
static int
auth_host(struct rest_ctx *c, const struct auth_token *tok)
{
	struct db_token_host th;
	int err;

	err = db_token_host_lookup(c->db, tok->public_id, &th);
	if (err == DDNS_ENOENT)
		return DDNS_EAUTH;
	if (err != 0)
		return err;
	if (auth_token_verify(tok, th.hash, th.hash_len) != 0)
		return DDNS_EAUTH;
	c->account_id = th.host.account_id;
	c->host_id = th.host.id;
	return 0;
}

static int
authenticate(struct rest_ctx *c, enum rest_auth need)
{
	const char *h = c->req->authorization;
	struct auth_token tok;
	int err;

	if (need == REST_PUBLIC)
		return 0;
	/* Without an Authorization header, the console's session cookie
	 * stands for a read/write account token. */
	if (h == NULL) {
		err = api_rest_session_auth(
			c, strcmp(c->req->method, "GET") != 0 &&
				   strcmp(c->req->method, "HEAD") != 0);
		if (err != DDNS_ENOENT || need == REST_BASIC)
			return err == DDNS_ENOENT ? 0 : err;
		snprintf(c->detail, sizeof(c->detail),
			 c->session_cookie
				 ? "the session has ended; sign in again"
				 : "Authorization: Bearer <token> required");
		return DDNS_EAUTH;
	}
	if (need == REST_BASIC)
		return 0;
	snprintf(c->detail, sizeof(c->detail),
		 "Authorization: Bearer <token> required");
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return DDNS_EAUTH;
	h += 7;
	while (*h == ' ')
		h++;
	if (auth_token_parse(h, strlen(h), &tok) != 0)
		return DDNS_EAUTH;
	c->detail[0] = '\0';
	if ((c->db = db_thread_conn()) == NULL)
		err = DDNS_EDB;
	else if (tok.kind == AUTH_TOKEN_ACCOUNT)
		err = auth_account(c, &tok, need);
	else if (need == REST_ACME)
		err = auth_host(c, &tok);
	else
		err = DDNS_EAUTH;
	auth_token_wipe(&tok);
	if (err == DDNS_EAUTH && c->detail[0] == '\0')
		snprintf(c->detail, sizeof(c->detail), "token not accepted");
	return err;
}

static int
rest_fill(struct rest_ctx *c)
{
	struct api_request *req = c->req;
	size_t n = 0;

	c->cfg = &rest_cfg;
	if (req->has_client)
		ddns_addr_format(&req->client, c->source, sizeof(c->source));
	if (req->user_agent != NULL)
		api_text_copy(c->ua, sizeof(c->ua), req->user_agent);
	/* Decoded in place: the raw query is not needed after this. */
	if (req->query != NULL &&
	    api_form_parse(req->query, req->query_len, c->query, REST_QUERY_MAX,
			   &n) != 0) {
		snprintf(c->detail, sizeof(c->detail),
			 "query string: malformed or too many parameters");
		return DDNS_EINVAL;
	}
	c->nquery = n;
	return 0;
}

void
api_rest(struct api_request *req, struct api_response *resp)
{
	struct rest_ctx *c;
	const struct rest_route *r, *found = NULL;
	char allow[REST_ALLOW_MAX] = "";
	int err;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		api_problem(resp, DDNS_ENOMEM, NULL);
		return;
	}
	c->req = req;
	c->resp = resp;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		r = &routes[i];
		if (!route_match(r, req->path, c))
			continue;
		if (strcmp(r->method, req->method) == 0) {
			found = r;
			break;
		}
		if (strstr(allow, r->method) == NULL)
			snprintf(allow + strlen(allow),
				 sizeof(allow) - strlen(allow), "%s%s",
				 allow[0] ? ", " : "", r->method);
	}
	if (found == NULL && allow[0] != '\0') {
		api_problem(resp, DDNS_EOPNOTSUPP, NULL);
		api_add_header(resp, "Allow", "%s", allow);
		goto out;
	}
	if (found == NULL) {
		api_problem(resp, DDNS_ENOENT, "no such resource");
		goto out;
	}
	if ((err = rest_fill(c)) == 0 &&
	    (err = authenticate(c, found->auth)) == 0) {
		/* Everything but the OpenAPI document needs the database. */
		if (c->db == NULL && found->fn != rest_openapi &&
		    (c->db = db_thread_conn()) == NULL)
			err = DDNS_EDB;
		else
			err = found->fn(c);
	}
	if (err != 0)
		api_problem(resp, err, c->detail[0] ? c->detail : NULL);
out:
	sodium_memzero(c, sizeof(*c));
	free(c);
}

static int
rest_openapi(struct rest_ctx *c)
{
	c->resp->status = 200;
	c->resp->content_type = "application/json";
	ddns_buf_reset(&c->resp->body);
	return ddns_buf_append(&c->resp->body, api_openapi_json,
			       api_openapi_json_len);
}

int
api_rest_host(struct rest_ctx *c, struct db_host_info *h)
{
	int err;

	if (c->name[0] == '\0')
		err = DDNS_ENOENT;
	else
		err = db_host_get(c->db, c->account_id, c->name, h);
	/* A host token only ever sees its own host. */
	if (err == 0 && c->host_id != 0 && h->id != c->host_id)
		err = DDNS_ENOENT;
	if (err == DDNS_ENOENT)
		snprintf(c->detail, sizeof(c->detail), "no such host");
	return err;
}

const char *
api_rest_query(const struct rest_ctx *c, const char *key)
{
	const char *v = NULL;

	for (size_t i = 0; i < c->nquery; i++)
		if (strcmp(c->query[i].key, key) == 0)
			v = c->query[i].value;
	return v;
}

int
api_rest_query_uint(struct rest_ctx *c, const char *key, unsigned def,
		    unsigned min, unsigned max, unsigned *out)
{
	const char *v = api_rest_query(c, key);
	unsigned long n;
	char *end;

	*out = def;
	if (v == NULL)
		return 0;
	n = strtoul(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || n < min || n > max) {
		snprintf(c->detail, sizeof(c->detail),
			 "%s: must be an integer in %u..%u", key, min, max);
		return DDNS_EINVAL;
	}
	*out = (unsigned)n;
	return 0;
}

const char *
api_rest_source(const struct rest_ctx *c)
{
	return c->source[0] ? c->source : NULL;
}

const char *
api_rest_ua(const struct rest_ctx *c)
{
	return c->ua[0] ? c->ua : NULL;
}

void
api_rest_no_content(struct rest_ctx *c)
{
	c->resp->status = 204;
	c->resp->content_type = "application/json";
	ddns_buf_reset(&c->resp->body);
}

void
api_rest_token_created(struct rest_ctx *c, json_t *o, const char *text)
{
	json_object_del(o, "last_used_at");
	json_object_set_new(o, "token", json_string(text));
	api_json_answer(c->resp, 201, o);
}

void
api_rest_bucket(unsigned *burst, unsigned *window_s)
{
	*burst = auth_limits()->change_burst;
	*window_s = auth_limits()->change_window_s;
}

int
api_rest_bucket_empty(struct rest_ctx *c, long long host_id)
{
	unsigned burst, win, wait = 0;
	int err;

	api_rest_bucket(&burst, &win);
	if ((err = db_host_bucket_wait(c->db, host_id, burst, win, &wait)) != 0)
		return err;
	api_add_header(c->resp, "Retry-After", "%u", wait > 0 ? wait : 1);
	snprintf(c->detail, sizeof(c->detail),
		 "this host changed too often (%u changes per %u s, shared "
		 "with /nic/update); retry in %u s",
		 burst, win, wait > 0 ? wait : 1);
	return DDNS_EABUSE;
}

bool
api_rest_text_ok(const char *s, size_t max)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}
