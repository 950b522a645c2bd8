#!/bin/bash
# SPDX-License-Identifier: MIT
# /metrics in strict Prometheus text format (counters move with updates,
# optional bearer token), JSON log lines that parse and hold no secret,
# X-Request-Id accepted or generated, DDNS_LOG_FORMAT=text.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
MTOK="metrics-$RANDOM-$RANDOM-secret"
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_METRICS_TOKEN="$MTOK"
A=$HOST_A

# Strict parser for the text exposition format 0.0.4: every line is a
# HELP, a TYPE or a sample; names and labels are well formed; a family's
# TYPE comes once, before its samples, which are contiguous; histograms
# have cumulative buckets ending in +Inf = _count. Prints "series value".
cat >"$IT_TMP/promparse.py" <<'EOF'
import re, sys
NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(r'^(' + NAME + r')(?:\{(' + LABEL + r'(?:,' + LABEL + r')*)?,?\})? (\S+)(?: -?\d+)?$')
VALUE = re.compile(r'^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)|[+-]Inf|NaN)$')
types, done, cur, out, buckets = {}, set(), None, [], {}
def fail(msg, line):
    sys.exit('promparse: %s: %r' % (msg, line))
text = sys.stdin.read()
if not text.endswith('\n'):
    fail('no final newline', text[-40:])
for line in text.split('\n')[:-1]:
    if line.startswith('# HELP '):
        if not re.match(r'^# HELP ' + NAME + r' .*$', line): fail('bad HELP', line)
        continue
    if line.startswith('# TYPE '):
        m = re.match(r'^# TYPE (' + NAME + r') (counter|gauge|histogram|summary|untyped)$', line)
        if not m: fail('bad TYPE', line)
        if m.group(1) in types: fail('TYPE twice', line)
        types[m.group(1)] = m.group(2)
        continue
    if line.startswith('#') or line == '': fail('unexpected line', line)
    m = SAMPLE.match(line)
    if not m: fail('bad sample', line)
    name, value = m.group(1), m.group(m.lastindex)
    if not VALUE.match(value): fail('bad value', line)
    fam = name
    for suf in ('_bucket', '_sum', '_count'):
        if name.endswith(suf) and types.get(name[:-len(suf)]) == 'histogram':
            fam = name[:-len(suf)]
    if fam not in types: fail('sample before its TYPE', line)
    if fam != cur:
        if fam in done: fail('family not contiguous', line)
        if cur: done.add(cur)
        cur = fam
    labels = dict(re.findall(LABEL, m.group(2) or ''))
    if types[fam] == 'counter' and not name.endswith('_total'): fail('counter without _total', line)
    if types[fam] == 'counter' and float(value) < 0: fail('negative counter', line)
    if name.endswith('_bucket'):
        le = labels.get('le')
        if le is None: fail('bucket without le', line)
        prev = buckets.setdefault(fam, [])
        if prev and (float(le) <= prev[-1][0] or float(value) < prev[-1][1]): fail('buckets not cumulative', line)
        prev.append((float(le), float(value)))
    if name.endswith('_count') and fam in buckets:
        if buckets[fam][-1][0] != float('inf') or buckets[fam][-1][1] != float(value): fail('+Inf bucket != _count', line)
    series = name + ('{' + ','.join('%s="%s"' % kv for kv in sorted(labels.items())) + '}' if labels else '')
    out.append('%s %s' % (series, value))
print('\n'.join(out))
EOF
metrics() { curl -sf -H "Authorization: Bearer $MTOK" "$DDNS_URL/metrics" | python3 "$IT_TMP/promparse.py"; }
# m SERIES: the value of one series (0 if absent).
m() { metrics | awk -v s="$1" '$1 == s { v = $2 } END { print v + 0 }'; }

# --- /metrics access ---------------------------------------------------------
it_eq 401 "$(curl -s -o /dev/null -w '%{http_code}' "$DDNS_URL/metrics")" "/metrics without the token: 401"
it_eq 401 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer x$MTOK" "$DDNS_URL/metrics")" "/metrics with a wrong token: 401"
it_eq 401 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${MTOK:0:10}" "$DDNS_URL/metrics")" "/metrics with a token prefix: 401"
it_match '^text/plain; version=0.0.4' "$(curl -s -o /dev/null -w '%{content_type}' -H "Authorization: Bearer $MTOK" "$DDNS_URL/metrics")" "/metrics content type"
it_ok metrics >/dev/null
parse_text() { printf '%s\n' "$1" | python3 "$IT_TMP/promparse.py" >/dev/null 2>&1; }
it_fail parse_text "garbage 1 2 3"
it_fail parse_text $'# TYPE x_total counter\nx_total{a="1} 3'
it_fail parse_text $'y_total 1\n# TYPE y_total counter'

series=$(metrics | awk '{ print $1 }')
for s in ddnsd_http_request_duration_seconds_count ddnsd_dns_pending_hosts ddnsd_dns_oldest_pending_seconds \
	ddnsd_db_connection_errors_total ddnsd_ready ddnsd_http_requests_in_flight \
	'ddnsd_token_verifications_total{result="ok"}' 'ddnsd_dns_push_batches_total{outcome="ok"}' \
	'ddnsd_dns_push_changes_total{outcome="dns_error"}' 'ddnsd_http_request_duration_seconds_bucket{le="+Inf"}'; do
	it_ok grep -qxF -- "$s" <<<"$series"
done

# --- counters move --------------------------------------------------------------
good0=$(m 'ddnsd_nic_update_results_total{code="good"}')
nochg0=$(m 'ddnsd_nic_update_results_total{code="nochg"}')
bad0=$(m 'ddnsd_nic_update_results_total{code="badauth"}')
ok0=$(m 'ddnsd_http_requests_total{route="/nic/update",status="200"}')
r401=$(m 'ddnsd_http_requests_total{route="/nic/update",status="401"}')
hc0=$(m ddnsd_http_request_duration_seconds_count)
tok0=$(m 'ddnsd_token_verifications_total{result="ok"}')
tokf0=$(m 'ddnsd_token_verifications_total{result="fail"}')
push0=$(m 'ddnsd_dns_push_changes_total{outcome="ok"}')

it_eq "200 good 203.0.113.50|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=203.0.113.50")" "update: good"
it_eq "200 nochg 203.0.113.50|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=203.0.113.50")" "update: nochg"
WRONG=${TOK_A:0:25}${TOK_B:25} # well formed: A's id, B's secret
it_eq "401 badauth|" "$(fx_get "/nic/update?hostname=$A&myip=203.0.113.51&password=$WRONG")" "update: badauth (secret in the query)"
it_ok it_wait_dig "$A" A 203.0.113.50

it_eq $((good0 + 1)) "$(m 'ddnsd_nic_update_results_total{code="good"}')" "good counted"
it_eq $((nochg0 + 1)) "$(m 'ddnsd_nic_update_results_total{code="nochg"}')" "nochg counted"
it_eq $((bad0 + 1)) "$(m 'ddnsd_nic_update_results_total{code="badauth"}')" "badauth counted"
it_eq $((ok0 + 2)) "$(m 'ddnsd_http_requests_total{route="/nic/update",status="200"}')" "requests by route and status (200)"
it_eq $((r401 + 1)) "$(m 'ddnsd_http_requests_total{route="/nic/update",status="401"}')" "requests by route and status (401)"
it_eq $((tok0 + 2)) "$(m 'ddnsd_token_verifications_total{result="ok"}')" "token verifications ok"
it_eq $((tokf0 + 1)) "$(m 'ddnsd_token_verifications_total{result="fail"}')" "token verifications failed"
hc1=$(m ddnsd_http_request_duration_seconds_count)
it_ok test "$hc1" -ge $((hc0 + 3))
# The pusher marks after NOERROR; the counter follows right after.
for ((i = 0; i < 50; i++)); do
	push1=$(m 'ddnsd_dns_push_changes_total{outcome="ok"}')
	((push1 > push0)) && break
	sleep 0.1
done
it_ok test "$push1" -gt "$push0"
# Unknown paths share one series: no cardinality from clients.
curl -s -o /dev/null "$DDNS_URL/no/such/$RANDOM"
curl -s -o /dev/null "$DDNS_URL/other/$RANDOM"
it_eq 0 "$(metrics | grep -c 'no/such\|other/' || true)" "unknown paths do not become label values"
it_ok test "$(m 'ddnsd_http_requests_total{route="other",status="404"}')" -ge 2

# --- readiness ------------------------------------------------------------------
it_eq '200 {"status":"ready"}|' "$(fx_get /readyz)" "/readyz: ready"
it_eq '200 {"status":"alive"}|' "$(fx_get /healthz)" "/healthz: alive"
it_eq 1 "$(m ddnsd_ready)" "ddnsd_ready gauge"

# --- request ids ----------------------------------------------------------------
hdr=$(curl -s -D - -o /dev/null -H 'X-Request-Id: ops-test-42' "$DDNS_URL/healthz" | tr -d '\r')
it_match $'X-Request-Id: ops-test-42\n' "$hdr"$'\n' "client X-Request-Id echoed"
hdr=$(curl -s -D - -o /dev/null -H 'X-Request-Id: bad id"with<junk>' "$DDNS_URL/healthz" | tr -d '\r')
gen=$(printf '%s\n' "$hdr" | sed -n 's/^X-Request-Id: //p')
it_match '^[0-9a-f]{32}$' "$gen" "unsafe X-Request-Id replaced by a generated one"
hdr=$(curl -s -D - -o /dev/null -u "$A:$TOK_A" "$DDNS_URL/nic/update?hostname=$A&myip=203.0.113.52" | tr -d '\r')
upd_id=$(printf '%s\n' "$hdr" | sed -n 's/^X-Request-Id: //p')
it_match '^[0-9a-f]{32}$' "$upd_id" "generated X-Request-Id on an update"
# 200 requests over a few connections (so over the HTTP threads): no
# generated id repeats.
for ((i = 0; i < 4; i++)); do
	curl -s -D - -o /dev/null $(printf "$DDNS_URL/healthz %.0s" $(seq 1 50)) >"$IT_TMP/ids.$i" &
done
wait
ids=$(cat "$IT_TMP"/ids.[0-3] | tr -d '\r' | sed -n 's/^X-Request-Id: //p')
it_eq "200 200" "$(printf '%s\n' "$ids" | grep -c -E '^[0-9a-f]{32}$') $(printf '%s\n' "$ids" | sort -u | wc -l)" "200 generated ids, all distinct"

# --- JSON logs --------------------------------------------------------------------
sleep 0.2
LOG=$IT_TMP/ddnsd.log
it_ok python3 - "$LOG" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1], encoding='utf-8'):
    o = json.loads(line)
    assert isinstance(o, dict), line
    for k in ('ts', 'level', 'msg'):
        assert k in o, (k, line)
    assert o['level'] in ('debug', 'info', 'warn', 'error'), line
    n += 1
assert n > 10, n
EOF
line=$(grep -F '"request_id":"ops-test-42"' "$LOG" || true)
it_match '"msg":"request"' "$line" "access line carries the client's request id"
upd=$(grep -F "\"request_id\":\"$upd_id\"" "$LOG" || true)
it_ok python3 - "$upd" "$A" <<'EOF'
import json, sys
o = json.loads(sys.argv[1])
assert o['msg'] == 'request' and o['method'] == 'GET', o
assert o['path'] == '/nic/update' and o['route'] == '/nic/update', o
assert o['status'] == 200 and o['result'] == 'good', o
assert isinstance(o['duration_ms'], float) and o['duration_ms'] >= 0, o
assert o['client'] == '127.0.0.1' and o['host'] == sys.argv[2], o
assert isinstance(o['account_id'], int) and o['account_id'] > 0, o
EOF
# No secret anywhere: host tokens (whole and secret part), the wrong token
# sent in a query string, the metrics token, the TSIG secret.
tsig=$(sed -n 's/.*secret "\([^"]*\)".*/\1/p' "$DDNS_TSIG_KEY_FILE" | head -n 1)
for secret in "$TOK_A" "${TOK_A:25}" "$WRONG" "${TOK_B:25}" "$MTOK" "$tsig" "password="; do
	it_eq 0 "$(grep -cF -- "$secret" "$LOG" || true)" "log holds no secret (${secret:0:6}...)"
done
# Metrics hold no secret or host name either.
it_eq 0 "$(metrics | grep -cF -e "$A" -e "${TOK_A:25}" -e "$MTOK" || true)" "metrics hold no token or host name"

# --- text format and bad values ------------------------------------------------------
it_stop_ddnsd
it_eq 0 "$DDNSD_EXIT" "SIGTERM: exit 0"
: >"$LOG"
it_start_ddnsd DDNS_LOG_FORMAT=text
curl -s -o /dev/null -H 'X-Request-Id: text-1' "$DDNS_URL/healthz"
sleep 0.2
line=$(grep -F 'request_id=text-1' "$LOG" || true)
it_match '^[0-9T:.-]+Z info request .*status=200' "$line" "DDNS_LOG_FORMAT=text: one readable line"
it_fail python3 -c 'import json,sys; json.loads(sys.argv[1])' "$line" 2>/dev/null
it_stop_ddnsd
rc=0
out=$(DDNS_LOG_FORMAT=yaml DDNS_LISTEN=127.0.0.1:1 "$DDNSD" serve 2>&1) || rc=$?
it_eq 2 "$rc" "DDNS_LOG_FORMAT=yaml: exit 2"
it_match 'DDNS_LOG_FORMAT' "$out" "the message names DDNS_LOG_FORMAT"
rc=0
out=$(DDNS_SHUTDOWN_TIMEOUT=-1 DDNS_LISTEN=127.0.0.1:1 "$DDNSD" serve 2>&1) || rc=$?
it_eq 2 "$rc" "DDNS_SHUTDOWN_TIMEOUT=-1: exit 2"
it_match 'DDNS_SHUTDOWN_TIMEOUT' "$out" "the message names DDNS_SHUTDOWN_TIMEOUT"

it_done
