/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "api/checkip.h"
#include "auth/limits.h"
#include "common/errors.h"
#include "common/names.h"

#define CHECKIP_HOSTS_MAX 16

enum checkip_form { CHECKIP_HTML, CHECKIP_PLAIN };

static void checkip_answer(struct api_request *req, struct api_response *resp,
			   enum checkip_form form);

static char hosts[CHECKIP_HOSTS_MAX][DDNS_NAME_MAX + 1];
static size_t nhosts;

void
api_checkip_configure(const struct ddns_config *cfg)
{
	const char *p = cfg->checkip_hosts;
	size_t n;

	nhosts = 0;
	while (p != NULL && nhosts < CHECKIP_HOSTS_MAX) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		n = strcspn(p, ", \t");
		/* ddns_config_load() checked every name. */
		if (ddns_name_normalize(p, n, hosts[nhosts],
					sizeof(hosts[0])) == 0)
			nhosts++;
		p += n;
	}
}

bool
api_checkip_host(const char *host)
{
	char name[DDNS_NAME_MAX + 1];
	size_t n;

	if (host == NULL || nhosts == 0 || host[0] == '[')
		return false;
	n = strcspn(host, ":");
	if (ddns_name_normalize(host, n, name, sizeof(name)) != 0)
		return false;
	for (size_t i = 0; i < nhosts; i++)
		if (strcmp(hosts[i], name) == 0)
			return true;
	return false;
}

/* The one place that maps checkip outcomes to HTTP answers. */
static void
checkip_answer(struct api_request *req, struct api_response *resp,
	       enum checkip_form form)
{
	char addr[64];
	unsigned retry = 0;

	if (!req->has_client) {
		api_answer_text(resp, 500, "client address unknown\n");
		return;
	}
	if (auth_limits_checkip(&req->client, &retry) != 0) {
		api_answer_text(resp, 429, "too many requests\n");
		api_add_header(resp, "Retry-After", "%u", retry);
		resp->log_result = "abuse";
		return;
	}
	ddns_addr_format(&req->client, addr, sizeof(addr));
	resp->status = 200;
	ddns_buf_reset(&resp->body);
	/* Cache-Control: no-store is on every answer; HTTP/1.0 caches and
	 * old firmware look at Pragma. */
	api_add_header(resp, "Pragma", "no-cache");
	if (form == CHECKIP_HTML) {
		/* Byte for byte what checkip.dyndns.org serves. */
		resp->content_type = "text/html";
		ddns_buf_appendf(&resp->body,
				 "<html><head><title>Current IP Check</title>"
				 "</head><body>Current IP Address: %s</body>"
				 "</html>\r\n",
				 addr);
	} else {
		resp->content_type = "text/plain; charset=utf-8";
		ddns_buf_appendf(&resp->body, "%s\n", addr);
	}
	resp->log_result = "checkip";
}

void
api_checkip_html(struct api_request *req, struct api_response *resp)
{
	checkip_answer(req, resp, CHECKIP_HTML);
}

void
api_checkip_plain(struct api_request *req, struct api_response *resp)
{
	checkip_answer(req, resp, CHECKIP_PLAIN);
}

void
api_checkip_root(struct api_request *req, struct api_response *resp)
{
	if (!api_checkip_host(req->host)) {
		api_answer_text(resp, 404, "not found\n");
		return;
	}
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		api_add_header(resp, "Allow", "GET, HEAD");
		api_answer_text(resp, 405, "method not allowed\n");
		return;
	}
	checkip_answer(req, resp, CHECKIP_HTML);
}
