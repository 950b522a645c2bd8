#!/bin/bash
# SPDX-License-Identifier: MIT
# Drift: records are changed, deleted and added behind ddnsd's back with
# nsupdate; `ddnsd reconcile` reads the zone by AXFR (TSIG), marks the hosts
# that differ and pushes them, so that BIND serves exactly the database
# state again. Names that are not hosts (apex, ns1, an operator's record) are
# left alone. DDNS_RECONCILE_INTERVAL does the same inside `serve`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
N=6
declare -a names toks
for ((i = 0; i < N; i++)); do
	names[i]="d$i-$FX_ID.dyn.test"
	"$DDNSD" host add "${names[i]}" --account a@example.com >/dev/null
	toks[i]=$(fx_token "${names[i]}")
done
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
for ((i = 0; i < N; i++)); do
	r=$(fx_get -u "x:${toks[i]}" "/nic/update?hostname=${names[i]}&myip=10.7.0.$i,2001:db8:7::1$i")
	it_eq "200 good 10.7.0.$i,2001:db8:7::1$i|" "$r" "${names[i]} updated"
done
r=$(fx_get -u "x:${toks[5]}" "/nic/update?hostname=${names[5]}&offline=YES")
it_match "^200 good" "$r" "${names[5]} set offline"
# An ACME challenge value, as the REST API stores it (row + version bump).
fx_psql "INSERT INTO acme_challenges (host_id, account_id, value)
	SELECT id, account_id, 'acme-$FX_ID' FROM hosts WHERE fqdn = '${names[0]}';
	UPDATE hosts SET version = version + 1 WHERE fqdn = '${names[0]}';
	NOTIFY ddns_dirty" >/dev/null
it_ok it_wait_dig "${names[4]}" AAAA 2001:db8:7::14
it_ok it_wait_dig "${names[5]}" A ""
it_ok it_wait_dig "_acme-challenge.${names[0]}" TXT "\"acme-$FX_ID\""
it_stop_ddnsd

# The state the database holds, as dig prints it (name TTL A/AAAA value).
want_state() {
	local i
	for ((i = 0; i < N - 1; i++)); do
		printf '%s. 60 IN A 10.7.0.%s\n' "${names[i]}" "$i"
		printf '%s. 60 IN AAAA 2001:db8:7::1%s\n' "${names[i]}" "$i"
	done | LC_ALL=C sort
}
# What BIND serves for our names, read by a signed AXFR.
served_state() {
	dig +tcp +noall +answer -k "$DDNS_TSIG_KEY_FILE" @127.0.0.1 \
		-p "$BIND_PORT" dyn.test AXFR |
		awk -v id="-$FX_ID.dyn.test." '$1 ~ "^d[0-9]+" id "$" && ($4 == "A" || $4 == "AAAA") { print $1, $2, $3, $4, $5 }' |
		LC_ALL=C sort
}
it_eq "$(want_state)" "$(served_state)" "BIND serves the database state before the drift"

# Drift behind ddnsd's back.
stray="stray-$FX_ID.dyn.test"
nsupdate -k "$DDNS_TSIG_KEY_FILE" <<-EOF
	server 127.0.0.1 $BIND_PORT
	zone dyn.test
	update delete ${names[0]} A
	update add ${names[0]} 60 A 192.0.2.99
	update delete ${names[1]} A
	update delete ${names[1]} AAAA
	update add ${names[2]} 60 A 192.0.2.77
	update add ${names[3]} 60 AAAA 2001:db8:bad::3
	update delete ${names[4]} A
	update add ${names[4]} 300 A 10.7.0.4
	update add ${names[5]} 60 A 192.0.2.55
	update add $stray 60 A 192.0.2.1
	update add _acme-challenge.${names[0]} 60 TXT "forged"
	send
EOF
it_eq "192.0.2.99" "$(it_dig "${names[0]}" A)" "drift: changed address is served"
it_eq "" "$(it_dig "${names[1]}" A)" "drift: deleted address is gone"
it_eq "192.0.2.55" "$(it_dig "${names[5]}" A)" "drift: offline host has a record"

out=$("$DDNSD" reconcile --zone dyn.test 2>"$IT_TMP/reconcile.log") && rc=0 || rc=$?
it_eq 0 "$rc" "reconcile exits 0"
it_match "6 differ \(0 already pending\), 6 marked for push" "$out" "reconcile finds the 6 drifted hosts"
it_match "names with addresses not managed by ddnsd" "$out" "reconcile counts names it does not manage"
it_match "${names[2]}: DNS has A 10\.7\.0\.2,192\.0\.2\.77|${names[2]}: DNS has A 192\.0\.2\.77,10\.7\.0\.2" \
	"$(cat "$IT_TMP/reconcile.log")" "the differing records are logged"
it_eq "$(want_state)" "$(served_state)" "after reconcile BIND serves exactly the database state"
it_eq "192.0.2.1" "$(it_dig "$stray" A)" "a name that is not a host is left alone"
it_eq "\"acme-$FX_ID\"" "$(it_dig "_acme-challenge.${names[0]}" TXT)" "the forged ACME TXT record is gone"
it_eq "127.0.0.1" "$(it_dig ns1.dyn.test A)" "ns1 glue untouched"
it_match "hostmaster\.dyn\.test\." "$(it_dig dyn.test SOA)" "SOA untouched"
it_eq "0" "$(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version")" "outbox empty"

out=$("$DDNSD" reconcile 2>/dev/null) && rc=0 || rc=$?
it_eq 0 "$rc" "second reconcile (all zones) exits 0"
it_match "2 zones compared, 0 failed; 8 hosts, 0 differ" "$out" "nothing differs any more"
rc=0
"$DDNSD" reconcile --zone nope.test >/dev/null 2>&1 || rc=$?
it_eq 2 "$rc" "unknown zone is a usage error"

# With the wrong key the transfer is refused: reconcile fails, marks nothing.
printf 'key "ddnsd-key" { algorithm hmac-sha256; secret "%s"; };\n' \
	"$(head -c 32 /dev/urandom | base64)" >"$IT_TMP/wrong.key"
out=$(DDNS_TSIG_KEY_FILE=$IT_TMP/wrong.key "$DDNSD" reconcile --no-push 2>"$IT_TMP/wrong.log") && rc=0 || rc=$?
it_eq 1 "$rc" "reconcile with a wrong key exits 1"
it_match "AXFR from 127\.0\.0\.1:$BIND_PORT failed: .*(signature|BADSIG|sig)" "$(cat "$IT_TMP/wrong.log")" "the failure names the TSIG problem"

# Periodic reconcile inside serve.
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_RECONCILE_INTERVAL=1
nsupdate -k "$DDNS_TSIG_KEY_FILE" <<-EOF
	server 127.0.0.1 $BIND_PORT
	zone dyn.test
	update delete ${names[3]} AAAA
	update add ${names[3]} 60 AAAA 2001:db8:bad::33
	update add _acme-challenge.${names[0]} 60 TXT "forged again"
	send
EOF
it_ok it_wait_dig "${names[3]}" AAAA 2001:db8:7::13 15
it_ok it_wait_dig "_acme-challenge.${names[0]}" TXT "\"acme-$FX_ID\"" 15
it_match "reconcile: zone dyn\.test: .* 2 differ, 2 marked" "$(cat "$IT_TMP/ddnsd.log")" "serve's reconcile logged the repair"
it_match "${names[0]}: .*ACME TXT records differ" "$(cat "$IT_TMP/ddnsd.log")" "a forged ACME TXT alone is detected"
it_eq "$(want_state)" "$(served_state)" "serve's reconcile restored the database state"
nsupdate -k "$DDNS_TSIG_KEY_FILE" <<-EOF
	server 127.0.0.1 $BIND_PORT
	zone dyn.test
	update delete $stray A
	send
EOF
it_done
