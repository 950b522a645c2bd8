/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "common/errors.h"
#include "common/placement.h"

static bool entry_char_ok(char c);
static char lower(char c);

static bool
entry_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int
ddns_reserved_parse(const char *spec, struct ddns_reserved *out)
{
	const char *p = spec;
	size_t n;

	memset(out, 0, sizeof(*out));
	while (p != NULL && *p != '\0') {
		if (*p == ',' || *p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		if (out->n == DDNS_RESERVED_MAX)
			return DDNS_EINVAL;
		for (n = 0; p[n] != '\0' && entry_char_ok(lower(p[n])); n++)
			;
		if (n == 0 || n > DDNS_LABEL_MAX)
			return DDNS_EINVAL;
		for (size_t i = 0; i < n; i++)
			out->e[out->n].label[i] = lower(p[i]);
		out->e[out->n].kind = DDNS_RESERVED_EXACT;
		p += n;
		if (*p == '#' || *p == '*') {
			out->e[out->n].kind = *p == '#' ? DDNS_RESERVED_DIGITS
							: DDNS_RESERVED_PREFIX;
			p++;
		}
		if (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t')
			return DDNS_EINVAL;
		out->n++;
	}
	return 0;
}

bool
ddns_reserved_match(const struct ddns_reserved *r, const char *label,
		    size_t len)
{
	for (size_t i = 0; i < r->n; i++) {
		size_t n = strlen(r->e[i].label), k;

		if (len < n || memcmp(label, r->e[i].label, n) != 0)
			continue;
		switch (r->e[i].kind) {
		case DDNS_RESERVED_EXACT:
			if (len == n)
				return true;
			break;
		case DDNS_RESERVED_PREFIX: return true;
		case DDNS_RESERVED_DIGITS:
			for (k = n;
			     k < len && label[k] >= '0' && label[k] <= '9'; k++)
				;
			if (len > n && k == len)
				return true;
			break;
		}
	}
	return false;
}

int
ddns_placement_check(const char *name, const char *zone, bool shared,
		     const struct ddns_reserved *r, struct ddns_placement *out)
{
	size_t nlen = strlen(name), zlen = strlen(zone), under, top = 0;

	memset(out, 0, sizeof(*out));
	if (!ddns_name_in_zone(name, zone) || nlen <= zlen)
		return DDNS_ENOTZONE;
	under = nlen - zlen - 1; /* bytes before ".zone" */
	/* Walk the labels below the zone from the right: each dot ends an
	 * ancestor, the first one found is the top name (ancestors[0]). */
	out->depth = 1;
	for (size_t i = under; i-- > 0;) {
		if (name[i] != '.')
			continue;
		out->depth++;
		out->ancestors[out->nancestors++] = name + i + 1;
		if (top == 0)
			top = i + 1;
	}
	memcpy(out->top, name + top, nlen - top + 1);
	if (shared && r != NULL &&
	    ddns_reserved_match(r, name + top, under - top))
		return DDNS_ENAMEUSED;
	return 0;
}
