/* SPDX-License-Identifier: MIT */
/*
 * REST request bodies: api_json_body (jansson parse, then the field-list
 * check every REST handler uses) with a field list that holds each field
 * type, required and nullable. The detail it returns goes into a
 * problem+json answer, so it must be valid UTF-8 and bounded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/json.h"
#include "api/request.h"
#include "common/errors.h"
#include "tests/fuzz/fuzz.h"

static const struct api_json_field fields[] = {
	{ "name", API_JSON_STRING, true, false },
	{ "ipv4", API_JSON_STRING, false, true },
	{ "ipv6", API_JSON_STRING, false, true },
	{ "ttl", API_JSON_INTEGER, false, false },
	{ "offline", API_JSON_BOOLEAN, false, false },
	{ "scopes", API_JSON_ARRAY, false, false },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_request req;
	char detail[API_JSON_DETAIL_MAX];
	json_t *o = NULL, *d;
	char *body;
	int ret;

	if ((body = malloc(size + 1)) == NULL)
		return 0;
	memcpy(body, data, size);
	body[size] = '\0';
	memset(&req, 0, sizeof(req));
	req.body = body;
	req.body_len = size;
	detail[0] = '\0';
	ret = api_json_body(&req, fields, sizeof(fields) / sizeof(fields[0]),
			    &o, detail, sizeof(detail));
	if (ret == 0) {
		FUZZ_CHECK(json_is_object(o));
		FUZZ_CHECK(json_is_string(json_object_get(o, "name")));
		json_decref(o);
	} else {
		FUZZ_CHECK(ret == DDNS_EINVAL && o == NULL);
		FUZZ_CHECK(memchr(detail, '\0', sizeof(detail)) != NULL);
		/* It must be usable as a JSON string (valid UTF-8). */
		d = json_string(detail);
		FUZZ_CHECK(d != NULL);
		json_decref(d);
	}
	free(body);
	return 0;
}
