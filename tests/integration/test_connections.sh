#!/bin/bash
# SPDX-License-Identifier: MIT
# Connection limits of `ddnsd serve`: the global cap DDNS_MAX_CONNECTIONS
# (here 16, one worker thread so the cap is not divided), a request whose
# headers trickle in (never idle for long) cut off at DDNS_HEADER_TIMEOUT_S
# while an idle keep-alive connection may wait DDNS_CONN_TIMEOUT_S, and
# the open-files limit raised for the cap (or the cap lowered, logged).
# The per-/64 counting is in tests/unit/test_api_conns.c (loopback has one
# IPv6 address).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
trap '' PIPE
# held FD: one keep-alive request on FD, answer read.
held() {
	local line len=0
	printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&"$1" || return 1
	while read -r -t 5 line <&"$1"; do
		line=${line%$'\r'}
		[[ -n $line ]] || break
		[[ ${line,,} =~ ^content-length:\ *([0-9]+) ]] && len=${BASH_REMATCH[1]}
	done
	((len > 0)) && read -r -t 5 -N "$len" line <&"$1" && [[ $line == *alive* ]]
}

# --- the global cap ----------------------------------------------------------
it_start_ddnsd DDNS_HTTP_THREADS=1 DDNS_MAX_CONNECTIONS=16 DDNS_MAX_CONN_PER_IP=0
sleep 0.3 # the startup probe's connection is gone
fds=()
for ((i = 0; i < 16; i++)); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$DDNSD_PORT"
	fds+=("$fd")
	held "$fd" || break
done
it_eq 16 "$i" "16 connections held open (DDNS_MAX_CONNECTIONS=16, no per-address limit)"
it_eq "000" "$(curl -s -m 5 -o /dev/null -w '%{http_code}' --interface 127.0.0.9 "$DDNS_URL/healthz" || true)" "a 17th, from another address, is closed"
for fd in "${fds[@]}"; do exec {fd}>&-; done
sleep 0.3
it_eq "200" "$(curl -s -o /dev/null -w '%{http_code}' "$DDNS_URL/healthz")" "accepted again once they closed"

# --- headers that trickle in vs. an idle keep-alive connection ------------------
it_start_ddnsd DDNS_HEADER_TIMEOUT_S=2 DDNS_CONN_TIMEOUT_S=30
exec 5<>"/dev/tcp/127.0.0.1/$DDNSD_PORT"
it_ok held 5
# Idle for longer than the header timeout: the connection stays usable.
sleep 3
it_ok held 5
# A request that sends one header line every 0.5 s is never idle for 30 s;
# it is cut off by the header deadline, long before 20 lines are sent.
exec 6<>"/dev/tcp/127.0.0.1/$DDNSD_PORT"
printf 'GET /healthz HTTP/1.1\r\n' >&6
sent=0
for ((i = 0; i < 20; i++)); do
	sleep 0.5
	printf 'X-Trickle-%d: y\r\n' "$i" >&6 2>/dev/null || break
	sent=$((sent + 1))
done
it_eq "" "$(timeout 5 cat <&6 || true)" "the trickling request gets no answer"
it_eq yes "$( ((sent < 20)) && echo yes || echo "no: all $sent lines were taken")" "and is disconnected while still sending (after $sent lines)"
exec 5>&- 6>&-
it_match '"status":"alive"' "$(curl -s "$DDNS_URL/healthz")" "the server serves on"

# --- open files for the cap --------------------------------------------------------
it_stop_ddnsd
prlimit --nofile=1024:20000 -- bash -c "DDNS_LISTEN=127.0.0.1:$(it_free_port) DDNS_MAX_CONNECTIONS=4000 DDNS_SHUTDOWN_TIMEOUT=0 timeout -s TERM 2 \"$DDNSD\" serve" >"$IT_TMP/nofile.log" 2>&1 || true
it_match 'open-files limit \(RLIMIT_NOFILE\) raised from 1024 to 4256' "$(cat "$IT_TMP/nofile.log")" "soft limit 1024: raised for 4000 connections, and logged"
prlimit --nofile=1024:1024 -- bash -c "DDNS_LISTEN=127.0.0.1:$(it_free_port) DDNS_MAX_CONNECTIONS=4000 DDNS_SHUTDOWN_TIMEOUT=0 timeout -s TERM 2 \"$DDNSD\" serve" >"$IT_TMP/nofile2.log" 2>&1 || true
it_match 'hard limit is 1024: at most 768 connections' "$(cat "$IT_TMP/nofile2.log")" "hard limit 1024: the cap is lowered to fit, and that is logged"
it_done
