/* SPDX-License-Identifier: MIT */
/*
 * What a handler sees of one HTTP request and what it answers. Handlers do
 * not see libmicrohttpd; api/server.c fills these in.
 */
#ifndef DDNS_API_REQUEST_H
#define DDNS_API_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/names.h"

#define API_QUERY_MAX 8192
#define API_URI_MAX 8192     /* request target (path and query): else 414 */
#define API_HEADERS_MAX 8192 /* header lines, as sent: else 431 */
#define API_BODY_MAX 65536
#define API_REQUEST_ID_MAX 64

struct api_request {
	const char *method;
	const char *path; /* without the query string */
	char *query;      /* raw query string, owned by the server */
	size_t query_len;
	char *body; /* NUL-terminated, owned by the server */
	size_t body_len;
	const char *authorization;  /* header or NULL; secret */
	const char *user_agent;     /* header or NULL */
	const char *content_type;   /* header or NULL */
	const char *cookie;         /* Cookie header or NULL; secret */
	const char *origin;         /* Origin header or NULL */
	const char *sec_fetch_site; /* Sec-Fetch-Site header or NULL */
	const char *host;           /* Host header or NULL */
	bool https;                 /* over TLS, or a trusted proxy says
				    * X-Forwarded-Proto: https */
	struct ddns_addr client;    /* client address (api/clientip.h) */
	bool has_client;
	struct ddns_addr peer; /* TCP peer (a proxy, if trusted) */
	bool has_peer;
	const char *route; /* route table path, set by api_route() */
	char request_id[API_REQUEST_ID_MAX + 1]; /* X-Request-Id */
	/*
	 * A handler's own state while its request waits (api_response.wait):
	 * set by the handler, which finds it again when it is called once
	 * more and clears it; freed with handler_state_free when the request
	 * ends before that.
	 */
	void *handler_state;
	void (*handler_state_free)(void *state);
};

#define API_RESP_MAX_HEADERS 8

/*
 * Work a handler waits for without holding its HTTP thread (a group
 * lookup, a write): the handler sets submit and embeds this in its own
 * state; the server suspends the connection, sets done/arg and calls
 * submit, which must call done(arg) exactly once, from any thread, when
 * the work is finished. The handler is then called again.
 */
struct api_wait {
	void (*submit)(struct api_wait *w);
	void (*done)(void *arg);
	void *arg;
};

struct api_header {
	const char *name; /* static string */
	char value[160];
};

struct api_response {
	unsigned status;
	const char *content_type;
	const char *www_authenticate; /* NULL: no header */
	const char *cache_control;    /* static string; NULL: no-store */
	struct api_header headers[API_RESP_MAX_HEADERS]; /* extra headers */
	size_t nheaders;
	struct ddns_buf body;
	const char *log_result; /* short word for the access log */
	char log_host[DDNS_NAME_MAX + 1];
	long long log_account; /* account id for the log; 0: none */
	/*
	 * Set instead of an answer: the request waits for this work (see
	 * struct api_wait), and the handler is called again with the same
	 * request once it is done.
	 */
	struct api_wait *wait;
};

/* Sets status and a text/plain body. */
void api_answer_text(struct api_response *resp, unsigned status,
		     const char *text);

/* Adds a response header (printf-style value, truncated to 159 bytes).
 * Returns 0 or DDNS_ENOSPC when API_RESP_MAX_HEADERS are already set. */
int api_add_header(struct api_response *resp, const char *name, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

#endif
