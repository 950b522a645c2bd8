#!/bin/bash
# SPDX-License-Identifier: MIT
# GET /v1/hosts/{name}/setup: the answer matches its OpenAPI schema; the
# profiles of the clients installed here (ddclient 3.10, inadyn, curl,
# wget) are run verbatim, only @@TOKEN@@ replaced by a host token, and
# the result read back from BIND; the others are filled in the way their
# client documents (FRITZ!Box <domain>/<ipaddr>/<ip6addr>, OpenWrt
# [USERNAME]/[PASSWORD]/[DOMAIN]/[IP], pfSense %IP% and Result Match,
# OPNsense's server + /nic/update, UniFi's appended host name, RouterOS
# fetch url/user/password, Synology __HOSTNAME__/__MYIP__/...) and sent.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

for c in ddclient inadyn wget curl; do
	command -v "$c" >/dev/null || { echo "$c is not installed (tests/run.sh installs it)"; exit 1; }
done
it_setup
fx_base
PW='a long enough password'
rest_account setup@example.com "$PW"
rest_account other@example.com "$PW"
P=$(it_free_port)
PID=''
# serve [VAR=value...]: ddnsd on [::]:$P, both families, until the next call.
serve() {
	local i
	stop
	: >"$IT_TMP/ddnsd.log"
	env DDNS_HOST_CHANGE_BURST=0 DDNS_HOST_NOCHG_PER_MIN=0 DDNS_AUTH_FAIL_MAX=0 \
		DDNS_PUSH_INTERVAL_MS=200 "$@" DDNS_LISTEN="[::]:$P" "$DDNSD" serve \
		</dev/null >>"$IT_TMP/ddnsd.log" 2>&1 &
	PID=$!
	for ((i = 0; i < 100; i++)); do
		# The same upstream each time: Prism starts once, then stays.
		grep -q '"ddnsd: serving"' "$IT_TMP/ddnsd.log" && { rest_prism_start; return; }
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$IT_TMP/ddnsd.log" >&2
	return 1
}
stop() {
	[[ -n $PID ]] || return 0
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=''
}
it_on_exit stop
export DDNS_URL="http://127.0.0.1:$P"

it_ok serve
TOK=$(rest_token setup@example.com "$PW" '["read","write"]')
OTHER=$(rest_token other@example.com "$PW" '["read"]')
H="nas-$FX_ID.dyn.test"
rqa "$TOK" POST /v1/hosts "{\"name\":\"$H\"}"
it_status 201 "host created"
rqa "$TOK" POST "/v1/hosts/$H/tokens" '{"label":"router"}'
ROUTER=$(jf .token)

# --- the answer and its contract ---------------------------------------------
rqa "$TOK" GET "/v1/hosts/$H/setup"
it_status 200 "setup of the host"
doc=$DDNS_SOURCE_DIR/api/openapi.json
it_eq "application/json" "${RQ_CT%%;*}" "JSON"
it_eq "$(jq -c '.components.schemas.HostSetup.required | sort' "$doc")" "$(jf 'keys | sort' | jq -c .)" "exactly the fields the schema names"
it_eq "$(jq -c '.components.schemas.SetupProfile.properties.client.enum' "$doc")" "$(jf '[.items[].client]' | jq -c .)" "every client of the schema, in its order"
it_eq "true" "$(jf '[.items[] | (keys | sort) == ["client","config","title"] and (.config | length > 0)] | all')" "each item: client, title, non-empty config"
it_eq "@@TOKEN@@" "$(jf .token_placeholder)" "the token placeholder"
it_eq "$(jq -r .components.schemas.HostSetup.properties.token_placeholder.const "$doc")" "$(jf .token_placeholder)" "the placeholder is the documented one"
it_eq "$H" "$(jf .name)" "the host"
it_eq "http://127.0.0.1:$P" "$(jf .server)" "no DDNS_PUBLIC_URL, [::] listen: the Host the request came to"
it_eq "12" "$(jf '[.items[] | select(.config | contains("@@TOKEN@@"))] | length')" "every profile carries the placeholder"
it_eq "0" "$(grep -c 'ddh_' <<<"$RQ_BODY" || true)" "no token in the answer"
rqa "$OTHER" GET "/v1/hosts/$H/setup"
it_status 404 "another account's host does not exist"
it_ok is_problem
rq_direct "no credentials: Prism would answer for ddnsd" rq GET "/v1/hosts/$H/setup"
it_status 401 "no credentials"
rq_direct "a router token: not an account token scheme Prism knows here" rq GET "/v1/hosts/$H/setup" -H "Authorization: Bearer $ROUTER"
it_status 401 "a host token is not an account token"
rqa "$TOK" GET "/v1/hosts/nothere-$FX_ID.dyn.test/setup"
it_status 404 "unknown host"

# The server from DDNS_PUBLIC_URL.
# profile CLIENT: the config of CLIENT with the router token in it.
profile() { jq -r --arg c "$1" '.items[] | select(.client == $c) | .config' <<<"$SETUP" | sed "s/@@TOKEN@@/$ROUTER/g"; }
setup_for() { rqa "$TOK" GET "/v1/hosts/$H/setup"; SETUP=$RQ_BODY; }
it_ok serve DDNS_PUBLIC_URL="http://127.0.0.1:$P"
setup_for
it_eq "http://127.0.0.1:$P" "$(jq -r .server <<<"$SETUP")" "DDNS_PUBLIC_URL is the server"
move() { fx_get -u "$H:$ROUTER" "/nic/update?myip=$1,$2" >/dev/null; it_wait_dig "$H" A "$1"; }

# --- verbatim: ddclient 3.10 ---------------------------------------------------
it_ok move 198.51.100.1 2001:db8::1
profile ddclient-3.10 >"$IT_TMP/ddclient.conf"
chmod 600 "$IT_TMP/ddclient.conf"
it_ok ddclient -file "$IT_TMP/ddclient.conf" -cache "$IT_TMP/ddclient.cache" -daemon=0 -foreground -verbose -noquiet >"$IT_TMP/ddclient.log" 2>&1
it_match "SUCCESS: +(updating )?$H" "$(cat "$IT_TMP/ddclient.log")" "ddclient 3.10 profile, verbatim: success"
it_ok it_wait_dig "$H" A 127.0.0.1
it_ok it_wait_log '"path":"/nic/checkip"'

# --- verbatim: inadyn (one global line added: inadyn refuses loopback
# addresses as "not a valid Internet address" unless told not to check) --------
it_ok move 198.51.100.2 2001:db8::2
mkdir -p "$IT_TMP/inadyn-cache"
{ echo "verify-address = false"; profile inadyn; } >"$IT_TMP/inadyn.conf"
chmod 600 "$IT_TMP/inadyn.conf"
: >"$IT_TMP/ddnsd.log.mark"
inadyn --once --foreground --no-pidfile --loglevel=info -f "$IT_TMP/inadyn.conf" \
	--cache-dir="$IT_TMP/inadyn-cache" >"$IT_TMP/inadyn.log" 2>&1 || true
it_match "Successful alias table update for $H => new IP# 127\.0\.0\.1" "$(cat "$IT_TMP/inadyn.log")" "inadyn profile, verbatim: success with the checkip address"
it_ok it_wait_dig "$H" A 127.0.0.1
it_eq "1" "$(fx_psql "SELECT count(*) FROM host_events e JOIN hosts h ON h.id = e.host_id WHERE h.fqdn = '$H' AND e.user_agent LIKE 'inadyn%'")" "the update came from inadyn"

# --- verbatim: curl and wget, over IPv4 and (another server URL) IPv6 ---------
it_ok move 198.51.100.3 2001:db8::3
it_match "^good 127\.0\.0\.1" "$(bash -c "$(profile curl)")" "curl profile, verbatim"
it_ok it_wait_dig "$H" A 127.0.0.1
it_ok move 198.51.100.4 2001:db8::4
it_match "^good 127\.0\.0\.1" "$(bash -c "$(profile wget)")" "wget profile, verbatim"
it_ok it_wait_dig "$H" A 127.0.0.1
it_ok serve DDNS_PUBLIC_URL="http://[::1]:$P"
setup_for
it_match "^good ::1" "$(bash -c "$(profile curl)")" "curl profile against an IPv6 server: the AAAA"
it_ok it_wait_dig "$H" AAAA ::1
it_ok move 198.51.100.5 2001:db8::5
it_match "^good ::1" "$(bash -c "$(profile wget)")" "wget profile against an IPv6 server: the AAAA"
it_ok it_wait_dig "$H" AAAA ::1

# --- the others, filled in as their clients document --------------------------
it_ok serve DDNS_PUBLIC_URL="http://127.0.0.1:$P"
setup_for
field() { profile "$1" | sed -n "s/^$2: //p"; }
# FRITZ!Box: <domain>, <ipaddr>, <ip6addr> in the URL; user/password fields as Basic.
url=$(field fritzbox 'Update URL (Update-URL)')
it_match "hostname=<domain>&myip=<ipaddr>,<ip6addr>$" "$url" "FRITZ!Box URL with its placeholders"
it_eq "$H" "$(field fritzbox 'Domain name (Domainname)')" "FRITZ!Box domain field"
url=${url//<domain>/$H}; url=${url//<ipaddr>/203.0.113.71}; url=${url//<ip6addr>/}
it_eq "200 good 203.0.113.71|" "$(fx_get -A 'Fritz!Box DDNS/1.0.1' -u "$(field fritzbox 'Username (Benutzername)'):$(field fritzbox 'Password (Kennwort)')" "${url#"$DDNS_URL"}")" "FRITZ!Box without IPv6 (empty <ip6addr>)"
it_ok it_wait_dig "$H" A 203.0.113.71
# OpenWrt: UCI syntax, update_url with [USERNAME] [PASSWORD] [DOMAIN] [IP] via wget.
it_eq "" "$(profile openwrt | grep -v -E "^(#.*|config service '[a-z0-9_]+'|	option [a-z_0-9]+ '[^']*'|)$" || true)" "OpenWrt profile is UCI lines only"
uurl=$(profile openwrt | sed -n "s/^	option update_url '\(.*\)'$/\1/p" | head -n 1)
uurl=${uurl//\[USERNAME\]/$H}; uurl=${uurl//\[PASSWORD\]/$ROUTER}; uurl=${uurl//\[DOMAIN\]/$H}; uurl=${uurl//\[IP\]/2001:0db8:0000:0000:0000:0000:0000:0072}
it_eq "good 2001:db8::72" "$(wget -q -O - -U 'ddns-scripts/2.8.2' "$uurl")" "OpenWrt update_url as ddns-scripts fills it (expanded IPv6)"
it_ok it_wait_dig "$H" AAAA 2001:db8::72
# pfSense: %IP% in the URL; the answer must equal a Result Match alternative.
purl=$(field pfsense 'Update URL'); purl=${purl//%IP%/203.0.113.73}
body=$(curl -s -A 'phpDynDNS/0.7' -u "$(field pfsense Username):$(field pfsense Password)" "$purl" | tr -d '\r\n\t')
match=$(field pfsense 'Result Match'); match=${match//%IP%/203.0.113.73}
it_eq "good 203.0.113.73" "$body" "pfSense custom update"
it_match "(^|\|)$body(\||$)" "$match" "pfSense Result Match accepts the answer"
body=$(curl -s -A 'phpDynDNS/0.7' -u "$H:$ROUTER" "$purl" | tr -d '\r\n\t')
it_match "(^|\|)$body(\||$)" "$match" "and the nochg that follows"
# OPNsense: http(s)://<Server>/nic/update with hostname, myip, wildcard.
it_eq "200 good 203.0.113.74|" "$(fx_get -A OPNsense-dyndns -u "$(field opnsense Username):$(field opnsense Password)" "/nic/update?hostname=$(field opnsense 'Hostname(s)')&myip=203.0.113.74&wildcard=NOCHG")" "OPNsense fields"
it_eq "127.0.0.1:$P" "$(field opnsense Server)" "OPNsense server field"
# UniFi: inadyn appends the host name to the server field.
userver=$(field unifi Server); userver=${userver//%i/203.0.113.75}
it_eq "good 203.0.113.75" "$(curl -s --http1.0 -A 'inadyn/2.8.1' -u "$(field unifi Username):$(field unifi Password)" "http://$userver$(field unifi Hostname)")" "UniFi server field plus the appended host name"
# MikroTik: /tool fetch url= user= password=, Basic after the challenge.
murl=$(profile mikrotik | sed -n 's/.*url="\([^"]*\)".*/\1/p'); murl=${murl//\$name/$H}
it_match 'user=\$name password=\$token' "$(profile mikrotik)" "RouterOS fetch with user and password"
it_ok move 198.51.100.6 2001:db8::6
it_eq "good 127.0.0.1" "$(curl -s --anyauth -A 'Mikrotik/7.14 Fetch' -u "$H:$ROUTER" "$murl")" "RouterOS url, no myip: the router's address"
it_ok it_wait_dig "$H" A 127.0.0.1
# Synology: __HOSTNAME__ __MYIP__ __USERNAME__ __PASSWORD__ as parameters.
surl=$(field synology 'Query URL')
surl=${surl//__HOSTNAME__/$(field synology Hostname)}; surl=${surl//__MYIP__/203.0.113.76}
surl=${surl//__USERNAME__/$(field synology 'Username\/Email')}; surl=${surl//__PASSWORD__/$(field synology 'Password\/Key')}
it_eq "good 203.0.113.76" "$(curl -s "$surl")" "Synology query URL"
it_ok it_wait_dig "$H" A 203.0.113.76

# --- wildcard listen, Host-derived server, TLS scheme -------------------------
it_ok serve
rq_direct "the Host header: Prism sends its own" rq GET "/v1/hosts/$H/setup" -H "Authorization: Bearer $TOK" -H "Host: ddns.example.net:8443"
it_eq "http://ddns.example.net:8443" "$(jf .server)" "[::] listen: the Host the console used"
rq_direct "the Host header: Prism sends its own" rq GET "/v1/hosts/$H/setup" -H "Authorization: Bearer $TOK" -H 'Host: bad"host'
it_eq "http://[::1]:$P" "$(jf .server)" "an unusable Host: loopback"
it_ok serve DDNS_PUBLIC_URL="https://ddns.example.net"
setup_for
it_eq "https://ddns.example.net" "$(jq -r .server <<<"$SETUP")" "https public URL"
it_match $'ssl=yes\nserver=ddns.example.net\n' "$(profile ddclient-3.10)" "ddclient over TLS, default port"
it_match "ssl            = true" "$(profile inadyn)" "inadyn over TLS"
it_match "option use_https '1'" "$(profile openwrt)" "OpenWrt over TLS"
it_match "check-certificate=yes" "$(profile mikrotik)" "RouterOS checks the certificate"
for v in "ftp://x.example" "https://x.example/path" "https://x.example/" "http://u@x.example" "https://x.example?a"; do
	out=$(DDNS_PUBLIC_URL=$v "$DDNSD" serve 2>&1) && rc=0 || rc=$?
	it_match "^2 ddnsd: DDNS_PUBLIC_URL: " "$rc $out" "DDNS_PUBLIC_URL=$v refused"
done
it_eq "0" "$(grep -c -F -e "${ROUTER#ddh_*_}" "$IT_TMP/ddnsd.log" || true)" "the token never appears in ddnsd's log"
it_done
