/* SPDX-License-Identifier: MIT */
/*
 * Process-wide metrics: lock-free atomic counters, gauges and one
 * fixed-bucket histogram, rendered in the Prometheus text format (0.0.4).
 * Every label comes from a small fixed set, so the number of series is
 * bounded whatever clients send. Safe to call from any thread.
 */
#ifndef DDNS_COMMON_METRICS_H
#define DDNS_COMMON_METRICS_H

#include <stdbool.h>

#include "common/buf.h"

enum ddns_push_outcome {
	DDNS_PUSH_OK,        /* NOERROR, marked pushed */
	DDNS_PUSH_DNS_ERROR, /* nameserver refused, timed out, bad TSIG... */
	DDNS_PUSH_DB_ERROR,  /* PostgreSQL failed during the batch */
	DDNS_PUSH_OUTCOMES
};

/*
 * One HTTP request answered. route is the static path string of the
 * route table entry (pointer identity is the key; at most 32 distinct
 * routes are tracked, later ones count as "other"), or NULL for a request
 * that matched no route. duration_us is from request start to answer.
 */
void ddns_metrics_http(const char *route, unsigned status, long duration_us);

/* One /nic/update answer line with its dyndns2 code word ("good", ...). */
void ddns_metrics_nic(const char *word);

/* One DNS push of a zone batch of nchanges changes, by outcome. */
void ddns_metrics_push(enum ddns_push_outcome outcome, unsigned long nchanges);

/* Outbox gauges: hosts waiting for DNS and the age of the oldest change. */
void ddns_metrics_pending(long long hosts, double oldest_age_s);

/* One host change the nameserver refused (found by splitting a batch). */
void ddns_metrics_refusal(void);

/* Gauge: hosts whose last change the nameserver refused. */
void ddns_metrics_refused(long long hosts);

/* One failed attempt to connect (or reconnect) to PostgreSQL. */
void ddns_metrics_db_error(void);

/* One group lookup statement sent, carrying n token lookups. */
void ddns_metrics_lookup_group(unsigned long n);

/* One group of /nic/update changes handed to PostgreSQL, n of them. */
void ddns_metrics_write_group(unsigned long n);

/* One token verification and whether it matched. */
void ddns_metrics_token_verify(bool ok);

/* Readiness as last checked (PostgreSQL reachable, migrations current). */
void ddns_metrics_ready(bool ready);

/* HTTP requests currently being processed (+1 on start, -1 on end). */
void ddns_metrics_inflight(int delta);

/* Appends the exposition of every metric to b. 0 or DDNS_ENOMEM. */
int ddns_metrics_render(struct ddns_buf *b);

#endif
