#!/bin/bash
# SPDX-License-Identifier: MIT
# Limits that hold for every way in, over REST: PATCH /v1/hosts/{name} and
# the ACME PUT/DELETE spend the same per-host change bucket as /nic/update
# (429 + Retry-After + problem+json beyond it, nothing written); a PATCH
# that changes nothing spends nothing; account API tokens per account are
# capped (DDNS_MAX_TOKENS_PER_ACCOUNT) and GET /v1/tokens is paginated.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

it_setup
fx_base
PW='correct horse battery'
rest_account owner@example.com "$PW"
"$DDNSD" host add "lim-$FX_ID.dyn.test" --account owner@example.com >/dev/null
H="lim-$FX_ID.dyn.test"
it_start_ddnsd DDNS_HOST_CHANGE_BURST=3 DDNS_HOST_CHANGE_WINDOW_S=600 DDNS_MAX_TOKENS_PER_ACCOUNT=4
RW=$(rest_token owner@example.com "$PW" '["read","write"]')
state() { fx_psql "SELECT host(ipv4), version, (SELECT count(*) FROM host_events e WHERE e.host_id = h.id), (SELECT count(*) FROM acme_challenges a WHERE a.host_id = h.id) FROM hosts h WHERE fqdn = '$H'"; }

# --- PATCH: 3 changes, then the bucket is empty ------------------------------------
codes=''
for i in 1 2 3 4 5; do
	rqa "$RW" PATCH "/v1/hosts/$H" "{\"ipv4\":\"192.0.2.$i\"}"
	codes+="$RQ_STATUS "
done
it_eq "200 200 200 429 429 " "$codes" "3 changing PATCHes pass (DDNS_HOST_CHANGE_BURST=3), then 429"
it_ok is_problem
it_match "rate-limited" "$(jf .type)" "problem type rate-limited"
it_match "changed too often" "$(jf .detail)" "the detail says why"
ra=$(grep -i '^Retry-After:' "$RQ_HDRS" | tr -dc '0-9')
it_eq yes "$( ((ra >= 1 && ra <= 200)) && echo yes || echo "no: '$ra'")" "Retry-After: until the next token (one per 200 s)"
it_eq "192.0.2.3" "$(fx_psql "SELECT host(ipv4) FROM hosts WHERE fqdn = '$H'")" "the refused PATCHes wrote nothing"
rqa "$RW" PATCH "/v1/hosts/$H" '{"ipv4":"192.0.2.3"}'
it_status 200 "a PATCH that changes nothing passes with the bucket empty (it spends nothing)"

# --- the same bucket for /nic/update and ACME ----------------------------------------
HT=$(fx_token "$H")
it_eq "200 abuse|" "$(fx_get -u "$H:$HT" "/nic/update?hostname=$H&myip=192.0.2.9")" "/nic/update sees the bucket the PATCHes emptied"
before=$(state)
rqa "$RW" PUT "/v1/hosts/$H/acme-challenge" '{"value":"abc"}'
it_status 429 "ACME PUT with the bucket empty: 429"
it_ok is_problem
it_match '^[0-9]+$' "$(rq_header Retry-After)" "with Retry-After"
rqa "$RW" DELETE "/v1/hosts/$H/acme-challenge"
it_status 429 "ACME DELETE with the bucket empty: 429"
it_eq "$before" "$(state)" "nothing written (address, version, history, challenges)"
# A full bucket again: ACME spends it like any change.
fx_psql "UPDATE hosts SET bucket_tokens = NULL, bucket_at = NULL WHERE fqdn = '$H'" >/dev/null
codes=''
for i in 1 2 3 4; do
	rqa "$RW" PUT "/v1/hosts/$H/acme-challenge" "{\"value\":\"v$i\"}"
	codes+="$RQ_STATUS "
done
it_eq "204 204 204 429 " "$codes" "ACME PUTs spend the bucket too"
rqa "$HT" DELETE "/v1/hosts/$H/acme-challenge"
it_status 429 "also with the host's own token"

# --- account API tokens: capped, listed a page at a time ----------------------------
codes=''
for i in 2 3 4 5; do
	rq POST /v1/tokens -u "owner@example.com:$PW" --data-binary "{\"name\":\"t$i\",\"scopes\":[\"read\"]}"
	codes+="$RQ_STATUS "
done
it_eq "201 201 201 403 " "$codes" "4 tokens per account (DDNS_MAX_TOKENS_PER_ACCOUNT=4), the 5th refused"
it_match "limit-reached" "$(jf .type)" "403 limit-reached"
it_match "DDNS_MAX_TOKENS_PER_ACCOUNT" "$(jf .detail)" "the detail names the setting"
it_eq 4 "$(fx_psql "SELECT count(*) FROM api_tokens t JOIN accounts a ON a.id = t.account_id WHERE a.email = 'owner@example.com'")" "and not stored"
rqa "$RW" GET "/v1/tokens?limit=3"
it_status 200 "first page"
it_eq "test t2 t3" "$(jf '[.items[].name]|join(" ")')" "oldest first, 3 of them"
cur=$(jf .next_cursor)
it_match '^[0-9]+$' "$cur" "a next_cursor"
rqa "$RW" GET "/v1/tokens?limit=3&cursor=$cur"
it_eq "t4|null" "$(jf '([.items[].name]|join(" ")) + "|" + (.next_cursor|tostring)')" "the last page, no next_cursor"
rqa "$RW" GET "/v1/tokens?cursor=x1"
it_status 400 "a bad cursor: 400"
rq_invalid "limit out of range" rqa "$RW" GET "/v1/tokens?limit=0"
it_status 400 "limit 0: 400"
rqa "$RW" GET /v1/tokens
it_eq "4|null" "$(jf '(.items|length|tostring) + "|" + (.next_cursor|tostring)')" "default page holds all 4"
it_done
