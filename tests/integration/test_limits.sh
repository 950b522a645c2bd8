#!/bin/bash
# SPDX-License-Identifier: MIT
# Abuse and connection limits, with their defaults: the per-host change
# bucket and nochg flood, the per-prefix failed-authentication block (also
# through a second instance sharing the database), hosts per account,
# tokens per host, per-IP connections, slow clients and request sizes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
A=$HOST_A
B=$HOST_B
# VAR= (empty) gives ddnsd's built-in default: these tests check them.
DEFAULTS=(DDNS_HOST_CHANGE_BURST= DDNS_HOST_CHANGE_WINDOW_S= DDNS_HOST_NOCHG_PER_MIN=
	DDNS_AUTH_FAIL_MAX= DDNS_AUTH_FAIL_WINDOW_S= DDNS_TRUSTED_PROXIES=127.0.0.1)
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 "${DEFAULTS[@]}"
URL1=$DDNS_URL

# A second instance on the same database (lib.sh runs one at a time).
PORT2=$(it_free_port)
env "${DEFAULTS[@]}" DDNS_LISTEN="127.0.0.1:$PORT2" "$DDNSD" serve \
	</dev/null >>"$IT_TMP/ddnsd2.log" 2>&1 &
PID2=$!
it_on_exit "kill $PID2 2>/dev/null; wait $PID2 2>/dev/null"
for ((i = 0; i < 100; i++)); do
	(: >"/dev/tcp/127.0.0.1/$PORT2") 2>/dev/null && break
	sleep 0.1
done
URL2="http://127.0.0.1:$PORT2"
# on URL2 cmd...: run a fixtures helper against the second instance.
on() { local DDNS_URL=$1; shift; "$@"; }
state() { fx_psql "SELECT host(ipv4) || ' v' || version || ' e' || (SELECT count(*) FROM host_events e WHERE e.host_id = h.id) FROM hosts h WHERE fqdn = '$1'"; }

# --- per host: 10 address changes per 10 minutes -------------------------
for i in $(seq 1 10); do
	r=$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=192.0.2.$i")
	[[ $r == "200 good 192.0.2.$i|" ]] || break
done
it_eq "200 good 192.0.2.10|" "$r" "10 changes in a row are accepted"
it_ok it_wait_dig "$A" A 192.0.2.10
before=$(state "$A")
it_eq "200 abuse|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=192.0.2.11")" "11th change: abuse"
it_eq "200 abuse|" "$(on "$URL2" fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=192.0.2.12")" "bucket is shared: abuse on the other instance too"
it_eq "$before" "$(state "$A")" "abuse changed nothing (address, version, history)"
it_eq "200 nochg 192.0.2.10|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=192.0.2.10")" "nochg is not punished by the bucket"
it_eq "200 good 198.51.100.1|" "$(fx_get -u "$B:$TOK_B" "/nic/update?hostname=$B&myip=198.51.100.1")" "another host has its own bucket"
# One token refills per window/burst = 60 s: age the bucket by a minute.
fx_psql "UPDATE hosts SET bucket_at = bucket_at - interval '61 seconds' WHERE fqdn = '$A'" >/dev/null
it_eq "200 good 192.0.2.13|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=192.0.2.13")" "a minute later one change is allowed again"
it_eq "200 abuse|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=192.0.2.14")" "... and only one"
# Six changes at once through both instances for the one token there is,
# a few rounds: the loser of a lost race must read abuse, not nohost.
for round in 1 2 3 4 5; do
	fx_psql "UPDATE hosts SET bucket_at = bucket_at - interval '61 seconds' WHERE fqdn = '$A'" >/dev/null
	pids=()
	for i in 1 2 3 4 5 6; do
		u=$URL1
		((i % 2)) || u=$URL2
		curl -s -u "$A:$TOK_A" "$u/nic/update?hostname=$A&myip=192.0.2.$((20 + round * 10 + i))" >"$IT_TMP/par.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	got="$(grep -l '^good' "$IT_TMP"/par.* | wc -l) good, $(grep -l '^abuse' "$IT_TMP"/par.* | wc -l) abuse"
	[[ $got == "1 good, 5 abuse" ]] || break
done
it_eq "1 good, 5 abuse" "$got" "concurrent changes on two instances share the last token (round $round of 5: $(cat "$IT_TMP"/par.* | tr '\n' ' '))"
last=$(sed -n 's/^good //p' "$IT_TMP"/par.*)
it_ok it_wait_dig "$A" A "$last"
it_eq "$last" "$(fx_psql "SELECT host(ipv4) FROM hosts WHERE fqdn = '$A'")" "the database has the one accepted change"

# --- per host: more than 60 nochg per minute ------------------------------
before=$(state "$B")
n=0 first_abuse=0
# A minute may turn over once during the loop and reset the count: the
# first 60 are nochg either way, and abuse comes by the 121st.
for i in $(seq 1 121); do
	r=$(curl -s -u "$B:$TOK_B" "$URL1/nic/update?hostname=$B&myip=198.51.100.1")
	if [[ $r == abuse ]]; then first_abuse=$i; break; fi
	[[ $r == "nochg 198.51.100.1" ]] && n=$((n + 1))
done
it_eq "yes" "$( ((n >= 60 && first_abuse > 60)) && echo yes || echo "no: $n nochg, abuse at $first_abuse")" "60 nochg a minute are fine, the 61st is abuse"
it_eq "$before" "$(state "$B")" "the nochg flood wrote nothing"
it_eq "200 nochg 198.51.100.1|" "$(on "$URL2" fx_get -u "$B:$TOK_B" "/nic/update?hostname=$B&myip=198.51.100.1")" "nochg flood is counted per instance"

# --- per client prefix: 10 failed authentications in 15 minutes ----------
V6=2001:db8:aa:bb::1      # client seen through the trusted proxy 127.0.0.1
V6_SAME=2001:db8:aa:bb:ffff::7
V6_OTHER=2001:db8:aa:bc::1
xff() { printf 'X-Forwarded-For: %s' "$1"; }
bad=${TOK_B:0:${#TOK_B}-1}x
[[ $bad != "$TOK_B" ]] || bad=${TOK_B:0:${#TOK_B}-1}y
it_eq "401 badauth|" "$(fx_get -H "$(xff $V6)" "/nic/update?hostname=$B")" "missing credentials: 401"
for i in $(seq 1 10); do
	r=$(fx_get -H "$(xff $V6)" -u "$B:$bad" "/nic/update?hostname=$B&myip=198.51.100.2")
	[[ $r == "401 badauth|" ]] || break
done
it_eq "401 badauth|" "$r" "10 wrong secrets: badauth each"
it_eq "10" "$(fx_psql "SELECT count FROM auth_failures WHERE prefix = '2001:db8:aa:bb::/64'")" "failures counted by /64 in PostgreSQL (missing credentials not counted)"
hdrs=$(curl -s -D - -H "$(xff $V6_SAME)" -u "$B:$TOK_B" "$URL1/nic/update?hostname=$B&myip=198.51.100.3")
it_match $'^HTTP/1.1 401' "$hdrs" "blocked /64: even the right secret gets 401"
it_match $'\r\nRetry-After: [0-9]+\r\n' "$hdrs" "with Retry-After"
ra=$(printf '%s' "$hdrs" | tr -d '\r' | sed -n 's/^Retry-After: //p')
it_eq "yes" "$( ((ra > 800 && ra <= 900)) && echo yes || echo "no: $ra")" "Retry-After is the rest of the 15-minute window"
it_match $'\r\n\r\nbadauth$' "$hdrs" "body badauth"
it_eq "10" "$(fx_psql "SELECT count FROM auth_failures WHERE prefix = '2001:db8:aa:bb::/64'")" "a blocked request is not verified (not counted)"
it_eq "200 nochg $last|" "$(fx_get -H "$(xff $V6_OTHER)" -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=$last")" "the next /64 is not blocked"
# The other instance learns of the block from its own first failure.
it_eq "401 badauth|" "$(on "$URL2" fx_get -H "$(xff $V6)" -u "$B:$bad" "/nic/update?hostname=$B")" "second instance: a wrong secret"
it_eq "401 badauth|" "$(on "$URL2" fx_get -H "$(xff $V6)" -u "$B:$TOK_B" "/nic/update?hostname=$B&myip=198.51.100.4")" "second instance: blocked after learning the shared count"
it_eq "198.51.100.1" "$(fx_psql "SELECT host(ipv4) FROM hosts WHERE fqdn = '$B'")" "nothing was changed while blocked"

# The window passing: a short window on a restarted instance.
it_start_ddnsd "${DEFAULTS[@]}" DDNS_AUTH_FAIL_MAX=2 DDNS_AUTH_FAIL_WINDOW_S=2
for i in 1 2; do fx_get -H "$(xff 192.0.2.200)" -u "$B:$bad" "/nic/update?hostname=$B" >/dev/null; done
r=$(curl -s -D - -o /dev/null -H "$(xff 192.0.2.200)" -u "$B:$TOK_B" "$DDNS_URL/nic/update?hostname=$B&myip=198.51.100.1" | tr -d '\r')
it_match $'401.*\nRetry-After: [12]\n' "$r" "IPv4 client blocked after DDNS_AUTH_FAIL_MAX=2 failures"
sleep 3
it_eq "200 nochg 198.51.100.1|" "$(fx_get -H "$(xff 192.0.2.200)" -u "$B:$TOK_B" "/nic/update?hostname=$B&myip=198.51.100.1")" "after the window the client is let in"

# --- account limits ---------------------------------------------------------
for i in $(seq 2 20); do
	"$DDNSD" host add "h$i-$FX_ID.dyn.test" --account a@example.com >/dev/null || break
done
it_eq "20" "$(fx_psql "SELECT count(*) FROM hosts h JOIN accounts a ON a.id = h.account_id WHERE a.email = 'a@example.com'")" "20 hosts per account are allowed"
rc=0
out=$("$DDNSD" host add "h21-$FX_ID.dyn.test" --account a@example.com 2>&1) || rc=$?
it_eq "2" "$rc" "the 21st host is refused (exit 2)"
it_match "maximum number of hosts" "$out" "with a clear message"
it_eq "0" "$(fx_psql "SELECT count(*) FROM hosts WHERE fqdn = 'h21-$FX_ID.dyn.test'")" "and not created"
fx_psql "UPDATE accounts SET max_hosts = 21 WHERE email = 'a@example.com'" >/dev/null
quiet() { "$@" >/dev/null; }
it_ok quiet "$DDNSD" host add "h21-$FX_ID.dyn.test" --account a@example.com
for i in $(seq 2 10); do fx_token "$A" >/dev/null || break; done
it_eq "10" "$(fx_psql "SELECT count(*) FROM host_tokens t JOIN hosts h ON h.id = t.host_id WHERE h.fqdn = '$A'")" "10 tokens per host are allowed"
rc=0
out=$("$DDNSD" token add "$A" 2>&1) || rc=$?
it_eq "2" "$rc" "the 11th token is refused (exit 2)"
it_match "DDNS_MAX_TOKENS_PER_HOST" "$out" "with a clear message"
it_ok quiet env DDNS_MAX_TOKENS_PER_HOST=11 "$DDNSD" token add "$A"

# --- connections --------------------------------------------------------------
it_start_ddnsd DDNS_MAX_CONN_PER_IP=3 DDNS_CONN_TIMEOUT_S=2
# held FD: one keep-alive request on FD, answer read: the server has
# accepted that connection (worker threads accept in any order).
held() {
	local line len=0
	printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&"$1"
	while read -r -t 5 line <&"$1"; do
		line=${line%$'\r'}
		[[ -n $line ]] || break
		[[ ${line,,} =~ ^content-length:\ *([0-9]+) ]] && len=${BASH_REMATCH[1]}
	done
	# The body, by its length (it may not end with a newline).
	((len > 0)) && read -r -t 5 -N "$len" line <&"$1" && [[ $line == *alive* ]]
}
trap '' PIPE # a write to a connection the server closed fails, not kills
# The startup probe's connection may still count for a moment: retry.
for ((i = 0; i < 20; i++)); do
	exec 5<>"/dev/tcp/127.0.0.1/$DDNSD_PORT" 6<>"/dev/tcp/127.0.0.1/$DDNSD_PORT" 7<>"/dev/tcp/127.0.0.1/$DDNSD_PORT"
	held 5 2>/dev/null && held 6 2>/dev/null && held 7 2>/dev/null && break
	exec 5>&- 6>&- 7>&-
	sleep 0.2
done
it_eq "" "$( ((i < 20)) || echo "not accepted")" "3 connections from one IP held open"
it_eq "000" "$(curl -s -o /dev/null -w '%{http_code}' "$DDNS_URL/healthz" || true)" "a 4th connection from one IP is closed (DDNS_MAX_CONN_PER_IP=3)"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n' >&5
# A client that stops mid-headers is disconnected after the timeout:
# the read sees EOF. timeout 10 s is only the bound of this test: if
# ddnsd never cuts the client off, it kills cat (exit 124) with nothing
# read either, so the exit status is the evidence.
rc=0
out=$(timeout 10 cat <&5) || rc=$?
it_eq 0 "$rc" "a slow client is cut off (DDNS_CONN_TIMEOUT_S=2): the read ends at EOF (124: still open after 10 s)"
it_eq "" "$out" "a slow client gets no answer"
exec 5>&- 6>&- 7>&-
sleep 0.2
it_eq "200" "$(curl -s -o /dev/null -w '%{http_code}' "$DDNS_URL/healthz")" "connections are accepted again"
big=$(head -c 70000 /dev/zero | tr '\0' a)
code() { curl -s -o /dev/null -w '%{http_code}' "$@" || true; }
it_eq "200" "$(code -H "X-Pad: ${big:0:7000}" "$DDNS_URL/healthz")" "7 KB of headers are fine"
it_eq "431" "$(code -H "X-Pad: ${big:0:8200}" "$DDNS_URL/healthz")" "more than 8 KiB of headers: 431"
it_eq "431" "$(code -H "X-Pad: ${big:0:40000}" "$DDNS_URL/healthz")" "40 KB of headers: 431 (libmicrohttpd)"
it_eq "414" "$(code "$DDNS_URL/nic/update?x=${big:0:8200}")" "query over 8 KiB: 414"
it_eq "414" "$(code "$DDNS_URL/${big:0:8200}")" "path over 8 KiB: 414"
printf '%s' "$big" >"$IT_TMP/big"
it_eq "413" "$(code -u "$A:$TOK_A" --data-binary @"$IT_TMP/big" "$DDNS_URL/nic/update")" "body over 64 KiB: 413"
it_eq "200" "$(curl -s -o /dev/null -w '%{http_code}' "$DDNS_URL/healthz")" "still serving"
it_done
