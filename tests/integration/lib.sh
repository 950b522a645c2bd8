# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# tests/integration/lib.sh - helpers for tests/integration/test_*.sh.
#
# The rule of this suite: a check that cannot fail is a defect. Every
# assertion must go red when the behaviour it names is broken (break it
# once, locally, and watch); comparing two constants, matching what any
# answer matches, or `|| true` on the command that produces the evidence
# proves nothing. The harness holds tests to it: a test that made no
# assertion fails, and so does one that exits 0 without it_done or after a
# recorded failure.
#
# Typical test:
#   #!/bin/bash
#   set -euo pipefail
#   . "$(dirname "$0")/lib.sh"
#   it_setup
#   it_start_ddnsd DDNS_LOG_LEVEL=debug
#   it_eq "" "$(it_dig h.dyn.test A)" "no record yet"
#   ...
#   it_done
#
# Env in:  DDNSD (built binary), DDNS_SOURCE_DIR (repo root, optional),
#          DDNS_TEST_PG_STATE + DDNS_TEST_BIND_STATE (shared services started
#          by tests/run.sh; else private ones are started per test),
#          IT_KEEP_TMP=1 keeps $IT_TMP (and a private state dir) for debugging.
#          IT_NS=knot: the zones are served by a private Knot DNS instead of
#          BIND (the BIND_* variables then name it).
#          IT_SIGNED=1: the zones are DNSSEC-signed by a private nameserver
#          (BIND, or Knot with IT_NS=knot) that it_setup starts and waits
#          for (bounded); the BIND_* variables name it.
# Env out (it_setup): DDNS_DATABASE_URL (fresh per-test DB), IT_DB_NAME,
#          PGPORT_DDNS, DDNS_TSIG_KEY_FILE, BIND_PORT, BIND_PRIMARY, IT_TMP,
#          IT_NAME; (it_start_ddnsd): DDNS_URL, DDNSD_PID, DDNSD_PORT;
#          (it_stop_ddnsd): DDNSD_EXIT.
# it_setup installs an EXIT trap (plus INT/TERM -> exit); add your own
# cleanup with `it_on_exit 'command'` instead of replacing the trap, and
# what must follow every (re)start of ddnsd with `it_on_start 'command'`.
# Zones served: dyn.test and other.test.

IT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../deploy/local/services.sh
. "$IT_LIB_DIR/../../deploy/local/services.sh"

IT_ZONES=(dyn.test other.test)
IT_NAME=${IT_NAME:-$(basename "${0%.sh}")}
_it_pass=0 _it_fail=0 _it_private_state='' _it_on_exit=() _it_on_start=() _it_done=0

# ---------------------------------------------------------------- setup

_it_source_env() {
	local base=$1 sub=$2
	if [[ -f $base/$sub/env ]]; then
		# shellcheck disable=SC1090,SC1091
		. "$base/$sub/env"
	elif [[ -f $base/env ]]; then
		# shellcheck disable=SC1090,SC1091
		. "$base/env"
	else
		printf 'lib.sh: error: no env file in %s/%s or %s\n' "$base" "$sub" "$base" >&2
		return 1
	fi
}

# it_setup: services + fresh database + scratch dir; see header for exports.
it_setup() {
	IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ddnsd-it.XXXXXX") || return 1
	chmod 755 "$IT_TMP"
	export IT_TMP IT_NAME
	trap _it_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	if [[ -n ${DDNS_TEST_PG_STATE:-} && -n ${DDNS_TEST_BIND_STATE:-} ]]; then
		_it_source_env "$DDNS_TEST_PG_STATE" pg || return 1
		_it_source_env "$DDNS_TEST_BIND_STATE" bind || return 1
	else
		_it_private_state=$IT_TMP/svc
		svc_pg_start "$_it_private_state" || return 1
		svc_bind_start "$_it_private_state" "${IT_ZONES[@]}" || return 1
	fi
	local signed=()
	[[ ${IT_SIGNED:-0} != 1 ]] || signed=(--signed)
	if [[ ${IT_NS:-bind} == bind && ${#signed[@]} != 0 ]]; then
		# The shared BIND serves the zones unsigned: a private one
		# signs them. It sets BIND_PORT, BIND_PRIMARY and
		# DDNS_TSIG_KEY_FILE.
		svc_bind_start "$IT_TMP/sbind" "${signed[@]}" "${IT_ZONES[@]}" || return 1
		it_on_exit 'svc_bind_stop "$IT_TMP/sbind"'
	fi
	if [[ ${IT_NS:-bind} == knot ]]; then
		# The same zones on a private Knot DNS; BIND_PORT, BIND_PRIMARY
		# and DDNS_TSIG_KEY_FILE (and so fx_base and it_dig) point at it.
		svc_knot_start "$IT_TMP/knot" "${signed[@]}" "${IT_ZONES[@]}" || return 1
		it_on_exit 'svc_knot_stop "$IT_TMP/knot"'
		BIND_PORT=$KNOT_PORT BIND_PRIMARY=$KNOT_PRIMARY
		DDNS_TSIG_KEY_FILE=$KNOT_TSIG_KEY_FILE
	fi

	# Fresh database: it_<test name>_<pid>_<random>, at most 63 chars.
	local base suffix
	base=$(printf '%s' "$IT_NAME" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9_' '_')
	suffix="_$$_$RANDOM"
	IT_DB_NAME="it_${base:0:$((60 - ${#suffix}))}$suffix"
	DDNS_DATABASE_URL=$(svc_pg_createdb "$IT_DB_NAME") || return 1
	# The tests share one BIND, where names that earlier tests' hosts left
	# hold records: the check of the primary before a host is created
	# (db/placement.c) is off unless a test turns it on
	# (DDNS_NAME_CHECK=dns, with a nameserver of its own).
	export DDNS_NAME_CHECK=${IT_NAME_CHECK:-off}
	export IT_DB_NAME DDNS_DATABASE_URL PGPORT_DDNS
	export DDNS_TSIG_KEY_FILE BIND_PORT BIND_PRIMARY
	printf 'lib.sh: %s: db %s, bind %s, tmp %s\n' "$IT_NAME" "$IT_DB_NAME" \
		"$BIND_PRIMARY" "$IT_TMP" >&2
}

# it_on_exit 'CMD': run CMD (eval'd) at exit, before the built-in cleanup.
it_on_exit() { _it_on_exit+=("$*"); }

# it_on_start 'CMD': run CMD (eval'd) each time it_start_ddnsd has ddnsd
# listening (DDNS_URL set); it_start_ddnsd fails if CMD fails.
it_on_start() { _it_on_start+=("$*"); }

_it_cleanup() {
	local rc=$? c
	set +e
	for c in "${_it_on_exit[@]}"; do eval "$c"; done
	it_stop_ddnsd >/dev/null 2>&1
	# An exit 0 must not hide a recorded failure nor skip it_done (a
	# stray `exit 0` in the middle of a test ends its checks early).
	if [[ $rc == 0 ]]; then
		_it_tally
		if ((_it_total_fail > 0)); then
			printf 'lib.sh: %s: exit 0 after %d failed assertion(s): failing\n' \
				"$IT_NAME" "$_it_total_fail" >&2
			rc=1
		elif [[ $_it_done != 1 ]]; then
			printf 'lib.sh: %s: exit 0 without it_done (%d assertions made): failing\n' \
				"$IT_NAME" "$_it_total_pass" >&2
			rc=1
		fi
	fi
	if [[ $rc != 0 || $_it_fail != 0 ]] && [[ -s ${IT_TMP:-}/ddnsd.log ]]; then
		printf -- '--- last lines of %s/ddnsd.log ---\n' "$IT_TMP" >&2
		tail -n 40 "$IT_TMP/ddnsd.log" >&2
	fi
	if [[ -n ${IT_DB_NAME:-} && -z $_it_private_state && ${IT_KEEP_TMP:-0} != 1 ]]; then
		svc_pg_dropdb "$IT_DB_NAME" >/dev/null 2>&1
	fi
	if [[ -n $_it_private_state ]]; then
		if [[ ${IT_KEEP_TMP:-0} == 1 ]]; then
			svc_stop_all "$_it_private_state"
		else
			svc_purge "$_it_private_state"
		fi
	fi
	if [[ -n ${IT_TMP:-} && -d $IT_TMP ]]; then
		if [[ ${IT_KEEP_TMP:-0} == 1 ]]; then
			printf 'lib.sh: kept %s\n' "$IT_TMP" >&2
		else
			rm -rf "$IT_TMP"
		fi
	fi
	exit "$rc"
}

# ---------------------------------------------------------------- asserts
# Results also go to $IT_TMP/results so assertions made in subshells count.

_it_record() {
	local verdict=$1 msg=$2
	if [[ $verdict == ok ]]; then
		_it_pass=$((_it_pass + 1))
		printf 'ok: %s\n' "$msg"
	else
		_it_fail=$((_it_fail + 1))
		printf 'FAIL: %s\n' "$msg"
	fi
	if [[ -n ${IT_TMP:-} && -d $IT_TMP ]]; then
		printf '%s %d\n' "$verdict" "$BASHPID" >>"$IT_TMP/results"
	fi
	return 0
}

# it_eq EXPECTED ACTUAL MSG
it_eq() {
	if [[ $1 == "$2" ]]; then
		_it_record ok "$3"
	else
		_it_record fail "$3 (expected '$1', got '$2')"
	fi
}

# it_match REGEX ACTUAL MSG (bash =~ ERE)
it_match() {
	if [[ $2 =~ $1 ]]; then
		_it_record ok "$3"
	else
		_it_record fail "$3 (expected match for /$1/, got '$2')"
	fi
}

# it_ok CMD... / it_fail CMD...: command must succeed / fail.
it_ok() {
	local rc=0
	"$@" || rc=$?
	if [[ $rc == 0 ]]; then
		_it_record ok "$*"
	else
		_it_record fail "$* (expected success, got exit $rc)"
	fi
}

it_fail() {
	local rc=0
	"$@" || rc=$?
	if [[ $rc != 0 ]]; then
		_it_record ok "fails: $*"
	else
		_it_record fail "$* (expected failure, got exit 0)"
	fi
}

# _it_tally: _it_total_pass/_it_total_fail = this shell's results plus
# those subshells recorded in $IT_TMP/results (lines with a foreign BASHPID).
_it_tally() {
	local me=$BASHPID
	_it_total_pass=$_it_pass _it_total_fail=$_it_fail
	if [[ -n ${IT_TMP:-} && -f $IT_TMP/results ]]; then
		_it_total_pass=$((_it_total_pass + $(awk -v me="$me" '$1 == "ok" && $2 != me' "$IT_TMP/results" | wc -l)))
		_it_total_fail=$((_it_total_fail + $(awk -v me="$me" '$1 == "fail" && $2 != me' "$IT_TMP/results" | wc -l)))
	fi
}

# it_done: print the tally and exit: non-zero if anything failed, or if
# the test made no assertion at all (a test that checks nothing passes
# whatever ddnsd does).
it_done() {
	_it_tally
	_it_done=1
	printf '%s: %d passed, %d failed\n' "$IT_NAME" "$_it_total_pass" "$_it_total_fail"
	if ((_it_total_pass + _it_total_fail == 0)); then
		printf 'FAIL: %s made no assertion\n' "$IT_NAME"
		exit 1
	fi
	if ((_it_total_fail != 0)); then exit 1; fi
	exit 0
}

# ---------------------------------------------------------------- dns

# it_dig NAME TYPE: print the sorted short answer (empty if none).
it_dig() {
	local out
	out=$(dig +short +tcp +time=2 +tries=2 @127.0.0.1 -p "$BIND_PORT" "$1" "$2") || {
		printf 'lib.sh: dig %s %s failed: %s\n' "$1" "$2" "$out" >&2
		return 1
	}
	[[ -n $out ]] || return 0
	printf '%s\n' "$out" | LC_ALL=C sort
}

# it_wait_dig NAME TYPE EXPECTED [TIMEOUT_S=10]: poll every 0.1 s until the
# answer equals EXPECTED (lines in any order; "" = no records).
it_wait_dig() {
	local name=$1 type=$2 want got="" deadline now
	want=$(printf '%s' "$3" | LC_ALL=C sort)
	# Bash arithmetic in microseconds (mawk's printf %d stops at 2^31);
	# TIMEOUT_S may have a fraction ("0.5").
	local t=${4:-10} sec frac=
	sec=${t%%.*}
	[[ $t != *.* ]] || frac=${t#*.}
	frac=${frac}000000
	[[ ${sec:-0}${frac:0:6} =~ ^[0-9]+$ ]] || { echo "lib.sh: it_wait_dig: bad timeout '$t'" >&2; return 1; }
	deadline=$((${EPOCHREALTIME/./} + 10#${sec:-0} * 1000000 + 10#${frac:0:6}))
	while :; do
		got=$(it_dig "$name" "$type" 2>/dev/null) || got="(dig failed)"
		[[ $got != "$want" ]] || return 0
		now=${EPOCHREALTIME/./}
		((now < deadline)) || break
		sleep 0.1
	done
	printf 'lib.sh: it_wait_dig %s %s: timeout after %ss; want %q, got %q\n' \
		"$name" "$type" "${4:-10}" "$want" "$got" >&2
	return 1
}

# it_wait_log TEXT [TIMEOUT_S=5]: poll every 0.1 s until ddnsd's log holds
# the fixed string TEXT.
it_wait_log() {
	local i n=$((${2:-5} * 10))
	for ((i = 0; i < n; i++)); do
		grep -q -F -e "$1" "$IT_TMP/ddnsd.log" 2>/dev/null && return 0
		sleep 0.1
	done
	printf 'lib.sh: it_wait_log: not in the log after %ss: %s\n' "${2:-5}" "$1" >&2
	return 1
}

# ---------------------------------------------------------------- ddnsd

# it_free_port: print a free 127.0.0.1 TCP+UDP port.
it_free_port() { svc_free_port; }

# it_start_ddnsd [VAR=value...]: run "$DDNSD serve" in the background with
# the current environment plus the given assignments and
# DDNS_LISTEN=127.0.0.1:<free port>; wait until it accepts TCP connections.
# The abuse limits (DDNS_HOST_CHANGE_BURST, DDNS_HOST_NOCHG_PER_MIN,
# DDNS_AUTH_FAIL_MAX) are 0 (off) unless given; VAR= gives ddnsd's default.
it_start_ddnsd() {
	local port i pid a
	[[ -n ${DDNSD:-} && -x $DDNSD ]] || { echo "lib.sh: error: DDNSD='${DDNSD:-}' is not an executable" >&2; return 1; }
	[[ -n ${IT_TMP:-} ]] || { echo "lib.sh: error: call it_setup first" >&2; return 1; }
	for a in "$@"; do
		[[ $a == [A-Za-z_]*=* ]] || { echo "lib.sh: error: not VAR=value: $a" >&2; return 1; }
	done
	it_stop_ddnsd || return 1
	port=$(it_free_port) || return 1
	rm -f "$IT_TMP/ddnsd.pid" "$IT_TMP/ddnsd.rc"
	# Double fork: ddnsd is not a child of the test shell (a bare `wait` in
	# a test will not hang on it); the middle shell records its exit code.
	# (The outer ( ) exits at once, so the middle shell is reparented.)
	(
		(
			# Abuse limits are off unless a test passes them (test_limits.sh
			# does): other tests change one host far more than 10 times.
			env DDNS_HOST_CHANGE_BURST=0 DDNS_HOST_NOCHG_PER_MIN=0 DDNS_AUTH_FAIL_MAX=0 \
				"$@" DDNS_LISTEN="127.0.0.1:$port" "$DDNSD" serve </dev/null >>"$IT_TMP/ddnsd.log" 2>&1 &
			echo $! >"$IT_TMP/ddnsd.pid"
			wait $! && rc=0 || rc=$?
			echo "$rc" >"$IT_TMP/ddnsd.rc"
		) </dev/null >/dev/null 2>&1 &
	)
	for ((i = 0; i < 50; i++)); do
		[[ -s $IT_TMP/ddnsd.pid ]] && break
		sleep 0.02
	done
	pid=$(cat "$IT_TMP/ddnsd.pid" 2>/dev/null) || { echo "lib.sh: error: ddnsd did not start" >&2; return 1; }
	DDNSD_PID=$pid DDNSD_PORT=$port DDNS_URL="http://127.0.0.1:$port"
	export DDNSD_PID DDNSD_PORT DDNS_URL
	for ((i = 0; i < 150; i++)); do
		if ! _svc_alive "$pid"; then
			sleep 0.1 # let the wrapper write the exit code
			printf 'lib.sh: error: ddnsd exited during startup (exit %s); last log lines:\n' \
				"$(cat "$IT_TMP/ddnsd.rc" 2>/dev/null || echo '?')" >&2
			tail -n 20 "$IT_TMP/ddnsd.log" >&2
			unset DDNSD_PID
			return 1
		fi
		if (: >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			for a in "${_it_on_start[@]}"; do eval "$a" || return 1; done
			return 0
		fi
		sleep 0.1
	done
	printf 'lib.sh: error: ddnsd not listening on %s after 15 s; last log lines:\n' "$port" >&2
	tail -n 20 "$IT_TMP/ddnsd.log" >&2
	it_stop_ddnsd
	return 1
}

# it_stop_ddnsd: SIGTERM, wait up to 10 s, then SIGKILL. Sets DDNSD_EXIT
# (ddnsd's exit status; 143 = died of SIGTERM). No-op if not running.
it_stop_ddnsd() {
	local pid=${DDNSD_PID:-} i
	[[ -n $pid ]] || return 0
	if _svc_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		if ! _svc_wait_dead "$pid" 10; then
			echo "lib.sh: ddnsd ignored SIGTERM for 10 s, killing" >&2
			kill -KILL "$pid" 2>/dev/null || true
			_svc_wait_dead "$pid" 5 || { echo "lib.sh: error: ddnsd pid $pid will not die" >&2; return 1; }
		fi
	fi
	for ((i = 0; i < 50; i++)); do
		[[ -s $IT_TMP/ddnsd.rc ]] && break
		sleep 0.02
	done
	DDNSD_EXIT=$(cat "$IT_TMP/ddnsd.rc" 2>/dev/null || echo unknown)
	export DDNSD_EXIT
	unset DDNSD_PID
	return 0
}
