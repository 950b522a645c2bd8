/* SPDX-License-Identifier: MIT */
/*
 * One thread, one PostgreSQL connection, one statement in flight. The
 * queue is a plain list under one mutex: a submit is a few pointer writes,
 * and the thread takes the whole queue (up to DB_LOOKUP_GROUP_MAX) at once.
 * The statement runs on buffers of the thread's own; results are copied
 * into the requests' lookups only afterwards, under the mutex, so that a
 * shutdown that gave up on a hung statement (abandoned) can answer those
 * requests itself and the thread never touches them again.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api/lookup.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/metrics.h"
#include "db/conn.h"

static void *lookup_main(void *arg);
static size_t take_group(void);
static void deliver(size_t n, int err);
static void answer_all_failed(void);

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t idle_cv = PTHREAD_COND_INITIALIZER;
static struct api_lookup *head, *tail;                /* queued, FIFO */
static struct api_lookup *group[DB_LOOKUP_GROUP_MAX]; /* in flight */
static size_t ngroup;
static bool running, stopping, abandoned, delivering;
static pthread_t thread;

/* The lookup thread's own: ids sent, rows read. */
static char ids[DB_LOOKUP_GROUP_MAX][AUTH_TOKEN_ID_LEN + 1];
static const char *id_ptrs[DB_LOOKUP_GROUP_MAX];
static struct db_token_host rows[DB_LOOKUP_GROUP_MAX];
static int errs[DB_LOOKUP_GROUP_MAX];

/* With mu held: moves the queue's head (at most the group size) in flight. */
static size_t
take_group(void)
{
	size_t n = 0;

	while (head != NULL && n < DB_LOOKUP_GROUP_MAX) {
		group[n] = head;
		head = head->next;
		memcpy(ids[n], group[n]->public_id, sizeof(ids[n]));
		ids[n][AUTH_TOKEN_ID_LEN] = '\0';
		id_ptrs[n] = ids[n];
		n++;
	}
	if (head == NULL)
		tail = NULL;
	ngroup = n;
	return n;
}

/*
 * With mu held, entered and left: hands the group its results (err != 0:
 * the statement failed, every request of the group gets DDNS_EDB) and
 * calls each done() with mu released, so that submits need not wait.
 */
static void
deliver(size_t n, int err)
{
	struct api_lookup *l;
	struct api_lookup *mine[DB_LOOKUP_GROUP_MAX];

	for (size_t i = 0; i < n; i++) {
		l = mine[i] = group[i];
		l->err = err != 0 ? DDNS_EDB : errs[i];
		if (l->err == 0)
			l->th = rows[i];
	}
	ngroup = 0;
	delivering = true;
	pthread_mutex_unlock(&mu);
	for (size_t i = 0; i < n; i++)
		mine[i]->wait.done(mine[i]->wait.arg);
	pthread_mutex_lock(&mu);
	delivering = false;
	pthread_cond_broadcast(&idle_cv);
}

static void *
lookup_main(void *arg)
{
	struct db_conn *db;
	size_t n;
	int err;

	(void)arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		while (head == NULL && !stopping)
			pthread_cond_wait(&work_cv, &mu);
		if (head == NULL)
			break;
		n = take_group();
		pthread_mutex_unlock(&mu);
		/* Every id in this statement was queued before it is sent. */
		ddns_metrics_lookup_group(n);
		if ((db = db_thread_conn()) == NULL)
			err = DDNS_EDB;
		else
			err = db_token_host_lookup_many(db, id_ptrs, n, rows,
							errs);
		pthread_mutex_lock(&mu);
		if (abandoned)
			break;
		deliver(n, err);
	}
	pthread_cond_broadcast(&idle_cv);
	pthread_mutex_unlock(&mu);
	sodium_memzero(rows, sizeof(rows));
	return NULL;
}

int
api_lookup_start(void)
{
	int err;

	pthread_mutex_lock(&mu);
	stopping = abandoned = false;
	err = running ? 0 : pthread_create(&thread, NULL, lookup_main, NULL);
	if (err == 0)
		running = true;
	pthread_mutex_unlock(&mu);
	if (err != 0)
		log_error("http: cannot start the lookup thread: %s",
			  strerror(err));
	return err == 0 ? 0 : DDNS_ENOMEM;
}

void
api_lookup_submit(struct api_wait *w)
{
	struct api_lookup *l =
		(struct api_lookup *)(void *)((char *)w -
					      offsetof(struct api_lookup,
						       wait));

	l->next = NULL;
	pthread_mutex_lock(&mu);
	if (!running || abandoned) {
		pthread_mutex_unlock(&mu);
		l->err = DDNS_EDB;
		l->wait.done(l->wait.arg);
		return;
	}
	if (tail != NULL)
		tail->next = l;
	else
		head = l;
	tail = l;
	pthread_cond_signal(&work_cv);
	pthread_mutex_unlock(&mu);
}

/* With mu held, after giving up on the thread: DDNS_EDB for everything. */
static void
answer_all_failed(void)
{
	struct api_lookup *l, *next;

	abandoned = true;
	for (size_t i = 0; i < ngroup; i++) {
		group[i]->err = DDNS_EDB;
		group[i]->wait.done(group[i]->wait.arg);
	}
	ngroup = 0;
	for (l = head; l != NULL; l = next) {
		next = l->next;
		l->err = DDNS_EDB;
		l->wait.done(l->wait.arg);
	}
	head = tail = NULL;
}

void
api_lookup_stop(unsigned timeout_ms)
{
	struct timespec dl;
	bool stuck = false;

	pthread_mutex_lock(&mu);
	if (!running) {
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
	while ((head != NULL || ngroup > 0 || delivering) && !stuck)
		if (pthread_cond_timedwait(&idle_cv, &mu, &dl) == ETIMEDOUT)
			stuck = true;
	/* done() calls never block: wait for one under way in any case. */
	while (delivering)
		pthread_cond_wait(&idle_cv, &mu);
	if (head != NULL || ngroup > 0) {
		log_warn("http: the token lookup did not finish; answering "
			 "its requests 911");
		answer_all_failed();
	}
	running = false;
	pthread_mutex_unlock(&mu);
	if (abandoned)
		pthread_detach(thread);
	else
		pthread_join(thread, NULL);
}
