#!/bin/bash
# SPDX-License-Identifier: MIT
# A zone its primary signs (DNSSEC) works like any other: the zones are
# served by a private BIND with dnssec-policy default + inline-signing
# (test_dnssec_knot.sh: Knot with dnssec-signing: on). Updates through
# /nic/update and REST and an ACME TXT record arrive, come back with RRSIGs
# and validate (delv, the zone's own key as trust anchor); reconcile reports
# no drift on the signed zone (the signer's RRSIG/NSEC/DNSKEY/CDS/... and
# its SOA serial are not ddnsd's), also after the signer re-signed around
# the hosts, and still finds and repairs a real drift made with nsupdate.
# A tenant's own zone on its own signed primary works the same way.
# The deploy/nameserver examples pass the nameservers' config checks.
set -euo pipefail
export IT_SIGNED=1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

t0=${EPOCHREALTIME/./}
it_setup
printf 'timing: signed nameserver (%s) ready in %d ms\n' "${IT_NS:-bind}" \
	$(((${EPOCHREALTIME/./} - t0) / 1000))
SRC=${DDNS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
NS=${IT_NS:-bind}

# dig_sec NAME TYPE: the answer section with DNSSEC records, one per line.
dig_sec() {
	dig +dnssec +norec +tcp +noall +answer +time=2 +tries=2 @127.0.0.1 \
		-p "$BIND_PORT" "$1" "$2"
}
# rrsig_for NAME TYPE: "yes" when the answer holds an RRSIG covering TYPE.
rrsig_for() {
	dig_sec "$1" "$2" | awk -v t="$2" '$4 == "RRSIG" && $5 == t { f = 1 } END { print f ? "yes" : "no" }'
}
# anchor_from KEYFILE: a delv trust-anchors block from the KSK/CSK (flags
# 257) DNSKEY lines of KEYFILE (dig output or a dnssec-keygen .key file).
anchor_from() {
	awk '$1 !~ /^;/ { for (d = 2; d <= NF && $d != "DNSKEY"; d++); }
	$1 !~ /^;/ && d < NF && $(d + 1) == 257 {
		k = ""; for (i = d + 4; i <= NF; i++) k = k $i
		printf "trust-anchors {\n\t%s static-key %s %s %s \"%s\";\n};\n", $1, $(d + 1), $(d + 2), $(d + 3), k
	}' "$1"
}
# validate ANCHORFILE NAME TYPE [ZONE=dyn.test PORT=$BIND_PORT]: delv's
# verdict line and the answer's data, "fully validated|v1 v2" (or its
# failure message).
validate() {
	local out
	out=$(delv @127.0.0.1 -p "${5:-$BIND_PORT}" -a "$1" +root="${4:-dyn.test}" +tcp \
		"$2" "$3" 2>&1) || true
	printf '%s|%s' "$(grep -m1 -o -e 'fully validated' -e 'resolution failed.*' \
		-e 'unsigned answer' <<<"$out")" \
		"$(awk -v t="$3" '$1 !~ /^;/ && $4 == t { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' <<<"$out" |
			LC_ALL=C sort | paste -sd' ')"
}

# The zone is signed, and delv with its key as trust anchor validates it.
dig_sec dyn.test DNSKEY >"$IT_TMP/dnskey"
anchor_from "$IT_TMP/dnskey" >"$IT_TMP/anchor"
it_match 'static-key 257 3 13 "' "$(cat "$IT_TMP/anchor")" "dyn.test has a KSK/CSK (ECDSA P-256) to trust"
it_eq yes "$(rrsig_for dyn.test SOA)" "the SOA comes signed"
it_eq "fully validated|127.0.0.1" "$(validate "$IT_TMP/anchor" ns1.dyn.test A)" "delv validates ns1 with the zone's key"
# The check can fail: another key is no anchor for this zone.
dnssec-keygen -q -K "$IT_TMP" -a ECDSAP256SHA256 -f KSK dyn.test >"$IT_TMP/other.name"
anchor_from "$IT_TMP/$(cat "$IT_TMP/other.name").key" >"$IT_TMP/wrong-anchor"
it_match 'static-key 257 3 13 "' "$(cat "$IT_TMP/wrong-anchor")" "a foreign key for dyn.test"
it_match "^resolution failed" "$(validate "$IT_TMP/wrong-anchor" ns1.dyn.test A)" "delv refuses the answer under a foreign key"

fx_base
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_SIGNUP=open

# /nic/update
it_eq "200 good 203.0.113.5|" "$(fx_get -u "x:$TOK_A" "/nic/update?hostname=$HOST_A&myip=203.0.113.5")" "/nic/update answers good"
t1=${EPOCHREALTIME/./}
it_ok it_wait_dig "$HOST_A" A 203.0.113.5
printf 'timing: /nic/update to signed answer in %d ms\n' $(((${EPOCHREALTIME/./} - t1) / 1000))
it_eq yes "$(rrsig_for "$HOST_A" A)" "the pushed A record comes with an RRSIG"
it_eq "fully validated|203.0.113.5" "$(validate "$IT_TMP/anchor" "$HOST_A" A)" "delv validates the /nic/update address"

# REST: a host created and PATCHed by an account token
PW='a long enough password'
H="rest-$FX_ID.dyn.test"
rq POST /v1/accounts --data-binary "{\"email\":\"sec@example.com\",\"password\":\"$PW\"}"
it_status 201 "signup"
TOK=$(rest_token sec@example.com "$PW" '["read","write"]')
rqa "$TOK" POST /v1/hosts "{\"name\":\"$H\",\"ttl\":120}"
it_status 201 "host created by REST"
rqa "$TOK" PATCH "/v1/hosts/$H" '{"ipv4":"198.51.100.20","ipv6":"2001:db8::20"}'
it_status 200 "PATCH both addresses"
it_ok it_wait_dig "$H" AAAA 2001:db8::20
it_ok it_wait_dig "$H" A 198.51.100.20
it_eq yes "$(rrsig_for "$H" AAAA)" "the REST AAAA record comes with an RRSIG"
it_eq "fully validated|2001:db8::20" "$(validate "$IT_TMP/anchor" "$H" AAAA)" "delv validates the REST address"

# ACME TXT under the signed zone
ACME="_acme-challenge.$H"
rqa "$TOK" PUT "/v1/hosts/$H/acme-challenge" '{"value":"signed-challenge"}'
it_status 204 "PUT acme-challenge"
it_ok it_wait_dig "$ACME" TXT '"signed-challenge"'
it_eq yes "$(rrsig_for "$ACME" TXT)" "the ACME TXT record comes with an RRSIG"
it_eq 'fully validated|"signed-challenge"' "$(validate "$IT_TMP/anchor" "$ACME" TXT)" "delv validates the ACME TXT record"
# A name that is not there is proven absent (NSEC), as a validating ACME
# server sees it after the challenge is cleared.
it_match "negative response, fully validated" \
	"$(delv @127.0.0.1 -p "$BIND_PORT" -a "$IT_TMP/anchor" +root=dyn.test +tcp "nohost-$FX_ID.dyn.test" A 2>&1 || true)" \
	"delv validates the denial of a missing name"

# A tenant's own zone on its own signed primary (bring your own zone).
T=home-$FX_ID.example.org
saved=("$BIND_PORT" "$BIND_PRIMARY" "$DDNS_TSIG_KEY_FILE")
if [[ $NS == bind ]]; then
	svc_bind_start "$IT_TMP/tenant" --signed "$T" 2>>"$IT_TMP/tenant.log"
	it_on_exit 'svc_bind_stop "$IT_TMP/tenant"'
	TPORT=$BIND_PORT TPRIMARY=$BIND_PRIMARY TKEYS=$DDNS_TSIG_KEY_FILE
else
	svc_knot_start "$IT_TMP/tenant" --signed "$T" 2>>"$IT_TMP/tenant.log"
	it_on_exit 'svc_knot_stop "$IT_TMP/tenant"'
	TPORT=$KNOT_PORT TPRIMARY=$KNOT_PRIMARY TKEYS=$KNOT_TSIG_KEY_FILE
fi
export BIND_PORT=${saved[0]} BIND_PRIMARY=${saved[1]} DDNS_TSIG_KEY_FILE=${saved[2]}
TSECRET=$(awk -F'"' '/secret/ { print $2; exit }' "$TKEYS")
openssl rand -base64 32 >"$IT_TMP/secret.key"
# serve and reconcile both need the key and the allow list for this zone.
export DDNS_SECRET_KEY_FILE=$IT_TMP/secret.key DDNS_ZONE_PRIMARY_ALLOW=127.0.0.0/8
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
rqa "$TOK" POST /v1/zones "$(printf '{"name":"%s","primary":"%s","tsig":{"name":"ddnsd-key","algorithm":"hmac-sha256","secret":"%s"}}' "$T" "$TPRIMARY" "$TSECRET")"
it_status 201 "a tenant's own signed zone is verified and stored"
rqa "$TOK" POST /v1/hosts "{\"name\":\"nas.$T\"}"
it_status 201 "a host in the tenant's zone"
rqa "$TOK" POST "/v1/hosts/nas.$T/tokens" '{"label":"router"}'
TT=$(jf .token)
it_eq "200 good 198.51.100.44|" "$(fx_get -u "x:$TT" "/nic/update?hostname=nas.$T&myip=198.51.100.44")" "/nic/update in the tenant's zone"
wait_tenant() { BIND_PORT=$TPORT it_wait_dig "$@"; }
it_ok wait_tenant "nas.$T" A 198.51.100.44 5
it_eq yes "$(BIND_PORT=$TPORT rrsig_for "nas.$T" A)" "the tenant's A record comes with an RRSIG"
dig +norec +tcp +noall +answer @127.0.0.1 -p "$TPORT" "$T" DNSKEY >"$IT_TMP/tdnskey"
anchor_from "$IT_TMP/tdnskey" >"$IT_TMP/tanchor"
it_eq "fully validated|198.51.100.44" "$(validate "$IT_TMP/tanchor" "nas.$T" A "$T" "$TPORT")" \
	"delv validates the tenant's host with its zone's key"

# Reconcile of the signed zones: nothing differs.
wait_outbox() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version") == 0 ]] && return 0
		sleep 0.1
	done
	return 1
}
it_ok wait_outbox
it_stop_ddnsd
serial0=$(dig +short +tcp @127.0.0.1 -p "$BIND_PORT" dyn.test SOA | awk '{print $3}')
t1=${EPOCHREALTIME/./}
out=$("$DDNSD" reconcile --no-push 2>"$IT_TMP/reconcile.log") && rc=0 || rc=$?
printf 'timing: reconcile of the signed zones in %d ms\n' $(((${EPOCHREALTIME/./} - t1) / 1000))
it_eq 0 "$rc" "reconcile of the signed zones exits 0"
it_match "3 zones compared, 0 failed; 4 hosts, 0 differ \(0 already pending\), 0 marked" "$out" "no drift on a freshly signed zone"
nsig=$(sed -n 's/.*; \([0-9]*\) DNSSEC records of the signer ignored.*/\1/p' <<<"$out")
it_match '^[1-9][0-9]*$' "$nsig" "reconcile saw the signer's records and left them out ($nsig)"
it_match "zone dyn\.test: .*signed zone, the signer's records ignored" "$(cat "$IT_TMP/reconcile.log")" "the zone is logged as signed"
it_match "zone $T: .* 1 hosts, 0 differ, 0 marked for push; signed zone" "$(cat "$IT_TMP/reconcile.log")" \
	"the tenant's signed zone is compared too"

# The signer changes its records around the hosts (a new name and its
# removal re-sign the NSEC chain and bump the SOA serial): still no drift.
nsupdate -k "$DDNS_TSIG_KEY_FILE" <<-EOF
	server 127.0.0.1 $BIND_PORT
	zone dyn.test
	update add zz-$FX_ID.dyn.test 60 A 192.0.2.200
	send
	update delete zz-$FX_ID.dyn.test A
	send
EOF
wait_serial() {
	local i s
	for ((i = 0; i < 100; i++)); do
		s=$(dig +short +tcp @127.0.0.1 -p "$BIND_PORT" dyn.test SOA | awk '{print $3}')
		[[ -n $s && $s != "$serial0" ]] && [[ -z $(it_dig "zz-$FX_ID.dyn.test" A) ]] && return 0
		sleep 0.1
	done
	return 1
}
it_ok wait_serial
out=$("$DDNSD" reconcile --no-push 2>/dev/null) && rc=0 || rc=$?
it_match "4 hosts, 0 differ \(0 already pending\), 0 marked" "$out" "no drift after the signer re-signed and bumped the serial"

# A real drift behind ddnsd's back is still found and repaired.
nsupdate -k "$DDNS_TSIG_KEY_FILE" <<-EOF
	server 127.0.0.1 $BIND_PORT
	zone dyn.test
	update delete $HOST_A A
	update add $HOST_A 60 A 192.0.2.99
	update add $ACME 120 TXT "forged"
	send
EOF
it_ok it_wait_dig "$HOST_A" A 192.0.2.99 5
it_eq "fully validated|192.0.2.99" "$(validate "$IT_TMP/anchor" "$HOST_A" A)" "the drifted record is signed by the primary too"
out=$("$DDNSD" reconcile 2>"$IT_TMP/reconcile2.log") && rc=0 || rc=$?
it_eq 0 "$rc" "reconcile with drift exits 0"
it_match "4 hosts, 2 differ \(0 already pending\), 2 marked for push" "$out" "reconcile finds the two drifted hosts"
it_match "$HOST_A: DNS has A 192\.0\.2\.99" "$(cat "$IT_TMP/reconcile2.log")" "the changed address is logged"
it_match "$H: .*ACME TXT records differ" "$(cat "$IT_TMP/reconcile2.log")" "the forged ACME TXT is logged"
it_ok it_wait_dig "$HOST_A" A 203.0.113.5 5
it_ok it_wait_dig "$ACME" TXT '"signed-challenge"' 5
it_eq "fully validated|203.0.113.5" "$(validate "$IT_TMP/anchor" "$HOST_A" A)" "the repaired address validates"
it_eq 'fully validated|"signed-challenge"' "$(validate "$IT_TMP/anchor" "$ACME" TXT)" "the repaired ACME TXT validates"
out=$("$DDNSD" reconcile --no-push 2>/dev/null) && rc=0 || rc=$?
it_match "4 hosts, 0 differ" "$out" "nothing differs after the repair"

# The deploy/ examples pass the nameservers' own checks.
if [[ $NS == bind ]]; then
	mkdir -p "$IT_TMP/ex/keys"
	tsig-keygen -a hmac-sha256 ddnsd-key >"$IT_TMP/ex/ddnsd.key"
	sed -e "s|/etc/bind/ddnsd.key|$IT_TMP/ex/ddnsd.key|" \
		-e "s|/var/lib/bind/keys|$IT_TMP/ex/keys|" \
		"$SRC/deploy/nameserver/bind-signed.conf" >"$IT_TMP/ex/named.conf"
	it_ok named-checkconf "$IT_TMP/ex/named.conf"
	it_match "inline-signing yes;.*dnssec-policy \"default\";" "$(named-checkconf -p "$IT_TMP/ex/named.conf" | tr -d "\n")" "bind-signed.conf signs dyn.example"
else
	secret=$(head -c 32 /dev/urandom | base64)
	sed -e "s|REPLACE-WITH-BASE64-SECRET|$secret|" \
		"$SRC/deploy/nameserver/knot-signed.conf" >"$IT_TMP/knot-ex.conf"
	it_ok knotc -c "$IT_TMP/knot-ex.conf" conf-check
	knotc -c "$IT_TMP/knot-ex.conf" conf-export "$IT_TMP/knot-ex.export" >/dev/null 2>&1 || true
	it_match 'domain: "dyn\.example\."[[:space:]]+acl: "ddnsd"[[:space:]]+dnssec-signing: "on"' \
		"$(cat "$IT_TMP/knot-ex.export" 2>/dev/null)" "knot-signed.conf signs dyn.example"
fi
it_done
