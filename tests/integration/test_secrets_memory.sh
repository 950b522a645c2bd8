#!/bin/bash
# SPDX-License-Identifier: MIT
# Secrets in the memory of `ddnsd serve`: DDNS_TOKEN_PEPPER,
# DDNS_METRICS_TOKEN and the password in DDNS_DATABASE_URL are gone from
# /proc/PID/environ (the environment block the kernel shows) while ddnsd
# still uses them (tokens verify, /metrics wants the token, later
# PostgreSQL connections work); and a sign-up password and a freshly minted
# account token are not left anywhere in the process's memory once their
# requests are over (read through /proc/PID/mem; the test runs as root,
# which PR_SET_DUMPABLE does not stop).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
PEPPER="pepper-canary-$RANDOM$RANDOM-0123456789"
MTOK="metrics-canary-$RANDOM$RANDOM-0123456789"
DBPW="dbpw-canary-$RANDOM$RANDOM-0123456789"
PW="signup-canary-$RANDOM$RANDOM-pw"
# The local PostgreSQL trusts loopback: the password is carried, not needed.
url="$DDNS_DATABASE_URL?password=$DBPW"
it_start_ddnsd DDNS_DATABASE_URL="$url" DDNS_TOKEN_PEPPER="$PEPPER" \
	DDNS_METRICS_TOKEN="$MTOK" DDNS_SIGNUP=open

env_has() { tr '\0' '\n' <"/proc/$DDNSD_PID/environ" | grep -cF -e "$1" || true; }
it_eq 0 "$(env_has "$PEPPER")" "DDNS_TOKEN_PEPPER's value is not in /proc/PID/environ"
it_eq 0 "$(env_has "$MTOK")" "DDNS_METRICS_TOKEN's value is not in /proc/PID/environ"
it_eq 0 "$(env_has "$DBPW")" "the database password is not in /proc/PID/environ"
it_eq 1 "$(env_has "DDNS_SIGNUP=open")" "(other variables stay: the check reads the right file)"

# Still in use: REST sign-up and a token (argon2id, pepper), a PostgreSQL
# connection made after start (readiness), /metrics behind its token.
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary "{\"email\":\"mem@example.com\",\"password\":\"$PW\"}" "$DDNS_URL/v1/accounts")
it_eq 201 "$code" "sign-up works"
tok=$(curl -s -u "mem@example.com:$PW" -H 'Content-Type: application/json' \
	--data-binary '{"name":"t","scopes":["read"]}' "$DDNS_URL/v1/tokens" | jq -r .token)
it_match '^dda_' "$tok" "an account token is minted"

# The secret part of the token (after the id) and the password, anywhere
# in readable memory. Our own copy of the token is in this shell only.
secret=${tok#dda_*_} # the secret itself may hold "_"
sleep 0.3
scan() {
	python3 - "$DDNSD_PID" "$@" <<'PY'
import re, sys
pid, needles = sys.argv[1], [n.encode() for n in sys.argv[2:]]
found = {n: 0 for n in needles}
CHUNK, OVER = 1 << 24, 64
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        if not m or m.group(3)[0] != "r":
            continue
        lo, hi = int(m.group(1), 16), int(m.group(2), 16)
        # [vvar] cannot be read; regions of 1 GiB and more are
        # AddressSanitizer's shadow (reserved, zero), not data.
        if "[vvar]" in line or "[vsyscall]" in line or hi - lo >= 1 << 30:
            continue
        pos, tail = lo, b""
        while pos < hi:
            try:
                mem.seek(pos)
                data = mem.read(min(CHUNK, hi - pos))
            except (OSError, ValueError, OverflowError):
                break
            if not data:
                break
            buf = tail + data
            for n in needles:
                found[n] += buf.count(n) - tail.count(n)
            tail = buf[-OVER:]
            pos += len(data)
print(" ".join(str(found[n]) for n in needles))
PY
}
# 16-byte pieces: a freed block loses its first bytes to the allocator.
got=$(scan "${secret:0:16}" "${secret: -16}" "${PW:0:16}" "${PW: -16}" "$MTOK")
it_eq "0 0 0 0" "${got% *}" "neither the new token nor the sign-up password is left in memory (pieces found: $got)"
it_match ' [1-9][0-9]*$' "$got" "the search works: the metrics token, still needed, is found"
it_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$DDNS_URL/v1/hosts")" "the token verifies (with the pepper)"
it_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$DDNS_URL/readyz")" "PostgreSQL reachable (the URL's private copy)"
it_eq 401 "$(curl -s -o /dev/null -w '%{http_code}' "$DDNS_URL/metrics")" "/metrics without the token: 401"
it_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $MTOK" "$DDNS_URL/metrics")" "/metrics with it: 200"

it_done
