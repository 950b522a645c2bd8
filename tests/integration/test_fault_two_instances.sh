#!/bin/bash
# SPDX-License-Identifier: MIT
# Two ddnsd instances on one database; the one the clients talk to is
# killed (-9) in the middle of the load, the clients move to the other, and
# it pushes everything: every `good` either instance gave is in DNS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/faults.sh"

it_setup
fx_base
flt_hosts 30
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
pid_a=$DDNSD_PID url_a=$DDNS_URL
unset DDNSD_PID # lib.sh tracks one instance: start a second one beside it
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
pid_b=$DDNSD_PID
it_on_exit 'kill -TERM "$pid_a" 2>/dev/null'
printf '%s\n' "$url_a" >"$IT_TMP/url"
flt_writer_start "$IT_TMP/url"
sleep 3
flt_wait_goods 60 || true # flt_check_dns asserts it
goods_a=$(flt_goods)
kill -KILL "$pid_a"
printf '%s\n' "$DDNS_URL" >"$IT_TMP/url"
_svc_wait_dead "$pid_a" 5
dirty=$(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version")
sleep 2
flt_writer_stop
it_match '^[1-9][0-9]*$' "$goods_a" "the first instance answered good before its kill"
it_eq "more" "$( (($(flt_goods) > goods_a)) && echo more || echo "still $goods_a")" "the survivor answered good after the kill"
flt_check_dns 30
it_eq "0" "$(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version")" "outbox empty: the survivor pushed everything"
it_ok _svc_alive "$pid_b"
it_fail _svc_alive "$pid_a"
printf 'figures: %s hosts waiting for DNS right after the kill; answers: %s\n' "$dirty" "$(flt_counts)"
fx_outbox_consistent
it_done
