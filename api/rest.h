/* SPDX-License-Identifier: MIT */
/*
 * The JSON REST API under /v1/ (see api/openapi.json): routing of its
 * paths, authentication (Bearer account tokens, Basic e-mail/password for
 * minting tokens, host tokens for ACME challenges) and problem+json
 * errors. Its own route table is in api/rest.c.
 */
#ifndef DDNS_API_REST_H
#define DDNS_API_REST_H

#include <stdio.h>

#include "api/request.h"
#include "common/config.h"

/* Takes the REST settings from cfg (copied). Call once before serving. */
void api_rest_configure(const struct ddns_config *cfg);

/* The handler of every path under /v1/ (methods checked here). */
void api_rest(struct api_request *req, struct api_response *resp);

/* Prints "METHOD PATH" for every REST route, one a line (tests). */
void api_rest_routes_print(FILE *f);

#endif
