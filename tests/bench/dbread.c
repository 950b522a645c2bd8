/* SPDX-License-Identifier: MIT */
/*
 * tests/bench/dbread.c - the second ceiling of the benchmark (issue #15):
 * libmicrohttpd as in hello.c plus the token -> host read of ddnsd for
 * every request, and nothing else (no hashing, no parsing beyond the
 * Basic header, no logging). Three ways to run it:
 *
 *   dbread single  PORT CONNINFO  one prepared point read per request
 *                                 (ddnsd's host_by_token), blocking, one
 *                                 connection per HTTP thread: the ceiling
 *                                 of "one read per request"
 *   dbread suspend PORT CONNINFO  group lookups, MHD suspend/resume: one
 *                                 lookup thread sends everything queued
 *                                 while its previous statement ran as one
 *                                 "= ANY($1)" statement (what ddnsd does)
 *   dbread loop    PORT CONNINFO  group lookups from our own event loop:
 *                                 each of the threads runs its own daemon
 *                                 (SO_REUSEPORT) and a non-blocking libpq
 *                                 connection in one epoll set; one
 *                                 statement in flight per thread
 *
 * Threads: DDNS_HTTP_THREADS (default 4), as ddnsd and hello.c. Runs until
 * SIGINT/SIGTERM. Answers "nochg 192.0.2.1" for a known token, else 401.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <libpq-fe.h>
#include <microhttpd.h>

#define ID_LEN 20
#define GROUP_MAX 128

#define SQL_ONE                                                                \
	"SELECT t.id, t.secret_hash, h.id, h.account_id, h.fqdn,"              \
	" host(h.ipv4), host(h.ipv6), h.offline"                               \
	" FROM host_tokens t JOIN hosts h ON h.id = t.host_id"                 \
	" WHERE t.public_id = $1 AND h.deleted_at IS NULL"
#define SQL_MANY                                                               \
	"SELECT t.public_id, t.id, t.secret_hash, h.id, h.account_id, h.fqdn," \
	" host(h.ipv4), host(h.ipv6), h.offline"                               \
	" FROM host_tokens t JOIN hosts h ON h.id = t.host_id"                 \
	" WHERE t.public_id = ANY($1::text[]) AND h.deleted_at IS NULL"

struct req {
	char id[ID_LEN + 1];
	int state; /* 0 new, 1 waiting, 2 found, 3 not found / failed */
	struct MHD_Connection *con;
	struct loop *loop;
	struct req *next;
};

struct loop {
	struct MHD_Daemon *d;
	PGconn *pg;
	struct req *queue, *qtail;
	struct req *inflight[GROUP_MAX];
	size_t ninflight;
};

static const char *conninfo;
static struct MHD_Response *ok_resp, *bad_resp;
static _Thread_local PGconn *thread_pg;
static _Thread_local struct loop *thread_loop;

/* suspend mode: the queue and its thread */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct req *qhead, *qtail;

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* The public id of the ddh_ token in "Basic base64(user:ddh_ID_SECRET)". */
static bool
token_id(struct MHD_Connection *con, char id[ID_LEN + 1])
{
	const char *h = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
						    "Authorization");
	char out[256];
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0, v;
	char *p;

	if (h == NULL || strncmp(h, "Basic ", 6) != 0)
		return false;
	for (h += 6; *h && *h != '=' && n < sizeof(out) - 1; h++) {
		if ((v = b64val((unsigned char)*h)) < 0)
			return false;
		acc = (acc << 6) | (unsigned)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	if ((p = strchr(out, ':')) == NULL || strncmp(p + 1, "ddh_", 4) != 0 ||
	    strlen(p + 5) < ID_LEN)
		return false;
	memcpy(id, p + 5, ID_LEN);
	id[ID_LEN] = '\0';
	return true;
}

static PGconn *
pg_open(bool many)
{
	PGconn *pg = PQconnectdb(conninfo);
	PGresult *r;

	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "dbread: %s", PQerrorMessage(pg));
		exit(1);
	}
	r = PQprepare(pg, "q", many ? SQL_MANY : SQL_ONE, 1, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "dbread: %s", PQerrorMessage(pg));
		exit(1);
	}
	PQclear(r);
	return pg;
}

static enum MHD_Result
answer(struct MHD_Connection *con, bool found)
{
	return MHD_queue_response(con, found ? MHD_HTTP_OK : 401,
				  found ? ok_resp : bad_resp);
}

/* ---------------------------------------------------------------- single */

static enum MHD_Result
single_cb(void *cls, struct MHD_Connection *con, const char *url,
	  const char *method, const char *version, const char *upload,
	  size_t *upload_size, void **con_cls)
{
	static int seen;
	char id[ID_LEN + 1];
	const char *p[1] = { id };
	PGresult *r;
	bool found;

	(void)cls, (void)url, (void)method, (void)version, (void)upload;
	if (*con_cls == NULL) {
		*con_cls = &seen;
		return MHD_YES;
	}
	*upload_size = 0;
	if (!token_id(con, id))
		return answer(con, false);
	if (thread_pg == NULL)
		thread_pg = pg_open(false);
	r = PQexecPrepared(thread_pg, "q", 1, p, NULL, NULL, 0);
	found = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	PQclear(r);
	return answer(con, found);
}

/* ---------------------------------------------------------------- groups */

/* "{id,id,...}" for the group; ids are base32, no quoting needed. */
static void
id_array(char *buf, struct req *const *g, size_t n)
{
	size_t o = 0;

	buf[o++] = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf[o++] = ',';
		memcpy(buf + o, g[i]->id, ID_LEN);
		o += ID_LEN;
	}
	buf[o++] = '}';
	buf[o] = '\0';
}

/* Marks each request of the group found or not from result r. */
static void
mark(PGresult *r, struct req *const *g, size_t n)
{
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	int rows = ok ? PQntuples(r) : 0;

	for (size_t i = 0; i < n; i++)
		g[i]->state = 3;
	for (int row = 0; row < rows; row++)
		for (size_t i = 0; i < n; i++)
			if (g[i]->state == 3 &&
			    strcmp(PQgetvalue(r, row, 0), g[i]->id) == 0)
				g[i]->state = 2;
}

static void
req_done(void *cls, struct MHD_Connection *con, void **con_cls,
	 enum MHD_RequestTerminationCode toe)
{
	(void)con, (void)toe;
	if (cls != NULL) /* the group modes' struct req */
		free(*con_cls);
	*con_cls = NULL;
}

/* Both group modes: suspend, queue (suspend_cb / loop_cb decide where). */
static enum MHD_Result
group_cb(void *cls, struct MHD_Connection *con, const char *url,
	 const char *method, const char *version, const char *upload,
	 size_t *upload_size, void **con_cls)
{
	struct req *q = *con_cls;
	struct loop *l = thread_loop;

	(void)cls, (void)url, (void)method, (void)version, (void)upload;
	if (q == NULL) {
		if ((q = calloc(1, sizeof(*q))) == NULL)
			return MHD_NO;
		*con_cls = q;
		return MHD_YES;
	}
	*upload_size = 0;
	if (q->state >= 2)
		return answer(con, q->state == 2);
	if (!token_id(con, q->id))
		return answer(con, false);
	q->state = 1;
	q->con = con;
	MHD_suspend_connection(con);
	if (l == NULL) {
		pthread_mutex_lock(&mu);
		if (qtail)
			qtail->next = q;
		else
			qhead = q;
		qtail = q;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&mu);
		return MHD_YES;
	}
	if (l->qtail)
		l->qtail->next = q;
	else
		l->queue = q;
	l->qtail = q;
	return MHD_YES;
}

static void *
lookup_thread(void *arg)
{
	PGconn *pg = pg_open(true);
	struct req *g[GROUP_MAX];
	char buf[GROUP_MAX * (ID_LEN + 1) + 3];
	const char *p[1] = { buf };
	PGresult *r;
	size_t n;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&mu);
		while (qhead == NULL)
			pthread_cond_wait(&cv, &mu);
		for (n = 0; qhead != NULL && n < GROUP_MAX; n++) {
			g[n] = qhead;
			qhead = qhead->next;
			g[n]->next = NULL;
		}
		if (qhead == NULL)
			qtail = NULL;
		pthread_mutex_unlock(&mu);
		id_array(buf, g, n);
		r = PQexecPrepared(pg, "q", 1, p, NULL, NULL, 0);
		mark(r, g, n);
		PQclear(r);
		for (size_t i = 0; i < n; i++)
			MHD_resume_connection(g[i]->con);
	}
	return NULL;
}

/* loop mode: sends the thread's queue as one statement if none runs. */
static void
loop_send(struct loop *l)
{
	char buf[GROUP_MAX * (ID_LEN + 1) + 3];
	const char *p[1] = { buf };
	size_t n;

	if (l->ninflight > 0 || l->queue == NULL)
		return;
	for (n = 0; l->queue != NULL && n < GROUP_MAX; n++) {
		l->inflight[n] = l->queue;
		l->queue = l->queue->next;
		l->inflight[n]->next = NULL;
	}
	if (l->queue == NULL)
		l->qtail = NULL;
	l->ninflight = n;
	id_array(buf, l->inflight, n);
	if (!PQsendQueryPrepared(l->pg, "q", 1, p, NULL, NULL, 0) ||
	    PQflush(l->pg) < 0) {
		fprintf(stderr, "dbread: %s", PQerrorMessage(l->pg));
		exit(1);
	}
}

static void
loop_results(struct loop *l)
{
	PGresult *r;

	if (!PQconsumeInput(l->pg)) {
		fprintf(stderr, "dbread: %s", PQerrorMessage(l->pg));
		exit(1);
	}
	while (l->ninflight > 0 && !PQisBusy(l->pg)) {
		r = PQgetResult(l->pg);
		if (r == NULL) {
			for (size_t i = 0; i < l->ninflight; i++)
				MHD_resume_connection(l->inflight[i]->con);
			l->ninflight = 0;
			break;
		}
		mark(r, l->inflight, l->ninflight);
		PQclear(r);
	}
}

static void *
loop_thread(void *arg)
{
	struct loop *l = arg;
	struct epoll_event ev[4], e = { .events = EPOLLIN };
	const union MHD_DaemonInfo *di;
	MHD_UNSIGNED_LONG_LONG to;
	int ep, mfd, pfd, n, wait;

	thread_loop = l;
	l->pg = pg_open(true);
	PQsetnonblocking(l->pg, 1);
	di = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_EPOLL_FD);
	mfd = di->epoll_fd;
	pfd = PQsocket(l->pg);
	ep = epoll_create1(0);
	e.data.fd = mfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, mfd, &e);
	e.data.fd = pfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, pfd, &e);
	for (;;) {
		wait = -1;
		if (MHD_get_timeout(l->d, &to) == MHD_YES)
			wait = to > 1000 ? 1000 : (int)to;
		n = epoll_wait(ep, ev, 4, wait);
		for (int i = 0; i < n; i++)
			if (ev[i].data.fd == pfd)
				loop_results(l);
		MHD_run(l->d);
		loop_send(l);
	}
	return NULL;
}

/* ---------------------------------------------------------------- main */

static struct MHD_Daemon *
start(unsigned flags, unsigned threads, MHD_AccessHandlerCallback cb,
      const struct sockaddr_in *sin)
{
	void *own = cb == group_cb ? (void *)1 : NULL;

	if (threads > 0)
		return MHD_start_daemon(
			flags | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
			cb, NULL, MHD_OPTION_SOCK_ADDR, sin,
			MHD_OPTION_THREAD_POOL_SIZE, threads,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
			MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
			MHD_OPTION_NOTIFY_COMPLETED, req_done, own,
			MHD_OPTION_END);
	return MHD_start_daemon(
		flags, 0, NULL, NULL, cb, NULL, MHD_OPTION_SOCK_ADDR, sin,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
		MHD_OPTION_NOTIFY_COMPLETED, req_done, own, MHD_OPTION_END);
}

int
main(int argc, char **argv)
{
	static const char body[] = "nochg 192.0.2.1\n";
	static const char bad[] = "badauth\n";
	struct sockaddr_in sin;
	struct MHD_Daemon *d = NULL;
	const char *s;
	unsigned threads = 4;
	pthread_t t;
	sigset_t set;
	long port;
	int sig;

	if (argc != 4 || (port = strtol(argv[2], NULL, 10)) <= 0 ||
	    port > 65535) {
		fprintf(stderr, "usage: dbread single|suspend|loop PORT "
				"CONNINFO\n");
		return 2;
	}
	conninfo = argv[3];
	if ((s = getenv("DDNS_HTTP_THREADS")) != NULL && *s != '\0')
		threads = (unsigned)strtoul(s, NULL, 10);
	if (threads < 1 || threads > 64)
		threads = 4;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	ok_resp = MHD_create_response_from_buffer(
		strlen(body), (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	bad_resp = MHD_create_response_from_buffer(
		strlen(bad), (void *)(uintptr_t)bad, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(ok_resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	MHD_add_response_header(ok_resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-store");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (strcmp(argv[1], "single") == 0) {
		d = start(MHD_USE_EPOLL, threads, single_cb, &sin);
	} else if (strcmp(argv[1], "suspend") == 0) {
		d = start(MHD_USE_EPOLL | MHD_USE_ITC |
				  MHD_ALLOW_SUSPEND_RESUME,
			  threads, group_cb, &sin);
		pthread_create(&t, NULL, lookup_thread, NULL);
	} else if (strcmp(argv[1], "loop") == 0) {
		for (unsigned i = 0; i < threads; i++) {
			struct loop *l = calloc(1, sizeof(*l));

			l->d = start(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME,
				     0, group_cb, &sin);
			if (l->d == NULL)
				break;
			d = l->d;
			pthread_create(&t, NULL, loop_thread, l);
		}
	} else {
		fprintf(stderr, "dbread: unknown mode %s\n", argv[1]);
		return 2;
	}
	if (d == NULL) {
		fprintf(stderr, "dbread: cannot listen on 127.0.0.1:%ld\n",
			port);
		return 1;
	}
	fprintf(stderr, "dbread: %s mode on 127.0.0.1:%ld (%u threads)\n",
		argv[1], port, threads);
	sigwait(&set, &sig);
	return 0;
}
