/* SPDX-License-Identifier: MIT */
/*
 * RFC 9457 problem details for the REST API: the one place that maps
 * DDNS_E* codes to an HTTP status and an application/problem+json body.
 */
#ifndef DDNS_API_PROBLEM_H
#define DDNS_API_PROBLEM_H

#include "api/request.h"

/*
 * Answers err as problem+json: {"type","title","status","detail"}. detail
 * (may be NULL: the error's generic text) must never hold a secret. A 401
 * gets WWW-Authenticate: Bearer unless the handler set another.
 */
void api_problem(struct api_response *resp, int err, const char *detail);

#endif
