#!/bin/bash
# SPDX-License-Identifier: MIT
# A nameserver that accepts the pusher's connection and then says nothing
# holds that push for the whole DDNS_DNS_TIMEOUT_MS (20 s here). Updates
# must not wait for it: the host being pushed takes a new address at once,
# other zones keep flowing (another pusher thread takes them), and once
# the zone points at a working primary the last address arrives. SIGTERM
# during such a push, or during a zone transfer of the periodic reconcile
# from it, exits after DDNS_SHUTDOWN_TIMEOUT.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/faults.sh"

it_setup
fx_base
hole_port=$(it_free_port)
flt_black_hole "$hole_port" "$IT_TMP/hole.log"
fx_psql "UPDATE zones SET primary_ns = '127.0.0.1:$hole_port' WHERE name = 'other.test'" >/dev/null
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_DNS_TIMEOUT_MS=20000

it_eq "200 good 10.6.0.1|" "$(fx_get -u "x:$TOK_B" "/nic/update?hostname=$HOST_B&myip=10.6.0.1")" "first update of the host in the silent zone"
for ((i = 0; i < 100; i++)); do
	[[ ! -s $IT_TMP/hole.log ]] || break
	sleep 0.1
done
it_ok test -s "$IT_TMP/hole.log" # the pusher is now waiting for a reply
sleep 0.5
t0=${EPOCHREALTIME/./}
it_eq "200 good 10.6.0.2|" "$(fx_get -m 10 -u "x:$TOK_B" "/nic/update?hostname=$HOST_B&myip=10.6.0.2")" "an update of the host being pushed does not wait for the nameserver"
t_upd=$(((${EPOCHREALTIME/./} - t0) / 1000))
it_eq "200 good 10.6.0.3|" "$(fx_get -m 10 -u "x:$TOK_A" "/nic/update?hostname=$HOST_A&myip=10.6.0.3")" "another zone: update answered"
t0=${EPOCHREALTIME/./}
it_ok it_wait_dig "$HOST_A" A 10.6.0.3 10 # the stuck exchange lasts 20 s
t_other=$(((${EPOCHREALTIME/./} - t0) / 1000))
it_eq "1" "$(fx_psql "SELECT count(*) FROM hosts WHERE fqdn = '$HOST_B' AND version > pushed_version")" "nothing marked pushed for the silent zone"

# Point the zone at the working primary: after the stuck exchange times
# out (and the zone's backoff), the last address is pushed.
t_fix=${EPOCHREALTIME/./}
fx_psql "UPDATE zones SET primary_ns = '$BIND_PRIMARY' WHERE name = 'other.test'" >/dev/null
it_ok it_wait_dig "$HOST_B" A 10.6.0.2 45
t_rec=$(((${EPOCHREALTIME/./} - t_fix) / 1000))
it_eq "0" "$(fx_psql "SELECT count(*) FROM hosts WHERE version > pushed_version")" "outbox empty"
it_eq "0" "$(fx_psql "SELECT count(*) FROM hosts WHERE push_lease IS NOT NULL")" "no lease left behind"
it_ok _svc_alive "$DDNSD_PID"

# SIGTERM while a push hangs: the exit waits DDNS_SHUTDOWN_TIMEOUT (2 s),
# not the 20 s exchange, and the unfinished change stays pending.
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_DNS_TIMEOUT_MS=20000 DDNS_SHUTDOWN_TIMEOUT=2
fx_psql "UPDATE zones SET primary_ns = '127.0.0.1:$hole_port' WHERE name = 'other.test'" >/dev/null
: >"$IT_TMP/hole.log"
it_eq "200 good 10.6.0.4|" "$(fx_get -u "x:$TOK_B" "/nic/update?hostname=$HOST_B&myip=10.6.0.4")" "an update for the silent zone"
for ((i = 0; i < 100; i++)); do
	[[ ! -s $IT_TMP/hole.log ]] || break
	sleep 0.1
done
it_ok test -s "$IT_TMP/hole.log" # the push is waiting for a reply
t0=${EPOCHREALTIME/./}
it_stop_ddnsd # SIGTERM; SIGKILL after 10 s
t_stop=$(((${EPOCHREALTIME/./} - t0) / 1000))
it_eq 0 "$DDNSD_EXIT" "SIGTERM during a hanging push: exit 0 before the exchange could end"
it_match "a DNS exchange still runs at the shutdown deadline" "$(cat "$IT_TMP/ddnsd.log")" "the abandoned exchange is logged"
it_eq "1" "$(fx_psql "SELECT count(*) FROM hosts WHERE fqdn = '$HOST_B' AND version > pushed_version")" "its change stays pending"

# The same for the periodic reconcile: a zone transfer from the silent
# primary does not hold the exit either. (Nothing is pending, so the
# connection the black hole sees is the transfer's.)
fx_psql "UPDATE hosts SET pushed_version = version" >/dev/null
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_DNS_TIMEOUT_MS=20000 DDNS_SHUTDOWN_TIMEOUT=2 DDNS_RECONCILE_INTERVAL=1
: >"$IT_TMP/hole.log"
for ((i = 0; i < 50; i++)); do
	[[ ! -s $IT_TMP/hole.log ]] || break
	sleep 0.1
done
it_ok test -s "$IT_TMP/hole.log" # the transfer is waiting for an answer
t0=${EPOCHREALTIME/./}
it_stop_ddnsd
t_rstop=$(((${EPOCHREALTIME/./} - t0) / 1000))
it_eq 0 "$DDNSD_EXIT" "SIGTERM during a hanging zone transfer: exit 0"
it_match "a zone transfer still runs at the shutdown deadline" "$(cat "$IT_TMP/ddnsd.log")" "the abandoned transfer is logged"
printf 'figures: update during the stuck push answered in %d ms; another zone in DNS after %d ms; last address in DNS %d ms after the fix; SIGTERM during a stuck push: exit after %d ms, during a stuck transfer: %d ms\n' "$t_upd" "$t_other" "$t_rec" "$t_stop" "$t_rstop"
it_done
