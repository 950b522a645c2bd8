#!/bin/bash
# SPDX-License-Identifier: MIT
# DDNS_TRUSTED_PROXIES: X-Forwarded-For / X-Real-IP are believed only from a
# trusted peer (127.0.0.2 here); from anyone else (127.0.0.1) they are
# ignored. Seen in the stored address (no myip= means "the client's") and
# in the access log. The header shapes nginx and HAProxy really send:
#   nginx  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
#          proxy_set_header X-Real-IP $remote_addr;
#          -> one line "<client's own list>, <peer>", X-Real-IP replaced
#   HAProxy option forwardfor
#          -> the client's lines untouched, a new last line "<peer>";
#             a client's X-Real-IP passed through
# and a client rotating forged addresses behind HAProxy still hits the
# failed-authentication limit.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
it_start_ddnsd DDNS_TRUSTED_PROXIES="127.0.0.2/32, 2001:db8:ffff::/48"
A=$HOST_A
upd() { fx_get --interface "$1" -u "$A:$TOK_A" "${@:2}" "/nic/update?hostname=$A"; }

it_eq "200 good 127.0.0.1|" "$(upd 127.0.0.1 -H 'X-Forwarded-For: 203.0.113.66')" "untrusted peer: X-Forwarded-For ignored"
it_eq "200 nochg 127.0.0.1|" "$(upd 127.0.0.1 -H 'X-Real-IP: 203.0.113.67')" "untrusted peer: X-Real-IP ignored"
it_eq "200 good 203.0.113.66|" "$(upd 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.66')" "trusted peer: X-Forwarded-For used"
it_ok it_wait_dig "$A" A 203.0.113.66
it_eq "200 good 203.0.113.67|" "$(upd 127.0.0.2 -H 'X-Real-IP: 203.0.113.67')" "trusted peer: X-Real-IP used"
it_eq "200 good 198.51.100.9|" "$(upd 127.0.0.2 -H 'X-Forwarded-For: 10.9.9.9, 198.51.100.9')" "trusted peer: the rightmost untrusted hop (a client's own header cannot override)"
it_eq "200 good 127.0.0.2|" "$(upd 127.0.0.2 -H 'X-Forwarded-For: not-an-address')" "garbage X-Forwarded-For: the peer"
it_eq "200 good 127.0.0.3|" "$(upd 127.0.0.3 -H 'X-Forwarded-For: 127.0.0.2')" "127.0.0.3 is not trusted, even naming a trusted proxy"
fx_psql "SELECT host(ipv4) FROM hosts WHERE fqdn = '$A'" >"$IT_TMP/addr"
it_eq "127.0.0.3" "$(cat "$IT_TMP/addr")" "stored address is the untrusted peer's"

# nginx: the client forged a list and an X-Real-IP; nginx appends the
# address it saw and replaces X-Real-IP.
it_eq "200 good 203.0.113.70|" "$(upd 127.0.0.2 -H 'X-Forwarded-For: 6.6.6.6, 7.7.7.7, 203.0.113.70' -H 'X-Real-IP: 203.0.113.70')" "nginx shape: the address nginx appended"
# HAProxy: the client's own line first, HAProxy's line last, the client's
# X-Real-IP passed through. (Only the first line was read before.)
it_eq "200 good 203.0.113.71|" "$(upd 127.0.0.2 -H 'X-Real-IP: 6.6.6.1' -H 'X-Forwarded-For: 6.6.6.2' -H 'X-Forwarded-For: 203.0.113.71')" "HAProxy shape: the last line's address, not the forged first line or X-Real-IP"
it_eq "200 good 203.0.113.72|" "$(upd 127.0.0.2 -H 'X-Forwarded-For: 6.6.6.2, 6.6.6.3' -H 'X-Forwarded-For: 203.0.113.72' -H 'X-Forwarded-For: 127.0.0.2')" "three lines, a trusted hop last: the rightmost untrusted"
it_eq "200 good 127.0.0.2|" "$(upd 127.0.0.2 -H 'X-Real-IP: 6.6.6.1' -H 'X-Real-IP: 203.0.113.73')" "two X-Real-IP lines: neither is believed"

sleep 0.2
line=$(grep -F '"client":"198.51.100.9"' "$IT_TMP/ddnsd.log" | head -n 1 || true)
it_match '"peer":"127.0.0.2"' "$line" "access log: client and the proxy peer"
# Failed authentications behind HAProxy with a forged, rotating first line:
# all count against the address HAProxy saw, which is then blocked.
it_start_ddnsd DDNS_TRUSTED_PROXIES="127.0.0.2/32" DDNS_AUTH_FAIL_MAX=3
for i in 1 2 3 4 5; do
	fx_get --interface 127.0.0.2 -u "$A:ddh_wrongwrongwrongwrongwr_$i" \
		-H "X-Forwarded-For: 198.18.0.$i" -H 'X-Forwarded-For: 203.0.113.80' \
		"/nic/update?hostname=$A" >/dev/null
done
fx_psql "SELECT count(*), max(count) FROM auth_failures WHERE masklen(prefix) = 32" >"$IT_TMP/fails"
it_eq "1|3" "$(cat "$IT_TMP/fails")" "one auth_failures row for a client (the proxy-seen one), blocked at 3"
it_match "^429 abuse" "$(upd 127.0.0.2 -H 'X-Forwarded-For: 198.18.0.9' -H 'X-Forwarded-For: 203.0.113.80')" "that client is blocked even with its valid token"
it_eq "200 good 127.0.0.3|" "$(upd 127.0.0.3)" "other clients are not"

rc=0
out=$(DDNS_TRUSTED_PROXIES="10.0.0.0/33" DDNS_LISTEN=127.0.0.1:1 "$DDNSD" serve 2>&1) || rc=$?
it_eq 2 "$rc" "bad DDNS_TRUSTED_PROXIES: exit 2"
it_match 'DDNS_TRUSTED_PROXIES' "$out" "the message names DDNS_TRUSTED_PROXIES"
it_done
