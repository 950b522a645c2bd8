/* SPDX-License-Identifier: MIT */
/*
 * Reconcile: compare what the nameserver serves (AXFR with TSIG) with the
 * database, the source of truth, and repair the difference.
 *
 * The names ddnsd manages in a zone are exactly the fqdn of its hosts rows.
 * For each of them the A and AAAA RRsets in DNS must be the host's address
 * (none when offline or not set) with the host's TTL; a host whose records
 * differ in any way (missing, changed, extra records, other TTL) is marked
 * dirty (version + 1), and the pusher rewrites both RRsets, which also
 * removes stray records. Names that are not hosts (the apex, ns1, anything
 * an operator added) are never touched: ddnsd cannot know they are its own.
 * Hosts with a push already pending are left to the pusher.
 *
 * A zone its primary signs (DNSSEC) is compared the same way: the signer's
 * records (RRSIG, NSEC/NSEC3, DNSKEY, CDS/CDNSKEY, ...: see
 * dnsbackend/dnssec.h) and the SOA, whose serial the signer bumps, are
 * never compared; they are only counted.
 *
 * Memory stays bounded whatever the zone's size: the transfer is read as
 * a stream into a summary of 16 bytes per name (dnsbackend/zonesum.h),
 * then the hosts one row at a time (db_reconcile_hosts_each()).
 */
#ifndef DDNS_DNSBACKEND_RECONCILE_H
#define DDNS_DNSBACKEND_RECONCILE_H

#include <stddef.h>

#include "db/conn.h"
#include "dnsbackend/keystore.h"

struct dns_reconcile_opts {
	const struct dns_keyring *keys; /* borrowed */
	unsigned timeout_ms;            /* per DNS message (AXFR) */
	const char *zone;               /* NULL: every zone */
};

struct dns_reconcile_stats {
	size_t zones;        /* zones transferred and compared */
	size_t zones_failed; /* zones whose AXFR failed */
	size_t hosts;        /* hosts compared */
	size_t differ;       /* hosts whose records differ */
	size_t pending;      /* of those, already waiting for the pusher */
	size_t marked;       /* hosts marked dirty by this run */
	size_t foreign;      /* names with address records that are not hosts */
	size_t signer;       /* DNSSEC records of the signer, not compared */
};

/*
 * One pass over the zone(s) of o on connection db. Returns 0 when every
 * zone was compared, DDNS_ENOTZONE when o->zone is not a known zone, the
 * first AXFR error of a zone (the other zones are still done), DDNS_EDB or
 * DDNS_ENOMEM. Fills *st (may be NULL). Logs each differing host.
 */
int dns_reconcile_run(struct db_conn *db, const struct dns_reconcile_opts *o,
		      struct dns_reconcile_stats *st);

struct dns_reconciler;

/*
 * Starts a thread that runs dns_reconcile_run() over every zone each
 * interval_s seconds (first run one interval after start) on its own
 * connection, under a PostgreSQL advisory lock so that one instance at a
 * time reconciles. keys must outlive it. NULL on failure (logged).
 */
struct dns_reconciler *dns_reconciler_start(const char *database_url,
					    struct dns_keystore *keys,
					    unsigned interval_s,
					    unsigned timeout_ms);

/* Asks the thread to stop after the zone it is at; returns at once.
 * NULL-safe. */
void dns_reconciler_request_stop(struct dns_reconciler *r);

/*
 * Stops (interrupting the wait) and waits for the thread until
 * deadline_ms (of ddns_now_ms()), then joins and frees it: 0. A pass still
 * running then (a zone transfer that does not end) is left to end with
 * the process; r and its key store must not be freed: DDNS_ETIMEDOUT.
 * NULL-safe.
 */
int dns_reconciler_stop(struct dns_reconciler *r, long long deadline_ms);

#endif
