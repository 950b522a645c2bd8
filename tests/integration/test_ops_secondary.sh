#!/bin/bash
# SPDX-License-Identifier: MIT
# Hidden primary + public secondaries: a private BIND primary that NOTIFYs
# at once and allows transfers with the key ddnsd-xfr, a BIND secondary and
# a Knot secondary configured from deploy/secondary/named.conf and
# knot.conf (services.sh replaces addresses, ports and paths). An update
# answered `good` reaches both secondaries, by IXFR after the first
# transfer; a deletion too; a transfer without the key is refused.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
S=$IT_TMP/ns
mkdir -p "$S/bind"
PPORT=$(it_free_port)
BPORT=$(it_free_port)
KPORT=$(it_free_port)
while [[ $BPORT == "$PPORT" ]]; do BPORT=$(it_free_port); done
while [[ $KPORT == "$PPORT" || $KPORT == "$BPORT" ]]; do KPORT=$(it_free_port); done
echo "$PPORT" >"$S/bind/port"
it_on_exit 'svc_secondary_stop "$S"; svc_bind_stop "$S"'
SVC_BIND_NOTIFY="$BPORT $KPORT" svc_bind_start "$S" "${IT_ZONES[@]}"
it_ok grep -qF "also-notify { 127.0.0.1 port $BPORT key ddnsd-xfr; 127.0.0.1 port $KPORT key ddnsd-xfr; };" "$S/bind/named.conf"
it_ok svc_secondary_start bind "$S" "$BPORT" "$PPORT" "$S/bind/xfr.key" "${IT_ZONES[@]}"
it_ok svc_secondary_start knot "$S" "$KPORT" "$PPORT" "$S/bind/xfr.key" "${IT_ZONES[@]}"
export DDNS_TSIG_KEY_FILE=$S/bind/tsig.key
fx_base "127.0.0.1:$PPORT"
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200

# sdig PORT NAME TYPE: the answer of the nameserver on PORT.
sdig() { dig +short +time=1 +tries=1 @127.0.0.1 -p "$1" "$2" "$3" | LC_ALL=C sort; }
# swait PORT NAME TYPE WANT: poll every 20 ms for 10 s; prints the ms taken.
swait() {
	local t0=${EPOCHREALTIME/./} i
	for ((i = 0; i < 500; i++)); do
		if [[ $(sdig "$1" "$2" "$3") == "$4" ]]; then
			echo $(((${EPOCHREALTIME/./} - t0) / 1000))
			return 0
		fi
		sleep 0.02
	done
	echo "timeout"
	return 1
}
upd() { fx_get -u "$HOST_A:$TOK_A" "/nic/update?hostname=$HOST_A&myip=$1"; }

for ip in 203.0.113.41 203.0.113.42 2001:db8::42; do
	type=A
	[[ $ip != *:* ]] || type=AAAA
	it_match '^200 good ' "$(upd "$ip")" "update $ip"
	b=$(swait "$BPORT" "$HOST_A" "$type" "$ip") && rc=0 || rc=$?
	it_eq 0 "$rc" "$ip served by the BIND secondary (${b} ms after the answer)"
	k=$(swait "$KPORT" "$HOST_A" "$type" "$ip") && rc=0 || rc=$?
	it_eq 0 "$rc" "$ip served by the Knot secondary (${k} ms after the BIND one)"
done
it_eq "203.0.113.42" "$(sdig "$KPORT" "$HOST_A" A)" "the A record stays next to the AAAA (Knot)"
it_eq "$(sdig "$PPORT" dyn.test SOA)" "$(sdig "$BPORT" dyn.test SOA)" "BIND secondary at the primary's serial"
it_eq "$(sdig "$PPORT" dyn.test SOA)" "$(sdig "$KPORT" dyn.test SOA)" "Knot secondary at the primary's serial"
# Incremental transfers after the first full one, signed with ddnsd-xfr.
it_match "transfer of 'dyn.test/IN' from 127.0.0.1#$PPORT: connected using .* TSIG ddnsd-xfr" \
	"$(cat "$S/named2/named.log")" "BIND secondary transfers with the key"
# The primary served IXFRs (not full zones) signed with ddnsd-xfr; Knot's
# log names its own, so the rest were the BIND secondary's.
ixfr_all=$(grep -c "transfer of 'dyn.test/IN': IXFR started: TSIG ddnsd-xfr" "$S/bind/named.log" || true)
ixfr_knot=$(grep -c "\[dyn\.test\.\] IXFR, incoming, remote 127\.0\.0\.1@$PPORT, finished" "$S/knot2/knotd.log" || true)
echo "IXFRs served by the primary: $ixfr_all, of which Knot's: $ixfr_knot"
it_ok test "$ixfr_knot" -ge 1
it_ok test "$ixfr_all" -gt "$ixfr_knot"
# A host deleted through ddnsd leaves the secondaries too.
"$DDNSD" host delete "$HOST_A" >/dev/null
b=$(swait "$BPORT" "$HOST_A" A "") && rc=0 || rc=$?
it_eq 0 "$rc" "deletion reached the BIND secondary ($b ms)"
k=$(swait "$KPORT" "$HOST_A" AAAA "") && rc=0 || rc=$?
it_eq 0 "$rc" "deletion reached the Knot secondary ($k ms later)"
# Without the key the primary refuses the zone to anyone.
it_match 'Transfer failed' "$(dig +time=2 +tries=1 @127.0.0.1 -p "$PPORT" dyn.test AXFR 2>&1)" "unsigned AXFR refused"
it_done
