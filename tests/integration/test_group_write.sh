#!/bin/bash
# SPDX-License-Identifier: MIT
# Group writes (issue #15): /nic/update changes that queue while every
# writer thread is busy go to PostgreSQL in one statement and one commit
# (db_host_apply_group). One writer thread here (DDNS_HTTP_THREADS=1), held
# back behind a lock on host_events, so that what is sent meanwhile forms
# one group; checked against a real PostgreSQL and BIND:
#   1. a group of distinct hosts: every change answered good, written with
#      its own history row (source, a User-Agent full of array-literal
#      syntax, via), and pushed to DNS;
#   2. in the same group, changes that the group statement leaves out get
#      the answer the one-by-one path gives: a router with a follower
#      (its follower derived again), an empty change bucket (abuse), a host
#      deleted meanwhile (nohost); a second change of a host already in
#      flight waits for the first and wins;
#   3. PostgreSQL stopped while a group waits: 911 for it, nothing
#      written twice, ddnsd recovers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/faults.sh"

it_setup
svc_pg_start "$IT_TMP/pg"
it_on_exit 'svc_pg_stop "$IT_TMP/pg"'
fx_base
flt_hosts 12
# A change bucket of 10 per 600 s (lib.sh turns it off): host 9's is
# emptied below. Two history rows per host: the group's statement prunes
# host 1's oldest.
it_start_ddnsd DDNS_HTTP_THREADS=1 DDNS_PUSH_INTERVAL_MS=200 DDNS_HOST_CHANGE_BURST=10 DDNS_HOST_CHANGE_WINDOW_S=600 \
	DDNS_EVENTS_MAX_PER_HOST=2
m() { curl -s "$DDNS_URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
ans() { curl -s -m 60 -w ' %{http_code}' "$@" | tr '\n' ' '; }
# wait_lock_waiters N: until N statements wait for the lock on host_events.
wait_lock_waiters() {
	for ((k = 0; k < 200; k++)); do
		(($(fx_psql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
			WHERE c.relname = 'host_events' AND NOT l.granted") >= $1)) && return 0
		sleep 0.05
	done
	return 1
}
# wait_queued N: until N writes have been handed to the writer or queued
# for it (their lookups answered: in-flight requests whose lookup went out,
# plus a moment for its answer).
wait_queued() {
	for ((k = 0; k < 200; k++)); do
		(($(m ddnsd_token_lookups_total) - l0 >= $1)) && { sleep 0.2; return 0; }
		sleep 0.05
	done
	return 1
}
addr() { fx_psql "SELECT coalesce(host(ipv4), '-') || ' ' || coalesce(host(ipv6), '-') FROM hosts WHERE fqdn = '$1'"; }

for ((i = 0; i < FLT_N; i++)); do
	it_eq "200 good 10.0.0.$i|" "$(fx_get -u "x:${FLT_TOKS[i]}" "/nic/update?hostname=${FLT_NAMES[i]}&myip=10.0.0.$i")" "host $i set up"
done
# Host 10 is a router with a follower (derived AAAA: its prefix + ::a).
ROUTER=${FLT_NAMES[10]} FOLLOWER="nas-$FX_ID.dyn.test"
it_ok "$DDNSD" host add "$FOLLOWER" --account a@example.com --follows "$ROUTER" --ipv6-iid ::a
# Host 9's bucket empty (a token comes back after 60 s).
it_eq "200 good 10.0.1.9|" "$(fx_get -u "x:${FLT_TOKS[9]}" "/nic/update?hostname=${FLT_NAMES[9]}&myip=10.0.1.9")" "host 9: second change"
fx_psql "UPDATE hosts SET bucket_tokens = 0, bucket_at = now() WHERE fqdn = '${FLT_NAMES[9]}'" >/dev/null
UA='ua "quoted" \back\slash {brace},comma NULL'

# --- 1 + 2: one group ------------------------------------------------------------
g0=$(m ddnsd_write_groups_total) c0=$(m ddnsd_write_group_changes_total)
l0=$(m ddnsd_token_lookups_total)
e0=$(fx_psql "SELECT max(id) FROM host_events")
it_ok flt_lock host_events SHARE
rm -f "$IT_TMP"/g.*
pids=()
# The first write takes the only writer and waits for the lock ...
ans -A "$UA" -u "x:${FLT_TOKS[0]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[0]}&myip=10.5.0.0" >"$IT_TMP/g.0" &
pids+=($!)
it_ok wait_lock_waiters 1
# ... then host 1 twice, in order: the second must win.
ans -A "$UA" -u "x:${FLT_TOKS[1]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[1]}&myip=10.5.0.1" >"$IT_TMP/g.1a" &
pids+=($!)
it_ok flt_wait_inflight 2
it_ok wait_queued 2
ans -A "$UA" -u "x:${FLT_TOKS[1]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[1]}&myip=10.6.0.1" >"$IT_TMP/g.1b" &
pids+=($!)
it_ok flt_wait_inflight 3
for ((i = 2; i < 9; i++)); do
	ans -A "$UA" -u "x:${FLT_TOKS[i]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[i]}&myip=10.5.0.$i" >"$IT_TMP/g.$i" &
	pids+=($!)
done
ans -u "x:${FLT_TOKS[9]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[9]}&myip=10.5.0.9" >"$IT_TMP/g.9" &
pids+=($!)
ans -u "x:${FLT_TOKS[10]}" "$DDNS_URL/nic/update?hostname=$ROUTER&myip=10.5.0.10,2001:db8:10::1&ip6lanprefix=2001:db8:77::/64" >"$IT_TMP/g.10" &
pids+=($!)
ans -u "x:${FLT_TOKS[11]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[11]}&myip=10.5.0.11" >"$IT_TMP/g.11" &
pids+=($!)
it_ok flt_wait_inflight 13
# Host 11 is deleted behind ddnsd's back after its lookup, before its
# write (the lock is on host_events, not hosts).
fx_psql "UPDATE hosts SET deleted_at = now() WHERE fqdn = '${FLT_NAMES[11]}'" >/dev/null
flt_unlock
wait "${pids[@]}"
it_eq "good 10.5.0.0  200" "$(cat "$IT_TMP/g.0")" "the write that waited for the lock"
it_eq "good 10.5.0.1  200" "$(cat "$IT_TMP/g.1a")" "host 1, first change"
it_eq "good 10.6.0.1  200" "$(cat "$IT_TMP/g.1b")" "host 1, second change"
for ((i = 2; i < 9; i++)); do
	it_eq "good 10.5.0.$i  200" "$(cat "$IT_TMP/g.$i")" "group: host $i good"
	it_eq "10.5.0.$i -" "$(addr "${FLT_NAMES[i]}")" "group: host $i written"
done
it_eq "10.6.0.1 -" "$(addr "${FLT_NAMES[1]}")" "host 1 holds its later address"
it_eq "abuse  200" "$(cat "$IT_TMP/g.9")" "group: empty change bucket: abuse"
it_eq "10.0.1.9 -" "$(addr "${FLT_NAMES[9]}")" "abuse wrote nothing"
it_eq "good 10.5.0.10,2001:db8:10::1  200" "$(cat "$IT_TMP/g.10")" "group: a router with a follower"
it_eq "10.5.0.10 2001:db8:77::a" "$(addr "$FOLLOWER")" "its follower derived again in the same change"
it_eq "nohost  200" "$(cat "$IT_TMP/g.11")" "group: a host deleted meanwhile: nohost"
g1=$(m ddnsd_write_groups_total) c1=$(m ddnsd_write_group_changes_total)
it_eq 13 "$((c1 - c0))" "13 changes went to the writer"
# The first alone (the lock), host 1's second change after its first:
# the other 11 in one group, host 1's second in the next, maybe one more
# if a request was counted in flight before its write was queued.
it_ok test "$((g1 - g0))" -le 4
printf 'figures: %s changes in %s write statements\n' "$((c1 - c0))" "$((g1 - g0))"
# History: 10 hosts good in the group (0..8 with host 1 twice = 10 rows),
# the router and its follower one each; abuse and nohost none.
it_eq 12 "$(fx_psql "SELECT count(*) FROM host_events WHERE id > $e0")" "twelve history rows"
it_eq "10.5.0.1,10.6.0.1" "$(fx_psql "SELECT string_agg(host(e.ipv4), ',' ORDER BY e.id) FROM host_events e JOIN hosts h ON h.id = e.host_id WHERE h.fqdn = '${FLT_NAMES[1]}'")" \
	"host 1 keeps its two newest events"
it_eq 0 "$(fx_psql "SELECT count(*) FROM host_event_counts c WHERE n <> (SELECT count(*) FROM host_events e WHERE e.host_id = c.host_id)")" \
	"every host's event count is exact after the group"
it_eq "10|10" "$(fx_psql "SELECT count(*) FILTER (WHERE user_agent = \$\$$UA\$\$), count(*) FILTER (WHERE source = '127.0.0.1' AND via = 'nic/update')
	FROM host_events WHERE id > $e0 AND result = 'good' AND via <> 'follow' AND host_id <> (SELECT id FROM hosts WHERE fqdn = '$ROUTER')")" \
	"each group row's User-Agent, source and via stored as sent"
# Rows of one statement share its transaction's now(): the first write
# alone, the group, host 1's second change after it.
it_eq 3 "$(fx_psql "SELECT count(DISTINCT at) FROM host_events WHERE user_agent = \$\$$UA\$\$")" \
	"the ten changes committed in three transactions"
for i in 2 8; do
	it_ok it_wait_dig "${FLT_NAMES[i]}" A "10.5.0.$i"
done
it_ok it_wait_dig "${FLT_NAMES[1]}" A 10.6.0.1

# --- 3. PostgreSQL stopped while a group waits ---------------------------------
flt_pg_gone_mid_group host_events SHARE 2 8 10.7.0
svc_pg_start "$IT_TMP/pg"
ok=''
for ((k = 0; k < 50; k++)); do
	ok=$(ans -u "x:${FLT_TOKS[2]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[2]}&myip=10.7.0.2")
	[[ $ok == "good 10.7.0.2  200" ]] && break
	sleep 0.1
done
it_eq "good 10.7.0.2  200" "$ok" "good again once PostgreSQL is back"
it_eq "10.5.0.3 -" "$(addr "${FLT_NAMES[3]}")" "a 911 of the lost group wrote nothing"
it_ok _svc_alive "$DDNSD_PID"
it_stop_ddnsd
it_eq 0 "$DDNSD_EXIT" "ddnsd exits 0 on SIGTERM"
fx_outbox_consistent
it_done
