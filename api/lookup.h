/* SPDX-License-Identifier: MIT */
/*
 * Group lookups of token -> host (issue #15). A request that needs the
 * lookup queues it and its HTTP connection is suspended; one thread sends
 * everything that queued while its previous statement ran as the next
 * statement (db_token_host_lookup_many(), at most DB_LOOKUP_GROUP_MAX ids)
 * and then hands each request its own result. No timer: a lookup queued
 * while the thread is idle is sent at once, alone. Every lookup is sent
 * after its request arrived, so the answer is as fresh as a direct read.
 */
#ifndef DDNS_API_LOOKUP_H
#define DDNS_API_LOOKUP_H

#include "api/request.h"
#include "auth/token.h"
#include "db/hosts.h"

struct api_lookup {
	struct api_wait wait; /* submit: api_lookup_submit; done: called
				 once, from the lookup thread */
	/* set by the caller */
	char public_id[AUTH_TOKEN_ID_LEN + 1];
	/* set before done() is called */
	int err; /* 0, DDNS_ENOENT (no such token) or DDNS_EDB */
	struct db_token_host th;
	/* private */
	struct api_lookup *next;
};

/* Starts the lookup thread (its own PostgreSQL connection, opened on first
 * use as db_thread_conn()). 0, or DDNS_ENOMEM when no thread starts. */
int api_lookup_start(void);

/*
 * Queues the lookup w is the wait of (a struct api_lookup). done(arg) is
 * called exactly once when err and th are set; after it returns the lookup
 * thread no longer touches the lookup, so its owner may free it.
 */
void api_lookup_submit(struct api_wait *w);

/*
 * Stops the thread. Lookups still queued, and the statement in flight when
 * it has not finished within timeout_ms, are answered DDNS_EDB at once (a
 * statement PostgreSQL never answers cannot hold the shutdown); the thread
 * is then left to exit on its own. NULL-safe to call without a start.
 */
void api_lookup_stop(unsigned timeout_ms);

#endif
