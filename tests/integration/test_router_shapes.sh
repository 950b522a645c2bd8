#!/bin/bash
# SPDX-License-Identifier: MIT
# The /nic/update requests that router firmware and update clients really
# send, one shape per client, each read back from BIND. Where a shape comes
# from (read in the client's source or documentation):
#   FRITZ!Box   AVM help "DynDNS" + custom URL placeholders <ipaddr>,
#               <ip6addr>, <ip6lanprefix>; an absent family is an empty
#               half: "v4," / ",v6"; user agent "Fritz!Box DDNS/1.0.1";
#               credentials from its user name / password fields (Basic)
#   ddclient    ddclient.in v3.10.0 / v3.11.2 nic_dyndns2_update:
#               ?system=dyndns|custom&hostname=&myip=[v4][,v6]
#               [&wildcard=ON][&mx=&backmx=], Basic
#   inadyn      v2.10.0 plugins/common.c (default@dyndns.org: HTTP/1.0,
#               ?hostname=&myip=[&wildcard=ON]) and plugins/generic.c
#               (custom: ddns-path url-encoded, ':' becomes %3a; without a
#               '%' in the path the host name is appended)
#   OpenWrt     ddns-scripts dyndns.org.json
#               http://[USERNAME]:[PASSWORD]@host/...?hostname=[DOMAIN]&myip=[IP],
#               IPv6 sent expanded (expand_ipv6), fetched by wget or curl
#   pfSense     src/etc/inc/dyndns.class: dyndns with a custom server:
#               ?system=dyndns&hostname=&myip=&wildcard=OFF&mx=&backmx=NO,
#               custom(-v6): the user's URL with %IP%; user agent
#               phpDynDNS/0.7; Basic
#   OPNsense    os-ddclient lib/account/dyndns2.py: python requests,
#               ?hostname=&myip=&wildcard=NOCHG (':' as %3A), user agent
#               OPNsense-dyndns; custom: GET/POST of the URL with __MYIP__
#               and __HOSTNAME__, no body; Basic
#   UniFi       runs inadyn and appends the host name to the server field:
#               server "host/nic/update?myip=%i&hostname=" (willswire/unifi-ddns)
#   MikroTik    RouterOS /tool fetch url= user= password= (Basic after the
#               401 challenge); "/ip address get" gives "203.0.113.5/24"
#   Synology    DSM custom provider: query URL with __HOSTNAME__, __MYIP__,
#               __USERNAME__, __PASSWORD__ as query parameters
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
H=$HOST_A
U="/nic/update"

# fx_get with Basic credentials of host A.
upd() { fx_get -u "$H:$TOK_A" "$@"; }

# --- FRITZ!Box ----------------------------------------------------------
FB=(-A "Fritz!Box DDNS/1.0.1")
it_eq "200 good 203.0.113.5,2001:db8::aa|" "$(upd "${FB[@]}" "$U?hostname=$H&myip=203.0.113.5,2001:db8::aa")" "FRITZ!Box dual stack"
it_ok it_wait_dig "$H" A 203.0.113.5
it_ok it_wait_dig "$H" AAAA 2001:db8::aa
it_eq "200 good 203.0.113.6|" "$(upd "${FB[@]}" "$U?hostname=$H&myip=203.0.113.6,")" "FRITZ!Box IPv4-only line: 'v4,'"
it_ok it_wait_dig "$H" A 203.0.113.6
it_eq "2001:db8::aa" "$(it_dig "$H" AAAA)" "the empty IPv6 half leaves the AAAA as it is"
it_eq "200 good 2001:db8::ab|" "$(upd "${FB[@]}" "$U?hostname=$H&myip=,2001:db8::ab")" "FRITZ!Box DS-Lite (no public IPv4): ',v6'"
it_ok it_wait_dig "$H" AAAA 2001:db8::ab
it_eq "203.0.113.6" "$(it_dig "$H" A)" "the empty IPv4 half leaves the A as it is"
it_eq "200 nochg 203.0.113.6,2001:db8::ab|" "$(upd "${FB[@]}" "$U?hostname=$H&myip=203.0.113.6,2001:db8::ab&ip6lanprefix=")" "FRITZ!Box with an empty <ip6lanprefix>"
it_eq "200 good 203.0.113.7,2001:db8:1:200::1|" "$(upd "${FB[@]}" "$U?hostname=$H&myip=203.0.113.7,2001:db8:1:200::1&ip6lanprefix=2001:db8:1:200::/56")" "FRITZ!Box with <ip6lanprefix>"
it_ok it_wait_dig "$H" A 203.0.113.7
it_eq "400 dnserr|" "$(upd "${FB[@]}" "$U?hostname=$H&myip=203.0.113.8,&ip6lanprefix=2001:db8::/129")" "a prefix that does not parse: dnserr"
it_eq "400 dnserr|" "$(upd "${FB[@]}" "$U?hostname=$H&myip=203.0.113.8,,2001:db8::1")" "three halves: dnserr"
it_eq "203.0.113.7" "$(it_dig "$H" A)" "refused shapes changed nothing"

# --- ddclient 3.10 / 3.11 -----------------------------------------------
it_eq "200 good 198.51.100.1|" "$(upd -A "ddclient/3.10.0" "$U?system=dyndns&hostname=$H&myip=198.51.100.1")" "ddclient 3.10"
it_eq "200 good 198.51.100.2,2001:db8::2|" "$(upd -A "ddclient/3.11.2" "$U?system=dyndns&hostname=$H&myip=198.51.100.2,2001:db8::2")" "ddclient 3.11 usev4 + usev6: myip=v4,v6"
it_ok it_wait_dig "$H" AAAA 2001:db8::2
it_eq "200 good 198.51.100.3|" "$(upd -A "ddclient/3.11.2" "$U?system=custom&hostname=$H&myip=198.51.100.3&wildcard=ON&mx=mx.example.net&backmx=NO")" "ddclient custom=yes, wildcard, mx"
it_ok it_wait_dig "$H" A 198.51.100.3
it_eq "200 good 127.0.0.1|" "$(upd -A "ddclient/3.11.2" "$U?system=dyndns&hostname=$H&myip=")" "ddclient without an address: the client's"
it_ok it_wait_dig "$H" A 127.0.0.1

# --- inadyn / UniFi -----------------------------------------------------
it_eq "200 good 198.51.100.4|" "$(upd --http1.0 -A "inadyn/2.10.0" "$U?hostname=$H&myip=198.51.100.4")" "inadyn default@dyndns.org (HTTP/1.0)"
it_eq "200 good 2001:db8::9|" "$(upd --http1.0 -A "inadyn/2.10.0" "$U?hostname=$H&myip=2001%3adb8%3a%3a9")" "inadyn custom ddns-path with an encoded IPv6 %i"
it_ok it_wait_dig "$H" AAAA 2001:db8::9
it_eq "200 good 198.51.100.5|" "$(upd --http1.0 -A "inadyn/2.8.1" "$U?myip=198.51.100.5&hostname=$H")" "UniFi: host name appended last"
it_ok it_wait_dig "$H" A 198.51.100.5

# --- OpenWrt ddns-scripts: credentials in the URL, real wget and curl ----
out=$(wget -q -O - -U "ddns-scripts/2.8.2" "http://$H:$TOK_A@127.0.0.1:$DDNSD_PORT$U?hostname=$H&myip=2001:0db8:0000:0000:0000:0000:0000:0011" 2>&1) || true
it_eq "good 2001:db8::11" "$out" "OpenWrt: wget with user:password@ (Basic after the challenge), expanded IPv6"
it_ok it_wait_dig "$H" AAAA 2001:db8::11
out=$(curl -s -A "ddns-scripts/2.8.2" "http://$H:$TOK_A@127.0.0.1:$DDNSD_PORT$U?hostname=$H&myip=198.51.100.6")
it_eq "good 198.51.100.6" "$out" "OpenWrt: curl with user:password@"
it_ok it_wait_dig "$H" A 198.51.100.6

# --- pfSense ------------------------------------------------------------
it_eq "200 good 198.51.100.7|" "$(upd -A "phpDynDNS/0.7" "$U?system=dyndns&hostname=$H&myip=198.51.100.7&wildcard=OFF&mx=&backmx=NO")" "pfSense dyndns with a custom server"
it_eq "200 good 2001:db8::12|" "$(upd -A "phpDynDNS/0.7" "$U?hostname=$H&myip=2001:db8::12")" "pfSense custom-v6 (%IP%)"
it_ok it_wait_dig "$H" AAAA 2001:db8::12

# --- OPNsense -----------------------------------------------------------
it_eq "200 good 2001:db8::13|" "$(upd -A "OPNsense-dyndns" "$U?hostname=$H&myip=2001%3Adb8%3A%3A13&wildcard=NOCHG")" "OPNsense native dyndns2 (requests encoding)"
it_ok it_wait_dig "$H" AAAA 2001:db8::13
it_eq "200 good 198.51.100.8|" "$(upd -A "OPNsense-dyndns" -X POST "$U?hostname=$H&myip=198.51.100.8")" "OPNsense custom, POST without a body"
it_ok it_wait_dig "$H" A 198.51.100.8

# --- MikroTik RouterOS --------------------------------------------------
it_eq "200 good 198.51.100.9|" "$(fx_get --anyauth -u "$H:$TOK_A" -A "Mikrotik/7.14 Fetch" "$U?hostname=$H&myip=198.51.100.9/24")" "MikroTik /tool fetch, interface address with its length"
it_ok it_wait_dig "$H" A 198.51.100.9

# --- Synology DSM -------------------------------------------------------
it_eq "200 good 198.51.100.10|" "$(fx_get "$U?hostname=$H&myip=198.51.100.10&username=$H&password=$TOK_A")" "Synology custom provider: credentials as parameters"
it_ok it_wait_dig "$H" A 198.51.100.10
it_eq "2001:db8::13" "$(it_dig "$H" AAAA)" "IPv4 updates never removed the AAAA"
it_eq "0" "$(grep -c -F -e "${TOK_A#ddh_*_}" "$IT_TMP/ddnsd.log" || true)" "the token never appears in ddnsd's log"
it_done
