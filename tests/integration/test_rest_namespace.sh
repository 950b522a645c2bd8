#!/bin/bash
# SPDX-License-Identifier: MIT
# Tenant boundaries in the DNS namespace: through REST as two tenants (and
# the operator's CLI), no tenant can take a name the operator serves, nest
# a name above or below another tenant's host, or take names of a zone
# that another account owns inside a shared zone. Every refusal is a clear
# 4xx, stores nothing and leaves DNS as it was. Runs against a private
# BIND (IT_NS=knot: Knot, test_rest_namespace_knot.sh) that holds records
# the operator put there: the NS target, www, a web shop, a delegation
# with glue, and a name below an empty non-terminal.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

IT_NAME_CHECK=dns
IT_ZONES=(dyn.test)
it_setup
if [[ ${IT_NS:-bind} != knot ]]; then
	svc_bind_start "$IT_TMP/ns" dyn.test >/dev/null
	it_on_exit 'svc_bind_stop "$IT_TMP/ns"'
fi
Z=dyn.test
keyname=ddnsd-key
secret=$(awk -F'"' '/secret/ { print $2; exit }' "$DDNS_TSIG_KEY_FILE")
nsupdate -y "hmac-sha256:$keyname:$secret" <<EOF
server 127.0.0.1 $BIND_PORT
zone $Z
update add www.$Z 300 IN A 192.0.2.80
update add shop.$Z 300 IN A 192.0.2.81
update add lab.$Z 300 IN NS ns.lab.$Z
update add ns.lab.$Z 300 IN A 192.0.2.53
update add x.ops.$Z 300 IN A 192.0.2.82
send
EOF
it_eq "192.0.2.81" "$(it_dig "shop.$Z" A)" "the operator's record is in DNS"
snapshot() {
	for n in ns1 www shop ns.lab x.ops; do
		printf '%s=%s;' "$n" "$(it_dig "$n.$Z" A | paste -sd,)"
	done
}
dns_before=$(snapshot)

"$DDNSD" migrate >/dev/null
"$DDNSD" zone add "$Z" --primary "$BIND_PRIMARY" --key "$keyname" >/dev/null
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_SIGNUP=open
PW='tenant password 1'
rest_account bob@example.com "$PW"
rest_account mallory@example.com "$PW"
TB=$(rest_token bob@example.com "$PW" '["read","write"]')
TM=$(rest_token mallory@example.com "$PW" '["read","write"]')
hosts_before=$(fx_psql "SELECT count(*) FROM hosts")

# refused NAME TOKEN STATUS SLUG DETAIL_RE WHY: POST /v1/hosts is refused
# with that problem, and no host row appears.
refused() {
	local n
	rqa "$2" POST /v1/hosts "{\"name\":\"$1\"}"
	it_status "$3" "$6: $1"
	it_eq "https://ddnsd.example/problems/$4" "$(jf .type)" "$6: problem type"
	it_match "$5" "$(jf .detail)" "$6: the detail says why"
	n=$(fx_psql "SELECT count(*) FROM hosts WHERE fqdn = '$1'")
	it_eq 0 "$n" "$6: nothing stored"
}

# --- the operator's names ---------------------------------------------------
refused "ns1.$Z" "$TM" 409 name-in-use "^name: ns1\.$Z is reserved" "the NS target (reserved)"
refused "www.$Z" "$TM" 409 name-in-use "^name: www\.$Z is reserved" "www (reserved)"
refused "ns7.$Z" "$TM" 409 name-in-use "reserved" "ns + digits (reserved)"
refused "shop.$Z" "$TM" 409 name-in-use "^name: already holds records in DNS" "a record the operator serves"
refused "lab.$Z" "$TM" 409 name-in-use "^name: already holds records in DNS" "a delegation"
refused "ops.$Z" "$TM" 409 name-in-use "^name: already holds records in DNS" "an empty non-terminal"
refused "$Z" "$TM" 422 unprocessable "^name: the zone apex" "the apex"
# Without the reserved list the nameserver still has the last word.
out=$(DDNS_RESERVED_NAMES= "$DDNSD" host add "ns1.$Z" --account mallory@example.com 2>&1) && rc=0 || rc=$?
it_eq "2 ddnsd: host ns1.$Z: already holds records in DNS that ddnsd does not manage" "$rc $out" "CLI, empty reserved list: ns1 is in DNS"
out=$(DDNS_RESERVED_NAMES='ns,bad!' "$DDNSD" host add "x.$Z" --account mallory@example.com 2>&1) && rc=0 || rc=$?
it_match "^2 ddnsd: DDNS_RESERVED_NAMES: " "$rc $out" "a bad reserved list is a configuration error"
out=$(DDNS_RESERVED_NAMES='shopx,cam#' "$DDNSD" host add "cam01.$Z" --account mallory@example.com 2>&1) && rc=0 || rc=$?
it_eq "2 ddnsd: host cam01.$Z: cam01.$Z is reserved in $Z" "$rc $out" "CLI and REST use the same rules (an operator list)"

# --- names nest only within one account ------------------------------------
H="home-$FX_ID.$Z"
rqa "$TB" POST /v1/hosts "{\"name\":\"$H\"}"
it_status 201 "bob registers a label"
refused "nas.$H" "$TM" 409 name-in-use "^name: $H belongs to another account" "below another tenant's label"
refused "evil.nas.$H" "$TM" 409 name-in-use "belongs to another account" "deeper below another tenant's label"
refused "a.free-$FX_ID.$Z" "$TM" 422 unprocessable "^name: in a shared zone you register one label" "a deeper name without its label"
rqa "$TB" POST /v1/hosts "{\"name\":\"nas.$H\"}"
it_status 201 "bob creates a name below his own label"
rqa "$TB" POST /v1/hosts "{\"name\":\"cam.nas.$H\"}"
it_status 201 "and below that"
rqa "$TM" PUT "/v1/hosts/$H/acme-challenge" '{"value":"mallory-wants-a-wildcard"}'
it_status 404 "mallory cannot set ACME TXT on bob's label"
# Rows from before these rules (made here with SQL) still hold the line.
bob_id=$(fx_psql "SELECT id FROM accounts WHERE email = 'bob@example.com'")
zid=$(fx_psql "SELECT id FROM zones WHERE name = '$Z'")
fx_psql "INSERT INTO hosts (zone_id, account_id, fqdn) VALUES ($zid, $bob_id, 'deep.old-$FX_ID.$Z')" >/dev/null
refused "old-$FX_ID.$Z" "$TM" 409 name-in-use "^name: deep\.old-$FX_ID\.$Z, a host of another account, is below it" "above another tenant's host"
mal_id=$(fx_psql "SELECT id FROM accounts WHERE email = 'mallory@example.com'")
fx_psql "INSERT INTO hosts (zone_id, account_id, fqdn) VALUES ($zid, $bob_id, 'legacy-$FX_ID.$Z'), ($zid, $mal_id, 'x.legacy-$FX_ID.$Z')" >/dev/null
refused "y.x.legacy-$FX_ID.$Z" "$TM" 409 name-in-use "belongs to another account" "mallory's old row does not make the label hers"

# --- a zone owned by one account inside the shared zone -------------------
C="corp-$FX_ID.$Z"
"$DDNSD" zone add "$C" --primary "$BIND_PRIMARY" --key "$keyname" >/dev/null
fx_psql "UPDATE zones SET owner_account_id = $bob_id WHERE name = '$C'" >/dev/null
refused "www.$C" "$TM" 422 unprocessable "^name: not under a zone this account may use" "another account's zone inside the shared zone"
refused "$C" "$TM" 422 unprocessable "^name: not under a zone this account may use" "that zone's apex, from the shared zone"
rqa "$TB" POST /v1/hosts "{\"name\":\"www.$C\"}"
it_status 201 "the owner takes www in its own zone (no reserved list there)"
rqa "$TB" POST /v1/hosts "{\"name\":\"a.b.$C\"}"
it_status 201 "and any depth"
it_eq "$C" "$(jf .zone)" "in its own zone, not the shared one"

# --- a primary that cannot be asked -----------------------------------------
dead=$(it_free_port)
"$DDNSD" zone add "down-$FX_ID.test" --primary "127.0.0.1:$dead" --key "$keyname" >/dev/null
refused "h.down-$FX_ID.test" "$TM" 503 unavailable "could not be asked whether the name is free" "the zone's primary does not answer"

# Everything refused changed nothing: no row, DNS as the operator left it.
it_eq "$((hosts_before + 8))" "$(fx_psql "SELECT count(*) FROM hosts")" "only the accepted hosts and the SQL rows exist"
it_ok it_wait_dig "$H" A "" 5
sleep 1
it_eq "$dns_before" "$(snapshot)" "the operator's records are unchanged"

# --- ddnsd check: rows from before the rules are reported, not deleted ---
corp_id=$(fx_psql "SELECT id FROM zones WHERE name = '$C'")
fx_psql "INSERT INTO hosts (zone_id, account_id, fqdn) VALUES
	($zid, $mal_id, 'smtp.$Z'), ($corp_id, $mal_id, 'm.$C'),
	($zid, $bob_id, 'h.later-$FX_ID.$Z')" >/dev/null
"$DDNSD" zone add "later-$FX_ID.$Z" --primary "$BIND_PRIMARY" --key "$keyname" >/dev/null
n_hosts=$(fx_psql "SELECT count(*) FROM hosts")
out=$("$DDNSD" check 2>"$IT_TMP/check.err") && rc=0 || rc=$?
it_eq 1 "$rc" "ddnsd check exits 1 when a host breaks the rules"
it_eq "$(printf '%s\n' \
	"h.later-$FX_ID.$Z	bob@example.com	lies in a zone added later inside its own: its records are written to the wrong zone; delete it and create it again" \
	"m.$C	mallory@example.com	is in a zone that another account owns: delete it, or give the zone to the host's account" \
	"deep.old-$FX_ID.$Z	bob@example.com	is below a label of a shared zone that its account does not own: delete it, or let the label's owner create it" \
	"h.later-$FX_ID.$Z	bob@example.com	is below a label of a shared zone that its account does not own: delete it, or let the label's owner create it" \
	"x.legacy-$FX_ID.$Z	mallory@example.com	is below a label of a shared zone that its account does not own: delete it, or let the label's owner create it" \
	"legacy-$FX_ID.$Z	bob@example.com	has another account's host below it: delete one of them" \
	"smtp.$Z	mallory@example.com	uses a reserved label (DDNS_RESERVED_NAMES): delete it, or remove the label from the list")" \
	"$out" "ddnsd check lists each broken row with what to do"
it_eq "ddnsd: check: 7 hosts break the naming rules (nothing was changed)" "$(cat "$IT_TMP/check.err")" "and a summary"
it_eq "$n_hosts" "$(fx_psql "SELECT count(*) FROM hosts")" "ddnsd check deleted nothing"
it_match "^ddnsd: migrate: 7 hosts break the naming rules; ddnsd check lists them" "$("$DDNSD" migrate 2>&1 >/dev/null)" "migrate reports them too"
fx_outbox_consistent
it_done
