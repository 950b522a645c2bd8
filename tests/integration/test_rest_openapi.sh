#!/bin/bash
# SPDX-License-Identifier: MIT
# api/openapi.json and the REST route table agree: every route the router
# knows is documented, every documented operation is routed, and each is
# exercised (answers something other than "no such route"/405).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

it_setup
"$DDNSD" migrate >/dev/null
it_start_ddnsd
doc=$DDNS_SOURCE_DIR/api/openapi.json
it_eq "3.1.0" "$(jq -r .openapi "$doc")" "OpenAPI 3.1"
routes=$("$DDNSD" routes | LC_ALL=C sort)
documented=$(jq -r '.paths | to_entries[] | .key as $p | .value | keys[]
	| select(. != "parameters") | "\(ascii_upcase) \($p)"' "$doc" | LC_ALL=C sort)
it_ok test "$(wc -l <<<"$routes")" -ge 17
it_eq "" "$(comm -23 <(echo "$routes") <(echo "$documented"))" "every route is in openapi.json"
it_eq "" "$(comm -13 <(echo "$routes") <(echo "$documented"))" "every documented operation is routed"
# The answer each route gives to a request without credentials or body:
# an operation that needs a token (its own or the document's security) is
# 401 problem+json asking for a Bearer token; the public ones and the
# e-mail:password login are listed with their answer.
security() {
	jq -c --arg p "$1" --arg m "${2,,}" '.paths[$p][$m].security // .security' "$doc"
}
while read -r method path; do
	url=${path//\{name\}/x.dyn.test}
	url=${url//\{id\}/aaaaaaaaaaaaaaaaaaaa}
	rq "$method" "$url"
	if [[ $RQ_STATUS == 405 ]] || { [[ $RQ_STATUS == 404 ]] && [[ $(jf .detail) == "no such resource" ]]; }; then
		it_eq "routed" "$RQ_STATUS $RQ_BODY" "$method $path is routed"
	fi
	sec=$(security "$path" "$method")
	case "$method $path" in
	"GET /v1/openapi.json")
		it_eq "200 application/json" "$RQ_STATUS $RQ_CT" "$method $path: 200 JSON"
		it_eq "$(jq -S . "$doc")" "$(jq -S . <<<"$RQ_BODY" 2>&1)" "$method $path: the document itself"
		;;
	"POST /v1/accounts")
		it_status 403 "$method $path: self-signup is closed by default"
		it_match "self-signup" "$(jf .detail)" "$method $path: detail says why"
		;;
	"POST /v1/tokens")
		it_status 400 "$method $path (e-mail:password login) without a body"
		it_match "^body" "$(jf .detail)" "$method $path: detail names the body"
		;;
	*)
		if [[ $sec == "[]" ]]; then
			# A public route not listed above: at least a
			# well-formed answer (add its exact answer here).
			if [[ $RQ_STATUS -ge 400 ]]; then
				it_status "$RQ_STATUS" "$method $path (public): problem+json"
			else
				it_match '^2[0-9][0-9] application/json' "$RQ_STATUS $RQ_CT" "$method $path (public): a JSON answer"
			fi
			it_match '^[234]' "$RQ_STATUS" "$method $path (public): no server error"
		else
			it_status 401 "$method $path ($sec) without credentials"
			it_match '^WWW-Authenticate: Bearer' "$(grep -i '^WWW-Authenticate' "$RQ_HDRS" | tr -d '\r')" "$method $path: 401 asks for a Bearer token"
		fi
		;;
	esac
	# Each documented response code list holds what the route answered.
	code=$(jq -r --arg p "$path" --arg m "${method,,}" '.paths[$p][$m].responses | keys | join(" ")' "$doc")
	it_match "(^| )$RQ_STATUS( |$)" "$code" "$method $path: $RQ_STATUS is documented"
done <<<"$routes"
rq GET /v1/hosts/x.dyn.test/nothing
it_eq 404 "$RQ_STATUS" "an undocumented path is 404"
it_done
