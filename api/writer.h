/* SPDX-License-Identifier: MIT */
/*
 * The /nic/update writes (db_host_apply) on a pool of threads of their
 * own, each with its own PostgreSQL connection, while the request's HTTP
 * connection is suspended (struct api_wait). An HTTP thread no longer
 * waits for a commit. Changes that queue while every writer is busy are
 * written together, one statement and one commit for up to
 * DB_HOST_GROUP_MAX of them (db_host_apply_group), and as many groups
 * commit at once as there are writer threads, so PostgreSQL's group
 * commit shares one WAL flush among them. Every answer is given only
 * after the commit that holds its change.
 */
#ifndef DDNS_API_WRITER_H
#define DDNS_API_WRITER_H

#include "api/request.h"
#include "db/hosts.h"

/*
 * Writer threads per HTTP thread (DDNS_HTTP_THREADS). With groups, fewer
 * threads mean larger groups: good at 64 connections measured 4,450
 * changes/s with 16 threads, 5,630-5,690 with 4 and 5,750-6,180 with 2
 * (10,000 hosts, 2 cores); 4 keeps a few statements in flight when one
 * waits for a row lock.
 */
#define API_WRITERS_PER_THREAD 1

struct api_write {
	struct api_wait wait; /* submit: api_write_submit */
	/* set by the caller: a change ... */
	long long host_id, account_id;
	/* its strings must outlive the write; result and via must be
	 * static, source (63 bytes at most) and user_agent (255) are copied */
	struct db_host_change ch;
	/*
	 * ... or, when run is set, a task instead: run(db, run_arg) on a
	 * writer thread, alone (db is NULL when PostgreSQL is unreachable);
	 * err is then 0. run_arg is the caller's: a shutdown that gives up
	 * (api_writer_stop) answers the write while run may still read it.
	 */
	void (*run)(struct db_conn *db, void *arg);
	void *run_arg;
	/* set before done() is called */
	int err; /* db_host_apply()'s result */
	/* private */
	struct api_write *next;
	struct api_write *inflight_next;
};

/* Starts n writer threads (connections opened on first use). 0, or
 * DDNS_ENOMEM when none starts. */
int api_writer_start(unsigned n);

/* Queues the write w is the wait of; done(arg) is called once with err
 * set, after which the writer no longer touches it. */
void api_writer_submit(struct api_wait *w);

/*
 * Stops the threads. Writes still queued when timeout_ms have passed are
 * answered DDNS_EDB without being sent; one a thread is still sending
 * (PostgreSQL does not answer) is answered DDNS_EDB too, and that thread
 * is left to exit on its own (the write may still commit: 911 tells the
 * client to try again, which is harmless). NULL-safe without a start.
 */
void api_writer_stop(unsigned timeout_ms);

#endif
