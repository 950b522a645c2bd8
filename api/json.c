/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "api/problem.h"
#include "common/errors.h"
#include "common/secrets.h"

static const char *type_name(enum api_json_type t);
static bool type_ok(const json_t *v, enum api_json_type t);
static int utf8_prefix(const char *s, size_t max);

static const char *
type_name(enum api_json_type t)
{
	switch (t) {
	case API_JSON_STRING: return "a string";
	case API_JSON_INTEGER: return "an integer";
	case API_JSON_BOOLEAN: return "a boolean";
	case API_JSON_ARRAY: return "an array";
	case API_JSON_OBJECT: return "an object";
	}
	return "?";
}

/*
 * Length of the longest prefix of s, at most max bytes, that is whole,
 * valid UTF-8: a detail quoting the client must stay a valid JSON string.
 */
static int
utf8_prefix(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, k;

	while (i < max && p[i] != '\0') {
		if (p[i] < 0x80)
			n = 1;
		else if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 2;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			n = 3;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			n = 4;
		else
			break;
		if (n > max - i)
			break;
		for (k = 1; k < n && (p[i + k] & 0xc0) == 0x80; k++)
			;
		if (k < n)
			break;
		i += n;
	}
	return (int)i;
}

static bool
type_ok(const json_t *v, enum api_json_type t)
{
	switch (t) {
	case API_JSON_STRING: return json_is_string(v);
	case API_JSON_INTEGER: return json_is_integer(v);
	case API_JSON_BOOLEAN: return json_is_boolean(v);
	case API_JSON_ARRAY: return json_is_array(v);
	case API_JSON_OBJECT: return json_is_object(v);
	}
	return false;
}

int
api_json_body(const struct api_request *req,
	      const struct api_json_field *fields, size_t n, json_t **out,
	      char *detail, size_t dsz)
{
	json_error_t jerr;
	json_t *o;

	*out = NULL;
	if (req->body_len == 0) {
		snprintf(detail, dsz, "body: a JSON object is required");
		return DDNS_EINVAL;
	}
	o = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL) {
		snprintf(detail, dsz,
			 "body: invalid JSON at line %d column "
			 "%d: %.*s",
			 jerr.line, jerr.column, utf8_prefix(jerr.text, 80),
			 jerr.text);
		return DDNS_EINVAL;
	}
	if (!json_is_object(o)) {
		snprintf(detail, dsz, "body: must be a JSON object");
		goto bad;
	}
	if (api_json_members(o, NULL, fields, n, detail, dsz) != 0)
		goto bad;
	*out = o;
	return 0;
bad:
	json_decref(o);
	return DDNS_EINVAL;
}

int
api_json_members(const json_t *o, const char *prefix,
		 const struct api_json_field *fields, size_t n, char *detail,
		 size_t dsz)
{
	const char *key, *dot = prefix != NULL ? "." : "";
	json_t *v;
	size_t i;

	if (prefix == NULL)
		prefix = "";
	json_object_foreach((json_t *)(uintptr_t)o, key, v)
	{
		for (i = 0; i < n && strcmp(fields[i].name, key) != 0; i++)
			;
		if (i == n) {
			snprintf(detail, dsz, "%s%s%.*s: unknown field", prefix,
				 dot, utf8_prefix(key, 60), key);
			return DDNS_EINVAL;
		}
		if (json_is_null(v) && fields[i].nullable)
			continue;
		if (!type_ok(v, fields[i].type)) {
			snprintf(detail, dsz, "%s%s%s: must be %s%s", prefix,
				 dot, key, type_name(fields[i].type),
				 fields[i].nullable ? " or null" : "");
			return DDNS_EINVAL;
		}
	}
	for (i = 0; i < n; i++) {
		if (fields[i].required &&
		    json_object_get(o, fields[i].name) == NULL) {
			snprintf(detail, dsz, "%s%s%s: required", prefix, dot,
				 fields[i].name);
			return DDNS_EINVAL;
		}
	}
	return 0;
}

const char *
api_json_str(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

void
api_json_answer(struct api_response *resp, unsigned status, json_t *obj)
{
	char *s = NULL;

	if (obj != NULL)
		s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (s == NULL) {
		api_problem(resp, DDNS_ENOMEM, "cannot build the answer");
		return;
	}
	resp->status = status;
	resp->content_type = "application/json";
	ddns_buf_reset(&resp->body);
	ddns_buf_append_str(&resp->body, s);
	ddns_free_wiped(s); /* may be a new token */
}

void
api_json_wipe_on_free(void)
{
	json_set_alloc_funcs(malloc, ddns_free_wiped);
}

json_t *
api_json_text(const char *s)
{
	if (s == NULL || s[0] == '\0')
		return json_null();
	return json_string(s);
}
