#!/bin/bash
# SPDX-License-Identifier: MIT
# One name the nameserver refuses never holds back its zone. A private
# BIND whose update policy denies our key x.dyn.test (and later t.dyn.test):
# every message that touches it is answered REFUSED, which used to stop
# every change of the zone. Now:
# 1. `ddnsd push` with x among 17 other changes of one batch: the 17 reach
#    DNS, x is marked refused (REFUSED), the exit code says not everything
#    went out;
# 2. under `serve`, changes of other hosts reach DNS at once while x keeps
#    being refused, retried with its own growing backoff or at its next
#    change; x shows dns.state "refused" and the RCODE in REST and in
#    `ddnsd host list`, /metrics counts it, one warn line per refusal;
# 3. a deleted host whose removal is refused (a tombstone) holds back
#    nothing either, and leaves DNS and the table once the nameserver
#    takes it; a change accepted at last clears the refused state.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

it_setup
ns=$IT_TMP/ns
it_on_exit 'svc_bind_stop "$ns"'
svc_bind_deny "$ns" x.dyn.test
svc_bind_start "$ns" dyn.test
it_ok grep -q -F 'update-policy { deny ddnsd-key name x.dyn.test ANY; grant ddnsd-key zonesub ANY; };' "$ns/bind/named.conf"

"$DDNSD" migrate >/dev/null
"$DDNSD" zone add dyn.test --primary "$BIND_PRIMARY" --key ddnsd-key >/dev/null
PW='a long enough password'
rest_account a@example.com "$PW"
hosts=(x t)
# 18 hosts: below the default limit of 20 per account.
for i in $(seq -w 1 16); do hosts+=("h$i"); done
for h in "${hosts[@]}"; do
	"$DDNSD" host add "$h.dyn.test" --account a@example.com >/dev/null
done
# Their first addresses, as /nic/update would write them (version + 1).
fx_psql "UPDATE hosts SET ipv4 = ('10.1.0.' || id)::inet, version = version + 1" >/dev/null
addr() { fx_psql "SELECT host(ipv4) FROM hosts WHERE fqdn = '$1' AND deleted_at IS NULL"; }

# --- 1. one batch, drained by `ddnsd push`
rc=0
"$DDNSD" push >"$IT_TMP/push.out" 2>&1 || rc=$?
it_eq 1 "$rc" "ddnsd push exits 1: a change was refused"
for h in t h01 h10 h16; do
	it_eq "$(addr "$h.dyn.test")" "$(it_dig "$h.dyn.test" A)" "$h reached DNS in the batch with x"
done
it_eq 17 "$(fx_psql "SELECT count(*) FROM hosts WHERE pushed_version >= version")" "every host but x marked pushed"
it_eq "REFUSED|f" "$(fx_psql "SELECT push_refused_rcode, pushed_version >= version FROM hosts WHERE fqdn = 'x.dyn.test'")" "x marked refused with its RCODE"
it_eq "" "$(it_dig x.dyn.test A)" "x is not in DNS"
it_match "x\.dyn\.test refused by the nameserver: REFUSED" "$(cat "$IT_TMP/push.out")" "the refusal is logged with host and RCODE"
it_eq 1 "$(grep -c "refused by the nameserver" "$IT_TMP/push.out")" "one warn line for it"
it_match "drained 17 changes" "$(cat "$IT_TMP/push.out")" "17 changes drained"

# --- 2. serve: the zone flows while x is refused
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_DNS_TIMEOUT_MS=1000
TOK=$(rest_token a@example.com "$PW" '["read","write"]')
worst=0 times=
for i in 1 2 3 4 5 6; do
	h=h0$i.dyn.test
	# x changes too (a new version is tried at once), in between.
	[[ $((i % 2)) == 0 ]] || { rqa "$TOK" PATCH /v1/hosts/x.dyn.test "{\"ipv4\":\"10.2.0.$i\"}"; it_status 200 "PATCH x ($i)"; }
	t0=${EPOCHREALTIME/./}
	rqa "$TOK" PATCH "/v1/hosts/$h" "{\"ipv4\":\"10.2.1.$i\"}"
	it_status 200 "PATCH $h"
	it_ok it_wait_dig "$h" A "10.2.1.$i" 5
	t=$(((${EPOCHREALTIME/./} - t0) / 1000))
	((t <= worst)) || worst=$t
	times+="$t "
	sleep 0.5
done
printf 'figures: while x is refused, PATCHed hosts reached DNS after %sms (at most %d ms)\n' "$times" "$worst"
it_eq "" "$(it_dig x.dyn.test A)" "x still not in DNS"

rqa "$TOK" GET /v1/hosts/x.dyn.test
it_status 200 "GET x"
it_eq "refused|REFUSED|false" "$(jf '"\(.dns.state)|\(.dns.rcode)|\(.dns.pushed)"')" "REST: x is refused with its RCODE"
rqa "$TOK" GET /v1/hosts/h01.dyn.test
it_eq "pushed|null|true" "$(jf '"\(.dns.state)|\(.dns.rcode)|\(.dns.pushed)"')" "REST: h01 is pushed"
rqa "$TOK" GET "/v1/hosts?limit=100"
it_eq "x.dyn.test" "$(jf '[.items[] | select(.dns.state == "refused") | .name] | join(",")')" "REST list: only x refused"
list=$("$DDNSD" host list)
it_match "x\.dyn\.test[^"$'\n'"]*[[:space:]]refused REFUSED" "$list" "host list: x refused REFUSED"
it_match "h01\.dyn\.test[^"$'\n'"]*[[:space:]]pushed" "$list" "host list: h01 pushed"

m() { curl -s "$DDNS_URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
wait_metric() {
	local i
	for ((i = 0; i < 80; i++)); do
		[[ $(m "$1") != "$2" ]] || return 0
		sleep 0.1
	done
	return 1
}
it_ok wait_metric ddnsd_dns_refused_hosts 1
it_match '^[1-9][0-9]*$' "$(m ddnsd_dns_refused_hosts_total)" "/metrics counts refusals ($(m ddnsd_dns_refused_hosts_total))"
it_eq 0 "$(m ddnsd_dns_pending_hosts)" "a refused host is not pending"

# Its own backoff: grows with each refusal (a new version is tried at
# once), and the count of attempts stays small.
sleep 4
log=$(grep "x\.dyn\.test refused by the nameserver: REFUSED" "$IT_TMP/ddnsd.log")
n=$(wc -l <<<"$log")
it_match "retry in 1000 ms or at its next change \(attempt 1\)" "$(cat "$IT_TMP/push.out")" "first refusal: retry in 1 s"
it_match "retry in [0-9]+ ms or at its next change \(attempt [4-9]\)" "$log" "backoff attempts counted"
it_match "retry in (4000|8000|16000) ms" "$log" "the delay doubles"
# An upper bound only: how many retries fit in the time depends on the
# machine's load (timings are never assertions).
it_match '^([1-9]|1[0-9])$' "$n" "bounded attempts for x ($n warn lines in ~8 s, 3 of them new versions)"
it_eq 0 "$(grep -c "zone dyn\.test: .*changes not pushed" "$IT_TMP/ddnsd.log" || true)" "the zone itself never failed"

# --- 3. a refused tombstone; then the nameserver takes both
svc_bind_deny "$ns" x.dyn.test t.dyn.test
svc_bind_restart "$ns"
rqa "$TOK" DELETE /v1/hosts/t.dyn.test
it_status 204 "DELETE t"
it_ok it_wait_log "removal of t.dyn.test refused by the nameserver: REFUSED" 10
it_eq "$(fx_psql "SELECT host(ipv4) FROM hosts WHERE fqdn = 't.dyn.test'")" "$(it_dig t.dyn.test A)" "t's record is still in DNS"
it_eq "REFUSED" "$(fx_psql "SELECT push_refused_rcode FROM hosts WHERE fqdn = 't.dyn.test' AND deleted_at IS NOT NULL")" "the tombstone is marked refused"
t0=${EPOCHREALTIME/./}
rqa "$TOK" PATCH /v1/hosts/h07.dyn.test '{"ipv4":"10.2.1.7"}'
it_ok it_wait_dig h07.dyn.test A 10.2.1.7 5
printf 'figures: with a refused tombstone, a PATCHed host reached DNS after %d ms\n' $(((${EPOCHREALTIME/./} - t0) / 1000))

svc_bind_deny "$ns"
svc_bind_restart "$ns"
t0=${EPOCHREALTIME/./}
it_ok it_wait_dig t.dyn.test A "" 20
printf 'figures: the tombstone left DNS %d ms after the policy allowed it (its own backoff)\n' $(((${EPOCHREALTIME/./} - t0) / 1000))
wait_gone() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ $(fx_psql "SELECT count(*) FROM hosts WHERE fqdn = 't.dyn.test'") != 0 ]] || return 0
		sleep 0.1
	done
	return 1
}
it_ok wait_gone
rqa "$TOK" PATCH /v1/hosts/x.dyn.test '{"ipv4":"10.2.0.9"}'
it_ok it_wait_dig x.dyn.test A 10.2.0.9 5
wait_state() {
	local i
	for ((i = 0; i < 50; i++)); do
		rqa "$TOK" GET /v1/hosts/x.dyn.test
		[[ $(jf .dns.state) != "$1" ]] || return 0
		sleep 0.1
	done
	return 1
}
it_ok wait_state pushed
it_eq "true|null" "$(jf '"\(.dns.pushed)|\(.dns.rcode)"')" "REST: x pushed, no RCODE"
it_eq "|0|" "$(fx_psql "SELECT push_refused_rcode, push_refusals, push_retry_at FROM hosts WHERE fqdn = 'x.dyn.test'")" "the refused state is cleared"
it_match "x\.dyn\.test[^"$'\n'"]*[[:space:]]pushed" "$("$DDNSD" host list)" "host list: x pushed"
it_ok wait_metric ddnsd_dns_refused_hosts 0
it_ok _svc_alive "$DDNSD_PID"
fx_outbox_consistent
it_done
