/* SPDX-License-Identifier: MIT */
/*
 * The dyndns2 /nic/update endpoint, as routers and update clients call it.
 */
#ifndef DDNS_API_NIC_UPDATE_H
#define DDNS_API_NIC_UPDATE_H

#include "api/request.h"

/*
 * Authenticates the host token, applies the requested addresses and
 * answers one dyndns2 code per requested name. Never fails: every error
 * becomes an answer. req->query and req->body are decoded in place.
 */
void api_nic_update(struct api_request *req, struct api_response *resp);

#endif
