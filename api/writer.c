/* SPDX-License-Identifier: MIT */
/*
 * A plain pool: one FIFO under one mutex, n threads. As in api/lookup.c,
 * a thread writes a job's result only under the mutex and only while the
 * pool has not been abandoned by a shutdown that gave up waiting.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/writer.h"
#include "common/errors.h"
#include "common/log.h"
#include "db/conn.h"

#define MAX_WRITERS 256

static void *writer_main(void *arg);

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t idle_cv = PTHREAD_COND_INITIALIZER;
static struct api_write *head, *tail;
static struct api_write *busy[MAX_WRITERS]; /* in flight, per thread */
static pthread_t threads[MAX_WRITERS];
static unsigned nthreads, nbusy, nrunning;
static bool stopping, abandoned;

static void *
writer_main(void *arg)
{
	size_t me = (size_t)arg;
	struct api_write *w;
	struct db_conn *db;
	int err;

	pthread_mutex_lock(&mu);
	for (;;) {
		while (head == NULL && !stopping)
			pthread_cond_wait(&work_cv, &mu);
		if (head == NULL || abandoned)
			break;
		w = head;
		if ((head = w->next) == NULL)
			tail = NULL;
		busy[me] = w;
		nbusy++;
		pthread_mutex_unlock(&mu);
		if ((db = db_thread_conn()) == NULL)
			err = DDNS_EDB;
		else
			err = db_host_apply(db, w->host_id, w->account_id,
					    &w->ch);
		pthread_mutex_lock(&mu);
		if (abandoned)
			break;
		busy[me] = NULL;
		nbusy--;
		w->err = err;
		/* done() only resumes a connection: never blocks, no lock. */
		w->wait.done(w->wait.arg);
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
			if ((w = busy[i]) == NULL)
				continue;
			busy[i] = NULL;
			w->err = DDNS_EDB;
			w->wait.done(w->wait.arg);
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
	pthread_mutex_unlock(&mu);
}
