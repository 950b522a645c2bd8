/* SPDX-License-Identifier: MIT */
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api/health.h"
#include "api/router.h"
#include "common/metrics.h"

static bool bearer_ok(const char *authorization);
static void answer_json(struct api_response *resp, unsigned status,
			const char *status_word, const char *reason);

static atomic_bool health_ready;
static _Atomic(const char *) health_reason = "starting";
static const char *metrics_token;

void
api_health_set(bool ready, const char *reason)
{
	atomic_store(&health_reason, ready ? NULL : reason);
	atomic_store(&health_ready, ready);
	ddns_metrics_ready(ready);
}

void
api_health_set_metrics_token(const char *token)
{
	metrics_token = token;
}

static void
answer_json(struct api_response *resp, unsigned status, const char *status_word,
	    const char *reason)
{
	resp->status = status;
	resp->content_type = "application/json";
	ddns_buf_reset(&resp->body);
	ddns_buf_appendf(&resp->body, "{\"status\":\"%s\"", status_word);
	if (reason != NULL)
		ddns_buf_appendf(&resp->body, ",\"reason\":\"%s\"", reason);
	ddns_buf_append_str(&resp->body, "}\n");
}

void
api_health_live(struct api_request *req, struct api_response *resp)
{
	(void)req;
	answer_json(resp, 200, "alive", NULL);
}

void
api_health_ready(struct api_request *req, struct api_response *resp)
{
	const char *reason = atomic_load(&health_reason);

	(void)req;
	if (atomic_load(&health_ready))
		answer_json(resp, 200, "ready", NULL);
	else
		answer_json(resp, 503, "not ready",
			    reason ? reason : "unknown");
}

/*
 * Compares hashes of both strings: constant time whatever their lengths,
 * and nothing about the token's length leaks.
 */
static bool
bearer_ok(const char *authorization)
{
	unsigned char want[32], got[32];
	const char *given;
	bool ok;

	if (authorization == NULL ||
	    strncasecmp(authorization, "Bearer ", 7) != 0)
		return false;
	given = authorization + 7;
	while (*given == ' ')
		given++;
	crypto_generichash(want, sizeof(want),
			   (const unsigned char *)metrics_token,
			   strlen(metrics_token), NULL, 0);
	crypto_generichash(got, sizeof(got), (const unsigned char *)given,
			   strlen(given), NULL, 0);
	ok = sodium_memcmp(want, got, sizeof(want)) == 0;
	sodium_memzero(want, sizeof(want));
	sodium_memzero(got, sizeof(got));
	return ok;
}

void
api_metrics(struct api_request *req, struct api_response *resp)
{
	if (metrics_token != NULL && !bearer_ok(req->authorization)) {
		resp->www_authenticate = "Bearer realm=\"metrics\"";
		api_answer_text(resp, 401, "bearer token required\n");
		return;
	}
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	ddns_buf_reset(&resp->body);
	if (ddns_metrics_render(&resp->body) != 0)
		api_answer_text(resp, 500, "internal error\n");
}
