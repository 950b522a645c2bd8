/* SPDX-License-Identifier: MIT */
/*
 * REST: update tokens (ddh_...) of one host. The secret is shown once, at
 * creation; a deleted token stops working with the next request.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "api/rest_handlers.h"
#include "auth/token.h"
#include "common/errors.h"
#include "db/host_tokens.h"

static json_t *htok_json(const struct db_host_token *t);
static int htok_item(void *arg, const struct db_host_token *t);

static const struct api_json_field create_fields[] = {
	{ "label", API_JSON_STRING, false, false },
};

static json_t *
htok_json(const struct db_host_token *t)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "id", t->id, "label", t->label,
			 "created_at", t->created_at, "last_used_at",
			 api_json_text(t->last_used_at));
}

int
api_rest_host_token_create(struct rest_ctx *c)
{
	char text[AUTH_TOKEN_TEXT_LEN + 1];
	uint8_t hash[AUTH_TOKEN_HASH_LEN];
	struct auth_token tok;
	struct db_host_token t;
	struct db_host_info h;
	const char *label = "";
	json_t *o = NULL;
	int err;

	if ((err = api_rest_host(c, &h)) != 0)
		return err;
	/* An empty body is an empty label. */
	if (c->req->body_len > 0 &&
	    (err = api_json_body(c->req, create_fields, 1, &o, c->detail,
				 sizeof(c->detail))) != 0)
		return err;
	if (api_json_str(o, "label") != NULL)
		label = api_json_str(o, "label");
	if (label[0] != '\0' && !api_rest_text_ok(label, DB_LABEL_MAX)) {
		snprintf(c->detail, sizeof(c->detail),
			 "label: at most %d characters, no control "
			 "characters",
			 DB_LABEL_MAX);
		err = DDNS_EINVAL;
		goto out;
	}
	if ((err = auth_token_generate(AUTH_TOKEN_HOST, &tok, text,
				       sizeof(text))) != 0)
		goto out;
	auth_token_hash(&tok, hash);
	err = db_host_token_create(c->db, c->account_id, h.id, tok.public_id,
				   hash, sizeof(hash), label,
				   c->cfg->max_tokens_per_host, &t);
	auth_token_wipe(&tok);
	if (err == DDNS_ELIMIT)
		snprintf(c->detail, sizeof(c->detail),
			 "the host has DDNS_MAX_TOKENS_PER_HOST tokens");
	if (err == 0)
		api_rest_token_created(c, htok_json(&t), text);
	sodium_memzero(text, sizeof(text));
out:
	json_decref(o);
	return err;
}

static int
htok_item(void *arg, const struct db_host_token *t)
{
	return json_array_append_new(arg, htok_json(t)) == 0 ? 0 : DDNS_ENOMEM;
}

int
api_rest_host_token_list(struct rest_ctx *c)
{
	struct db_host_info h;
	json_t *items;
	int err;

	if ((err = api_rest_host(c, &h)) != 0)
		return err;
	if ((items = json_array()) == NULL)
		return DDNS_ENOMEM;
	if ((err = db_host_token_list(c->db, c->account_id, h.id, htok_item,
				      items)) != 0) {
		json_decref(items);
		return err;
	}
	api_json_answer(c->resp, 200, json_pack("{s:o}", "items", items));
	return 0;
}

int
api_rest_host_token_delete(struct rest_ctx *c)
{
	struct db_host_info h;
	int err;

	if ((err = api_rest_host(c, &h)) != 0)
		return err;
	err = DDNS_ENOENT;
	if (strlen(c->id) == AUTH_TOKEN_ID_LEN)
		err = db_host_token_delete(c->db, c->account_id, h.id, c->id);
	if (err == DDNS_ENOENT)
		snprintf(c->detail, sizeof(c->detail), "no such token");
	if (err == 0)
		api_rest_no_content(c);
	return err;
}

/* The label only: a token's secret never changes. */
int
api_rest_host_token_patch(struct rest_ctx *c)
{
	struct db_host_token t;
	struct db_host_info h;
	const char *label;
	json_t *o = NULL;
	int err;

	if ((err = api_rest_host(c, &h)) != 0 ||
	    (err = api_json_body(c->req, create_fields, 1, &o, c->detail,
				 sizeof(c->detail))) != 0)
		return err;
	label = api_json_str(o, "label");
	err = DDNS_EINVAL;
	if (label == NULL)
		snprintf(c->detail, sizeof(c->detail), "label: required");
	else if (label[0] != '\0' && !api_rest_text_ok(label, DB_LABEL_MAX))
		snprintf(c->detail, sizeof(c->detail),
			 "label: at most %d characters, no control "
			 "characters",
			 DB_LABEL_MAX);
	else
		err = DDNS_ENOENT;
	if (err == DDNS_ENOENT && strlen(c->id) == AUTH_TOKEN_ID_LEN)
		err = db_host_token_relabel(c->db, c->account_id, h.id, c->id,
					    label, &t);
	if (err == DDNS_ENOENT)
		snprintf(c->detail, sizeof(c->detail), "no such token");
	if (err == 0)
		api_json_answer(c->resp, 200, htok_json(&t));
	json_decref(o);
	return err;
}
