/* SPDX-License-Identifier: MIT */
/*
 * Internal to the REST API: what a handler gets, and the handlers the
 * route table of api/rest.c points to. A handler either answers (JSON or
 * 204) and returns 0, or returns a DDNS_E* code, optionally with a detail
 * in c->detail, which api/rest.c turns into problem+json.
 */
#ifndef DDNS_API_REST_HANDLERS_H
#define DDNS_API_REST_HANDLERS_H

#include <stdbool.h>

#include "api/json.h"
#include "api/params.h"
#include "api/request.h"
#include "common/config.h"
#include "common/names.h"
#include "db/conn.h"
#include "db/hosts.h"
#include "db/zones.h"

#define REST_QUERY_MAX 16
#define REST_UA_MAX 200

struct rest_ctx {
	struct api_request *req;
	struct api_response *resp;
	const struct ddns_config *cfg;
	struct db_conn *db;
	long long account_id; /* 0 until authenticated */
	unsigned scopes;      /* DB_SCOPE_* of an account token */
	long long host_id;    /* with a host token: its host; else 0 */
	long long session_id; /* signed in by the console cookie; else 0 */
	bool session_cookie;  /* a session cookie was sent (valid or not) */
	char email[255];      /* the session's account e-mail */
	const char *id;       /* the {id} path segment or NULL */
	char name[DDNS_NAME_MAX + 1]; /* the {name} segment, normalised */
	struct api_kv query[REST_QUERY_MAX];
	size_t nquery;
	char source[64]; /* client address or "" */
	char ua[REST_UA_MAX + 1];
	char detail[API_JSON_DETAIL_MAX];
};

typedef int (*rest_fn)(struct rest_ctx *c);

/* Helpers of api/rest.c. */
/* The account's live host named by {name}; DDNS_ENOENT with a detail. */
int api_rest_host(struct rest_ctx *c, struct db_host_info *h);
/* Query parameter value or NULL. */
const char *api_rest_query(const struct rest_ctx *c, const char *key);
/* Unsigned query parameter in [min, max], def when absent. */
int api_rest_query_uint(struct rest_ctx *c, const char *key, unsigned def,
			unsigned min, unsigned max, unsigned *out);
/* The source/user agent strings for history rows, NULL when unknown. */
const char *api_rest_source(const struct rest_ctx *c);
const char *api_rest_ua(const struct rest_ctx *c);
/* 1..max bytes of text without control characters (JSON strings are
 * valid UTF-8 already). */
bool api_rest_text_ok(const char *s, size_t max);
/* Answers 204 No Content. */
void api_rest_no_content(struct rest_ctx *c);
/* The host's change bucket (DDNS_HOST_CHANGE_BURST/_WINDOW_S, shared with
 * /nic/update), as burst and refill seconds. */
void api_rest_bucket(unsigned *burst, unsigned *window_s);
/* After DDNS_EABUSE from a change of host_id: Retry-After and a detail.
 * Returns DDNS_EABUSE (or the error reading the bucket). */
int api_rest_bucket_empty(struct rest_ctx *c, long long host_id);
/* Answers 201 with a newly made token: o (a token's JSON, reference taken)
 * without last_used_at, plus the token text, shown this once. */
void api_rest_token_created(struct rest_ctx *c, json_t *o, const char *text);

/* api/rest_accounts.c */
/* The per-address limit on password attempts: 0, or DDNS_EABUSE with
 * Retry-After set. */
int api_rest_login_limited(struct rest_ctx *c);
/* Checks e-mail and password (argon2id cap; a failure counts against the
 * client). 0, DDNS_EAUTH (with a detail), DDNS_EABUSE or DDNS_EDB. */
int api_rest_password_login(struct rest_ctx *c, const char *email,
			    const char *pw, long long *account_id);
/* A password of acceptable length; else false with a detail naming
 * field. */
bool api_rest_password_ok(struct rest_ctx *c, const char *field,
			  const char *pw);
int api_rest_account_create(struct rest_ctx *c);
int api_rest_token_create(struct rest_ctx *c);
int api_rest_token_list(struct rest_ctx *c);
int api_rest_token_delete(struct rest_ctx *c);

/* api/rest_session.c */
/*
 * Authenticates by the console session cookie: 0 (c->account_id,
 * session_id, email set), DDNS_ENOENT (no cookie or no live session),
 * DDNS_EACCES (write is true and the request is not from the service's
 * own origin; nothing is looked up) or DDNS_EDB.
 */
int api_rest_session_auth(struct rest_ctx *c, bool write);
int api_rest_session_create(struct rest_ctx *c);
int api_rest_session_get(struct rest_ctx *c);
int api_rest_session_delete(struct rest_ctx *c);
int api_rest_password_change(struct rest_ctx *c);

/* api/rest_hosts.c */
int api_rest_zone_list(struct rest_ctx *c);
int api_rest_zone_create(struct rest_ctx *c);
int api_rest_zone_patch(struct rest_ctx *c);
int api_rest_zone_delete(struct rest_ctx *c);
int api_rest_host_create(struct rest_ctx *c);
int api_rest_host_list(struct rest_ctx *c);
int api_rest_host_get(struct rest_ctx *c);
int api_rest_host_patch(struct rest_ctx *c);
int api_rest_host_delete(struct rest_ctx *c);

/* api/rest_host_tokens.c */
int api_rest_host_token_create(struct rest_ctx *c);
int api_rest_host_token_list(struct rest_ctx *c);
int api_rest_host_token_delete(struct rest_ctx *c);
int api_rest_host_token_patch(struct rest_ctx *c);

/* api/rest_setup.c */
int api_rest_host_setup(struct rest_ctx *c);

/* api/rest_events.c */
int api_rest_event_list(struct rest_ctx *c);

/* api/rest_acme.c */
int api_rest_acme_put(struct rest_ctx *c);
int api_rest_acme_delete(struct rest_ctx *c);

#endif
