#!/bin/bash
# SPDX-License-Identifier: MIT
# The nameserver is stopped for 60 s while a steady stream of updates to 50
# hosts goes on: /nic/update keeps answering good, nothing is marked pushed
# while it is down, and once BIND is back every host ends up with the last
# address it was answered good for.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/faults.sh"

OUTAGE_S=${OUTAGE_S:-60}
it_setup
# A private BIND: this test stops it, other tests share the common one.
svc_bind_start "$IT_TMP/ns" dyn.test other.test
it_on_exit 'svc_bind_stop "$IT_TMP/ns"'
fx_base "$BIND_PRIMARY"
flt_hosts 50
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_DNS_TIMEOUT_MS=1000
printf '%s\n' "$DDNS_URL" >"$IT_TMP/url"
flt_writer_start "$IT_TMP/url"
sleep 3

svc_bind_stop "$IT_TMP/ns"
t_down=${EPOCHREALTIME/./}
sleep "$OUTAGE_S"
before=$(flt_counts)
it_eq "$FLT_N" "$(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version AND fqdn LIKE 'f%-$FX_ID.dyn.test'")" \
	"all $FLT_N hosts changed during the outage are waiting, none marked pushed"
it_match "not pushed: .*(refused|Connection)" "$(cat "$IT_TMP/ddnsd.log")" "the push failure is logged clearly"
it_match "retry in [0-9]+ ms \(attempt [5-9]" "$(cat "$IT_TMP/ddnsd.log")" "the pusher backs off"

svc_bind_start "$IT_TMP/ns" dyn.test other.test
t_up=${EPOCHREALTIME/./}
sleep 3
flt_writer_stop
flt_check_dns 90
t_done=${EPOCHREALTIME/./}
it_eq "0" "$(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version")" "outbox empty after recovery"
it_match "recovered after [0-9]+ failures" "$(cat "$IT_TMP/ddnsd.log")" "recovery is logged"
it_ok _svc_alive "$DDNSD_PID"
printf 'figures: outage %d s; answers until the end of the outage: %s; all: %s; DNS complete %.1f s after BIND came back; attempts: %s\n' \
	$(((t_up - t_down) / 1000000)) "$before" "$(flt_counts)" \
	"$(((t_done - t_up) / 100000))e-1" \
	"$(grep -o 'attempt [0-9]*' "$IT_TMP/ddnsd.log" | tail -n 1)"
it_done
