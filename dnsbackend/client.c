/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/clock.h"
#include "common/errors.h"
#include "dnsbackend/client.h"
#include "dnsbackend/tsig.h"

#define PRIMARY_MAX 64 /* "[v6 literal]:port" fits easily */
#define DNS_OPCODE_UPDATE 5

static int parse_port(const char *s, uint16_t *port);
static int wait_fd(int fd, short events, int64_t deadline);
static int tcp_connect(const void *ss, unsigned sslen, int64_t deadline,
		       int *fdp);
static int tcp_send(int fd, const uint8_t *msg, size_t len, int64_t deadline);
static int tcp_recv(int fd, uint8_t *p, size_t len, int64_t deadline);

static int
parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (s[0] == '\0' || strlen(s) > 5)
		return DDNS_EINVAL;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return DDNS_EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return DDNS_EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int
dns_primary_parse(const char *primary, void *ss, size_t sssz, unsigned *sslen)
{
	char host[PRIMARY_MAX + 1];
	const char *portstr = NULL;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	uint16_t port = 53;
	size_t n;
	char *p;

	if (primary == NULL || ss == NULL || sslen == NULL ||
	    sssz < sizeof(struct sockaddr_storage))
		return DDNS_EINVAL;
	n = strnlen(primary, PRIMARY_MAX + 1);
	if (n == 0 || n > PRIMARY_MAX)
		return DDNS_EINVAL;
	memcpy(host, primary, n + 1);
	if (host[0] == '[') {
		if ((p = strchr(host, ']')) == NULL)
			return DDNS_EINVAL;
		*p = '\0';
		if (p[1] == ':')
			portstr = p + 2;
		else if (p[1] != '\0')
			return DDNS_EINVAL;
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else if ((p = strchr(host, ':')) != NULL &&
		   strchr(p + 1, ':') == NULL) {
		/* Exactly one colon: IPv4 with port. More: a bare IPv6. */
		*p = '\0';
		portstr = p + 1;
	}
	if (portstr != NULL && parse_port(portstr, &port) != 0)
		return DDNS_EINVAL;

	memset(ss, 0, sssz);
	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, host, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		memcpy(ss, &sin, sizeof(sin));
		*sslen = sizeof(sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(port);
		memcpy(ss, &sin6, sizeof(sin6));
		*sslen = sizeof(sin6);
		return 0;
	}
	return DDNS_EINVAL;
}

/* Waits until fd is ready for events or the deadline passes. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd;
	int64_t left;
	int r;

	for (;;) {
		left = deadline - ddns_now_ms();
		if (left <= 0)
			return DDNS_ETIMEDOUT;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return DDNS_ETIMEDOUT;
		/* POLLERR/POLLHUP: the following call reports the error. */
		return 0;
	}
}

static int
tcp_connect(const void *ss, unsigned sslen, int64_t deadline, int *fdp)
{
	const struct sockaddr *sa = ss;
	socklen_t elen;
	int fd, err, ret;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (connect(fd, sa, (socklen_t)sslen) == 0)
		goto done;
	if (errno != EINPROGRESS && errno != EINTR) {
		ret = -errno;
		goto fail;
	}
	if ((ret = wait_fd(fd, POLLOUT, deadline)) != 0)
		goto fail;
	err = 0;
	elen = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
		ret = -errno;
		goto fail;
	}
	if (err != 0) {
		ret = -err;
		goto fail;
	}
done:
	*fdp = fd;
	return 0;
fail:
	close(fd);
	return ret;
}

static int
tcp_send(int fd, const uint8_t *msg, size_t len, int64_t deadline)
{
	uint8_t pfx[2] = { (uint8_t)(len >> 8), (uint8_t)len };
	size_t off = 0, total = len + 2;
	struct iovec iov[2];
	struct msghdr mh;
	ssize_t w;
	int ret;

	while (off < total) {
		memset(&mh, 0, sizeof(mh));
		if (off < 2) {
			iov[0].iov_base = pfx + off;
			iov[0].iov_len = 2 - off;
			iov[1].iov_base = (void *)(uintptr_t)msg;
			iov[1].iov_len = len;
			mh.msg_iovlen = 2;
		} else {
			iov[0].iov_base = (void *)(uintptr_t)(msg + off - 2);
			iov[0].iov_len = total - off;
			mh.msg_iovlen = 1;
		}
		mh.msg_iov = iov;
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((ret = wait_fd(fd, POLLOUT, deadline)) != 0)
				return ret;
			continue;
		}
		if (w < 0)
			return -errno;
		off += (size_t)w;
	}
	return 0;
}

/* Reads exactly len bytes; an early EOF is DDNS_EMALFORMED. */
static int
tcp_recv(int fd, uint8_t *p, size_t len, int64_t deadline)
{
	size_t off = 0;
	ssize_t r;
	int ret;

	while (off < len) {
		r = recv(fd, p + off, len - off, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((ret = wait_fd(fd, POLLIN, deadline)) != 0)
				return ret;
			continue;
		}
		if (r < 0)
			return -errno;
		if (r == 0)
			return DDNS_EMALFORMED;
		off += (size_t)r;
	}
	return 0;
}

int
dns_tcp_exchange(const char *primary, const uint8_t *msg, size_t len,
		 struct ddns_buf *reply, int timeout_ms)
{
	struct sockaddr_storage ss;
	uint8_t pfx[2], chunk[4096];
	unsigned sslen;
	size_t rlen, got;
	int64_t deadline;
	int fd = -1, ret;

	if (msg == NULL || reply == NULL || len == 0 || len > DNS_MSG_MAX ||
	    timeout_ms <= 0)
		return DDNS_EINVAL;
	if ((ret = dns_primary_parse(primary, &ss, sizeof(ss), &sslen)) != 0)
		return ret;
	ddns_buf_reset(reply);
	deadline = ddns_now_ms() + timeout_ms;
	if ((ret = tcp_connect(&ss, sslen, deadline, &fd)) != 0)
		return ret;
	if ((ret = tcp_send(fd, msg, len, deadline)) != 0 ||
	    (ret = tcp_recv(fd, pfx, 2, deadline)) != 0)
		goto out;
	rlen = (size_t)pfx[0] << 8 | pfx[1];
	if (rlen < 12) {
		ret = DDNS_EMALFORMED;
		goto out;
	}
	for (got = 0; got < rlen; got += sizeof(chunk)) {
		size_t n =
			rlen - got < sizeof(chunk) ? rlen - got : sizeof(chunk);

		if ((ret = tcp_recv(fd, chunk, n, deadline)) != 0)
			goto out;
		if ((ret = ddns_buf_append(reply, chunk, n)) != 0) {
			if (ret == DDNS_ETRUNC)
				ret = DDNS_EMALFORMED;
			goto out;
		}
	}
out:
	close(fd);
	if (ret != 0)
		ddns_buf_reset(reply);
	return ret;
}

int
dns_tcp_stream(const char *primary, const uint8_t *msg, size_t len,
	       int timeout_ms, int total_ms,
	       int (*cb)(void *arg, const uint8_t *m, size_t n), void *arg)
{
	struct sockaddr_storage ss;
	uint8_t pfx[2], *m = NULL;
	unsigned sslen;
	size_t mlen;
	int64_t end, deadline;
	int fd = -1, ret;

	if (msg == NULL || cb == NULL || len == 0 || len > DNS_MSG_MAX ||
	    timeout_ms <= 0 || total_ms < timeout_ms)
		return DDNS_EINVAL;
	if ((ret = dns_primary_parse(primary, &ss, sizeof(ss), &sslen)) != 0)
		return ret;
	if ((m = malloc(DNS_MSG_MAX)) == NULL)
		return DDNS_ENOMEM;
	end = ddns_now_ms() + total_ms;
	deadline = ddns_now_ms() + timeout_ms;
	if ((ret = tcp_connect(&ss, sslen, deadline, &fd)) != 0)
		goto out;
	if ((ret = tcp_send(fd, msg, len, deadline)) != 0)
		goto out;
	do {
		/* Each message within timeout_ms, all of them within total. */
		deadline = ddns_now_ms() + timeout_ms;
		if (deadline > end)
			deadline = end;
		if ((ret = tcp_recv(fd, pfx, 2, deadline)) != 0)
			goto out;
		mlen = (size_t)pfx[0] << 8 | pfx[1];
		if (mlen < 12) {
			ret = DDNS_EMALFORMED;
			goto out;
		}
		if ((ret = tcp_recv(fd, m, mlen, deadline)) != 0)
			goto out;
	} while ((ret = cb(arg, m, mlen)) == 0);
	if (ret == 1)
		ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(m);
	return ret;
}

/* The one place a DNS RCODE becomes a DDNS_E* code. */
int
dns_rcode_error(uint16_t rcode)
{
	switch (rcode) {
	case DNS_RCODE_NOERROR: return 0;
	case DNS_RCODE_REFUSED: return DDNS_EREFUSED;
	case DNS_RCODE_NOTAUTH: return DDNS_ENOTAUTH;
	case DNS_RCODE_SERVFAIL: return DDNS_ESERVFAIL;
	default: return DDNS_ERCODE;
	}
}

const char *
dns_rcode_name(uint16_t rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
		"NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
		"NXRRSET", "NOTAUTH", "NOTZONE",  "DSOTYPENI"
	};

	if (rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	return "RCODE";
}

int
dns_update_send(const char *primary, const struct dns_tsig_key *key,
		const char *zone, const struct dns_change *ch, size_t n,
		int timeout_ms, uint16_t *rcode)
{
	struct ddns_buf msg = { 0 }, reply = { 0 };
	struct dns_reply_info info;
	uint8_t mac[DNS_TSIG_MAC_LEN];
	uint16_t id;
	int ret;

	if (rcode != NULL)
		*rcode = DNS_RCODE_NOERROR;
	if (primary == NULL || key == NULL || zone == NULL)
		return DDNS_EINVAL;
	if (sodium_init() < 0)
		return DDNS_ENOMEM;
	id = (uint16_t)randombytes_uniform(65536);
	if ((ret = dns_update_build(&msg, id, zone, ch, n)) != 0 ||
	    (ret = dns_tsig_sign(&msg, key, (uint64_t)time(NULL), mac)) != 0 ||
	    (ret = dns_tcp_exchange(primary, msg.data, msg.len, &reply,
				    timeout_ms)) != 0)
		goto out;
	if (dns_reply_parse(reply.data, reply.len, &info) != 0 ||
	    info.id != id || !info.qr || info.opcode != DNS_OPCODE_UPDATE) {
		ret = DDNS_EMALFORMED;
		goto out;
	}
	/*
	 * TSIG first: a server that does not know our key or cannot verify
	 * our MAC answers NOTAUTH with the reason in the TSIG error field.
	 */
	ret = dns_tsig_verify_reply(reply.data, reply.len, key, mac,
				    (uint64_t)time(NULL));
	if (ret == 0) {
		ret = dns_rcode_error(info.rcode);
		if (rcode != NULL)
			*rcode = info.rcode;
	}
out:
	ddns_buf_free(&msg);
	ddns_buf_free(&reply);
	return ret;
}
