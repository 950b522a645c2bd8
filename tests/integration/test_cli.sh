#!/bin/bash
# SPDX-License-Identifier: MIT
# The operator CLI: migrations, configuration errors, zone/account/host/
# token creation and their validation.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup

# --- configuration errors: one line naming the variable, exit 2 -----------
out=$(env -u DDNS_DATABASE_URL "$DDNSD" migrate 2>&1) && rc=0 || rc=$?
it_eq 2 "$rc" "missing DDNS_DATABASE_URL exits 2"
it_match "^ddnsd: DDNS_DATABASE_URL: " "$out" "the error names DDNS_DATABASE_URL"
it_eq 1 "$(printf '%s\n' "$out" | wc -l)" "the error is one line"
out=$(env -u DDNS_TSIG_KEY_FILE "$DDNSD" serve 2>&1) && rc=0 || rc=$?
it_eq "2 ddnsd: DDNS_TSIG_KEY_FILE: not set (path of a BIND-style TSIG key file)" "$rc $out" "serve without a key file"
out=$(DDNS_TSIG_KEY_FILE=/nonexistent "$DDNSD" serve 2>&1) && rc=0 || rc=$?
it_match "^2 ddnsd: DDNS_TSIG_KEY_FILE: /nonexistent" "$rc $out" "unreadable key file"
printf 'key "x" { algorithm hmac-md5; secret "AAAA"; };\n' >"$IT_TMP/bad.key"
out=$(DDNS_TSIG_KEY_FILE=$IT_TMP/bad.key "$DDNSD" serve 2>&1) && rc=0 || rc=$?
it_match "^2 ddnsd: DDNS_TSIG_KEY_FILE: " "$rc $out" "unsupported key algorithm"
for v in "localhost:80" "127.0.0.1" "127.0.0.1:0" "127.0.0.1:70000" "[::1]:x"; do
	out=$(DDNS_LISTEN=$v "$DDNSD" serve 2>&1) && rc=0 || rc=$?
	it_match "^2 ddnsd: DDNS_LISTEN: " "$rc $out" "DDNS_LISTEN=$v refused"
done
out=$(DDNS_PUSH_BATCH=abc "$DDNSD" migrate 2>&1) && rc=0 || rc=$?
it_match "^2 ddnsd: DDNS_PUSH_BATCH: " "$rc $out" "non-numeric DDNS_PUSH_BATCH"
out=$(DDNS_DATABASE_URL="postgresql://nobody@127.0.0.1:1/none" "$DDNSD" migrate 2>&1) && rc=0 || rc=$?
it_eq 1 "$rc" "unreachable database: exit 1"

# --- migrations -------------------------------------------------------------
"$DDNSD" migrate >"$IT_TMP/m1" 2>&1 & p1=$!
"$DDNSD" migrate >"$IT_TMP/m2" 2>&1 & p2=$!
wait $p1 && wait $p2 && rc=0 || rc=$?
it_eq 0 "$rc" "two migrate runs at once both succeed"
nmig=$(ls "$DDNS_SOURCE_DIR"/migrations/*.sql | wc -l)
it_eq 1 "$(cat "$IT_TMP/m1" "$IT_TMP/m2" | grep -c "^migrations: $nmig applied")" "exactly one of them applied the migrations"
it_match "^migrations: 0 applied" "$("$DDNSD" migrate 2>&1)" "a third run is a no-op"
it_eq "$nmig" "$(fx_psql "SELECT count(*) FROM schema_migrations")" "one row per migration"

# --- zones, accounts, hosts, tokens -----------------------------------------
it_ok "$DDNSD" zone add Dyn.Test. --primary "$BIND_PRIMARY" --key ddnsd-key --ttl 120
it_eq "dyn.test|120" "$(fx_psql "SELECT name || '|' || default_ttl FROM zones")" "zone name normalised, TTL kept"
out=$("$DDNSD" zone add dyn.test --primary "$BIND_PRIMARY" --key ddnsd-key 2>&1) && rc=0 || rc=$?
it_eq "2 ddnsd: zone dyn.test: already exists" "$rc $out" "duplicate zone"
it_fail "$DDNSD" zone add bad..zone --primary "$BIND_PRIMARY" --key k
it_fail "$DDNSD" zone add ok.test --primary nameserver.example:53 --key k
it_fail "$DDNSD" zone add ok.test --primary "$BIND_PRIMARY"
it_fail "$DDNSD" zone add ok.test --primary "$BIND_PRIMARY" --key k --ttl 0

printf 'correct horse battery\n' | it_ok "$DDNSD" account add Owner@Example.com --password-stdin
it_match '^\$argon2id\$' "$(fx_psql "SELECT password_hash FROM accounts")" "password stored as argon2id"
it_fail "$DDNSD" account add owner@example.com
printf 'short\n' | it_fail "$DDNSD" account add x@example.com --password-stdin
it_fail "$DDNSD" account add not-an-email

it_ok "$DDNSD" host add Web.Dyn.Test --account owner@example.com
it_eq "web.dyn.test|120" "$(fx_psql "SELECT fqdn || '|' || ttl FROM hosts")" "host normalised, zone TTL"
out=$("$DDNSD" host add web.nowhere.test --account owner@example.com 2>&1) && rc=0 || rc=$?
it_match "^2 ddnsd: host web.nowhere.test: not under a zone this account may use" "$rc $out" "host outside every zone"
it_fail "$DDNSD" host add dyn.test --account owner@example.com
it_fail "$DDNSD" host add web.dyn.test --account owner@example.com
it_fail "$DDNSD" host add x.dyn.test --account nobody@example.com

# zone list / zone set: an operator moves a zone to another primary and key
it_eq "dyn.test	$BIND_PRIMARY	key ddnsd-key	ttl 120	1 hosts	1 pending" "$("$DDNSD" zone list)" "zone list: primary, key, TTL, hosts, pending"
out=$("$DDNSD" zone set dyn.test --primary 127.0.0.1:5353 --key other-key)
it_match "^zone dyn.test changed" "$out" "zone set reports the change"
it_match "run ddnsd reconcile --zone dyn.test" "$out" "and, for a new primary, how to fill it"
it_eq "127.0.0.1:5353|other-key|120" "$(fx_psql "SELECT primary_ns || '|' || tsig_key || '|' || default_ttl FROM zones")" "primary and key changed, TTL kept"
it_ok "$DDNSD" zone set Dyn.Test. --primary "$BIND_PRIMARY" --key ddnsd-key --ttl 300
it_eq "$BIND_PRIMARY|ddnsd-key|300" "$(fx_psql "SELECT primary_ns || '|' || tsig_key || '|' || default_ttl FROM zones")" "set back, new TTL"
out=$("$DDNSD" zone set nowhere.test --ttl 60 2>&1) && rc=0 || rc=$?
it_eq "2 ddnsd: zone nowhere.test: not found" "$rc $out" "zone set on an unknown zone"
for bad in "" "--primary nameserver.example:53" "--key" "--key 'a b'" "--ttl 0" "--ttl 86401" "--bogus 1"; do
	eval "set -- $bad"
	out=$("$DDNSD" zone set dyn.test "$@" 2>&1) && rc=0 || rc=$?
	it_eq 2 "$rc" "zone set refuses '$bad' ($out)"
done
it_eq "$BIND_PRIMARY|ddnsd-key|300" "$(fx_psql "SELECT primary_ns || '|' || tsig_key || '|' || default_ttl FROM zones")" "refused changes changed nothing"
fx_psql "UPDATE zones SET default_ttl = 120" >/dev/null

# account set: an operator changes an account's host limit without SQL
it_eq "account Owner@Example.com may now have 1 hosts" "$("$DDNSD" account set Owner@Example.com --max-hosts 1)" "account set --max-hosts"
out=$("$DDNSD" host add second.dyn.test --account owner@example.com 2>&1) && rc=0 || rc=$?
it_eq "2 ddnsd: host second.dyn.test: the account already has its maximum number of hosts (accounts.max_hosts)" "$rc $out" "the lowered limit holds"
for bad in "" "--max-hosts" "--max-hosts -1" "--max-hosts 1000001" "--max-hosts 5x" "--bogus 1"; do
	eval "set -- $bad"
	out=$("$DDNSD" account set owner@example.com "$@" 2>&1) && rc=0 || rc=$?
	it_eq 2 "$rc" "account set refuses '$bad' ($out)"
done
out=$("$DDNSD" account set nobody@example.com --max-hosts 5 2>&1) && rc=0 || rc=$?
it_eq "2 ddnsd: account nobody@example.com: not found" "$rc $out" "account set on an unknown account"
it_ok "$DDNSD" account set owner@example.com --max-hosts 50
it_eq "50" "$(fx_psql "SELECT max_hosts FROM accounts WHERE email = 'Owner@Example.com'")" "the new limit is stored"
it_ok "$DDNSD" host add second.dyn.test --account owner@example.com
it_ok "$DDNSD" host delete second.dyn.test

out=$("$DDNSD" token add web.dyn.test --label "living room")
tok=$(printf '%s\n' "$out" | tail -n 1)
it_match '^ddh_[a-z2-7]{20}_[A-Za-z0-9_-]{43}$' "$tok" "token alone on the last line"
it_eq 1 "$(printf '%s\n' "$out" | grep -c -F "$tok")" "token printed once"
pub=$(cut -d_ -f2 <<<"$tok")
secret=${tok#ddh_*_}
it_eq "living room|32" "$(fx_psql "SELECT label || '|' || length(secret_hash) FROM host_tokens WHERE public_id = '$pub'")" "only a 32-byte hash is stored"
# The dump on its own: a failed pg_dump (empty output) must not pass as
# "nowhere".
dump_rc=0
pg_dump -a "$DDNS_DATABASE_URL" >"$IT_TMP/dump.sql" 2>"$IT_TMP/dump.err" || dump_rc=$?
dump_err=$(head -c 300 "$IT_TMP/dump.err" | tr '\n' ' ')
it_eq "0" "$dump_rc${dump_err:+: $dump_err}" "pg_dump of the database succeeded"
it_match "COPY public\.host_tokens .*public_id" "$(grep '^COPY ' "$IT_TMP/dump.sql" || true)" "the dump holds the host_tokens table"
it_match "^[1-9][0-9]*$" "$(grep -c -F -e "$pub" "$IT_TMP/dump.sql" || true)" "the dump holds the token's row (its public id)"
it_eq 0 "$(grep -c -F -e "$secret" "$IT_TMP/dump.sql" || true)" "the secret is nowhere in the database"
it_fail "$DDNSD" token add nothere.dyn.test
it_fail "$DDNSD" token add web.dyn.test --label $'bad\001label'

# token list / delete: an operator revokes a leaked token without SQL
it_match "^$pub	living room	created [0-9T:-]+Z	last used never$" "$("$DDNSD" token list Web.Dyn.Test)" "token list: id, label, created, last use; never the secret"
it_eq 0 "$("$DDNSD" token list web.dyn.test | grep -c -F -e "$secret" || true)" "no secret in the list"
it_start_ddnsd
it_eq "200 good 192.0.2.99|" "$(fx_get -u "web.dyn.test:$tok" "/nic/update?hostname=web.dyn.test&myip=192.0.2.99")" "the token works"
it_match "^token $pub of web.dyn.test deleted" "$("$DDNSD" token delete web.dyn.test "$pub")" "token delete"
it_eq "401 badauth|" "$(fx_get -u "web.dyn.test:$tok" "/nic/update?hostname=web.dyn.test&myip=192.0.2.98")" "a deleted token stops working at once"
it_eq "" "$("$DDNSD" token list web.dyn.test)" "and is gone from the list"
out=$("$DDNSD" token delete web.dyn.test "$pub" 2>&1) && rc=0 || rc=$?
it_eq "2 ddnsd: token $pub: not found" "$rc $out" "deleting it again"
out=$("$DDNSD" token list nothere.dyn.test 2>&1) && rc=0 || rc=$?
it_eq "2 ddnsd: host nothere.dyn.test: not found" "$rc $out" "token list of an unknown host"
it_fail "$DDNSD" token delete web.dyn.test
it_eq 2 "$("$DDNSD" frobnicate >/dev/null 2>&1; echo $?)" "unknown command exits 2"
it_eq "0 every host follows the naming rules" "$(out=$("$DDNSD" check) && echo "0 $out")" "ddnsd check on a clean database"
it_done
