/* SPDX-License-Identifier: MIT */
/*
 * REST: console sessions (sign in, who is signed in, sign out) and the
 * password change that ends the account's other sessions.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "api/rest_handlers.h"
#include "api/session.h"
#include "auth/login.h"
#include "auth/session.h"
#include "common/errors.h"
#include "db/accounts.h"
#include "db/api_tokens.h"
#include "db/sessions.h"

static void set_cookie(struct rest_ctx *c, const char *text);
static json_t *account_json(const struct rest_ctx *c);
static int cookie_hash(struct rest_ctx *c, uint8_t hash[AUTH_SESSION_HASH_LEN]);

static const struct api_json_field login_fields[] = {
	{ "email", API_JSON_STRING, true, false },
	{ "password", API_JSON_STRING, true, false },
};
static const struct api_json_field password_fields[] = {
	{ "current_password", API_JSON_STRING, true, false },
	{ "new_password", API_JSON_STRING, true, false },
};

/* The hash of the session cookie's secret; DDNS_ENOENT without one. */
static int
cookie_hash(struct rest_ctx *c, uint8_t hash[AUTH_SESSION_HASH_LEN])
{
	const char *v;
	size_t n;

	if (!api_cookie_find(c->req->cookie, API_SESSION_COOKIE, &v, &n))
		return DDNS_ENOENT;
	c->session_cookie = true;
	return auth_session_hash(v, n, hash) == 0 ? 0 : DDNS_ENOENT;
}

/* text NULL: removes the cookie. */
static void
set_cookie(struct rest_ctx *c, const char *text)
{
	char v[160];

	if (api_session_cookie(v, sizeof(v), text, c->cfg->session_max_s,
			       c->req->https) == 0)
		api_add_header(c->resp, "Set-Cookie", "%s", v);
	sodium_memzero(v, sizeof(v));
}

static json_t *
account_json(const struct rest_ctx *c)
{
	return json_pack("{s:I, s:s}", "id", (json_int_t)c->account_id, "email",
			 c->email);
}

int
api_rest_session_auth(struct rest_ctx *c, bool write)
{
	uint8_t hash[AUTH_SESSION_HASH_LEN];
	struct db_session s;
	int err;

	if ((err = cookie_hash(c, hash)) != 0)
		return err;
	/* Before anything is read or written: a page of another site may
	 * make the browser send the cookie, but never our Origin. */
	if (write && !api_same_origin(c->req)) {
		snprintf(c->detail, sizeof(c->detail),
			 "a change made with the session cookie must come "
			 "from this service's own pages (Origin)");
		err = DDNS_EACCES;
		goto out;
	}
	if (c->db == NULL && (c->db = db_thread_conn()) == NULL) {
		err = DDNS_EDB;
		goto out;
	}
	if ((err = db_session_lookup(c->db, hash, c->cfg->session_idle_s,
				     &s)) != 0)
		goto out;
	c->account_id = s.account_id;
	c->session_id = s.id;
	c->scopes = DB_SCOPE_READ | DB_SCOPE_WRITE;
	snprintf(c->email, sizeof(c->email), "%s", s.email);
out:
	sodium_memzero(hash, sizeof(hash));
	return err;
}

int
api_rest_session_create(struct rest_ctx *c)
{
	char text[AUTH_SESSION_TEXT_LEN + 1];
	uint8_t hash[AUTH_SESSION_HASH_LEN];
	const char *email, *pw;
	struct db_session s;
	long long id = 0;
	json_t *o = NULL;
	int err;

	if (api_cross_site(c->req)) {
		snprintf(c->detail, sizeof(c->detail),
			 "sign-in from another site refused");
		return DDNS_EACCES;
	}
	if ((err = api_rest_login_limited(c)) != 0 ||
	    (err = api_json_body(c->req, login_fields, 2, &o, c->detail,
				 sizeof(c->detail))) != 0)
		return err;
	email = api_json_str(o, "email");
	pw = api_json_str(o, "password");
	if ((err = api_rest_password_login(c, email, pw, &id)) != 0)
		goto out;
	/* A session this browser had before ends: a new secret each time. */
	if (cookie_hash(c, hash) == 0)
		(void)db_session_delete(c->db, hash);
	auth_session_generate(text, sizeof(text), hash);
	err = db_session_create(c->db, id, hash, c->cfg->session_idle_s,
				c->cfg->session_max_s, &s);
	if (err == 0) {
		c->account_id = s.account_id;
		snprintf(c->email, sizeof(c->email), "%s", s.email);
		set_cookie(c, text);
		api_json_answer(c->resp, 201,
				json_pack("{s:o}", "account", account_json(c)));
	}
	sodium_memzero(text, sizeof(text));
	sodium_memzero(hash, sizeof(hash));
out:
	json_decref(o);
	return err;
}

int
api_rest_session_get(struct rest_ctx *c)
{
	json_t *acc;
	int err;

	err = api_rest_session_auth(c, false);
	if (err != 0 && err != DDNS_ENOENT)
		return err;
	if (err == DDNS_ENOENT && c->session_cookie)
		set_cookie(c, NULL); /* ended: the browser may forget it */
	acc = err == 0 ? account_json(c) : json_null();
	api_json_answer(c->resp, 200,
			json_pack("{s:o, s:b, s:I, s:I}", "account", acc,
				  "signup", c->cfg->signup_open, "idle_timeout",
				  (json_int_t)c->cfg->session_idle_s,
				  "max_lifetime",
				  (json_int_t)c->cfg->session_max_s));
	return 0;
}

int
api_rest_session_delete(struct rest_ctx *c)
{
	uint8_t hash[AUTH_SESSION_HASH_LEN];
	int err;

	if (cookie_hash(c, hash) == 0) {
		if (!api_same_origin(c->req)) {
			snprintf(c->detail, sizeof(c->detail),
				 "sign-out must come from this service's "
				 "own pages (Origin)");
			err = DDNS_EACCES;
			goto out;
		}
		err = db_session_delete(c->db, hash);
		if (err != 0 && err != DDNS_ENOENT)
			goto out;
	}
	err = 0;
	set_cookie(c, NULL);
	api_rest_no_content(c);
out:
	sodium_memzero(hash, sizeof(hash));
	return err;
}

int
api_rest_password_change(struct rest_ctx *c)
{
	char old[AUTH_PASSWORD_HASH_MAX], hash[AUTH_PASSWORD_HASH_MAX];
	const char *cur, *pw;
	long long ended = 0;
	json_t *o = NULL;
	int err;

	if ((err = api_rest_login_limited(c)) != 0 ||
	    (err = api_json_body(c->req, password_fields, 2, &o, c->detail,
				 sizeof(c->detail))) != 0)
		return err;
	cur = api_json_str(o, "current_password");
	pw = api_json_str(o, "new_password");
	err = DDNS_EINVAL;
	if (!api_rest_password_ok(c, "new_password", pw))
		goto out;
	err = db_account_password_get(c->db, c->account_id, old, sizeof(old));
	if (err == 0 || err == DDNS_ENOENT)
		err = auth_login_verify(err == 0 ? old : NULL, cur);
	if (err == DDNS_EAUTH) {
		if (c->req->has_client)
			auth_login_failed(&c->req->client);
		snprintf(c->detail, sizeof(c->detail),
			 "current_password: not this account's password");
		err = DDNS_EACCES;
	}
	if (err != 0 || (err = auth_login_hash(pw, hash, sizeof(hash))) != 0)
		goto out;
	err = db_account_password_set(c->db, c->account_id, hash, c->session_id,
				      &ended);
	if (err == 0)
		api_json_answer(c->resp, 200,
				json_pack("{s:I}", "sessions_ended",
					  (json_int_t)ended));
out:
	sodium_memzero(old, sizeof(old));
	sodium_memzero(hash, sizeof(hash));
	json_decref(o);
	return err;
}
