/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "api/clientip.h"
#include "common/errors.h"

#define ENTRY_MAX 64 /* longest "[v6]:port" we look at */

static int parse_entry(const char *s, size_t len, struct ddns_addr *out);
static bool is_blank(char c);

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One list entry: "v4", "v4:port", "v6", "[v6]" or "[v6]:port". */
static int
parse_entry(const char *s, size_t len, struct ddns_addr *out)
{
	char buf[ENTRY_MAX];
	const char *close, *colon;

	while (len > 0 && is_blank(*s))
		s++, len--;
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(buf) || memchr(s, '/', len) != NULL)
		return DDNS_EBADADDR;
	if (s[0] == '[') {
		close = memchr(s, ']', len);
		if (close == NULL || (close + 1 != s + len && close[1] != ':'))
			return DDNS_EBADADDR;
		s++;
		len = (size_t)(close - s);
	} else if ((colon = memchr(s, ':', len)) != NULL &&
		   memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)) ==
			   NULL) {
		len = (size_t)(colon - s); /* IPv4 with a port */
	}
	return ddns_addr_parse(s, len, out);
}

void
api_client_addr(const struct ddns_netlist *p, const struct ddns_addr *peer,
		const char *xff, const char *xri, struct ddns_addr *out)
{
	struct ddns_addr hop, cur = *peer;
	const char *end, *comma;

	*out = *peer;
	if (!ddns_netlist_contains(p, peer))
		return;
	while (xff != NULL && is_blank(*xff))
		xff++;
	if (xff != NULL && *xff != '\0') {
		/* X-Forwarded-For decides, even when it does not parse. */
		end = xff + strlen(xff);
		for (;;) {
			for (comma = end; comma > xff && comma[-1] != ',';)
				comma--;
			if (parse_entry(comma, (size_t)(end - comma), &hop) !=
			    0)
				break;
			cur = hop;
			if (!ddns_netlist_contains(p, &hop) || comma == xff)
				break;
			end = comma - 1;
		}
		*out = cur;
		return;
	}
	if (xri != NULL && parse_entry(xri, strlen(xri), &hop) == 0)
		*out = hop;
}

void
api_fwd_init(struct api_fwd *f)
{
	f->xff[0] = '\0';
	f->xff_len = 0;
	f->xff_seen = false;
	f->xff_overflow = false;
	f->xri = NULL;
	f->xri_lines = 0;
}

void
api_fwd_add(struct api_fwd *f, const char *name, const char *value,
	    size_t value_len)
{
	size_t need;

	if (name == NULL || value == NULL)
		return;
	if (strcasecmp(name, "X-Real-IP") == 0) {
		f->xri = value;
		f->xri_lines++;
		return;
	}
	if (strcasecmp(name, "X-Forwarded-For") != 0)
		return;
	while (value_len > 0 && is_blank(*value))
		value++, value_len--;
	while (value_len > 0 && is_blank(value[value_len - 1]))
		value_len--;
	if (value_len == 0)
		return; /* an empty line adds no element */
	need = value_len + (f->xff_seen ? 2 : 0);
	f->xff_seen = true;
	if (f->xff_overflow || need > API_XFF_MAX - f->xff_len) {
		f->xff_overflow = true;
		return;
	}
	if (f->xff_len > 0) {
		memcpy(f->xff + f->xff_len, ", ", 2);
		f->xff_len += 2;
	}
	memcpy(f->xff + f->xff_len, value, value_len);
	f->xff_len += value_len;
	f->xff[f->xff_len] = '\0';
}

void
api_client_addr_fwd(const struct ddns_netlist *p, const struct ddns_addr *peer,
		    const struct api_fwd *f, struct ddns_addr *out)
{
	const char *xff = NULL;

	/* A list too long to keep whole: its right end is unknown. */
	if (f->xff_seen)
		xff = f->xff_overflow ? "," : f->xff;
	api_client_addr(p, peer, xff, f->xri_lines == 1 ? f->xri : NULL, out);
}
