/* SPDX-License-Identifier: MIT */
/*
 * The TSIG key to talk to a zone's primary with, for the pusher and
 * reconcile alike: an operator zone's key comes from DDNS_TSIG_KEY_FILE by
 * name; a tenant's own zone carries its key sealed in the database
 * (auth/secretbox.h), and its primary is checked against the operator's
 * policy (dnsbackend/policy.h) again before every connection.
 */
#ifndef DDNS_DNSBACKEND_ZONEKEY_H
#define DDNS_DNSBACKEND_ZONEKEY_H

#include "db/conn.h"
#include "dnsbackend/keyfile.h"

/*
 * Finds the key of zone zone_id (name zone, key name key_name, primary
 * primary) for one exchange. A tenant's key is opened into *tmp (the
 * caller wipes it with sodium_memzero after use) and *out points there;
 * an operator's *out points into kr. Returns 0, DDNS_ENOKEY (not in the
 * key file, or the sealed secret does not open), DDNS_EACCES (the primary
 * is not allowed) or DDNS_EDB. Logs why.
 */
int dns_zone_key(struct db_conn *db, const struct dns_keyring *kr,
		 long long zone_id, const char *zone, const char *key_name,
		 const char *primary, struct dns_tsig_key *tmp,
		 const struct dns_tsig_key **out);

#endif
