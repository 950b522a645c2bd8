#!/bin/bash
# SPDX-License-Identifier: MIT
# A real ddclient (Debian package), configured as a router owner would for a
# custom dyndns2 provider, updates a record that BIND then serves.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

command -v ddclient >/dev/null || { echo "ddclient is not installed (tests/run.sh installs it)"; exit 1; }
it_setup
fx_base
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200

conf=$IT_TMP/ddclient.conf
run_ddclient() { # ADDRESS
	cat >"$conf" <<CONF
daemon=0
syslog=no
ssl=no
min-interval=0
protocol=dyndns2
use=ip, ip=$1
server=127.0.0.1:$DDNSD_PORT
login=$HOST_A
password='$TOK_A'
$HOST_A
CONF
	chmod 600 "$conf"
	ddclient -file "$conf" -cache "$IT_TMP/ddclient.cache" -daemon=0 \
		-foreground -verbose -noquiet >>"$IT_TMP/ddclient.log" 2>&1
}

it_ok run_ddclient 198.51.100.7
it_match "SUCCESS: +(updating )?$HOST_A" "$(cat "$IT_TMP/ddclient.log")" "ddclient reports success"
it_ok it_wait_dig "$HOST_A" A 198.51.100.7
it_eq "1" "$(fx_psql "SELECT count(*) FROM host_events e JOIN hosts h ON h.id = e.host_id WHERE h.fqdn = '$HOST_A' AND e.user_agent LIKE 'ddclient%'")" "history records ddclient's user agent"

# A new address: ddclient sees the change in its cache and updates again.
it_ok run_ddclient 198.51.100.8
it_ok it_wait_dig "$HOST_A" A 198.51.100.8

# A wrong password: ddclient must report the failure, DNS must not change.
sed -i "s/^password=.*/password='ddh_aaaaaaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'/; s/ip=198.51.100.8/ip=198.51.100.9/" "$conf"
ddclient -file "$conf" -cache "$IT_TMP/ddclient.cache" -daemon=0 -foreground \
	-verbose -noquiet -force >"$IT_TMP/ddclient-bad.log" 2>&1 || true
# ddclient's own verdict (its verbose output also echoes the server's
# reply, so a bare "badauth" anywhere proves nothing): a FAILED line for
# the host, and no SUCCESS.
verdict=$(grep -E '^(FAILED|SUCCESS): +updating ' "$IT_TMP/ddclient-bad.log" || true)
it_match "^FAILED: +updating ${HOST_A//./\\.}: (authorization failed|badauth)" "$verdict" "ddclient's verdict: FAILED, bad credentials"
it_eq "0" "$(grep -c '^SUCCESS' "$IT_TMP/ddclient-bad.log" || true)" "ddclient reports no success with the bad credentials"
it_eq "198.51.100.8" "$(it_dig "$HOST_A" A)" "bad credentials changed nothing"
it_eq "0" "$(grep -c -F -e "${TOK_A#ddh_*_}" "$IT_TMP/ddnsd.log" || true)" "the token never appears in ddnsd's log"
it_done
