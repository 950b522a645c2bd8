#!/bin/bash
# SPDX-License-Identifier: MIT
# Group lookups (issue #15): /nic/update reads token -> host in one
# statement for every request that queued while the previous statement
# ran. Checked here against a real PostgreSQL:
#   1. a group held back behind a lock carries many requests at once, and a
#      mix of valid, unknown, revoked and wrong-secret tokens (and one token
#      twice) in it gets each request its own answer;
#   2. under concurrent load, a request sent after a REST change committed
#      never answers nochg with the address from before the change;
#   3. PostgreSQL stopped while a group waits: that group answers 911
#      (HTTP 503), nothing hangs, ddnsd recovers when it is back.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/faults.sh"
. "$(dirname "$0")/rest_fixtures.sh"

it_setup
# A private PostgreSQL: part 3 stops it.
svc_pg_start "$IT_TMP/pg"
it_on_exit 'svc_pg_stop "$IT_TMP/pg"'
fx_base
flt_hosts 12
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
m() { curl -s "$DDNS_URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
ans() { curl -s -m 60 -w ' %{http_code}' "$@" | tr '\n' ' '; }
# Every test host at 10.0.0.I.
for ((i = 0; i < FLT_N; i++)); do
	r=$(fx_get -u "x:${FLT_TOKS[i]}" "/nic/update?hostname=${FLT_NAMES[i]}&myip=10.0.0.$i")
	it_eq "200 good 10.0.0.$i|" "$r" "host $i set up"
done

# --- 1. one held-back group with every kind of token ---------------------------
revoked_host=${FLT_NAMES[11]}
revoked_tok=${FLT_TOKS[11]}
rid=$(cut -d_ -f2 <<<"$revoked_tok")
it_ok "$DDNSD" token delete "$revoked_host" "$rid"
# An id no token has: another token's id with a character in the middle
# changed (still well-formed, so it is looked up).
t0=${FLT_TOKS[0]}
unknown="${t0:0:14}$([[ ${t0:14:1} == a ]] && echo b || echo a)${t0:15}"
# A well-formed secret that is not the token's (a character in the middle
# changed: the last one of 43 base64url characters carries padding bits).
t1=${FLT_TOKS[1]}
wrong="${t1:0:30}$([[ ${t1:30:1} == A ]] && echo B || echo A)${t1:31}"
s0=$(m ddnsd_token_lookup_statements_total)
l0=$(m ddnsd_token_lookups_total)
# The lookup statement waits for this lock; everything sent meanwhile
# queues and goes out together in the next statement.
it_ok flt_lock host_tokens 'ACCESS EXCLUSIVE'
rm -f "$IT_TMP"/g1.*
pids=()
for ((i = 0; i < 8; i++)); do
	ans -u "x:${FLT_TOKS[i]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[i]}&myip=10.0.0.$i" >"$IT_TMP/g1.nochg.$i" &
	pids+=($!)
done
ans -u "x:${FLT_TOKS[0]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[0]}&myip=10.0.0.0" >"$IT_TMP/g1.nochg.dup" &
pids+=($!)
ans -u "x:${FLT_TOKS[8]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[8]}&myip=10.1.0.8" >"$IT_TMP/g1.good.8" &
pids+=($!)
ans -u "x:${FLT_TOKS[9]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[0]}&myip=10.1.0.9" >"$IT_TMP/g1.nohost.9" &
pids+=($!)
ans -u "x:$unknown" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[0]}&myip=10.1.0.1" >"$IT_TMP/g1.unknown" &
pids+=($!)
ans -u "x:$revoked_tok" "$DDNS_URL/nic/update?hostname=$revoked_host&myip=10.1.0.11" >"$IT_TMP/g1.revoked" &
pids+=($!)
ans -u "x:$wrong" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[1]}&myip=10.1.0.2" >"$IT_TMP/g1.wrong" &
pids+=($!)
ans -u "x:${TOK_B}" "$DDNS_URL/nic/update?hostname=$HOST_B&offline=YES" >"$IT_TMP/g1.offline" &
pids+=($!)
it_ok flt_wait_inflight 15
flt_unlock
wait "${pids[@]}"
for ((i = 0; i < 8; i++)); do
	it_eq "nochg 10.0.0.$i  200" "$(cat "$IT_TMP/g1.nochg.$i")" "group: valid token $i, same address: nochg"
done
it_eq "nochg 10.0.0.0  200" "$(cat "$IT_TMP/g1.nochg.dup")" "group: the same token twice in one group"
it_eq "good 10.1.0.8  200" "$(cat "$IT_TMP/g1.good.8")" "group: valid token, new address: good"
it_eq "nohost  200" "$(cat "$IT_TMP/g1.nohost.9")" "group: another token's host name: nohost"
it_eq "badauth  401" "$(cat "$IT_TMP/g1.unknown")" "group: unknown token id: badauth"
it_eq "badauth  401" "$(cat "$IT_TMP/g1.revoked")" "group: revoked token: badauth"
it_eq "badauth  401" "$(cat "$IT_TMP/g1.wrong")" "group: known id, wrong secret: badauth"
it_eq "good  200" "$(cat "$IT_TMP/g1.offline")" "group: offline=YES of another account's host"
s1=$(m ddnsd_token_lookup_statements_total)
l1=$(m ddnsd_token_lookups_total)
it_eq 15 "$((l1 - l0))" "15 lookups were made"
# The first statement carries the first request and waits for the lock;
# the other 14 queued behind it and go in the next one (a third only if a
# request was counted in flight before its lookup was queued).
it_ok test "$((s1 - s0))" -le 3
it_eq "10.1.0.8" "$(fx_psql "SELECT host(ipv4) FROM hosts WHERE fqdn = '${FLT_NAMES[8]}'")" "the good of the group was written"
it_eq "10.0.0.9" "$(fx_psql "SELECT host(ipv4) FROM hosts WHERE fqdn = '${FLT_NAMES[9]}'")" "nohost wrote nothing"
it_eq "10.0.0.1" "$(fx_psql "SELECT host(ipv4) FROM hosts WHERE fqdn = '${FLT_NAMES[1]}'")" "wrong secret wrote nothing"

# --- 2. fresh under load: REST changes between concurrent requests -------------
PW='a long enough password'
rest_account rest@example.com "$PW"
RT=$(rest_token rest@example.com "$PW" '["read","write"]')
H="fresh-$FX_ID.dyn.test"
rqa "$RT" POST /v1/hosts "{\"name\":\"$H\"}"
it_status 201 "REST host for the freshness check"
rqa "$RT" PATCH "/v1/hosts/$H" '{"ipv4":"10.2.0.0"}'
it_status 200 "its first address"
rqa "$RT" POST "/v1/hosts/$H/tokens" '{"label":"router"}'
it_status 201 "its router token"
HT=$(jf .token)
# Load: curl --parallel over hosts 0..7 (nochg), ~16 requests at once.
urls=()
for ((k = 0; k < 40; k++)); do
	for ((i = 0; i < 8; i++)); do
		urls+=("$DDNS_URL/nic/update?hostname=${FLT_NAMES[i]}&myip=10.0.0.$i&username=x&password=${FLT_TOKS[i]}")
	done
done
load() {
	while [[ ! -e $IT_TMP/load.stop ]]; do
		curl -s --parallel --parallel-max 16 -w ' %{http_code}\n' "${urls[@]}" >>"$IT_TMP/load.out" 2>/dev/null || true
	done
}
rm -f "$IT_TMP/load.stop" "$IT_TMP/load.out"
load </dev/null >/dev/null 2>&1 &
loadpid=$!
it_on_exit 'touch "$IT_TMP/load.stop"; kill "$loadpid" 2>/dev/null'
sleep 0.5
stale='' rounds=0 prev=10.2.0.0
ls0=$(m ddnsd_token_lookup_statements_total) ll0=$(m ddnsd_token_lookups_total)
for ((r = 1; r <= 30; r++)); do
	new="10.2.$((r / 250)).$((r % 250 + 1))"
	rqa "$RT" PATCH "/v1/hosts/$H" "{\"ipv4\":\"$new\"}"
	[[ $RQ_STATUS == 200 ]] || { stale+="PATCH $RQ_STATUS; "; continue; }
	# The change is committed (200): the router's old address is no
	# longer the stored one, so this must be a good.
	res=$(ans -u "x:$HT" "$DDNS_URL/nic/update?hostname=$H&myip=$prev")
	[[ $res == "good $prev  200" ]] || stale+="round $r: sent $prev after PATCH to $new: $res; "
	# And the router repeating it now: nochg.
	res=$(ans -u "x:$HT" "$DDNS_URL/nic/update?hostname=$H&myip=$prev")
	[[ $res == "nochg $prev  200" ]] || stale+="round $r: repeat of $prev: $res; "
	rounds=$((rounds + 1))
done
ls1=$(m ddnsd_token_lookup_statements_total) ll1=$(m ddnsd_token_lookups_total)
touch "$IT_TMP/load.stop"
wait "$loadpid" 2>/dev/null || true
it_eq "" "$stale" "no stale answer after a committed REST change ($rounds rounds under load)"
it_eq 30 "$rounds" "every round ran"
it_ok grep -q '^nochg 10\.0\.0\.[0-7] *$' "$IT_TMP/load.out"
bad=$(grep -v '^nochg 10\.0\.0\.[0-7] *$' "$IT_TMP/load.out" | grep -v '^ *200$' | head -3 || true)
it_eq "" "$bad" "the load's own requests all answered nochg"
printf 'figures: under load %s lookups in %s statements (%s per statement)\n' \
	"$((ll1 - ll0))" "$((ls1 - ls0))" "$(awk -v a="$((ll1 - ll0))" -v b="$((ls1 - ls0))" 'BEGIN { printf "%.2f", a / (b ? b : 1) }')"
it_ok test "$((ll1 - ll0))" -gt "$((ls1 - ls0))"

# --- 3. PostgreSQL killed while a group waits ------------------------------------
# All 8 wait in ddnsd (one statement in flight, the rest queued).
flt_pg_gone_mid_group host_tokens 'ACCESS EXCLUSIVE' 0 8 10.0.0
it_ok _svc_alive "$DDNSD_PID"
it_eq "911  503" "$(ans -u "x:${FLT_TOKS[0]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[0]}&myip=10.0.0.0")" "while it is down: 911"
svc_pg_start "$IT_TMP/pg"
ok=''
for ((k = 0; k < 50; k++)); do
	ok=$(ans -u "x:${FLT_TOKS[0]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[0]}&myip=10.0.0.0")
	[[ $ok == "nochg 10.0.0.0  200" ]] && break
	sleep 0.1
done
it_eq "nochg 10.0.0.0  200" "$ok" "back to nochg once PostgreSQL is back"
it_eq "good 10.3.0.2  200" "$(ans -u "x:${FLT_TOKS[2]}" "$DDNS_URL/nic/update?hostname=${FLT_NAMES[2]}&myip=10.3.0.2")" "and good"
it_ok _svc_alive "$DDNSD_PID"
it_stop_ddnsd
it_eq 0 "$DDNSD_EXIT" "ddnsd exits 0 on SIGTERM"
it_done
