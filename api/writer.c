/* SPDX-License-Identifier: MIT */
/*
 * A pool: one FIFO under one mutex, n threads. A thread takes everything
 * queued (up to DB_HOST_GROUP_MAX, one write per host) and writes it in
 * one statement (db_host_apply_group); there is no timer, so a lone write
 * goes at once, alone, and groups form only while every thread is busy.
 * As in api/lookup.c, a thread writes a job's result only under the mutex
 * and only while the pool has not been abandoned by a shutdown that gave
 * up waiting.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/writer.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/metrics.h"
#include "db/conn.h"

#define MAX_WRITERS 256
#define INFLIGHT_BUCKETS 1024

static void *writer_main(void *arg);
static bool inflight_has(long long host_id);
static void inflight_add(struct api_write *w);
static void inflight_del(struct api_write *w);
static size_t take_group(size_t me);
struct writer_copy;
static void copy_change(struct writer_copy *cp,
			const struct db_host_change *ch);
static void write_group(size_t me, size_t n);

/*
 * A change as the writer thread sends it: its own copy, so that nothing
 * of the request is read once a shutdown that gave up has answered it.
 */
struct writer_copy {
	struct db_host_change ch;
	char source[64];
	char user_agent[256];
};

/* The writes one thread has in flight: one statement. */
struct writer_group {
	struct api_write *w[DB_HOST_GROUP_MAX];
	size_t n;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t idle_cv = PTHREAD_COND_INITIALIZER;
static struct api_write *head, *tail;
static struct writer_group busy[MAX_WRITERS]; /* in flight, per thread */
/* The same writes by host id: a host has at most one write in flight. */
static struct api_write *inflight[INFLIGHT_BUCKETS];
static pthread_t threads[MAX_WRITERS];
static unsigned nthreads, nbusy, nrunning;
static bool stopping, abandoned;

static bool
inflight_has(long long host_id)
{
	struct api_write *w;

	w = inflight[(unsigned long long)host_id % INFLIGHT_BUCKETS];
	for (; w != NULL; w = w->inflight_next)
		if (w->host_id == host_id)
			return true;
	return false;
}

static void
inflight_add(struct api_write *w)
{
	struct api_write **b =
		&inflight[(unsigned long long)w->host_id % INFLIGHT_BUCKETS];

	w->inflight_next = *b;
	*b = w;
}

static void
inflight_del(struct api_write *w)
{
	struct api_write **p =
		&inflight[(unsigned long long)w->host_id % INFLIGHT_BUCKETS];

	while (*p != NULL && *p != w)
		p = &(*p)->inflight_next;
	if (*p != NULL)
		*p = w->inflight_next;
}

/*
 * With mu held: moves queued writes in flight, oldest first, at most a
 * group, skipping those of a host that already has one in flight (here
 * or on another thread). They stay queued in order, so a host's changes
 * are written in the order they came.
 */
static size_t
take_group(size_t me)
{
	struct api_write *w, *next, *prev = NULL;
	size_t n = 0;

	for (w = head; w != NULL && n < DB_HOST_GROUP_MAX; w = next) {
		next = w->next;
		if (w->run != NULL && n > 0)
			break; /* a task goes alone, next */
		if (w->run == NULL && inflight_has(w->host_id)) {
			prev = w;
			continue;
		}
		if (prev != NULL)
			prev->next = next;
		else
			head = next;
		if (tail == w)
			tail = prev;
		busy[me].w[n++] = w;
		if (w->run != NULL)
			break;
		inflight_add(w);
	}
	busy[me].n = n;
	nbusy += (unsigned)n;
	return n;
}

static void
copy_change(struct writer_copy *cp, const struct db_host_change *ch)
{
	cp->ch = *ch;
	if (ch->source != NULL) {
		snprintf(cp->source, sizeof(cp->source), "%s", ch->source);
		cp->ch.source = cp->source;
	}
	if (ch->user_agent != NULL) {
		snprintf(cp->user_agent, sizeof(cp->user_agent), "%s",
			 ch->user_agent);
		cp->ch.user_agent = cp->user_agent;
	}
}

/*
 * Without mu: one statement for the thread's group, results in w->err;
 * or the one task it holds.
 */
static void
write_group(size_t me, size_t n)
{
	struct db_host_write ws[DB_HOST_GROUP_MAX];
	struct writer_copy cp[DB_HOST_GROUP_MAX];
	struct db_conn *db;

	if (busy[me].w[0]->run != NULL) {
		busy[me].w[0]->run(db_thread_conn(), busy[me].w[0]->run_arg);
		pthread_mutex_lock(&mu);
		if (!abandoned)
			busy[me].w[0]->err = 0;
		pthread_mutex_unlock(&mu);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		copy_change(&cp[i], &busy[me].w[i]->ch);
		ws[i].host_id = busy[me].w[i]->host_id;
		ws[i].account_id = busy[me].w[i]->account_id;
		ws[i].ch = &cp[i].ch;
		ws[i].err = DDNS_EDB;
	}
	ddns_metrics_write_group(n);
	if ((db = db_thread_conn()) != NULL)
		db_host_apply_group(db, ws, n);
	pthread_mutex_lock(&mu);
	if (!abandoned)
		for (size_t i = 0; i < n; i++)
			busy[me].w[i]->err = ws[i].err;
	pthread_mutex_unlock(&mu);
}

static void *
writer_main(void *arg)
{
	size_t me = (size_t)arg, n;
	struct api_write *w;

	pthread_mutex_lock(&mu);
	for (;;) {
		n = 0;
		while (!abandoned && !(stopping && head == NULL) &&
		       (n = take_group(me)) == 0)
			pthread_cond_wait(&work_cv, &mu);
		if (abandoned || n == 0)
			break;
		pthread_mutex_unlock(&mu);
		write_group(me, n);
		pthread_mutex_lock(&mu);
		if (abandoned)
			break;
		for (size_t i = 0; i < n; i++)
			if (busy[me].w[i]->run == NULL)
				inflight_del(busy[me].w[i]);
		busy[me].n = 0;
		nbusy -= (unsigned)n;
		/* done() only resumes a connection: never blocks, no lock. */
		for (size_t i = 0; i < n; i++) {
			w = busy[me].w[i];
			w->wait.done(w->wait.arg);
		}
		if (head != NULL) /* writes held back for these hosts */
			pthread_cond_broadcast(&work_cv);
		pthread_cond_broadcast(&idle_cv);
	}
	nrunning--;
	pthread_cond_broadcast(&idle_cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

int
api_writer_start(unsigned n)
{
	int err = 0;

	if (n > MAX_WRITERS)
		n = MAX_WRITERS;
	pthread_mutex_lock(&mu);
	stopping = abandoned = false;
	while (nthreads < n) {
		err = pthread_create(&threads[nthreads], NULL, writer_main,
				     (void *)(size_t)nthreads);
		if (err != 0)
			break;
		nthreads++;
		nrunning++;
	}
	pthread_mutex_unlock(&mu);
	if (err != 0)
		log_warn("http: %u of %u writer threads started: %s", nthreads,
			 n, strerror(err));
	return nthreads > 0 ? 0 : DDNS_ENOMEM;
}

void
api_writer_submit(struct api_wait *wt)
{
	struct api_write *w =
		(struct api_write *)(void *)((char *)wt -
					     offsetof(struct api_write, wait));

	w->next = NULL;
	pthread_mutex_lock(&mu);
	if (nthreads == 0 || stopping || abandoned) {
		pthread_mutex_unlock(&mu);
		w->err = DDNS_EDB;
		w->wait.done(w->wait.arg);
		return;
	}
	if (tail != NULL)
		tail->next = w;
	else
		head = w;
	tail = w;
	pthread_cond_signal(&work_cv);
	pthread_mutex_unlock(&mu);
}

void
api_writer_stop(unsigned timeout_ms)
{
	struct api_write *w, *next;
	struct timespec dl;
	bool gave_up = false;

	pthread_mutex_lock(&mu);
	if (nthreads == 0) {
		pthread_mutex_unlock(&mu);
		return;
	}
	stopping = true;
	pthread_cond_broadcast(&work_cv);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += timeout_ms / 1000;
	dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	while (nrunning > 0 && !gave_up)
		if (pthread_cond_timedwait(&idle_cv, &mu, &dl) == ETIMEDOUT)
			gave_up = true;
	if (nrunning > 0) {
		log_warn("http: %u writes did not finish; answering them 911",
			 nbusy);
		abandoned = true;
		for (unsigned i = 0; i < nthreads; i++) {
			for (size_t k = 0; k < busy[i].n; k++) {
				w = busy[i].w[k];
				w->err = DDNS_EDB;
				w->wait.done(w->wait.arg);
			}
			busy[i].n = 0;
		}
		for (w = head; w != NULL; w = next) {
			next = w->next;
			w->err = DDNS_EDB;
			w->wait.done(w->wait.arg);
		}
		head = tail = NULL;
	}
	pthread_mutex_unlock(&mu);
	for (unsigned i = 0; i < nthreads; i++) {
		if (abandoned)
			pthread_detach(threads[i]);
		else
			pthread_join(threads[i], NULL);
	}
	pthread_mutex_lock(&mu);
	nthreads = nbusy = 0;
	memset(inflight, 0, sizeof(inflight));
	pthread_mutex_unlock(&mu);
}
