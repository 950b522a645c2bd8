#!/bin/bash
# SPDX-License-Identifier: MIT
# A real inadyn (Debian package), configured the way router firmware that
# embeds it does for a "custom" dyndns2 provider: HTTP Basic, HTTP/1.0,
# ddns-path with %h and %i. Its updates must reach BIND, and it must see
# a wrong token as a failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

command -v inadyn >/dev/null || { echo "inadyn is not installed (tests/run.sh installs it)"; exit 1; }
it_setup
fx_base
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200

conf=$IT_TMP/inadyn.conf
mkdir -p "$IT_TMP/inadyn-cache"
# Without a cache entry inadyn looks the name up with the system resolver
# to learn the current address: seed its cache so that no query leaves
# the machine (and the first pass sees a change).
printf '192.0.2.1\n' >"$IT_TMP/inadyn-cache/$HOST_A.cache"
# run_inadyn ADDRESS [TOKEN]: one pass of inadyn reporting ADDRESS.
run_inadyn() {
	cat >"$conf" <<CONF
verify-address = false
custom ddnsd {
	username        = $HOST_A
	password        = "${2:-$TOK_A}"
	ssl             = false
	checkip-command = "echo $1"
	ddns-server     = 127.0.0.1:$DDNSD_PORT
	ddns-path       = "/nic/update?hostname=%h&myip=%i"
	hostname        = $HOST_A
}
CONF
	chmod 600 "$conf"
	inadyn --once --foreground --no-pidfile --loglevel=info -f "$conf" \
		--cache-dir="$IT_TMP/inadyn-cache" >>"$IT_TMP/inadyn.log" 2>&1
}

it_ok run_inadyn 198.51.100.17
it_match "Successful alias table update for $HOST_A => new IP# 198\.51\.100\.17" "$(cat "$IT_TMP/inadyn.log")" "inadyn reports success"
it_fail grep -q "resolving hostname" "$IT_TMP/inadyn.log"
it_ok it_wait_dig "$HOST_A" A 198.51.100.17
it_eq "1" "$(fx_psql "SELECT count(*) FROM host_events e JOIN hosts h ON h.id = e.host_id WHERE h.fqdn = '$HOST_A' AND e.user_agent LIKE 'inadyn%'")" "history records inadyn's user agent"

# A new address: inadyn's cache sees the change and it updates again.
it_ok run_inadyn 198.51.100.18
it_ok it_wait_dig "$HOST_A" A 198.51.100.18

# A wrong token: inadyn must not report success, DNS must not change.
: >"$IT_TMP/inadyn.log"
run_inadyn 198.51.100.19 "ddh_aaaaaaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" || true
it_fail grep -q "Successful" "$IT_TMP/inadyn.log"
it_match "Authentication failure" "$(cat "$IT_TMP/inadyn.log")" "inadyn reports the bad credentials as such"
it_eq "198.51.100.18" "$(it_dig "$HOST_A" A)" "bad credentials changed nothing"
it_eq "0" "$(grep -c -F -e "${TOK_A#ddh_*_}" "$IT_TMP/ddnsd.log" || true)" "the token never appears in ddnsd's log"

# The client's address blocked after failed authentications: 429 abuse,
# not badauth, even with the right token. inadyn 2.10 reports it as a
# server error (not as bad credentials); after the window it updates.
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_AUTH_FAIL_MAX=1 DDNS_AUTH_FAIL_WINDOW_S=2
run_inadyn 198.51.100.20 "ddh_aaaaaaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" || true
: >"$IT_TMP/inadyn.log"
run_inadyn 198.51.100.20 || true
it_match '\[429 Too Many Requests\] abuse' "$(cat "$IT_TMP/inadyn.log")" "blocked: inadyn sees 429 abuse"
it_fail grep -q "Authentication failure" "$IT_TMP/inadyn.log"
it_eq "198.51.100.18" "$(it_dig "$HOST_A" A)" "nothing changed while blocked"
sleep 3
: >"$IT_TMP/inadyn.log"
it_ok run_inadyn 198.51.100.20
it_ok it_wait_dig "$HOST_A" A 198.51.100.20
it_done
