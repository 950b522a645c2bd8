#!/bin/bash
# SPDX-License-Identifier: MIT
# Secrets canary: a known host token and account password go through every
# route and error path (good, nochg, abuse, badauth, nohost, blocked, wrong
# secret with the canary's id, the canary as user name, in the query, in a
# form body, in Basic and Bearer, oversized requests, the CLI). The test
# fails if the canary secret shows up in any log line (ddnsd at debug level,
# the CLI, PostgreSQL's log), any response (headers or body) or /metrics.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
C="canary-$FX_ID.dyn.test"
"$DDNSD" host add "$C" --account a@example.com >/dev/null
CLI="$IT_TMP/cli.out"
CANARY=$("$DDNSD" token add "$C" --label canary 2>>"$CLI" | tail -n 1)
SECRET=${CANARY#ddh_*_}  # the public id (base32) holds no '_'
ID=${CANARY#ddh_}
ID=${ID%%_"$SECRET"}
PW="Canary-Pw-$(head -c 60 /dev/urandom | base64 | tr -dc 'A-Za-z' | head -c 24)"
printf '%s\n' "$PW" | "$DDNSD" account add canary@example.com --password-stdin >>"$CLI" 2>&1
PWTAIL=x${PW#Canary-Pw-} # one bare JSON token: a parser may quote it
it_match '^[A-Za-z0-9_-]{40,}$' "$SECRET" "canary secret extracted"

it_start_ddnsd DDNS_LOG_LEVEL=debug DDNS_PUSH_INTERVAL_MS=200 \
	DDNS_HOST_CHANGE_BURST=2 DDNS_HOST_NOCHG_PER_MIN=3 DDNS_AUTH_FAIL_MAX=40
OUT="$IT_TMP/responses"
: >"$OUT"
# req [curl args...] PATH: records headers and body; prints the status.
req() {
	printf '\n--- request\n' >>"$OUT" # not the URL: it holds the canary
	rm -f "$IT_TMP/body" # curl writes no file for an empty body
	curl -s -D - -o "$IT_TMP/body" -w '%{http_code}' "${@:1:$#-1}" "$DDNS_URL${!#}" >>"$OUT.hdr" 2>/dev/null || true
	cat "$IT_TMP/body" >>"$OUT" 2>/dev/null || true
	tail -c 3 "$OUT.hdr"
	printf '\n' >>"$OUT.hdr"
}
b64() { printf '%s' "$1" | base64 -w0; }
# body: the last answer's body, its lines joined by '|'.
body() { tr '\n' '|' <"$IT_TMP/body" 2>/dev/null || true; }
other=${TOK_B#ddh_*_}
wrong=${SECRET:0:${#SECRET}-2}AA
[[ $wrong != "$SECRET" ]] || wrong=${SECRET:0:${#SECRET}-2}BB
U="/nic/update?hostname=$C"

# Each path is proven by its answer: the status and the dyndns2 body.
it_eq "200 good 192.0.2.1|" "$(req -u "$C:$CANARY" "$U&myip=192.0.2.1") $(body)" "good"
it_eq "200 nochg 192.0.2.1|" "$(req -u "$C:$CANARY" "$U&myip=192.0.2.1") $(body)" "nochg"
for i in 1 2; do req -u "$C:$CANARY" "$U&myip=192.0.2.1" >/dev/null; done
it_eq "200 abuse|" "$(req -u "$C:$CANARY" "$U&myip=192.0.2.1") $(body)" "nochg flood: abuse"
it_eq "200 good 192.0.2.2|" "$(req -u "$C:$CANARY" "$U&myip=192.0.2.2") $(body)" "a change within the burst: good"
it_eq "200 abuse|" "$(req -u "$C:$CANARY" "$U&myip=192.0.2.3") $(body)" "change bucket: abuse"
it_eq "200 nohost|" "$(req -u "$C:$CANARY" "/nic/update?hostname=$HOST_B&myip=192.0.2.4") $(body)" "nohost"
it_eq "200 notfqdn|abuse|" "$(req -u "$C:$CANARY" "/nic/update?hostname=bad..name,$C&myip=192.0.2.4") $(body)" "notfqdn (and the host still in abuse)"
it_eq "400 dnserr|" "$(req -u "$C:$CANARY" "$U&myip=not-an-address") $(body)" "dnserr"
it_eq "200 numhost|" "$(req -u "$C:$CANARY" "/nic/update?hostname=$(printf 'n%d.dyn.test,' $(seq 1 21))") $(body)" "numhost"
it_eq 401 "$(req -u "$C:ddh_${ID}_$wrong" "$U&myip=192.0.2.5")" "wrong secret with the canary id"
it_eq 200 "$(req -u "$C:ddh_${TOK_B#ddh_}" "$U&myip=192.0.2.5")" "another host's token: nohost"
ob=${TOK_B#ddh_}
it_eq 401 "$(req -u "$C:ddh_${ob%%_*}_$SECRET" "$U&myip=192.0.2.5")" "canary secret with another token's id"
it_eq 401 "$(req -u "$C:dda_${ID}_$SECRET" "$U&myip=192.0.2.5")" "canary as an account-kind token"
it_eq 401 "$(req -u "$CANARY:x" "$U&myip=192.0.2.5")" "canary as the user name"
it_eq 401 "$(req -u "$C:$CANARY"x "$U&myip=192.0.2.5")" "canary with a byte appended"
it_eq 401 "$(req -H "Authorization: Basic $(b64 "$C:$CANARY")!!" "$U&myip=192.0.2.5")" "canary in broken Basic"
it_eq 401 "$(req -H "Authorization: Bearer $CANARY" "$U&myip=192.0.2.5")" "canary as Bearer on /nic/update"
it_eq 200 "$(req "$U&myip=192.0.2.1&username=$C&password=$CANARY")" "canary in the query string"
it_eq 401 "$(req "$U&myip=192.0.2.6&username=$CANARY&password=x")" "canary as username= in the query"
it_eq 401 "$(req "$U&myip=192.0.2.6&password=ddh_${ID}_$wrong")" "wrong secret with the canary id in the query"
it_eq 200 "$(req --data "hostname=$C&myip=192.0.2.1&password=$CANARY" /nic/update)" "canary in a form body"
it_eq 400 "$(req --data "hostname=$C&myip=192.0.2.6&password=$CANARY%zz" /nic/update)" "canary in a broken form body"
it_eq 200 "$(req -u "$C:$CANARY" "/nic/update?hostname=$CANARY&myip=192.0.2.1")" "canary as the hostname"
it_eq 400 "$(req -u "$C:$CANARY" "/nic/update?hostname=$C&myip=$CANARY")" "canary as the address"
it_eq 401 "$(req -u "canary@example.com:$PW" "$U&myip=192.0.2.7")" "account password on /nic/update"
it_eq 401 "$(req "$U&myip=192.0.2.7&password=$PW")" "account password in the query"
big=$(head -c 9000 /dev/zero | tr '\0' x)
it_eq 414 "$(req "$U&password=$CANARY&pad=$big")" "canary in an over-long URL"
it_eq 431 "$(req -u "$C:$CANARY" -H "X-Pad: $big" "$U")" "canary in over-long headers"
head -c 70000 /dev/zero | tr '\0' x >"$IT_TMP/big"
printf '&password=%s' "$CANARY" >>"$IT_TMP/big"
it_eq 413 "$(req -u "$C:$CANARY" --data-binary @"$IT_TMP/big" "$U")" "canary in an over-long body"
it_match '^40[45]$' "$(req -X PUT -u "$C:$CANARY" "$U&password=$CANARY")" "wrong method"
it_eq 404 "$(req -u "$C:$CANARY" "/nope?password=$CANARY")" "unknown path"
for p in /healthz /readyz /metrics; do
	req -u "$C:$CANARY" "$p?password=$CANARY" >/dev/null
	req -H "Authorization: Bearer $CANARY" "$p" >/dev/null
done
# REST routes: whatever they answer (or 404 while there is no REST API).
for p in /v1/hosts /v1/tokens /v1/account; do
	req -H "Authorization: Bearer $CANARY" "$p" >/dev/null
	req -u "canary@example.com:$PW" -X POST -H 'Content-Type: application/json' --data "{\"password\":\"$PW\",\"token\":\"$CANARY\"}" "$p" >/dev/null
	req -H 'Content-Type: application/json' -X POST --data "{\"password\":\"$PW\"" "$p" >/dev/null
	# Broken JSON right at the secret: a parser error may quote it.
	req -H 'Content-Type: application/json' -X POST --data "{\"password\":\"$PW" "$p" >/dev/null
	req -H "Authorization: Bearer $CANARY" -H 'Content-Type: application/json' -X POST --data "{\"token\":\"$CANARY" "$p" >/dev/null
	req -u "canary@example.com:$PW" -H 'Content-Type: application/json' -X POST --data "{\"name\":$CANARY}" "$p" >/dev/null
	req -u "canary@example.com:$PW" -H 'Content-Type: application/json' -X POST --data "{\"password\":$PWTAIL}" "$p" >/dev/null
done
req -u "canary@example.com:$PW" -H 'Content-Type: application/json' -X POST --data "{\"email\":\"canary@example.com\",\"password\":\"$PW\"}" /v1/accounts >/dev/null
req -u "canary@example.com:$PW" -H 'Content-Type: application/json' -X POST --data "{\"email\":\"canary@example.com\",\"password\":\"$PW" /v1/accounts >/dev/null
req -u "canary@example.com:${PW}x" -H 'Content-Type: application/json' -X POST --data '{"name":"x","scopes":["read"]}' /v1/tokens >/dev/null
req -u "$C:$CANARY" -X PUT -H 'Content-Type: application/json' --data "{\"value\":\"$CANARY\"}" "/v1/hosts/$C/acme-challenge" >/dev/null
req -u "$C:$CANARY" -X PUT -H 'Content-Type: application/json' --data "{\"value\":\"$CANARY" "/v1/hosts/$C/acme-challenge" >/dev/null
# Blocked prefix: failures up to the limit, then the canary is refused
# without being verified.
for i in $(seq 1 40); do req -u "$C:ddh_${ID}_$wrong" "$U" >/dev/null; done
it_eq 401 "$(req -u "$C:$CANARY" "$U&myip=192.0.2.1")" "blocked client with the canary"
METRICS=$(curl -s "$DDNS_URL/metrics" || true)
printf '%s\n' "$METRICS" >"$IT_TMP/metrics"
sleep 0.5
it_stop_ddnsd

# --- the checks ---------------------------------------------------------------
PGLOG=${DDNS_TEST_PG_STATE:-$IT_TMP/svc}/pg/log
FILES=("$IT_TMP/ddnsd.log" "$CLI" "$OUT" "$OUT.hdr" "$IT_TMP/metrics" "$PGLOG")
it_ok test -r "$PGLOG" -a -s "$PGLOG" # PostgreSQL's log is scanned too
# leaks NEEDLE [FILE...]: the files (default FILES) that hold NEEDLE.
leaks() {
	local needle=$1
	shift
	(($#)) || set -- "${FILES[@]}"
	grep -lF -- "$needle" "$@" 2>/dev/null | tr '\n' ' ' || true
}
# The checks must be able to fail: a planted copy is found.
printf 'control %s\n' "${SECRET:0:16}" >"$IT_TMP/control"
it_eq "$IT_TMP/control " "$(leaks "${SECRET:0:16}" "$IT_TMP/control")" "control: a planted canary is found"
it_eq "" "$(leaks "$SECRET")" "the canary secret is in no log, response or metric"
it_eq "" "$(leaks "${SECRET:0:16}")" "nor any 16-character piece of its start"
it_eq "" "$(leaks "${SECRET: -16}")" "nor of its end"
it_eq "" "$(leaks "$(b64 "$C:$CANARY")")" "nor its Basic encoding"
it_eq "" "$(leaks "$PW")" "the account password is in no log, response or metric"
it_eq "" "$(leaks "${PWTAIL:0:16}")" "nor its random part sent as a bare JSON token"
# The premise: ddnsd logged at debug level while the canary went through.
it_match "^[1-9][0-9]*$" "$(grep -c '"level":"debug"' "$IT_TMP/ddnsd.log" || true)" "ddnsd logged at debug level"
it_match '^[0-9]{2,}$' "$(grep -c '^--- request' "$OUT")" "the requests were recorded"
it_match '^HTTP/1.1 200' "$(head -n 1 "$OUT.hdr")" "responses were recorded"
it_done
