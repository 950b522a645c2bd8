/* SPDX-License-Identifier: MIT */
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "common/errors.h"
#include "common/metrics.h"

#define M_ROUTES 32 /* distinct routes tracked; slot M_ROUTES is "other" */
#define M_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Status codes with their own series; anything else is "other". */
static const unsigned m_statuses[] = { 200, 201, 204, 301, 302, 304, 400,
				       401, 403, 404, 405, 409, 413, 414,
				       415, 422, 429, 500, 501, 503 };
#define M_STATUSES (M_NELEM(m_statuses) + 1)

static const char *const m_nic_words[] = { "good",   "nochg",   "badauth",
					   "nohost", "notfqdn", "numhost",
					   "abuse",  "dnserr",  "911" };
#define M_NIC (M_NELEM(m_nic_words) + 1) /* + "other" */

/* Upper bounds in microseconds; the last bucket is +Inf. */
static const long m_buckets_us[] = { 1000,    2500,    5000,    10000,  25000,
				     50000,   100000,  250000,  500000, 1000000,
				     2500000, 5000000, 10000000 };
#define M_BUCKETS (M_NELEM(m_buckets_us) + 1)

static const char *const m_push_outcomes[DDNS_PUSH_OUTCOMES] = { "ok",
								 "dns_error",
								 "db_error" };

static _Atomic(const char *) m_route_names[M_ROUTES];
static atomic_ulong m_http[M_ROUTES + 1][M_STATUSES];
static atomic_ulong m_hist[M_BUCKETS];
static atomic_ulong m_hist_sum_us;
static atomic_ulong m_hist_count;
static atomic_long m_inflight;
static atomic_ulong m_nic[M_NIC];
static atomic_ulong m_push_batches[DDNS_PUSH_OUTCOMES];
static atomic_ulong m_push_changes[DDNS_PUSH_OUTCOMES];
static atomic_llong m_pending_hosts;
static atomic_llong m_oldest_ms;
static atomic_ulong m_refusals;
static atomic_llong m_refused_hosts;
static atomic_ulong m_db_errors;
static atomic_ulong m_lookup_stmts, m_lookup_ids;
static atomic_ulong m_write_groups, m_write_changes;
static atomic_ulong m_tokens[2]; /* [0] fail, [1] ok */
static atomic_int m_ready;

static size_t route_slot(const char *route);
static size_t status_slot(unsigned status);
static int render_http(struct ddns_buf *b);
static int render_hist(struct ddns_buf *b);
static int render_dns(struct ddns_buf *b);
static int render_misc(struct ddns_buf *b);
static int head(struct ddns_buf *b, const char *name, const char *type,
		const char *help);

#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define ADD(x, v) atomic_fetch_add_explicit(&(x), (v), memory_order_relaxed)

/* The slot of route, claimed on first sight; M_ROUTES when full or NULL. */
static size_t
route_slot(const char *route)
{
	const char *cur;

	if (route == NULL)
		return M_ROUTES;
	for (size_t i = 0; i < M_ROUTES; i++) {
		cur = atomic_load(&m_route_names[i]);
		if (cur == NULL) {
			/* On a lost race cur holds the winner: compare it. */
			if (atomic_compare_exchange_strong(&m_route_names[i],
							   &cur, route))
				return i;
		}
		if (cur == route || strcmp(cur, route) == 0)
			return i;
	}
	return M_ROUTES;
}

static size_t
status_slot(unsigned status)
{
	for (size_t i = 0; i < M_NELEM(m_statuses); i++)
		if (m_statuses[i] == status)
			return i;
	return M_NELEM(m_statuses);
}

void
ddns_metrics_http(const char *route, unsigned status, long duration_us)
{
	size_t b = 0;

	ADD(m_http[route_slot(route)][status_slot(status)], 1);
	if (duration_us < 0)
		duration_us = 0;
	while (b < M_NELEM(m_buckets_us) && duration_us > m_buckets_us[b])
		b++;
	ADD(m_hist[b], 1);
	ADD(m_hist_sum_us, (unsigned long)duration_us);
	ADD(m_hist_count, 1);
}

void
ddns_metrics_nic(const char *word)
{
	size_t i = 0;

	while (i < M_NELEM(m_nic_words) && strcmp(m_nic_words[i], word) != 0)
		i++;
	ADD(m_nic[i], 1);
}

void
ddns_metrics_push(enum ddns_push_outcome outcome, unsigned long nchanges)
{
	if ((unsigned)outcome >= DDNS_PUSH_OUTCOMES)
		return;
	ADD(m_push_batches[outcome], 1);
	ADD(m_push_changes[outcome], nchanges);
}

void
ddns_metrics_pending(long long hosts, double oldest_age_s)
{
	atomic_store_explicit(&m_pending_hosts, hosts, memory_order_relaxed);
	atomic_store_explicit(&m_oldest_ms, (long long)(oldest_age_s * 1000),
			      memory_order_relaxed);
}

void
ddns_metrics_refusal(void)
{
	ADD(m_refusals, 1);
}

void
ddns_metrics_refused(long long hosts)
{
	atomic_store_explicit(&m_refused_hosts, hosts, memory_order_relaxed);
}

void
ddns_metrics_db_error(void)
{
	ADD(m_db_errors, 1);
}

void
ddns_metrics_lookup_group(unsigned long n)
{
	ADD(m_lookup_stmts, 1);
	ADD(m_lookup_ids, n);
}

void
ddns_metrics_write_group(unsigned long n)
{
	ADD(m_write_groups, 1);
	ADD(m_write_changes, n);
}

void
ddns_metrics_token_verify(bool ok)
{
	ADD(m_tokens[ok ? 1 : 0], 1);
}

void
ddns_metrics_ready(bool ready)
{
	atomic_store(&m_ready, ready ? 1 : 0);
}

void
ddns_metrics_inflight(int delta)
{
	ADD(m_inflight, delta);
}

static int
head(struct ddns_buf *b, const char *name, const char *type, const char *help)
{
	return ddns_buf_appendf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
				name, type);
}

static int
render_http(struct ddns_buf *b)
{
	const char *route;
	unsigned long v;
	int err;

	err = head(b, "ddnsd_http_requests_total", "counter",
		   "HTTP requests answered, by route and status.");
	for (size_t r = 0; r <= M_ROUTES && err == 0; r++) {
		route = r < M_ROUTES ? atomic_load(&m_route_names[r]) : "other";
		if (route == NULL)
			continue;
		for (size_t s = 0; s < M_STATUSES && err == 0; s++) {
			if ((v = LOAD(m_http[r][s])) == 0)
				continue;
			if (s < M_NELEM(m_statuses))
				err = ddns_buf_appendf(
					b,
					"ddnsd_http_requests_total{route=\"%s\""
					",status=\"%u\"} %lu\n",
					route, m_statuses[s], v);
			else
				err = ddns_buf_appendf(
					b,
					"ddnsd_http_requests_total{route=\"%s\""
					",status=\"other\"} %lu\n",
					route, v);
		}
	}
	if (err == 0)
		err = head(b, "ddnsd_http_requests_in_flight", "gauge",
			   "HTTP requests being processed.");
	if (err == 0)
		err = ddns_buf_appendf(b, "ddnsd_http_requests_in_flight %ld\n",
				       (long)LOAD(m_inflight));
	return err;
}

static int
render_hist(struct ddns_buf *b)
{
	const char *n = "ddnsd_http_request_duration_seconds";
	unsigned long cum = 0;
	int err;

	err = head(b, n, "histogram", "Time from request start to answer.");
	for (size_t i = 0; i < M_BUCKETS && err == 0; i++) {
		cum += LOAD(m_hist[i]);
		if (i < M_NELEM(m_buckets_us))
			err = ddns_buf_appendf(b, "%s_bucket{le=\"%g\"} %lu\n",
					       n, m_buckets_us[i] / 1e6, cum);
		else
			err = ddns_buf_appendf(
				b, "%s_bucket{le=\"+Inf\"} %lu\n", n, cum);
	}
	/* Count after the buckets: a scrape never sees count < +Inf. */
	if (err == 0)
		err = ddns_buf_appendf(
			b, "%s_sum %.6f\n%s_count %lu\n", n,
			LOAD(m_hist_sum_us) / 1e6, n,
			cum > LOAD(m_hist_count) ? cum : LOAD(m_hist_count));
	return err;
}

static int
render_dns(struct ddns_buf *b)
{
	int err;

	err = head(b, "ddnsd_nic_update_results_total", "counter",
		   "dyndns2 answer lines, by code.");
	for (size_t i = 0; i < M_NIC && err == 0; i++)
		err = ddns_buf_appendf(
			b, "ddnsd_nic_update_results_total{code=\"%s\"} %lu\n",
			i < M_NELEM(m_nic_words) ? m_nic_words[i] : "other",
			LOAD(m_nic[i]));
	if (err == 0)
		err = head(b, "ddnsd_dns_push_batches_total", "counter",
			   "DNS UPDATE batches (one zone each), by outcome.");
	for (size_t i = 0; i < DDNS_PUSH_OUTCOMES && err == 0; i++)
		err = ddns_buf_appendf(
			b, "ddnsd_dns_push_batches_total{outcome=\"%s\"} %lu\n",
			m_push_outcomes[i], LOAD(m_push_batches[i]));
	if (err == 0)
		err = head(b, "ddnsd_dns_push_changes_total", "counter",
			   "Host changes in DNS UPDATE batches, by outcome.");
	for (size_t i = 0; i < DDNS_PUSH_OUTCOMES && err == 0; i++)
		err = ddns_buf_appendf(
			b, "ddnsd_dns_push_changes_total{outcome=\"%s\"} %lu\n",
			m_push_outcomes[i], LOAD(m_push_changes[i]));
	if (err == 0)
		err = head(b, "ddnsd_dns_pending_hosts", "gauge",
			   "Hosts whose change has not reached DNS yet.");
	if (err == 0)
		err = ddns_buf_appendf(b, "ddnsd_dns_pending_hosts %lld\n",
				       (long long)LOAD(m_pending_hosts));
	if (err == 0)
		err = head(b, "ddnsd_dns_oldest_pending_seconds", "gauge",
			   "Age of the oldest change not in DNS yet.");
	if (err == 0)
		err = ddns_buf_appendf(
			b, "ddnsd_dns_oldest_pending_seconds %.3f\n",
			(long long)LOAD(m_oldest_ms) / 1000.0);
	if (err == 0)
		err = head(b, "ddnsd_dns_refused_hosts_total", "counter",
			   "Host changes the nameserver refused (the rest of "
			   "their batch was pushed).");
	if (err == 0)
		err = ddns_buf_appendf(b, "ddnsd_dns_refused_hosts_total %lu\n",
				       LOAD(m_refusals));
	if (err == 0)
		err = head(b, "ddnsd_dns_refused_hosts", "gauge",
			   "Hosts whose last change the nameserver refused.");
	if (err == 0)
		err = ddns_buf_appendf(b, "ddnsd_dns_refused_hosts %lld\n",
				       (long long)LOAD(m_refused_hosts));
	return err;
}

static int
render_misc(struct ddns_buf *b)
{
	int err;

	err = head(b, "ddnsd_db_connection_errors_total", "counter",
		   "Failed attempts to connect to PostgreSQL.");
	if (err == 0)
		err = ddns_buf_appendf(b,
				       "ddnsd_db_connection_errors_total %lu\n",
				       LOAD(m_db_errors));
	if (err == 0)
		err = head(b, "ddnsd_token_lookup_statements_total", "counter",
			   "Group lookup statements sent (token -> host).");
	if (err == 0)
		err = ddns_buf_appendf(
			b, "ddnsd_token_lookup_statements_total %lu\n",
			LOAD(m_lookup_stmts));
	if (err == 0)
		err = head(b, "ddnsd_token_lookups_total", "counter",
			   "Token -> host lookups those statements carried.");
	if (err == 0)
		err = ddns_buf_appendf(b, "ddnsd_token_lookups_total %lu\n",
				       LOAD(m_lookup_ids));
	if (err == 0)
		err = head(b, "ddnsd_write_groups_total", "counter",
			   "Groups of /nic/update changes written together.");
	if (err == 0)
		err = ddns_buf_appendf(b, "ddnsd_write_groups_total %lu\n",
				       LOAD(m_write_groups));
	if (err == 0)
		err = head(b, "ddnsd_write_group_changes_total", "counter",
			   "/nic/update changes those groups carried.");
	if (err == 0)
		err = ddns_buf_appendf(b,
				       "ddnsd_write_group_changes_total %lu\n",
				       LOAD(m_write_changes));
	if (err == 0)
		err = head(b, "ddnsd_token_verifications_total", "counter",
			   "Token secret checks, by result.");
	if (err == 0)
		err = ddns_buf_appendf(
			b,
			"ddnsd_token_verifications_total{result=\"ok\"} %lu\n"
			"ddnsd_token_verifications_total{result=\"fail\"} %lu\n",
			LOAD(m_tokens[1]), LOAD(m_tokens[0]));
	if (err == 0)
		err = head(b, "ddnsd_ready", "gauge",
			   "1 when PostgreSQL answers and migrations are "
			   "current.");
	if (err == 0)
		err = ddns_buf_appendf(b, "ddnsd_ready %d\n",
				       atomic_load(&m_ready));
	return err;
}

int
ddns_metrics_render(struct ddns_buf *b)
{
	int err;

	if ((err = render_http(b)) != 0 || (err = render_hist(b)) != 0 ||
	    (err = render_dns(b)) != 0 || (err = render_misc(b)) != 0)
		return err;
	return 0;
}
