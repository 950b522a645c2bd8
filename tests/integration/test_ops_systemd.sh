#!/bin/bash
# SPDX-License-Identifier: MIT
# deploy/systemd/: both units pass `systemd-analyze verify` without a word
# (ExecStart pointed at the built binary) and `systemd-analyze security`
# rates ddnsd.service's exposure low; the hardening an operator expects is
# there. ddnsd speaks the Type=notify protocol: READY=1 once it serves and
# STOPPING=1 on SIGTERM, to the socket in NOTIFY_SOCKET (a real AF_UNIX
# datagram socket here, as systemd makes one); the unit's ExecReload
# signal makes it read its key file again. The example environment file
# only sets variables ddnsd reads and README documents. The Debian package
# (cpack -G DEB from this build tree) holds the binary, the units, the
# environment file as a conffile, the docs, and depends on the libraries
# dpkg-shlibdeps found.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

SRC=${DDNS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
UNITS=$SRC/deploy/systemd
it_setup

# --- the units ------------------------------------------------------------------------
mkdir -p "$IT_TMP/units"
for u in ddnsd.service ddnsd-migrate.service; do
	sed "s|/usr/bin/ddnsd|$DDNSD|" "$UNITS/$u" >"$IT_TMP/units/$u"
done
out=$(cd "$IT_TMP/units" && systemd-analyze verify ddnsd.service ddnsd-migrate.service 2>&1) && rc=0 || rc=$?
it_eq "0 " "$rc $out" "systemd-analyze verify: both units clean"
# A unit with a mistake is reported: the check can fail.
printf '[Service]\nExecStart=%s serve\nProtectSystem=stricter\n' "$DDNSD" >"$IT_TMP/units/broken.service"
out=$(cd "$IT_TMP/units" && { systemd-analyze verify broken.service 2>&1 || true; })
it_match 'broken.service:3: .*stricter' "$out" "verify reports a bad value"
sec=$(systemd-analyze security --offline=yes "$IT_TMP/units/ddnsd.service" 2>&1 | sed -n 's/.*Overall exposure level for ddnsd.service: \([0-9.]*\).*/\1/p')
echo "systemd-analyze security: exposure $sec"
it_match '^[01]\.[0-9]$' "$sec" "exposure level below 2.0 (systemd-analyze security)"
unit=$(cat "$UNITS/ddnsd.service")
for d in Type=notify EnvironmentFile=/etc/ddnsd/ddnsd.env 'ExecStart=/usr/bin/ddnsd serve' \
	"ExecReload=/bin/kill -HUP \$MAINPID" DynamicUser=yes ProtectSystem=strict \
	NoNewPrivileges=yes 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
	SystemCallFilter=@system-service CapabilityBoundingSet= PrivateTmp=yes \
	ProtectHome=yes MemoryDenyWriteExecute=yes RestartPreventExitStatus=2 \
	Wants=network-online.target\ ddnsd-migrate.service; do
	it_ok grep -qxF -e "$d" <<<"$unit"
done
it_ok grep -qxF 'ExecStart=/usr/bin/ddnsd migrate' "$UNITS/ddnsd-migrate.service"
it_ok grep -qxF 'Type=oneshot' "$UNITS/ddnsd-migrate.service"

# --- the environment file ---------------------------------------------------------------
code=$(cat "$SRC"/*/*.c)
bad=""
for v in $(sed -n 's/^#\{0,1\}\(DDNS_[A-Z0-9_]*\)=.*/\1/p' "$UNITS/ddnsd.env"); do
	grep -qF "\"$v\"" <<<"$code" || bad+=" $v(not read)"
	grep -qF "| \`$v\` |" "$SRC/README.md" || bad+=" $v(not in README)"
done
it_eq "" "$bad" "every variable in ddnsd.env is read by ddnsd and documented"

# --- Type=notify and ExecReload -------------------------------------------------------
fx_base
cat >"$IT_TMP/notify.py" <<'PY'
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(30)
with open(out, 'a', buffering=1) as f:
    while True:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            break
        f.write(msg + '\n')
        if 'STOPPING=1' in msg:
            break
PY
python3 "$IT_TMP/notify.py" "$IT_TMP/notify.sock" "$IT_TMP/notify.log" &
NPID=$!
it_on_exit "kill $NPID 2>/dev/null"
for ((i = 0; i < 50; i++)); do [[ -S $IT_TMP/notify.sock ]] && break; sleep 0.1; done
it_start_ddnsd NOTIFY_SOCKET="$IT_TMP/notify.sock" DDNS_PUSH_INTERVAL_MS=200
for ((i = 0; i < 50; i++)); do grep -qx READY=1 "$IT_TMP/notify.log" 2>/dev/null && break; sleep 0.1; done
it_eq "READY=1" "$(cat "$IT_TMP/notify.log" 2>/dev/null)" "READY=1 once serving"
it_ok grep -qF '"ddnsd: serving"' "$IT_TMP/ddnsd.log"
# ExecReload, as systemd runs it ($MAINPID is the server).
MAINPID=$DDNSD_PID
reload=$(sed -n 's/^ExecReload=//p' "$UNITS/ddnsd.service")
reload=${reload//\$MAINPID/$MAINPID}
read -r -a reload_cmd <<<"$reload"
it_ok "${reload_cmd[@]}"
it_ok it_wait_log "SIGHUP: 1 TSIG keys loaded"
it_eq "200 good 203.0.113.61|" "$(fx_get -u "$HOST_A:$TOK_A" "/nic/update?hostname=$HOST_A&myip=203.0.113.61")" "serving after the reload"
it_ok it_wait_dig "$HOST_A" A 203.0.113.61
it_stop_ddnsd
it_eq 0 "$DDNSD_EXIT" "exit 0 on SIGTERM"
wait "$NPID" 2>/dev/null || true
it_eq "READY=1 STOPPING=1" "$(paste -sd' ' "$IT_TMP/notify.log")" "STOPPING=1 on SIGTERM"
# Without NOTIFY_SOCKET, or with one nobody listens on, ddnsd just serves.
it_start_ddnsd NOTIFY_SOCKET="$IT_TMP/nobody.sock"
it_eq '200 {"status":"alive"}|' "$(fx_get /healthz)" "a dead NOTIFY_SOCKET does not matter"
it_stop_ddnsd

# --- the Debian package ---------------------------------------------------------------
BUILD=$(dirname "$DDNSD")
it_ok test -f "$BUILD/CPackConfig.cmake"
(cd "$BUILD" && cpack -G DEB -B "$IT_TMP/pkg") >"$IT_TMP/cpack.log" 2>&1 && rc=0 || rc=$?
it_eq 0 "$rc" "cpack -G DEB"
[[ $rc == 0 ]] || tail -n 20 "$IT_TMP/cpack.log"
debs=("$IT_TMP"/pkg/ddnsd_*.deb)
DEB=${debs[0]}
it_match '/ddnsd_[0-9.]+_amd64\.deb$' "$DEB" "a .deb was made"
contents=$(dpkg-deb -c "$DEB" | awk '{ print $1, $6 }')
for f in '-rwxr-xr-x ./usr/bin/ddnsd' '-rw-r--r-- ./lib/systemd/system/ddnsd.service' \
	'-rw-r--r-- ./lib/systemd/system/ddnsd-migrate.service' '-rw-r----- ./etc/ddnsd/ddnsd.env' \
	'-rw-r--r-- ./usr/share/doc/ddnsd/README.md' '-rw-r--r-- ./usr/share/doc/ddnsd/copyright' \
	'-rw-r--r-- ./usr/share/doc/ddnsd/examples/alerts.yaml' \
	'-rw-r--r-- ./usr/share/doc/ddnsd/examples/ddnsd.json'; do
	it_ok grep -qxF -e "$f" <<<"$contents"
done
it_eq "/etc/ddnsd/ddnsd.env" "$(dpkg-deb -I "$DEB" conffiles)" "the environment file is a conffile"
deps=$(dpkg-deb -f "$DEB" Depends)
for p in libmicrohttpd12 libpq5 libjansson4 libsodium23 libc6 passwd; do
	it_match "(^|, )$p( |,|$)" "$deps" "Depends: $p"
done
mkdir -p "$IT_TMP/x"
dpkg-deb -x "$DEB" "$IT_TMP/x"
it_ok cmp "$IT_TMP/x/lib/systemd/system/ddnsd.service" "$UNITS/ddnsd.service"
it_eq "$(sha256sum <"$DDNSD")" "$(sha256sum <"$IT_TMP/x/usr/bin/ddnsd")" "the package holds this build's binary"
dpkg-deb -e "$DEB" "$IT_TMP/ctl"
for s in postinst prerm postrm; do it_ok sh -n "$IT_TMP/ctl/$s"; done
it_done
