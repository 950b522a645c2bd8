#!/bin/bash
# SPDX-License-Identifier: MIT
# The REST API over real HTTP against PostgreSQL: every endpoint's success
# and error answers, authentication, validation, pagination, limits.
# DNS effects are in test_rest_dns.sh, tenant isolation in
# test_rest_isolation.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

it_setup
fx_base
PW='correct horse battery'
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200

# --- OpenAPI and signup closed ---------------------------------------------
rq GET /v1/openapi.json
it_status 200 "openapi.json without credentials"
it_eq "3.1.0" "$(jf .openapi)" "an OpenAPI 3.1 document"
it_eq "$(jq -c . "$DDNS_SOURCE_DIR/api/openapi.json")" "$(jq -c . <<<"$RQ_BODY")" "served as the file in the repository"
rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary '{"email":"new@example.com","password":"0123456789"}'
it_status 403 "signup closed by default"
it_match "signup" "$(jf .detail)" "the detail says why"

it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_SIGNUP=open DDNS_TTL_MIN=30 DDNS_TTL_MAX=3600 \
	DDNS_MAX_TOKENS_PER_HOST=2

# --- accounts ------------------------------------------------------------------
rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary "{\"email\":\"Owner@Example.com\",\"password\":\"$PW\"}"
it_status 201 "signup"
it_eq "Owner@Example.com" "$(jf .email)" "signup answers the e-mail"
it_match '^[0-9]+$' "$(jf .id)" "and the id"
it_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$(jf .created_at)" "and created_at (RFC 3339 UTC)"
it_eq "null" "$(jf .password)" "no password in the answer"
it_match '^\$argon2id\$' "$(fx_psql "SELECT password_hash FROM accounts WHERE email = 'Owner@Example.com'")" "stored as argon2id"
rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary "{\"email\":\"owner@example.com\",\"password\":\"$PW\"}"
it_status 409 "same e-mail in another case: 409"
rq_invalid "password under minLength" rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary '{"email":"x@example.com","password":"short"}'
it_status 400 "password under 10 characters"
it_match "^password" "$(jf .detail)" "detail names the password"
rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary "{\"email\":\"not-an-email\",\"password\":\"$PW\"}"
it_status 400 "invalid e-mail"
it_match "^email" "$(jf .detail)" "detail names email"

# --- body validation (same parser everywhere) -----------------------------------
rq_direct "malformed JSON: Prism answers it itself" rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary '{"email":"x@example.com",'
it_status 400 "malformed JSON"
it_match "invalid JSON" "$(jf .detail)" "detail says where JSON broke"
rq_invalid "unknown field" rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary "{\"email\":\"x@example.com\",\"password\":\"$PW\",\"admin\":true}"
it_status 400 "unknown field"
it_eq "admin: unknown field" "$(jf .detail)" "detail names the unknown field"
rq_invalid "password of the wrong type" rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary '{"email":"x@example.com","password":12345678901}'
it_status 400 "wrong type"
it_eq "password: must be a string" "$(jf .detail)" "detail names the field and type"
rq_invalid "required field missing" rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary '{"email":"x@example.com"}'
it_status 400 "missing field"
it_eq "password: required" "$(jf .detail)" "detail names the missing field"
rq_invalid "body not an object" rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary '[1,2]'
it_status 400 "not an object"
rq_direct "duplicate keys: Prism's JSON parser keeps one" rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary '{"email":"a@example.com","email":"b@example.com","password":"0123456789"}'
it_status 400 "duplicate keys"
# Valid JSON (Prism forwards it) with an e-mail far over maxLength.
printf '{"email":"%s@example.com","password":"0123456789"}' "$(head -c 70000 /dev/zero | tr '\0' a)" >"$IT_TMP/big.json"
rq_invalid "email over maxLength" rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary "@$IT_TMP/big.json"
it_status 413 "body over 64 KiB"

# --- tokens ----------------------------------------------------------------------
body='{"name":"laptop","scopes":["read","write"]}'
rq POST /v1/tokens -u "owner@example.com:wrong password!" -H 'Content-Type: application/json' --data-binary "$body"
it_status 401 "wrong password"
it_match "^Basic" "$(rq_header WWW-Authenticate)" "401 asks for Basic"
rq POST /v1/tokens -u "nobody@example.com:$PW" -H 'Content-Type: application/json' --data-binary "$body"
it_status 401 "unknown e-mail: the same 401"
rq_direct "no credentials: Prism answers 401 itself" rq POST /v1/tokens -H 'Content-Type: application/json' --data-binary "$body"
it_status 401 "no credentials"
rq_invalid "scope outside the enum" rq POST /v1/tokens -u "owner@example.com:$PW" -H 'Content-Type: application/json' --data-binary '{"name":"x","scopes":["admin"]}'
it_status 400 "unknown scope"
it_match "^scopes" "$(jf .detail)" "detail names scopes"
rq_invalid "scopes under minItems" rq POST /v1/tokens -u "owner@example.com:$PW" -H 'Content-Type: application/json' --data-binary '{"name":"x","scopes":[]}'
it_status 400 "no scope"
rq_invalid "expires_in under minimum" rq POST /v1/tokens -u "owner@example.com:$PW" -H 'Content-Type: application/json' --data-binary '{"name":"x","scopes":["read"],"expires_in":-5}'
it_status 400 "negative expires_in"
rq POST /v1/tokens -u "owner@example.com:$PW" -H 'Content-Type: application/json' --data-binary "$body"
it_status 201 "token minted with e-mail and password"
RW=$(jf .token)
RW_ID=$(jf .id)
it_match '^dda_[a-z2-7]{20}_[A-Za-z0-9_-]{43}$' "$RW" "an account token"
it_eq "laptop|read,write|true|null" "$(jf '"\(.name)|\(.scopes|join(","))|\(has("expires_at"))|\(.expires_at|tojson)"')" "name, scopes, no expiry (expires_at: null)"
it_eq "$RW_ID" "$(cut -d_ -f2 <<<"$RW")" "id is the public part"
RO=$(rest_token owner@example.com "$PW" '["read"]')
rq POST /v1/tokens -u "owner@example.com:$PW" -H 'Content-Type: application/json' --data-binary '{"name":"short","scopes":["read"],"expires_in":3600}'
it_status 201 "token with expiry"
it_match 'T[0-9:]{8}Z$' "$(jf .expires_at)" "expires_at set"
EXP=$(jf .token)
EXP_ID=$(jf .id)

rqa "$RW" GET /v1/tokens
it_status 200 "list tokens"
it_eq 3 "$(jf '.items|length')" "three tokens"
it_eq "" "$(jf '.items[]|.token // empty')" "no secrets in the list"
it_eq 0 "$(grep -c -F -e "${RW#dda_*_}" <<<"$RQ_BODY" || true)" "the secret is nowhere in the list"
it_match 'T' "$(jf ".items[]|select(.id==\"$RW_ID\")|.last_used_at")" "last_used_at of the token in use"

fx_psql "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE public_id = '$EXP_ID'" >/dev/null
rqa "$EXP" GET /v1/zones
it_status 401 "expired token: 401"
rqa "$RO" POST /v1/hosts '{"name":"ro.dyn.test"}'
it_status 403 "read-only token cannot write"
it_match "write scope" "$(jf .detail)" "detail names the missing scope"
rqa "dda_aaaaaaaaaaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" GET /v1/zones
it_status 401 "unknown token"
it_match "^Bearer" "$(rq_header WWW-Authenticate)" "401 asks for Bearer"
rq_direct "no credentials: Prism answers 401 itself" rq GET /v1/zones
it_status 401 "no token"
rqa "$TOK_A" GET /v1/zones
it_status 401 "a host token is no account token"

# --- zones -------------------------------------------------------------------------
rqa "$RO" GET /v1/zones
it_status 200 "zones"
it_eq "dyn.test,other.test" "$(jf '[.items[].name]|join(",")')" "the shared zones"
it_eq "true" "$(jf '.items[0].shared')" "marked shared"

# --- hosts ---------------------------------------------------------------------------
rqa "$RW" POST /v1/hosts '{"name":"Web.Dyn.Test.","ttl":120}'
it_status 201 "create host"
# dns.pushed may already be true: the pusher wakes on the NOTIFY at once.
it_match '^web\.dyn\.test\|dyn\.test\|120\|false\|null\|null\|(true|false)$' "$(jf '[.name,.zone,.ttl,.offline,.ipv4,.ipv6,.dns.pushed]|map(tostring)|join("|")')" "host fields, name normalised"
it_eq "/v1/hosts/web.dyn.test" "$(rq_header Location)" "Location header"
rqa "$RW" POST /v1/hosts '{"name":"web.dyn.test"}'
it_status 409 "same name again"
rqa "$RW" POST /v1/hosts "{\"name\":\"$HOST_B\"}"
it_status 409 "name of another account: 409"
rqa "$RW" POST /v1/hosts '{"name":"x.nowhere.test"}'
it_status 422 "not under a known zone"
rqa "$RW" POST /v1/hosts '{"name":"dyn.test"}'
it_status 422 "a zone apex"
rqa "$RW" POST /v1/hosts '{"name":"bad..name.dyn.test"}'
it_status 422 "invalid name"
rqa "$RW" POST /v1/hosts '{"name":"t.dyn.test","ttl":10}'
it_status 422 "TTL under DDNS_TTL_MIN"
rq_invalid "ttl of the wrong type" rqa "$RW" POST /v1/hosts '{"name":"t.dyn.test","ttl":"60"}'
it_status 400 "TTL of the wrong type"
it_eq "ttl: must be an integer" "$(jf .detail)" "detail names ttl"
rq_invalid "ttl not an integer" rqa "$RW" POST /v1/hosts '{"name":"t.dyn.test","ttl":60.5}'
it_status 400 "fractional TTL"
rqa "$RW" GET /v1/hosts/web.dyn.test
it_status 200 "read host"
it_eq "web.dyn.test" "$(jf .name)" "by name"
rqa "$RW" GET /v1/hosts/nothere.dyn.test
it_status 404 "unknown host"
rqa "$RW" GET /v1/hosts/bad..name
it_status 404 "invalid name in the path: 404"

# pagination: 7 hosts, pages of 3
for i in 1 2 3 4 5 6; do
	rqa "$RW" POST /v1/hosts "{\"name\":\"p$i.other.test\"}"
	[[ $RQ_STATUS == 201 ]] || it_eq 201 "$RQ_STATUS" "create p$i"
done
names='' cursor='' pages=0
while :; do
	rqa "$RW" GET "/v1/hosts?limit=3${cursor:+&cursor=$cursor}"
	[[ $RQ_STATUS == 200 ]] || { it_status 200 "page $pages"; break; }
	pages=$((pages + 1))
	names+=$(jf '.items[].name')$'\n'
	it_ok test "$(jf '.items|length')" -le 3
	cursor=$(jf '.next_cursor // empty')
	[[ -n $cursor && $pages -lt 10 ]] || break
done
it_eq 3 "$pages" "7 hosts in pages of 3: three pages"
it_eq "p1.other.test p2.other.test p3.other.test p4.other.test p5.other.test p6.other.test web.dyn.test" \
	"$(printf '%s' "$names" | sed '/^$/d' | tr '\n' ' ' | sed 's/ $//')" "every host once, in name order"
rqa "$RW" GET "/v1/hosts?limit=2"
it_eq "p2.other.test" "$(jf .next_cursor)" "next_cursor of a full page"
rq_invalid "limit over maximum" rqa "$RW" GET "/v1/hosts?limit=200"
it_status 400 "limit over 100"
it_match "^limit" "$(jf .detail)" "detail names limit"
rq_invalid "limit not an integer" rqa "$RW" GET "/v1/hosts?limit=abc"
it_status 400 "limit not a number"
rqa "$RW" GET "/v1/hosts?cursor=%00"
it_status 400 "bad cursor"

# host limit
fx_psql "UPDATE accounts SET max_hosts = 7 WHERE email = 'Owner@Example.com'" >/dev/null
rqa "$RW" POST /v1/hosts '{"name":"eighth.dyn.test"}'
it_status 403 "over the account's host limit"
# Parallel creates for the last free slot: exactly one wins.
owned="(SELECT count(*) FROM hosts h JOIN accounts a ON a.id = h.account_id WHERE a.email = 'Owner@Example.com' AND h.deleted_at IS NULL)"
fx_psql "UPDATE accounts SET max_hosts = $owned + 1 WHERE email = 'Owner@Example.com'" >/dev/null
it_eq "1 x 201, 5 x 403, " "$(race_posts "$RW" zones /v1/hosts '{"name":"race1.dyn.test"}' '{"name":"race2.dyn.test"}' \
	'{"name":"race3.dyn.test"}' '{"name":"race4.dyn.test"}' '{"name":"race5.dyn.test"}' '{"name":"race6.dyn.test"}')" \
	"concurrent creates for the last free host slot: one wins"
it_eq "0" "$(fx_psql "SELECT $owned - max_hosts FROM accounts WHERE email = 'Owner@Example.com'")" "the account holds exactly max_hosts hosts"
fx_psql "UPDATE hosts SET deleted_at = now() WHERE fqdn LIKE 'race%'" >/dev/null
fx_psql "UPDATE accounts SET max_hosts = 20 WHERE email = 'Owner@Example.com'" >/dev/null

# PATCH validation (effects in DNS: test_rest_dns.sh)
rqa "$RW" PATCH /v1/hosts/web.dyn.test '{"ipv4":"192.0.2.7","ttl":300}'
it_status 200 "PATCH"
it_eq "192.0.2.7|300" "$(jf '"\(.ipv4)|\(.ttl)"')" "PATCH answers the new state"
rqa "$RW" PATCH /v1/hosts/web.dyn.test '{"ipv4":"2001:db8::1"}'
it_status 422 "IPv6 address as ipv4"
it_match "^ipv4" "$(jf .detail)" "detail names ipv4"
rqa "$RW" PATCH /v1/hosts/web.dyn.test '{"ipv6":"not an address"}'
it_status 422 "bad IPv6"
rqa "$RW" PATCH /v1/hosts/web.dyn.test '{"ttl":99999}'
it_status 422 "TTL over DDNS_TTL_MAX"
rq_invalid "offline of the wrong type" rqa "$RW" PATCH /v1/hosts/web.dyn.test '{"offline":"yes"}'
it_status 400 "offline must be a boolean"
rq_invalid "unknown field" rqa "$RW" PATCH /v1/hosts/web.dyn.test '{"name":"other.dyn.test"}'
it_status 400 "name cannot be patched"
rq_invalid "under minProperties" rqa "$RW" PATCH /v1/hosts/web.dyn.test '{}'
it_status 400 "empty PATCH"
rqa "$RW" PATCH /v1/hosts/web.dyn.test '{"ipv4":null}'
it_status 200 "ipv4 null clears"
it_eq "null|300" "$(jf '"\(.ipv4)|\(.ttl)"')" "cleared, TTL kept"

# --- host tokens -----------------------------------------------------------------------
rqa "$RW" POST /v1/hosts/web.dyn.test/tokens '{"label":"router"}'
it_status 201 "host token"
HT=$(jf .token)
HT_ID=$(jf .id)
it_match '^ddh_[a-z2-7]{20}_[A-Za-z0-9_-]{43}$' "$HT" "a host token"
it_eq "router" "$(jf .label)" "label kept"
rqa "$RW" POST /v1/hosts/web.dyn.test/tokens '{"label":"bad\u0001"}'
it_status 400 "control character in the label"
rqa "$RW" POST /v1/hosts/web.dyn.test/tokens
it_status 201 "no body: empty label"
HT2_ID=$(jf .id)
rqa "$RO" GET /v1/hosts/web.dyn.test/tokens
it_status 200 "list host tokens"
it_eq "2|null|" "$(jf '"\(.items|length)|\(.items[0].last_used_at)|\(.items[0].token // "")"')" "two, unused, no secrets"
it_eq "200 good 198.51.100.9|" "$(fx_get -u "x:$HT" "/nic/update?myip=198.51.100.9")" "the token works for /nic/update"
rqa "$RO" GET /v1/hosts/web.dyn.test/tokens
it_match 'T' "$(jf ".items[]|select(.id==\"$HT_ID\")|.last_used_at")" "last_used_at after use"
rqa "$RW" DELETE "/v1/hosts/web.dyn.test/tokens/$HT_ID"
it_status 204 "delete host token"
it_eq "401 badauth|" "$(fx_get -u "x:$HT" "/nic/update?myip=198.51.100.10")" "deleted token stops working at once"
rqa "$RW" DELETE "/v1/hosts/web.dyn.test/tokens/$HT_ID"
it_status 404 "deleted twice"
rqa "$RW" DELETE "/v1/hosts/p1.other.test/tokens/$HT2_ID"
it_status 404 "token of another host"

# --- events ------------------------------------------------------------------------------
rqa "$RO" GET /v1/hosts/web.dyn.test/events
it_status 200 "events"
it_eq "nic/update|198.51.100.9|curl" "$(jf '.items[0]|"\(.via)|\(.ipv4)|\(.user_agent|split("/")[0])"')" "newest first: the /nic/update"
it_eq "api|null|good" "$(jf '.items[1]|"\(.via)|\(.ipv4)|\(.result)"')" "then the PATCH that cleared ipv4"
it_eq "127.0.0.1" "$(jf '.items[0].source')" "source address"
rqa "$RO" GET "/v1/hosts/web.dyn.test/events?limit=1"
it_eq 1 "$(jf '.items|length')" "limit=1"
rq_invalid "limit under minimum" rqa "$RO" GET "/v1/hosts/web.dyn.test/events?limit=0"
it_status 400 "limit=0"
# The history stores the user agent as UTF-8: a stray byte must not fail
# the change (PostgreSQL refuses invalid UTF-8).
rq PATCH /v1/hosts/web.dyn.test -H "Authorization: Bearer $RW" -A $'agent\xff' \
	-H 'Content-Type: application/json' --data-binary '{"ipv4":"192.0.2.8"}'
it_status 200 "PATCH with a non-UTF-8 User-Agent"
rqa "$RO" GET "/v1/hosts/web.dyn.test/events?limit=1"
it_eq "agent?" "$(jf '.items[0].user_agent')" "stored with the stray byte as '?'"

# --- ACME -----------------------------------------------------------------------------------
rqa "$RW" POST /v1/hosts/web.dyn.test/tokens '{"label":"certbot"}'
HT3=$(jf .token)
rqa "$RW" POST /v1/hosts/web.dyn.test/tokens '{"label":"one too many"}'
it_status 403 "DDNS_MAX_TOKENS_PER_HOST reached"
# Delete one and race six creates for the free slot.
rqa "$RW" GET /v1/hosts/web.dyn.test/tokens
rqa "$RW" DELETE "/v1/hosts/web.dyn.test/tokens/$(jf '[.items[] | select(.label != "certbot")][0].id')"
it_status 204 "a token deleted"
it_eq "1 x 201, 5 x 403, " "$(race_posts "$RW" host_tokens /v1/hosts/web.dyn.test/tokens '{"label":"r1"}' '{"label":"r2"}' \
	'{"label":"r3"}' '{"label":"r4"}' '{"label":"r5"}' '{"label":"r6"}')" "concurrent token creates for the last slot: one wins"
it_eq "2" "$(fx_psql "SELECT count(*) FROM host_tokens t JOIN hosts h ON h.id = t.host_id WHERE h.fqdn = 'web.dyn.test'")" "the host holds exactly DDNS_MAX_TOKENS_PER_HOST tokens"
rqa "$HT3" PUT /v1/hosts/web.dyn.test/acme-challenge '{"value":"abc-DEF_123"}'
it_status 204 "host token sets its own host's challenge"
rqa "$HT3" PUT /v1/hosts/p1.other.test/acme-challenge '{"value":"abc"}'
it_status 404 "host token on another host of the same account: 404"
rqa "$HT3" GET /v1/hosts/web.dyn.test
it_status 401 "host token on anything else: 401"
rqa "$RO" PUT /v1/hosts/web.dyn.test/acme-challenge '{"value":"abc"}'
it_status 403 "read-only token: 403"
rqa "$RW" PUT /v1/hosts/web.dyn.test/acme-challenge '{"value":"tab\there"}'
it_status 400 "non-printable value"
rq_invalid "value over maxLength" rqa "$RW" PUT /v1/hosts/web.dyn.test/acme-challenge "{\"value\":\"$(head -c 256 /dev/zero | tr '\0' a)\"}"
it_status 400 "value over 255 bytes"
for v in v2 v3 v4; do rqa "$RW" PUT /v1/hosts/web.dyn.test/acme-challenge "{\"value\":\"$v\"}"; done
it_status 204 "four values"
rqa "$RW" PUT /v1/hosts/web.dyn.test/acme-challenge '{"value":"v5"}'
it_status 403 "a fifth value: limit"
rqa "$RW" PUT /v1/hosts/web.dyn.test/acme-challenge '{"value":"v4"}'
it_status 204 "a value already there is fine"
rqa "$HT3" DELETE /v1/hosts/web.dyn.test/acme-challenge
it_status 204 "host token clears them"
it_eq 0 "$(fx_psql "SELECT count(*) FROM acme_challenges")" "none left"

# --- delete host, re-create --------------------------------------------------------------------
rqa "$RO" DELETE /v1/hosts/p6.other.test
it_status 403 "read-only token cannot delete"
rqa "$RW" DELETE /v1/hosts/p6.other.test
it_status 204 "delete host"
rqa "$RW" GET /v1/hosts/p6.other.test
it_status 404 "gone"
rqa "$RW" DELETE /v1/hosts/p6.other.test
it_status 404 "deleted twice"
rqa "$RW" POST /v1/hosts '{"name":"p6.other.test"}'
it_status 201 "the name can be taken again at once"

# --- methods, paths, token deletion ------------------------------------------------------------
rq_direct "an undocumented method: Prism answers 405 itself" rqa "$RW" PUT /v1/hosts
it_status 405 "PUT on /v1/hosts"
it_eq "POST, GET" "$(rq_header Allow)" "Allow lists the methods"
rq_direct "an undocumented path: Prism answers 404 itself" rqa "$RW" GET /v1/nothing
it_status 404 "unknown path"
rqa "$RW" DELETE /v1/tokens/aaaaaaaaaaaaaaaaaaaa
it_status 404 "unknown token id"
rqa "$RW" DELETE "/v1/tokens/$RW_ID"
it_status 204 "a token deletes itself"
rqa "$RW" GET /v1/zones
it_status 401 "deleted token: 401"

# --- login rate limit (last: it blocks 127.0.0.1 for a while) ---------------------------------
# A failure is allowed again every 6 s, so on a loaded machine 12 tries
# may not be enough: try until 429 (at most 60 times).
codes=''
for i in $(seq 1 60); do
	rq POST /v1/tokens -u "owner@example.com:wrong-$i-password" -H 'Content-Type: application/json' --data-binary '{"name":"x","scopes":["read"]}'
	codes+="$RQ_STATUS "
	[[ $RQ_STATUS != 429 ]] || break
done
it_match "^(401 )+429 " "$codes" "failed logins from one address end in 429"
it_status 429 "rate limited"
it_match "^[0-9]+$" "$(rq_header Retry-After)" "429 carries Retry-After"
# The right password within Retry-After - 1 s of a 429 is refused too. The
# limit refills while the machine is slow, so the check counts only for a
# pair (429, then the right password) that took less than that.
checked=0
for i in 1 2 3 4 5; do
	t0=${EPOCHREALTIME/./}
	rq POST /v1/tokens -u "owner@example.com:wrong-again-$i" -H 'Content-Type: application/json' --data-binary '{"name":"x","scopes":["read"]}'
	[[ $RQ_STATUS == 429 ]] || continue
	wait_s=$(($(rq_header Retry-After) - 1))
	rq POST /v1/tokens -u "owner@example.com:$PW" -H 'Content-Type: application/json' --data-binary '{"name":"x","scopes":["read"]}'
	if ((${EPOCHREALTIME/./} - t0 < wait_s * 1000000)); then
		it_status 429 "even the right password waits"
		checked=1
		break
	fi
done
[[ $checked == 1 ]] || echo "test_rest_api: too slow to check that the right password waits" >&2

# --- secrets ---------------------------------------------------------------------------------------
it_eq 0 "$(grep -c -F -e "${RW#dda_*_}" -e "${HT#ddh_*_}" -e "$PW" "$IT_TMP/ddnsd.log" || true)" "no secret in the log"
it_done
