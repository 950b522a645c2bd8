# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Helpers for the REST API tests (test_rest_*.sh), on top of lib.sh and
# fixtures.sh. JSON is read with jq.

# rq METHOD PATH [curl args...]: one request to ddnsd. Sets RQ_STATUS,
# RQ_BODY (the body), RQ_CT (content type) and RQ_HDRS (headers file).
rq() {
	local method=$1 path=$2 out
	shift 2
	out=$(curl -s -X "$method" -D "$IT_TMP/rq.hdrs" -o "$IT_TMP/rq.body" \
		-w '%{http_code} %{content_type}' "$@" "$DDNS_URL$path") || {
		RQ_STATUS=000 RQ_BODY='' RQ_CT=''
		return 0
	}
	RQ_STATUS=${out%% *}
	RQ_CT=${out#* }
	RQ_BODY=$(cat "$IT_TMP/rq.body")
	RQ_HDRS=$IT_TMP/rq.hdrs
}

# rqa TOKEN METHOD PATH [JSON]: a request with a Bearer token and an
# optional JSON body.
rqa() {
	local tok=$1 method=$2 path=$3
	if [[ $# -ge 4 ]]; then
		rq "$method" "$path" -H "Authorization: Bearer $tok" \
			-H 'Content-Type: application/json' --data-binary "$4"
	else
		rq "$method" "$path" -H "Authorization: Bearer $tok"
	fi
}

# race_posts TOKEN TABLE PATH BODY...: POSTs every BODY to PATH at once
# while TABLE is locked for a second, so that the requests reach their
# statements together and race for real. Prints "N x STATUS, " per status.
race_posts() {
	local tok=$1 table=$2 path=$3 lock i=0 body pids=()
	shift 3
	rm -f "$IT_TMP"/race.*
	fx_psql "BEGIN; LOCK TABLE $table IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(1); COMMIT" >/dev/null &
	lock=$!
	sleep 0.3
	for body; do
		i=$((i + 1))
		curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $tok" \
			-H 'Content-Type: application/json' --data-binary "$body" \
			"$DDNS_URL$path" >"$IT_TMP/race.$i" &
		pids+=($!)
	done
	wait "$lock" "${pids[@]}"
	sort "$IT_TMP"/race.* | uniq -c | awk '{printf "%s x %s, ", $1, $2}'
}

# jf FILTER: jq -r FILTER on the last body.
jf() { jq -r "$1" <<<"$RQ_BODY"; }

# rest_account EMAIL PASSWORD: an account with a password (CLI).
rest_account() {
	printf '%s\n' "$2" | "$DDNSD" account add "$1" --password-stdin >/dev/null
}

# rest_token EMAIL PASSWORD SCOPES_JSON: mints an account token, prints it.
rest_token() {
	rq POST /v1/tokens -u "$1:$2" -H 'Content-Type: application/json' \
		--data-binary "{\"name\":\"test\",\"scopes\":$3}"
	[[ $RQ_STATUS == 201 ]] || {
		printf 'rest_fixtures: minting a token for %s: %s %s\n' "$1" "$RQ_STATUS" "$RQ_BODY" >&2
		return 1
	}
	jf .token
}

# is_problem: the last answer is problem+json with the RFC 9457 members
# and a status member equal to the HTTP status.
is_problem() {
	[[ $RQ_CT == application/problem+json* ]] &&
		jq -e --argjson s "$RQ_STATUS" \
			'(.type|type=="string") and (.title|type=="string") and .status==$s and (.detail|type=="string")' \
			<<<"$RQ_BODY" >/dev/null
}

# it_status EXPECTED MSG: checks RQ_STATUS (and problem+json for >= 400).
it_status() {
	if [[ $1 -ge 400 ]] && [[ $RQ_STATUS == "$1" ]] && ! is_problem; then
		it_eq "problem+json" "$RQ_CT $RQ_BODY" "$2: problem+json body"
		return
	fi
	it_eq "$1" "$RQ_STATUS" "$2${RQ_BODY:+ [$(head -c 200 <<<"$RQ_BODY")]}"
}

# rest_dump: the tenant tables, in a stable order (isolation checks).
rest_dump() {
	fx_psql "SELECT 'h', id, account_id, fqdn, ipv4, ipv6, ttl, offline, version, deleted_at FROM hosts ORDER BY id;
		SELECT 'ht', id, host_id, public_id, label, last_used_at FROM host_tokens ORDER BY id;
		SELECT 'at', id, account_id, public_id, name, scopes, expires_at FROM api_tokens ORDER BY id;
		SELECT 'ac', id, host_id, value FROM acme_challenges ORDER BY id;
		SELECT 'e', id, host_id, result, ipv4, ipv6, via FROM host_events ORDER BY id;
		SELECT 'a', id, email, max_hosts FROM accounts ORDER BY id;
		SELECT 'z', id, name, owner_account_id FROM zones ORDER BY id"
}
