/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/session.h"
#include "common/errors.h"

static bool origin_is_ours(const struct api_request *req, const char *origin);

bool
api_cookie_find(const char *header, const char *name, const char **val,
		size_t *len)
{
	size_t n = strlen(name);
	const char *p = header, *e;

	if (header == NULL)
		return false;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		e = p + strcspn(p, ";");
		if ((size_t)(e - p) > n + 1 && strncmp(p, name, n) == 0 &&
		    p[n] == '=') {
			*val = p + n + 1;
			*len = (size_t)(e - *val);
			/* A value may be quoted (RFC 6265 cookie-value). */
			while (*len > 0 && ((*val)[*len - 1] == ' ' ||
					    (*val)[*len - 1] == '\t'))
				(*len)--;
			if (*len >= 2 && (*val)[0] == '"' &&
			    (*val)[*len - 1] == '"') {
				(*val)++;
				*len -= 2;
			}
			return true;
		}
		p = e;
	}
	return false;
}

/* "http://" or "https://" + Host, compared without regard to case. */
static bool
origin_is_ours(const struct api_request *req, const char *origin)
{
	const char *scheme = req->https ? "https://" : "http://";
	size_t n = strlen(scheme);

	if (req->host == NULL || req->host[0] == '\0' ||
	    strncasecmp(origin, scheme, n) != 0)
		return false;
	return strcasecmp(origin + n, req->host) == 0;
}

bool
api_same_origin(const struct api_request *req)
{
	if (req->origin != NULL)
		return origin_is_ours(req, req->origin);
	return req->sec_fetch_site != NULL &&
	       strcmp(req->sec_fetch_site, "same-origin") == 0;
}

bool
api_cross_site(const struct api_request *req)
{
	if (req->origin != NULL)
		return !origin_is_ours(req, req->origin);
	return req->sec_fetch_site != NULL &&
	       strcmp(req->sec_fetch_site, "same-origin") != 0 &&
	       strcmp(req->sec_fetch_site, "none") != 0;
}

int
api_session_cookie(char *out, size_t outsz, const char *text, unsigned max_age,
		   bool https)
{
	int n;

	n = snprintf(out, outsz,
		     "%s=%s; Path=/; Max-Age=%u; HttpOnly; SameSite=Strict%s",
		     API_SESSION_COOKIE, text != NULL ? text : "",
		     text != NULL ? max_age : 0, https ? "; Secure" : "");
	return n < 0 || (size_t)n >= outsz ? DDNS_ETRUNC : 0;
}
