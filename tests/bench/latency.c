/* SPDX-License-Identifier: MIT */
/*
 * tests/bench/latency.c - figure 5 of the benchmark: at a steady rate of
 * address changes, the time from ddnsd's HTTP answer ("good") to the new
 * A record being served by the nameserver, found by polling it with DNS
 * queries over UDP.
 *
 *   latency HTTP_PORT DNS_PORT HOSTS_FILE RATE SECONDS IPBASE
 *
 * HOSTS_FILE holds "fqdn token public_id hash_hex basic" lines
 * (mktokens.c); change i goes to host i (mod the number of hosts) with an
 * address from pass IPBASE + i / hosts (10.x.y.z, as in update.lua).
 * Requests are sent on a schedule (i / RATE seconds after the start) over
 * a few keep-alive connections; each pending change is queried every
 * POLL_US. Prints one line:
 *   LAT sent=N good=N visible=N lost=N late=N http_p50_us=N http_p99_us=N
 *       vis_p50_us=N vis_p99_us=N vis_max_us=N
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NCONN 8
#define POLL_US 2000
#define DRAIN_US 10000000LL /* give up on a change after 10 s */
#define MAX_CHANGES 65536

struct change {
	const char *fqdn, *basic;
	uint8_t ip[4];
	long long t_send, t_answer, t_seen, next_poll;
	bool pending, good;
};

struct conn {
	int fd;
	int change; /* -1: idle */
	char buf[4096];
	size_t len;
};

static long long now_us(void);
static int load_hosts(const char *path, char ***fqdn, char ***basic);
static int tcp_connect(int port);
static int send_request(struct conn *c, struct change *ch, int idx);
static int read_response(struct conn *c, struct change *chg, long long now);
static void dns_query(int fd, const struct sockaddr_in *sa,
		      const struct change *ch, int idx);
static void dns_answer(int fd, struct change *chg, int n, long long now);
static size_t skip_name(const uint8_t *p, size_t n, size_t o);
static int cmp_ll(const void *a, const void *b);
static long long pct(long long *v, int n, int p);

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
load_hosts(const char *path, char ***fqdn, char ***basic)
{
	char line[1024], f[300], b[600];
	FILE *fp = fopen(path, "r");
	int n = 0;

	if (fp == NULL)
		return -1;
	*fqdn = calloc(MAX_CHANGES, sizeof(char *));
	*basic = calloc(MAX_CHANGES, sizeof(char *));
	while (n < MAX_CHANGES && fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%299s %*s %*s %*s %599s", f, b) != 2)
			continue;
		(*fqdn)[n] = strdup(f);
		(*basic)[n] = strdup(b);
		n++;
	}
	fclose(fp);
	return n;
}

static int
tcp_connect(int port)
{
	struct sockaddr_in sa = { 0 };
	int fd, one = 1;

	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_request(struct conn *c, struct change *ch, int idx)
{
	char req[1024];
	int n;

	n = snprintf(req, sizeof(req),
		     "GET /nic/update?hostname=%s&myip=%u.%u.%u.%u HTTP/1.1\r\n"
		     "Host: bench\r\nUser-Agent: ddnsd-bench\r\n"
		     "Authorization: Basic %s\r\n\r\n",
		     ch->fqdn, ch->ip[0], ch->ip[1], ch->ip[2], ch->ip[3],
		     ch->basic);
	if (n < 0 || (size_t)n >= sizeof(req))
		return -1;
	ch->t_send = now_us();
	if (write(c->fd, req, (size_t)n) != n)
		return -1;
	c->change = idx;
	c->len = 0;
	return 0;
}

/* 1: a whole response was read, 0: need more, -1: connection failed. */
static int
read_response(struct conn *c, struct change *chg, long long now)
{
	struct change *ch;
	char *end, *cl;
	ssize_t r;
	size_t hdr, body = 0;

	r = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (r <= 0)
		return -1;
	c->len += (size_t)r;
	c->buf[c->len] = '\0';
	if ((end = strstr(c->buf, "\r\n\r\n")) == NULL)
		return 0;
	hdr = (size_t)(end - c->buf) + 4;
	for (cl = c->buf; cl < end; cl++)
		if (strncasecmp(cl, "\ncontent-length:", 16) == 0) {
			body = strtoul(cl + 16, NULL, 10);
			break;
		}
	if (c->len < hdr + body)
		return 0;
	ch = &chg[c->change];
	ch->t_answer = now;
	ch->good = strncmp(c->buf + hdr, "good", 4) == 0;
	ch->pending = ch->good;
	ch->next_poll = now;
	c->change = -1;
	c->len = 0;
	return 1;
}

static void
dns_query(int fd, const struct sockaddr_in *sa, const struct change *ch,
	  int idx)
{
	uint8_t q[300];
	const char *s = ch->fqdn, *dot;
	size_t o = 12, l;

	memset(q, 0, 12);
	q[0] = (uint8_t)(idx >> 8);
	q[1] = (uint8_t)idx;
	q[5] = 1; /* QDCOUNT */
	while (*s != '\0') {
		dot = strchr(s, '.');
		l = dot ? (size_t)(dot - s) : strlen(s);
		if (l == 0 || l > 63 || o + l + 6 > sizeof(q))
			return;
		q[o++] = (uint8_t)l;
		memcpy(q + o, s, l);
		o += l;
		s += l + (dot ? 1 : 0);
	}
	q[o++] = 0;
	q[o++] = 0;
	q[o++] = 1; /* A */
	q[o++] = 0;
	q[o++] = 1; /* IN */
	sendto(fd, q, o, 0, (const struct sockaddr *)sa, sizeof(*sa));
}

static size_t
skip_name(const uint8_t *p, size_t n, size_t o)
{
	while (o < n) {
		if ((p[o] & 0xc0) == 0xc0)
			return o + 2;
		if (p[o] == 0)
			return o + 1;
		o += (size_t)p[o] + 1;
	}
	return n + 1;
}

static void
dns_answer(int fd, struct change *chg, int n, long long now)
{
	uint8_t p[1500];
	ssize_t r;
	size_t o, an, rdlen;
	int id;

	while ((r = recv(fd, p, sizeof(p), MSG_DONTWAIT)) > 0) {
		if (r < 12)
			continue;
		id = (p[0] << 8) | p[1];
		if (id >= n || !chg[id].pending)
			continue;
		an = (size_t)((p[6] << 8) | p[7]);
		o = skip_name(p, (size_t)r, 12) + 4;
		for (; an > 0 && o + 10 <= (size_t)r; an--) {
			o = skip_name(p, (size_t)r, o);
			if (o + 10 > (size_t)r)
				break;
			rdlen = (size_t)((p[o + 8] << 8) | p[o + 9]);
			if (p[o] == 0 && p[o + 1] == 1 && rdlen == 4 &&
			    o + 14 <= (size_t)r &&
			    memcmp(p + o + 10, chg[id].ip, 4) == 0) {
				chg[id].t_seen = now;
				chg[id].pending = false;
				break;
			}
			o += 10 + rdlen;
		}
	}
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long
pct(long long *v, int n, int p)
{
	if (n == 0)
		return -1;
	qsort(v, (size_t)n, sizeof(*v), cmp_ll);
	return v[(size_t)((long long)(n - 1) * p / 100)];
}

int
main(int argc, char **argv)
{
	struct pollfd pfd[NCONN + 1];
	struct conn conn[NCONN];
	struct sockaddr_in dns = { 0 };
	struct change *chg;
	char **fqdn, **basic;
	long long t0, now, next, wait, *http, *vis, pass;
	int nhosts, total, sent = 0, late = 0, done = 0, npend, udp, i, k;
	int rr = 0;
	int ngood = 0, nvis = 0, lost = 0;
	double rate, secs;

	if (argc != 7) {
		fprintf(stderr, "usage: latency HTTP_PORT DNS_PORT HOSTS_FILE "
				"RATE SECONDS IPBASE\n");
		return 2;
	}
	rate = strtod(argv[4], NULL);
	secs = strtod(argv[5], NULL);
	pass = strtoll(argv[6], NULL, 10);
	total = (int)(rate * secs);
	if (rate <= 0 || total <= 0 || total > MAX_CHANGES)
		return 2;
	if ((nhosts = load_hosts(argv[3], &fqdn, &basic)) <= 0) {
		fprintf(stderr, "latency: no hosts in %s\n", argv[3]);
		return 1;
	}
	chg = calloc((size_t)total, sizeof(*chg));
	http = calloc((size_t)total, sizeof(*http));
	vis = calloc((size_t)total, sizeof(*vis));
	for (i = 0; i < total; i++) {
		long long p = pass + i / nhosts;

		chg[i].fqdn = fqdn[i % nhosts];
		chg[i].basic = basic[i % nhosts];
		chg[i].ip[0] = 10;
		chg[i].ip[1] = (uint8_t)(p >> 16);
		chg[i].ip[2] = (uint8_t)(p >> 8);
		chg[i].ip[3] = (uint8_t)p;
	}
	for (i = 0; i < NCONN; i++) {
		conn[i].change = -1;
		if ((conn[i].fd = tcp_connect(atoi(argv[1]))) < 0) {
			perror("latency: connect");
			return 1;
		}
	}
	dns.sin_family = AF_INET;
	dns.sin_port = htons((uint16_t)atoi(argv[2]));
	dns.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((udp = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return 1;

	t0 = now_us();
	for (;;) {
		now = now_us();
		/* Send what is due on an idle connection. */
		while (sent < total &&
		       now >= t0 + (long long)(sent * 1e6 / rate)) {
			/*
			 * The next idle connection after the last one used:
			 * each is used in turn, so that none sits without a
			 * request past ddnsd's DDNS_HEADER_TIMEOUT_S (10 s
			 * from its opening) and is cut off.
			 */
			for (k = 0; k < NCONN; k++)
				if (conn[(rr + k) % NCONN].change < 0)
					break;
			if (k == NCONN)
				break;
			i = (rr + k) % NCONN;
			rr = i + 1;
			if (now > t0 + (long long)(sent * 1e6 / rate) + 5000)
				late++; /* more than 5 ms behind schedule */
			if (send_request(&conn[i], &chg[sent], sent) != 0) {
				perror("latency: send");
				return 1;
			}
			sent++;
		}
		/* Poll the nameserver for what is pending. */
		next = sent < total ? t0 + (long long)(sent * 1e6 / rate)
				    : now + 1000;
		npend = 0;
		for (i = 0; i < sent; i++) {
			if (!chg[i].pending)
				continue;
			if (now - chg[i].t_answer > DRAIN_US) {
				chg[i].pending = false;
				lost++;
				continue;
			}
			npend++;
			if (now >= chg[i].next_poll) {
				dns_query(udp, &dns, &chg[i], i);
				chg[i].next_poll = now + POLL_US;
			}
			if (chg[i].next_poll < next)
				next = chg[i].next_poll;
		}
		done = 0;
		for (i = 0; i < NCONN; i++)
			done += conn[i].change < 0;
		if (sent == total && npend == 0 && done == NCONN)
			break;
		for (i = 0; i < NCONN; i++) {
			pfd[i].fd = conn[i].fd;
			pfd[i].events = conn[i].change >= 0 ? POLLIN : 0;
		}
		pfd[NCONN].fd = udp;
		pfd[NCONN].events = POLLIN;
		wait = (next - now_us()) / 1000;
		if (poll(pfd, NCONN + 1, wait < 0 ? 0 : (int)wait + 1) < 0 &&
		    errno != EINTR)
			return 1;
		now = now_us();
		for (i = 0; i < NCONN; i++)
			if ((pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    read_response(&conn[i], chg, now) < 0) {
				fprintf(stderr, "latency: connection closed\n");
				return 1;
			}
		if (pfd[NCONN].revents & POLLIN)
			dns_answer(udp, chg, sent, now);
	}
	for (i = 0; i < total; i++) {
		http[i] = chg[i].t_answer - chg[i].t_send;
		if (chg[i].good)
			ngood++;
		if (chg[i].t_seen > 0)
			vis[nvis++] = chg[i].t_seen - chg[i].t_answer;
	}
	printf("LAT sent=%d good=%d visible=%d lost=%d late=%d "
	       "http_p50_us=%lld http_p99_us=%lld vis_p50_us=%lld "
	       "vis_p99_us=%lld vis_max_us=%lld\n",
	       sent, ngood, nvis, lost, late, pct(http, total, 50),
	       pct(http, total, 99), pct(vis, nvis, 50), pct(vis, nvis, 99),
	       pct(vis, nvis, 100));
	return 0;
}
