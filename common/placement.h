/* SPDX-License-Identifier: MIT */
/*
 * Where a host name may be created: the rules that do not need the
 * database. In a shared zone a tenant registers one label directly under
 * the zone ("home.dyn.example"), never a reserved one; deeper names
 * ("nas.home.dyn.example") belong to the owner of that label's host. In an
 * account-owned zone its owner may use any depth. The apex is never a
 * host. db_host_create() applies these with what only the database knows
 * (who owns the label, who has hosts above or below the name). Pure
 * functions, no allocation.
 */
#ifndef DDNS_COMMON_PLACEMENT_H
#define DDNS_COMMON_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/names.h"

#define DDNS_RESERVED_MAX 64
#define DDNS_LABEL_MAX 63

/* The default of DDNS_RESERVED_NAMES. */
#define DDNS_RESERVED_DEFAULT                                                  \
	"ns,ns#,www,mail,mx,smtp,imap,pop,pop3,ftp,autoconfig,autodiscover,"   \
	"localhost,_*"

enum ddns_reserved_kind {
	DDNS_RESERVED_EXACT,  /* "www": that label */
	DDNS_RESERVED_DIGITS, /* "ns#": ns followed by one or more digits */
	DDNS_RESERVED_PREFIX, /* "_*": any label starting with "_" */
};

/* The operator's reserved labels of shared zones (DDNS_RESERVED_NAMES). */
struct ddns_reserved {
	size_t n;
	struct {
		char label[DDNS_LABEL_MAX + 1]; /* lower case, without # or * */
		enum ddns_reserved_kind kind;
	} e[DDNS_RESERVED_MAX];
};

/*
 * Parses a comma or space separated list of labels, each optionally ending
 * in "#" (followed by digits) or "*" (any continuation); "" reserves
 * nothing. Labels are compared case-insensitively. Returns 0, or
 * DDNS_EINVAL (an entry that is not a label of [a-z0-9_-], 1..63
 * characters, or more than DDNS_RESERVED_MAX entries).
 */
int ddns_reserved_parse(const char *spec, struct ddns_reserved *out);

/* True if the label (len bytes, lower case) is reserved. */
bool ddns_reserved_match(const struct ddns_reserved *r, const char *label,
			 size_t len);

/* What the rules say of a name under its zone. */
struct ddns_placement {
	size_t depth;                /* labels below the zone (0: apex) */
	char top[DDNS_NAME_MAX + 1]; /* the name one label under the zone */
	size_t nancestors;           /* names between the zone and name, */
	const char *ancestors[DDNS_NAME_MAX / 2]; /* [0] = top; into name */
};

/*
 * Applies the rules to name (normalised) in zone (its longest matching
 * zone), shared or owned by the asking account. Fills out. Returns 0;
 * DDNS_ENOTZONE when name is not under zone or is its apex;
 * DDNS_ENAMEUSED when shared and the label under the zone is reserved.
 * For a shared zone and depth > 1 the caller must still check that the
 * account owns out->top.
 */
int ddns_placement_check(const char *name, const char *zone, bool shared,
			 const struct ddns_reserved *r,
			 struct ddns_placement *out);

#endif
