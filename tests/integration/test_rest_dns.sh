#!/bin/bash
# SPDX-License-Identifier: MIT
# The issue's "done when", read back from BIND: an account is created, a
# token minted, a host created and given a router token, updated by
# /nic/update and by PATCH, its history read, an ACME TXT record set and
# removed, the host deleted (its records leave DNS) and its name taken
# again; the operator CLI lists and deletes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

it_setup
fx_base
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_SIGNUP=open
PW='a long enough password'
H="web-$FX_ID.dyn.test"
ACME="_acme-challenge.$H"

rq POST /v1/accounts -H 'Content-Type: application/json' --data-binary "{\"email\":\"dns@example.com\",\"password\":\"$PW\"}"
it_status 201 "signup"
TOK=$(rest_token dns@example.com "$PW" '["read","write"]')
rqa "$TOK" POST /v1/hosts "{\"name\":\"$H\",\"ttl\":120}"
it_status 201 "host created"
rqa "$TOK" POST "/v1/hosts/$H/tokens" '{"label":"router"}'
it_status 201 "router token"
ROUTER=$(jf .token)

# /nic/update with the new token
it_eq "200 good 203.0.113.10|" "$(fx_get -u "$H:$ROUTER" "/nic/update?hostname=$H&myip=203.0.113.10")" "router updates via /nic/update"
it_ok it_wait_dig "$H" A 203.0.113.10
ttl=$(dig +noall +answer +tcp @127.0.0.1 -p "$BIND_PORT" "$H" A | awk '{print $2}')
it_eq 120 "$ttl" "the host's TTL from the REST create"
wait_pushed() {
	local i
	for ((i = 0; i < 100; i++)); do
		rqa "$TOK" GET "/v1/hosts/$H"
		[[ $(jf .dns.pushed) == true ]] && return 0
		sleep 0.1
	done
	return 1
}
it_ok wait_pushed

# PATCH: both families, TTL; then clear one, offline and back
rqa "$TOK" PATCH "/v1/hosts/$H" '{"ipv4":"198.51.100.20","ipv6":"2001:db8::20","ttl":300}'
it_status 200 "PATCH both addresses and TTL"
it_ok it_wait_dig "$H" A 198.51.100.20
it_ok it_wait_dig "$H" AAAA 2001:db8::20
ttl=$(dig +noall +answer +tcp @127.0.0.1 -p "$BIND_PORT" "$H" AAAA | awk '{print $2}')
it_eq 300 "$ttl" "PATCHed TTL in DNS"
rqa "$TOK" PATCH "/v1/hosts/$H" '{"ipv6":null}'
it_status 200 "PATCH ipv6 null"
it_ok it_wait_dig "$H" AAAA ""
it_eq 198.51.100.20 "$(it_dig "$H" A)" "clearing IPv6 keeps A"
rqa "$TOK" PATCH "/v1/hosts/$H" '{"offline":true}'
it_ok it_wait_dig "$H" A ""
rqa "$TOK" PATCH "/v1/hosts/$H" '{"offline":false}'
it_ok it_wait_dig "$H" A 198.51.100.20
it_ok wait_pushed
it_eq "true" "$(jf .dns.pushed)" "dns.pushed once the pusher is done"

# history: both paths recorded, newest first
rqa "$TOK" GET "/v1/hosts/$H/events"
it_eq "api api api api nic/update" "$(jf '[.items[].via]|join(" ")')" "REST and /nic/update changes in the history"
it_eq "good|198.51.100.20" "$(jf '.items[0]|"\(.result)|\(.ipv4)"')" "newest first"

# A PATCH that changes nothing: no new version, nothing to push, nochg
ver=$(fx_psql "SELECT version || '/' || pushed_version FROM hosts WHERE fqdn = '$H'")
rqa "$TOK" PATCH "/v1/hosts/$H" '{"ipv4":"198.51.100.20","offline":false}'
it_status 200 "PATCH with the stored values"
it_eq "$ver" "$(fx_psql "SELECT version || '/' || pushed_version FROM hosts WHERE fqdn = '$H'")" "no new version, nothing waits for DNS"
it_eq "true" "$(jf .dns.pushed)" "still pushed"
rqa "$TOK" GET "/v1/hosts/$H/events?limit=1"
it_eq "nochg|198.51.100.20" "$(jf '.items[0]|"\(.result)|\(.ipv4)"')" "recorded as nochg"

# ACME: TXT at _acme-challenge, with the account token and the router token
rqa "$TOK" PUT "/v1/hosts/$H/acme-challenge" '{"value":"first-challenge-value"}'
it_status 204 "PUT challenge"
it_ok it_wait_dig "$ACME" TXT '"first-challenge-value"'
rqa "$ROUTER" PUT "/v1/hosts/$H/acme-challenge" '{"value":"second value"}'
it_status 204 "PUT with the host's own token"
it_ok it_wait_dig "$ACME" TXT $'"first-challenge-value"\n"second value"'
it_eq 198.51.100.20 "$(it_dig "$H" A)" "A untouched by ACME"
it_eq "200 good 203.0.113.11|" "$(fx_get -u "$H:$ROUTER" "/nic/update?myip=203.0.113.11")" "an address update ..."
it_ok it_wait_dig "$H" A 203.0.113.11
it_eq $'"first-challenge-value"\n"second value"' "$(it_dig "$ACME" TXT)" "... keeps the TXT records"
rqa "$TOK" DELETE "/v1/hosts/$H/acme-challenge"
it_status 204 "DELETE challenge"
it_ok it_wait_dig "$ACME" TXT ""
rqa "$TOK" GET "/v1/hosts/$H/events?limit=2"
it_eq "acme-challenge cleared|api" "$(jf '.items[0]|"\(.result)|\(.via)"')" "ACME changes in the history too"

# delete: records leave DNS, the row leaves the table, the name is free
rqa "$TOK" PATCH "/v1/hosts/$H" '{"ipv6":"2001:db8::21"}'
rqa "$TOK" PUT "/v1/hosts/$H/acme-challenge" '{"value":"left-over"}'
it_ok it_wait_dig "$ACME" TXT '"left-over"'
it_ok it_wait_dig "$H" AAAA 2001:db8::21
rqa "$TOK" DELETE "/v1/hosts/$H"
it_status 204 "DELETE host"
it_ok it_wait_dig "$H" A ""
it_ok it_wait_dig "$H" AAAA ""
it_ok it_wait_dig "$ACME" TXT ""
it_eq "401 badauth|" "$(fx_get -u "$H:$ROUTER" "/nic/update?myip=203.0.113.12")" "the deleted host's token is dead"
gone() { [[ $(fx_psql "SELECT count(*) FROM hosts WHERE fqdn = '$H'") == 0 ]]; }
wait_gone() { local i; for ((i = 0; i < 100; i++)); do gone && return 0; sleep 0.1; done; return 1; }
it_ok wait_gone
rqa "$TOK" POST /v1/hosts "{\"name\":\"$H\"}"
it_status 201 "the name again"
rqa "$TOK" PATCH "/v1/hosts/$H" '{"ipv4":"192.0.2.99"}'
it_ok it_wait_dig "$H" A 192.0.2.99

# a deleted host is re-creatable even before the pusher ran
it_stop_ddnsd
"$DDNSD" host delete "$H" >/dev/null
it_eq 1 "$(fx_psql "SELECT count(*) FROM hosts WHERE fqdn = '$H' AND deleted_at IS NOT NULL")" "CLI delete leaves a tombstone until pushed"
"$DDNSD" host add "$H" --account dns@example.com >/dev/null
it_eq 2 "$(fx_psql "SELECT count(*) FROM hosts WHERE fqdn = '$H'")" "tombstone and new host side by side"
it_ok "$DDNSD" push
it_eq 1 "$(fx_psql "SELECT count(*) FROM hosts WHERE fqdn = '$H'")" "the tombstone is gone after the push"
it_eq "" "$(it_dig "$H" A)" "the new host starts without the old records"

# operator CLI
out=$("$DDNSD" account list)
it_match $'dns@example.com\t1/20 hosts' "$out" "account list"
out=$("$DDNSD" host list --account dns@example.com)
it_match "^$H"$'\tdns@example.com\t-\t-\tpushed' "$out" "host list"
out=$("$DDNSD" account delete dns@example.com 2>&1) && rc=0 || rc=$?
it_match "^2 .*still owns hosts" "$rc $out" "an account with hosts is not deleted"
it_ok "$DDNSD" host delete "$H"
it_ok "$DDNSD" push
it_ok "$DDNSD" account delete dns@example.com
it_eq 0 "$(fx_psql "SELECT count(*) FROM accounts WHERE email = 'dns@example.com'")" "account gone"
it_eq 0 "$(fx_psql "SELECT count(*) FROM api_tokens")" "with its tokens"
out=$("$DDNSD" host delete "nothere.dyn.test" 2>&1) && rc=0 || rc=$?
it_match "^2 .*not found" "$rc $out" "deleting an unknown host"
it_done
