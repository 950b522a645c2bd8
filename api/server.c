/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>
#include <sodium.h>

#include "api/request.h"
#include "api/router.h"
#include "api/server.h"
#include "common/errors.h"
#include "common/log.h"

struct api_server {
	struct MHD_Daemon *mhd;
};

/* Per-request state, from the URI callback to the completion callback. */
struct req_ctx {
	struct api_request req;
	struct ddns_buf body;
	struct timespec start;
	unsigned early_status; /* set when the request is refused on size */
	bool headers_seen;
};

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *con);
static enum MHD_Result access_cb(void *cls, struct MHD_Connection *con,
				 const char *url, const char *method,
				 const char *version, const char *upload,
				 size_t *upload_size, void **con_cls);
static void completed_cb(void *cls, struct MHD_Connection *con,
			 void **con_cls, enum MHD_RequestTerminationCode toe);
static enum MHD_Result send_response(struct MHD_Connection *con,
				     struct req_ctx *ctx,
				     struct api_response *resp);
static void fill_request(struct MHD_Connection *con, struct req_ctx *ctx,
			 const char *url, const char *method);

/* The raw URI is only visible here; keep the query for our own parser. */
static void *
uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct req_ctx *ctx;
	const char *q;
	size_t n;

	(void)cls;
	(void)con;
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &ctx->start);
	ctx->body.cap = API_BODY_MAX;
	q = strchr(uri, '?');
	if (q == NULL)
		return ctx;
	n = strlen(q + 1);
	if (n > API_QUERY_MAX) {
		ctx->early_status = MHD_HTTP_URI_TOO_LONG;
		return ctx;
	}
	if ((ctx->req.query = malloc(n + 1)) == NULL) {
		ctx->early_status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		return ctx;
	}
	memcpy(ctx->req.query, q + 1, n + 1);
	ctx->req.query_len = n;
	return ctx;
}

static void
fill_request(struct MHD_Connection *con, struct req_ctx *ctx, const char *url,
	     const char *method)
{
	const union MHD_ConnectionInfo *ci;
	struct api_request *req = &ctx->req;

	req->method = method;
	req->path = url;
	req->authorization = MHD_lookup_connection_value(
		con, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	req->user_agent = MHD_lookup_connection_value(
		con, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);
	req->content_type = MHD_lookup_connection_value(
		con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	req->has_client = ci != NULL && ci->client_addr != NULL &&
			  ddns_addr_from_sockaddr(ci->client_addr,
						  &req->client) == 0;
	req->body = (char *)ddns_buf_cstr(&ctx->body);
	req->body_len = ctx->body.len;
}

static enum MHD_Result
send_response(struct MHD_Connection *con, struct req_ctx *ctx,
	      struct api_response *resp)
{
	struct MHD_Response *r;
	struct timespec end;
	enum MHD_Result ret;
	char client[64] = "-";
	long us;

	r = MHD_create_response_from_buffer(resp->body.len, resp->body.data,
					    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				resp->content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (resp->www_authenticate != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					resp->www_authenticate);
	for (size_t i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].name,
					resp->headers[i].value);
	ret = MHD_queue_response(con, resp->status, r);
	MHD_destroy_response(r);

	clock_gettime(CLOCK_MONOTONIC, &end);
	us = (end.tv_sec - ctx->start.tv_sec) * 1000000L +
	     (end.tv_nsec - ctx->start.tv_nsec) / 1000;
	if (ctx->req.has_client)
		ddns_addr_format(&ctx->req.client, client, sizeof(client));
	/* Path only: the query string may carry a password. */
	log_info("http: %s %s %u %s%s%s client=%s %ld.%03ldms",
		 ctx->req.method ? ctx->req.method : "-",
		 ctx->req.path ? ctx->req.path : "-", resp->status,
		 resp->log_result ? resp->log_result : "-",
		 resp->log_host[0] ? " host=" : "", resp->log_host, client,
		 us / 1000, us % 1000);
	return ret;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *con, const char *url,
	  const char *method, const char *version, const char *upload,
	  size_t *upload_size, void **con_cls)
{
	struct req_ctx *ctx = *con_cls;
	struct api_response resp = { 0 };
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (ctx == NULL)
		return MHD_NO;
	/*
	 * The first call only announces the headers. Answering there makes
	 * libmicrohttpd discard the rest of the request and close the
	 * connection, which would defeat keep-alive.
	 */
	if (!ctx->headers_seen) {
		ctx->headers_seen = true;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		if (ctx->early_status == 0 &&
		    ddns_buf_append(&ctx->body, upload, *upload_size) != 0)
			ctx->early_status = MHD_HTTP_CONTENT_TOO_LARGE;
		*upload_size = 0;
		return MHD_YES;
	}
	fill_request(con, ctx, url, method);
	if (ctx->early_status == MHD_HTTP_URI_TOO_LONG)
		api_answer_text(&resp, ctx->early_status, "request URI too long\n");
	else if (ctx->early_status == MHD_HTTP_CONTENT_TOO_LARGE)
		api_answer_text(&resp, ctx->early_status, "request body too large\n");
	else if (ctx->early_status != 0)
		api_answer_text(&resp, ctx->early_status, "internal error\n");
	else
		api_route(&ctx->req, &resp);
	ret = send_response(con, ctx, &resp);
	ddns_buf_free(&resp.body);
	return ret;
}

static void
completed_cb(void *cls, struct MHD_Connection *con, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct req_ctx *ctx = *con_cls;

	(void)cls;
	(void)con;
	(void)toe;
	if (ctx == NULL)
		return;
	/* Both may carry a password (query parameters or a form body). */
	if (ctx->req.query != NULL)
		sodium_memzero(ctx->req.query, ctx->req.query_len);
	if (ctx->body.data != NULL)
		sodium_memzero(ctx->body.data, ctx->body.size);
	free(ctx->req.query);
	ddns_buf_free(&ctx->body);
	free(ctx);
	*con_cls = NULL;
}

struct api_server *
api_server_start(const struct ddns_config *cfg)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	struct api_server *s;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, cfg->listen_addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)cfg->listen_port);
	} else if (inet_pton(AF_INET6, cfg->listen_addr, &sin6->sin6_addr) ==
		   1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)cfg->listen_port);
		flags |= MHD_USE_IPv6;
	} else {
		log_error("http: bad listen address %s", cfg->listen_addr);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, access_cb, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, cfg->http_threads,
		MHD_OPTION_URI_LOG_CALLBACK, uri_cb, s,
		MHD_OPTION_NOTIFY_COMPLETED, completed_cb, s,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
		MHD_OPTION_END);
	if (s->mhd == NULL) {
		log_error("http: cannot listen on %s", cfg->listen);
		free(s);
		return NULL;
	}
	log_info("http: listening on %s (%u threads)", cfg->listen,
		 cfg->http_threads);
	return s;
}

void
api_server_stop(struct api_server *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->mhd);
	free(s);
}
