#!/bin/bash
# SPDX-License-Identifier: MIT
# Console sessions over real HTTP against PostgreSQL: POST/GET/DELETE
# /v1/session, the cookie's flags (plain HTTP, native TLS, a trusted
# proxy's X-Forwarded-Proto), only a hash stored, idle and absolute
# lifetimes, the Origin / Sec-Fetch-Site check on cookie writes (403 and
# nothing changed), login limits, password change ending other sessions,
# Bearer tokens unchanged. Each answer is checked against the status codes
# api/openapi.json documents for its operation.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

it_setup
fx_base
PW='correct horse battery'
PW2='staple battery horse'
doc=$DDNS_SOURCE_DIR/api/openapi.json
rest_account owner@example.com "$PW"
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_AUTH_FAIL_MAX=

# documented METHOD PATH: the last status is among the operation's responses.
documented() {
	local codes
	codes=$(jq -r --arg p "$2" --arg m "${1,,}" '.paths[$p][$m].responses | keys | join(" ")' "$doc")
	it_match "(^| )$RQ_STATUS( |$)" "$codes" "$1 $2: $RQ_STATUS is documented"
}
# cookie FILE: the session cookie's value in a curl cookie jar.
cookie() { awk '$6 == "ddnsd_session" { print $7 }' "$1"; }
setcookie() { grep -i '^Set-Cookie:' "$RQ_HDRS" | tr -d '\r' | sed 's/^[^:]*: //'; }
login() { # login JAR [EMAIL] [PASSWORD] [curl args...]
	local jar=$1 email=${2:-owner@example.com} pw=${3:-$PW}
	shift 3 2>/dev/null || shift $#
	rq POST /v1/session -c "$jar" -b "$jar" -H 'Content-Type: application/json' \
		--data-binary "{\"email\":\"$email\",\"password\":\"$pw\"}" "$@"
}
O="Origin: $DDNS_URL"

# --- signed out ---------------------------------------------------------------
rq GET /v1/session
it_status 200 "GET /v1/session signed out: 200, no failing request"
it_eq "null" "$(jf .account)" "account is null"
it_eq "false" "$(jf .signup)" "and says sign-up is closed"
documented GET /v1/session
rq GET /v1/session -H 'Cookie: ddnsd_session=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8'
it_eq "200 null" "$RQ_STATUS $(jf .account)" "an unknown session: signed out"
it_match 'Max-Age=0' "$(setcookie)" "and the browser is told to drop the cookie"

# --- sign in --------------------------------------------------------------------
login "$IT_TMP/j1" owner@example.com 'wrong password!!'
it_status 401 "wrong password"
it_eq "wrong e-mail or password" "$(jf .detail)" "detail in words"
it_eq "" "$(grep -i "^WWW-Authenticate: Basic" "$RQ_HDRS" || true)" "no Basic challenge (a browser would pop up a dialog)"
it_eq "" "$(setcookie)" "no cookie"
documented POST /v1/session
login "$IT_TMP/j1" nobody@example.com "$PW"
it_status 401 "unknown e-mail: the same 401"
rq_invalid "no password" rq POST /v1/session --data-binary '{"email":"owner@example.com"}'
it_status 400 "missing password"
login "$IT_TMP/j1" owner@example.com "$PW" -H "Origin: http://evil.example"
it_status 403 "sign-in from another site (Origin) refused"
login "$IT_TMP/j1" owner@example.com "$PW" -H "Sec-Fetch-Site: cross-site"
it_status 403 "sign-in from another site (Sec-Fetch-Site) refused"
login "$IT_TMP/j1" owner@example.com "$PW" -H "$O"
it_status 201 "sign in"
documented POST /v1/session
it_eq "owner@example.com" "$(jf .account.email)" "answer names the account"
c=$(setcookie)
it_match '^ddnsd_session=[A-Za-z0-9_-]{43}; ' "$c" "cookie: 43 base64url characters (256 bits)"
it_match '; HttpOnly' "$c" "HttpOnly"
it_match '; SameSite=Strict' "$c" "SameSite=Strict"
it_match '; Path=/;' "$c" "Path=/"
it_match '; Max-Age=43200' "$c" "Max-Age = the absolute lifetime (default 12 h)"
it_eq "" "$(grep -o 'Secure' <<<"$c" || true)" "not Secure over plain HTTP"
S1=$(cookie "$IT_TMP/j1")
it_eq "1" "$(fx_psql "SELECT count(*) FROM sessions")" "one session row"
raw=$(printf '%s' "$S1" | tr -- '-_' '+/' | sed 's/$/=/' | base64 -d | od -An -tx1 | tr -d ' \n')
it_eq "0" "$(fx_psql "SELECT count(*) FROM sessions WHERE encode(secret_hash, 'hex') = '$raw'")" "the secret is not stored"
want=$(python3 -c 'import hashlib,sys; print(hashlib.blake2b(bytes.fromhex(sys.argv[1]), digest_size=32).hexdigest())' "$raw")
it_eq "$want" "$(fx_psql "SELECT encode(secret_hash, 'hex') FROM sessions")" "its BLAKE2b-256 hash is (as for tokens; no pepper here)"
it_eq "32" "$(fx_psql "SELECT length(secret_hash) FROM sessions")" "a 32-byte hash is"

rq GET /v1/session -b "$IT_TMP/j1"
it_eq "200 owner@example.com" "$RQ_STATUS $(jf .account.email)" "GET /v1/session signed in"
rq GET /v1/hosts -b "$IT_TMP/j1"
it_status 200 "the cookie reads /v1 like an account token"
rq POST /v1/hosts -b "$IT_TMP/j1" -H "$O" --data-binary '{"name":"web.dyn.test"}'
it_status 201 "a write with the cookie and our Origin"
rq PATCH /v1/hosts/web.dyn.test -b "$IT_TMP/j1" -H 'Sec-Fetch-Site: same-origin' --data-binary '{"ttl":300}'
it_status 200 "a write with the cookie and Sec-Fetch-Site: same-origin, no Origin"

rq POST /v1/hosts/web.dyn.test/tokens -b "$IT_TMP/j1" -H "$O" --data-binary '{}'
it_status 201 "a router token with the cookie"
tid=$(jf .id)
rq PATCH "/v1/hosts/web.dyn.test/tokens/$tid" -b "$IT_TMP/j1" -H "$O" --data-binary '{"label":"FRITZ!Box"}'
it_status 200 "its label edited afterwards (PATCH)"
it_eq "FRITZ!Box null" "$(jf .label) $(jf .token)" "the new label, and no secret"
documented PATCH "/v1/hosts/{name}/tokens/{id}"
rq PATCH "/v1/hosts/web.dyn.test/tokens/$tid" -b "$IT_TMP/j1" -H "$O" --data-binary '{"label":"a\u0007b"}'
it_status 400 "a control character in the label"
rq PATCH "/v1/hosts/web.dyn.test/tokens/aaaaaaaaaaaaaaaaaaaa" -b "$IT_TMP/j1" -H "$O" --data-binary '{"label":"x"}'
it_status 404 "an unknown token"

# --- cross-origin writes ---------------------------------------------------------
before=$(rest_dump)
for h in "Origin: http://evil.example" "Origin: null" "Origin: ${DDNS_URL/http:/https:}" \
	"Origin: $DDNS_URL.evil.example" "Sec-Fetch-Site: cross-site" "Sec-Fetch-Site: same-site" "X-None: 1"; do
	rq POST /v1/hosts -b "$IT_TMP/j1" -H "$h" --data-binary '{"name":"csrf.dyn.test"}'
	it_status 403 "cookie POST with '$h' refused"
	rq DELETE /v1/hosts/web.dyn.test -b "$IT_TMP/j1" -H "$h"
	it_status 403 "cookie DELETE with '$h' refused"
	rq PATCH "/v1/hosts/web.dyn.test/tokens/$tid" -b "$IT_TMP/j1" -H "$h" --data-binary '{"label":"csrf"}'
	it_status 403 "cookie PATCH with '$h' refused"
done
documented POST /v1/hosts
rq POST /v1/hosts/web.dyn.test/tokens -b "$IT_TMP/j1" -H "Origin: http://evil.example" --data-binary '{"label":"x"}'
it_status 403 "cookie token creation cross-origin refused"
rq POST /v1/tokens -b "$IT_TMP/j1" -H "Origin: http://evil.example" --data-binary '{"name":"x","scopes":["read"]}'
it_status 403 "cookie account token cross-origin refused"
it_eq "$before" "$(rest_dump)" "nothing changed by any refused request"

# --- account tokens with the session ---------------------------------------------
rq POST /v1/tokens -b "$IT_TMP/j1" -H "$O" --data-binary '{"name":"from console","scopes":["read"],"expires_in":3600}'
it_status 201 "POST /v1/tokens with the session (no password again)"
RT=$(jf .token)
rqa "$RT" GET /v1/hosts
it_status 200 "the minted token works"
rq GET /v1/hosts -H "Authorization: Bearer $RT" -b "$IT_TMP/j1"
it_status 200 "Bearer and cookie: Bearer wins"
rq POST /v1/hosts -H "Authorization: Bearer $RT" -b "$IT_TMP/j1" -H "$O" --data-binary '{"name":"ro.dyn.test"}'
it_status 403 "a read token stays read-only with a cookie beside it"

# --- password change ------------------------------------------------------------
login "$IT_TMP/j2" owner@example.com "$PW" -H "$O"
it_status 201 "a second session (another browser)"
AT=$(rest_token owner@example.com "$PW" '["read","write"]')
rq POST /v1/account/password -b "$IT_TMP/j1" -H "$O" --data-binary "{\"current_password\":\"wrong password!!\",\"new_password\":\"$PW2\"}"
it_status 403 "wrong current password"
it_match "^current_password" "$(jf .detail)" "detail names current_password"
documented POST /v1/account/password
rq_invalid "too short" rq POST /v1/account/password -b "$IT_TMP/j1" -H "$O" --data-binary "{\"current_password\":\"$PW\",\"new_password\":\"short\"}"
it_status 400 "new password too short"
it_match "^new_password" "$(jf .detail)" "detail names new_password"
rq POST /v1/account/password -b "$IT_TMP/j1" -H "Origin: http://evil.example" --data-binary "{\"current_password\":\"$PW\",\"new_password\":\"$PW2\"}"
it_status 403 "password change cross-origin refused"
rq POST /v1/account/password -b "$IT_TMP/j1" -H "$O" --data-binary "{\"current_password\":\"$PW\",\"new_password\":\"$PW2\"}"
it_status 200 "password changed"
it_eq "1" "$(jf .sessions_ended)" "one other session ended"
documented POST /v1/account/password
rq GET /v1/hosts -b "$IT_TMP/j1"
it_status 200 "this session goes on"
rq GET /v1/hosts -b "$IT_TMP/j2"
it_status 401 "the other browser's session has ended"
it_match "session has ended" "$(jf .detail)" "detail says so"
rqa "$AT" GET /v1/hosts
it_status 200 "Bearer tokens keep working"
login "$IT_TMP/j3" owner@example.com "$PW"
it_status 401 "the old password no longer signs in"
login "$IT_TMP/j3" owner@example.com "$PW2"
it_status 201 "the new one does"
rqa "$AT" POST /v1/account/password "{\"current_password\":\"$PW2\",\"new_password\":\"$PW\"}"
it_status 200 "password change with a Bearer token"
it_eq "2" "$(jf .sessions_ended)" "ends every session"
login "$IT_TMP/j1" owner@example.com "$PW" -H "$O"
it_status 201 "sign in again"

# --- sign out ------------------------------------------------------------------
cp "$IT_TMP/j1" "$IT_TMP/stolen"
rq DELETE /v1/session -b "$IT_TMP/j1" -H "Origin: http://evil.example"
it_status 403 "sign-out from another site refused"
rq DELETE /v1/session -b "$IT_TMP/j1" -c "$IT_TMP/j1" -H "$O"
it_status 204 "sign out"
documented DELETE /v1/session
it_match 'Max-Age=0' "$(setcookie)" "the cookie is removed"
rq GET /v1/hosts -b "$IT_TMP/stolen"
it_status 401 "a copy of the cookie stops working at once"
rq DELETE /v1/session
it_status 204 "sign out without a session: 204"

# --- another account's session --------------------------------------------------
rest_account other@example.com "$PW"
login "$IT_TMP/jo" other@example.com "$PW" -H "$O"
it_status 201 "another account signs in"
rq GET /v1/hosts/web.dyn.test -b "$IT_TMP/jo"
it_status 404 "its session does not see the first account's host"
before=$(rest_dump)
rq PATCH /v1/hosts/web.dyn.test -b "$IT_TMP/jo" -H "$O" --data-binary '{"ipv4":"192.0.2.66"}'
it_status 404 "nor change it"
rq DELETE /v1/hosts/web.dyn.test -b "$IT_TMP/jo" -H "$O"
it_status 404 "nor delete it"
it_eq "$before" "$(rest_dump)" "nothing changed"
it_eq "0" "$(jq '.items | length' <<<"$(curl -s -b "$IT_TMP/jo" "$DDNS_URL/v1/hosts")")" "its host list is empty"

# --- lifetimes ---------------------------------------------------------------------
login "$IT_TMP/j4" owner@example.com "$PW" -H "$O"
fx_psql "UPDATE sessions SET last_seen_at = now() - interval '3599 seconds' WHERE account_id = (SELECT id FROM accounts WHERE email = 'owner@example.com')" >/dev/null
rq GET /v1/hosts -b "$IT_TMP/j4"
it_status 200 "used within the idle lifetime (1 h)"
it_eq "t" "$(fx_psql "SELECT bool_and(last_seen_at > now() - interval '5 seconds') FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE email = 'owner@example.com')")" "a use moves last_seen_at"
fx_psql "UPDATE sessions SET last_seen_at = now() - interval '3601 seconds' WHERE account_id = (SELECT id FROM accounts WHERE email = 'owner@example.com')" >/dev/null
rq GET /v1/hosts -b "$IT_TMP/j4"
it_status 401 "idle longer than DDNS_SESSION_IDLE_S: ended"
login "$IT_TMP/j4" owner@example.com "$PW" -H "$O"
fx_psql "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE account_id = (SELECT id FROM accounts WHERE email = 'owner@example.com')" >/dev/null
rq GET /v1/hosts -b "$IT_TMP/j4"
it_status 401 "past the absolute lifetime: ended, although just used"
for i in $(seq 1 22); do login "$IT_TMP/many" owner@example.com "$PW" >/dev/null; rm -f "$IT_TMP/many"; done
it_eq "20" "$(fx_psql "SELECT count(*) FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE email = 'owner@example.com')")" "at most 20 sessions per account (expired and oldest go)"

it_start_ddnsd DDNS_SESSION_IDLE_S=60 DDNS_SESSION_MAX_S=120 DDNS_TRUSTED_PROXIES=127.0.0.1 DDNS_AUTH_FAIL_MAX=
login "$IT_TMP/j5" owner@example.com "$PW" -H 'X-Forwarded-Proto: https'
it_match '; Max-Age=120; .*; Secure$' "$(setcookie)" "Secure behind a trusted proxy saying https; Max-Age from DDNS_SESSION_MAX_S"
rq GET /v1/session -b "$IT_TMP/j5" -H 'X-Forwarded-Proto: https'
it_eq "60 120" "$(jf .idle_timeout) $(jf .max_lifetime)" "GET /v1/session reports the lifetimes"
rq POST /v1/hosts -b "$IT_TMP/j5" -H 'X-Forwarded-Proto: https' -H "Origin: https://127.0.0.1:$DDNSD_PORT" --data-binary '{"name":"tls.dyn.test"}'
it_status 201 "behind the proxy the service's origin is https://"
rq POST /v1/hosts -b "$IT_TMP/j5" -H 'X-Forwarded-Proto: https' -H "$O" --data-binary '{"name":"tls2.dyn.test"}'
it_status 403 "and http:// is another origin"
it_start_ddnsd DDNS_SESSION_IDLE_S=60 DDNS_SESSION_MAX_S=120 DDNS_AUTH_FAIL_MAX=
login "$IT_TMP/j6" owner@example.com "$PW" -H 'X-Forwarded-Proto: https'
it_eq "" "$(setcookie | grep -o Secure || true)" "X-Forwarded-Proto from an untrusted peer is ignored"
for v in DDNS_SESSION_IDLE_S=10 DDNS_SESSION_MAX_S=0 "DDNS_SESSION_IDLE_S=200 DDNS_SESSION_MAX_S=100" DDNS_CONSOLE=maybe; do
	# shellcheck disable=SC2086
	out=$(env $v "$DDNSD" serve 2>&1 >/dev/null) && rc=0 || rc=$?
	it_eq "2" "$rc" "bad setting '$v': exit 2"
	it_match "${v%%=*}" "$out" "the message names ${v%%=*}"
done

# --- login limits --------------------------------------------------------------------
it_start_ddnsd
# 10 at once, then one more every 6 s: on a busy machine the 10 argon2id
# checks may take longer than 6 s, so count until the limit answers.
n=0
while ((n < 30)); do
	n=$((n + 1))
	login "$IT_TMP/x" owner@example.com 'wrong password!!'
	[[ $RQ_STATUS == 401 ]] || break
done
it_eq "429" "$RQ_STATUS" "failed sign-ins end in 429 (after $n)"
it_ok test "$n" -ge 11
login "$IT_TMP/x" owner@example.com "$PW"
it_status 429 "then 429 even with the right password"
it_match '^[0-9]+$' "$(grep -i '^Retry-After:' "$RQ_HDRS" | tr -d '\r' | awk '{print $2}')" "with Retry-After"
documented POST /v1/session
rq POST /v1/tokens -u "owner@example.com:$PW" --data-binary '{"name":"x","scopes":["read"]}'
it_status 429 "the limit is shared with POST /v1/tokens"
it_done
