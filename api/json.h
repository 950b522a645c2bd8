/* SPDX-License-Identifier: MIT */
/*
 * JSON for the REST API (jansson): strict parsing of request bodies
 * against a field list, and JSON answers.
 */
#ifndef DDNS_API_JSON_H
#define DDNS_API_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api/request.h"

enum api_json_type {
	API_JSON_STRING,
	API_JSON_INTEGER,
	API_JSON_BOOLEAN,
	API_JSON_ARRAY,
	API_JSON_OBJECT,
};

struct api_json_field {
	const char *name;
	enum api_json_type type;
	bool required;
	bool nullable; /* null is accepted (and means "clear") */
};

#define API_JSON_DETAIL_MAX 200

/*
 * Parses the request body as one JSON object whose members are all among
 * the n fields and of their types (duplicate keys refused). On success
 * *out is the object (caller json_decref()s it). Returns 0 or DDNS_EINVAL
 * with detail (dsz >= API_JSON_DETAIL_MAX) naming the field or the place
 * of the syntax error.
 */
int api_json_body(const struct api_request *req,
		  const struct api_json_field *fields, size_t n, json_t **out,
		  char *detail, size_t dsz);

/*
 * Checks the members of object o (a nested object of a body) as
 * api_json_body() checks a body's; details name the member as
 * "prefix.member". 0 or DDNS_EINVAL with detail.
 */
int api_json_members(const json_t *o, const char *prefix,
		     const struct api_json_field *fields, size_t n,
		     char *detail, size_t dsz);

/* A string member of o or NULL (absent, null or not a string). */
const char *api_json_str(const json_t *o, const char *name);

/* Answers status with obj as application/json; takes the reference to obj
 * (NULL: an allocation failed, answers 500). */
void api_json_answer(struct api_response *resp, unsigned status, json_t *obj);

/* A JSON string, or null for NULL or "". New reference. */
json_t *api_json_text(const char *s);

/*
 * Makes jansson wipe every block before it frees it: parsed request
 * bodies (a sign-up password), answers (a new token), the parser's
 * buffers. Call once, before threads start.
 */
void api_json_wipe_on_free(void);

#endif
