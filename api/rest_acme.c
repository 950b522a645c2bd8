/* SPDX-License-Identifier: MIT */
/*
 * REST: ACME DNS-01 challenges, TXT records at _acme-challenge.<name>.
 * An account token with write scope, or the host's own host token (so a
 * certbot hook on the router's LAN needs no account token).
 */
#include <stdio.h>
#include <string.h>

#include "api/rest_handlers.h"
#include "common/errors.h"
#include "db/acme.h"
#include "dnsbackend/wire.h"

static const struct api_json_field put_fields[] = {
	{ "value", API_JSON_STRING, true, false },
};

static const struct db_acme_who *who(const struct rest_ctx *c,
				     struct db_acme_who *w);

/* Who changes it, and the host's change bucket. */
static const struct db_acme_who *
who(const struct rest_ctx *c, struct db_acme_who *w)
{
	w->source = api_rest_source(c);
	w->user_agent = api_rest_ua(c);
	api_rest_bucket(&w->bucket_burst, &w->bucket_window_s);
	return w;
}

int
api_rest_acme_put(struct rest_ctx *c)
{
	struct db_acme_who w;
	struct db_host_info h;
	const char *v;
	json_t *o = NULL;
	int err;

	if ((err = api_rest_host(c, &h)) != 0)
		return err;
	if ((err = api_json_body(c->req, put_fields, 1, &o, c->detail,
				 sizeof(c->detail))) != 0)
		return err;
	v = api_json_str(o, "value");
	if (!dns_txt_value_ok(v)) {
		snprintf(c->detail, sizeof(c->detail),
			 "value: 1..%d printable ASCII characters",
			 DNS_TXT_VALUE_MAX);
		err = DDNS_EINVAL;
		goto out;
	}
	/* "_acme-challenge." in front must still be a DNS name. */
	if (sizeof(DNS_ACME_LABEL) + strlen(h.name) > DDNS_NAME_MAX) {
		snprintf(c->detail, sizeof(c->detail),
			 "name: too long for an _acme-challenge record");
		err = DDNS_ENOTFQDN;
		goto out;
	}
	err = db_acme_add(c->db, h.id, c->account_id, v, who(c, &w));
	if (err == DDNS_EABUSE)
		err = api_rest_bucket_empty(c, h.id);
	if (err == DDNS_ELIMIT)
		snprintf(c->detail, sizeof(c->detail),
			 "at most %d challenge values per host", DB_ACME_MAX);
	if (err == 0)
		api_rest_no_content(c);
out:
	json_decref(o);
	return err;
}

int
api_rest_acme_delete(struct rest_ctx *c)
{
	struct db_acme_who w;
	struct db_host_info h;
	int err;

	if ((err = api_rest_host(c, &h)) != 0)
		return err;
	err = db_acme_clear(c->db, h.id, c->account_id, who(c, &w));
	if (err == DDNS_EABUSE)
		err = api_rest_bucket_empty(c, h.id);
	if (err == 0)
		api_rest_no_content(c);
	return err;
}
