#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGTERM during load loses no accepted update: several clients update
# their own hosts in a tight loop, ddnsd gets SIGTERM mid-way, exits 0;
# every "good" a client received is in the database (history and, for the
# last one, the host row) and the last one ends up in DNS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
W=4
for ((w = 1; w <= W; w++)); do
	"$DDNSD" host add "load$w-$FX_ID.dyn.test" --account a@example.com >/dev/null
	fx_token "load$w-$FX_ID.dyn.test" >"$IT_TMP/tok$w"
done
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_SHUTDOWN_TIMEOUT=10

# load W: update host loadW with 10.W.x.y, one new address per request;
# log "ADDRESS CURL_EXIT ANSWER" per request; stop after 5 failures in a row.
load() {
	local w=$1 i ip out rc fails=0 host="load$1-$FX_ID.dyn.test" tok
	tok=$(cat "$IT_TMP/tok$w")
	for ((i = 1; i < 60000; i++)); do
		ip=10.$w.$((i / 250 % 250)).$((i % 250 + 1))
		rc=0
		out=$(curl -s -m 10 -u "$host:$tok" "$DDNS_URL/nic/update?hostname=$host&myip=$ip") || rc=$?
		printf '%s %s %s\n' "$ip" "$rc" "${out:-(none)}" >>"$IT_TMP/load$w"
		if [[ $rc == 0 ]]; then fails=0; else fails=$((fails + 1)); fi
		((fails < 5)) || break
	done
}
pids=()
for ((w = 1; w <= W; w++)); do
	load "$w" &
	pids+=($!)
done
sleep 2
kill -TERM "$DDNSD_PID"
for p in "${pids[@]}"; do wait "$p"; done
it_stop_ddnsd
it_eq 0 "$DDNSD_EXIT" "SIGTERM under load: exit 0"
it_match 'shutting down' "$(cat "$IT_TMP/ddnsd.log")" "shutdown logged"

total=0
for ((w = 1; w <= W; w++)); do
	host="load$w-$FX_ID.dyn.test"
	goods=$(awk '$2 == 0 && $3 == "good" { n++ } END { print n + 0 }' "$IT_TMP/load$w")
	last=$(awk '$2 == 0 && $3 == "good" { ip = $1 } END { print ip }' "$IT_TMP/load$w")
	bad=$(awk '$2 == 0 && $3 != "good" { n++ } END { print n + 0 }' "$IT_TMP/load$w")
	total=$((total + goods))
	it_ok test "$goods" -gt 0
	it_eq 0 "$bad" "client $w: every answer was good"
	# Every good answer is in the history...
	fx_psql "SELECT host(e.ipv4) FROM host_events e JOIN hosts h ON h.id = e.host_id WHERE h.fqdn = '$host'" |
		sort >"$IT_TMP/db$w"
	awk '$2 == 0 && $3 == "good" { print $1 }' "$IT_TMP/load$w" | sort >"$IT_TMP/good$w"
	it_eq "" "$(comm -23 "$IT_TMP/good$w" "$IT_TMP/db$w" | head -n 3)" "client $w: all $goods good answers are in the history"
	# ...and the last one is the host's address.
	it_eq "$last" "$(fx_psql "SELECT host(ipv4) FROM hosts WHERE fqdn = '$host'")" "client $w: stored address is the last good one"
done
echo "ops_shutdown: $total updates accepted before SIGTERM; curl exit codes after it: $(awk '$2 != 0 { print $2 }' "$IT_TMP"/load* | sort | uniq -c | tr '\n' ' ')" >&2

# Whatever the stopped server had not pushed yet, the next one does.
it_ok "$DDNSD" push
for ((w = 1; w <= W; w++)); do
	last=$(awk '$2 == 0 && $3 == "good" { ip = $1 } END { print ip }' "$IT_TMP/load$w")
	it_ok it_wait_dig "load$w-$FX_ID.dyn.test" A "$last"
done
it_done
