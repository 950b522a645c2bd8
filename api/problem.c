/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <strings.h>

#include <jansson.h>

#include "api/problem.h"
#include "common/errors.h"

#define PROBLEM_BASE "https://ddnsd.example/problems/"
/* Retry-After of a 429 that did not come from a limiter with its own. */
#define PROBLEM_RETRY_S 5

struct problem {
	unsigned status;
	const char *slug; /* type is PROBLEM_BASE slug */
	const char *title;
};

static struct problem problem_of(int err);
static bool has_header(const struct api_response *resp, const char *name);

static bool
has_header(const struct api_response *resp, const char *name)
{
	for (size_t i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return true;
	return false;
}

static struct problem
problem_of(int err)
{
	switch (err) {
	case DDNS_EINVAL:
		return (struct problem){ 400, "bad-request", "Bad request" };
	case DDNS_EAUTH:
		return (struct problem){ 401, "unauthorized",
					 "Authentication required" };
	case DDNS_EACCES:
		return (struct problem){ 403, "forbidden", "Forbidden" };
	case DDNS_ELIMIT:
		return (struct problem){ 403, "limit-reached",
					 "Limit reached" };
	case DDNS_ENOENT:
	case DDNS_ENOHOST:
		return (struct problem){ 404, "not-found", "Not found" };
	case DDNS_EOPNOTSUPP:
		return (struct problem){ 405, "method-not-allowed",
					 "Method not allowed" };
	case DDNS_EEXIST:
		return (struct problem){ 409, "conflict", "Conflict" };
	case DDNS_ENAMEUSED:
		return (struct problem){ 409, "name-in-use", "Name in use" };
	case DDNS_EOVERLAP:
		return (struct problem){ 409, "zone-overlap", "Zone overlap" };
	case DDNS_EMSGSIZE:
		return (struct problem){ 413, "too-large",
					 "Request body too large" };
	case DDNS_ENOTZONE:
	case DDNS_ENOTFQDN:
	case DDNS_EBADADDR:
	case DDNS_ERANGE:
		return (struct problem){ 422, "unprocessable",
					 "Unprocessable content" };
	case DDNS_EABUSE:
		return (struct problem){ 429, "rate-limited",
					 "Too many requests" };
	case DDNS_EDB:
	case DDNS_EAGAIN:
		return (struct problem){ 503, "unavailable",
					 "Service unavailable" };
	default: return (struct problem){ 500, "internal", "Internal error" };
	}
}

void
api_problem(struct api_response *resp, int err, const char *detail)
{
	struct problem p = problem_of(err);
	char type[96];
	json_t *o;
	char *s = NULL;

	snprintf(type, sizeof(type), PROBLEM_BASE "%s", p.slug);
	resp->status = p.status;
	resp->content_type = "application/problem+json";
	resp->log_result = p.slug;
	if (p.status == 401 && resp->www_authenticate == NULL)
		resp->www_authenticate = "Bearer realm=\"ddnsd\"";
	/* Every 429 says when to come back; the rate limiter sets its own. */
	if (p.status == 429 && !has_header(resp, "Retry-After"))
		api_add_header(resp, "Retry-After", "%d", PROBLEM_RETRY_S);
	ddns_buf_reset(&resp->body);
	o = json_pack("{s:s, s:s, s:I, s:s}", "type", type, "title", p.title,
		      "status", (json_int_t)p.status, "detail",
		      detail != NULL ? detail : ddns_strerror(err));
	if (o != NULL)
		s = json_dumps(o, JSON_COMPACT);
	if (s != NULL)
		ddns_buf_append_str(&resp->body, s);
	else
		ddns_buf_append_str(&resp->body, "{\"status\":500}");
	free(s);
	json_decref(o);
}
