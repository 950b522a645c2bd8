/* SPDX-License-Identifier: MIT */
/*
 * The readiness loop behind /readyz: one thread with its own PostgreSQL
 * connection checks that the database answers and every migration is
 * applied, and records the outcome with api_health_set().
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "api/health.h"
#include "common/errors.h"
#include "common/log.h"
#include "db/conn.h"
#include "db/migrate.h"

static const char *ready_check(struct db_conn **db);
static void *ready_main(void *arg);

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop, running;
	const char *url;
} ready = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* NULL when ready, else why not. Keeps *db open between checks. */
static const char *
ready_check(struct db_conn **db)
{
	int err, pending;

	if (*db == NULL && (*db = db_connect(ready.url, &err)) == NULL)
		return "postgresql unreachable";
	if (db_migrations_pending(*db, &pending) != 0) {
		db_close(*db);
		*db = NULL;
		return "postgresql unreachable";
	}
	return pending > 0 ? "migrations pending" : NULL;
}

/*
 * Checks every 2 s while ready; while not, retries with backoff from
 * 0.5 s doubling to 5 s, so an outage is noticed and the return quickly
 * seen without hammering a database that is down.
 */
static void *
ready_main(void *arg)
{
	struct db_conn *db = NULL;
	const char *why, *last = "starting";
	unsigned fails = 0;
	long long ms;
	struct timespec ts;

	(void)arg;
	pthread_mutex_lock(&ready.lock);
	while (!ready.stop) {
		pthread_mutex_unlock(&ready.lock);
		why = ready_check(&db);
		if (why != last &&
		    (why == NULL || last == NULL || strcmp(why, last) != 0)) {
			if (why == NULL)
				log_info("ddnsd: ready");
			else
				log_warn("ddnsd: not ready: %s", why);
		}
		api_health_set(why == NULL, why);
		last = why;
		fails = why == NULL ? 0 : fails + 1;
		ms = why == NULL ? 2000 : 500LL << (fails < 4 ? fails - 1 : 3);
		if (ms > 5000)
			ms = 5000;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(ms / 1000);
		ts.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&ready.lock);
		while (!ready.stop &&
		       pthread_cond_timedwait(&ready.cond, &ready.lock, &ts) !=
			       ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&ready.lock);
	db_close(db);
	return NULL;
}

int
api_ready_start(const char *url)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ready.cond, &ca);
	pthread_condattr_destroy(&ca);
	ready.url = url;
	ready.stop = false;
	if (pthread_create(&ready.thread, NULL, ready_main, NULL) != 0) {
		log_error("ddnsd: cannot start the readiness thread");
		return DDNS_ENOMEM;
	}
	ready.running = true;
	return 0;
}

void
api_ready_stop(void)
{
	if (!ready.running)
		return;
	pthread_mutex_lock(&ready.lock);
	ready.stop = true;
	pthread_cond_signal(&ready.cond);
	pthread_mutex_unlock(&ready.lock);
	pthread_join(ready.thread, NULL);
	pthread_cond_destroy(&ready.cond);
	ready.running = false;
}
