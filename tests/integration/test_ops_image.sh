#!/bin/bash
# SPDX-License-Identifier: MIT
# The container image, built and run: a Debian 12 base made here
# (debootstrap, cached; tests/integration/podman.sh) under the names
# deploy/Dockerfile pulls, `podman build --pull=never --format docker`
# (the docker format keeps HEALTHCHECK), then the image's own `migrate`
# and `serve` on the host network, read-only, as user 10001, against the
# harness's PostgreSQL and BIND: an update reaches BIND, `podman
# healthcheck run` says healthy, `podman stop` (SIGTERM) exits 0.
# (deploy/compose.yaml is not run: its official images cannot be pulled
# here, and Debian 12's podman-compose 1.0.3 has no `config` command;
# test_ops_deploy.sh checks the file.)
# Where podman cannot run a container (not root, no podman, no runtime that
# works) the test says why and exits 77, which ctest reports as skipped.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/podman.sh"

SRC=${DDNS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
it_skip() {
	printf '\n*** SKIPPED: %s: %s\n*** The container image was NOT built or run.\n\n' "$IT_NAME" "$1"
	exit 77
}
pm_usable || it_skip "podman cannot run here (see above)"
pm_base_image || it_skip "no Debian 12 base image could be made (see above)"
pm_smoke || it_skip "podman cannot start a container here (see above)"
it_setup

TAG=localhost/ddnsd:it-$$
NAME=ddnsd-it-$$
it_on_exit "pm rm -f -t 0 $NAME >/dev/null 2>&1; pm rmi -f $TAG >/dev/null 2>&1"
t0=$EPOCHREALTIME
pm build --pull=never --format docker -f "$SRC/deploy/Dockerfile" -t "$TAG" "$SRC" \
	>"$IT_TMP/build.log" 2>&1 && rc=0 || rc=$?
t1=$EPOCHREALTIME
echo "podman build: $(((${t1/./} - ${t0/./}) / 1000)) ms"
[[ $rc == 0 ]] || tail -n 30 "$IT_TMP/build.log"
it_eq 0 "$rc" "podman build -f deploy/Dockerfile"
img=$(pm image inspect "$TAG" | jq -c '.[0]')
it_eq '["ddnsd"]|["serve"]|10001:10001' "$(jq -r '[(.Config.Entrypoint|tojson), (.Config.Cmd|tojson), .Config.User] | join("|")' <<<"$img")" "ENTRYPOINT, CMD, USER"
it_eq '["CMD","ddnsd","healthcheck"]' "$(jq -c .Healthcheck.Test <<<"$img")" "HEALTHCHECK kept (docker format)"
it_match '"8080/tcp"' "$(jq -c .Config.ExposedPorts <<<"$img")" "EXPOSE 8080"
it_eq "" "$(pm_run --rm --entrypoint /bin/sh --network none "$TAG" -c 'find /usr/include /src -type f 2>/dev/null | head -n 3; command -v cc gcc cmake' || true)" "no compiler, headers or sources in the runtime image"

# The key file readable by uid 10001 only through a read-only mount.
install -m 0444 "$DDNS_TSIG_KEY_FILE" "$IT_TMP/tsig.key"
RUN=(--network host --read-only --user 10001:10001 -v "$IT_TMP/tsig.key:/keys/tsig.key:ro"
	-e DDNS_DATABASE_URL="$DDNS_DATABASE_URL" -e DDNS_TSIG_KEY_FILE=/keys/tsig.key)
out=$(pm_run --rm "${RUN[@]}" "$TAG" migrate 2>&1) && rc=0 || rc=$?
it_match '^0 .*migrations: [1-9][0-9]* applied' "$rc $out" "the image's migrate"
fx_base
PORT=$(it_free_port)
pm_run -d --name "$NAME" "${RUN[@]}" -e DDNS_LISTEN="127.0.0.1:$PORT" \
	-e DDNS_PUSH_INTERVAL_MS=200 -e DDNS_SHUTDOWN_TIMEOUT=5 "$TAG" >/dev/null 2>"$IT_TMP/run.err" && rc=0 || rc=$?
[[ $rc == 0 ]] || cat "$IT_TMP/run.err"
it_eq 0 "$rc" "podman run -d ... serve"
DDNS_URL=http://127.0.0.1:$PORT
for ((i = 0; i < 100; i++)); do [[ $(fx_get /readyz 2>/dev/null) == 200* ]] && break; sleep 0.1; done
it_eq '200 {"status":"ready"}|' "$(fx_get /readyz)" "/readyz from the container"
it_eq "10001" "$(pm exec "$NAME" sh -c 'id -u' 2>/dev/null)" "runs as uid 10001"
it_fail pm exec "$NAME" touch /probe
it_eq "200 good 203.0.113.71|" "$(fx_get -u "$HOST_A:$TOK_A" "/nic/update?hostname=$HOST_A&myip=203.0.113.71")" "update through the container"
it_ok it_wait_dig "$HOST_A" A 203.0.113.71
it_eq "200 nochg 203.0.113.71|" "$(fx_get -u "$HOST_A:$TOK_A" "/nic/update?hostname=$HOST_A&myip=203.0.113.71")" "nochg"
hc=$(pm healthcheck run "$NAME" 2>&1) && rc=0 || rc=$?
it_eq "0 healthy" "$rc ${hc:-healthy}" "podman healthcheck run"
pm stop -t 15 "$NAME" >/dev/null
it_eq "0 exited" "$(pm inspect --format '{{.State.ExitCode}} {{.State.Status}}' "$NAME")" "podman stop (SIGTERM): exit 0"
pm logs "$NAME" >"$IT_TMP/ddnsd.log" 2>&1 || true
it_ok grep -qF '"ddnsd: stopped"' "$IT_TMP/ddnsd.log"
it_ok python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()]' "$IT_TMP/ddnsd.log"

it_done
