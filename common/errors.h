/* SPDX-License-Identifier: MIT */
/*
 * One project-wide error space. Functions that can fail return 0 or a
 * negative DDNS_E* code. Values above -1000 mirror errno; project codes
 * start at -1000.
 */
#ifndef DDNS_COMMON_ERRORS_H
#define DDNS_COMMON_ERRORS_H

#include <errno.h>

enum ddns_error {
	DDNS_EOK = 0,
	DDNS_ENOMEM = -ENOMEM,
	DDNS_EINVAL = -EINVAL,
	DDNS_ERANGE = -ERANGE,
	DDNS_ENOENT = -ENOENT,
	DDNS_EEXIST = -EEXIST,
	DDNS_EIO = -EIO,
	DDNS_ETIMEDOUT = -ETIMEDOUT,
	DDNS_EAGAIN = -EAGAIN, /* not now: try again later */
	DDNS_ECONNREFUSED = -ECONNREFUSED,
	DDNS_ENOSPC = -ENOSPC,
	DDNS_EACCES = -EACCES,     /* not permitted (scope, policy, limit) */
	DDNS_EMSGSIZE = -EMSGSIZE, /* request body too large */
	DDNS_EOPNOTSUPP = -EOPNOTSUPP, /* method not allowed on a resource */

	DDNS_EBASE = -1000,
	DDNS_ECONFIG = -1001,      /* bad or missing configuration */
	DDNS_EAUTH = -1002,        /* credentials missing or wrong */
	DDNS_ENOHOST = -1003,      /* name not known or not this token's */
	DDNS_ENOTFQDN = -1004,     /* not a valid fully qualified name */
	DDNS_EBADADDR = -1005,     /* address does not parse */
	DDNS_ENUMHOST = -1006,     /* too many hostnames in one request */
	DDNS_EABUSE = -1007,       /* rate limit */
	DDNS_EDB = -1008,          /* database unreachable or failed */
	DDNS_EMALFORMED = -1009,   /* malformed wire data */
	DDNS_ETRUNC = -1010,       /* output would not fit */
	DDNS_ENOKEY = -1011,       /* TSIG key not known */
	DDNS_EREFUSED = -1012,     /* DNS RCODE REFUSED */
	DDNS_ENOTAUTH = -1013,     /* DNS RCODE NOTAUTH */
	DDNS_ESERVFAIL = -1014,    /* DNS RCODE SERVFAIL */
	DDNS_EBADSIG = -1015,      /* TSIG BADSIG (either side) */
	DDNS_EBADKEY = -1016,      /* TSIG BADKEY */
	DDNS_EBADTIME = -1017,     /* TSIG BADTIME */
	DDNS_ERCODE = -1018,       /* any other DNS RCODE */
	DDNS_ETSIGMISSING = -1019, /* reply to a signed request not signed */
	DDNS_ENOTZONE = -1020,     /* name is not under any known zone */
	DDNS_ELIMIT = -1021,       /* hosts per account / tokens per host */
	DDNS_ENAMEUSED = -1022,    /* name reserved, held by others or in DNS */
	DDNS_EOVERLAP = -1023,     /* a zone overlaps another zone */
	DDNS_ELAST = -1024,
};

/* Human-readable text for a DDNS_E* code (static storage, never NULL). */
const char *ddns_strerror(int code);

#endif
