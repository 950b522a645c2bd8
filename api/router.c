/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "api/console.h"
#include "api/checkip.h"
#include "api/health.h"
#include "api/nic_update.h"
#include "api/rest.h"
#include "api/router.h"
#include "common/errors.h"

struct route {
	const char *path;
	bool prefix;         /* path is a prefix ("/v1/") */
	const char *methods; /* the Allow value, e.g. "GET, POST" */
	api_handler handler;
};

static bool method_allowed(const char *methods, const char *method);
static void root_page(struct api_request *req, struct api_response *resp);

static const struct route routes[] = {
	{ "/nic/update", false, "GET, POST", api_nic_update },
	{ "/nic/checkip", false, "GET, HEAD", api_checkip_html },
	{ "/nic/checkip.html", false, "GET, HEAD", api_checkip_html },
	{ "/myip", false, "GET, HEAD", api_checkip_plain },
	/* checkip for a DDNS_CHECKIP_HOSTS host, else the console */
	{ "/", false, NULL, root_page },
	{ "/healthz", false, "GET, HEAD", api_health_live },
	{ "/readyz", false, "GET, HEAD", api_health_ready },
	{ "/metrics", false, "GET", api_metrics },
	{ "/v1/", true, NULL, api_rest },
	{ "/", true, NULL, api_console }, /* everything else: 404 there */
};

/* A host name dedicated to checkip answers only that, even at "/". */
static void
root_page(struct api_request *req, struct api_response *resp)
{
	if (api_checkip_host(req->host))
		api_checkip_root(req, resp);
	else
		api_console(req, resp);
}

static bool
method_allowed(const char *methods, const char *method)
{
	size_t n = strlen(method);
	const char *p = methods;

	if (n == 0)
		return false;
	while ((p = strstr(p, method)) != NULL) {
		if ((p == methods || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ','))
			return true;
		p += n;
	}
	return false;
}

void
api_route(struct api_request *req, struct api_response *resp)
{
	const struct route *r;
	size_t n;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		r = &routes[i];
		n = strlen(r->path);
		if (r->prefix ? strncmp(req->path, r->path, n) != 0
			      : strcmp(req->path, r->path) != 0)
			continue;
		req->route = r->path;
		if (r->methods != NULL &&
		    !method_allowed(r->methods, req->method)) {
			api_add_header(resp, "Allow", "%s", r->methods);
			api_answer_text(resp, 405, "method not allowed\n");
			return;
		}
		r->handler(req, resp);
		return;
	}
}

void
api_answer_text(struct api_response *resp, unsigned status, const char *text)
{
	resp->status = status;
	resp->content_type = "text/plain; charset=utf-8";
	ddns_buf_reset(&resp->body);
	ddns_buf_append_str(&resp->body, text);
}

int
api_add_header(struct api_response *resp, const char *name, const char *fmt,
	       ...)
{
	struct api_header *h;
	va_list ap;

	if (resp->nheaders == API_RESP_MAX_HEADERS)
		return DDNS_ENOSPC;
	h = &resp->headers[resp->nheaders++];
	h->name = name;
	va_start(ap, fmt);
	vsnprintf(h->value, sizeof(h->value), fmt, ap);
	va_end(ap);
	return 0;
}
