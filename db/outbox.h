/* SPDX-License-Identifier: MIT */
/*
 * The outbox: hosts whose version is ahead of what DNS has seen
 * (version > pushed_version). The pusher claims them under a lease (no
 * lock is held while it talks to the nameserver), pushes, marks what
 * succeeded and releases the rest. A lease that its holder never gives
 * back (crash) expires, and another pusher takes the hosts.
 */
#ifndef DDNS_DB_OUTBOX_H
#define DDNS_DB_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/names.h"
#include "db/acme.h"
#include "db/conn.h"

struct db_push_item {
	long long host_id;
	long long version;
	long long zone_id;
	char fqdn[DDNS_NAME_MAX + 1];
	char zone[DDNS_NAME_MAX + 1];
	char primary[64];
	char key[256];
	uint32_t ttl;
	bool has_v4, has_v6; /* already false when the host is offline */
	uint8_t v4[4], v6[16];
	bool deleted; /* a tombstone: remove the name from DNS */
	size_t ntxt;  /* ACME challenge values (TXT) */
	char txt[DB_ACME_MAX][DB_ACME_VALUE_MAX + 1];
};

/*
 * Claims up to max dirty hosts of one zone (the first with any) that
 * nobody holds a live lease on, among tenants' own zones (tenant) or the
 * operator's, skipping the zones in skip (nskip ids), and leases them to
 * lease (a number unique to this claim) for lease_ms. Committed on
 * return. *more: another zone has claimable hosts too (may be false when
 * *n == max). Returns 0 (and *n, possibly 0) or DDNS_EDB.
 */
int db_outbox_claim(struct db_conn *c, bool tenant, const long long *skip,
		    size_t nskip, long long lease, unsigned lease_ms,
		    struct db_push_item *items, size_t max, size_t *n,
		    bool *more);

/*
 * Sets pushed_version to the items' versions and ends their lease, for
 * those still leased to lease; tombstones among them that DNS has now
 * seen are deleted for good. *dirty: how many of them changed again
 * meanwhile (to push at once). 0 or DDNS_EDB.
 */
int db_outbox_mark(struct db_conn *c, const struct db_push_item *items,
		   size_t n, long long lease, long long *dirty);

/*
 * The nameserver refused the change of it (still leased to lease) with
 * rcode (its mnemonic, "REFUSED"): records that on the host (its push
 * state is "refused" until a change of it is accepted), ends the lease
 * and keeps the host from being claimed for min_ms, doubled with every
 * refusal in a row up to max_ms, or until it changes again. *refusals:
 * refusals in a row, *delay_ms: that wait (both 0 when the lease was
 * lost meanwhile). 0 or DDNS_EDB.
 */
int db_outbox_refuse(struct db_conn *c, const struct db_push_item *it,
		     long long lease, const char *rcode, unsigned min_ms,
		     unsigned max_ms, unsigned *refusals, long long *delay_ms);

/* Ends the lease of the items still leased to lease (not pushed: another
 * round or pusher may take them). 0 or DDNS_EDB. */
int db_outbox_release(struct db_conn *c, const struct db_push_item *items,
		      size_t n, long long lease);

/* Hosts waiting for DNS and the age in seconds of the oldest of their
 * changes (0 when none), not counting the *refused hosts whose change
 * the nameserver refused. Not inside a claim transaction. 0 or DDNS_EDB. */
int db_outbox_pending(struct db_conn *c, long long *hosts, double *oldest_s,
		      long long *refused);

#endif
