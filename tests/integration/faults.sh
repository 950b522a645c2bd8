# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Helpers for the fault tests (test_fault_*.sh, test_ns_outage.sh), on top of
# lib.sh and fixtures.sh: many hosts, a background stream of updates that
# records every answer, and the check that every `good` reached DNS.
#
#   flt_hosts N               hosts f0..f(N-1)-$FX_ID.dyn.test with tokens
#                             (arrays FLT_NAMES, FLT_TOKS)
#   flt_writer_start URLFILE  background loop: round r gives host i the
#                             address 10.<r/256>.<r%256>.<i>, sent to the URL
#                             read from URLFILE before each request; appends
#                             "try I ADDR" and "res I ADDR HTTP BODY" lines to
#                             $IT_TMP/writer.log
#   flt_writer_stop           ends the loop after its current request
#   flt_goods                 how many `good` answers the writer has had
#   flt_wait_goods [TIMEOUT_S] waits until every host was answered `good`
#   flt_check_dns [TIMEOUT_S] every host was answered `good` at least once, and
#                             ends up with its last `good` address (or the
#                             address of a later request whose answer was
#                             lost: it may have committed); two assertions
#   flt_lock TABLE MODE       a psql session holds TABLE in MODE (ACCESS
#                             EXCLUSIVE, SHARE, ...) until flt_unlock; returns
#                             once the lock is granted
#   flt_unlock                ends it (ROLLBACK), also when PostgreSQL is gone
#   flt_wait_inflight N       until N requests besides /metrics itself are in
#                             flight in ddnsd
#   flt_pg_gone_mid_group TABLE MODE FIRST LAST NET
#                             /nic/update for hosts FIRST..LAST-1 (myip
#                             NET.I) wait in ddnsd behind a lock on TABLE in
#                             MODE; the test's private PostgreSQL
#                             ($IT_TMP/pg) is stopped at once under them;
#                             asserts that each answers 911 (HTTP 503)
#   flt_black_hole PORT [LOG] a nameserver that accepts TCP on 127.0.0.1:PORT
#                             and never reads or answers; appends a line to
#                             LOG per connection; FLT_HOLE_PID

# flt_hosts N
flt_hosts() {
	local i
	FLT_N=$1
	FLT_NAMES=() FLT_TOKS=()
	fx_psql "UPDATE accounts SET max_hosts = 1000 WHERE email = 'a@example.com'" >/dev/null
	for ((i = 0; i < FLT_N; i++)); do
		FLT_NAMES[i]="f$i-$FX_ID.dyn.test"
		"$DDNSD" host add "${FLT_NAMES[i]}" --account a@example.com >/dev/null
		FLT_TOKS[i]=$(fx_token "${FLT_NAMES[i]}")
	done
}

_flt_writer() {
	local urlfile=$1 log=$IT_TMP/writer.log r=0 i addr res url
	while [[ ! -e $IT_TMP/writer.stop ]]; do
		r=$((r + 1))
		for ((i = 0; i < FLT_N; i++)); do
			[[ ! -e $IT_TMP/writer.stop ]] || break
			addr="10.$((r / 256 % 256)).$((r % 256)).$i"
			url=$(cat "$urlfile")
			printf 'try %s %s\n' "$i" "$addr" >>"$log"
			res=$(curl -s -m 5 -u "x:${FLT_TOKS[i]}" -w ' %{http_code}' \
				"$url/nic/update?hostname=${FLT_NAMES[i]}&myip=$addr" 2>/dev/null) || true
			printf 'res %s %s %s\n' "$i" "$addr" "$(printf '%s' "$res" | tr '\n' ' ')" >>"$log"
		done
	done
}

# flt_writer_start URLFILE
flt_writer_start() {
	rm -f "$IT_TMP/writer.stop" "$IT_TMP/writer.log"
	: >"$IT_TMP/writer.log"
	_flt_writer "$1" </dev/null >/dev/null 2>&1 &
	FLT_WRITER_PID=$!
	it_on_exit 'touch "$IT_TMP/writer.stop"; kill "$FLT_WRITER_PID" 2>/dev/null'
}

flt_writer_stop() {
	touch "$IT_TMP/writer.stop"
	wait "$FLT_WRITER_PID" 2>/dev/null || true
}

# Prints per host: "I GOOD ALT..." (ALT: later addresses without an answer).
_flt_expect() {
	awk '
		$1 == "res" && $4 ~ /^good/ && $NF == "200" { good[$2] = $3; alt[$2] = ""; next }
		$1 == "res" && $NF != "200" && $NF != "503" { alt[$2] = alt[$2] " " $3 }
		END { for (i in good) print i, good[i] alt[i] }
	' "$IT_TMP/writer.log"
}

# Counts answers: "good N 503 N lost N".
flt_counts() {
	awk '
		$1 == "res" && $NF == "200" && $4 ~ /^good/ { g++ }
		$1 == "res" && $NF == "503" { s++ }
		$1 == "res" && $NF != "200" && $NF != "503" { o++ }
		END { printf "good %d 503 %d other %d\n", g, s, o }
	' "$IT_TMP/writer.log"
}

# flt_goods
flt_goods() {
	awk '$1 == "res" && $NF == "200" && $4 ~ /^good/ { g++ } END { print g + 0 }' \
		"$IT_TMP/writer.log"
}

# flt_wait_goods [TIMEOUT_S=60]: on a loaded machine a round of the writer
# can take seconds; a fault injected before every host had its first
# `good` would leave those hosts unchecked.
flt_wait_goods() {
	local deadline=$((${EPOCHREALTIME/./} + ${1:-60} * 1000000))
	while (($(_flt_expect | wc -l) < FLT_N)); do
		if ((${EPOCHREALTIME/./} >= deadline)); then
			echo "faults.sh: not every host was answered good after ${1:-60} s: $(flt_counts)" >&2
			return 1
		fi
		sleep 0.2
	done
}

# flt_check_dns [TIMEOUT_S=30]
flt_check_dns() {
	local deadline bad i want got w ok line
	# Without a `good` for a host there is nothing to check for it: "every
	# good answer of 0 hosts is in DNS" would pass whatever ddnsd did.
	it_eq "$FLT_N" "$(_flt_expect | wc -l)" "the writer was answered good for each of the $FLT_N hosts ($(flt_counts))"
	deadline=$((${EPOCHREALTIME/./} + ${1:-30} * 1000000))
	while :; do
		bad=""
		while read -r line; do
			read -r i want <<<"$line"
			got=$(it_dig "${FLT_NAMES[i]}" A 2>/dev/null) || got="(dig failed)"
			ok=0
			for w in $want; do [[ $got != "$w" ]] || ok=1; done
			((ok)) || bad+=" ${FLT_NAMES[i]}=$got(want ${want// /|})"
		done < <(_flt_expect)
		[[ -n $bad ]] || break
		((${EPOCHREALTIME/./} < deadline)) || break
		sleep 0.5
	done
	it_eq "" "$bad" "every good answer of $(_flt_expect | wc -l) hosts is in DNS"
}

# flt_black_hole PORT [LOG]
flt_black_hole() {
	python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
held = []
while True:
    held.append(s.accept()[0])
    with open(sys.argv[2], "a") as log:
        log.write("accepted\n")
' "$1" "${2:-/dev/null}" &
	FLT_HOLE_PID=$!
	it_on_exit "kill $FLT_HOLE_PID 2>/dev/null"
	local i
	for ((i = 0; i < 50; i++)); do
		(: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "faults.sh: black hole on port $1 did not start" >&2
	return 1
}

flt_lock() {
	local table=$1 mode=$2 want k
	want=$(sed -E 's/(^| )([a-z])/\U\2/g' <<<"${mode,,}")Lock
	rm -f "$IT_TMP/lock.fifo"
	mkfifo "$IT_TMP/lock.fifo"
	psql -X -q "$DDNS_DATABASE_URL" <"$IT_TMP/lock.fifo" >/dev/null 2>&1 &
	FLT_LOCK_PID=$!
	exec 7>"$IT_TMP/lock.fifo"
	echo "BEGIN; LOCK TABLE $table IN $mode MODE;" >&7
	for ((k = 0; k < 200; k++)); do
		[[ $(fx_psql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
			WHERE c.relname = '$table' AND l.mode = '$want' AND l.granted") == 1 ]] && return 0
		sleep 0.05
	done
	return 1
}

flt_unlock() {
	# \q rather than EOF: requests started meanwhile inherited fd 7.
	# psql may be gone (PostgreSQL killed): no SIGPIPE for the test then.
	(
		trap '' PIPE
		printf 'ROLLBACK;\n\\q\n' >&7
	) 2>/dev/null || true
	exec 7>&-
	wait "$FLT_LOCK_PID" 2>/dev/null || true
}

flt_pg_gone_mid_group() {
	local table=$1 mode=$2 first=$3 last=$4 net=$5 i pgdir pids=()
	it_ok flt_lock "$table" "$mode"
	rm -f "$IT_TMP"/gone.*
	for ((i = first; i < last; i++)); do
		curl -s -m 60 -w ' %{http_code}' -u "x:${FLT_TOKS[i]}" \
			"$DDNS_URL/nic/update?hostname=${FLT_NAMES[i]}&myip=$net.$i" |
			tr '\n' ' ' >"$IT_TMP/gone.$i" &
		pids+=($!)
	done
	# All wait in ddnsd: stop PostgreSQL under them (immediate: every
	# backend quits at once, so a waiting statement cannot get the lock
	# on the way out).
	it_ok flt_wait_inflight $((last - first))
	pgdir=$(readlink -f "$IT_TMP/pg/pg")
	_svc_as_pg "$SVC_PG_BIN/pg_ctl" stop -D "$pgdir/data" -m immediate -w -t 10 >/dev/null
	wait "${pids[@]}"
	flt_unlock
	for ((i = first; i < last; i++)); do
		it_eq "911  503" "$(cat "$IT_TMP/gone.$i")" "PostgreSQL gone mid-group: request $i answers 911"
	done
}

flt_wait_inflight() {
	local k
	for ((k = 0; k < 400; k++)); do
		(($(curl -s "$DDNS_URL/metrics" | awk '$1 == "ddnsd_http_requests_in_flight" { print $2 }') >= $1 + 1)) && return 0
		sleep 0.05
	done
	return 1
}
