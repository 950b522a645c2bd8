#!/bin/bash
# SPDX-License-Identifier: MIT
# The Debian package in a clean Debian 12: cpack -G DEB from this build
# tree, `apt-get install ./ddnsd_*.deb` in a container of the debootstrap
# base (tests/integration/podman.sh; apt fetches the dependencies from the
# machine's Debian mirror), which must create the user, install the units
# and the conffile with their modes; then ddnsd, configured by the
# package's /etc/ddnsd/ddnsd.env, runs there as user ddnsd (host network,
# against the harness's PostgreSQL and BIND): migrate, serve, an update
# reaches BIND, SIGTERM exits 0; and `apt-get purge` removes it.
# Exit 77 (skipped) with the reason where podman cannot run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/podman.sh"

it_skip() {
	printf '\n*** SKIPPED: %s: %s\n*** The package was NOT installed or run.\n\n' "$IT_NAME" "$1"
	exit 77
}
pm_usable || it_skip "podman cannot run here (see above)"
pm_base_image || it_skip "no Debian 12 base image could be made (see above)"
pm_smoke || it_skip "podman cannot start a container here (see above)"
it_setup

BUILD=$(dirname "$DDNSD")
(cd "$BUILD" && cpack -G DEB -B "$IT_TMP/pkg") >"$IT_TMP/cpack.log" 2>&1 && rc=0 || rc=$?
[[ $rc == 0 ]] || tail -n 20 "$IT_TMP/cpack.log"
it_eq 0 "$rc" "cpack -G DEB"
debs=("$IT_TMP"/pkg/ddnsd_*.deb)
cp "${debs[0]}" "$IT_TMP/ddnsd.deb"
install -m 0644 "$DDNS_TSIG_KEY_FILE" "$IT_TMP/tsig.key"
fx_base
PORT=$(it_free_port)
NAME=ddnsd-pkg-$$
it_on_exit "pm rm -f -t 0 $NAME >/dev/null 2>&1"

# Inside: install, show what the package made, configure the conffile as an
# operator would, then run ddnsd as user ddnsd with exactly that file.
# Started a second time (podman start), it purges the package instead.
cat >"$IT_TMP/inside.sh" <<'SH'
set -eu
export DEBIAN_FRONTEND=noninteractive
if dpkg -s ddnsd >/dev/null 2>&1; then
	apt-get purge -y -q ddnsd >/tmp/apt.log 2>&1 || { tail -n 5 /tmp/apt.log; exit 1; }
	echo "after purge:" $(ls -d /usr/bin/ddnsd /lib/systemd/system/ddnsd.service \
		/lib/systemd/system/ddnsd-migrate.service /etc/ddnsd/* 2>/dev/null)
	exit 0
fi
# The machine's package lists (same sources as this image) save an
# `apt-get update`; without them, or when they are stale, it runs.
[ ! -d /host-lists ] || cp -a /host-lists/. /var/lib/apt/lists/ 2>/dev/null || true
if ! apt-get install -y -q --no-install-recommends /it/ddnsd.deb >/tmp/apt.log 2>&1; then
	apt-get update -q >>/tmp/apt.log 2>&1 || { tail -n 5 /tmp/apt.log; exit 1; }
	apt-get install -y -q --no-install-recommends /it/ddnsd.deb >>/tmp/apt.log 2>&1 || { tail -n 20 /tmp/apt.log; exit 1; }
fi
echo "user: $(id -u ddnsd >/dev/null && getent passwd ddnsd | cut -d: -f1,7)"
echo "etc: $(stat -c '%a %U:%G' /etc/ddnsd) $(stat -c '%a %U:%G' /etc/ddnsd/ddnsd.env)"
echo "units: $(ls /lib/systemd/system/ddnsd*.service | tr '\n' ' ')"
echo "conffiles: $(cat /var/lib/dpkg/info/ddnsd.conffiles)"
install -m 0640 -g ddnsd /it/tsig.key /etc/ddnsd/tsig.key
sed -i -e "s|^DDNS_DATABASE_URL=.*|DDNS_DATABASE_URL=$URL|" \
	-e "s|^DDNS_LISTEN=.*|DDNS_LISTEN=127.0.0.1:$PORT|" /etc/ddnsd/ddnsd.env
echo DDNS_PUSH_INTERVAL_MS=200 >>/etc/ddnsd/ddnsd.env
# EnvironmentFile= semantics for these plain NAME=value lines.
set -a; . /etc/ddnsd/ddnsd.env; set +a
# setpriv execs (runuser would stay as the parent and die of SIGTERM).
asddnsd() { setpriv --reuid=ddnsd --regid=ddnsd --init-groups "$@"; }
asddnsd /usr/bin/ddnsd migrate
echo "serving"
exec setpriv --reuid=ddnsd --regid=ddnsd --init-groups /usr/bin/ddnsd serve
SH
lists=()
[[ ! -d /var/lib/apt/lists ]] || lists=(-v /var/lib/apt/lists:/host-lists:ro)
pm_run -d --name "$NAME" --network host -v "$IT_TMP:/it:ro" "${lists[@]}" \
	-e URL="$DDNS_DATABASE_URL" -e PORT="$PORT" \
	${ASAN_OPTIONS:+-e ASAN_OPTIONS="$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+-e UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
	"$PM_BASE:12" sh /it/inside.sh >/dev/null
DDNS_URL=http://127.0.0.1:$PORT
for ((i = 0; i < 1200; i++)); do
	[[ $(fx_get /readyz 2>/dev/null) == 200* ]] && break
	[[ $(pm inspect --format '{{.State.Running}}' "$NAME") == true ]] || break
	sleep 0.1
done
pm logs "$NAME" >"$IT_TMP/inside.log" 2>&1 || true
grep -v '^{' "$IT_TMP/inside.log" || true
log=$(cat "$IT_TMP/inside.log")
it_match $'user: ddnsd:/usr/sbin/nologin' "$log" "postinst made the system user"
it_match $'etc: 750 root:ddnsd 640 root:ddnsd' "$log" "/etc/ddnsd and the env file: root:ddnsd, 0750/0640"
it_match 'units: /lib/systemd/system/ddnsd-migrate.service /lib/systemd/system/ddnsd.service' "$log" "units installed"
it_match 'conffiles: /etc/ddnsd/ddnsd.env' "$log" "conffile registered"
it_match 'migrations: [0-9]+ applied, [1-9][0-9]* known' "$log" "ddnsd migrate from the package"
it_eq '200 {"status":"ready"}|' "$(fx_get /readyz)" "ddnsd from the package is ready"
it_eq "ddnsd /usr/bin/ddnsd serve" "$(pm exec "$NAME" sh -c 'echo $(stat -c %U /proc/1) $(tr "\0" " " </proc/1/cmdline)')" "serve runs as user ddnsd (PID 1 of the container)"
it_eq "200 good 203.0.113.81|" "$(fx_get -u "$HOST_A:$TOK_A" "/nic/update?hostname=$HOST_A&myip=203.0.113.81")" "update through the packaged ddnsd"
it_ok it_wait_dig "$HOST_A" A 203.0.113.81
pm stop -t 15 "$NAME" >/dev/null
it_eq 0 "$(pm inspect --format '{{.State.ExitCode}}' "$NAME")" "SIGTERM: exit 0"
pm logs "$NAME" 2>&1 | grep -qF '"ddnsd: stopped"' && rc=0 || rc=$?
it_eq 0 "$rc" "ddnsd logged its clean stop"

# Removal, in the same container: purge leaves no binary, unit or
# conffile; the key file the operator added stays, as dpkg does.
out=$(pm start -a "$NAME" 2>&1 | grep -v '^{') || true
it_eq "after purge: /etc/ddnsd/tsig.key" "$out" "apt-get purge removes the binary, the units and the conffile"
it_done
