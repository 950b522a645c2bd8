#!/bin/bash
# SPDX-License-Identifier: MIT
# Two `ddnsd serve` processes against one database and one BIND: both
# accept updates, both pushers run (SKIP LOCKED), and every host ends up in
# DNS exactly as its last write says, with nothing left pending.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
N=12 ROUNDS=6
for ((h = 1; h <= N; h++)); do
	"$DDNSD" host add "s$h-$FX_ID.dyn.test" --account a@example.com >/dev/null
	fx_token "s$h-$FX_ID.dyn.test" >"$IT_TMP/tok$h"
done

# Instance 1 through lib.sh, instance 2 by hand on its own port.
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=300
URL1=$DDNS_URL
PORT2=$(it_free_port)
(
	DDNS_LISTEN=127.0.0.1:$PORT2 DDNS_PUSH_INTERVAL_MS=300 "$DDNSD" serve </dev/null >>"$IT_TMP/ddnsd2.log" 2>&1 &
	echo $! >"$IT_TMP/ddnsd2.pid"
) </dev/null >/dev/null 2>&1
PID2=$(cat "$IT_TMP/ddnsd2.pid")
it_on_exit "kill -TERM $PID2 2>/dev/null; _svc_wait_dead $PID2 10"
for ((i = 0; i < 100; i++)); do
	(: >"/dev/tcp/127.0.0.1/$PORT2") 2>/dev/null && break
	sleep 0.1
done
URL2=http://127.0.0.1:$PORT2
# Readiness is re-checked every 2 s; give the new instance a few rounds.
for ((i = 0; i < 50; i++)); do
	ready=$(curl -s -o /dev/null -w '%{http_code}' "$URL2/readyz")
	[[ $ready == 200 ]] && break
	sleep 0.2
done
it_eq 200 "$ready" "second instance ready"

# Each host: ROUNDS writes, alternating instances, hosts in parallel. The
# last round also sets an IPv6 address for even hosts.
writer() {
	local h=$1 r url ip q host="s$1-$FX_ID.dyn.test" tok
	tok=$(cat "$IT_TMP/tok$h")
	for ((r = 1; r <= ROUNDS; r++)); do
		if (((r + h) % 2)); then url=$URL1; else url=$URL2; fi
		ip=10.$r.$h.1
		q="myip=$ip"
		((r < ROUNDS || h % 2)) || q="myip=$ip,2001:db8::$h"
		printf '%s %s\n' "$url" "$(curl -s -u "$host:$tok" "$url/nic/update?hostname=$host&$q")" >>"$IT_TMP/w$h"
	done
}
pids=()
for ((h = 1; h <= N; h++)); do
	writer "$h" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

all=$(cat "$IT_TMP"/w*)
it_eq $((N * ROUNDS)) "$(grep -c ' good ' <<<"$all")" "every write answered good"
it_eq $((N * ROUNDS / 2)) "$(grep -c "^$URL1 good" <<<"$all")" "instance 1 accepted its half"
it_eq $((N * ROUNDS / 2)) "$(grep -c "^$URL2 good" <<<"$all")" "instance 2 accepted its half"
for ((h = 1; h <= N; h++)); do
	host="s$h-$FX_ID.dyn.test"
	it_ok it_wait_dig "$host" A "10.$ROUNDS.$h.1" 15
	if ((h % 2)); then want=""; else want="2001:db8::$h"; fi
	it_ok it_wait_dig "$host" AAAA "$want" 15
done
for ((i = 0; i < 50; i++)); do
	pending=$(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version")
	[[ $pending == 0 ]] && break
	sleep 0.1
done
it_eq 0 "$pending" "nothing left pending"
# Both pushers ran (each logs its start) and neither logged an error.
it_match 'pusher: started' "$(cat "$IT_TMP/ddnsd2.log")" "instance 2 runs a pusher"
it_eq 0 "$(cat "$IT_TMP/ddnsd.log" "$IT_TMP/ddnsd2.log" | grep -c '"level":"error"' || true)" "no errors logged by either instance"
kill -TERM "$PID2"
it_ok _svc_wait_dead "$PID2" 15
it_done
