#!/bin/bash
# SPDX-License-Identifier: MIT
# checkip: /nic/checkip(.html) in checkip.dyndns.org's exact format, /myip
# as plain text, "/" for the DDNS_CHECKIP_HOSTS names, the client address
# behind a trusted proxy, the per-client rate limit, and a real ddclient
# (use=web, web=...) learning its address from it and updating with it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

command -v ddclient >/dev/null || { echo "ddclient is not installed (tests/run.sh installs it)"; exit 1; }
it_setup
fx_base
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_CHECKIP_HOSTS="checkip.example.net, ip.example.org" \
	DDNS_TRUSTED_PROXIES=127.0.0.2/32 DDNS_CHECKIP_PER_MIN=0

page='<html><head><title>Current IP Check</title></head><body>Current IP Address: 127.0.0.1</body></html>'
for p in /nic/checkip /nic/checkip.html; do
	curl -s -D "$IT_TMP/h" -o "$IT_TMP/b" "$DDNS_URL$p"
	it_eq "$page" "$(tr -d '\r\n' <"$IT_TMP/b")" "$p: the checkip.dyndns.org page"
	it_eq "$(printf '%s\r\n' "$page" | od -An -tx1)" "$(od -An -tx1 <"$IT_TMP/b")" "$p: byte for byte, CRLF at the end"
	it_match $'Content-Type: text/html\r' "$(cat "$IT_TMP/h")" "$p: text/html"
	it_match $'Cache-Control: no-store\r' "$(cat "$IT_TMP/h")" "$p: not cached"
	it_match $'Pragma: no-cache\r' "$(cat "$IT_TMP/h")" "$p: not cached by HTTP/1.0 caches"
done
curl -s -D "$IT_TMP/h" -o "$IT_TMP/b" "$DDNS_URL/myip"
it_eq "$(printf '127.0.0.1\n' | od -An -tx1)" "$(od -An -tx1 <"$IT_TMP/b")" "/myip: the address alone on a line"
it_match $'Content-Type: text/plain; charset=utf-8\r' "$(cat "$IT_TMP/h")" "/myip: text/plain"
it_eq "200" "$(curl -s -o /dev/null -w '%{http_code}' -I "$DDNS_URL/myip")" "HEAD /myip"
it_eq "405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$DDNS_URL/nic/checkip")" "POST /nic/checkip: 405"

# A dedicated host name gets the page at "/" (any case, port, trailing dot).
it_eq "200 $page" "$(fx_get -H 'Host: checkip.example.net' / | tr -d '\r|')" "/ for a DDNS_CHECKIP_HOSTS name"
it_eq "200 $page" "$(fx_get -H 'Host: IP.Example.ORG.:8080' / | tr -d '\r|')" "/ for the second name, case, port and dot"
# Any other Host gets the web console at "/" (test_console.sh), not checkip.
it_match "^200 <!doctype html>.*ddnsd console" "$(fx_get -H 'Host: www.example.net' /)" "/ for another host: the console, not checkip"
it_match "^200 <!doctype html>.*ddnsd console" "$(fx_get /)" "/ for an address as Host: the console"
it_eq "405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Host: checkip.example.net' "$DDNS_URL/")" "POST / on the checkip host: 405"

# Behind a trusted proxy the forwarded client; from anyone else, the peer.
it_eq "200 203.0.113.9|" "$(fx_get --interface 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.9' /myip)" "trusted proxy: the forwarded address"
it_eq "200 127.0.0.1|" "$(fx_get -H 'X-Forwarded-For: 203.0.113.9' /myip)" "untrusted X-Forwarded-For is ignored"
it_eq "200 2001:db8::7|" "$(fx_get --interface 127.0.0.2 -H 'X-Real-IP: 2001:db8::7' /myip)" "an IPv6 client behind the proxy"

# ddclient 3.10, use=web: its address from /nic/checkip, then an update.
conf=$IT_TMP/ddclient.conf
run_ddclient() { # WEB_URL
	cat >"$conf" <<CONF
daemon=0
syslog=no
ssl=no
min-interval=0
protocol=dyndns2
use=web, web=$1
server=127.0.0.1:$DDNSD_PORT
login=$HOST_A
password='$TOK_A'
$HOST_A
CONF
	chmod 600 "$conf"
	rm -f "$IT_TMP/ddclient.cache"
	ddclient -file "$conf" -cache "$IT_TMP/ddclient.cache" -daemon=0 \
		-foreground -verbose -noquiet >"$IT_TMP/ddclient.log" 2>&1
}
it_ok run_ddclient "http://127.0.0.1:$DDNSD_PORT/nic/checkip"
it_match "SUCCESS: +(updating )?$HOST_A" "$(cat "$IT_TMP/ddclient.log")" "ddclient use=web against /nic/checkip: success"
it_match "127\.0\.0\.1" "$(grep -i 'setting IP address\|IP address set' "$IT_TMP/ddclient.log")" "ddclient took the address from the page"
it_ok it_wait_dig "$HOST_A" A 127.0.0.1
it_ok it_wait_log '"path":"/nic/checkip"'
# Again via /myip, after moving the record away.
it_eq "200 good 198.51.100.44|" "$(fx_get -u "$HOST_A:$TOK_A" "/nic/update?myip=198.51.100.44")" "record moved away"
it_ok run_ddclient "http://127.0.0.1:$DDNSD_PORT/myip"
it_match "SUCCESS: +(updating )?$HOST_A" "$(cat "$IT_TMP/ddclient.log")" "ddclient use=web against /myip: success"
it_ok it_wait_dig "$HOST_A" A 127.0.0.1

# Rate limit per client: DDNS_CHECKIP_PER_MIN=5. 12 requests span at most
# one minute boundary, so one of the two minutes sees more than 5.
it_start_ddnsd DDNS_CHECKIP_PER_MIN=5
codes=""
for i in $(seq 1 12); do codes+="$(curl -s -o /dev/null -w '%{http_code}' "$DDNS_URL/myip") "; done
it_match "^(200 ){5,}.*429" "$codes" "the sixth request of a minute is refused ($codes)"
hdrs=$(curl -s -D - -o /dev/null "$DDNS_URL/nic/checkip")
it_match $'^HTTP/1.1 429' "$hdrs" "still refused"
it_match $'Retry-After: [0-9]+\r' "$hdrs" "429 says when to come back"
it_eq "200" "$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.3 "$DDNS_URL/myip")" "another client is not limited"
it_done
