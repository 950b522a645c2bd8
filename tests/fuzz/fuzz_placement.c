/* SPDX-License-Identifier: MIT */
/*
 * The name-placement rules (common/placement.c). Input: a reserved-label
 * list (DDNS_RESERVED_NAMES), a newline, a host name, a newline, a zone.
 * Properties: the parser never accepts more than it can hold; every
 * ancestor lies between the zone and the name, the top name is one label
 * under the zone, and a reserved top label is always refused in a shared
 * zone and never in an owned one.
 */
#include <stdint.h>
#include <string.h>

#include "common/errors.h"
#include "common/placement.h"
#include "tests/fuzz/fuzz.h"

static void check_placement(const char *name, const char *zone,
			    const struct ddns_reserved *r);

static void
check_placement(const char *name, const char *zone,
		const struct ddns_reserved *r)
{
	struct ddns_placement p, q;
	int shared = ddns_placement_check(name, zone, true, r, &p);
	int owned = ddns_placement_check(name, zone, false, r, &q);

	if (owned != 0) {
		FUZZ_CHECK(owned == DDNS_ENOTZONE && shared == DDNS_ENOTZONE);
		return;
	}
	FUZZ_CHECK(shared == 0 || shared == DDNS_ENAMEUSED);
	FUZZ_CHECK(q.depth >= 1 && q.nancestors == q.depth - 1);
	FUZZ_CHECK(ddns_name_in_zone(q.top, zone) && strcmp(q.top, zone) != 0);
	FUZZ_CHECK(strchr(q.top, '.') == q.top + strcspn(q.top, "."));
	FUZZ_CHECK(strcmp(q.top, zone) != 0 &&
		   strcmp(strchr(q.top, '.') + 1, zone) == 0);
	for (size_t i = 0; i < q.nancestors; i++) {
		FUZZ_CHECK(ddns_name_in_zone(name, q.ancestors[i]));
		FUZZ_CHECK(ddns_name_in_zone(q.ancestors[i], q.top));
		FUZZ_CHECK(strcmp(q.ancestors[i], name) != 0);
	}
	FUZZ_CHECK(q.depth == 1 || strcmp(q.ancestors[0], q.top) == 0);
	FUZZ_CHECK((shared == DDNS_ENAMEUSED) ==
		   ddns_reserved_match(r, q.top, strcspn(q.top, ".")));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[1024], name[DDNS_NAME_MAX + 1], zone[DDNS_NAME_MAX + 1];
	struct ddns_reserved r;
	char *nl1, *nl2;

	if (size >= sizeof(buf) || memchr(data, '\0', size) != NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if ((nl1 = strchr(buf, '\n')) == NULL ||
	    (nl2 = strchr(nl1 + 1, '\n')) == NULL)
		return 0;
	*nl1 = *nl2 = '\0';
	if (ddns_reserved_parse(buf, &r) != 0)
		return 0;
	FUZZ_CHECK(r.n <= DDNS_RESERVED_MAX);
	for (size_t i = 0; i < r.n; i++)
		FUZZ_CHECK(strlen(r.e[i].label) >= 1 &&
			   strlen(r.e[i].label) <= DDNS_LABEL_MAX);
	if (ddns_name_normalize(nl1 + 1, strlen(nl1 + 1), name, sizeof(name)) ||
	    ddns_name_normalize(nl2 + 1, strlen(nl2 + 1), zone, sizeof(zone)))
		return 0;
	check_placement(name, zone, &r);
	return 0;
}
