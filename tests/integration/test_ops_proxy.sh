#!/bin/bash
# SPDX-License-Identifier: MIT
# DDNS_TRUSTED_PROXIES: X-Forwarded-For / X-Real-IP are believed only from a
# trusted peer (127.0.0.2 here); from anyone else (127.0.0.1) they are
# ignored. Seen in the stored address (no myip= means "the client's") and
# in the access log.
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

sleep 0.2
line=$(grep -F '"client":"198.51.100.9"' "$IT_TMP/ddnsd.log" | head -n 1 || true)
it_match '"peer":"127.0.0.2"' "$line" "access log: client and the proxy peer"
rc=0
out=$(DDNS_TRUSTED_PROXIES="10.0.0.0/33" DDNS_LISTEN=127.0.0.1:1 "$DDNSD" serve 2>&1) || rc=$?
it_eq 2 "$rc" "bad DDNS_TRUSTED_PROXIES: exit 2"
it_match 'DDNS_TRUSTED_PROXIES' "$out" "the message names DDNS_TRUSTED_PROXIES"
it_done
