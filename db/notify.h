/* SPDX-License-Identifier: MIT */
/*
 * The one way to wake pushers after a change was committed. Every writer
 * of dirty hosts commits, then calls db_changed(): it always wakes this
 * process's pusher in-process (common/wake.h, a pipe) and, for the rare
 * writers (REST, ACME, CLI, reconcile, zone changes), also tells other
 * instances through the one notification channel, ddns_dirty. /nic/update
 * stays in-process only: a NOTIFY in its commits capped accepted changes
 * at the fsync rate (README); other instances find its rows on their
 * DDNS_PUSH_INTERVAL_MS.
 */
#ifndef DDNS_DB_NOTIFY_H
#define DDNS_DB_NOTIFY_H

#include "db/conn.h"

enum db_changed_scope {
	DB_CHANGED_LOCAL, /* this process's pusher only (/nic/update) */
	DB_CHANGED_ALL,   /* and every instance listening on ddns_dirty */
};

/*
 * Wakes the pushers after a committed change. With DB_CHANGED_ALL it sends
 * NOTIFY on c in a transaction of its own (c must not be inside one); a
 * failure there is logged and otherwise harmless (the interval finds the
 * rows). Never fails.
 */
void db_changed(struct db_conn *c, enum db_changed_scope scope);

/* Subscribes c to ddns_dirty (again after a reconnect). 0 or DDNS_EDB. */
int db_listen(struct db_conn *c);

/* The socket to poll for notifications on c, or -1. */
int db_notify_fd(struct db_conn *c);

/*
 * Reads what arrived on c and drops the queued notifications. Returns how
 * many there were (0: none).
 */
int db_notify_drain(struct db_conn *c);

#endif
