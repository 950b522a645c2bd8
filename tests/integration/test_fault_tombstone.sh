#!/bin/bash
# SPDX-License-Identifier: MIT
# Deleted hosts (tombstones) against concurrent writers. A psql session
# plays the other party, holding row locks the way another ddnsd instance
# (or a REST delete) does:
# 1. a name deleted and created again while another instance still holds
#    the tombstone (its push failed and rolls back): the removal must not
#    reach DNS after the new records, which would leave the live host's
#    `good` out of DNS for good;
# 2. a /nic/update that found the host just before a delete commits must
#    not answer `good` for the deleted host.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
name="r-$FX_ID.dyn.test"

# hold_start: a psql session reading statements from fd 7.
hold_start() {
	rm -f "$IT_TMP/hold.sql"
	mkfifo "$IT_TMP/hold.sql"
	psql -X -q -A -t -v ON_ERROR_STOP=1 "$DDNS_DATABASE_URL" \
		<"$IT_TMP/hold.sql" >>"$IT_TMP/hold.out" 2>&1 &
	HOLD_PID=$!
	exec 7>"$IT_TMP/hold.sql"
}
hold_end() {
	local i
	exec 7>&-
	for ((i = 0; i < 100; i++)); do
		_svc_alive "$HOLD_PID" || break
		sleep 0.1
	done
	kill "$HOLD_PID" 2>/dev/null || true
	wait "$HOLD_PID" 2>/dev/null || true
}
it_on_exit 'exec 7>&- 2>/dev/null; kill "$HOLD_PID" 2>/dev/null'

# SQL that prints t while another session holds the row lock of host $1.
held() {
	printf 'SELECT NOT EXISTS (SELECT 1 FROM hosts WHERE id = %s FOR UPDATE SKIP LOCKED)' "$1"
}
# Waits up to $2 s for "$1" (SQL) to print t.
wait_sql() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[[ $(fx_psql "$1") != t ]] || return 0
		sleep 0.1
	done
	return 1
}
# The statements of db_rest_host_delete (st_delete in db/rest_hosts.c).
delete_sql() {
	printf "UPDATE hosts SET deleted_at = now(), version = version + 1,
		updated_at = now() WHERE id = %s;
		DELETE FROM host_tokens WHERE host_id = %s;
		DELETE FROM acme_challenges WHERE host_id = %s;\n" "$1" "$1" "$1"
}

it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
"$DDNSD" host add "$name" --account a@example.com >/dev/null
tok=$(fx_token "$name")
it_eq "200 good 10.9.9.1|" "$(fx_get -u "x:$tok" "/nic/update?hostname=$name&myip=10.9.9.1")" "first host: good"
it_ok it_wait_dig "$name" A 10.9.9.1 10

# --- 1. re-created name while another instance holds the tombstone
it_stop_ddnsd
old=$(fx_psql "SELECT id FROM hosts WHERE fqdn = '$name'")
it_eq "t" "$(fx_psql "SELECT count(*) > 0 FROM host_events WHERE host_id = $old")" "the first host has a history"
fx_psql "$(delete_sql "$old")" >/dev/null
hold_start
printf 'BEGIN;\nSELECT id FROM hosts WHERE id = %s FOR UPDATE;\n' "$old" >&7
it_ok wait_sql "$(held "$old")" 10 # the other "instance" holds the tombstone
# 7>&-: a child holding the fifo open would keep psql from seeing its end.
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 7>&-
"$DDNSD" host add "$name" --account a@example.com >/dev/null
tok=$(fx_token "$name")
new=$(fx_psql "SELECT id FROM hosts WHERE fqdn = '$name' AND deleted_at IS NULL")
it_eq "200 good 10.9.9.2|" "$(fx_get -u "x:$tok" "/nic/update?hostname=$name&myip=10.9.9.2")" "re-created host: good"
# Without the hold-back the new host is pushed within a round (200 ms):
# 3 s (15 rounds) without its push is the hold-back at work.
it_fail wait_sql "SELECT pushed_version >= version FROM hosts WHERE id = $new" 3
it_eq "f" "$(fx_psql "SELECT pushed_version >= version FROM hosts WHERE id = $new")" "re-created host held back while its tombstone is held"
printf 'ROLLBACK;\n' >&7 # the other instance's push failed
hold_end
it_ok it_wait_dig "$name" A 10.9.9.2 10
it_eq "0" "$(fx_psql "SELECT count(*) FROM hosts WHERE id = $old")" "tombstone reaped"
it_eq "0" "$(fx_psql "SELECT count(*) FROM host_events WHERE host_id = $old")" "its history with it"
wait_sql "SELECT pushed_version >= version FROM hosts WHERE id = $new" 10 || true
it_eq "t" "$(fx_psql "SELECT pushed_version >= version FROM hosts WHERE id = $new")" "re-created host pushed"

# --- 2. /nic/update racing a delete of its host
hold_start
printf 'BEGIN;\n%s\n' "$(delete_sql "$new")" >&7
it_ok wait_sql "$(held "$new")" 10 # the delete holds the host row
fx_get -u "x:$tok" "/nic/update?hostname=$name&myip=10.9.9.3" >"$IT_TMP/race.out" 7>&- &
curl_pid=$!
it_ok wait_sql "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'" 10
printf 'COMMIT;\n' >&7
hold_end
wait "$curl_pid" || true
it_eq "200 nohost|" "$(cat "$IT_TMP/race.out")" "update of a host deleted meanwhile: nohost, not good"
it_ok it_wait_dig "$name" A "" 10
wait_sql "SELECT count(*) = 0 FROM hosts WHERE fqdn = '$name'" 10 || true
it_eq "0" "$(fx_psql "SELECT count(*) FROM hosts WHERE fqdn = '$name'")" "tombstone reaped after the delete"
it_eq "0|0" "$(fx_psql "SELECT (SELECT count(*) FROM host_events WHERE host_id = $new), (SELECT count(*) FROM host_events e WHERE NOT EXISTS (SELECT 1 FROM hosts h WHERE h.id = e.host_id))")" "its history with it; no event without its host"
fx_outbox_consistent
it_done
