/* SPDX-License-Identifier: MIT */
/*
 * The pusher: threads that move dirty hosts from PostgreSQL into DNS.
 * The first wakes on NOTIFY ddns_dirty, on in-process wake-ups and every
 * interval regardless, claims the dirty hosts of one zone under a lease
 * (see db/outbox.h; any number of instances can run, and no row stays
 * locked while it talks to the nameserver), sends one signed UPDATE per
 * batch, and marks hosts pushed only after NOERROR. The other threads
 * push the other zones while a zone's primary keeps one of them waiting.
 * A failing zone is retried with capped exponential backoff; nothing is
 * marked, so nothing is lost. A change the nameserver refuses (any RCODE
 * but SERVFAIL while the zone takes updates) is found by splitting the
 * batch (dnsbackend/bisect.h) and quarantined with a backoff of its own
 * (push state "refused", db/outbox.h); the rest of its zone goes on.
 * Tenants' own zones (their primaries are not the operator's) are pushed
 * by a pusher of their own (opts.tenant_zones), so that however many of
 * them hang, the operator's zones never wait for a thread.
 */
#ifndef DDNS_DNSBACKEND_PUSHER_H
#define DDNS_DNSBACKEND_PUSHER_H

#include <stdbool.h>
#include <stddef.h>

#include "dnsbackend/keystore.h"

struct dns_pusher_opts {
	const char *database_url;
	struct dns_keystore *keys; /* borrowed; must outlive the pusher */
	unsigned interval_ms;      /* wake-up without NOTIFY */
	unsigned batch;            /* hosts claimed per round */
	unsigned timeout_ms;       /* per DNS exchange */
	unsigned threads;          /* workers (1..16; 0 = 1) */
	bool tenant_zones;         /* push tenants' own zones only; else
					 * the operator's only */
};

struct dns_pusher;

/* Starts the threads. Returns NULL on failure (logged). Caller owns it. */
struct dns_pusher *dns_pusher_start(const struct dns_pusher_opts *opts);

/* Forgets every zone's backoff and wakes the thread: the next round tries
 * them all (after the keys were reloaded). NULL-safe. */
void dns_pusher_retry_now(struct dns_pusher *p);

/* Asks the thread to stop after its current batch; returns at once.
 * NULL-safe. */
void dns_pusher_request_stop(struct dns_pusher *p);

/*
 * Asks the thread to stop and waits for it until deadline_ms (of
 * ddns_now_ms()), then joins and frees it: 0. When a DNS exchange still
 * runs at the deadline, the thread is left to end with the process (what
 * it was pushing stays pending; its lease runs out) and p and its key
 * store must not be freed: DDNS_ETIMEDOUT. NULL-safe.
 */
int dns_pusher_stop(struct dns_pusher *p, long long deadline_ms);

/*
 * Pushes everything that is dirty now, on the calling thread, then
 * returns: 0 when the outbox is empty, or the first error of a zone that
 * could not be pushed. For the CLI and tests.
 */
int dns_pusher_drain(const struct dns_pusher_opts *opts);

#endif
