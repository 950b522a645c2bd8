#!/bin/bash
# SPDX-License-Identifier: MIT
# PostgreSQL failover without restarting ddnsd: a primary with a
# synchronous streaming standby (pg_basebackup -c fast -R), ddnsd on a
# libpq multi-host URL with target_session_attrs=read-write, clients
# updating several hosts without pause; the primary is killed (immediate
# shutdown: no checkpoint, connections cut) and the standby promoted
# (pg_ctl promote), as Patroni would. ddnsd answers 911/503 and /readyz 503
# meanwhile, becomes ready again by itself, and every address it
# acknowledged is in the promoted database's history and, for each host,
# the last one is served by DNS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
SHARED_PGPORT=$PGPORT_DDNS
it_on_exit 'svc_pg_stop "$IT_TMP/pgb"; svc_pg_stop "$IT_TMP/pga"'
svc_pg_start "$IT_TMP/pga"
PA=$PGPORT_DDNS
PB=$(svc_pg_standby_start "$IT_TMP/pgb" "$IT_TMP/pga")
# Synchronous only now: a setting made before pg_basebackup would be copied
# to the standby, and once promoted it would wait for a standby of its own
# forever (every commit, so every HTTP thread, hangs).
psql -X -q -h 127.0.0.1 -p "$PA" -U postgres -d postgres \
	-c "ALTER SYSTEM SET synchronous_standby_names = '*'" -c "SELECT pg_reload_conf()"
# lib.sh's cleanup drops the test database on the shared server.
export PGPORT_DDNS=$SHARED_PGPORT
pgq() { psql -X -q -A -t -h 127.0.0.1 -p "$1" -U postgres -d "${3:-postgres}" -c "$2"; }
for ((i = 0; i < 100; i++)); do
	[[ $(pgq "$PA" "SELECT sync_state FROM pg_stat_replication") == sync ]] && break
	sleep 0.1
done
it_eq sync "$(pgq "$PA" "SELECT sync_state FROM pg_stat_replication")" "the standby is synchronous"
it_eq t "$(pgq "$PB" "SELECT pg_is_in_recovery()")" "the standby is in recovery"

export DDNS_DATABASE_URL="postgresql://ddnsd@127.0.0.1:$PA,127.0.0.1:$PB/ddnsd?target_session_attrs=read-write"
NH=4
fx_base
hosts=("$HOST_A")
toks=("$TOK_A")
for ((h = 1; h < NH; h++)); do
	"$DDNSD" host add "h$h-$FX_ID.dyn.test" --account a@example.com >/dev/null
	hosts+=("h$h-$FX_ID.dyn.test")
	toks+=("$(fx_token "h$h-$FX_ID.dyn.test")")
done
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_EVENTS_MAX_PER_HOST=1000000
for ((i = 0; i < 50; i++)); do [[ $(fx_get --max-time 5 /readyz) == 200* ]] && break; sleep 0.1; done
it_eq '200 {"status":"ready"}|' "$(fx_get --max-time 5 /readyz)" "ready on the primary"

# One client per host, each change a new address; "sent ADDR" before the
# request, "ack ADDR" after a good answer, "code ..." otherwise.
load() {
	local h=$1 i=0 ip out
	while [[ ! -e $IT_TMP/stop ]]; do
		i=$((i + 1))
		ip=10.$h.$((i / 256 % 256)).$((i % 256))
		echo "sent $ip" >>"$IT_TMP/load.$h"
		out=$(curl -s --max-time 5 -u "${hosts[h]}:${toks[h]}" \
			"$DDNS_URL/nic/update?hostname=${hosts[h]}&myip=$ip" 2>/dev/null) || out="curl-failed"
		if [[ $out == "good $ip" ]]; then
			echo "ack $ip" >>"$IT_TMP/load.$h"
		else
			echo "code ${out%% *}" >>"$IT_TMP/load.$h"
			sleep 0.05
		fi
	done
}
for ((h = 0; h < NH; h++)); do load "$h" & done
sleep 3
acked_before=$(cat "$IT_TMP"/load.* | grep -c '^ack ' || true)
t_kill=${EPOCHREALTIME/./}
(cd / && runuser -u postgres -- "$SVC_PG_BIN/pg_ctl" stop -D "$(readlink -f "$IT_TMP/pga/pg")/data" -m immediate -w) >/dev/null
sleep 2
code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$DDNS_URL/readyz")
it_eq 503 "$code" "/readyz 503 while no primary answers"
t_promote=${EPOCHREALTIME/./}
it_ok svc_pg_promote "$IT_TMP/pgb"
for ((i = 0; i < 300; i++)); do [[ $(fx_get --max-time 5 /readyz) == 200* ]] && break; sleep 0.1; done
t_ready=${EPOCHREALTIME/./}
it_eq '200 {"status":"ready"}|' "$(fx_get --max-time 5 /readyz)" "ready again on the promoted standby, without a restart"
printf 'failover: ready %d ms after the promotion (%d ms after the kill)\n' \
	$(((t_ready - t_promote) / 1000)) $(((t_ready - t_kill) / 1000))
sleep 3
touch "$IT_TMP/stop"
wait
it_eq f "$(pgq "$PB" "SELECT pg_is_in_recovery()")" "the standby is now the primary"
total_ack=$(cat "$IT_TMP"/load.* | grep -c '^ack ' || true)
n911=$(cat "$IT_TMP"/load.* | grep -c '^code 911' || true)
other=$(cat "$IT_TMP"/load.* | grep '^code ' | grep -v '^code 911' | sort | uniq -c | tr '\n' ' ' || true)
echo "acknowledged: $total_ack ($acked_before before the kill); 911: $n911; other: ${other:-none}"
it_ok test "$((total_ack - acked_before))" -gt "$NH"
it_ok test "$n911" -gt 0

# Every acknowledged address is in the new primary's history, and each
# host's last acknowledged one (or a later one whose answer was lost: it
# may have committed) is what DNS serves.
lost=0
for ((h = 0; h < NH; h++)); do
	pgq "$PB" "SELECT e.ipv4 FROM host_events e JOIN hosts h ON h.id = e.host_id
		WHERE h.fqdn = '${hosts[h]}' AND e.result = 'good'" ddnsd | sort -u >"$IT_TMP/db.$h"
	grep '^ack ' "$IT_TMP/load.$h" | cut -d' ' -f2 | sort -u >"$IT_TMP/ack.$h"
	missing=$(comm -23 "$IT_TMP/ack.$h" "$IT_TMP/db.$h" | wc -l)
	lost=$((lost + missing))
	last=$(grep '^ack ' "$IT_TMP/load.$h" | tail -n 1 | cut -d' ' -f2)
	later=$(awk -v l="$last" '$1 == "sent" && seen { print $2 } $0 == "ack " l { seen = 1 }' "$IT_TMP/load.$h")
	ok=1
	it_wait_dig "${hosts[h]}" A "$last" 15 2>/dev/null || ok=0
	if [[ $ok == 0 ]]; then
		got=$(it_dig "${hosts[h]}" A)
		grep -qxF -e "$got" <<<"$later" && ok=1
	fi
	it_eq 1 "$ok" "${hosts[h]}: DNS serves the last acknowledged address ($last)"
done
it_eq 0 "$lost" "no acknowledged update is missing from the promoted database"
it_ok grep -qF 'not ready' "$IT_TMP/ddnsd.log"
it_done
