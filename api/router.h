/* SPDX-License-Identifier: MIT */
/*
 * Maps a request path to its handler. The route table in api/router.c is
 * the one list of every endpoint.
 */
#ifndef DDNS_API_ROUTER_H
#define DDNS_API_ROUTER_H

#include "api/request.h"

typedef void (*api_handler)(struct api_request *req, struct api_response *resp);

/* Dispatches req to its handler; unknown paths get 404. */
void api_route(struct api_request *req, struct api_response *resp);

#endif
