/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth/secretbox.h"
#include "common/errors.h"
#include "common/log.h"
#include "db/zones.h"
#include "dnsbackend/policy.h"
#include "dnsbackend/zonekey.h"

int
dns_zone_key(struct db_conn *db, const struct dns_keyring *kr,
	     long long zone_id, const char *zone, const char *key_name,
	     const char *primary, struct dns_tsig_key *tmp,
	     const struct dns_tsig_key **out)
{
	struct db_tenant_zone z;
	char why[128];
	size_t len = 0;
	bool tenant;
	int err;

	*out = NULL;
	if ((err = db_zone_tenant_key(db, zone_id, &tenant, &z)) != 0)
		return err;
	if (!tenant) {
		if ((*out = dns_keyring_find(kr, key_name)) != NULL)
			return 0;
		log_error("zone %s refers to TSIG key \"%s\", which is not in "
			  "DDNS_TSIG_KEY_FILE",
			  zone, key_name);
		return DDNS_ENOKEY;
	}
	/* The primary may have been allowed once and not be any more. */
	if ((err = dns_policy_check(primary, why, sizeof(why))) != 0) {
		log_warn("zone %s: not contacted: %s", zone, why);
		return DDNS_EACCES;
	}
	memset(tmp, 0, sizeof(*tmp));
	snprintf(tmp->name, sizeof(tmp->name), "%s", z.key);
	err = auth_box_open(z.sealed, z.sealed_len, z.id, tmp->secret, &len,
			    NULL);
	sodium_memzero(&z, sizeof(z));
	if (err != 0) {
		log_error("zone %s: its TSIG secret does not open with "
			  "DDNS_SECRET_KEY_FILE (%s)",
			  zone, ddns_strerror(err));
		sodium_memzero(tmp, sizeof(*tmp));
		return DDNS_ENOKEY;
	}
	tmp->secret_len = len;
	*out = tmp;
	return 0;
}
