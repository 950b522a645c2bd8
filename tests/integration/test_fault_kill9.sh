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
kill -KILL "$DDNSD_PID"
it_stop_ddnsd
it_eq 137 "$DDNSD_EXIT" "ddnsd died of SIGKILL"
dirty=$(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version")
sleep 1
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
printf '%s\n' "$DDNS_URL" >"$IT_TMP/url"
sleep 2
flt_writer_stop
flt_check_dns 30
it_eq "0" "$(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version")" "outbox empty after the restart"
printf 'figures: %s hosts waiting for DNS right after the kill; answers: %s\n' "$dirty" "$(flt_counts)"
it_done
