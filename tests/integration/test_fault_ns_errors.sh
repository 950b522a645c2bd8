#!/bin/bash
# SPDX-License-Identifier: MIT
# A nameserver that answers REFUSED (zone without an update policy for our
# key), NOTAUTH (zone not served), BADSIG (our copy of the key has the wrong
# secret) or nothing at all (a port that accepts and never replies), each
# for one zone, while a healthy zone keeps working: every failure is logged
# with its reason, backs off, is counted in /metrics, marks nothing pushed
# and never crashes ddnsd; once the fault is fixed, the changes arrive.
# The BADSIG fix is a corrected key file and SIGHUP (a broken file and
# SIGHUP first: the keys in use stay).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/faults.sh"

it_setup
# A private BIND whose configuration this test rewrites and restarts.
ns=$IT_TMP/ns/bind
svc_bind_start "$IT_TMP/ns" dyn.test refused.test notauth.test badsig.test hole.test
svc_bind_stop "$IT_TMP/ns"
tsig-keygen -a hmac-sha256 other-key >"$IT_TMP/other.key"
printf 'key "other-key" { algorithm hmac-sha256; secret "%s"; };\n' \
	"$(head -c 32 /dev/urandom | base64)" >"$IT_TMP/other-wrong.key"
cat "$DDNS_TSIG_KEY_FILE" "$IT_TMP/other-wrong.key" >"$IT_TMP/keys-wrong"
cat "$DDNS_TSIG_KEY_FILE" "$IT_TMP/other.key" >"$IT_TMP/keys-right"
cp "$IT_TMP/keys-wrong" "$IT_TMP/keys"

# named.conf for MODE bad (faults) or good (fixed).
write_conf() {
	{
		printf 'include "%s";\n' "$IT_TMP/other.key"
		awk -v mode="$1" '
			/^zone "/ { z = $2; gsub(/"/, "", z) }
			{ line = $0 }
			z == "badsig.test" && /update-policy/ { sub(/ddnsd-key/, "other-key", line) }
			mode == "bad" && z == "refused.test" && /update-policy/ { line = "\tallow-update { none; };" }
			mode == "bad" && z == "notauth.test" { if ($0 ~ /^};/) z = ""; next }
			{ print line }
			/^};/ { z = "" }
		' "$ns/named.conf.orig"
	} >"$ns/named.conf"
	named-checkconf "$ns/named.conf"
}
named_pid=""
start_named() {
	(cd "$ns/work" && exec named -g -c "$ns/named.conf" </dev/null >>"$ns/named.log" 2>&1) &
	named_pid=$!
	for ((i = 0; i < 100; i++)); do
		[[ -z $(dig +short +time=1 +tries=1 @127.0.0.1 -p "$BIND_PORT" dyn.test SOA 2>/dev/null) ]] || return 0
		sleep 0.1
	done
	echo "named did not start" >&2
	return 1
}
stop_named() {
	[[ -n $named_pid ]] || return 0
	kill -TERM "$named_pid" 2>/dev/null || true
	wait "$named_pid" 2>/dev/null || true
	named_pid=""
}
it_on_exit 'stop_named'
cp "$ns/named.conf" "$ns/named.conf.orig"
write_conf bad
start_named

# The black hole: accepts TCP connections, never reads, never answers.
hole_port=$(it_free_port)
flt_black_hole "$hole_port"

"$DDNSD" migrate >/dev/null
"$DDNSD" account add a@example.com >/dev/null
zones=(dyn.test refused.test notauth.test badsig.test hole.test)
for z in "${zones[@]}"; do
	primary=$BIND_PRIMARY key=ddnsd-key
	[[ $z != hole.test ]] || primary=127.0.0.1:$hole_port
	[[ $z != badsig.test ]] || key=other-key
	"$DDNSD" zone add "$z" --primary "$primary" --key "$key" >/dev/null
	"$DDNSD" host add "h-$FX_ID.$z" --account a@example.com >/dev/null
	declare "tok_${z%%.*}=$(fx_token "h-$FX_ID.$z")"
done
zid() { fx_psql "SELECT id FROM zones WHERE name = '$1'"; }

it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_DNS_TIMEOUT_MS=1000 \
	DDNS_TSIG_KEY_FILE="$IT_TMP/keys"
t0=${EPOCHREALTIME/./}
for z in "${zones[@]}"; do
	tok=tok_${z%%.*}
	it_eq "200 good 10.5.0.1|" "$(fx_get -u "x:${!tok}" "/nic/update?hostname=h-$FX_ID.$z&myip=10.5.0.1")" "$z: update answered good"
done
it_ok it_wait_dig "h-$FX_ID.dyn.test" A 10.5.0.1 10
sleep 6
# The healthy zone keeps flowing while the others fail.
it_eq "200 good 10.5.0.2|" "$(fx_get -u "x:$tok_dyn" "/nic/update?hostname=h-$FX_ID.dyn.test&myip=10.5.0.2")" "dyn.test: second update"
it_ok it_wait_dig "h-$FX_ID.dyn.test" A 10.5.0.2 10
t_http0=${EPOCHREALTIME/./}
fx_get "/healthz" >/dev/null || true
t_http=$(((${EPOCHREALTIME/./} - t_http0) / 1000))

log=$(cat "$IT_TMP/ddnsd.log")
it_match "zone refused\.test: primary 127\.0\.0\.1:$BIND_PORT: 1 changes not pushed: nameserver answered REFUSED" "$log" "REFUSED is logged with zone and primary"
it_match "zone notauth\.test: primary [^ ]*: 1 changes not pushed: nameserver answered NOTAUTH" "$log" "NOTAUTH is logged"
it_match "zone badsig\.test: primary [^ ]*: 1 changes not pushed: TSIG signature invalid \(BADSIG\)" "$log" "BADSIG is logged"
it_match "zone hole\.test: primary 127\.0\.0\.1:$hole_port: 1 changes not pushed: Connection timed out" "$log" "the silent server times out"
for z in refused.test notauth.test badsig.test hole.test; do
	it_match "zone $(zid "$z"): [^\"]*retry in [0-9]+ ms \(attempt [3-9]" "$log" "$z backs off"
	it_eq "1" "$(fx_psql "SELECT count(*) FROM hosts WHERE fqdn = 'h-$FX_ID.$z' AND version > pushed_version")" "$z: nothing marked pushed"
done
attempts=$(grep -c "zone hole\.test: .*not pushed" "$IT_TMP/ddnsd.log")
it_match '^[1-9]$' "$attempts" "the black hole is tried a bounded number of times ($attempts in 6 s)"
metric=$(curl -s "$DDNS_URL/metrics" | awk '/^ddnsd_dns_push_batches_total\{outcome="dns_error"\}/ { print $2 }')
it_match '^[1-9][0-9]*$' "$metric" "/metrics counts the failed pushes ($metric)"
it_ok _svc_alive "$DDNSD_PID"

# Fix the nameserver side (update policy, zone served, primary address);
# ddnsd keeps running and recovers by itself.
t_fix=${EPOCHREALTIME/./}
stop_named
write_conf good
start_named
fx_psql "UPDATE zones SET primary_ns = '$BIND_PRIMARY' WHERE name = 'hole.test'" >/dev/null
for z in refused.test notauth.test hole.test; do
	it_ok it_wait_dig "h-$FX_ID.$z" A 10.5.0.1 20
done
t_rec=${EPOCHREALTIME/./}
it_match "recovered after [0-9]+ failures" "$(cat "$IT_TMP/ddnsd.log")" "recovery is logged"
it_eq "1" "$(fx_psql "SELECT count(*) FROM hosts WHERE fqdn = 'h-$FX_ID.badsig.test' AND version > pushed_version")" "badsig.test still waits for the right key"

# The key: a broken file and SIGHUP keeps the keys in use (dyn.test still
# flows); the right file and SIGHUP loads it, and the waiting change goes
# out at once, without waiting for the zone's backoff.
printf 'key "other-key" { algorithm hmac-sha256; secret "' >"$IT_TMP/keys"
kill -HUP "$DDNSD_PID"
it_ok it_wait_log "SIGHUP: DDNS_TSIG_KEY_FILE $IT_TMP/keys: malformed message; the keys in use stay"
it_eq "200 good 10.5.0.3|" "$(fx_get -u "x:$tok_dyn" "/nic/update?hostname=h-$FX_ID.dyn.test&myip=10.5.0.3")" "dyn.test: update after the failed reload"
it_ok it_wait_dig "h-$FX_ID.dyn.test" A 10.5.0.3 10
cp "$IT_TMP/keys-right" "$IT_TMP/keys"
kill -HUP "$DDNSD_PID"
it_ok it_wait_log "SIGHUP: 2 TSIG keys loaded from $IT_TMP/keys"
it_ok it_wait_dig "h-$FX_ID.badsig.test" A 10.5.0.1 5
it_ok _svc_alive "$DDNSD_PID"
it_eq "0" "$(grep -c -F -e "$(sed -n 's/.*secret "\([^"]*\)".*/\1/p' "$IT_TMP/other.key")" "$IT_TMP/ddnsd.log" || true)" "no secret in the log"
printf 'figures: %d black-hole attempts in the first %d s; /healthz during faults %d ms; refused, notauth and black hole recovered %.1f s after the fix\n' \
	"$attempts" $(((t_fix - t0) / 1000000)) "$t_http" "$(((t_rec - t_fix) / 100000))e-1"
it_done
