#!/bin/bash
# SPDX-License-Identifier: MIT
# /healthz and /readyz through a PostgreSQL outage: ddnsd starts with its
# database down (keeps serving, not ready, /nic/update answers 911), becomes
# ready once PostgreSQL is up and migrated, turns not ready when it stops
# and ready again when it returns, without a restart. Uses a PRIVATE
# PostgreSQL (the shared one is never stopped); BIND is the shared one.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
PG2=$IT_TMP/pg2
it_on_exit "svc_purge '$PG2' >/dev/null 2>&1"
# In a subshell: svc_pg_start exports PGPORT_DDNS, which lib.sh's cleanup
# needs to keep pointing at the shared server.
pg2_start() { (svc_pg_start "$PG2" >/dev/null 2>&1); }
pg2_stop() { svc_pg_stop "$PG2" >/dev/null 2>&1; }
pg2_start
URL2="postgresql://ddnsd@127.0.0.1:$(cat "$PG2/pg/port")/ddnsd"
pg2_stop

# wait_status PATH STATUS [TIMEOUT_S=20]: poll until GET PATH answers STATUS.
wait_status() {
	local i got
	for ((i = 0; i < ${3:-20} * 10; i++)); do
		got=$(curl -s -o /dev/null -w '%{http_code}' "$DDNS_URL$1") || got=000
		[[ $got != "$2" ]] || return 0
		sleep 0.1
	done
	echo "wait_status: $1 still $got after ${3:-20} s" >&2
	return 1
}
FAKE=ddh_aaaaaaaaaaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA

# --- start with PostgreSQL down -------------------------------------------------
it_start_ddnsd DDNS_DATABASE_URL="$URL2" DDNS_PUSH_INTERVAL_MS=200
it_eq '200 {"status":"alive"}|' "$(fx_get /healthz)" "db down at start: /healthz 200"
it_eq '503 {"status":"not ready","reason":"postgresql unreachable"}|' "$(fx_get /readyz)" "db down at start: /readyz 503 with a reason"
it_match '^application/json' "$(curl -s -o /dev/null -w '%{content_type}' "$DDNS_URL/readyz")" "/readyz reason is JSON"
it_eq "503 911|" "$(fx_get -u "x:$FAKE" "/nic/update?hostname=h.dyn.test&myip=192.0.2.1")" "db down: /nic/update answers 911 (HTTP 503)"

# --- PostgreSQL up, schema missing, then migrated -------------------------------------
pg2_start
for ((i = 0; i < 100; i++)); do
	r=$(fx_get /readyz)
	[[ $r == *"migrations pending"* ]] && break
	sleep 0.1
done
it_eq '503 {"status":"not ready","reason":"migrations pending"}|' "$r" "db up, not migrated: 503 migrations pending"
DDNS_DATABASE_URL=$URL2 fx_base
it_ok wait_status /readyz 200 15
it_eq '200 {"status":"ready"}|' "$(fx_get /readyz)" "migrated: ready"
A=$HOST_A
it_eq "200 good 203.0.113.81|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=203.0.113.81")" "update accepted once the db is up"
it_ok it_wait_dig "$A" A 203.0.113.81

# --- outage while running -----------------------------------------------------------------
errs0=$(curl -s "$DDNS_URL/metrics" | awk '$1 == "ddnsd_db_connection_errors_total" { print $2 }')
pg2_stop
it_ok wait_status /readyz 503 15
it_eq '503 {"status":"not ready","reason":"postgresql unreachable"}|' "$(fx_get /readyz)" "db stopped: /readyz 503"
it_eq '200 {"status":"alive"}|' "$(fx_get /healthz)" "db stopped: still alive"
it_eq "503 911|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=203.0.113.82")" "db stopped: update answers 911"
errs1=$(curl -s "$DDNS_URL/metrics" | awk '$1 == "ddnsd_db_connection_errors_total" { print $2 }')
it_ok test "$errs1" -gt "$errs0"
it_eq 0 "$(curl -s "$DDNS_URL/metrics" | awk '$1 == "ddnsd_ready" { print $2 }')" "ddnsd_ready 0"
it_ok _svc_alive "$DDNSD_PID"

pg2_start
it_ok wait_status /readyz 200 20
# A worker's connection from before the restart fails once (911) before
# it reconnects: the client's retry then succeeds.
for ((i = 0; i < 50; i++)); do
	r=$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=203.0.113.83")
	[[ $r == "503 911|" ]] || break
	sleep 0.1
done
it_eq "200 good 203.0.113.83|" "$r" "db back: updates accepted again"
it_ok it_wait_dig "$A" A 203.0.113.83 15
it_stop_ddnsd
it_eq 0 "$DDNSD_EXIT" "exit 0 on SIGTERM"
it_done
