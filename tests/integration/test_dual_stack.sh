#!/bin/bash
# SPDX-License-Identifier: MIT
# DDNS_LISTEN as a list, and "[::]:PORT" serving IPv4 and IPv6 clients on
# one port: an update without myip records the family the router used,
# and an IPv4 client (::ffff:127.0.0.1 on the socket) is IPv4 everywhere:
# in the answer, the A record, the history, the log, the proxy check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
H=$HOST_A
PID=''
# serve LISTEN [VAR=value...]: ddnsd serve on LISTEN until the next call.
serve() {
	local listen=$1 port i
	shift
	stop
	: >"$IT_TMP/serve.log"
	env DDNS_HOST_CHANGE_BURST=0 DDNS_HOST_NOCHG_PER_MIN=0 DDNS_AUTH_FAIL_MAX=0 \
		DDNS_PUSH_INTERVAL_MS=200 "$@" DDNS_LISTEN="$listen" "$DDNSD" serve \
		</dev/null >>"$IT_TMP/serve.log" 2>&1 &
	PID=$!
	port=${listen##*:}
	for ((i = 0; i < 100; i++)); do
		grep -q '"ddnsd: serving"' "$IT_TMP/serve.log" && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "ddnsd did not start on $listen:" >&2
	cat "$IT_TMP/serve.log" >&2
	return 1
}
stop() {
	[[ -n $PID ]] || return 0
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=''
}
it_on_exit stop
get() { curl -s -w ' %{http_code}' "$@"; }
P=$(it_free_port)

# --- [::] alone: both families, IPv4 recorded as IPv4 --------------------
it_ok serve "[::]:$P"
it_match "listening on \[::\]:$P \(http, IPv4 and IPv6," "$(cat "$IT_TMP/serve.log")" "[::] alone is dual-stack"
it_eq "127.0.0.1 200" "$(get -4 "http://127.0.0.1:$P/myip" | tr -d '\n')" "an IPv4 client over [::] is seen as 127.0.0.1"
it_eq "::1 200" "$(get -6 "http://[::1]:$P/myip" | tr -d '\n')" "an IPv6 client over [::] is seen as ::1"
it_eq "good 127.0.0.1 200" "$(get -4 -u "$H:$TOK_A" "http://127.0.0.1:$P/nic/update" | tr -d '\n')" "update without myip over IPv4: the A record"
it_ok it_wait_dig "$H" A 127.0.0.1
it_eq "good ::1 200" "$(get -6 -u "$H:$TOK_A" "http://[::1]:$P/nic/update" | tr -d '\n')" "update without myip over IPv6: the AAAA record"
it_ok it_wait_dig "$H" AAAA ::1
it_eq "127.0.0.1" "$(it_dig "$H" A)" "the IPv6 update kept the A record"
it_eq "127.0.0.1|::1" "$(fx_psql "SELECT string_agg(host(source), '|' ORDER BY e.id) FROM host_events e JOIN hosts h ON h.id = e.host_id WHERE h.fqdn = '$H'")" "history records the IPv4 client as 127.0.0.1"
it_match '"client":"127.0.0.1"' "$(grep '"path":"/myip"' "$IT_TMP/serve.log" | head -n 1)" "the log records the IPv4 client as 127.0.0.1"
it_ok env DDNS_LISTEN="[::]:$P" "$DDNSD" healthcheck

# A trusted IPv4 proxy is recognised on the dual-stack socket too.
it_ok serve "[::]:$P" DDNS_TRUSTED_PROXIES=127.0.0.1/32
it_eq "203.0.113.50 200" "$(get -4 -H 'X-Forwarded-For: 203.0.113.50' "http://127.0.0.1:$P/myip" | tr -d '\n')" "an IPv4 proxy over [::] is trusted as 127.0.0.1"
it_eq "::1 200" "$(get -6 -H 'X-Forwarded-For: 203.0.113.50' "http://[::1]:$P/myip" | tr -d '\n')" "an IPv6 peer is not that proxy"

# --- an IPv4 address beside [::] on the same port: [::] is IPv6-only ----
it_ok serve "127.0.0.1:$P, [::]:$P"
it_match "listening on 127\.0\.0\.1:$P \(http, IPv4," "$(cat "$IT_TMP/serve.log")" "the IPv4 address has its own socket"
it_match "listening on \[::\]:$P \(http, IPv6," "$(cat "$IT_TMP/serve.log")" "[::] beside it is IPv6-only (else the bind would fail)"
it_eq "127.0.0.1 200" "$(get -4 "http://127.0.0.1:$P/myip" | tr -d '\n')" "IPv4 client on the IPv4 socket"
it_eq "::1 200" "$(get -6 "http://[::1]:$P/myip" | tr -d '\n')" "IPv6 client on [::]"

# --- specific addresses on different ports ------------------------------
Q=$(it_free_port)
it_ok serve "127.0.0.1:$P,[::1]:$Q"
it_eq "127.0.0.1 200" "$(get "http://127.0.0.1:$P/myip" | tr -d '\n')" "first address of the list"
it_eq "::1 200" "$(get "http://[::1]:$Q/myip" | tr -d '\n')" "second address of the list"
it_eq "000" "$(curl -s -o /dev/null -w '%{http_code}' "http://[::1]:$P/myip" || true)" "nothing listens where nothing was listed"
stop

# --- refused lists --------------------------------------------------------
for v in "[::]:$P,[::]:$P" "127.0.0.1:$P," ",127.0.0.1:$P" "::1:$P" "[127.0.0.1]:$P" "127.0.0.1:$P;[::1]:$P" \
	"$(printf '127.0.0.1:%s,' $(seq 20001 20009))127.0.0.1:20010"; do
	out=$(DDNS_LISTEN=$v "$DDNSD" serve 2>&1) && rc=0 || rc=$?
	it_match "^2 ddnsd: DDNS_LISTEN: " "$rc $out" "DDNS_LISTEN=$v refused"
done
it_done
