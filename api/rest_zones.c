/* SPDX-License-Identifier: MIT */
/*
 * REST: the zones an account may use, and the zones it brings itself (its
 * own primary and TSIG key). A new or changed zone is verified before it
 * is stored: the primary must be one the operator allows
 * (dnsbackend/policy.h), and answer a TSIG-signed SOA query for the zone,
 * signed with the same key, authoritatively. The secret is stored only
 * sealed (auth/secretbox.h) and never appears in an answer or a log line.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "api/rest_handlers.h"
#include "auth/secretbox.h"
#include "common/errors.h"
#include "db/zones.h"
#include "dnsbackend/keyfile.h"
#include "dnsbackend/policy.h"
#include "dnsbackend/query.h"

#define ZONE_ALGORITHM "hmac-sha256"
#define ZONE_SECRET_MIN 16 /* bytes: RFC 8945 5.2 wants >= the MAC half */

static int zone_item(void *arg, const struct db_zone_info *z);
static json_t *zone_info_json(const struct db_zone_info *z);
static json_t *tenant_json(struct rest_ctx *c, const struct db_tenant_zone *z);
static int key_name_ok(const char *s, char *out, size_t outsz);
static int tsig_from_json(struct rest_ctx *c, const json_t *t,
			  struct dns_tsig_key *key);
static int zone_prepare(struct rest_ctx *c, struct db_tenant_zone *z,
			const struct dns_tsig_key *key);
static int need_box(struct rest_ctx *c);

static const struct api_json_field create_fields[] = {
	{ "name", API_JSON_STRING, true, false },
	{ "primary", API_JSON_STRING, true, false },
	{ "tsig", API_JSON_OBJECT, true, false },
	{ "default_ttl", API_JSON_INTEGER, false, false },
};
static const struct api_json_field patch_fields[] = {
	{ "primary", API_JSON_STRING, false, false },
	{ "tsig", API_JSON_OBJECT, false, false },
};
static const struct api_json_field tsig_fields[] = {
	{ "name", API_JSON_STRING, true, false },
	{ "algorithm", API_JSON_STRING, true, false },
	{ "secret", API_JSON_STRING, true, false },
};

static json_t *
zone_info_json(const struct db_zone_info *z)
{
	json_t *o =
		json_pack("{s:s, s:i, s:b, s:b, s:I, s:I}", "name", z->name,
			  "default_ttl", z->default_ttl, "shared", z->shared,
			  "own", z->own_key, "hosts", (json_int_t)z->hosts,
			  "pending", (json_int_t)z->pending);

	/* A shared zone's primary is the operator's hidden one: not shown. */
	if (o != NULL && z->own_key)
		json_object_set_new(o, "primary", json_string(z->primary)),
			json_object_set_new(o, "tsig",
					    json_pack("{s:s, s:s}", "name",
						      z->key, "algorithm",
						      ZONE_ALGORITHM));
	return o;
}

static int
zone_item(void *arg, const struct db_zone_info *z)
{
	return json_array_append_new(arg, zone_info_json(z)) == 0 ? 0
								  : DDNS_ENOMEM;
}

int
api_rest_zone_list(struct rest_ctx *c)
{
	json_t *items = json_array();
	int err;

	if ((err = db_zone_list_usable(c->db, c->account_id, zone_item,
				       items)) != 0) {
		json_decref(items);
		return err;
	}
	api_json_answer(c->resp, 200, json_pack("{s:o}", "items", items));
	return 0;
}

/* The zone as GET /v1/zones shows it (with its host counts). */
static json_t *
tenant_json(struct rest_ctx *c, const struct db_tenant_zone *z)
{
	struct db_zone_info info = { 0 };

	if (db_zone_get_usable(c->db, c->account_id, z->name, &info) != 0)
		return NULL;
	return zone_info_json(&info);
}

/* A TSIG key name: 1..255 characters of [A-Za-z0-9._-], lower-cased. */
static int
key_name_ok(const char *s, char *out, size_t outsz)
{
	size_t n = strlen(s);

	if (n == 0 || n >= outsz || n > 255 || s[0] == '.' ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789._-") != n ||
	    strstr(s, "..") != NULL)
		return DDNS_EINVAL;
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a'
							   : s[i]);
	if (n > 1 && out[n - 1] == '.')
		out[n - 1] = '\0';
	return 0;
}

static int
tsig_from_json(struct rest_ctx *c, const json_t *t, struct dns_tsig_key *key)
{
	const char *alg, *secret;
	size_t len = 0;

	memset(key, 0, sizeof(*key));
	if (api_json_members(t, "tsig", tsig_fields, 3, c->detail,
			     sizeof(c->detail)) != 0)
		return DDNS_EINVAL;
	alg = api_json_str(t, "algorithm");
	secret = api_json_str(t, "secret");
	if (strcmp(alg, ZONE_ALGORITHM) != 0 &&
	    strcmp(alg, ZONE_ALGORITHM ".") != 0) {
		snprintf(c->detail, sizeof(c->detail),
			 "tsig.algorithm: must be " ZONE_ALGORITHM);
		return DDNS_ERANGE;
	}
	if (key_name_ok(api_json_str(t, "name"), key->name,
			sizeof(key->name)) != 0) {
		snprintf(c->detail, sizeof(c->detail),
			 "tsig.name: not a TSIG key name");
		return DDNS_ERANGE;
	}
	if (sodium_base642bin(key->secret, sizeof(key->secret), secret,
			      strlen(secret), NULL, &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    len < ZONE_SECRET_MIN) {
		sodium_memzero(key, sizeof(*key));
		snprintf(c->detail, sizeof(c->detail),
			 "tsig.secret: expected base64 of %d to %d bytes",
			 ZONE_SECRET_MIN, DNS_KEY_SECRET_MAX);
		return DDNS_ERANGE;
	}
	key->secret_len = len;
	return 0;
}

/* Checks z's primary, verifies it with key, seals the secret for z->id. */
static int
zone_prepare(struct rest_ctx *c, struct db_tenant_zone *z,
	     const struct dns_tsig_key *key)
{
	int err;

	if ((err = dns_policy_check(z->primary, c->detail,
				    sizeof(c->detail))) != 0)
		return DDNS_ERANGE;
	if (dns_zone_verify(z->primary, key, z->name,
			    (int)c->cfg->dns_timeout_ms, c->detail,
			    sizeof(c->detail)) != 0)
		return DDNS_ERANGE;
	snprintf(z->key, sizeof(z->key), "%s", key->name);
	return auth_box_seal(key->secret, key->secret_len, z->id, z->sealed,
			     &z->sealed_len);
}

static int
need_box(struct rest_ctx *c)
{
	if (auth_box_ready())
		return 0;
	snprintf(c->detail, sizeof(c->detail),
		 "bring-your-own zones need DDNS_SECRET_KEY_FILE");
	return DDNS_EAGAIN;
}

int
api_rest_zone_create(struct rest_ctx *c)
{
	struct db_tenant_zone z = { 0 };
	struct dns_tsig_key key = { 0 };
	char overlap[DDNS_NAME_MAX + 1];
	const json_t *ttl;
	json_t *o = NULL;
	int err;

	if ((err = need_box(c)) != 0 ||
	    (err = api_json_body(c->req, create_fields, 4, &o, c->detail,
				 sizeof(c->detail))) != 0)
		return err;
	err = DDNS_ERANGE;
	if (ddns_name_normalize(api_json_str(o, "name"),
				strlen(api_json_str(o, "name")), z.name,
				sizeof(z.name)) != 0) {
		snprintf(c->detail, sizeof(c->detail),
			 "name: not a valid zone name");
		goto out;
	}
	snprintf(z.primary, sizeof(z.primary), "%s",
		 api_json_str(o, "primary"));
	z.default_ttl = 60;
	if ((ttl = json_object_get(o, "default_ttl")) != NULL) {
		if (json_integer_value(ttl) < c->cfg->ttl_min ||
		    json_integer_value(ttl) > c->cfg->ttl_max) {
			snprintf(c->detail, sizeof(c->detail),
				 "default_ttl: must be in %u..%u",
				 c->cfg->ttl_min, c->cfg->ttl_max);
			goto out;
		}
		z.default_ttl = (int)json_integer_value(ttl);
	}
	if ((err = tsig_from_json(c, json_object_get(o, "tsig"), &key)) != 0)
		goto out;
	/* Refusals the database alone decides come before any DNS. */
	err = db_zone_precheck(c->db, c->account_id, z.name,
			       c->cfg->max_zones_per_account, overlap,
			       sizeof(overlap));
	if (err == 0 && (err = db_zone_next_id(c->db, &z.id)) == 0 &&
	    (err = zone_prepare(c, &z, &key)) == 0)
		err = db_zone_create_tenant(c->db, c->account_id, &z,
					    c->cfg->max_zones_per_account,
					    overlap, sizeof(overlap));
	if (err == DDNS_ENAMEUSED) {
		err = DDNS_EOVERLAP;
		snprintf(c->detail, sizeof(c->detail),
			 "name: overlaps the zone %.150s", overlap);
	} else if (err == DDNS_ELIMIT) {
		snprintf(c->detail, sizeof(c->detail),
			 "the account has DDNS_MAX_ZONES_PER_ACCOUNT zones "
			 "already");
	} else if (err == DDNS_EEXIST) {
		err = DDNS_EOVERLAP;
		snprintf(c->detail, sizeof(c->detail),
			 "name: the zone exists already");
	}
	if (err == 0) {
		api_add_header(c->resp, "Location", "/v1/zones/%s", z.name);
		api_json_answer(c->resp, 201, tenant_json(c, &z));
	}
out:
	sodium_memzero(&key, sizeof(key));
	json_decref(o);
	return err;
}

int
api_rest_zone_patch(struct rest_ctx *c)
{
	struct db_tenant_zone z;
	struct dns_tsig_key key = { 0 };
	const json_t *t;
	json_t *o = NULL;
	size_t len = 0;
	int err;

	if ((err = api_json_body(c->req, patch_fields, 2, &o, c->detail,
				 sizeof(c->detail))) != 0)
		return err;
	if ((err = db_zone_get_tenant(c->db, c->account_id, c->name, &z)) !=
	    0) {
		if (err == DDNS_ENOENT)
			snprintf(c->detail, sizeof(c->detail), "no such zone");
		goto out;
	}
	if ((err = need_box(c)) != 0)
		goto out;
	if (api_json_str(o, "primary") != NULL)
		snprintf(z.primary, sizeof(z.primary), "%s",
			 api_json_str(o, "primary"));
	if ((t = json_object_get(o, "tsig")) != NULL) {
		if ((err = tsig_from_json(c, t, &key)) != 0)
			goto out;
	} else {
		/* The key stays: open it to verify the new primary with. */
		snprintf(key.name, sizeof(key.name), "%s", z.key);
		if ((err = auth_box_open(z.sealed, z.sealed_len, z.id,
					 key.secret, &len, NULL)) != 0) {
			snprintf(c->detail, sizeof(c->detail),
				 "the stored key cannot be opened with "
				 "DDNS_SECRET_KEY_FILE: send tsig again");
			err = DDNS_ERANGE;
			goto out;
		}
		key.secret_len = len;
	}
	if ((err = zone_prepare(c, &z, &key)) != 0 ||
	    (err = db_zone_update_tenant(c->db, c->account_id, &z)) != 0)
		goto out;
	api_json_answer(c->resp, 200, tenant_json(c, &z));
out:
	sodium_memzero(&key, sizeof(key));
	sodium_memzero(&z, sizeof(z));
	json_decref(o);
	return err;
}

int
api_rest_zone_delete(struct rest_ctx *c)
{
	int err = db_zone_delete_tenant(c->db, c->account_id, c->name);

	if (err == DDNS_ENOENT)
		snprintf(c->detail, sizeof(c->detail), "no such zone");
	else if (err == DDNS_EEXIST)
		snprintf(c->detail, sizeof(c->detail),
			 "the zone still has hosts: delete them first, and "
			 "let them leave DNS");
	if (err == 0)
		api_rest_no_content(c);
	return err;
}
