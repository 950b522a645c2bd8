/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/errors.h"
#include "dnsbackend/client.h"
#include "dnsbackend/query.h"
#include "dnsbackend/wire.h"

#define QUERY_TYPE_A 1
#define QUERY_CLASS_IN 1

static int query_build(struct ddns_buf *b, uint16_t id, const char *name);

static int
query_build(struct ddns_buf *b, uint16_t id, const char *name)
{
	uint8_t hdr[12] = { 0 }, wire[255], tail[4];
	int wlen;

	if ((wlen = dns_name_to_wire(name, wire, sizeof(wire))) < 0)
		return wlen;
	hdr[0] = (uint8_t)(id >> 8);
	hdr[1] = (uint8_t)id;
	hdr[5] = 1; /* QDCOUNT; opcode QUERY, RD off */
	tail[0] = 0;
	tail[1] = QUERY_TYPE_A;
	tail[2] = 0;
	tail[3] = QUERY_CLASS_IN;
	ddns_buf_reset(b);
	if (ddns_buf_append(b, hdr, sizeof(hdr)) != 0 ||
	    ddns_buf_append(b, wire, (size_t)wlen) != 0 ||
	    ddns_buf_append(b, tail, sizeof(tail)) != 0)
		return DDNS_ENOMEM;
	return 0;
}

int
dns_name_in_use(const char *primary, const char *name, int timeout_ms,
		bool *in_use)
{
	struct ddns_buf q = { 0 }, reply = { 0 };
	struct dns_reply_info info;
	uint16_t id = (uint16_t)randombytes_uniform(65536);
	int err;

	*in_use = false;
	if ((err = query_build(&q, id, name)) != 0)
		goto out;
	if ((err = dns_tcp_exchange(primary, q.data, q.len, &reply,
				    timeout_ms)) != 0)
		goto out;
	if ((err = dns_reply_parse(reply.data, reply.len, &info)) != 0)
		goto out;
	if (info.id != id || !info.qr || info.opcode != 0) {
		err = DDNS_EMALFORMED;
		goto out;
	}
	if (info.rcode == DNS_RCODE_NXDOMAIN)
		err = 0;
	else if (info.rcode == DNS_RCODE_NOERROR)
		*in_use = true;
	else
		err = dns_rcode_error(info.rcode);
out:
	ddns_buf_free(&q);
	ddns_buf_free(&reply);
	return err;
}

int
dns_name_free_check(void *arg, const char *primary, const char *name)
{
	const unsigned *timeout_ms = arg;
	bool in_use;
	int err = dns_name_in_use(primary, name, (int)*timeout_ms, &in_use);

	if (err != 0)
		return err;
	return in_use ? DDNS_ENAMEUSED : 0;
}

void
dns_placement_rules(const struct ddns_config *cfg,
		    struct db_placement_rules *out)
{
	out->reserved = &cfg->reserved;
	out->name_free = cfg->name_check_dns ? dns_name_free_check : NULL;
	/* dns_timeout_ms is at most 60000: it fits an int. */
	out->arg = (void *)(uintptr_t)&cfg->dns_timeout_ms;
}
