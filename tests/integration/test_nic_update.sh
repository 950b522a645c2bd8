#!/bin/bash
# SPDX-License-Identifier: MIT
# Every /nic/update request shape that real routers send, against a real
# PostgreSQL and BIND; results are read back from BIND with DNS queries.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
A=$HOST_A
B=$HOST_B
hostver() { fx_psql "SELECT version || ':' || (SELECT count(*) FROM host_events e WHERE e.host_id = h.id) FROM hosts h WHERE fqdn = '$1'"; }

# --- authentication ------------------------------------------------------
it_eq "200 good 203.0.113.5|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=203.0.113.5")" "Basic auth, IPv4"
it_ok it_wait_dig "$A" A 203.0.113.5
before=$(hostver "$A")
it_eq "200 nochg 203.0.113.5|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=203.0.113.5")" "same address: nochg"
it_eq "$before" "$(hostver "$A")" "nochg writes nothing (version, history)"
it_eq "200 nochg 203.0.113.5|" "$(fx_get -u "anything:$TOK_A" "/nic/update?hostname=$A&myip=203.0.113.5")" "Basic user name may be anything"
it_eq "200 nochg 203.0.113.5|" "$(fx_get "/nic/update?hostname=$A&myip=203.0.113.5&username=$A&password=$TOK_A")" "username/password query parameters"

hdrs=$(curl -s -D - -o /dev/null "$DDNS_URL/nic/update?hostname=$A&myip=198.51.100.1")
it_match "^HTTP/1.1 401" "$hdrs" "no credentials: 401"
it_match 'WWW-Authenticate: Basic realm="ddnsd"' "$hdrs" "401 carries WWW-Authenticate"
it_eq "401 badauth|" "$(fx_get "/nic/update?hostname=$A&myip=198.51.100.1")" "no credentials: badauth"
bad=${TOK_A:0:${#TOK_A}-1}x
[[ $bad != "$TOK_A" ]] || bad=${TOK_A:0:${#TOK_A}-1}y
it_eq "401 badauth|" "$(fx_get -u "$A:$bad" "/nic/update?hostname=$A&myip=198.51.100.1")" "wrong secret: badauth"
it_eq "401 badauth|" "$(fx_get -u "$A:hunter2" "/nic/update?hostname=$A&myip=198.51.100.1")" "malformed token: badauth"
dda=dda_${TOK_A#ddh_}
it_eq "401 badauth|" "$(fx_get -u "$A:$dda" "/nic/update?hostname=$A&myip=198.51.100.1")" "account-kind token is not a host token"
it_eq "401 badauth|" "$(fx_get -H 'Authorization: Bearer x' "/nic/update?hostname=$A&myip=198.51.100.1")" "non-Basic Authorization: badauth"
it_eq "203.0.113.5" "$(it_dig "$A" A)" "failed auth changed nothing in DNS"

# --- addresses ------------------------------------------------------------
it_eq "200 good 2001:db8::5|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=2001:db8::5")" "IPv6 in myip"
it_ok it_wait_dig "$A" AAAA 2001:db8::5
it_eq "203.0.113.5" "$(it_dig "$A" A)" "an IPv6 update keeps the A record"
it_eq "200 good 203.0.113.6,2001:db8::6|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=203.0.113.6,2001:db8::6")" "dual-stack myip list"
it_ok it_wait_dig "$A" A 203.0.113.6
it_ok it_wait_dig "$A" AAAA 2001:db8::6
it_eq "200 good 203.0.113.7,2001:db8::7|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myipv4=203.0.113.7&myipv6=2001:db8::7")" "myipv4= and myipv6="
it_eq "200 good 2001:db8::8|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myipv6=2001:db8::8/64")" "IPv6 with prefix length uses the address"
it_ok it_wait_dig "$A" AAAA 2001:db8::8
it_eq "203.0.113.7" "$(it_dig "$A" A)" "myipv6 alone keeps the A record"
it_eq "200 good 127.0.0.1|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A")" "no address: the client's address"
it_ok it_wait_dig "$A" A 127.0.0.1

before=$(hostver "$A")
for q in "myip=not-an-ip" "myip=1.2.3.4,5.6.7.8" "myip=0.0.0.0" "myip=fe80::1%25eth0" "myipv4=2001:db8::1" "myip=300.1.1.1" "myipv6=2001:db8::1/129"; do
	r=$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&$q")
	it_match "^400 dnserr" "$r" "unparsable address ($q) refused"
done
it_eq "$before" "$(hostver "$A")" "refused addresses wrote nothing"
it_eq "127.0.0.1" "$(it_dig "$A" A)" "refused addresses left DNS as it was"

# --- router shapes ---------------------------------------------------------
it_eq "200 good 192.0.2.10|" "$(fx_get -u "$A:$TOK_A" "/nic/update?system=dyndns&hostname=$A&myip=192.0.2.10&wildcard=NOCHG&mx=&backmx=NO")" "pfSense shape (system, wildcard, empty mx, backmx)"
it_eq "200 good 192.0.2.11|" "$(fx_get -u "$A:$TOK_A" --http1.0 "/nic/update?hostname=$A&myip=192.0.2.11")" "HTTP/1.0 request (curl --http1.0; test_inadyn.sh runs inadyn itself)"
it_eq "200 good 192.0.2.12|" "$(fx_get -u "$A:$TOK_A" --data "hostname=$A&myip=192.0.2.12" "/nic/update")" "POST with a form body"
it_eq "200 good 192.0.2.13|" "$(fx_get -u "$A:$TOK_A" "/nic/update?myip=192.0.2.13")" "no hostname: the token's own host"
it_ok it_wait_dig "$A" A 192.0.2.13

# --- several names --------------------------------------------------------
it_eq "200 nochg 192.0.2.13|nohost|notfqdn|nohost|" \
	"$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A,$B,bad..name,nothere.dyn.test&myip=192.0.2.13")" \
	"one answer per name, in order"
many=$(printf "h%d.dyn.test," $(seq 1 21))
it_eq "200 numhost|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$many&myip=192.0.2.14")" "21 names: numhost"
it_eq "192.0.2.13" "$(it_dig "$A" A)" "numhost changed nothing"

# --- tenants --------------------------------------------------------------
it_eq "200 good 198.51.100.20|" "$(fx_get -u "$B:$TOK_B" "/nic/update?hostname=$B&myip=198.51.100.20")" "account B updates its host"
it_ok it_wait_dig "$B" A 198.51.100.20
before=$(hostver "$B")
it_eq "200 nohost|" "$(fx_get -u "$B:$TOK_A" "/nic/update?hostname=$B&myip=198.51.100.99")" "A's token on B's host: nohost"
it_eq "200 nohost|" "$(fx_get -u "$A:$TOK_B" "/nic/update?hostname=$A&myip=198.51.100.99")" "B's token on A's host: nohost"
it_eq "$before" "$(hostver "$B")" "B's host untouched by A's token"
it_eq "198.51.100.20" "$(it_dig "$B" A)" "B's record untouched"
it_eq "192.0.2.13" "$(it_dig "$A" A)" "A's record untouched"

# --- offline ----------------------------------------------------------------
it_eq "200 good|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&offline=YES")" "offline=YES"
it_ok it_wait_dig "$A" A ""
it_ok it_wait_dig "$A" AAAA ""
it_eq "200 good 192.0.2.13|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=192.0.2.13")" "next update brings it back"
it_ok it_wait_dig "$A" A 192.0.2.13
it_ok it_wait_dig "$A" AAAA 2001:db8::8

# --- user agents ------------------------------------------------------------
# Stored in the history as UTF-8 (PostgreSQL refuses anything else): a
# byte that is not UTF-8, or a long agent cut at 200 bytes inside a
# character, must not turn a change into 911.
it_eq "200 good 192.0.2.14|" "$(fx_get -u "$A:$TOK_A" -A $'router\xff' "/nic/update?hostname=$A&myip=192.0.2.14")" "User-Agent with a non-UTF-8 byte"
ua=$(printf 'x%.0s' {1..199})$'\xc3\xa4'
it_eq "200 good 192.0.2.13|" "$(fx_get -u "$A:$TOK_A" -A "$ua" "/nic/update?hostname=$A&myip=192.0.2.13")" "User-Agent cut at 200 bytes inside a character"
it_eq "router?" "$(fx_psql "SELECT user_agent FROM host_events e JOIN hosts h ON h.id = e.host_id WHERE h.fqdn = '$A' AND e.user_agent LIKE 'router%'")" "the stray byte is stored as '?'"
it_ok it_wait_dig "$A" A 192.0.2.13

# --- bodies and logs ----------------------------------------------------------
# Error answers are the bare dyndns2 code: never good/ok/nochg.
it_eq "401 badauth|" "$(fx_get "/nic/update")" "error body without credentials: badauth"
it_eq "200 nohost|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$B")" "another account's host: nohost"
it_eq "200 notfqdn|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=bad..x")" "bad name: notfqdn"
it_eq "200 numhost|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$many")" "too many names: numhost"
it_eq "400 dnserr|" "$(fx_get -u "$A:$TOK_A" "/nic/update?myip=x")" "bad address: dnserr"
it_eq "404" "$(curl -s -o /dev/null -w '%{http_code}' "$DDNS_URL/nope")" "unknown path: 404"
hdrs=$(curl -s -D - -o /dev/null -X PUT "$DDNS_URL/nic/update")
it_match "^HTTP/1.1 405" "$hdrs" "PUT /nic/update: 405"
it_match $'Allow: GET, POST\r' "$hdrs" "Allow is a comma-separated list (RFC 9110)"
secret=${TOK_A#ddh_*_}
it_eq "0" "$(grep -c -F -e "$secret" -e "$TOK_A" "$IT_TMP/ddnsd.log" || true)" "the token never appears in the log"
it_eq "0" "$(grep -c 'password=' "$IT_TMP/ddnsd.log" || true)" "no query string in the log"
it_done
