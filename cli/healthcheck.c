/* SPDX-License-Identifier: MIT */
/* ddnsd healthcheck: exit 0 when the server on DDNS_LISTEN answers
 * /healthz (the container image's HEALTHCHECK). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli/cli.h"

static int healthcheck_get(const struct ddns_config *cfg);

/* GET /healthz on DDNS_LISTEN; with TLS on, a TCP connect only. */
static int
healthcheck_get(const struct ddns_config *cfg)
{
	static const char req[] = "GET /healthz HTTP/1.0\r\n"
				  "Host: localhost\r\n\r\n";
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct timeval tv = { 3, 0 };
	char buf[64];
	ssize_t n;
	socklen_t len;
	int fd, ok = 0;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, cfg->listen_addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)cfg->listen_port);
		/* A wildcard listener answers on loopback. */
		if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, cfg->listen_addr, &sin6->sin6_addr) ==
			   1 &&
		   IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr)) {
		/* "[::]" serves IPv4 too (or an IPv4 address on its port
		 * does): 127.0.0.1 works where ::1 may not (a container
		 * without IPv6). */
		memset(&ss, 0, sizeof(ss));
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)cfg->listen_port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, cfg->listen_addr, &sin6->sin6_addr) ==
		   1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)cfg->listen_port);
		len = sizeof(*sin6);
	} else {
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, len) != 0)
		goto out;
	if (cfg->tls_cert != NULL) {
		ok = 1;
		goto out;
	}
	if (write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1))
		goto out;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		ok = strncmp(buf, "HTTP/1.", 7) == 0 &&
		     strncmp(buf + 8, " 200 ", 5) == 0;
	}
out:
	close(fd);
	return ok ? 0 : -1;
}

int
cli_healthcheck(int argc, char **argv)
{
	struct ddns_config cfg;
	char err[256];

	(void)argv;
	if (argc != 1)
		return cli_usage("healthcheck takes no arguments");
	/* Only DDNS_LISTEN and the TLS switch matter here. */
	if (ddns_config_load(&cfg, DDNS_NEED_LISTEN, err, sizeof(err)) != 0) {
		fprintf(stderr, "ddnsd: %s\n", err);
		return CLI_EXIT_USAGE;
	}
	if (healthcheck_get(&cfg) != 0) {
		fprintf(stderr,
			"ddnsd: healthcheck: %s/healthz did not "
			"answer 200\n",
			cfg.listen);
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}
