#!/bin/bash
# SPDX-License-Identifier: MIT
# The benchmark in smoke mode (tests/bench/run.sh --smoke): a few seconds,
# 200 hosts, its own PostgreSQL and BIND. No assertion on speed: only that
# every step ran, answered correctly and produced numbers, and that
# bench-results.json is valid JSON.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

root=$(cd "$IT_LIB_DIR/../.." && pwd)
[[ -n ${DDNSD:-} && -x $DDNSD ]] || { echo "DDNSD='${DDNSD:-}' is not an executable" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ddnsd-bench-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

rc=0
(cd "$tmp" && "$root/tests/bench/run.sh" --smoke --ddnsd "$DDNSD") >"$tmp/out.txt" 2>&1 || rc=$?
it_eq 0 "$rc" "run.sh --smoke exits 0"
[[ $rc == 0 ]] || tail -n 40 "$tmp/out.txt" >&2
out=$(cat "$tmp/out.txt")
for step in "1. HTTP ceiling" "3. good" "4. DNS push" "5. update -> visible" "7. update -> served by a BIND secondary"; do
	it_match "=== $step" "$out" "step ran: $step"
done
it_match "\\| 2\\. nochg +\\| [0-9]+ req/s, p50 [0-9.]+ ms, p99 [0-9.]+ ms" "$out" "table row: nochg"
it_match "\\|    push / nsupdate +\\| [0-9.e+]+ " "$out" "table row: push / nsupdate"
it_ok test -s "$tmp/bench-results.json"

# Valid JSON, every figure a number, and the correctness side of each step.
check=$(python3 - "$tmp/bench-results.json" <<-'EOF'
	import json, sys
	r = json.load(open(sys.argv[1]))
	num = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
	bad = []
	for path in ["ceiling.rps", "ceiling.p99_us", "nochg.rps", "nochg.p50_us",
	             "nochg.p99_us", "nochg.ratio_to_ceiling", "nochg.rss_kib",
	             "good.accepted_per_s", "good.all_in_dns_after_s",
	             "good.changes_per_wal_sync", "push.per_s", "push.nsupdate_per_s",
	             "push.ratio", "latency.visible_p50_us", "latency.visible_p99_us"]:
	    v = r
	    for k in path.split("."):
	        v = v.get(k) if isinstance(v, dict) else None
	    if not num(v) or v < 0:
	        bad.append(path)
	# CPU per request from /proc: every server, PostgreSQL and client
	# that ran used some (0 would mean a process that was not found).
	cpu = r["cpu_us_per_request"]
	for run, side in [("ceiling", "server"), ("ceiling", "client"),
	                  ("nochg", "server"), ("nochg", "postgres"),
	                  ("nochg", "client"), ("good", "server"),
	                  ("good", "postgres"), ("pgbench", "postgres"),
	                  ("pgbench", "client")]:
	    if not num(cpu[run][side]) or cpu[run][side] <= 0:
	        bad.append("cpu_us_per_request.%s.%s" % (run, side))
	if r["nochg"]["non2xx"] or r["nochg"]["errors"]:
	    bad.append("nochg answered errors")
	if r["good"]["non2xx"] or r["good"]["errors"] or r["good"]["accepted"] <= 0:
	    bad.append("good answered errors or accepted nothing")
	lat = r["latency"]
	if not (lat["sent"] == lat["good"] == lat["visible"] > 0 and lat["lost"] == 0):
	    bad.append("latency: not every change was good and visible")
	sec = r["secondary"]
	if not (sec["sent"] == sec["good"] == sec["visible"] > 0 and sec["lost"] == 0):
	    bad.append("secondary: not every change was good and served by the secondary")
	print(" ".join(bad) or "ok")
EOF
) || check="python3 failed"
it_eq ok "$check" "bench-results.json: valid JSON, numbers, every change accepted and visible"
it_done
