#!/bin/bash
# SPDX-License-Identifier: MIT
# Tenant isolation: for every REST route, account B's token on account A's
# resources gets 404 (never 403: names of other tenants do not leak) and
# changes nothing, compared on the tenant tables before and after. The
# route list comes from the binary, so a new route without a case here
# fails this test.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

it_setup
fx_base
PW='tenant password 1'
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
rest_account alice@example.com "$PW"
rest_account bob@example.com "$PW"
TA=$(rest_token alice@example.com "$PW" '["read","write"]')
TB=$(rest_token bob@example.com "$PW" '["read","write"]')
TA_ID=$(cut -d_ -f2 <<<"$TA")

# Alice: a private zone, a host with a token, a challenge and history.
"$DDNSD" zone add alice.test --primary "$BIND_PRIMARY" --key ddnsd-key >/dev/null
fx_psql "UPDATE zones SET owner_account_id = (SELECT id FROM accounts WHERE email = 'alice@example.com') WHERE name = 'alice.test'" >/dev/null
HA="a-$FX_ID.dyn.test"
rqa "$TA" POST /v1/hosts "{\"name\":\"$HA\"}"
it_status 201 "Alice's host"
rqa "$TA" POST "/v1/hosts/$HA/tokens" '{"label":"r"}'
HTA=$(jf .token)
HTA_ID=$(jf .id)
rqa "$TA" PUT "/v1/hosts/$HA/acme-challenge" '{"value":"alice"}'
rqa "$TA" PATCH "/v1/hosts/$HA" '{"ipv4":"192.0.2.1"}'
HB="b-$FX_ID.dyn.test"
rqa "$TB" POST /v1/hosts "{\"name\":\"$HB\"}"
it_status 201 "Bob's host"
rqa "$TB" POST "/v1/hosts/$HB/tokens" '{"label":"r"}'
HTB=$(jf .token)

# The 404 Bob gets must be the 404 of a name that exists nowhere.
rqa "$TB" GET "/v1/hosts/nothere-$FX_ID.dyn.test"
NOWHERE=$RQ_BODY

# case METHOD PATH: B's request on A's resource; prints "TOKEN|BODY".
case_for() {
	case "$1 $2" in
	"DELETE /v1/tokens/{id}") echo "$TB|/v1/tokens/$TA_ID|" ;;
	"GET /v1/hosts/{name}" | "DELETE /v1/hosts/{name}" | "GET /v1/hosts/{name}/tokens" | \
		"GET /v1/hosts/{name}/events" | "GET /v1/hosts/{name}/setup" | \
		"DELETE /v1/hosts/{name}/acme-challenge")
		echo "$TB|${2/\{name\}/$HA}|" ;;
	"PATCH /v1/hosts/{name}") echo "$TB|/v1/hosts/$HA|{\"ipv4\":\"192.0.2.66\"}" ;;
	"POST /v1/hosts/{name}/tokens") echo "$TB|/v1/hosts/$HA/tokens|{\"label\":\"x\"}" ;;
	"DELETE /v1/hosts/{name}/tokens/{id}") echo "$TB|/v1/hosts/$HA/tokens/$HTA_ID|" ;;
	"PATCH /v1/hosts/{name}/tokens/{id}") echo "$TB|/v1/hosts/$HA/tokens/$HTA_ID|{\"label\":\"bob\"}" ;;
	"PUT /v1/hosts/{name}/acme-challenge") echo "$TB|/v1/hosts/$HA/acme-challenge|{\"value\":\"bob\"}" ;;
	"PATCH /v1/zones/{name}") echo "$TB|/v1/zones/alice.test|{\"primary\":\"$BIND_PRIMARY\"}" ;;
	"DELETE /v1/zones/{name}") echo "$TB|/v1/zones/alice.test|" ;;
	*) echo "" ;;
	esac
}

before=$(rest_dump)
ncase=0
while read -r method path; do
	spec=$(case_for "$method" "$path")
	case "$path" in
	*"{"*)
		if [[ -z $spec ]]; then
			it_eq "a case" "none" "route $method $path has an isolation case"
			continue
		fi
		IFS='|' read -r tok url body <<<"$spec"
		if [[ -n $body ]]; then rqa "$tok" "$method" "$url" "$body"; else rqa "$tok" "$method" "$url"; fi
		it_status 404 "B on A: $method $path"
		[[ $method == GET && $path == "/v1/hosts/{name}" ]] &&
			it_eq "$(jq -c 'del(.detail)' <<<"$NOWHERE")" "$(jq -c 'del(.detail)' <<<"$RQ_BODY")" "same 404 as a name that does not exist"
		ncase=$((ncase + 1))
		;;
	esac
done < <("$DDNSD" routes)
it_eq "$before" "$(rest_dump)" "B's requests changed nothing"
it_ok test "$ncase" -ge 10

# Host tokens: A's router token on B's host, B's router token on A's host.
rqa "$HTA" PUT "/v1/hosts/$HB/acme-challenge" '{"value":"x"}'
it_status 404 "A's host token on B's host"
rqa "$HTB" DELETE "/v1/hosts/$HA/acme-challenge"
it_status 404 "B's host token on A's host"

# Collections: each sees only its own.
rqa "$TB" GET /v1/hosts
it_eq "$HB" "$(jf '[.items[].name]|join(",")')" "B lists only B's hosts"
rqa "$TB" GET /v1/tokens
it_eq 1 "$(jf '.items|length')" "B lists only B's tokens"
rqa "$TB" GET /v1/zones
it_eq "dyn.test,other.test" "$(jf '[.items[].name]|join(",")')" "B does not see A's private zone"
rqa "$TA" GET /v1/zones
it_eq "alice.test,dyn.test,other.test" "$(jf '[.items[].name]|join(",")')" "A sees its private zone"
rqa "$TB" POST /v1/hosts '{"name":"x.alice.test"}'
it_status 422 "B cannot create hosts in A's zone"
rqa "$TB" GET "/v1/hosts?cursor=$HA"
it_eq "" "$(jf '[.items[].name|select(. == "'"$HA"'")]|join(",")')" "a cursor naming A's host shows nothing of A"
it_eq "$before" "$(rest_dump | grep -v '^h|[0-9]*|[0-9]*|x.alice.test')" "still nothing of A changed"

# A still has everything, unchanged in DNS.
rqa "$TA" GET "/v1/hosts/$HA"
it_eq "192.0.2.1" "$(jf .ipv4)" "A's host intact"
it_ok it_wait_dig "$HA" A 192.0.2.1
it_ok it_wait_dig "_acme-challenge.$HA" TXT '"alice"'
it_done
