#!/bin/bash
# SPDX-License-Identifier: MIT
# History retention (migration 0009, O(1) per insert): at most
# DDNS_EVENTS_MAX_PER_HOST events per host, the oldest go first; events
# older than DDNS_EVENTS_MAX_AGE_DAYS are pruned by the host's next
# inserts; the per-host count stays exact, also for REST changes; other
# hosts are not touched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
it_start_ddnsd DDNS_EVENTS_MAX_PER_HOST=5 DDNS_EVENTS_MAX_AGE_DAYS=2
A=$HOST_A B=$HOST_B
events() { fx_psql "SELECT string_agg(host(e.ipv4), ',' ORDER BY e.id) FROM host_events e JOIN hosts h ON h.id = e.host_id WHERE h.fqdn = '$1'"; }
counted() { fx_psql "SELECT c.n FROM host_event_counts c JOIN hosts h ON h.id = c.host_id WHERE h.fqdn = '$1'"; }
real() { fx_psql "SELECT count(*) FROM host_events e JOIN hosts h ON h.id = e.host_id WHERE h.fqdn = '$1'"; }

it_eq "200 good 10.9.0.1|" "$(fx_get -u "x:$TOK_B" "/nic/update?hostname=$B&myip=10.9.0.1")" "B: one change"
for i in 1 2 3 4 5 6 7 8; do
	it_eq "200 good 10.0.0.$i|" "$(fx_get -u "x:$TOK_A" "/nic/update?hostname=$A&myip=10.0.0.$i")" "A: change $i"
done
it_eq "10.0.0.4,10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8" "$(events "$A")" "A keeps its 5 newest events"
it_eq 5 "$(counted "$A")" "A's count is 5"
it_eq "10.9.0.1" "$(events "$B")" "B's history is untouched"
it_eq 1 "$(counted "$B")" "B's count is 1"

oldest() { fx_psql "SELECT min(e.at) FROM host_events e JOIN hosts h ON h.id = e.host_id WHERE h.fqdn = '$1'"; }
oldest_kept() { fx_psql "SELECT c.oldest_at FROM host_event_counts c JOIN hosts h ON h.id = c.host_id WHERE h.fqdn = '$1'"; }
it_eq "$(oldest "$A")" "$(oldest_kept "$A")" "the count row holds the time of A's oldest event"
it_eq "$(oldest "$B")" "$(oldest_kept "$B")" "and of B's"

# Age: two old events as if written 3 days ago (and the count row's time
# of the oldest with them, as time passing would have it); the next
# inserts drop them.
old=$(fx_psql "SELECT now() - interval '3 days'")
fx_psql "UPDATE host_events SET at = '$old' WHERE id IN
	(SELECT e.id FROM host_events e JOIN hosts h ON h.id = e.host_id WHERE h.fqdn = '$A' ORDER BY e.id LIMIT 2)" >/dev/null
fx_psql "UPDATE host_event_counts c SET oldest_at = '$old' FROM hosts h WHERE h.id = c.host_id AND h.fqdn = '$A'" >/dev/null
it_eq "200 good 10.0.0.9|" "$(fx_get -u "x:$TOK_A" "/nic/update?hostname=$A&myip=10.0.0.9")" "A: change 9"
it_eq "10.0.0.6,10.0.0.7,10.0.0.8,10.0.0.9" "$(events "$A")" "the count limit took one, the age limit the other old one"
it_eq "$(real "$A")" "$(counted "$A")" "count still exact after the age prune"
it_eq "$(oldest "$A")" "$(oldest_kept "$A")" "and the time of its oldest event is read again"

# A limit lowered while hosts are over it: the excess drains, the count
# stays exact.
it_stop_ddnsd
it_start_ddnsd DDNS_EVENTS_MAX_PER_HOST=2 DDNS_EVENTS_MAX_AGE_DAYS=2
it_eq "200 good 10.0.0.10|" "$(fx_get -u "x:$TOK_A" "/nic/update?hostname=$A&myip=10.0.0.10")" "A: change 10"
it_eq "10.0.0.9,10.0.0.10" "$(events "$A")" "lowered to 2: the excess is gone at the next insert"
it_eq 2 "$(counted "$A")" "and the count follows"
it_eq "$(oldest "$A")" "$(oldest_kept "$A")" "and the time of the oldest"
# Deleting the host takes its count with it.
"$DDNSD" host delete "$A" >/dev/null
fx_psql "DELETE FROM hosts WHERE fqdn = '$A'" >/dev/null
it_eq 0 "$(fx_psql "SELECT count(*) FROM host_event_counts c WHERE NOT EXISTS (SELECT 1 FROM hosts h WHERE h.id = c.host_id)")" "no count outlives its host"
it_done
