/* SPDX-License-Identifier: MIT */
/*
 * The web console (web/), embedded at build time (web/embed_web.cmake)
 * and served by ddnsd itself: index.html at "/" and at the console's own
 * page paths (/hosts/NAME, /account, /signup), every other file under
 * /assets/<version>/ with a year's cache lifetime. Every answer carries
 * the console's Content-Security-Policy and security headers.
 */
#ifndef DDNS_API_CONSOLE_H
#define DDNS_API_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "api/request.h"

#define API_CONSOLE_CSP                                                        \
	"default-src 'self'; script-src 'self'; style-src 'self'; "            \
	"img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "      \
	"form-action 'self'"

struct api_console_file {
	const char *name; /* path below web/, e.g. "views/host.js" */
	const char *content_type;
	const unsigned char *data; /* NUL-terminated */
	size_t len;                /* without the NUL */
};

extern const struct api_console_file api_console_files[];
extern const size_t api_console_nfiles;
extern const char api_console_version[]; /* content hash, 16 hex digits */

/* DDNS_CONSOLE: on (the default) or off. Call before serving. */
void api_console_configure(bool on);

/* The handler of every path no other route took: the console's pages and
 * assets, else 404 "not found" as before. */
void api_console(struct api_request *req, struct api_response *resp);

#endif
