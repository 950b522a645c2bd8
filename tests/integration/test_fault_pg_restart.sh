#!/bin/bash
# SPDX-License-Identifier: MIT
# PostgreSQL restarted under a stream of updates: ddnsd stays up, answers
# 911 (HTTP 503) while the database is away, reconnects by itself, and
# every `good` ends up in DNS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/faults.sh"

it_setup
# A private PostgreSQL: this test stops it, other tests share the common one.
svc_pg_start "$IT_TMP/pg"
it_on_exit 'svc_pg_stop "$IT_TMP/pg"'
fx_base
flt_hosts 30
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
printf '%s\n' "$DDNS_URL" >"$IT_TMP/url"
flt_writer_start "$IT_TMP/url"
sleep 3
flt_wait_goods 60 || true # flt_check_dns asserts it
svc_pg_stop "$IT_TMP/pg"
sleep 5
during=$(flt_counts)
svc_pg_start "$IT_TMP/pg"
t_up=${EPOCHREALTIME/./}
# The first good after the restart.
first=""
for ((i = 0; i < 100; i++)); do
	r=$(fx_get -u "x:$TOK_A" "/nic/update?hostname=$HOST_A&myip=10.99.0.$((i % 250))")
	if [[ $r == "200 good"* ]]; then first=$r; break; fi
	sleep 0.1
done
t_ok=${EPOCHREALTIME/./}
it_match "^200 good" "$first" "updates succeed again after the restart"
sleep 2
flt_writer_stop
it_match "911 +503" "$(grep '^res' "$IT_TMP/writer.log")" "requests during the gap got 911 / HTTP 503"
it_ok _svc_alive "$DDNSD_PID"
flt_check_dns 30
it_eq "0" "$(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version")" "outbox empty: the pusher reconnected too"
# An idle restart: each HTTP thread's connection looks fine until it is
# used. The first request on every thread must still be answered.
svc_pg_stop "$IT_TMP/pg"
svc_pg_start "$IT_TMP/pg"
failed=""
for ((i = 0; i < 16; i++)); do
	r=$(fx_get -u "x:$TOK_A" "/nic/update?hostname=$HOST_A&myip=10.99.1.1")
	[[ $r == "200 good"* || $r == "200 nochg"* ]] || failed+="$r; "
done
it_eq "" "$failed" "no request fails after an idle PostgreSQL restart"
printf 'figures: answers until PostgreSQL came back: %s; all: %s; first good %.1f s after PostgreSQL was up\n' \
	"$during" "$(flt_counts)" "$(((t_ok - t_up) / 100000))e-1"
fx_outbox_consistent
it_done
