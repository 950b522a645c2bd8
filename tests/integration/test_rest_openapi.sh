#!/bin/bash
# SPDX-License-Identifier: MIT
# api/openapi.json and the REST route table agree: every route the router
# knows is documented, every documented operation is routed, and each is
# exercised (answers something other than "no such route"/405); every
# operation has an operationId (camelCase, unique), tags and a description.
# rest_fixtures.sh sends every request through Prism, which checks the
# answers against the document.
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
ops='.paths | to_entries[] | .key as $p | .value | to_entries[]
	| select(.key != "parameters") | .value + {op: "\(.key | ascii_upcase) \($p)"}'
it_eq "" "$(jq -r "$ops"' | select((.operationId | type) != "string"
	or (.operationId | test("^[a-z][a-zA-Z0-9]*$") | not)) | .op' "$doc")" "every operation has a camelCase operationId"
it_eq "" "$(jq -r "[$ops | .operationId] | group_by(.) | map(select(length > 1)[0]) | .[]" "$doc")" \
	"operationIds are unique"
it_eq "" "$(jq -r "$ops"' | select((.tags | type) != "array" or (.tags | length) == 0
	or any(.tags[]; type != "string" or . == "")) | .op' "$doc")" "every operation has tags"
it_eq "" "$(jq -r "$ops"' | select((.description | type) != "string" or (.description | length) < 20) | .op' "$doc")" \
	"every operation has a description"
# Every object in a 2xx JSON answer lists its members and allows no
# others, so that Prism fails an answer carrying an undocumented field.
it_eq "" "$(jq -r '. as $doc
	| def resolve: if has("$ref") then $doc.components.schemas[.["$ref"] | split("/") | last] else . end;
	  def walks: resolve | ., ((.properties // {})[] | walks), (.items // empty | objects | walks);
	  .paths | to_entries[] | .key as $p | .value | to_entries[] | select(.key != "parameters")
	  | "\(.key | ascii_upcase) \($p)" as $op
	  | .value.responses | to_entries[] | select(.key | startswith("2"))
	  | .value.content["application/json"].schema // empty | walks
	  | select(has("properties") and .additionalProperties != false)
	  | "\($op): {\(.properties | keys | join(","))}"' "$doc")" "answers allow no undocumented members"
# Credentials make Prism forward every route; the requests lack their
# bodies, so they go to the Prism that does not check requests.
rest_account openapi@example.com 'correct horse battery'
TOK=$(rest_token openapi@example.com 'correct horse battery' '["read","write"]')
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
	# 1. Without credentials or body, straight to ddnsd (Prism would
	# answer 401 itself): its own answer, checked exactly below.
	rq_direct "no credentials" rq "$method" "$url"
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
	code=$(jq -r --arg p "$path" --arg m "${method,,}" '.paths[$p][$m].responses | keys | join(" ")' "$doc")
	it_match "(^| )$RQ_STATUS( |$)" "$code" "$method $path: $RQ_STATUS (no credentials) is documented"
	# 2. With credentials, through Prism (which checks the answer against
	# the document); without a body, so past the request check.
	if [[ $path == /v1/tokens && $method == POST ]]; then
		rq_invalid "no body" rq "$method" "$url" -u 'openapi@example.com:correct horse battery'
	else
		rq_invalid "no body" rqa "$TOK" "$method" "$url"
	fi
	it_match "(^| )$RQ_STATUS( |$)" "$code" "$method $path: $RQ_STATUS (with credentials) is documented"
done <<<"$routes"
rq_direct "a path the document does not know" rq GET /v1/hosts/x.dyn.test/nothing
it_eq 404 "$RQ_STATUS" "an undocumented path is 404"
it_done
