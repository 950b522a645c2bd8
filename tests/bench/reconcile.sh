#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/bench/reconcile.sh - reconcile at scale (issue #15): the wall time
# and peak RSS of `ddnsd reconcile --zone Z --no-push` over a zone whose
# nameserver lost 100 of its hosts' records (changed behind ddnsd's back
# with nsupdate), and the peak RSS (VmHWM) of a `ddnsd serve` whose
# periodic reconcile (DDNS_RECONCILE_INTERVAL=1) has run one pass.
#
#   tests/bench/reconcile.sh [--hosts N] [--ddnsd PATH] [--baseline PATH]
#                            [--rounds R] [--keep]
#
#   --hosts N        hosts in the zone (default 1000000)
#   --ddnsd PATH     the ddnsd to measure (default: build build-bench)
#   --baseline PATH  another ddnsd (e.g. main's) measured in the same run,
#                    interleaved: the ratio is what counts on a shared box
#   --rounds R       reconcile runs per binary, best taken (default 2)
#   --keep           keep the scratch directory
#
# Standalone it starts its own PostgreSQL and BIND, seeds the hosts with
# one INSERT ... generate_series and BIND with a zone file holding the
# same records (no push needed). tests/bench/run.sh --million sources it
# and calls recon_figure on its own 1,000,000 pushed hosts.
set -euo pipefail

recon_bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
recon_drift=100

# recon_drift ZONE N: changes recon_drift A records of hosts h1..hN in BIND
# (one signed UPDATE, as an operator's hand would), and declares every host
# pushed again, so each measured run finds the same 100 to mark.
recon_drift() {
	local zone=$1 n=$2 i k
	{
		echo "server 127.0.0.1 $BIND_PORT"
		echo "zone $zone"
		for ((i = 1; i <= recon_drift; i++)); do
			k=$(((i * 9973) % n + 1))
			printf 'update delete h%07d.%s A\n' "$k" "$zone"
			printf 'update add h%07d.%s 60 A 198.51.100.%d\n' "$k" "$zone" "$((i % 250 + 1))"
		done
		echo send
	} | nsupdate -k "$DDNS_TSIG_KEY_FILE" || { echo "reconcile.sh: nsupdate failed" >&2; return 1; }
	psql -X -q -A -t -v ON_ERROR_STOP=1 "$DDNS_DATABASE_URL" \
		-c "UPDATE hosts SET pushed_version = version WHERE pushed_version <> version"
}

# recon_once DDNSD ZONE N LOG: one `ddnsd reconcile --no-push` under
# /usr/bin/time -v; sets recon_s (wall), recon_kib (max RSS), recon_line.
recon_once() {
	local ddnsd=$1 zone=$2 n=$3 log=$4 tv
	recon_drift "$zone" "$n"
	tv=$log.time
	/usr/bin/time -v -o "$tv" env DDNS_LOG_LEVEL=info "$ddnsd" reconcile --zone "$zone" --no-push \
		>"$log.out" 2>>"$log" || { echo "reconcile.sh: $ddnsd reconcile failed; see $log" >&2; return 1; }
	recon_line=$(cat "$log.out")
	recon_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tv")
	recon_s=$(awk -F': ' '/Elapsed \(wall clock\)/ {
		n = split($2, p, ":"); s = 0
		for (i = 1; i <= n; i++) s = s * 60 + p[i]
		print s }' "$tv")
	[[ $recon_line =~ [^0-9]${recon_drift}\ differ ]] ||
		{ echo "reconcile.sh: expected $recon_drift differing hosts: $recon_line" >&2; return 1; }
}

# recon_serve DDNSD ZONE N LOG: a serve with DDNS_RECONCILE_INTERVAL=1
# until its first pass logged the zone; sets recon_hwm_kib (VmHWM) and
# recon_serve_line (its log line of the zone).
recon_serve() {
	local ddnsd=$1 zone=$2 n=$3 log=$4 port pid i
	recon_drift "$zone" "$n"
	port=$(svc_free_port)
	: >"$log"
	env DDNS_LOG_LEVEL=info DDNS_LISTEN="127.0.0.1:$port" DDNS_RECONCILE_INTERVAL=1 \
		"$ddnsd" serve </dev/null >>"$log" 2>&1 &
	pid=$!
	recon_hwm_kib='' recon_serve_line=''
	for ((i = 0; i < 3000; i++)); do
		if recon_serve_line=$(grep -m1 "reconcile: zone $zone:" "$log"); then
			recon_hwm_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	[[ -n $recon_hwm_kib ]] || { echo "reconcile.sh: serve logged no reconcile pass; see $log" >&2; return 1; }
}

# recon_figure ZONE N WORK DDNSD [BASELINE] [ROUNDS]: the figure, best of
# ROUNDS reconcile runs per binary, interleaved, then one serve pass each.
# Sets recon_new_s recon_new_kib recon_new_hwm (and recon_base_* with a
# baseline) and recon_summary (the reconcile output of the measured ddnsd).
recon_figure() {
	local zone=$1 n=$2 work=$3 ddnsd=$4 base=${5:-} rounds=${6:-2} r
	recon_new_s='' recon_new_kib='' recon_base_s='' recon_base_kib='' recon_base_hwm=''
	for ((r = 1; r <= rounds; r++)); do
		if [[ -n $base ]]; then
			recon_once "$base" "$zone" "$n" "$work/reconcile-base.log"
			echo "reconcile (baseline) round $r: ${recon_s} s, ${recon_kib} KiB" >&2
			recon_base_s=$(_recon_min "$recon_base_s" "$recon_s")
			recon_base_kib=$(_recon_min "$recon_base_kib" "$recon_kib")
		fi
		recon_once "$ddnsd" "$zone" "$n" "$work/reconcile-new.log"
		echo "reconcile round $r: ${recon_s} s, ${recon_kib} KiB" >&2
		recon_summary=$recon_line
		recon_new_s=$(_recon_min "$recon_new_s" "$recon_s")
		recon_new_kib=$(_recon_min "$recon_new_kib" "$recon_kib")
	done
	if [[ -n $base ]]; then
		recon_serve "$base" "$zone" "$n" "$work/serve-base.log"
		recon_base_hwm=$recon_hwm_kib
		echo "serve (baseline) with periodic reconcile: VmHWM ${recon_base_hwm} KiB; $recon_serve_line" >&2
	fi
	recon_serve "$ddnsd" "$zone" "$n" "$work/serve-new.log"
	recon_new_hwm=$recon_hwm_kib
	echo "serve with periodic reconcile: VmHWM ${recon_new_hwm} KiB; $recon_serve_line" >&2
}

_recon_min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }

# ---------------------------------------------------------------- standalone

recon_main() {
	local hosts=1000000 ddnsd='' base='' rounds=2 keep=0 root zone=recon.test work t
	while (($# > 0)); do
		case $1 in
		--hosts) hosts=${2:?--hosts needs a number}; shift ;;
		--ddnsd) ddnsd=$(_svc_abs "${2:?--ddnsd needs a path}"); shift ;;
		--baseline) base=$(_svc_abs "${2:?--baseline needs a path}"); shift ;;
		--rounds) rounds=${2:?--rounds needs a number}; shift ;;
		--keep) keep=1 ;;
		-h | --help) sed -n '4,22p' "$0"; exit 0 ;;
		*) echo "reconcile.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
		esac
		shift
	done
	[[ $hosts =~ ^[1-9][0-9]*$ && $hosts -gt $recon_drift ]] || { echo "reconcile.sh: --hosts: more than $recon_drift" >&2; exit 2; }
	root=$(cd "$recon_bench/../.." && pwd)
	svc_install_deps time
	if [[ -z $ddnsd ]]; then
		cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release \
			"-DCMAKE_C_FLAGS=-g -fno-omit-frame-pointer -Wno-error=maybe-uninitialized" >/dev/null
		cmake --build "$root/build-bench" -j"$(nproc)" --target ddnsd >/dev/null
		ddnsd=$root/build-bench/ddnsd
	fi
	work=$(mktemp -d /tmp/ddnsd-bench-recon.XXXXXX)
	chmod 755 "$work"
	# shellcheck disable=SC2064
	trap "recon_cleanup '$work' $keep" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	t=$EPOCHREALTIME
	svc_pg_start "$work/svc"
	# The zone file BIND starts from already holds every host's record.
	mkdir -p "$work/svc/bind/zones"
	{
		# shellcheck disable=SC2016
		printf '$TTL 60\n@\tIN SOA\tns1.%s. hostmaster.%s. ( 1 3600 600 86400 60 )\n' "$zone" "$zone"
		printf '@\tIN NS\tns1.%s.\nns1\tIN A\t127.0.0.1\n' "$zone"
		seq 1 "$hosts" | awk '{ printf "h%07d 60 IN A 192.0.2.1\n", $1 }'
	} >"$work/svc/bind/zones/$zone.db"
	svc_bind_start "$work/svc" "$zone"
	export DDNS_DATABASE_URL DDNS_TSIG_KEY_FILE
	unset DDNS_TOKEN_PEPPER
	"$ddnsd" migrate >/dev/null 2>&1
	"$ddnsd" zone add "$zone" --primary "$BIND_PRIMARY" --key ddnsd-key >/dev/null
	"$ddnsd" account add recon@example.com >/dev/null
	psql -X -q -A -t -v ON_ERROR_STOP=1 "$DDNS_DATABASE_URL" -c "
		INSERT INTO hosts (zone_id, account_id, fqdn, ipv4, version, pushed_version)
			SELECT z.id, a.id, 'h' || lpad(i::text, 7, '0') || '.$zone', '192.0.2.1', 1, 1
			FROM generate_series(1, $hosts) i, zones z, accounts a
			WHERE z.name = '$zone' AND a.email = 'recon@example.com';" \
		-c "VACUUM ANALYZE hosts"
	echo "seeded $hosts hosts (database and BIND) in $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $t }") s" >&2

	recon_figure "$zone" "$hosts" "$work" "$ddnsd" "$base" "$rounds"
	echo
	echo "reconcile, $hosts hosts, $recon_drift changed behind ddnsd's back, $(nproc) cores, best of $rounds"
	echo "  $recon_summary"
	printf '  %-10s %10s %14s %20s\n' "" "wall s" "max RSS MiB" "serve VmHWM MiB"
	[[ -z $base ]] || printf '  %-10s %10s %14s %20s\n' baseline "$recon_base_s" \
		"$(awk "BEGIN { printf \"%.1f\", $recon_base_kib / 1024 }")" \
		"$(awk "BEGIN { printf \"%.1f\", $recon_base_hwm / 1024 }")"
	printf '  %-10s %10s %14s %20s\n' measured "$recon_new_s" \
		"$(awk "BEGIN { printf \"%.1f\", $recon_new_kib / 1024 }")" \
		"$(awk "BEGIN { printf \"%.1f\", $recon_new_hwm / 1024 }")"
	[[ -z $base ]] || echo "  time / baseline: $(awk "BEGIN { printf \"%.2f\", $recon_new_s / $recon_base_s }")"
	echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

recon_cleanup() {
	set +e
	if [[ $2 == 1 ]]; then
		svc_stop_all "$1/svc"
		echo "reconcile.sh: kept $1" >&2
	else
		svc_purge "$1/svc"
		rm -rf "$1"
	fi
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	# shellcheck source=../../deploy/local/services.sh
	. "$recon_bench/../../deploy/local/services.sh"
	recon_main "$@"
fi
