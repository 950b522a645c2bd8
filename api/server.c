/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "api/lookup.h"
#include "api/writer.h"
#include "api/checkip.h"
#include "api/conns.h"
#include "api/request.h"
#include "api/router.h"
#include "api/problem.h"
#include "api/server.h"
#include "api/tls.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/secrets.h"

struct api_server {
	struct MHD_Daemon *mhd[DDNS_LISTEN_MAX]; /* one per listen address */
	size_t nmhd;
	struct ddns_netlist proxies;
	struct api_conns *limits; /* per-prefix cap, header deadlines */
	struct api_tls *tls;      /* NULL: plain HTTP */
	char *tls_cert_path, *tls_key_path; /* read again by a reload */
	atomic_long inflight;     /* requests between uri_cb and completed_cb */
	atomic_long conns;        /* open connections */
	atomic_llong activity_ms; /* last request start or end (monotonic) */
	atomic_bool closing;      /* answers say "Connection: close" */
};

/* Per-request state, from the URI callback to the completion callback. */
struct req_ctx {
	struct api_request req;
	struct ddns_buf body;
	struct timespec start;
	unsigned early_status; /* set when the request is refused on size */
	bool headers_seen;
	bool filled;        /* req filled in (kept across a suspension) */
	struct api_fwd fwd; /* forwarding headers, from a trusted proxy */
};

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *con);
static enum MHD_Result access_cb(void *cls, struct MHD_Connection *con,
				 const char *url, const char *method,
				 const char *version, const char *upload,
				 size_t *upload_size, void **con_cls);
static void completed_cb(void *cls, struct MHD_Connection *con, void **con_cls,
			 enum MHD_RequestTerminationCode toe);
static enum MHD_Result send_response(struct api_server *s,
				     struct MHD_Connection *con,
				     struct req_ctx *ctx,
				     struct api_response *resp);
static void fill_request(struct api_server *s, struct MHD_Connection *con,
			 struct req_ctx *ctx, const char *url,
			 const char *method);
static void request_id(struct MHD_Connection *con, struct api_request *req);
static void access_log(const struct req_ctx *ctx,
		       const struct api_response *resp, long us);
static struct MHD_Daemon *daemon_start(struct api_server *s,
				       const struct ddns_config *cfg,
				       unsigned flags, MHD_socket fd);
static int listen_socket(const struct ddns_listen *l);
static void server_free(struct api_server *s);
static void conn_cb(void *cls, struct MHD_Connection *con, void **socket_ctx,
		    enum MHD_ConnectionNotificationCode toe);
static bool drained(struct api_server *s);
static enum MHD_Result accept_cb(void *cls, const struct sockaddr *addr,
				 socklen_t addrlen);
static struct api_conn *conn_of(struct MHD_Connection *con);
static unsigned fit_nofile(unsigned want);
static enum MHD_Result header_scan_cb(void *cls, enum MHD_ValueKind kind,
				      const char *key, size_t key_size,
				      const char *value, size_t value_size);
static bool has_ctl(const char *s, size_t n);
static void resume_cb(void *arg);
static enum MHD_Result fwd_cb(void *cls, enum MHD_ValueKind kind,
			      const char *key, size_t key_size,
			      const char *value, size_t value_size);
static bool forwarded_https(const struct api_server *s,
			    struct MHD_Connection *con,
			    const struct api_request *req);

/* Idle keep-alive connections are closed once no request came for this. */
#define DRAIN_IDLE_MS 500

static void
conn_cb(void *cls, struct MHD_Connection *con, void **socket_ctx,
	enum MHD_ConnectionNotificationCode toe)
{
	struct api_server *s = cls;

	const union MHD_ConnectionInfo *fd, *ad;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		atomic_fetch_add(&s->conns, 1);
		fd = MHD_get_connection_info(con,
					     MHD_CONNECTION_INFO_CONNECTION_FD);
		ad = MHD_get_connection_info(
			con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		*socket_ctx =
			fd == NULL || ad == NULL
				? NULL
				: api_conns_opened(s->limits, fd->connect_fd,
						   ad->client_addr);
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		atomic_fetch_sub(&s->conns, 1);
		api_conns_closed(s->limits, *socket_ctx);
		*socket_ctx = NULL;
	}
}

/* Before libmicrohttpd takes a connection: the per-prefix cap. */
static enum MHD_Result
accept_cb(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct api_server *s = cls;

	(void)addrlen;
	return api_conns_admit(s->limits, addr) ? MHD_YES : MHD_NO;
}

static struct api_conn *
conn_of(struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* The raw URI is only visible here; keep the query for our own parser. */
static void *
uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct api_server *s = cls;
	struct req_ctx *ctx;
	const char *q;
	size_t n;

	api_conns_request_line(s->limits, conn_of(con));
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	atomic_fetch_add(&s->inflight, 1);
	atomic_store(&s->activity_ms, ddns_now_ms());
	ddns_metrics_inflight(1);
	clock_gettime(CLOCK_MONOTONIC, &ctx->start);
	ctx->body.cap = API_BODY_MAX;
	if (strlen(uri) > API_URI_MAX) {
		ctx->early_status = MHD_HTTP_URI_TOO_LONG;
		return ctx;
	}
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

/*
 * 16 unpredictable bytes without a system call per request: SipHash of a
 * per-thread counter under a per-thread random key (one getrandom() per
 * thread instead of one per request, which was one in seven of the nochg
 * path's system calls).
 */
static void
request_id_bytes(unsigned char out[16])
{
	static _Thread_local unsigned char key[crypto_shorthash_KEYBYTES];
	static _Thread_local uint64_t counter;
	static _Thread_local bool seeded;
	unsigned char in[9];

	if (!seeded) {
		randombytes_buf(key, sizeof(key));
		seeded = true;
	}
	counter++;
	memcpy(in, &counter, 8);
	for (unsigned half = 0; half < 2; half++) {
		in[8] = (unsigned char)half;
		crypto_shorthash(out + 8 * half, in, sizeof(in), key);
	}
}

/* A client's X-Request-Id when it is sane, else 128 pseudo-random bits in
 * hex. */
static void
request_id(struct MHD_Connection *con, struct api_request *req)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[16];
	const char *v;
	size_t n;

	v = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-Request-Id");
	if (v != NULL && (n = strlen(v)) > 0 && n <= API_REQUEST_ID_MAX &&
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789._:-") == n) {
		memcpy(req->request_id, v, n + 1);
		return;
	}
	request_id_bytes(rnd);
	for (size_t i = 0; i < sizeof(rnd); i++) {
		req->request_id[2 * i] = hex[rnd[i] >> 4];
		req->request_id[2 * i + 1] = hex[rnd[i] & 15];
	}
	req->request_id[2 * sizeof(rnd)] = '\0';
}

static enum MHD_Result
fwd_cb(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
       const char *value, size_t value_size)
{
	(void)kind;
	(void)key_size;
	api_fwd_add(cls, key, value, value_size);
	return MHD_YES;
}

static void
fill_request(struct api_server *s, struct MHD_Connection *con,
	     struct req_ctx *ctx, const char *url, const char *method)
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
	req->cookie = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
						  MHD_HTTP_HEADER_COOKIE);
	req->origin =
		MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Origin");
	req->sec_fetch_site = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
							  "Sec-Fetch-Site");
	req->host = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
						MHD_HTTP_HEADER_HOST);
	request_id(con, req);
	ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	req->has_peer =
		ci != NULL && ci->client_addr != NULL &&
		ddns_addr_from_sockaddr(ci->client_addr, &req->peer) == 0;
	req->has_client = req->has_peer;
	if (req->has_peer && s->proxies.n > 0 &&
	    ddns_netlist_contains(&s->proxies, &req->peer)) {
		/* Every line: a forged one may come before the proxy's. */
		api_fwd_init(&ctx->fwd);
		MHD_get_connection_values_n(con, MHD_HEADER_KIND, fwd_cb,
					    &ctx->fwd);
		api_client_addr_fwd(&s->proxies, &req->peer, &ctx->fwd,
				    &req->client);
	} else if (req->has_peer) {
		req->client = req->peer;
	}
	req->https = s->tls != NULL || forwarded_https(s, con, req);
	req->body = (char *)ddns_buf_cstr(&ctx->body);
	req->body_len = ctx->body.len;
}

/* A trusted proxy says the client spoke TLS to it. */
static bool
forwarded_https(const struct api_server *s, struct MHD_Connection *con,
		const struct api_request *req)
{
	const char *v;

	if (!req->has_peer || !ddns_netlist_contains(&s->proxies, &req->peer))
		return false;
	v = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
					"X-Forwarded-Proto");
	return v != NULL && strcasecmp(v, "https") == 0;
}

/* One line per request: never the query string, which may hold a secret. */
static void
access_log(const struct req_ctx *ctx, const struct api_response *resp, long us)
{
	const struct api_request *req = &ctx->req;
	char client[64] = "", peer[64] = "";
	struct ddns_log_field f[] = {
		{ "request_id", DDNS_LOGF_STR, req->request_id, 0 },
		{ "method", DDNS_LOGF_STR, req->method, 0 },
		{ "path", DDNS_LOGF_STR, req->path, 0 },
		{ "route", DDNS_LOGF_STR, req->route, 0 },
		{ "status", DDNS_LOGF_INT, NULL, resp->status },
		{ "duration_ms", DDNS_LOGF_MS, NULL, us },
		{ "client", DDNS_LOGF_STR, req->has_client ? client : NULL, 0 },
		{ "peer", DDNS_LOGF_STR, peer[0] ? peer : NULL, 0 },
		{ "result", DDNS_LOGF_STR, resp->log_result, 0 },
		{ "host", DDNS_LOGF_STR,
		  resp->log_host[0] ? resp->log_host : NULL, 0 },
		{ "account_id",
		  resp->log_account ? DDNS_LOGF_INT : DDNS_LOGF_STR, NULL,
		  resp->log_account },
	};

	/* Not even the addresses are formatted when the line is not wanted. */
	if (!ddns_log_enabled(DDNS_LOG_INFO))
		return;
	if (req->has_client)
		ddns_addr_format(&req->client, client, sizeof(client));
	/* The proxy's own address, when the client is someone else. */
	if (req->has_peer && req->has_client &&
	    (req->peer.family != req->client.family ||
	     memcmp(req->peer.bytes, req->client.bytes, 16) != 0))
		ddns_addr_format(&req->peer, peer, sizeof(peer));
	f[7].str = peer[0] ? peer : NULL;
	ddns_log_fields(DDNS_LOG_INFO, "request", f, sizeof(f) / sizeof(f[0]));
}

static enum MHD_Result
send_response(struct api_server *s, struct MHD_Connection *con,
	      struct req_ctx *ctx, struct api_response *resp)
{
	struct MHD_Response *r;
	struct timespec end;
	enum MHD_Result ret;
	long us;

	/* The body goes to libmicrohttpd, which wipes it when done: it may
	 * be a new token. */
	r = MHD_create_response_from_buffer_with_free_callback_cls(
		resp->body.len, resp->body.data, ddns_free_wiped,
		resp->body.data);
	if (r == NULL)
		return MHD_NO;
	memset(&resp->body, 0, sizeof(resp->body));
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				resp->content_type);
	MHD_add_response_header(
		r, MHD_HTTP_HEADER_CACHE_CONTROL,
		resp->cache_control != NULL ? resp->cache_control : "no-store");
	MHD_add_response_header(r, "X-Request-Id", ctx->req.request_id);
	if (resp->www_authenticate != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					resp->www_authenticate);
	for (size_t i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].name,
					resp->headers[i].value);
	/* Draining for shutdown: no more requests on this connection. */
	if (atomic_load(&s->closing))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(con, resp->status, r);
	MHD_destroy_response(r);

	clock_gettime(CLOCK_MONOTONIC, &end);
	us = (end.tv_sec - ctx->start.tv_sec) * 1000000L +
	     (end.tv_nsec - ctx->start.tv_nsec) / 1000;
	ddns_metrics_http(ctx->req.route, resp->status, us);
	access_log(ctx, resp, us);
	return ret;
}

/* Control bytes other than HTAB (NUL, CR and LF included: RFC 9110 5.5). */
static bool
has_ctl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f)
			return true;
	return false;
}

/*
 * Adds the wire size of one header line ("Key: value\r\n") to scan[0]
 * and sets scan[1] when it holds a control byte, which libmicrohttpd
 * passes on (a NUL would silently cut the value short).
 */
static enum MHD_Result
header_scan_cb(void *cls, enum MHD_ValueKind kind, const char *key,
	       size_t key_size, const char *value, size_t value_size)
{
	size_t *scan = cls;

	(void)kind;
	scan[0] += key_size + value_size + 4;
	if (has_ctl(key, key_size) ||
	    (value != NULL && has_ctl(value, value_size)))
		scan[1] = 1;
	return MHD_YES;
}

/* A group lookup is done: the connection's handler runs again. */
static void
resume_cb(void *arg)
{
	MHD_resume_connection(arg);
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *con, const char *url,
	  const char *method, const char *version, const char *upload,
	  size_t *upload_size, void **con_cls)
{
	struct api_server *s = cls;
	struct req_ctx *ctx = *con_cls;
	struct api_response resp = { 0 };
	enum MHD_Result ret;

	(void)version;
	if (ctx == NULL)
		return MHD_NO;
	/*
	 * The first call only announces the headers. Answering there makes
	 * libmicrohttpd discard the rest of the request and close the
	 * connection, which would defeat keep-alive.
	 */
	if (!ctx->headers_seen) {
		size_t scan[2] = { 0, 0 }; /* bytes, control byte seen */

		ctx->headers_seen = true;
		api_conns_headers_done(s->limits, conn_of(con));
		MHD_get_connection_values_n(con, MHD_HEADER_KIND,
					    header_scan_cb, scan);
		if (scan[0] > API_HEADERS_MAX && ctx->early_status == 0)
			ctx->early_status =
				MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE;
		if (scan[1] != 0 && ctx->early_status == 0)
			ctx->early_status = MHD_HTTP_BAD_REQUEST;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		if (ctx->early_status == 0 &&
		    ddns_buf_append(&ctx->body, upload, *upload_size) != 0)
			ctx->early_status = MHD_HTTP_CONTENT_TOO_LARGE;
		*upload_size = 0;
		return MHD_YES;
	}
	if (!ctx->filled) {
		fill_request(s, con, ctx, url, method);
		ctx->filled = true;
	}
	if (ctx->early_status == MHD_HTTP_URI_TOO_LONG)
		api_answer_text(&resp, ctx->early_status,
				"request URI too long\n");
	else if (ctx->early_status == MHD_HTTP_CONTENT_TOO_LARGE &&
		 strncmp(url, "/v1/", 4) == 0)
		api_problem(&resp, DDNS_EMSGSIZE,
			    "request body over 65536 bytes");
	else if (ctx->early_status == MHD_HTTP_CONTENT_TOO_LARGE)
		api_answer_text(&resp, ctx->early_status,
				"request body too large\n");
	else if (ctx->early_status == MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE)
		api_answer_text(&resp, ctx->early_status,
				"request header fields too large\n");
	else if (ctx->early_status == MHD_HTTP_BAD_REQUEST)
		api_answer_text(&resp, ctx->early_status,
				"control character in a header field\n");
	else if (ctx->early_status != 0)
		api_answer_text(&resp, ctx->early_status, "internal error\n");
	else
		api_route(&ctx->req, &resp);
	if (resp.wait != NULL) {
		/*
		 * Suspended before the work is queued, so that its resume
		 * can never come first; libmicrohttpd calls us again then.
		 */
		MHD_suspend_connection(con);
		resp.wait->done = resume_cb;
		resp.wait->arg = con;
		resp.wait->submit(resp.wait);
		ddns_buf_free(&resp.body);
		return MHD_YES;
	}
	ret = send_response(s, con, ctx, &resp);
	ddns_free_wiped(resp.body.data); /* when not handed over */
	return ret;
}

static void
completed_cb(void *cls, struct MHD_Connection *con, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct api_server *s = cls;
	struct req_ctx *ctx = *con_cls;

	(void)toe;
	api_conns_request_done(s->limits, conn_of(con));
	if (ctx == NULL)
		return;
	atomic_fetch_sub(&s->inflight, 1);
	atomic_store(&s->activity_ms, ddns_now_ms());
	ddns_metrics_inflight(-1);
	if (ctx->req.handler_state != NULL && ctx->req.handler_state_free)
		ctx->req.handler_state_free(ctx->req.handler_state);
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

static struct MHD_Daemon *
daemon_start(struct api_server *s, const struct ddns_config *cfg,
	     unsigned flags, MHD_socket fd)
{
	struct MHD_OptionItem tls[3] = {
		{ MHD_OPTION_END, 0, NULL },
		{ MHD_OPTION_END, 0, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (s->tls != NULL) {
		/* Every handshake asks api/tls.c: a reload needs no restart. */
		flags |= MHD_USE_TLS;
		tls[0] =
			(struct MHD_OptionItem){ MHD_OPTION_HTTPS_CERT_CALLBACK,
						 0, (void *)api_tls_retrieve };
	}
	return MHD_start_daemon(
		flags, 0, accept_cb, s, access_cb, s, MHD_OPTION_LISTEN_SOCKET,
		fd, MHD_OPTION_THREAD_POOL_SIZE, cfg->http_threads,
		MHD_OPTION_URI_LOG_CALLBACK, uri_cb, s,
		MHD_OPTION_NOTIFY_COMPLETED, completed_cb, s,
		MHD_OPTION_NOTIFY_CONNECTION, conn_cb, s,
		MHD_OPTION_CONNECTION_TIMEOUT, cfg->conn_timeout_s,
		MHD_OPTION_CONNECTION_LIMIT, fit_nofile(cfg->max_connections),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
		MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
}

/*
 * Open files for max connections plus what the rest of the process
 * needs: the soft limit is raised (up to the hard one) when short, and
 * the cap lowered when even the hard limit is short. Both are logged.
 */
#define NOFILE_RESERVE 256

static unsigned
fit_nofile(unsigned want)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)want + NOFILE_RESERVE, old;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
		return want;
	old = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need
			      ? need
			      : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		rl.rlim_cur = old;
	else
		log_info("http: open-files limit (RLIMIT_NOFILE) raised from "
			 "%llu to %llu for DDNS_MAX_CONNECTIONS=%u",
			 (unsigned long long)old,
			 (unsigned long long)rl.rlim_cur, want);
	if (rl.rlim_cur >= need)
		return want;
	want = rl.rlim_cur > NOFILE_RESERVE + 16
		       ? (unsigned)(rl.rlim_cur - NOFILE_RESERVE)
		       : 16;
	log_warn("http: the open-files hard limit is %llu: at most %u "
		 "connections (raise it, e.g. ulimit -Hn, LimitNOFILE=)",
		 (unsigned long long)rl.rlim_max, want);
	return want;
}

static void
server_free(struct api_server *s)
{
	api_conns_free(s->limits);
	api_tls_free(s->tls);
	free(s->tls_cert_path);
	free(s->tls_key_path);
	free(s);
}

/*
 * A bound, listening socket for l, or -errno. "[::]" is dual-stack unless
 * l->v6only: IPv4 clients then arrive as ::ffff:a.b.c.d, which
 * ddns_addr_from_sockaddr() records as IPv4.
 */
static int
listen_socket(const struct ddns_listen *l)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, on = 1, v6only = l->v6only ? 1 : 0, err;

	memset(&ss, 0, sizeof(ss));
	if (l->family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)l->port);
		inet_pton(AF_INET, l->addr, &sin->sin_addr);
		len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)l->port);
		inet_pton(AF_INET6, l->addr, &sin6->sin6_addr);
		len = sizeof(*sin6);
	}
	fd = socket(l->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    (l->family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			sizeof(v6only)) != 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    listen(fd, 1024) != 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

struct api_server *
api_server_start(const struct ddns_config *cfg,
		 const struct api_server_opts *opts)
{
	/* ITC: MHD_quiesce_daemon() needs it with internal threads. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
	struct ddns_listen fallback;
	const struct ddns_listen *l;
	struct api_server *s;
	char what[96], err[256];
	int fd;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	api_checkip_configure(cfg);
	if (opts != NULL && opts->proxies != NULL)
		s->proxies = *opts->proxies;
	s->limits = api_conns_new(&(struct api_conns_opts){
		.trusted = &s->proxies,
		.per_prefix_max = cfg->max_conn_per_ip,
		.header_timeout_s = cfg->header_timeout_s,
		.idle_timeout_s = cfg->conn_timeout_s,
	});
	if (s->limits == NULL || api_conns_start(s->limits) != 0) {
		server_free(s);
		return NULL;
	}
	if (opts != NULL && opts->tls_cert_pem != NULL &&
	    opts->tls_key_pem != NULL) {
		s->tls = api_tls_new(opts->tls_cert_pem, opts->tls_key_pem, err,
				     sizeof(err));
		if (s->tls == NULL) {
			log_error("http: TLS: %s", err);
			server_free(s);
			return NULL;
		}
		if ((cfg->tls_cert != NULL &&
		     (s->tls_cert_path = strdup(cfg->tls_cert)) == NULL) ||
		    (cfg->tls_key != NULL &&
		     (s->tls_key_path = strdup(cfg->tls_key)) == NULL)) {
			server_free(s);
			return NULL;
		}
		api_tls_activate(s->tls);
	}
	if (api_lookup_start() != 0) {
		server_free(s);
		return NULL;
	}
	if (api_writer_start(cfg->http_threads * API_WRITERS_PER_THREAD) != 0) {
		api_lookup_stop(0);
		server_free(s);
		return NULL;
	}
	if (s->tls != NULL) {
		api_tls_describe(s->tls, err, sizeof(err));
		log_info("http: TLS certificate %s", err);
	}
	for (size_t i = 0; i < cfg->nlisten; i++) {
		l = &cfg->listens[i];
		fd = listen_socket(l);
		/* A host (or container) without IPv6 at all: "[::]" alone
		 * still serves its IPv4 clients. */
		if (fd == -EAFNOSUPPORT && !l->v6only) {
			log_warn("http: no IPv6 on this host; [::]:%u serves "
				 "IPv4 only",
				 l->port);
			fallback = *l;
			snprintf(fallback.addr, sizeof(fallback.addr),
				 "0.0.0.0");
			fallback.family = AF_INET;
			l = &fallback;
			fd = listen_socket(l);
		}
		snprintf(what, sizeof(what), "%s%s%s:%u",
			 l->family == AF_INET6 ? "[" : "", l->addr,
			 l->family == AF_INET6 ? "]" : "", l->port);
		if (fd < 0) {
			log_error("http: cannot listen on %s: %s", what,
				  strerror(-fd));
			goto fail;
		}
		s->mhd[s->nmhd] = daemon_start(s, cfg, flags, fd);
		if (s->mhd[s->nmhd] == NULL) {
			close(fd);
			log_error("http: cannot serve on %s%s", what,
				  s->tls ? " (or the TLS setup failed)" : "");
			goto fail;
		}
		s->nmhd++;
		log_info("http: listening on %s (%s, %s, %u threads, %zu "
			 "trusted proxy networks)",
			 what, s->tls ? "https" : "http",
			 l->family == AF_INET ? "IPv4"
			 : l->v6only          ? "IPv6"
					      : "IPv4 and IPv6",
			 cfg->http_threads, s->proxies.n);
	}
	return s;
fail:
	for (size_t i = 0; i < s->nmhd; i++)
		MHD_stop_daemon(s->mhd[i]);
	api_lookup_stop(0);
	api_writer_stop(0);
	server_free(s);
	return NULL;
}

void
api_server_reload_tls(struct api_server *s)
{
	char err[256];

	if (s == NULL || s->tls == NULL || s->tls_cert_path == NULL ||
	    s->tls_key_path == NULL)
		return;
	if (api_tls_reload(s->tls, s->tls_cert_path, s->tls_key_path, err,
			   sizeof(err)) != 0) {
		log_error("ddnsd: SIGHUP: DDNS_TLS_CERT/DDNS_TLS_KEY: %s; the "
			  "certificate in use stays",
			  err);
		return;
	}
	api_tls_describe(s->tls, err, sizeof(err));
	log_info("ddnsd: SIGHUP: TLS certificate loaded from %s: %s",
		 s->tls_cert_path, err);
}

/*
 * Nothing left to wait for: no request in flight, and either no
 * connection open or only idle ones (a connection accepted just before
 * the quiesce sends its request at once; keep-alive clients may idle on).
 */
static bool
drained(struct api_server *s)
{
	if (atomic_load(&s->inflight) > 0)
		return false;
	return atomic_load(&s->conns) == 0 ||
	       ddns_now_ms() - atomic_load(&s->activity_ms) >= DRAIN_IDLE_MS;
}

void
api_server_stop(struct api_server *s, unsigned timeout_s)
{
	long long deadline;
	MHD_socket fd;

	if (s == NULL)
		return;
	atomic_store(&s->closing, true);
	atomic_store(&s->activity_ms, ddns_now_ms());
	/* Stop accepting; connections already open may still send. */
	for (size_t i = 0; i < s->nmhd; i++) {
		fd = MHD_quiesce_daemon(s->mhd[i]);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	}
	deadline = ddns_now_ms() + (long long)timeout_s * 1000;
	while (!drained(s)) {
		if (ddns_now_ms() >= deadline) {
			log_warn("http: %ld requests still in flight after "
				 "%u s; closing them",
				 (long)atomic_load(&s->inflight), timeout_s);
			break;
		}
		usleep(10000);
	}
	/*
	 * No connection may stay suspended through MHD_stop_daemon(): what
	 * still waits for a lookup after the deadline is answered 911.
	 */
	api_lookup_stop(200);
	api_writer_stop(200);
	for (size_t i = 0; i < s->nmhd; i++)
		MHD_stop_daemon(s->mhd[i]);
	log_info("http: stopped");
	server_free(s);
}
