/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "common/errors.h"

const char *
ddns_strerror(int code)
{
	switch (code) {
	case DDNS_EOK: return "ok";
	case DDNS_ECONFIG: return "bad configuration";
	case DDNS_EAUTH: return "authentication failed";
	case DDNS_ENOHOST: return "no such host";
	case DDNS_ENOTFQDN: return "not a valid hostname";
	case DDNS_EBADADDR: return "not a valid address";
	case DDNS_ENUMHOST: return "too many hostnames";
	case DDNS_EABUSE: return "rate limit exceeded";
	case DDNS_EDB: return "database error";
	case DDNS_EMALFORMED: return "malformed message";
	case DDNS_ETRUNC: return "output too long";
	case DDNS_ENOKEY: return "unknown TSIG key";
	case DDNS_EREFUSED: return "nameserver answered REFUSED";
	case DDNS_ENOTAUTH: return "nameserver answered NOTAUTH";
	case DDNS_ESERVFAIL: return "nameserver answered SERVFAIL";
	case DDNS_EBADSIG: return "TSIG signature invalid (BADSIG)";
	case DDNS_EBADKEY: return "TSIG key unknown to peer (BADKEY)";
	case DDNS_EBADTIME: return "TSIG time outside fudge (BADTIME)";
	case DDNS_ERCODE: return "nameserver answered an error RCODE";
	case DDNS_ETSIGMISSING: return "reply carries no TSIG";
	case DDNS_ENOTZONE: return "name is not under a known zone";
	case DDNS_ELIMIT: return "account or host limit reached";
	case DDNS_ENAMEUSED: return "name is reserved or already in use";
	case DDNS_EOVERLAP: return "zone overlaps another zone";
	default: break;
	}
	if (code < 0 && code > DDNS_EBASE)
		return strerror(-code);
	return "unknown error";
}
