#!/bin/bash
# SPDX-License-Identifier: MIT
# Bring your own zone: a tenant registers its own zone with its own primary
# (a second BIND, with its own key) through REST; ddnsd verifies it with a
# TSIG-signed SOA query before storing it, keeps the secret only sealed,
# pushes /nic/update and REST changes there, refuses every other tenant and
# every primary the operator did not allow -- without connecting to it --,
# and a dead tenant primary does not hold back the shared zone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

it_setup
fx_base
SHARED_PORT=$BIND_PORT SHARED_PRIMARY=$BIND_PRIMARY SHARED_KEYS=$DDNS_TSIG_KEY_FILE
T=home-$FX_ID.example.org
Z2=z2-$FX_ID.example.org Z3=z3-$FX_ID.example.org Z4=z4-$FX_ID.example.org
svc_bind_start "$IT_TMP/tenant" "$T" "$Z2" "$Z3" "$Z4" >/dev/null
it_on_exit 'svc_bind_stop "$IT_TMP/tenant"'
TENANT_PORT=$BIND_PORT TENANT_PRIMARY=$BIND_PRIMARY TENANT_KEYS=$DDNS_TSIG_KEY_FILE
export BIND_PORT=$SHARED_PORT BIND_PRIMARY=$SHARED_PRIMARY DDNS_TSIG_KEY_FILE=$SHARED_KEYS
# The tenant's key has the same name as the operator's, another secret:
# only the tenant's may ever be used for its zone.
TSECRET=$(awk -F'"' '/secret/ { print $2; exit }' "$TENANT_KEYS")
it_ok test "$TSECRET" != "$(awk -F'"' '/secret/ { print $2; exit }' "$SHARED_KEYS")"
it_wait_dig_at() { # PORT NAME TYPE EXPECTED TIMEOUT: it_wait_dig elsewhere
	local port=$1
	shift
	BIND_PORT=$port it_wait_dig "$@"
}
zone_body() { # NAME PRIMARY SECRET
	printf '{"name":"%s","primary":"%s","tsig":{"name":"ddnsd-key","algorithm":"hmac-sha256","secret":"%s"}}' "$1" "$2" "$3"
}
nzones() { fx_psql "SELECT count(*) FROM zones"; }

PW='tenant password 1'
rest_account alice@example.com "$PW"
rest_account mallory@example.com "$PW"

# --- without DDNS_SECRET_KEY_FILE: a clear 503, said at start --------------
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
TA=$(rest_token alice@example.com "$PW" '["read","write"]')
TM=$(rest_token mallory@example.com "$PW" '["read","write"]')
rqa "$TA" POST /v1/zones "$(zone_body "$T" "$TENANT_PRIMARY" "$TSECRET")"
it_status 503 "no secret key file"
it_eq "bring-your-own zones need DDNS_SECRET_KEY_FILE" "$(jf .detail)" "the 503 says what is missing"
it_match "DDNS_SECRET_KEY_FILE is not set" "$(cat "$IT_TMP/ddnsd.log")" "serve says so at start"

openssl rand -base64 32 >"$IT_TMP/secret.key"
openssl rand -base64 32 >"$IT_TMP/other.key"
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_SECRET_KEY_FILE="$IT_TMP/secret.key" \
	DDNS_ZONE_PRIMARY_ALLOW=127.0.0.0/8 DDNS_MAX_ZONES_PER_ACCOUNT=5 DDNS_DNS_TIMEOUT_MS=1000
before=$(nzones)

# --- verification before anything is stored ---------------------------------
rqa "$TA" POST /v1/zones "$(zone_body "$T" "$TENANT_PRIMARY" "$(openssl rand -base64 32)")"
it_status 422 "a wrong key"
it_match "^tsig: the primary did not accept the key" "$(jf .detail)" "the reason: the key"
rqa "$TA" POST /v1/zones "$(zone_body "other-$FX_ID.example.org" "$TENANT_PRIMARY" "$TSECRET")"
it_status 422 "a zone the primary does not serve"
it_match "^primary: not authoritative for other-" "$(jf .detail)" "the reason: not authoritative"
dead=$(it_free_port)
rqa "$TA" POST /v1/zones "$(zone_body "$T" "127.0.0.1:$dead" "$TSECRET")"
it_status 422 "a primary that does not answer"
it_match "^primary: no answer within the DNS timeout" "$(jf .detail)" "the reason: no answer"
rq_invalid "unsupported algorithm" rqa "$TA" POST /v1/zones "$(printf '{"name":"%s","primary":"%s","tsig":{"name":"k","algorithm":"hmac-md5","secret":"%s"}}' "$T" "$TENANT_PRIMARY" "$TSECRET")"
it_status 422 "an unsupported algorithm"
rq_invalid "unknown field" rqa "$TA" POST /v1/zones "$(printf '{"name":"%s","primary":"%s","tsig":{"name":"k","algorithm":"hmac-sha256","secret":"%s","x":1}}' "$T" "$TENANT_PRIMARY" "$TSECRET")"
it_status 400 "an unknown field in tsig"
it_eq "tsig.x: unknown field" "$(jf .detail)" "named with its path"
it_eq "$before" "$(nzones)" "nothing was stored"

# --- primaries the operator did not allow: refused before any connection ----
# A listener on [::1] (outside the allowed 127.0.0.0/8) records whether it
# was ever contacted.
lport=$(it_free_port)
python3 - "$lport" "$IT_TMP/listener.log" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::1", int(sys.argv[1])))
s.listen(8)
s.settimeout(0.2)
end = time.time() + 60
with open(sys.argv[2], "w") as log:
    while time.time() < end:
        try:
            c, a = s.accept()
            log.write("connection from %s\n" % (a,))
            log.flush()
            c.close()
        except socket.timeout:
            pass
EOF
lpid=$!
it_on_exit "kill $lpid 2>/dev/null || true"
sleep 0.3
for p in "[::1]:$lport" "10.1.2.3:53" "192.168.1.1:53" "172.16.0.1:53" "169.254.169.254:53" \
	"100.64.0.1:53" "[fe80::1]:53" "[fd00::1]:53" "224.0.0.1:53" "[::ffff:10.0.0.1]:53" \
	"[64:ff9b::a00:1]:53" "0.0.0.0:53" "127.0.0.1:$PGPORT_DDNS" "ns.example.net:53" "9.9.9.9:5353"; do
	rqa "$TA" POST /v1/zones "$(zone_body "$T" "$p" "$TSECRET")"
	it_status 422 "primary $p refused"
	it_match "^primary: " "$(jf .detail)" "primary $p: the detail names the field"
done
it_eq "" "$(cat "$IT_TMP/listener.log")" "no connection was attempted to a refused primary"
it_eq "$before" "$(nzones)" "nothing was stored"

# --- the right key: stored, used, never shown -------------------------------
rqa "$TA" POST /v1/zones "$(zone_body "$T" "$TENANT_PRIMARY" "$TSECRET")"
it_status 201 "the tenant's own zone"
it_eq "$T|$TENANT_PRIMARY|ddnsd-key|hmac-sha256|true|false" \
	"$(jf '[.name,.primary,.tsig.name,.tsig.algorithm,.own,.shared]|map(tostring)|join("|")')" "the answer: name, primary, key name"
it_eq "0" "$(grep -c -F -e "$TSECRET" <<<"$RQ_BODY" || true)" "no secret in the answer"
rqa "$TA" GET /v1/zones
it_eq "true|$TENANT_PRIMARY|ddnsd-key" "$(jf ".items[]|select(.name==\"$T\")|[.own,.primary,.tsig.name]|map(tostring)|join(\"|\")")" "GET /v1/zones lists it with primary and key name"
it_eq "null" "$(jf '.items[]|select(.name=="dyn.test")|.primary')" "a shared zone's primary is not shown"
rqa "$TA" POST /v1/hosts "{\"name\":\"cam.lan.$T\"}"
it_status 201 "a host at any depth in the own zone"
rqa "$TA" POST "/v1/hosts/cam.lan.$T/tokens" '{"label":"router"}'
HT=$(jf .token)
it_eq "200 good 198.51.100.21|" "$(fx_get -u "x:$HT" "/nic/update?hostname=cam.lan.$T&myip=198.51.100.21")" "/nic/update in the own zone"
it_ok it_wait_dig_at "$TENANT_PORT" "cam.lan.$T" A 198.51.100.21 5
rqa "$TA" PATCH "/v1/hosts/cam.lan.$T" '{"ipv6":"2001:db8::21"}'
it_status 200 "a REST change in the own zone"
it_ok it_wait_dig_at "$TENANT_PORT" "cam.lan.$T" AAAA 2001:db8::21 5
it_eq "" "$(it_dig "cam.lan.$T" A)" "and nothing of it on the operator's nameserver"

# --- other tenants --------------------------------------------------------
rqa "$TM" POST /v1/hosts "{\"name\":\"evil.$T\"}"
it_status 422 "another tenant's host in it"
it_eq "name: not under a zone this account may use" "$(jf .detail)" "as if the zone did not exist"
for z in "$T" "sub.$T" "example.org" "x-$FX_ID.dyn.test"; do
	rqa "$TM" POST /v1/zones "$(zone_body "$z" "$TENANT_PRIMARY" "$TSECRET")"
	it_status 409 "zone $z overlapping another zone"
	it_eq "https://ddnsd.example/problems/zone-overlap" "$(jf .type)" "zone $z: zone-overlap"
done
rqa "$TM" DELETE "/v1/zones/$T"
it_status 404 "another tenant cannot delete it"
rqa "$TM" PATCH "/v1/zones/$T" "{\"primary\":\"$TENANT_PRIMARY\"}"
it_status 404 "nor change it"

# --- rotation: a wrong new key changes nothing ------------------------------
rqa "$TA" PATCH "/v1/zones/$T" "{\"tsig\":{\"name\":\"ddnsd-key\",\"algorithm\":\"hmac-sha256\",\"secret\":\"$(openssl rand -base64 32)\"}}"
it_status 422 "a new key the primary does not know"
rqa "$TA" PATCH "/v1/zones/$T" "{\"primary\":\"$TENANT_PRIMARY\"}"
it_status 200 "a new primary, verified with the stored key"
it_eq "200 good 198.51.100.22|" "$(fx_get -u "x:$HT" "/nic/update?hostname=cam.lan.$T&myip=198.51.100.22")" "updates after the failed rotation"
it_ok it_wait_dig_at "$TENANT_PORT" "cam.lan.$T" A 198.51.100.22 5

# --- secrets at rest ----------------------------------------------------------
hexsecret=$(printf '%s' "$TSECRET" | base64 -d | od -An -tx1 | tr -d ' \n')
pg_dump "$DDNS_DATABASE_URL" >"$IT_TMP/dump.sql"
it_ok test -s "$IT_TMP/dump.sql"
it_eq 0 "$(grep -c -i -F -e "$TSECRET" -e "$hexsecret" "$IT_TMP/dump.sql" || true)" "pg_dump holds no secret in clear"
it_eq 0 "$(grep -c -F -e "$TSECRET" "$IT_TMP/ddnsd.log" || true)" "the log holds no secret"
it_eq "1" "$(fx_psql "SELECT count(*) FROM zones WHERE name = '$T' AND length(tsig_secret) > 32")" "the secret is stored sealed"
# A sealed secret cannot be moved to another zone (the zone id is bound in).
rqa "$TA" POST /v1/zones "$(zone_body "$T" "$TENANT_PRIMARY" "$TSECRET")"
it_status 409 "the same zone twice"

# --- a wrong key file is found at start ---------------------------------------
it_stop_ddnsd
out=$(DDNS_SECRET_KEY_FILE="$IT_TMP/other.key" "$DDNSD" serve 2>&1 </dev/null) && rc=0 || rc=$?
it_match "^2 ddnsd: DDNS_SECRET_KEY_FILE: .* does not open what was sealed" "$rc $(tail -n 1 <<<"$out")" "serve refuses a wrong secret key file"
# Rotation of the secret key: re-seal under a new one, then the old goes.
openssl rand -base64 32 >"$IT_TMP/new.key"
it_eq "rekey: 1 zones re-sealed under DDNS_SECRET_KEY_FILE, 0 failed" \
	"$(DDNS_SECRET_KEY_FILE="$IT_TMP/new.key" DDNS_SECRET_KEY_FILE_OLD="$IT_TMP/secret.key" "$DDNSD" rekey)" "ddnsd rekey"
out=$(DDNS_SECRET_KEY_FILE="$IT_TMP/secret.key" "$DDNSD" serve 2>&1 </dev/null) && rc=0 || rc=$?
it_match "^2 ddnsd: DDNS_SECRET_KEY_FILE: .* does not open" "$rc $(tail -n 1 <<<"$out")" "after rekey the old key alone is refused"
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_SECRET_KEY_FILE="$IT_TMP/new.key" \
	DDNS_ZONE_PRIMARY_ALLOW=127.0.0.0/8 DDNS_MAX_ZONES_PER_ACCOUNT=1 DDNS_DNS_TIMEOUT_MS=1000
it_eq "200 good 198.51.100.24|" "$(fx_get -u "x:$HT" "/nic/update?hostname=cam.lan.$T&myip=198.51.100.24")" "an update after the rotation"
it_ok it_wait_dig_at "$TENANT_PORT" "cam.lan.$T" A 198.51.100.24 5
rqa "$TA" POST /v1/zones "$(zone_body "two-$FX_ID.example.org" "$TENANT_PRIMARY" "$TSECRET")"
it_status 403 "DDNS_MAX_ZONES_PER_ACCOUNT"
out=$("$DDNSD" zone list)
it_match "$T	$TENANT_PRIMARY	key ddnsd-key	ttl 60	1 hosts	0 pending	owner alice@example.com \(tenant's own zone and key\)" "$out" "zone list shows the owner"

# --- tenant primaries that hang never hold back the shared zone ------------
# Three more zones, verified on the live primary, then moved (behind
# ddnsd's back) to an address that accepts TCP and never answers, with a
# 5 s DNS timeout: more hanging zones than the tenants' pusher has threads.
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_SECRET_KEY_FILE="$IT_TMP/new.key" \
	DDNS_ZONE_PRIMARY_ALLOW=127.0.0.0/8 DDNS_DNS_TIMEOUT_MS=1000
for z in "$Z2" "$Z3" "$Z4"; do
	rqa "$TA" POST /v1/zones "$(zone_body "$z" "$TENANT_PRIMARY" "$TSECRET")"
	it_status 201 "zone $z"
	rqa "$TA" POST /v1/hosts "{\"name\":\"h.$z\"}"
	it_status 201 "host h.$z"
	rqa "$TA" POST "/v1/hosts/h.$z/tokens" '{"label":"r"}'
	declare "tok_${z%%-*}=$(jf .token)"
done
hole=$(it_free_port)
python3 - "$hole" <<'EOF' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
held, end = [], time.time() + 90
s.settimeout(0.2)
while time.time() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
EOF
hpid=$!
it_on_exit "kill $hpid 2>/dev/null || true"
fx_psql "UPDATE zones SET primary_ns = '127.0.0.1:$hole' WHERE name IN ('$Z2', '$Z3', '$Z4')" >/dev/null
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_SECRET_KEY_FILE="$IT_TMP/new.key" \
	DDNS_ZONE_PRIMARY_ALLOW=127.0.0.0/8 DDNS_DNS_TIMEOUT_MS=5000
for z in "$Z2" "$Z3" "$Z4"; do
	tok=tok_${z%%-*}
	it_eq "200 good 198.51.100.30|" "$(fx_get -u "x:${!tok}" "/nic/update?hostname=h.$z&myip=198.51.100.30")" "an update for hanging $z"
done
sleep 0.5 # every thread of the tenants' pusher now waits on the hole
t0=${EPOCHREALTIME/./}
it_eq "200 good 192.0.2.77|" "$(fx_get -u "x:$TOK_A" "/nic/update?hostname=$HOST_A&myip=192.0.2.77")" "an update in the shared zone"
it_ok it_wait_dig "$HOST_A" A 192.0.2.77 2
echo "test_rest_zones: shared zone in DNS after $(((${EPOCHREALTIME/./} - t0) / 1000)) ms while 3 tenant primaries hang"
it_match "pusher: started for tenants' own zones" "$(cat "$IT_TMP/ddnsd.log")" "the tenants' zones have a pusher of their own"
svc_bind_stop "$IT_TMP/tenant"
it_eq "200 good 198.51.100.23|" "$(fx_get -u "x:$HT" "/nic/update?hostname=cam.lan.$T&myip=198.51.100.23")" "an update for a stopped primary is accepted"

# --- deleting the zone ----------------------------------------------------------
rqa "$TA" DELETE "/v1/zones/$T"
it_status 409 "a zone with hosts stays"
svc_bind_start "$IT_TMP/tenant" "$T" >/dev/null
export BIND_PORT=$SHARED_PORT BIND_PRIMARY=$SHARED_PRIMARY DDNS_TSIG_KEY_FILE=$SHARED_KEYS
it_ok it_wait_dig_at "$TENANT_PORT" "cam.lan.$T" A 198.51.100.23 15
rqa "$TA" DELETE "/v1/hosts/cam.lan.$T"
it_status 204 "the host goes"
for ((i = 0; i < 100; i++)); do
	[[ $(fx_psql "SELECT count(*) FROM hosts WHERE zone_id = (SELECT id FROM zones WHERE name = '$T')") == 0 ]] && break
	sleep 0.1
done
it_eq "" "$(BIND_PORT=$TENANT_PORT it_dig "cam.lan.$T" A)" "its records left the tenant's primary"
rqa "$TA" DELETE "/v1/zones/$T"
it_status 204 "then the zone"
it_eq 0 "$(fx_psql "SELECT count(*) FROM zones WHERE name = '$T'")" "and it is gone"
fx_outbox_consistent
it_done
