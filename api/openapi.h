/* SPDX-License-Identifier: MIT */
/*
 * api/openapi.json, embedded at build time (api/embed_openapi.cmake).
 */
#ifndef DDNS_API_OPENAPI_H
#define DDNS_API_OPENAPI_H

#include <stddef.h>

extern const char api_openapi_json[];     /* NUL-terminated */
extern const size_t api_openapi_json_len; /* without the NUL */

#endif
