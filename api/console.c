/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "api/console.h"
#include "api/router.h"
#include "common/names.h"

#define ASSETS "/assets/"

static bool console_on = true;

static const struct api_console_file *find(const char *name, size_t n);
static bool page_path(const char *path);
static void security_headers(struct api_response *resp);

void
api_console_configure(bool on)
{
	console_on = on;
}

static const struct api_console_file *
find(const char *name, size_t n)
{
	for (size_t i = 0; i < api_console_nfiles; i++)
		if (strlen(api_console_files[i].name) == n &&
		    memcmp(api_console_files[i].name, name, n) == 0)
			return &api_console_files[i];
	return NULL;
}

/* The console's own page URLs (a reload stays on the page). */
static bool
page_path(const char *path)
{
	const char *name;
	char norm[DDNS_NAME_MAX + 1];

	if (strcmp(path, "/") == 0 || strcmp(path, "/account") == 0 ||
	    strcmp(path, "/signup") == 0)
		return true;
	if (strncmp(path, "/hosts/", 7) != 0)
		return false;
	name = path + 7;
	return ddns_name_normalize(name, strlen(name), norm, sizeof(norm)) == 0;
}

static void
security_headers(struct api_response *resp)
{
	api_add_header(resp, "Content-Security-Policy", "%s", API_CONSOLE_CSP);
	api_add_header(resp, "X-Content-Type-Options", "nosniff");
	api_add_header(resp, "Referrer-Policy", "no-referrer");
	api_add_header(resp, "X-Frame-Options", "DENY");
	api_add_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
}

void
api_console(struct api_request *req, struct api_response *resp)
{
	const struct api_console_file *f = NULL;
	const char *p = req->path, *name;
	size_t vlen = strlen(api_console_version);
	bool asset = false;

	if (console_on && page_path(p)) {
		f = find("index.html", 10);
	} else if (console_on && strncmp(p, ASSETS, strlen(ASSETS)) == 0) {
		p += strlen(ASSETS);
		name = p + vlen + 1;
		/* Only this build's version: an asset never changes under
		 * its path. index.html is not an asset. */
		if (strncmp(p, api_console_version, vlen) == 0 &&
		    p[vlen] == '/' && strcmp(name, "index.html") != 0 &&
		    strstr(name, "..") == NULL)
			f = find(name, strlen(name));
		asset = true;
	}
	if (f == NULL) {
		req->route = NULL; /* "other" in the metrics */
		api_answer_text(resp, 404, "not found\n");
		if (asset)
			security_headers(resp);
		return;
	}
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		api_add_header(resp, "Allow", "GET, HEAD");
		api_answer_text(resp, 405, "method not allowed\n");
		return;
	}
	resp->status = 200;
	resp->content_type = f->content_type;
	resp->cache_control =
		asset ? "public, max-age=31536000, immutable" : "no-cache";
	resp->log_result = asset ? "asset" : "page";
	security_headers(resp);
	ddns_buf_reset(&resp->body);
	ddns_buf_append(&resp->body, f->data, f->len);
}
