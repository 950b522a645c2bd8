/* SPDX-License-Identifier: MIT */
/*
 * tests/bench/hello.c - the HTTP ceiling of the benchmark: libmicrohttpd in
 * the same threading mode as ddnsd (api/server.c: internal polling thread,
 * epoll, a pool of DDNS_HTTP_THREADS threads, default 4; same connection
 * timeout and memory limit), answering every request with a constant
 * "nochg" body and ddnsd's response headers. No database, no parsing.
 *
 *   hello PORT        listen on 127.0.0.1:PORT until SIGINT/SIGTERM
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

static const char body[] = "nochg 192.0.2.1\n";
static struct MHD_Response *answer;

static enum MHD_Result hello_cb(void *cls, struct MHD_Connection *con,
				const char *url, const char *method,
				const char *version, const char *upload,
				size_t *upload_size, void **con_cls);

static enum MHD_Result
hello_cb(void *cls, struct MHD_Connection *con, const char *url,
	 const char *method, const char *version, const char *upload,
	 size_t *upload_size, void **con_cls)
{
	static int seen;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	/* Like ddnsd: the first call only announces the headers. */
	if (*con_cls == NULL) {
		*con_cls = &seen;
		return MHD_YES;
	}
	*upload_size = 0;
	return MHD_queue_response(con, MHD_HTTP_OK, answer);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	struct MHD_Daemon *d;
	const char *s;
	unsigned threads = 4;
	sigset_t set;
	long port;
	int sig;

	if (argc != 2 || (port = strtol(argv[1], NULL, 10)) <= 0 ||
	    port > 65535) {
		fprintf(stderr, "usage: hello PORT\n");
		return 2;
	}
	if ((s = getenv("DDNS_HTTP_THREADS")) != NULL && *s != '\0')
		threads = (unsigned)strtoul(s, NULL, 10);
	if (threads < 1 || threads > 64)
		threads = 4;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	answer = MHD_create_response_from_buffer(
		strlen(body), (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	if (answer == NULL)
		return 1;
	MHD_add_response_header(answer, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	MHD_add_response_header(answer, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-store");

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
		hello_cb, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "hello: cannot listen on 127.0.0.1:%ld\n",
			port);
		return 1;
	}
	fprintf(stderr, "hello: listening on 127.0.0.1:%ld (%u threads)\n",
		port, threads);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	MHD_destroy_response(answer);
	return 0;
}
