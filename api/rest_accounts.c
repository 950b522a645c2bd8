/* SPDX-License-Identifier: MIT */
/*
 * REST: self-signup, and account API tokens (minted with the account's
 * e-mail and password, listed and deleted with a token).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/params.h"
#include "api/rest_handlers.h"
#include "auth/login.h"
#include "auth/token.h"
#include "common/errors.h"
#include "db/accounts.h"
#include "db/api_tokens.h"
#include "db/limits.h"
#include "db/login_failures.h"

#define PASSWORD_MIN 10
#define PASSWORD_MAX (API_CRED_MAX - 1) /* must fit HTTP Basic later */
#define EXPIRES_MAX 315360000LL         /* ten years */

struct token_req {
	char name[DB_TOKEN_NAME_MAX + 1];
	unsigned scopes;
	long long expires_in;
};

static bool email_ok(const char *s);
static int parse_scopes(struct rest_ctx *c, const json_t *a, unsigned *scopes);
static int parse_token_req(struct rest_ctx *c, struct token_req *t);
static int login(struct rest_ctx *c, long long *account_id);
static int account_limited(struct rest_ctx *c, const char *email);
static void account_failed(struct rest_ctx *c, const char *email);
static json_t *scopes_json(unsigned scopes);
static json_t *token_json(const struct db_api_token *t);
static int token_item(void *arg, const struct db_api_token *t);

static const struct api_json_field account_fields[] = {
	{ "email", API_JSON_STRING, true, false },
	{ "password", API_JSON_STRING, true, false },
};
static const struct api_json_field token_fields[] = {
	{ "name", API_JSON_STRING, true, false },
	{ "scopes", API_JSON_ARRAY, true, false },
	{ "expires_in", API_JSON_INTEGER, false, true },
};

static bool
email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (!api_rest_text_ok(s, DB_EMAIL_MAX) || at == NULL || at == s ||
	    strchr(at + 1, '@') != NULL || strchr(at, '.') == NULL ||
	    strchr(s, ' ') != NULL)
		return false;
	return at[1] != '\0' && at[1] != '.' && s[strlen(s) - 1] != '.';
}

/* The per-address limit on password attempts; sets Retry-After. */
int
api_rest_login_limited(struct rest_ctx *c)
{
	unsigned wait = 0;

	if (!c->req->has_client ||
	    auth_login_check(&c->req->client, &wait) == 0)
		return 0;
	api_add_header(c->resp, "Retry-After", "%u", wait);
	snprintf(c->detail, sizeof(c->detail),
		 "too many failed attempts from this address; retry in %u s",
		 wait);
	return DDNS_EABUSE;
}

int
api_rest_account_create(struct rest_ctx *c)
{
	char hash[AUTH_PASSWORD_HASH_MAX];
	struct db_account a;
	const char *email, *pw;
	json_t *o = NULL;
	int err;

	if (!c->cfg->signup_open) {
		snprintf(c->detail, sizeof(c->detail),
			 "self-signup is closed on this server");
		return DDNS_EACCES;
	}
	if ((err = api_rest_login_limited(c)) != 0)
		return err;
	if ((err = api_json_body(c->req, account_fields, 2, &o, c->detail,
				 sizeof(c->detail))) != 0)
		return err;
	email = api_json_str(o, "email");
	pw = api_json_str(o, "password");
	err = DDNS_EINVAL;
	if (!email_ok(email))
		snprintf(c->detail, sizeof(c->detail),
			 "email: not a valid e-mail address");
	else if (!api_rest_password_ok(c, "password", pw))
		;
	else
		err = 0;
	if (err != 0)
		goto out;
	/* Every signup costs an argon2id hash: it counts like a failure. */
	if (c->req->has_client)
		auth_login_failed(&c->req->client);
	if ((err = auth_login_hash(pw, hash, sizeof(hash))) != 0)
		goto out;
	err = db_account_create(c->db, email, hash, &a);
	if (err == DDNS_EEXIST)
		snprintf(c->detail, sizeof(c->detail),
			 "an account with this e-mail exists");
	if (err == 0)
		api_json_answer(c->resp, 201,
				json_pack("{s:I, s:s, s:s}", "id",
					  (json_int_t)a.id, "email", a.email,
					  "created_at", a.created_at));
out:
	sodium_memzero(hash, sizeof(hash));
	json_decref(o);
	return err;
}

static int
parse_scopes(struct rest_ctx *c, const json_t *a, unsigned *scopes)
{
	const json_t *v;
	const char *s;
	unsigned bit;
	size_t i;

	*scopes = 0;
	json_array_foreach(a, i, v)
	{
		s = json_string_value(v);
		bit = 0;
		if (s != NULL && strcmp(s, "read") == 0)
			bit = DB_SCOPE_READ;
		else if (s != NULL && strcmp(s, "write") == 0)
			bit = DB_SCOPE_WRITE;
		if (bit == 0 || (*scopes & bit)) {
			snprintf(c->detail, sizeof(c->detail),
				 "scopes: each of \"read\", \"write\" at "
				 "most once");
			return DDNS_EINVAL;
		}
		*scopes |= bit;
	}
	if (*scopes == 0) {
		snprintf(c->detail, sizeof(c->detail),
			 "scopes: at least one of \"read\", \"write\"");
		return DDNS_EINVAL;
	}
	return 0;
}

static int
parse_token_req(struct rest_ctx *c, struct token_req *t)
{
	const json_t *e;
	const char *name;
	json_t *o = NULL;
	int err;

	if ((err = api_json_body(c->req, token_fields, 3, &o, c->detail,
				 sizeof(c->detail))) != 0)
		return err;
	name = api_json_str(o, "name");
	err = DDNS_EINVAL;
	if (!api_rest_text_ok(name, DB_TOKEN_NAME_MAX)) {
		snprintf(c->detail, sizeof(c->detail),
			 "name: 1..%d characters, no control characters",
			 DB_TOKEN_NAME_MAX);
		goto out;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	if ((err = parse_scopes(c, json_object_get(o, "scopes"), &t->scopes)) !=
	    0)
		goto out;
	e = json_object_get(o, "expires_in");
	t->expires_in = json_is_integer(e) ? json_integer_value(e) : 0;
	if (json_is_integer(e) &&
	    (t->expires_in < 1 || t->expires_in > EXPIRES_MAX)) {
		snprintf(c->detail, sizeof(c->detail),
			 "expires_in: seconds in 1..%lld", EXPIRES_MAX);
		err = DDNS_EINVAL;
	}
out:
	json_decref(o);
	return err;
}

/*
 * The per-account limit, shared in PostgreSQL: failures from any number of
 * addresses count against the e-mail (existing or not: the answer must
 * not tell). Sets Retry-After.
 */
static int
account_limited(struct rest_ctx *c, const char *email)
{
	unsigned wait = 0;
	int err;

	if (c->cfg->login_fail_max == 0)
		return 0;
	if ((err = db_login_failure_blocked(
		     c->db, email, c->cfg->login_fail_window_s,
		     c->cfg->login_fail_max, &wait)) != 0)
		return err;
	if (wait == 0)
		return 0;
	c->resp->www_authenticate = NULL;
	api_add_header(c->resp, "Retry-After", "%u", wait);
	snprintf(c->detail, sizeof(c->detail),
		 "too many failed logins for this account; retry in %u s",
		 wait);
	return DDNS_EABUSE;
}

static void
account_failed(struct rest_ctx *c, const char *email)
{
	unsigned count;

	if (c->cfg->login_fail_max > 0)
		(void)db_login_failure_record(
			c->db, email, c->cfg->login_fail_window_s, &count);
}

int
api_rest_password_login(struct rest_ctx *c, const char *email, const char *pw,
			long long *account_id)
{
	char hash[AUTH_PASSWORD_HASH_MAX];
	int err;

	/* Every password login (Basic, console sign-in, password change)
	 * is under the per-account limit too. */
	if ((err = account_limited(c, email)) != 0)
		return err;
	err = db_account_login(c->db, email, account_id, hash, sizeof(hash));
	if (err == 0 || err == DDNS_ENOENT)
		err = auth_login_verify(err == 0 ? hash : NULL, pw);
	if (err == DDNS_EAUTH) {
		if (c->req->has_client)
			auth_login_failed(&c->req->client);
		account_failed(c, email);
		snprintf(c->detail, sizeof(c->detail),
			 "wrong e-mail or password");
	}
	sodium_memzero(hash, sizeof(hash));
	return err;
}

bool
api_rest_password_ok(struct rest_ctx *c, const char *field, const char *pw)
{
	if (strlen(pw) >= PASSWORD_MIN && strlen(pw) <= PASSWORD_MAX)
		return true;
	snprintf(c->detail, sizeof(c->detail), "%s: must be %d..%d characters",
		 field, PASSWORD_MIN, PASSWORD_MAX);
	return false;
}

/* HTTP Basic e-mail:password, under the rate limit and argon2id cap. */
static int
login(struct rest_ctx *c, long long *account_id)
{
	char user[API_CRED_MAX], pass[API_CRED_MAX];
	int err;

	c->resp->www_authenticate = "Basic realm=\"ddnsd\"";
	if (c->req->authorization == NULL ||
	    api_basic_auth_parse(c->req->authorization, user, pass) != 0) {
		snprintf(c->detail, sizeof(c->detail),
			 "HTTP Basic e-mail:password required");
		return DDNS_EAUTH;
	}
	err = api_rest_password_login(c, user, pass, account_id);
	sodium_memzero(user, sizeof(user));
	sodium_memzero(pass, sizeof(pass));
	return err;
}

static json_t *
scopes_json(unsigned scopes)
{
	json_t *a = json_array();

	if (scopes & DB_SCOPE_READ)
		json_array_append_new(a, json_string("read"));
	if (scopes & DB_SCOPE_WRITE)
		json_array_append_new(a, json_string("write"));
	return a;
}

static json_t *
token_json(const struct db_api_token *t)
{
	return json_pack("{s:s, s:s, s:o, s:s, s:o, s:o}", "id", t->id, "name",
			 t->name, "scopes", scopes_json(t->scopes),
			 "created_at", t->created_at, "expires_at",
			 api_json_text(t->expires_at), "last_used_at",
			 api_json_text(t->last_used_at));
}

int
api_rest_token_create(struct rest_ctx *c)
{
	char text[AUTH_TOKEN_TEXT_LEN + 1];
	uint8_t hash[AUTH_TOKEN_HASH_LEN];
	struct auth_token tok;
	struct db_api_token t;
	struct token_req tr;
	long long account_id = 0;
	int err;

	memset(&tr, 0, sizeof(tr));
	if ((c->db = db_thread_conn()) == NULL)
		return DDNS_EDB;
	/* Signed in to the console (api/rest.c checked the cookie and the
	 * Origin), or e-mail:password. */
	account_id = c->account_id;
	if (account_id == 0 && c->session_cookie &&
	    c->req->authorization == NULL) {
		snprintf(c->detail, sizeof(c->detail),
			 "the session has ended; sign in again");
		return DDNS_EAUTH;
	}
	if ((account_id == 0 && (err = api_rest_login_limited(c)) != 0) ||
	    (err = parse_token_req(c, &tr)) != 0 ||
	    (account_id == 0 && (err = login(c, &account_id)) != 0))
		return err;
	c->resp->www_authenticate = NULL;
	if ((err = auth_token_generate(AUTH_TOKEN_ACCOUNT, &tok, text,
				       sizeof(text))) != 0)
		return err;
	auth_token_hash(&tok, hash);
	err = db_api_token_create(c->db, account_id, tok.public_id, hash,
				  sizeof(hash), tr.name, tr.scopes,
				  tr.expires_in, &t);
	auth_token_wipe(&tok);
	if (err == DDNS_ELIMIT)
		snprintf(c->detail, sizeof(c->detail),
			 "the account already has %u API tokens "
			 "(DDNS_MAX_TOKENS_PER_ACCOUNT); delete one first",
			 db_limits_max_account_tokens());
	if (err == 0)
		api_rest_token_created(c, token_json(&t), text);
	sodium_memzero(text, sizeof(text));
	return err;
}

struct token_page {
	json_t *items;
	unsigned limit, n;
	long long last;
};

static int
token_item(void *arg, const struct db_api_token *t)
{
	struct token_page *pg = arg;

	/* The row past the page only says there is a next page. */
	if (pg->n++ == pg->limit)
		return 0;
	pg->last = t->seq;
	return json_array_append_new(pg->items, token_json(t)) == 0
		       ? 0
		       : DDNS_ENOMEM;
}

/* Paginated like GET /v1/hosts: limit (1..100, 50) and cursor. */
int
api_rest_token_list(struct rest_ctx *c)
{
	const char *cursor = api_rest_query(c, "cursor");
	struct token_page pg = { 0 };
	char next[24];
	long long after = 0;
	char *end;
	int err;

	if ((err = api_rest_query_uint(c, "limit", 50, 1, 100, &pg.limit)) != 0)
		return err;
	if (cursor != NULL) {
		after = strtoll(cursor, &end, 10);
		if (cursor[0] < '1' || cursor[0] > '9' || *end != '\0' ||
		    strlen(cursor) > 18) {
			snprintf(c->detail, sizeof(c->detail),
				 "cursor: invalid");
			return DDNS_EINVAL;
		}
	}
	if ((pg.items = json_array()) == NULL)
		return DDNS_ENOMEM;
	if ((err = db_api_token_list(c->db, c->account_id, after, pg.limit + 1,
				     token_item, &pg)) != 0) {
		json_decref(pg.items);
		return err;
	}
	snprintf(next, sizeof(next), "%lld", pg.last);
	api_json_answer(
		c->resp, 200,
		json_pack("{s:o, s:o}", "items", pg.items, "next_cursor",
			  pg.n > pg.limit ? json_string(next) : json_null()));
	return 0;
}

int
api_rest_token_delete(struct rest_ctx *c)
{
	int err = DDNS_ENOENT;

	if (strlen(c->id) == AUTH_TOKEN_ID_LEN)
		err = db_api_token_delete(c->db, c->account_id, c->id);
	if (err == DDNS_ENOENT) {
		snprintf(c->detail, sizeof(c->detail), "no such token");
		return err;
	}
	if (err == 0)
		api_rest_no_content(c);
	return err;
}
