#!/bin/bash
# SPDX-License-Identifier: MIT
# kill -9 of ddnsd in the middle of a stream of updates, then a restart:
# every update a client was answered `good` for ends up in DNS (the
# outbox is in PostgreSQL; nothing lives only in the dead process).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/faults.sh"

it_setup
fx_base
flt_hosts 30
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
printf '%s\n' "$DDNS_URL" >"$IT_TMP/url"
flt_writer_start "$IT_TMP/url"
sleep 3
flt_wait_goods 60 || true # flt_check_dns asserts it
# The pusher is woken by every update, so the outbox may be empty at any
# given moment: freeze ddnsd (nothing is pushed while it is stopped) and
# kill it once changes are pending, so that the restart has work to do.
pending() { fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version"; }
for ((i = 0; i < 100; i++)); do
	kill -STOP "$DDNSD_PID"
	(($(pending) > 0)) && break
	kill -CONT "$DDNSD_PID"
	sleep 0.05
done
goods=$(flt_goods)
kill -KILL "$DDNSD_PID"
it_stop_ddnsd
it_eq 137 "$DDNSD_EXIT" "ddnsd died of SIGKILL"
dirty=$(pending)
it_match '^[1-9][0-9]*$' "$goods" "clients were answered good before the kill"
it_match '^[1-9][0-9]*$' "$dirty" "changes were pending in the outbox at the kill"
sleep 1
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
printf '%s\n' "$DDNS_URL" >"$IT_TMP/url"
sleep 2
flt_writer_stop
it_eq "more" "$( (($(flt_goods) > goods)) && echo more || echo "still $goods")" "clients were answered good after the restart"
flt_check_dns 30
it_eq "0" "$(pending)" "outbox empty after the restart"
printf 'figures: %s hosts waiting for DNS right after the kill; answers: %s\n' "$dirty" "$(flt_counts)"
fx_outbox_consistent
it_done
