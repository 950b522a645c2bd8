#!/bin/bash
# SPDX-License-Identifier: MIT
# The nameserver goes away while updates keep coming: /nic/update still
# answers good, nothing is marked pushed, and once BIND is back every host
# ends up with the last address it was given.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
# A private BIND: this test stops it, other tests share the common one.
svc_bind_start "$IT_TMP/ns" dyn.test other.test
it_on_exit 'svc_bind_stop "$IT_TMP/ns"'
fx_base "$BIND_PRIMARY"
N=20
declare -a names toks
for ((i = 0; i < N; i++)); do
	names[i]="r$i-$FX_ID.dyn.test"
	"$DDNSD" host add "${names[i]}" --account a@example.com >/dev/null
	toks[i]=$(fx_token "${names[i]}")
done
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_DNS_TIMEOUT_MS=1000

update_all() { # ROUND: every host gets 10.ROUND.0.i; prints the failures
	local i r
	for ((i = 0; i < N; i++)); do
		r=$(fx_get -u "x:${toks[i]}" "/nic/update?hostname=${names[i]}&myip=10.$1.0.$i")
		[[ $r == "200 good 10.$1.0.$i|" ]] || echo "${names[i]}: $r"
	done
}

it_eq "" "$(update_all 1)" "round 1 answered good for every host"
it_ok it_wait_dig "${names[N - 1]}" A 10.1.0.$((N - 1))

svc_bind_stop "$IT_TMP/ns"
for round in 2 3 4; do
	it_eq "" "$(update_all $round)" "round $round answered good with the nameserver down"
	sleep 1
done
it_eq "$N" "$(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version AND fqdn LIKE 'r%-$FX_ID.dyn.test'")" "no host was marked pushed while BIND was down"
it_match "not pushed: .*(refused|Connection)" "$(cat "$IT_TMP/ddnsd.log")" "the push failure is logged clearly"

svc_bind_start "$IT_TMP/ns" dyn.test other.test
for ((i = 0; i < N; i++)); do
	it_ok it_wait_dig "${names[i]}" A "10.4.0.$i" 30
done
it_eq "0" "$(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version")" "outbox empty after recovery"
it_match "recovered" "$(cat "$IT_TMP/ddnsd.log")" "recovery is logged"
it_done
