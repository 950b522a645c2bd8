/* SPDX-License-Identifier: MIT */
/*
 * REST: an account's hosts (create, list with keyset pagination, read,
 * change, delete). Changes reach DNS through the pusher,
 * like /nic/update's.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "api/rest_handlers.h"
#include "common/errors.h"
#include "db/hosts.h"
#include "db/zones.h"
#include "dnsbackend/query.h"

#define LIST_DEFAULT 50
#define LIST_MAX 100

struct page {
	json_t *items;
	unsigned limit, n;
	char last[DDNS_NAME_MAX + 1]; /* name of the last item kept */
	bool more;
};

static json_t *host_json(const struct db_host_info *h);
static int answer_host(struct rest_ctx *c, unsigned status, const char *name);
static int page_item(void *arg, const struct db_host_info *h);
static int ttl_check(struct rest_ctx *c, const json_t *o, int *ttl);
static int addr_field(struct rest_ctx *c, const json_t *o, const char *key,
		      int family, bool *set, char *out, size_t outsz);

/* Storage behind a struct db_follow read from a body. */
struct follow_in {
	struct db_follow f;
	char follows[DDNS_NAME_MAX + 1];
	char iid[48];
	bool given; /* the body has one of the four members */
};

static int follow_fields(struct rest_ctx *c, const json_t *o,
			 const struct db_host_info *base, struct follow_in *in);

static const struct api_json_field create_fields[] = {
	{ "name", API_JSON_STRING, true, false },
	{ "ttl", API_JSON_INTEGER, false, false },
	{ "follows", API_JSON_STRING, false, true },
	{ "ipv6_iid", API_JSON_STRING, false, true },
	{ "prefix_len", API_JSON_INTEGER, false, false },
	{ "ipv4_follows", API_JSON_BOOLEAN, false, false },
};
static const struct api_json_field patch_fields[] = {
	{ "ipv4", API_JSON_STRING, false, true },
	{ "ipv6", API_JSON_STRING, false, true },
	{ "ttl", API_JSON_INTEGER, false, false },
	{ "offline", API_JSON_BOOLEAN, false, false },
	{ "follows", API_JSON_STRING, false, true },
	{ "ipv6_iid", API_JSON_STRING, false, true },
	{ "prefix_len", API_JSON_INTEGER, false, false },
	{ "ipv4_follows", API_JSON_BOOLEAN, false, false },
};
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static json_t *
host_json(const struct db_host_info *h)
{
	bool refused = !h->pushed && h->refused_rcode[0] != '\0';
	json_t *o;

	o = json_pack("{s:s, s:s, s:o, s:o, s:i, s:b, s:s, s:s,"
		      " s:{s:b, s:s, s:o}}",
		      "name", h->name, "zone", h->zone, "ipv4",
		      api_json_text(h->ipv4), "ipv6", api_json_text(h->ipv6),
		      "ttl", h->ttl, "offline", h->offline, "created_at",
		      h->created_at, "updated_at", h->updated_at, "dns",
		      "pushed", h->pushed, "state",
		      h->pushed ? "pushed"
		      : refused ? "refused"
				: "pending",
		      "rcode",
		      api_json_text(refused ? h->refused_rcode : NULL));
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "follows", api_json_text(h->follows));
	json_object_set_new(o, "ipv6_iid", api_json_text(h->ipv6_iid));
	json_object_set_new(o, "prefix_len", json_integer(h->prefix_len));
	json_object_set_new(o, "ipv4_follows", json_boolean(h->ipv4_follows));
	json_object_set_new(o, "lan_prefix", api_json_text(h->lan_prefix));
	json_object_set_new(o, "followers", json_integer(h->followers));
	return o;
}

/*
 * follows, ipv6_iid, prefix_len, ipv4_follows of a body over base (the
 * host as it is; NULL for a new one). Not following, the other three are
 * refused. in->given tells whether the body had any of them.
 */
static int
follow_fields(struct rest_ctx *c, const json_t *o,
	      const struct db_host_info *base, struct follow_in *in)
{
	const json_t *fo = json_object_get(o, "follows"),
		     *ii = json_object_get(o, "ipv6_iid"),
		     *pl = json_object_get(o, "prefix_len"),
		     *v4 = json_object_get(o, "ipv4_follows");
	const char *s;
	uint8_t a[16];
	json_int_t len;

	memset(in, 0, sizeof(*in));
	in->given = fo != NULL || ii != NULL || pl != NULL || v4 != NULL;
	if (base != NULL) {
		snprintf(in->follows, sizeof(in->follows), "%s", base->follows);
		snprintf(in->iid, sizeof(in->iid), "%s", base->ipv6_iid);
		in->f.prefix_len = (unsigned)base->prefix_len;
		in->f.ipv4_follows = base->ipv4_follows;
	} else {
		in->f.prefix_len = 64;
		in->f.ipv4_follows = true;
	}
	if (fo != NULL) {
		in->follows[0] = '\0';
		s = json_string_value(fo);
		if (s != NULL &&
		    ddns_name_normalize(s, strlen(s), in->follows,
					sizeof(in->follows)) != 0) {
			snprintf(c->detail, sizeof(c->detail),
				 "follows: not a valid host name");
			return DDNS_ERANGE;
		}
	}
	if (ii != NULL) {
		in->iid[0] = '\0';
		s = json_string_value(ii);
		if (s != NULL && (inet_pton(AF_INET6, s, a) != 1 ||
				  inet_ntop(AF_INET6, a, in->iid,
					    sizeof(in->iid)) == NULL)) {
			snprintf(c->detail, sizeof(c->detail),
				 "ipv6_iid: not an IPv6 address");
			return DDNS_EBADADDR;
		}
	}
	if (pl != NULL) {
		len = json_integer_value(pl);
		if (len < 1 || len > 127) {
			snprintf(c->detail, sizeof(c->detail),
				 "prefix_len: must be in 1..127");
			return DDNS_ERANGE;
		}
		in->f.prefix_len = (unsigned)len;
	}
	if (v4 != NULL)
		in->f.ipv4_follows = json_is_true(v4);
	if (in->follows[0] == '\0' &&
	    ((ii != NULL && !json_is_null(ii)) || pl != NULL || v4 != NULL)) {
		snprintf(c->detail, sizeof(c->detail),
			 "follows: needed with ipv6_iid, prefix_len and "
			 "ipv4_follows");
		return DDNS_ERANGE;
	}
	in->f.follows = in->follows[0] ? in->follows : NULL;
	in->f.iid = in->iid[0] ? in->iid : NULL;
	return 0;
}

static int
answer_host(struct rest_ctx *c, unsigned status, const char *name)
{
	struct db_host_info h;
	int err;

	if ((err = db_host_get(c->db, c->account_id, name, &h)) != 0)
		return err;
	api_json_answer(c->resp, status, host_json(&h));
	return 0;
}

/* ttl, when present, within the operator's bounds; else *ttl = -1. */
static int
ttl_check(struct rest_ctx *c, const json_t *o, int *ttl)
{
	const json_t *v = json_object_get(o, "ttl");
	json_int_t t;

	*ttl = -1;
	if (v == NULL)
		return 0;
	t = json_integer_value(v);
	if (t < c->cfg->ttl_min || t > c->cfg->ttl_max) {
		snprintf(c->detail, sizeof(c->detail), "ttl: must be in %u..%u",
			 c->cfg->ttl_min, c->cfg->ttl_max);
		return DDNS_ERANGE;
	}
	*ttl = (int)t;
	return 0;
}

int
api_rest_host_create(struct rest_ctx *c)
{
	char name[DDNS_NAME_MAX + 1];
	const char *s;
	struct db_placement_rules rules;
	json_t *o = NULL;
	long long id;
	int ttl, err;

	struct follow_in fin;

	if ((err = api_json_body(c->req, create_fields, NFIELDS(create_fields),
				 &o, c->detail, sizeof(c->detail))) != 0)
		return err;
	s = api_json_str(o, "name");
	if (ddns_name_normalize(s, strlen(s), name, sizeof(name)) != 0) {
		snprintf(c->detail, sizeof(c->detail),
			 "name: not a valid host name");
		err = DDNS_ENOTFQDN;
		goto out;
	}
	if ((err = ttl_check(c, o, &ttl)) != 0 ||
	    (err = follow_fields(c, o, NULL, &fin)) != 0)
		goto out;
	dns_placement_rules(c->cfg, &rules);
	err = db_host_create_follow(c->db, c->account_id, name, ttl, &rules,
				    fin.f.follows != NULL ? &fin.f : NULL, &id,
				    c->detail, sizeof(c->detail));
	if (err == 0) {
		api_add_header(c->resp, "Location", "/v1/hosts/%s", name);
		err = answer_host(c, 201, name);
	}
out:
	json_decref(o);
	return err;
}

static int
page_item(void *arg, const struct db_host_info *h)
{
	struct page *pg = arg;

	if (pg->n == pg->limit) {
		pg->more = true;
		return 0;
	}
	pg->n++;
	snprintf(pg->last, sizeof(pg->last), "%s", h->name);
	return json_array_append_new(pg->items, host_json(h)) == 0
		       ? 0
		       : DDNS_ENOMEM;
}

int
api_rest_host_list(struct rest_ctx *c)
{
	char after[DDNS_NAME_MAX + 1];
	const char *cursor = api_rest_query(c, "cursor");
	struct page pg = { 0 };
	int err;

	if ((err = api_rest_query_uint(c, "limit", LIST_DEFAULT, 1, LIST_MAX,
				       &pg.limit)) != 0)
		return err;
	if (cursor != NULL && ddns_name_normalize(cursor, strlen(cursor), after,
						  sizeof(after)) != 0) {
		snprintf(c->detail, sizeof(c->detail), "cursor: invalid");
		return DDNS_EINVAL;
	}
	if ((pg.items = json_array()) == NULL)
		return DDNS_ENOMEM;
	/* One row more than the page tells whether there is a next one. */
	err = db_host_list(c->db, c->account_id, cursor ? after : NULL,
			   pg.limit + 1, page_item, &pg);
	if (err != 0) {
		json_decref(pg.items);
		return err;
	}
	api_json_answer(
		c->resp, 200,
		json_pack("{s:o, s:o}", "items", pg.items, "next_cursor",
			  pg.more ? json_string(pg.last) : json_null()));
	return 0;
}

int
api_rest_host_get(struct rest_ctx *c)
{
	struct db_host_info h;
	int err;

	if ((err = api_rest_host(c, &h)) != 0)
		return err;
	api_json_answer(c->resp, 200, host_json(&h));
	return 0;
}

/* An address member: absent, null (clear) or an address of family. */
static int
addr_field(struct rest_ctx *c, const json_t *o, const char *key, int family,
	   bool *set, char *out, size_t outsz)
{
	const json_t *v = json_object_get(o, key);
	struct ddns_addr a;
	const char *s;

	*set = v != NULL;
	out[0] = '\0';
	if (v == NULL || json_is_null(v))
		return 0;
	s = json_string_value(v);
	if (ddns_addr_parse(s, strlen(s), &a) != 0 || a.family != family) {
		snprintf(c->detail, sizeof(c->detail),
			 "%s: not a usable %s address", key,
			 family == AF_INET ? "IPv4" : "IPv6");
		return DDNS_EBADADDR;
	}
	ddns_addr_format(&a, out, outsz);
	return 0;
}

int
api_rest_host_patch(struct rest_ctx *c)
{
	char v4[48], v6[48];
	struct db_host_patch p = { 0 };
	struct db_host_info h;
	struct follow_in fin;
	const json_t *off;
	json_t *o = NULL;
	bool follows;
	int err;

	if ((err = api_rest_host(c, &h)) != 0)
		return err;
	if ((err = api_json_body(c->req, patch_fields, NFIELDS(patch_fields),
				 &o, c->detail, sizeof(c->detail))) != 0)
		return err;
	if (json_object_size(o) == 0) {
		snprintf(c->detail, sizeof(c->detail),
			 "body: give at least one of ipv4, ipv6, ttl, offline, "
			 "follows, ipv6_iid, prefix_len, ipv4_follows");
		err = DDNS_EINVAL;
		goto out;
	}
	if ((err = addr_field(c, o, "ipv4", AF_INET, &p.set_v4, v4,
			      sizeof(v4))) != 0 ||
	    (err = addr_field(c, o, "ipv6", AF_INET6, &p.set_v6, v6,
			      sizeof(v6))) != 0 ||
	    (err = ttl_check(c, o, &p.ttl)) != 0 ||
	    (err = follow_fields(c, o, &h, &fin)) != 0)
		goto out;
	/* A follower's derived addresses are not its own to set. */
	follows = fin.f.follows != NULL;
	if (follows && (p.set_v6 || (p.set_v4 && fin.f.ipv4_follows))) {
		snprintf(c->detail, sizeof(c->detail),
			 "%s: derived from the followed host %s",
			 p.set_v6 ? "ipv6" : "ipv4", fin.f.follows);
		err = DDNS_ERANGE;
		goto out;
	}
	p.v4 = v4[0] ? v4 : NULL;
	p.v6 = v6[0] ? v6 : NULL;
	p.set_ttl = p.ttl >= 0;
	off = json_object_get(o, "offline");
	p.set_offline = off != NULL;
	p.offline = json_is_true(off);
	if (fin.given &&
	    (err = db_host_follow_set(c->db, c->account_id, h.id, &fin.f,
				      api_rest_source(c), api_rest_ua(c),
				      c->detail, sizeof(c->detail))) != 0)
		goto out;
	if (p.set_v4 || p.set_v6 || p.set_ttl || p.set_offline) {
		api_rest_bucket(&p.bucket_burst, &p.bucket_window_s);
		err = db_host_update(c->db, c->account_id, h.id, &p,
				     api_rest_source(c), api_rest_ua(c));
		if (err == DDNS_EABUSE)
			err = api_rest_bucket_empty(c, h.id);
	}
	if (err == 0)
		err = answer_host(c, 200, h.name);
out:
	json_decref(o);
	return err;
}

int
api_rest_host_delete(struct rest_ctx *c)
{
	int err = DDNS_ENOENT;

	if (c->name[0] != '\0')
		err = db_host_delete(c->db, c->account_id, c->name, c->detail,
				     sizeof(c->detail));
	if (err == DDNS_ENOENT)
		snprintf(c->detail, sizeof(c->detail), "no such host");
	if (err == 0)
		api_rest_no_content(c);
	return err;
}
