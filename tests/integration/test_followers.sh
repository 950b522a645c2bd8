#!/bin/bash
# SPDX-License-Identifier: MIT
# Hosts that follow a router's prefix: a NAS (REST) and a camera (CLI,
# /56 with its own subnet, no A) behind a FRITZ!Box-like router. Their
# AAAA follows the router through two prefix changes (ip6lanprefix= and
# ipv6prefix=) and through an update without a prefix (the router's own
# AAAA's network); each change is pushed with the router in one DNS
# batch, recorded in each follower's history and costs the router one
# bucket token. Bad input is 422 with the field named and stores nothing;
# a followed host is not deleted (409); reconcile repairs a follower's
# derived record. Results read back from BIND.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

it_setup
fx_base
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_HOST_CHANGE_BURST=10
PW='a long enough password'
rest_account f@example.com "$PW"
TOK=$(rest_token f@example.com "$PW" '["read","write"]')
R="home-f$FX_ID.dyn.test" N="nas-$FX_ID.dyn.test" CAM="cam-$FX_ID.dyn.test"
rqa "$TOK" POST /v1/hosts "{\"name\":\"$R\"}"
it_status 201 "router created"
rqa "$TOK" POST "/v1/hosts/$R/tokens" '{"label":"fritzbox"}'
RT=$(jf .token)
rqa "$TOK" POST /v1/hosts "{\"name\":\"$N\",\"follows\":\"$R\",\"ipv6_iid\":\"::1234:5678:9abc:def0\"}"
it_status 201 "REST: a follower with an interface id"
it_eq "$R|::1234:5678:9abc:def0|64|true|null|null" "$(jf '[.follows, .ipv6_iid, .prefix_len, .ipv4_follows, .ipv4, .ipv6] | map(tostring) | join("|")')" "GET shows what it follows; nothing to derive yet"
it_ok "$DDNSD" host add "$CAM" --account f@example.com --follows "$R" --ipv6-iid ::3:0:0:0:c --prefix-len 56 --no-ipv4-follow
rqa "$TOK" GET "/v1/hosts/$CAM"
it_eq "$R|::3:0:0:0:c|56|false" "$(jf '[.follows, .ipv6_iid, .prefix_len, .ipv4_follows] | map(tostring) | join("|")')" "CLI: --follows --ipv6-iid --prefix-len --no-ipv4-follow"

metric() { curl -s "$DDNS_URL/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
bucket() { fx_psql "SELECT coalesce(round(bucket_tokens)::text, 'unused') FROM hosts WHERE fqdn = '$1' AND deleted_at IS NULL"; }
follow_events() { fx_psql "SELECT count(*) FROM host_events e JOIN hosts h ON h.id = e.host_id WHERE h.fqdn = '$1' AND e.via = 'follow'"; }
settle() { # wait until every host of the account is pushed
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version") == 0 ]] && return 0
		sleep 0.1
	done
	return 1
}

# --- the router sends its prefix (FRITZ!Box) ----------------------------------
it_eq "200 good 203.0.113.10,2001:db8:1:200::1|" "$(fx_get -u "$R:$RT" -A 'Fritz!Box DDNS/1.0.1' "/nic/update?hostname=$R&myip=203.0.113.10,2001:db8:1:200::1&ip6lanprefix=2001:db8:1:200::/56")" "router update with ip6lanprefix"
it_ok it_wait_dig "$N" AAAA 2001:db8:1:200:1234:5678:9abc:def0
it_ok it_wait_dig "$N" A 203.0.113.10
it_ok it_wait_dig "$CAM" AAAA 2001:db8:1:203::c
it_eq "" "$(it_dig "$CAM" A)" "ipv4_follows false: no A record"
rqa "$TOK" GET "/v1/hosts/$R"
it_eq "2001:db8:1:200::/56|2" "$(jf '"\(.lan_prefix)|\(.followers)"')" "the router: its LAN prefix and two followers"
it_ok settle

# --- prefix change 1 (ip6lanprefix=), one batch, one bucket token -------------
b0=$(metric 'ddnsd_dns_push_batches_total{outcome="ok"}') c0=$(metric 'ddnsd_dns_push_changes_total{outcome="ok"}')
it_eq "200 good 203.0.113.10,2001:db8:2:300::1|" "$(fx_get -u "$R:$RT" "/nic/update?hostname=$R&myip=203.0.113.10,2001:db8:2:300::1&ip6lanprefix=2001:db8:2:300::/56")" "the ISP changes the prefix"
it_ok it_wait_dig "$N" AAAA 2001:db8:2:300:1234:5678:9abc:def0
it_ok it_wait_dig "$CAM" AAAA 2001:db8:2:303::c
it_ok settle
it_eq "1 3" "$(($(metric 'ddnsd_dns_push_batches_total{outcome="ok"}') - b0)) $(($(metric 'ddnsd_dns_push_changes_total{outcome="ok"}') - c0))" "router and followers: one UPDATE message, three changes"
it_eq "8|unused|unused" "$(bucket "$R")|$(bucket "$N")|$(bucket "$CAM")" "two router changes took two of its tokens, none of the followers'"
it_eq "2|2" "$(follow_events "$N")|$(follow_events "$CAM")" "each follower's history records each change"

# --- prefix change 2 (ipv6prefix=, dynv6's name) -------------------------------
it_eq "200 good 203.0.113.12|" "$(fx_get -u "$R:$RT" "/nic/update?hostname=$R&myip=203.0.113.12&ipv6prefix=2001:db8:3:400::/56")" "ipv6prefix= and a new IPv4"
it_ok it_wait_dig "$N" AAAA 2001:db8:3:400:1234:5678:9abc:def0
it_ok it_wait_dig "$N" A 203.0.113.12
it_ok it_wait_dig "$CAM" AAAA 2001:db8:3:403::c
it_eq "" "$(it_dig "$CAM" A)" "the camera still has no A"
it_eq "200 nochg 203.0.113.12|" "$(fx_get -u "$R:$RT" "/nic/update?hostname=$R&myip=203.0.113.12&ipv6prefix=2001:db8:3:400::/56")" "the same again: nochg"

# --- no prefix sent: the router's own AAAA's network ---------------------------
it_eq "200 good 203.0.113.12|" "$(fx_get -u "$R:$RT" "/nic/update?hostname=$R&myip=203.0.113.12")" "an update without a prefix clears it"
it_ok it_wait_dig "$N" AAAA 2001:db8:2:300:1234:5678:9abc:def0
rqa "$TOK" GET "/v1/hosts/$R"
it_eq "null" "$(jf .lan_prefix)" "no LAN prefix stored"
it_eq "200 good 2001:db8:5:500::1|" "$(fx_get -u "$R:$RT" "/nic/update?hostname=$R&myip=,2001:db8:5:500::1")" "the router's own AAAA changes"
it_ok it_wait_dig "$N" AAAA 2001:db8:5:500:1234:5678:9abc:def0
it_ok it_wait_dig "$CAM" AAAA 2001:db8:5:503::c
it_eq "203.0.113.12" "$(it_dig "$N" A)" "the NAS keeps the router's IPv4"

# --- REST changes of the router re-derive too ----------------------------------
rqa "$TOK" PATCH "/v1/hosts/$R" '{"ipv4":"198.51.100.30"}'
it_status 200 "PATCH the router's ipv4"
it_ok it_wait_dig "$N" A 198.51.100.30
rqa "$TOK" PATCH "/v1/hosts/$N" '{"prefix_len":48,"ipv6_iid":"::77:0:0:0:9"}'
it_status 200 "PATCH the follower's prefix length and interface id"
it_eq "2001:db8:5:77::9" "$(jf .ipv6)" "derived at once"
it_ok it_wait_dig "$N" AAAA 2001:db8:5:77::9

# --- a follower's own update only sets what is its own -------------------------
rqa "$TOK" POST "/v1/hosts/$CAM/tokens" '{"label":"cam"}'
CT=$(jf .token)
it_eq "200 good 192.0.2.44|" "$(fx_get -u "$CAM:$CT" "/nic/update?myip=192.0.2.44,2001:db8::44")" "the camera sets its own A; its AAAA stays derived"
it_ok it_wait_dig "$CAM" A 192.0.2.44
it_eq "2001:db8:5:503::c" "$(it_dig "$CAM" AAAA)" "derived AAAA kept"

# --- bad input: 422 naming the field, nothing stored ---------------------------
X="x-$FX_ID.dyn.test"
before=$(fx_psql "SELECT count(*) FROM hosts")
check422() { # BODY FIELD MSG
	rq_invalid "invalid on purpose" rqa "$TOK" POST /v1/hosts "$1"
	it_eq "422" "$RQ_STATUS" "$3"
	it_match "^$2: " "$(jf .detail)" "$3: the detail names $2"
}
check422 "{\"name\":\"$X\",\"follows\":\"nothere-$FX_ID.dyn.test\"}" follows "unknown router"
check422 "{\"name\":\"$X\",\"follows\":\"$HOST_B\"}" follows "another account's host is unknown"
check422 "{\"name\":\"$X\",\"follows\":\"$N\"}" follows "a follower of a follower"
check422 "{\"name\":\"$X\",\"follows\":\"$R\",\"ipv6_iid\":\"zz::1::2\"}" ipv6_iid "an interface id that does not parse"
check422 "{\"name\":\"$X\",\"follows\":\"$R\",\"prefix_len\":0}" prefix_len "prefix length 0"
check422 "{\"name\":\"$X\",\"follows\":\"$R\",\"prefix_len\":128}" prefix_len "prefix length 128"
check422 "{\"name\":\"$X\",\"ipv6_iid\":\"::1\"}" follows "an interface id without follows"
it_eq "$before" "$(fx_psql "SELECT count(*) FROM hosts")" "nothing stored"
rqa "$TOK" PATCH "/v1/hosts/$R" "{\"follows\":\"$N\"}"
it_eq "422 follows" "$RQ_STATUS $(jf '.detail | split(":")[0]')" "a followed router cannot follow"
rqa "$TOK" PATCH "/v1/hosts/$N" '{"ipv6":"2001:db8::1"}'
it_eq "422 ipv6" "$RQ_STATUS $(jf '.detail | split(":")[0]')" "a follower's AAAA is not its own to set"
rqa "$TOK" PATCH "/v1/hosts/$N" "{\"follows\":\"$N\"}"
it_eq "422" "$RQ_STATUS" "a host cannot follow itself"
out=$("$DDNSD" host add "$X" --account f@example.com --follows "$N" 2>&1) && rc=0 || rc=$?
it_match "^2 ddnsd: host $X: follows: " "$rc $out" "CLI: a follower of a follower"
out=$("$DDNSD" host add "$X" --account f@example.com --prefix-len 64 2>&1) && rc=0 || rc=$?
it_match "^2 " "$rc $out" "CLI: --prefix-len without --follows"

# --- a followed host is not deleted --------------------------------------------
rqa "$TOK" DELETE "/v1/hosts/$R"
it_eq "409" "$RQ_STATUS" "DELETE a followed router: 409"
it_eq "followed by $CAM, $N" "$(jf .detail)" "the 409 names the followers"
out=$("$DDNSD" host delete "$R" 2>&1) && rc=0 || rc=$?
it_eq "2 ddnsd: host $R: followed by $CAM, $N" "$rc $out" "CLI: the same"
it_ok it_wait_dig "$R" A 198.51.100.30

# --- reconcile knows a follower's derived records ------------------------------
it_ok settle
nsupdate -k "$DDNS_TSIG_KEY_FILE" <<-NSU
	server 127.0.0.1 $BIND_PORT
	zone dyn.test
	update delete $N AAAA
	update delete $CAM AAAA
	update add $CAM 60 AAAA 2001:db8:bad::c
	send
NSU
it_ok it_wait_dig "$N" AAAA ""
out=$("$DDNSD" reconcile --zone dyn.test 2>/dev/null)
it_match "2 differ" "$out" "reconcile sees both followers differ"
it_ok it_wait_dig "$N" AAAA 2001:db8:5:77::9
it_ok it_wait_dig "$CAM" AAAA 2001:db8:5:503::c

# --- the setup profile of a router with followers sends its prefix ------------
rqa "$TOK" GET "/v1/hosts/$R/setup"
it_match '&ip6lanprefix=<ip6lanprefix>' "$(jf '.items[] | select(.client == "fritzbox") | .config')" "FRITZ!Box profile of a followed router"
rqa "$TOK" GET "/v1/hosts/$N/setup"
it_eq "false" "$(jf '.items[] | select(.client == "fritzbox") | .config | contains("ip6lanprefix")')" "not for a host without followers"

# --- stop following: the addresses stay as its own -----------------------------
rqa "$TOK" PATCH "/v1/hosts/$N" '{"follows":null}'
it_eq "200 null 2001:db8:5:77::9" "$RQ_STATUS $(jf .follows) $(jf .ipv6)" "follows null keeps the last addresses"
it_eq "200 good 2001:db8:6:600::1|" "$(fx_get -u "$R:$RT" "/nic/update?hostname=$R&myip=,2001:db8:6:600::1")" "router changes again"
it_ok it_wait_dig "$CAM" AAAA 2001:db8:6:603::c
it_eq "2001:db8:5:77::9" "$(it_dig "$N" AAAA)" "the former follower is left alone"
rqa "$TOK" DELETE "/v1/hosts/$CAM"
it_status 204 "the last follower deleted"
rqa "$TOK" DELETE "/v1/hosts/$R"
it_status 204 "then the router can go"
fx_outbox_consistent
it_done
