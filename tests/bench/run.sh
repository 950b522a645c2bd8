#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/bench/run.sh - the performance benchmark of ddnsd (issue #6).
# Self-contained: installs wrk if missing, builds Release into build-bench,
# starts its own PostgreSQL and BIND on free loopback ports (removed again
# on exit), seeds hosts with tokens in bulk, measures, prints a table and
# writes bench-results.json. Every figure is measured in the same run as
# its baseline, so the ratios hold on a noisy machine.
#
#   tests/bench/run.sh [--smoke] [--million] [--out FILE] [--seconds S]
#                      [--ddnsd PATH] [--perf DIR] [--proto]
#
#   --smoke       seconds, 200 hosts: checks every step runs (CI)
#   --million     also figure 6: nochg with 1,000,000 hosts in the database,
#                 and 6r: reconcile over them (tests/bench/reconcile.sh)
#   --recon-baseline PATH  with --million: also measure this ddnsd's
#                 reconcile (e.g. main's build) in the same run
#   --out FILE    results file (default ./bench-results.json)
#   --seconds S   length of each wrk run (default 8; smoke 1)
#   --ddnsd PATH  use this built ddnsd (its build dir must hold
#                 libddnscore.a) instead of building build-bench
#   --perf DIR    perf record -a -g the nochg and good runs into DIR
#   --proto       also the two group-lookup prototypes of tests/bench/dbread.c
#                 (MHD suspend/resume, own event loop) in the rounds of 1+2
#   --keep        keep the scratch directory (logs, wrk output, hosts files)
#
# Figures: 1 HTTP ceiling (tests/bench/hello.c), 1b HTTP + one prepared
# read per request (tests/bench/dbread.c single), 2 nochg (abuse limits off,
# and on), 3 good + time until BIND serves every last value, beside pgbench
# updating one row per transaction at the same 64 clients, 4 DNS push vs
# nsupdate one change per message, 5 HTTP answer -> visible in DNS at 200
# changes/s, 6 nochg at 1,000,000 hosts and ddnsd's RSS, 7 HTTP answer ->
# served by a BIND secondary (NOTIFY + IXFR) at 200 changes/s. Figures 1, 1b
# and 2 are 3 interleaved rounds, best of each: the least disturbed estimate
# on a shared machine; so are 3 and its pgbench baseline (a ddnsd of its
# own per round, BIND caught up before the round's pgbench), and 4.
# Beside 1, 1b, 2 and 3 the CPU each used per request (per transaction for
# pgbench): the server's, PostgreSQL's (the whole cluster, background
# processes included), the load generator's and, for 3, BIND's, from
# /proc. On a saturated machine the ratio of two rates follows the ratio
# of these sums, so they show where a rate's time goes.
set -euo pipefail

bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/../.." && pwd)
# shellcheck source=../../deploy/local/services.sh
. "$root/deploy/local/services.sh"

keep=0 smoke=0 million=0 proto=0 out=$PWD/bench-results.json secs='' ddnsd='' perfdir='' recon_base=''
while (($# > 0)); do
	case $1 in
	--smoke) smoke=1 ;;
	--million) million=1 ;;
	--keep) keep=1 ;;
	--proto) proto=1 ;;
	--out) out=$(_svc_abs "${2:?--out needs a file}"); shift ;;
	--seconds) secs=${2:?--seconds needs a number}; shift ;;
	--ddnsd) ddnsd=$(_svc_abs "${2:?--ddnsd needs a path}"); shift ;;
	--perf) perfdir=$(_svc_abs "${2:?--perf needs a directory}"); shift ;;
	--recon-baseline) recon_base=$(_svc_abs "${2:?--recon-baseline needs a path}"); shift ;;
	-h | --help) sed -n '4,35p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ -z $secs || $secs =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --seconds: whole seconds" >&2; exit 2; }

if [[ $smoke == 1 ]]; then
	nhosts=200 secs=${secs:-1} nsup=50 latsecs=1 rounds=1
else
	nhosts=10000 secs=${secs:-8} nsup=2000 latsecs=15 rounds=3
fi
nbig=1000000 conns=64 wthreads=2 latrate=200 zone=bench.test
seed_ip=192.0.2.1

log() { printf '\n=== %s\n' "$*" >&2; }
die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }
now() { printf '%s\n' "${EPOCHREALTIME/./}"; } # microseconds
# calc EXPR: awk arithmetic; integers from 100 on, else 3 significant digits
calc() { awk "BEGIN { v = $1; if (v >= 100 || v <= -100) printf \"%.0f\\n\", v; else printf \"%.3g\\n\", v }"; }
fld() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" <<<" $2"; }

# ---------------------------------------------------------------- build

log "dependencies"
extra=(wrk)
[[ -z $perfdir ]] || extra+=(linux-perf)
[[ $million == 0 ]] || extra+=(time)
svc_install_deps "${extra[@]}"

if [[ -z $ddnsd ]]; then
	log "build (Release, build-bench)"
	# -g and frame pointers for perf; -O3 makes gcc 12 see a false
	# maybe-uninitialized in db/migrate.c, which -Werror would stop on.
	cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release \
		"-DCMAKE_C_FLAGS=-g -fno-omit-frame-pointer -Wno-error=maybe-uninitialized" >/dev/null
	cmake --build "$root/build-bench" -j"$(nproc)" --target ddnsd ddnscore >/dev/null
	ddnsd=$root/build-bench/ddnsd
fi
[[ -x $ddnsd ]] || die "$ddnsd is not an executable"
bdir=$(dirname "$ddnsd")
[[ -f $bdir/libddnscore.a ]] || die "no libddnscore.a next to $ddnsd"

work=$(mktemp -d /tmp/ddnsd-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
	local p
	set +e
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null && _svc_wait_dead "$p" 10
	done
	if [[ $keep == 1 ]]; then
		svc_stop_all "$work/svc"
		echo "run.sh: kept $work" >&2
	else
		svc_purge "$work/svc"
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cflags=(-std=c11 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra)
sanflags=()
if grep -q '^DDNS_SANITIZE:BOOL=ON' "$bdir/CMakeCache.txt" 2>/dev/null; then
	sanflags=(-fsanitize=address,undefined)
fi
mkdir -p "$work/bin"
# shellcheck disable=SC2046
cc "${cflags[@]}" -pthread -o "$work/bin/hello" "$bench/hello.c" $(pkg-config --cflags --libs libmicrohttpd)
# shellcheck disable=SC2046
cc "${cflags[@]}" -pthread -o "$work/bin/dbread" "$bench/dbread.c" $(pkg-config --cflags --libs libmicrohttpd libpq)
cc "${cflags[@]}" -o "$work/bin/latency" "$bench/latency.c"
# shellcheck disable=SC2046
cc "${cflags[@]}" "${sanflags[@]}" -I"$root" -o "$work/bin/mktokens" "$bench/mktokens.c" \
	"$bdir/libddnscore.a" $(pkg-config --cflags --libs libsodium)

# ---------------------------------------------------------------- services

log "services"
svc_pg_start "$work/svc"
svc_bind_start "$work/svc" "$zone"
export DDNS_DATABASE_URL DDNS_TSIG_KEY_FILE
unset DDNS_TOKEN_PEPPER
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$DDNS_DATABASE_URL" "$@"; }

# start_bg NAME CMD...: background process; its pid in $bg_pid.
start_bg() {
	local name=$1
	shift
	"$@" </dev/null >>"$work/$name.log" 2>&1 &
	bg_pid=$!
	pids+=("$bg_pid")
}
# wait_port PORT PID: until PORT accepts TCP connections.
wait_port() {
	local i
	for ((i = 0; i < 150; i++)); do
		_svc_alive "$2" || die "process $2 exited; see logs in $work"
		if (: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	die "nothing listening on $1 after 15 s"
}
stop_bg() {
	kill -TERM "$1" 2>/dev/null || true
	_svc_wait_dead "$1" 10 || kill -KILL "$1" 2>/dev/null || true
}
ddnsd_start() {
	http_port=$(svc_free_port)
	# The abuse limits (README: Reliability and security) would turn a
	# load test into "abuse": off for the benchmark.
	start_bg ddnsd env DDNS_LOG_LEVEL=warn DDNS_LISTEN="127.0.0.1:$http_port" \
		DDNS_HOST_CHANGE_BURST=0 DDNS_HOST_NOCHG_PER_MIN=0 DDNS_AUTH_FAIL_MAX=0 \
		DDNS_MAX_CONN_PER_IP=0 "$ddnsd" serve
	ddnsd_pid=$bg_pid
	wait_port "$http_port" "$ddnsd_pid"
}
# ddnsd_start_limits [NOCHG_PER_MIN]: a second ddnsd with the abuse
# limits at their defaults (port $lim_port), but the per-host nochg limit
# raised to NOCHG_PER_MIN (default: the default 60) so that a rotation of
# a few thousand hosts at full speed stays under it: its counter and the
# blocked-client check run on every request as in production.
ddnsd_start_limits() {
	lim_port=$(svc_free_port)
	start_bg ddnsd-limits env DDNS_LOG_LEVEL=warn DDNS_LISTEN="127.0.0.1:$lim_port" \
		DDNS_HOST_NOCHG_PER_MIN="${1:-60}" DDNS_MAX_CONN_PER_IP=0 "$ddnsd" serve
	lim_pid=$bg_pid
	wait_port "$lim_port" "$lim_pid"
}
# dbread_start MODE: tests/bench/dbread.c MODE on a free port ($bg_port).
dbread_start() {
	bg_port=$(svc_free_port)
	start_bg "dbread-$1" "$work/bin/dbread" "$1" "$bg_port" "$DDNS_DATABASE_URL"
	wait_port "$bg_port" "$bg_pid"
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# CPU time in clock ticks (utime + stime, all threads) of process $1;
# ticks_children: of this shell's children that have been waited for (wrk,
# pgbench); ticks_pg: of the whole PostgreSQL cluster, its live processes
# and those that have ended (the postmaster waits for them all).
tick_us=$((1000000 / $(getconf CLK_TCK)))
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
ticks_children() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }
ticks_pg() {
	local pm t p
	pm=$(head -n 1 "$work/svc/pg/data/postmaster.pid")
	t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
	for p in $(pgrep -P "$pm"); do t=$((t + $(ticks "$p"))); done
	echo "$t"
}
ticks_dns() { ticks "$(_svc_bind_pid "$work/svc/bind")"; }
# cpu_fields N S0 C0 P0 D0 [PID]: " cpu_srv_us=.. cpu_client_us=..
# cpu_pg_us=.. cpu_dns_us=.." (CPU microseconds per request of PID, of the
# client, of PostgreSQL, of BIND) over N requests since the ticks S0 (of
# PID), C0 (children), P0 (PostgreSQL) and D0 (BIND).
cpu_fields() {
	local n=$1 srv=0
	((n > 0)) || n=1
	[[ -z ${6:-} ]] || srv=$(($(ticks "$6") - $2))
	printf ' cpu_srv_us=%s cpu_client_us=%s cpu_pg_us=%s cpu_dns_us=%s' \
		"$(calc "$srv * $tick_us / $n")" \
		"$(calc "($(ticks_children) - $3) * $tick_us / $n")" \
		"$(calc "($(ticks_pg) - $4) * $tick_us / $n")" \
		"$(calc "($(ticks_dns) - $5) * $tick_us / $n")"
}
# answers CODE: ddnsd's count of /nic/update answers CODE (its /metrics),
# empty when this build has no such metric.
answers() {
	curl -s "http://127.0.0.1:$http_port/metrics" |
		awk -v c="ddnsd_nic_update_results_total{code=\"$1\"}" '$1 == c { print $2 }'
}
# no_errors WHAT: fail if ddnsd answered anything but good/nochg so far.
no_errors() {
	local code n
	for code in abuse badauth 911 dnserr nohost; do
		n=$(answers "$code")
		[[ -z $n || $n == 0 ]] || die "$1: ddnsd answered $code $n times; see $work"
	done
}

# ---------------------------------------------------------------- seed

# seed FIRST COUNT DIRTY: COUNT hosts from hFIRST with tokens, address
# $seed_ip; DIRTY=1 leaves them for the pusher, 0 marks them pushed.
seed() {
	local first=$1 count=$2 dirty=$3 file=$work/hosts.$1.txt
	"$work/bin/mktokens" "$count" "$zone" "$first" >"$file"
	cut -d' ' -f1,3,4 "$file" | sql -c "
		CREATE TEMP TABLE seed (fqdn text, public_id text, hash text);
		COPY seed FROM STDIN (DELIMITER ' ');
		INSERT INTO hosts (zone_id, account_id, fqdn, ipv4, version, pushed_version)
			SELECT z.id, a.id, s.fqdn, '$seed_ip', 1, CASE WHEN $dirty = 1 THEN 0 ELSE 1 END
			FROM seed s, zones z, accounts a
			WHERE z.name = '$zone' AND a.email = 'bench@example.com';
		INSERT INTO host_tokens (host_id, account_id, public_id, secret_hash, label)
			SELECT h.id, h.account_id, s.public_id, decode(s.hash, 'hex'), 'bench'
			FROM seed s JOIN hosts h USING (fqdn);
		ANALYZE hosts; ANALYZE host_tokens;"
	seeded=$file
}

log "seed $nhosts hosts"
t=$(now)
"$ddnsd" migrate >/dev/null
"$ddnsd" zone add "$zone" --primary "$BIND_PRIMARY" --key ddnsd-key >/dev/null
"$ddnsd" account add bench@example.com >/dev/null
sql -c "UPDATE accounts SET max_hosts = 2000000 WHERE email = 'bench@example.com'"
seed 1 "$nhosts" 1
hosts=$seeded
seed_s=$(calc "($(now) - $t) / 1e6")
t=$(now)
"$ddnsd" push 2>>"$work/push.log" || die "initial ddnsd push failed; see $work/push.log"
init_push_s=$(calc "($(now) - $t) / 1e6")
[[ $(dig +short @127.0.0.1 -p "$BIND_PORT" "h$(printf %07d "$nhosts").$zone" A) == "$seed_ip" ]] ||
	die "initial push: last host not in BIND"
echo "seeded $nhosts hosts in ${seed_s} s; first push into BIND in ${init_push_s} s" >&2

# wrk_run NAME PORT MODE IPBASE HOSTFILE [PID]: one wrk run; its BENCH line
# in $res, with the CPU per request (cpu_fields) of PID (the server), wrk,
# PostgreSQL and BIND appended.
wrk_run() {
	local name=$1 port=$2 mode=$3 ipbase=$4 file=$5 pid=${6:-} prec='' s0 c0 p0 d0
	if [[ $mode == good ]]; then
		ew0=$(sql -c "SELECT count(*) FROM host_events WHERE result = 'good'")
		w0=$(sql -c "SELECT wal_sync FROM pg_stat_wal")
	fi
	# Warm-up: every pool thread gets its connection and statements.
	rm -f "$work/ready"
	BENCH_READY=$work/ready BENCH_HOSTS=$file BENCH_MODE=$mode BENCH_IPBASE=$((ipbase + 50000)) BENCH_THREADS=$wthreads \
		wrk -t"$wthreads" -c"$conns" -d1s -s "$bench/update.lua" "http://127.0.0.1:$port/" >/dev/null
	# good: count accepted changes from here on (not the warm-up's, whose
	# last requests ddnsd may still be answering)
	sleep 0.5
	[[ $mode != good ]] || e0=$(sql -c "SELECT count(*) FROM host_events WHERE result = 'good'")
	if [[ -n $perfdir ]]; then
		mkdir -p "$perfdir"
		perf record -a -g -F 999 -o "$perfdir/$name.data" -- sleep "$secs" 2>>"$work/perf.log" &
		prec=$!
	fi
	rm -f "$work/ready"
	s0=0 c0=$(ticks_children) p0=$(ticks_pg) d0=$(ticks_dns)
	[[ -z $pid ]] || s0=$(ticks "$pid")
	BENCH_READY=$work/ready BENCH_HOSTS=$file BENCH_MODE=$mode BENCH_IPBASE=$ipbase BENCH_THREADS=$wthreads \
		wrk -t"$wthreads" -c"$conns" -d"${secs}s" --latency -s "$bench/update.lua" \
		"http://127.0.0.1:$port/" >"$work/wrk.$name.txt"
	res=$(grep '^BENCH ' "$work/wrk.$name.txt") || die "wrk $name: no result; see $work/wrk.$name.txt"
	res+=$(cpu_fields "$(fld requests "$res")" "$s0" "$c0" "$p0" "$d0" "$pid")
	[[ -z $prec ]] || wait "$prec" || true
	echo "$name: $res" >&2
}

# ---------------------------------------------------------------- 1 + 2

log "1. HTTP ceiling (hello.c), 1b. HTTP + one read per request (dbread.c) and 2. nochg ($nhosts hosts, $conns connections)"
hello_port=$(svc_free_port)
start_bg hello "$work/bin/hello" "$hello_port"
hello_pid=$bg_pid
wait_port "$hello_port" "$hello_pid"
dbread_start single
read1_port=$bg_port read1_pid=$bg_pid
if [[ $proto == 1 ]]; then
	dbread_start suspend
	psus_port=$bg_port psus_pid=$bg_pid
	dbread_start loop
	ploop_port=$bg_port ploop_pid=$bg_pid
fi
ddnsd_start
# Limits on: 8 s at ~50,000 req/s over 10,000 hosts is 40 nochg per host
# per run, 5 runs a minute; 100,000 a minute keeps every host under it.
ddnsd_start_limits 100000
v0=$(sql -c "SELECT sum(version) FROM hosts")
# better RES_A RES_B: the BENCH line with the higher rps.
better() {
	[[ -n $1 ]] || { echo "$2"; return; }
	if awk -v a="$(fld rps "$1")" -v b="$(fld rps "$2")" 'BEGIN { exit !(b > a) }'; then
		echo "$2"
	else
		echo "$1"
	fi
}
ceil='' read1='' nochg='' nlim='' psus='' ploop=''
all_ceil='' all_read1='' all_nochg='' all_nlim='' all_psus='' all_ploop=''
for ((r = 1; r <= rounds; r++)); do
	wrk_run "ceiling.$r" "$hello_port" nochg 1 "$hosts" "$hello_pid"
	ceil=$(better "$ceil" "$res") all_ceil+=" $(calc "$(fld rps "$res")")"
	wrk_run "read1.$r" "$read1_port" nochg 1 "$hosts" "$read1_pid"
	read1=$(better "$read1" "$res") all_read1+=" $(calc "$(fld rps "$res")")"
	wrk_run "nochg.$r" "$http_port" nochg 1 "$hosts" "$ddnsd_pid"
	nochg=$(better "$nochg" "$res") all_nochg+=" $(calc "$(fld rps "$res")")"
	wrk_run "nochg-limits.$r" "$lim_port" nochg 1 "$hosts" "$lim_pid"
	nlim=$(better "$nlim" "$res") all_nlim+=" $(calc "$(fld rps "$res")")"
	if [[ $proto == 1 ]]; then
		wrk_run "proto-suspend.$r" "$psus_port" nochg 1 "$hosts" "$psus_pid"
		psus=$(better "$psus" "$res") all_psus+=" $(calc "$(fld rps "$res")")"
		wrk_run "proto-loop.$r" "$ploop_port" nochg 1 "$hosts" "$ploop_pid"
		ploop=$(better "$ploop" "$res") all_ploop+=" $(calc "$(fld rps "$res")")"
	fi
done
# 1 connection: latency of one request alone (no group to share).
wrk_conns=$conns wrk_threads=$wthreads conns=1 wthreads=1
wrk_run "nochg-1conn" "$http_port" nochg 1 "$hosts" "$ddnsd_pid"
one=$res
wrk_run "read1-1conn" "$read1_port" nochg 1 "$hosts" "$read1_pid"
read1_one=$res
conns=$wrk_conns wthreads=$wrk_threads
stop_bg "$hello_pid"
stop_bg "$read1_pid"
[[ $proto == 0 ]] || { stop_bg "$psus_pid"; stop_bg "$ploop_pid"; }
nochg_rss=$(rss_kib "$ddnsd_pid")
nochg_answers=$(answers nochg)
v1=$(sql -c "SELECT sum(version) FROM hosts")
[[ $v0 == "$v1" ]] || die "nochg run changed host versions ($v0 -> $v1): requests were not nochg"
no_errors nochg
http_port_nolim=$http_port http_port=$lim_port
no_errors nochg-limits
http_port=$http_port_nolim
stop_bg "$lim_pid"

# ---------------------------------------------------------------- 3

# bind_matches_db: every host's A record in BIND (AXFR) equals the database.
bind_matches_db() {
	sql -F ' ' -c "SELECT fqdn, host(ipv4) FROM hosts WHERE fqdn LIKE 'h%' ORDER BY 1" |
		LC_ALL=C sort >"$work/db.txt"
	dig +tcp +nocmd +nostats -k "$DDNS_TSIG_KEY_FILE" axfr "$zone" @127.0.0.1 -p "$BIND_PORT" |
		awk '$4 == "A" && $1 ~ /^h[0-9]/ { sub(/\.$/, "", $1); print $1, $5 }' |
		LC_ALL=C sort >"$work/dns.txt"
	cmp -s "$work/db.txt" "$work/dns.txt"
}

# PostgreSQL's own commit rate on this machine, same database, same
# clients: one-row UPDATE per transaction, 10,000 rows, 64 clients.
sql -c "DROP TABLE IF EXISTS bench_pgb" \
	-c "CREATE TABLE bench_pgb (id int PRIMARY KEY, v bigint NOT NULL DEFAULT 0)" \
	-c "INSERT INTO bench_pgb (id) SELECT generate_series(1, 10000)" -c "VACUUM ANALYZE bench_pgb"
printf '\\set id random(1, 10000)\nUPDATE bench_pgb SET v = v + 1 WHERE id = :id;\n' >"$work/pgb.sql"
# pgbench_run NAME: one run; its tx/s in $res, the CPU per transaction of
# pgbench and PostgreSQL in $pgb_cpu (cpu_fields).
pgbench_run() {
	local c0 p0 d0 n
	c0=$(ticks_children) p0=$(ticks_pg) d0=$(ticks_dns)
	pgbench -n -M prepared -c "$conns" -j "$wthreads" -T "$secs" -f "$work/pgb.sql" "$DDNS_DATABASE_URL" \
		>"$work/pgbench.$1.txt" 2>&1 || die "pgbench failed; see $work/pgbench.$1.txt"
	n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.$1.txt")
	pgb_cpu=$(cpu_fields "${n:-0}" 0 "$c0" "$p0" "$d0")
	res=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$work/pgbench.$1.txt")
	[[ -n $res ]] || die "pgbench: no tps; see $work/pgbench.$1.txt"
	res=$(calc "$res")
	echo "$1: $res one-row UPDATE transactions/s at $conns clients" >&2
}
# wait_bind_caught_up T_STOP: once the database has nothing left to push
# and BIND serves every host's value, the seconds since T_STOP in $res.
wait_bind_caught_up() {
	local t i
	res=''
	for ((i = 0; i < 600; i++)); do
		t=$(now)
		if [[ $(sql -c "SELECT count(*) FROM hosts WHERE version > pushed_version") == 0 ]] &&
			bind_matches_db; then
			res=$(calc "($t - $1) / 1e6")
			return
		fi
		sleep 0.02
	done
	die "BIND did not catch up with the database within 60 s"
}

log "3. good: every request changes the address, and 3b. pgbench: one-row UPDATE per transaction, $conns clients ($rounds interleaved rounds, best of each)"
good='' g_rate='' accepted='' vis_s='' pgb_tps='' all_good='' all_pgb=''
sync_n=0 sync_changes=0
for ((r = 1; r <= rounds; r++)); do
	((r == 1)) || ddnsd_start
	# Each round's passes use addresses of their own (update.lua).
	wrk_run "good.$r" "$http_port" good $((1 + (r - 1) * 1000)) "$hosts" "$ddnsd_pid"
	t_stop=$(now)
	e1=$(sql -c "SELECT count(*) FROM host_events WHERE result = 'good'")
	rate=$(calc "$((e1 - e0)) / ($(fld duration_us "$res") / 1e6)")
	all_good+=" $rate"
	if [[ -z $g_rate ]] || awk -v a="$g_rate" -v b="$rate" 'BEGIN { exit !(b > a) }'; then
		good=$res g_rate=$rate accepted=$((e1 - e0))
	fi
	# The slowest catch-up of the rounds is the one reported.
	wait_bind_caught_up "$t_stop"
	vis_s=$(awk -v a="${vis_s:-0}" -v b="$res" 'BEGIN { print (b > a) ? b : a }')
	good_rss=$(rss_kib "$ddnsd_pid")
	no_errors good
	stop_bg "$ddnsd_pid"
	# WAL flushes (fsyncs) of the round, warm-up and catch-up (pusher)
	# included, read once ddnsd's sessions have ended and so reported
	# their counts: how many changes shared one fsync (group commit).
	sync_n=$((sync_n + $(sql -c "SELECT wal_sync FROM pg_stat_wal") - w0))
	sync_changes=$((sync_changes + $(sql -c "SELECT count(*) FROM host_events WHERE result = 'good'") - ew0))
	pgbench_run "pgbench.$r"
	all_pgb+=" $res"
	if awk -v a="${pgb_tps:-0}" -v b="$res" 'BEGIN { exit !(b > a) }'; then
		pgb_tps=$res pgb_best_cpu=$pgb_cpu
	fi
done
sql -c "DROP TABLE bench_pgb"
per_sync=$(calc "$sync_changes / ($sync_n + 1)")
echo "good (changes/s):$all_good; pgbench (tx/s):$all_pgb; $sync_changes changes, $sync_n WAL syncs; BIND served every last value at most ${vis_s} s after a round stopped" >&2

# ---------------------------------------------------------------- 4

log "4. DNS push ($nhosts changes) vs nsupdate one change per message ($nsup), $rounds interleaved rounds, best of each"
lesser() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
push_s='' nsup_s='' all_push='' all_nsup=''
for ((r = 1; r <= rounds; r++)); do
	# Addresses of the round's own: 172.16/172.17, 172.18/172.19, ...
	na=$((16 + 2 * (r - 1))) pa=$((17 + 2 * (r - 1)))
	{
		echo "server 127.0.0.1 $BIND_PORT"
		head -n "$nsup" "$hosts" | awk -v a="$na" '{ n = NR; printf "update delete %s. A\nupdate add %s. 60 A 172.%d.%d.%d\nsend\n", $1, $1, a, int(n / 256), n % 256 }'
	} >"$work/nsupdate.txt"
	t=$(now)
	# Over TCP like ddnsd (-v); UDP lost messages to a busy named here.
	nsupdate -v -t 30 -k "$DDNS_TSIG_KEY_FILE" "$work/nsupdate.txt" || die "nsupdate failed"
	s=$(calc "($(now) - $t) / 1e6")
	[[ $(dig +short @127.0.0.1 -p "$BIND_PORT" "$(sed -n "${nsup}s/ .*//p" "$hosts")" A) == "172.$na.$((nsup / 256)).$((nsup % 256))" ]] ||
		die "nsupdate: last change not in BIND"
	all_nsup+=" $s" nsup_s=$(lesser "$nsup_s" "$s")
	sql -c "UPDATE hosts SET ipv4 = ('172.$pa.' || (substr(fqdn, 2, 7)::int / 256) || '.' ||
		(substr(fqdn, 2, 7)::int % 256))::inet, version = version + 1 WHERE fqdn LIKE 'h%'"
	t=$(now)
	"$ddnsd" push 2>>"$work/push.log" || die "ddnsd push failed; see $work/push.log"
	s=$(calc "($(now) - $t) / 1e6")
	bind_matches_db || die "after ddnsd push, BIND differs from the database"
	all_push+=" $s" push_s=$(lesser "$push_s" "$s")
done
push_rate=$(calc "$nhosts / $push_s")
nsup_rate=$(calc "$nsup / $nsup_s")
echo "push: $nhosts in $push_s s ($push_rate/s); nsupdate: $nsup in $nsup_s s ($nsup_rate/s); seconds of each round: push$all_push, nsupdate$all_nsup" >&2

# ---------------------------------------------------------------- 5

log "5. update -> visible in DNS at $latrate changes/s for $latsecs s"
ddnsd_start
lat=$("$work/bin/latency" "$http_port" "$BIND_PORT" "$hosts" "$latrate" "$latsecs" 200000) ||
	die "latency client failed"
echo "$lat" >&2
no_errors latency
lat_rss=$(rss_kib "$ddnsd_pid")
stop_bg "$ddnsd_pid"

# ---------------------------------------------------------------- 7
# (before 6: a secondary's first transfer of 1,000,000 hosts is not the point)

log "7. update -> served by a BIND secondary at $latrate changes/s for $latsecs s"
# The primary restarted with NOTIFY to the secondary (notify-delay 0) and
# the transfer key; figures 1-5 ran without either.
sec_port=$(svc_free_port)
echo "$sec_port" >"$work/svc/bind/notify.list"
tsig-keygen -a hmac-sha256 ddnsd-xfr >"$work/svc/bind/xfr.key"
svc_bind_restart "$work/svc"
svc_secondary_start bind "$work/svc" "$sec_port" "$BIND_PORT" "$work/svc/bind/xfr.key" "$zone"
ddnsd_start
sec=$("$work/bin/latency" "$http_port" "$sec_port" "$hosts" "$latrate" "$latsecs" 300000) ||
	die "latency client (secondary) failed"
echo "$sec" >&2
no_errors secondary
stop_bg "$ddnsd_pid"
svc_secondary_stop "$work/svc"

# ---------------------------------------------------------------- 6

big=''
if [[ $million == 1 ]]; then
	log "6. nochg with $nbig hosts in the database"
	t=$(now)
	seed $((nhosts + 1)) $((nbig - nhosts)) 0
	cat "$hosts" "$seeded" >"$work/hosts.all.txt"
	sql -c "VACUUM ANALYZE hosts" -c "VACUUM ANALYZE host_tokens"
	big_seed_s=$(calc "($(now) - $t) / 1e6")
	# The first 10,000 hosts carry the addresses of step 4; back to seed_ip.
	sql -c "UPDATE hosts SET ipv4 = '$seed_ip', version = version + 1 WHERE ipv4 <> '$seed_ip'"
	"$ddnsd" push 2>>"$work/push.log" || die "ddnsd push failed; see $work/push.log"
	echo "seeded $((nbig - nhosts)) more hosts in ${big_seed_s} s" >&2
	ddnsd_start
	v0=$(sql -c "SELECT sum(version) FROM hosts")
	# Interleaved with the 10,000-host rotation on the same database, best
	# of each: the ratio to (2) alone would mostly measure the noise.
	# The abuse limits exactly at their defaults: over 1,000,000 hosts no
	# host comes near 60 nochg a minute. In the same rounds, so that both
	# sides are a best of the same number (one run against a best of two
	# measured 0.927-0.988 of it).
	ddnsd_start_limits
	big='' hot='' biglim=''
	for ((r = 1; r <= (rounds + 1) / 2; r++)); do
		wrk_run "million.$r" "$http_port" nochg 1 "$work/hosts.all.txt" "$ddnsd_pid"
		big=$(better "$big" "$res")
		wrk_run "million-limits.$r" "$lim_port" nochg 1 "$work/hosts.all.txt" "$lim_pid"
		biglim=$(better "$biglim" "$res")
		wrk_run "hot.$r" "$http_port" nochg 1 "$hosts" "$ddnsd_pid"
		hot=$(better "$hot" "$res")
	done
	# Why the 10,000 hot hosts are slower than 1,000,000 cold ones: the
	# good, push and latency steps left dead row versions behind on them
	# (until migration 0014 every change and every push mark was also a
	# non-HOT UPDATE of hosts, with new entries in all of its indexes).
	# The same rotation once more after a VACUUM.
	dead=$(sql -c "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'hosts'")
	http_port_nolim=$http_port http_port=$lim_port
	no_errors million-limits
	http_port=$http_port_nolim
	stop_bg "$lim_pid"
	sql -c "VACUUM hosts" -c "VACUUM host_tokens"
	wrk_run "hot-vacuumed" "$http_port" nochg 1 "$hosts" "$ddnsd_pid"
	hotvac=$res
	big_rss=$(rss_kib "$ddnsd_pid")
	big_answers=$(answers nochg)
	no_errors million
	v1=$(sql -c "SELECT sum(version) FROM hosts")
	[[ $v0 == "$v1" ]] || die "million run changed host versions: requests were not nochg"
	stop_bg "$ddnsd_pid"

	# shellcheck source=reconcile.sh
	. "$bench/reconcile.sh"
	# The million were seeded as pushed but BIND holds only the first
	# $nhosts: ddnsd push writes the rest, so that reconcile compares a
	# zone that matches but for the drift.
	log "6r. ddnsd push of $nbig hosts, then reconcile with $recon_drift records changed behind ddnsd's back"
	sql -c "UPDATE hosts SET version = version + 1"
	t=$(now)
	"$ddnsd" push 2>>"$work/push.log" || die "ddnsd push failed; see $work/push.log"
	big_push_s=$(calc "($(now) - $t) / 1e6")
	echo "pushed $nbig hosts in $big_push_s s" >&2
	recon_figure "$zone" "$nbig" "$work" "$ddnsd" "$recon_base" 2
fi

# ---------------------------------------------------------------- report

ms() { calc "$1 / 1000"; }
c_rps=$(calc "$(fld rps "$ceil")") n_rps=$(calc "$(fld rps "$nochg")")
r_rps=$(calc "$(fld rps "$read1")") l_rps=$(calc "$(fld rps "$nlim")")
g_rate=$(calc "$accepted / ($(fld duration_us "$good") / 1e6)")
errs=$(($(fld non2xx "$nochg") + $(fld errors "$nochg") + $(fld non2xx "$good") + $(fld errors "$good")))

row() { printf '| %-34s | %-34s | %-18s |\n' "$1" "$2" "$3"; }
# cpu3 RES: its CPU per request of the server, PostgreSQL and wrk.
cpu3() { echo "$(fld cpu_srv_us "$1") us, $(fld cpu_pg_us "$1") us, $(fld cpu_client_us "$1") us"; }
# cpu_ratio A B: the CPU per request of all of A over all of B (the ratio
# of their rates if both used the whole machine).
cpu_sum() { calc "$(fld cpu_srv_us "$1") + $(fld cpu_pg_us "$1") + $(fld cpu_client_us "$1")"; }
cpu_ratio() { calc "$(cpu_sum "$1") / $(cpu_sum "$2")"; }
{
	echo
	echo "ddnsd benchmark: $nhosts hosts, $conns connections, wrk -t$wthreads, ${secs} s per run, $(nproc) cores$([[ $smoke == 1 ]] && echo ', SMOKE (numbers meaningless)')"
	echo
	row "figure" "measured" "target"
	row "---" "---" "---"
	row "1. HTTP ceiling (hello.c)" "$c_rps req/s" ""
	row "1b. HTTP + 1 read/request (dbread)" "$r_rps req/s" ""
	row "2. nochg" "$n_rps req/s, p50 $(ms "$(fld p50_us "$nochg")") ms, p99 $(ms "$(fld p99_us "$nochg")") ms" "p99 <= 10 ms"
	row "   nochg / HTTP + 1 read (1b)" "$(calc "$n_rps / $r_rps")" ">= 1.5"
	row "   nochg / HTTP ceiling (1)" "$(calc "$n_rps / $c_rps")" ">= 0.4"
	row "   CPU/request: hello, wrk" "$(fld cpu_srv_us "$ceil") us, $(fld cpu_client_us "$ceil") us" ""
	row "   CPU/request: dbread, PG, wrk" "$(cpu3 "$read1")" ""
	row "   CPU/request: ddnsd, PG, wrk" "$(cpu3 "$nochg")" ""
	row "   (hello+wrk) / (ddnsd+PG+wrk)" "$(cpu_ratio "$ceil" "$nochg")" ""
	row "   nochg, abuse limits on" "$l_rps req/s ($(calc "$l_rps / $n_rps") of 2)" ">= 0.95"
	row "   nochg at 1 connection" "p50 $(ms "$(fld p50_us "$one")") ms ($(calc "$(fld rps "$one")") req/s); 1b: p50 $(ms "$(fld p50_us "$read1_one")") ms" ""
	if [[ $proto == 1 ]]; then
		row "   proto: suspend/resume (dbread)" "$(calc "$(fld rps "$psus")") req/s ($(calc "$(fld rps "$psus") / $r_rps") of 1b)" ""
		row "   proto: own event loop (dbread)" "$(calc "$(fld rps "$ploop")") req/s ($(calc "$(fld rps "$ploop") / $r_rps") of 1b)" ""
	fi
	row "3. good, accepted" "$g_rate changes/s" ">= 2000/s"
	row "   pgbench one-row UPDATE, $conns cl." "$pgb_tps tx/s" ""
	row "   good / pgbench" "$(calc "$g_rate / $pgb_tps")" ">= 0.5"
	row "   CPU/change: ddnsd, PG, wrk, BIND" "$(cpu3 "$good"), $(fld cpu_dns_us "$good") us" ""
	row "   (pgbench+PG) / (ddnsd+PG+wrk+BIND)" "$(calc "($(fld cpu_client_us "$pgb_best_cpu") + $(fld cpu_pg_us "$pgb_best_cpu")) / ($(cpu_sum "$good") + $(fld cpu_dns_us "$good"))")" ""
	row "   CPU/tx: pgbench, PG" "$(fld cpu_client_us "$pgb_best_cpu") us, $(fld cpu_pg_us "$pgb_best_cpu") us" ""
	row "   PG CPU per tx / per change" "$(calc "$(fld cpu_pg_us "$pgb_best_cpu") / $(fld cpu_pg_us "$good")")" ""
	row "   changes per WAL fsync" "$per_sync" ""
	row "   last value served by BIND after" "$vis_s s" "<= 2 s"
	row "4. DNS push (ddnsd push)" "$push_rate changes/s" ""
	row "   nsupdate, 1 change/message" "$nsup_rate changes/s" ""
	row "   push / nsupdate" "$(calc "$push_rate / $nsup_rate")" ">= 10x"
	row "5. update -> in DNS at $latrate/s" "p50 $(ms "$(fld vis_p50_us "$lat")") ms, p99 $(ms "$(fld vis_p99_us "$lat")") ms" "p50 <= 50, p99 <= 250 ms"
	row "7. update -> BIND secondary at $latrate/s" "p50 $(ms "$(fld vis_p50_us "$sec")") ms, p99 $(ms "$(fld vis_p99_us "$sec")") ms ($(fld visible "$sec")/$(fld sent "$sec"))" ""
	if [[ -n $big ]]; then
		row "6. nochg, $nbig hosts" "$(calc "$(fld rps "$big")") req/s, p99 $(ms "$(fld p99_us "$big")") ms" ""
		row "   / nochg at $nhosts (2)" "$(calc "$(fld rps "$big") / $n_rps")" ">= 0.90"
		row "   / $nhosts-host rotation, same DB" "$(calc "$(fld rps "$big") / $(fld rps "$hot")") ($(calc "$(fld rps "$hot")") req/s)" ">= 0.90"
		row "   1,000,000, default abuse limits" "$(calc "$(fld rps "$biglim")") req/s ($(calc "$(fld rps "$biglim") / $(fld rps "$big")") of 6)" ">= 0.95"
		row "   10,000 rotation after VACUUM" "$(calc "$(fld rps "$hotvac")") req/s ($dead dead rows in hosts before)" ""
		row "   ddnsd RSS" "$(calc "$big_rss / 1024") MiB" "<= 64 MiB"
		row "   ddnsd push of $nbig hosts" "$big_push_s s ($(calc "$nbig / $big_push_s") changes/s)" ""
		row "6r. reconcile --no-push, $nbig" "$recon_new_s s, max RSS $(calc "$recon_new_kib / 1024") MiB" "<= 64 MiB"
		row "   serve, periodic reconcile" "VmHWM $(calc "$recon_new_hwm / 1024") MiB" "<= 64 MiB"
		if [[ -n $recon_base ]]; then
			row "   baseline (--recon-baseline)" "$recon_base_s s, $(calc "$recon_base_kib / 1024") MiB, serve $(calc "$recon_base_hwm / 1024") MiB" ""
			row "   reconcile time / baseline" "$(calc "$recon_new_s / $recon_base_s")" "<= 2"
		fi
	else
		row "6. (1,000,000 hosts: --million)" "ddnsd RSS $(calc "$nochg_rss / 1024") MiB at $nhosts" ""
	fi
	echo
	echo "HTTP errors (non-2xx + socket) during nochg/good: $errs"
	echo "req/s of each round: ceiling$all_ceil; 1b$all_read1; nochg$all_nochg; limits on$all_nlim$([[ $proto == 1 ]] && echo "; suspend$all_psus; loop$all_ploop") (best of each taken)"
	echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$work/table.txt"

j() { [[ -n $1 ]] && printf '%s' "$1" || printf 'null'; }
cpu_json() { printf '{ "server": %s, "postgres": %s, "client": %s, "bind": %s }' "$(fld cpu_srv_us "$1")" "$(fld cpu_pg_us "$1")" "$(fld cpu_client_us "$1")" "$(fld cpu_dns_us "$1")"; }
cat >"$out.tmp" <<EOF
{
  "smoke": $([[ $smoke == 1 ]] && echo true || echo false),
  "hosts": $nhosts,
  "connections": $conns,
  "wrk_threads": $wthreads,
  "seconds": $secs,
  "rounds": $rounds,
  "ceiling_rps_rounds": [$(echo $all_ceil | tr ' ' ',')],
  "nochg_rps_rounds": [$(echo $all_nochg | tr ' ' ',')],
  "read1_rps_rounds": [$(echo $all_read1 | tr ' ' ',')],
  "nochg_limits_rps_rounds": [$(echo $all_nlim | tr ' ' ',')],
  "read1": { "rps": $r_rps, "p50_us": $(fld p50_us "$read1"), "p99_us": $(fld p99_us "$read1"),
             "one_conn_p50_us": $(fld p50_us "$read1_one") },
  "nochg_limits": { "rps": $l_rps, "p50_us": $(fld p50_us "$nlim"), "p99_us": $(fld p99_us "$nlim"),
                    "ratio_to_nochg": $(calc "$l_rps / $n_rps") },
  "nochg_one_conn": { "rps": $(calc "$(fld rps "$one")"), "p50_us": $(fld p50_us "$one"), "p99_us": $(fld p99_us "$one") },
  "proto": $(if [[ $proto == 1 ]]; then
	printf '{ "suspend_rps": %s, "loop_rps": %s, "suspend_rounds": [%s], "loop_rounds": [%s] }' \
		"$(calc "$(fld rps "$psus")")" "$(calc "$(fld rps "$ploop")")" \
		"$(echo $all_psus | tr ' ' ',')" "$(echo $all_ploop | tr ' ' ',')"
else j ''; fi),
  "cpu_us_per_request": { "ceiling": $(cpu_json "$ceil"), "read1": $(cpu_json "$read1"),
                          "nochg": $(cpu_json "$nochg"), "good": $(cpu_json "$good"),
                          "pgbench": $(cpu_json "$pgb_best_cpu") },
  "pgbench_update_tps": $pgb_tps,
  "good_to_pgbench": $(calc "$g_rate / $pgb_tps"),
  "cores": $(nproc),
  "loadavg_at_end": "$(cut -d' ' -f1-3 /proc/loadavg)",
  "seed_seconds": $seed_s,
  "ceiling": { "rps": $c_rps, "p50_us": $(fld p50_us "$ceil"), "p99_us": $(fld p99_us "$ceil") },
  "nochg": { "rps": $n_rps, "p50_us": $(fld p50_us "$nochg"), "p99_us": $(fld p99_us "$nochg"),
             "ratio_to_ceiling": $(calc "$n_rps / $c_rps"), "ratio_to_read1": $(calc "$n_rps / $r_rps"), "non2xx": $(fld non2xx "$nochg"),
             "errors": $(fld errors "$nochg"), "rss_kib": $nochg_rss,
             "nochg_answers_total": $(j "$nochg_answers") },
  "good": { "requests_per_s": $(calc "$(fld rps "$good")"), "accepted": $accepted, "accepted_per_s": $g_rate,
            "p50_us": $(fld p50_us "$good"), "p99_us": $(fld p99_us "$good"),
            "non2xx": $(fld non2xx "$good"), "errors": $(fld errors "$good"),
            "all_in_dns_after_s": $vis_s, "wal_syncs": $sync_n, "changes_per_wal_sync": $per_sync, "rss_kib": $good_rss },
  "push": { "changes": $nhosts, "seconds": $push_s, "per_s": $push_rate,
            "nsupdate_changes": $nsup, "nsupdate_seconds": $nsup_s, "nsupdate_per_s": $nsup_rate,
            "ratio": $(calc "$push_rate / $nsup_rate"), "initial_push_seconds": $init_push_s },
  "latency": { "rate_per_s": $latrate, "seconds": $latsecs, "sent": $(fld sent "$lat"),
               "good": $(fld good "$lat"), "visible": $(fld visible "$lat"), "lost": $(fld lost "$lat"),
               "late_sends": $(fld late "$lat"),
               "http_p50_us": $(fld http_p50_us "$lat"), "http_p99_us": $(fld http_p99_us "$lat"),
               "visible_p50_us": $(fld vis_p50_us "$lat"), "visible_p99_us": $(fld vis_p99_us "$lat"),
               "visible_max_us": $(fld vis_max_us "$lat"), "rss_kib": $lat_rss },
  "secondary": { "rate_per_s": $latrate, "seconds": $latsecs, "sent": $(fld sent "$sec"),
                 "good": $(fld good "$sec"), "visible": $(fld visible "$sec"), "lost": $(fld lost "$sec"),
                 "visible_p50_us": $(fld vis_p50_us "$sec"), "visible_p99_us": $(fld vis_p99_us "$sec"),
                 "visible_max_us": $(fld vis_max_us "$sec") },
  "million": $(if [[ -n $big ]]; then
	printf '{ "hosts": %s, "rps": %s, "p50_us": %s, "p99_us": %s, "ratio_to_nochg": %s, "hot_rps": %s, "ratio_to_hot": %s, "rss_kib": %s, "seed_seconds": %s, "nochg_answers_total": %s, "hot_after_vacuum_rps": %s, "hosts_dead_rows_before_vacuum": %s, "limits_on_rps": %s, "push_all_seconds": %s, "reconcile": { "seconds": %s, "max_rss_kib": %s, "serve_vmhwm_kib": %s, "baseline_seconds": %s, "baseline_max_rss_kib": %s, "baseline_serve_vmhwm_kib": %s } }' \
		"$nbig" "$(calc "$(fld rps "$big")")" "$(fld p50_us "$big")" "$(fld p99_us "$big")" \
		"$(calc "$(fld rps "$big") / $n_rps")" "$(calc "$(fld rps "$hot")")" \
		"$(calc "$(fld rps "$big") / $(fld rps "$hot")")" "$big_rss" "$big_seed_s" "$(j "$big_answers")" \
		"$(calc "$(fld rps "$hotvac")")" "$dead" "$(calc "$(fld rps "$biglim")")" \
		"$big_push_s" "$recon_new_s" "$recon_new_kib" "$recon_new_hwm" "$(j "$recon_base_s")" "$(j "$recon_base_kib")" "$(j "$recon_base_hwm")"
else j ''; fi)
}
EOF
mv -f "$out.tmp" "$out"
echo "results: $out" >&2
