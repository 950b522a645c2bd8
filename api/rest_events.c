/* SPDX-License-Identifier: MIT */
/* REST: the update history of a host, newest first. */
#include <stdio.h>

#include "api/rest_handlers.h"
#include "common/errors.h"
#include "db/events.h"

#define EVENTS_DEFAULT 100
#define EVENTS_MAX 1000

static int event_item(void *arg, const struct db_event *e);

static int
event_item(void *arg, const struct db_event *e)
{
	json_t *o =
		json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:s}", "at", e->at,
			  "source", api_json_text(e->source), "user_agent",
			  api_json_text(e->user_agent), "result", e->result,
			  "ipv4", api_json_text(e->ipv4), "ipv6",
			  api_json_text(e->ipv6), "via", e->via);

	return json_array_append_new(arg, o) == 0 ? 0 : DDNS_ENOMEM;
}

int
api_rest_event_list(struct rest_ctx *c)
{
	struct db_host_info h;
	json_t *items;
	unsigned limit;
	int err;

	if ((err = api_rest_host(c, &h)) != 0)
		return err;
	if ((err = api_rest_query_uint(c, "limit", EVENTS_DEFAULT, 1,
				       EVENTS_MAX, &limit)) != 0)
		return err;
	if ((items = json_array()) == NULL)
		return DDNS_ENOMEM;
	if ((err = db_events_list(c->db, c->account_id, h.id, limit, event_item,
				  items)) != 0) {
		json_decref(items);
		return err;
	}
	api_json_answer(c->resp, 200, json_pack("{s:o}", "items", items));
	return 0;
}
