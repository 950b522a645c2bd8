/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/errors.h"
#include "db/conn.h"
#include "dnsbackend/client.h"
#include "dnsbackend/policy.h"

#define DB_PORT_DEFAULT 5432

static int add_db_host(void *arg, const char *host, const char *port);
static bool special_use(const struct ddns_addr *a);

static struct dns_primary_policy policy;

/*
 * Addresses that are not public unicast (RFC 6890 and its IPv6
 * counterparts): what a tenant's primary may never be without the
 * operator's say. IPv6 forms that embed an IPv4 address (mapped, NAT64,
 * 6to4, Teredo) are refused too: they could reach any IPv4 network.
 */
static const char *const special_nets[] = {
	"0.0.0.0/8",      "10.0.0.0/8",     "100.64.0.0/10", "127.0.0.0/8",
	"169.254.0.0/16", "172.16.0.0/12",  "192.0.0.0/24",  "192.0.2.0/24",
	"192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
	"203.0.113.0/24", "224.0.0.0/4",    "240.0.0.0/4",   "::/128",
	"::1/128",        "::ffff:0:0/96",  "64:ff9b::/96",  "64:ff9b:1::/48",
	"100::/64",       "2001::/32",      "2001:db8::/32", "2002::/16",
	"fc00::/7",       "fe80::/10",      "fec0::/10",     "ff00::/8",
};

static bool
special_use(const struct ddns_addr *a)
{
	struct ddns_cidr c;

	for (size_t i = 0; i < sizeof(special_nets) / sizeof(*special_nets);
	     i++)
		if (ddns_cidr_parse(special_nets[i], strlen(special_nets[i]),
				    &c) == 0 &&
		    ddns_cidr_match(&c, a))
			return true;
	return false;
}

static int
add_db_host(void *arg, const char *host, const char *port)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	unsigned p =
		port[0] ? (unsigned)strtoul(port, NULL, 10) : DB_PORT_DEFAULT;

	(void)arg;
	if (host[0] == '/')
		return 0; /* a socket directory: nothing to reach by TCP */
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return 0; /* libpq will not reach it either */
	for (ai = res; ai != NULL && policy.ndb < DNS_POLICY_DB_MAX;
	     ai = ai->ai_next) {
		if (ddns_addr_from_sockaddr(ai->ai_addr,
					    &policy.db[policy.ndb]) != 0)
			continue;
		policy.db_port[policy.ndb++] = p;
	}
	freeaddrinfo(res);
	return 0;
}

int
dns_policy_init(const char *allow, const char *database_url, char *err,
		size_t errsz)
{
	memset(&policy, 0, sizeof(policy));
	if (ddns_netlist_parse(allow, &policy.allow) != 0) {
		snprintf(err, errsz,
			 "DDNS_ZONE_PRIMARY_ALLOW: expected a list of "
			 "ADDRESS/PREFIX, at most %d",
			 DDNS_NETLIST_MAX);
		return DDNS_ECONFIG;
	}
	if (database_url != NULL)
		(void)db_url_hosts(database_url, add_db_host, NULL);
	return 0;
}

int
dns_policy_check(const char *primary, char *why, size_t whysz)
{
	struct sockaddr_storage ss;
	struct ddns_addr a;
	unsigned sslen, port;

	if (dns_primary_parse(primary, &ss, sizeof(ss), &sslen) != 0) {
		snprintf(why, whysz,
			 "primary: expected ADDRESS:PORT with an IP address");
		return DDNS_EINVAL;
	}
	if (ddns_addr_from_sockaddr(&ss, &a) != 0) {
		snprintf(why, whysz,
			 "primary: must be a public unicast address");
		return DDNS_EACCES;
	}
	port = ntohs(ss.ss_family == AF_INET
			     ? ((struct sockaddr_in *)&ss)->sin_port
			     : ((struct sockaddr_in6 *)&ss)->sin6_port);
	for (size_t i = 0; i < policy.ndb; i++)
		if (policy.db[i].family == a.family &&
		    memcmp(policy.db[i].bytes, a.bytes,
			   a.family == AF_INET ? 4 : 16) == 0 &&
		    policy.db_port[i] == port) {
			snprintf(why, whysz, "primary: address not allowed");
			return DDNS_EACCES;
		}
	if (ddns_netlist_contains(&policy.allow, &a))
		return 0;
	if (special_use(&a)) {
		snprintf(why, whysz,
			 "primary: must be a public unicast address");
		return DDNS_EACCES;
	}
	if (port != 53) {
		snprintf(why, whysz,
			 "primary: a public primary must use "
			 "port 53");
		return DDNS_EACCES;
	}
	return 0;
}
