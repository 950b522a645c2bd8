/* SPDX-License-Identifier: MIT */
/*
 * The outbox: hosts whose version is ahead of what DNS has seen
 * (version > pushed_version). The pusher claims them inside a transaction
 * with FOR UPDATE SKIP LOCKED, pushes, marks what succeeded and commits.
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
	bool deleted;        /* a tombstone: remove the name from DNS */
	size_t ntxt;         /* ACME challenge values (TXT) */
	char txt[DB_ACME_MAX][DB_ACME_VALUE_MAX + 1];
};

/*
 * BEGINs a transaction and claims up to max dirty hosts, ordered by zone,
 * skipping rows other pushers hold and the zones in skip (nskip ids).
 * Leaves the transaction open: finish with db_outbox_finish(). Returns 0
 * (and *n, possibly 0) or DDNS_EDB (transaction rolled back).
 */
int db_outbox_claim(struct db_conn *c, const long long *skip, size_t nskip,
		    struct db_push_item *items, size_t max, size_t *n);

/* Sets pushed_version = version for the n items; tombstones among them
 * that DNS has now seen are deleted for good. 0 or DDNS_EDB. */
int db_outbox_mark(struct db_conn *c, const struct db_push_item *items,
		   size_t n);

/* COMMIT (commit = true) or ROLLBACK the claim transaction. */
int db_outbox_finish(struct db_conn *c, bool commit);

/* Hosts waiting for DNS and the age in seconds of the oldest of their
 * changes (0 when none). Not inside a claim transaction. 0 or DDNS_EDB. */
int db_outbox_pending(struct db_conn *c, long long *hosts, double *oldest_s);

#endif
