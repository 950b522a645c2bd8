# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Helpers for the REST API tests (test_rest_*.sh), on top of lib.sh and
# fixtures.sh. JSON is read with jq.
#
# Every REST request goes through Stoplight Prism's validating proxy
# (`prism proxy api/openapi.json $DDNS_URL --errors`), started after each
# it_start_ddnsd: a request or an answer that api/openapi.json does not
# describe comes back as Prism's own problem (type
# https://stoplight.io/prism/errors#..., e.g. 500 VIOLATIONS, 422
# UNPROCESSABLE_ENTITY, 404 NO_PATH_MATCHED_ERROR) or with an sl-violations
# header, and rq records a FAIL with Prism's words. Two named ways around:
#   rq_invalid WHY rq|rqa ...  the request breaks the document on purpose
#       (unknown field, wrong type, wrong content type): through a second
#       Prism that does not validate requests; the answer is still checked.
#   rq_direct WHY rq|rqa ...   what Prism cannot carry unchanged (malformed
#       JSON, duplicate keys, raw bytes, no credentials, undocumented paths
#       and methods): straight to ddnsd, nothing checked.
# Env out (after it_start_ddnsd): DDNS_API_URL, DDNS_API_LAX_URL.

REST_PRISM=${REST_PRISM:-$SVC_PRISM}
REST_PRISM_MARK='https://stoplight.io/prism/errors#'
_rest_prism_upstream='' _rest_prism_pids=()
it_on_exit rest_prism_stop

# rest_prism_stop: stops the proxies (no-op if none).
rest_prism_stop() {
	local pid
	for pid in "${_rest_prism_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${_rest_prism_pids[@]}"; do
		_svc_wait_dead "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
	done
	_rest_prism_pids=() _rest_prism_upstream=''
}

# rest_prism_start: (re)starts both proxies in front of $DDNS_URL on
# loopback and waits until they forward. Run by it_start_ddnsd.
rest_prism_start() {
	local doc=${DDNS_SOURCE_DIR:-$IT_LIB_DIR/../..}/api/openapi.json i pid url urls=()
	local t0=${EPOCHREALTIME/./} log
	[[ $_rest_prism_upstream != "$DDNS_URL" ]] || return 0
	rest_prism_stop
	[[ -x $REST_PRISM ]] || {
		echo "rest_fixtures: error: no Prism at $REST_PRISM (svc_install_deps installs it)" >&2
		return 1
	}
	: >"$IT_TMP/prism.log"
	: >"$IT_TMP/prism-lax.log"
	# Port 0: the kernel picks, Prism logs which. (A port chosen in
	# advance may be taken by another test in the seconds node needs to
	# start.) Not children of the test shell, so that a bare `wait`
	# does not wait for them; the pids come back through files.
	(
		"$REST_PRISM" proxy "$doc" "$DDNS_URL" --errors -h 127.0.0.1 -p 0 \
			</dev/null >>"$IT_TMP/prism.log" 2>&1 &
		echo $! >"$IT_TMP/prism.pid"
		"$REST_PRISM" proxy "$doc" "$DDNS_URL" --errors --validate-request=false \
			-h 127.0.0.1 -p 0 </dev/null >>"$IT_TMP/prism-lax.log" 2>&1 &
		echo $! >"$IT_TMP/prism-lax.pid"
	)
	_rest_prism_pids=("$(cat "$IT_TMP/prism.pid")" "$(cat "$IT_TMP/prism-lax.pid")")
	# Node takes seconds to start on a loaded machine (over a minute seen).
	for log in prism prism-lax; do
		pid=$(cat "$IT_TMP/$log.pid")
		url=''
		for ((i = 0; i < 3000; i++)); do
			url=$(grep -o -m 1 'listening on http://127\.0\.0\.1:[0-9]*' "$IT_TMP/$log.log") && break
			_svc_alive "$pid" || break
			sleep 0.1
		done
		url=${url#listening on }
		[[ -n $url ]] || {
			echo "rest_fixtures: error: Prism ($log) did not start:" >&2
			tail -n 20 "$IT_TMP/$log.log" >&2
			return 1
		}
		urls+=("$url")
	done
	DDNS_API_URL=${urls[0]} DDNS_API_LAX_URL=${urls[1]}
	export DDNS_API_URL DDNS_API_LAX_URL
	for url in "${urls[@]}"; do
		[[ $(curl -s -o /dev/null -w '%{http_code}' "$url/v1/openapi.json") == 200 ]] || {
			echo "rest_fixtures: error: Prism $url does not forward to $DDNS_URL" >&2
			return 1
		}
	done
	_rest_prism_upstream=$DDNS_URL
	t0=$((${EPOCHREALTIME/./} - t0))
	printf 'rest_fixtures: Prism %s (and %s) forwards to %s, up after %d.%02d s\n' \
		"$DDNS_API_URL" "$DDNS_API_LAX_URL" "$DDNS_URL" $((t0 / 1000000)) $((t0 % 1000000 / 10000)) >&2
}
it_on_start rest_prism_start

# rest_prism_violation: prints what Prism said about the last answer: its
# own problem body or the sl-violations header (nothing if it conforms).
rest_prism_violation() {
	local h
	if [[ $RQ_CT == application/problem+json* ]] &&
		jq -e --arg m "$REST_PRISM_MARK" '.type | strings | startswith($m)' \
			<<<"$RQ_BODY" >/dev/null 2>&1; then
		printf '%s %s' "$RQ_STATUS" "$RQ_BODY"
	fi
	h=$(grep -i '^sl-violations:' "$RQ_HDRS" 2>/dev/null | tr -d '\r') || true
	[[ -z $h ]] || printf ' %s' "$h"
}

# rq METHOD PATH [curl args...]: one request to ddnsd through Prism. Sets
# RQ_STATUS, RQ_BODY (the body), RQ_CT (content type) and RQ_HDRS
# (headers file); a violation of api/openapi.json is a FAIL.
rq() {
	local method=$1 path=$2 out base v
	shift 2
	case ${_RQ_VIA:-prism} in
	prism) base=${DDNS_API_URL:?rest_fixtures: no Prism (it_start_ddnsd starts it)} ;;
	lax) base=${DDNS_API_LAX_URL:?rest_fixtures: no Prism} ;;
	direct) base=$DDNS_URL ;;
	esac
	# A body without a Content-Type is JSON: the API takes nothing else
	# (curl's form default would be a request the document does not know).
	local a data=0 ctype=0
	for a; do
		case $a in
		-d | --data* | -F) data=1 ;;
		[Cc]ontent-[Tt]ype:*) ctype=1 ;;
		esac
	done
	((data == 0 || ctype == 1)) || set -- -H 'Content-Type: application/json' "$@"
	out=$(curl -s -X "$method" -D "$IT_TMP/rq.hdrs" -o "$IT_TMP/rq.body" \
		-w '%{http_code} %{content_type}' "$@" "$base$path") || {
		RQ_STATUS=000 RQ_BODY='' RQ_CT=''
		return 0
	}
	RQ_STATUS=${out%% *}
	RQ_CT=${out#* }
	RQ_BODY=$(cat "$IT_TMP/rq.body")
	RQ_HDRS=$IT_TMP/rq.hdrs
	[[ ${_RQ_VIA:-prism} != direct ]] || return 0
	v=$(rest_prism_violation)
	[[ -n $v ]] || return 0
	# Also on stderr: rq may run inside $(...), which swallows stdout.
	printf 'rest_fixtures: %s %s: api/openapi.json violated: %s\n' "$method" "$path" "$v" >&2
	it_eq "" "$v" "$method $path: request and answer as api/openapi.json describes them"
}

# rq_invalid WHY CMD ARGS...: CMD (rq or rqa) with a request that breaks
# the document on purpose (WHY says how); the answer is still validated.
rq_invalid() {
	[[ -n $1 ]] || { echo "rest_fixtures: rq_invalid: say why" >&2; return 1; }
	shift
	_RQ_VIA=lax "$@"
}

# rq_direct WHY CMD ARGS...: CMD (rq or rqa) straight to ddnsd, for what
# Prism cannot carry unchanged (WHY says what); nothing is validated.
rq_direct() {
	[[ -n $1 ]] || { echo "rest_fixtures: rq_direct: say why" >&2; return 1; }
	shift
	_RQ_VIA=direct "$@"
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
		curl -s -o "$IT_TMP/race.body.$i" -w '%{http_code}\n' -X POST -H "Authorization: Bearer $tok" \
			-H 'Content-Type: application/json' --data-binary "$body" \
			"$DDNS_API_URL$path" >"$IT_TMP/race.$i" &
		pids+=($!)
	done
	wait "$lock" "${pids[@]}"
	# A violation shows up as Prism's status in the tally; say which.
	if grep -l -F -e "$REST_PRISM_MARK" "$IT_TMP"/race.body.* >/dev/null 2>&1; then
		printf 'rest_fixtures: race_posts %s: api/openapi.json violated: %s\n' "$path" \
			"$(cat "$(grep -l -F -e "$REST_PRISM_MARK" "$IT_TMP"/race.body.* | head -n 1)")" >&2
	fi
	sort "$IT_TMP"/race.[0-9]* | uniq -c | awk '{printf "%s x %s, ", $1, $2}'
}

# rq_header NAME: the value of header NAME of the last answer (names are
# case-insensitive: Prism forwards them in lower case).
rq_header() {
	awk -v n="$1" 'BEGIN { n = tolower(n) ":" }
		{ sub(/\r$/, "") }
		tolower(substr($0, 1, length(n))) == n { v = substr($0, length(n) + 1); sub(/^[ \t]+/, "", v); print v }' \
		"$RQ_HDRS"
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
