/* SPDX-License-Identifier: MIT */
/*
 * Operator endpoints: /healthz (the process answers), /readyz (PostgreSQL
 * answers and migrations are current, as last checked by the server's
 * readiness loop) and /metrics (Prometheus text, optionally behind a
 * bearer token).
 */
#ifndef DDNS_API_HEALTH_H
#define DDNS_API_HEALTH_H

#include <stdbool.h>

#include "api/request.h"

/*
 * Records the outcome of a readiness check. reason says why not ready
 * (static string, no quotes or backslashes; ignored when ready).
 */
void api_health_set(bool ready, const char *reason);

/* Requires "Authorization: Bearer token" on /metrics; NULL: open. The
 * string is borrowed and must outlive the server. Call before serving. */
void api_health_set_metrics_token(const char *token);

/*
 * Starts the readiness loop on its own connection to url (borrowed: must
 * outlive the loop). Checks every 2 s while ready, with backoff from 0.5 s
 * to 4 s while not. 0 or DDNS_ENOMEM.
 */
int api_ready_start(const char *url);

/* Stops and joins the readiness loop; NULL-safe when not started. */
void api_ready_stop(void);

/* GET /healthz: 200 while the process can answer. */
void api_health_live(struct api_request *req, struct api_response *resp);

/* GET /readyz: 200 when ready, else 503 with a JSON reason. */
void api_health_ready(struct api_request *req, struct api_response *resp);

/* GET /metrics: Prometheus text exposition of common/metrics.h. */
void api_metrics(struct api_request *req, struct api_response *resp);

#endif
