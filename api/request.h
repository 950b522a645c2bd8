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
#define API_BODY_MAX 65536

struct api_request {
	const char *method;
	const char *path;          /* without the query string */
	char *query;               /* raw query string, owned by the server */
	size_t query_len;
	char *body;                /* NUL-terminated, owned by the server */
	size_t body_len;
	const char *authorization; /* header or NULL; secret */
	const char *user_agent;    /* header or NULL */
	const char *content_type;  /* header or NULL */
	struct ddns_addr client;   /* peer address */
	bool has_client;
};

#define API_RESP_MAX_HEADERS 6

struct api_header {
	const char *name;  /* static string */
	char value[160];
};

struct api_response {
	unsigned status;
	const char *content_type;
	const char *www_authenticate; /* NULL: no header */
	struct api_header headers[API_RESP_MAX_HEADERS]; /* extra headers */
	size_t nheaders;
	struct ddns_buf body;
	const char *log_result;       /* short word for the access log */
	char log_host[DDNS_NAME_MAX + 1];
};

/* Sets status and a text/plain body. */
void api_answer_text(struct api_response *resp, unsigned status,
		     const char *text);

/* Adds a response header (printf-style value, truncated to 159 bytes).
 * Returns 0 or DDNS_ENOSPC when API_RESP_MAX_HEADERS are already set. */
int api_add_header(struct api_response *resp, const char *name,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
