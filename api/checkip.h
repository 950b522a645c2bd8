/* SPDX-License-Identifier: MIT */
/*
 * checkip: a router or update client asks which address it is seen from.
 * /nic/checkip and /nic/checkip.html answer the checkip.dyndns.org page
 * firmware parses, /myip the bare address; a request whose Host is one of
 * DDNS_CHECKIP_HOSTS gets the page at "/" too. The address is the
 * client's (api/clientip.h); each client prefix is rate-limited
 * (auth_limits_checkip).
 */
#ifndef DDNS_API_CHECKIP_H
#define DDNS_API_CHECKIP_H

#include <stdbool.h>

#include "api/request.h"
#include "common/config.h"

/* Takes DDNS_CHECKIP_HOSTS from cfg (copied). Call before serving. */
void api_checkip_configure(const struct ddns_config *cfg);

/* True if the Host header value names one of DDNS_CHECKIP_HOSTS (any
 * port, any case, one trailing dot). NULL: false. */
bool api_checkip_host(const char *host);

/* GET /nic/checkip, /nic/checkip.html: the checkip.dyndns.org page. */
void api_checkip_html(struct api_request *req, struct api_response *resp);

/* GET /myip: the address alone on a line, text/plain. */
void api_checkip_plain(struct api_request *req, struct api_response *resp);

/* GET /: the page for a DDNS_CHECKIP_HOSTS host, else 404. */
void api_checkip_root(struct api_request *req, struct api_response *resp);

#endif
