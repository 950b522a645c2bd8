/* SPDX-License-Identifier: MIT */
/*
 * The HTTP side of console sessions: the session cookie in a Cookie
 * header, its Set-Cookie line, and whether a request comes from the
 * service's own pages (Origin / Sec-Fetch-Site). Pure functions.
 */
#ifndef DDNS_API_SESSION_H
#define DDNS_API_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "api/request.h"

#define API_SESSION_COOKIE "ddnsd_session"

/*
 * Finds the first cookie called name in a Cookie header value ("a=1; b=2").
 * Sets *val (pointing into header, not NUL-terminated) and *len. Returns
 * true if found.
 */
bool api_cookie_find(const char *header, const char *name, const char **val,
		     size_t *len);

/*
 * May a request authenticated by the cookie change something? True when
 * its Origin is exactly the service's own ("http[s]://" + the Host
 * header, https as req->https says), or, without an Origin, when
 * Sec-Fetch-Site is "same-origin".
 */
bool api_same_origin(const struct api_request *req);

/*
 * Did a browser say this request comes from another site? True for an
 * Origin that is not the service's own, or a Sec-Fetch-Site other than
 * "same-origin" and "none". Requests without either (curl) are not.
 */
bool api_cross_site(const struct api_request *req);

/*
 * Writes the Set-Cookie value for the session secret text (NULL: one that
 * removes the cookie) into out: HttpOnly, SameSite=Strict, Path=/,
 * Max-Age=max_age, and Secure when https. Returns 0 or DDNS_ETRUNC.
 */
int api_session_cookie(char *out, size_t outsz, const char *text,
		       unsigned max_age, bool https);

#endif
