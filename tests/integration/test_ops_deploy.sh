#!/bin/bash
# SPDX-License-Identifier: MIT
# deploy/: runs the exact ENTRYPOINT + CMD of deploy/Dockerfile outside a
# container, as user nobody, from a read-only working directory, configured
# by the environment only (the Dockerfile's ENV plus the deployment's
# variables), and checks /healthz, /readyz, an update reaching DNS, the
# HEALTHCHECK command and a clean SIGTERM; that the image's stages install
# every library the binary loads and CMake requires (from ldd, dpkg and
# apt-cache: no engine needed). Then validates compose.yaml and
# the Kubernetes manifests (YAML, the essentials, every DDNS_* variable
# they set is one the binary reads and README documents) and the compose
# BIND configuration with named-checkconf.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

SRC=${DDNS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
it_setup
fx_base

# --- the Dockerfile's command --------------------------------------------------------
python3 - "$SRC/deploy/Dockerfile" >"$IT_TMP/docker.env" <<'EOF'
import json, re, shlex, sys
text = re.sub(r'\\\n', ' ', open(sys.argv[1]).read())
stage, out = 0, {}
for line in text.splitlines():
    line = line.strip()
    m = re.match(r'(FROM|ENTRYPOINT|CMD|ENV|USER|HEALTHCHECK|EXPOSE)\s+(.*)', line)
    if not m:
        continue
    kw, rest = m.groups()
    if kw == 'FROM':
        stage += 1
        out = {'ENV': []}
        continue
    if kw in ('ENTRYPOINT', 'CMD'):
        out[kw] = json.loads(rest)          # exec form only
    elif kw == 'ENV':
        out['ENV'] += shlex.split(rest)
    elif kw == 'HEALTHCHECK':
        out[kw] = json.loads(rest[rest.index('CMD') + 3:].strip())
    else:
        out[kw] = rest
for k in ('ENTRYPOINT', 'CMD', 'HEALTHCHECK', 'USER', 'EXPOSE'):
    assert k in out, 'final stage has no ' + k
print('STAGES=%d' % stage)
print('ENTRYPOINT=(%s)' % ' '.join(shlex.quote(a) for a in out['ENTRYPOINT']))
print('CMD=(%s)' % ' '.join(shlex.quote(a) for a in out['CMD']))
print('HEALTHCHECK=(%s)' % ' '.join(shlex.quote(a) for a in out['HEALTHCHECK']))
print('IMAGE_ENV=(%s)' % ' '.join(shlex.quote(a) for a in out['ENV']))
print('IMG_USER=%s' % shlex.quote(out['USER']))
print('EXPOSE=%s' % shlex.quote(out['EXPOSE']))
EOF
. "$IT_TMP/docker.env"
it_ok test "$STAGES" -ge 2
it_eq "ddnsd" "${ENTRYPOINT[*]}" "ENTRYPOINT is ddnsd"
it_eq "serve" "${CMD[*]}" "CMD is serve"
it_eq 8080 "$EXPOSE" "EXPOSE 8080"
it_match '^[1-9][0-9]*(:[0-9]+)?$' "$IMG_USER" "image runs as a numeric non-root user"
it_match '^FROM debian:12-slim' "$(grep '^FROM' "$SRC/deploy/Dockerfile" | tail -n 1)" "runtime stage is debian:12-slim"

# The binary on PATH as the image has it; a read-only working directory.
mkdir -p "$IT_TMP/bin" "$IT_TMP/ro"
cp "$DDNSD" "$IT_TMP/bin/ddnsd"
cp "$DDNS_TSIG_KEY_FILE" "$IT_TMP/ro/tsig.key"
chmod 0755 "$IT_TMP/bin" "$IT_TMP/bin/ddnsd"
chmod 0444 "$IT_TMP/ro/tsig.key"
chmod 0555 "$IT_TMP/ro"
asnobody() { (cd "$IT_TMP/ro" && setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"); }
it_fail asnobody touch "$IT_TMP/ro/probe"
PORT=$(it_free_port)
RUNENV=(env -i PATH="$IT_TMP/bin:/usr/bin:/bin" HOME=/nonexistent "${IMAGE_ENV[@]}"
	DDNS_LISTEN="127.0.0.1:$PORT" DDNS_DATABASE_URL="$DDNS_DATABASE_URL"
	DDNS_TSIG_KEY_FILE="$IT_TMP/ro/tsig.key" DDNS_PUSH_INTERVAL_MS=200
	${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS})
(
	asnobody "${RUNENV[@]}" "${ENTRYPOINT[@]}" "${CMD[@]}" </dev/null >"$IT_TMP/image.log" 2>&1 &
	echo $! >"$IT_TMP/image.pid"
	wait $! && rc=0 || rc=$?
	echo "$rc" >"$IT_TMP/image.rc"
) </dev/null >/dev/null 2>&1 &
for ((i = 0; i < 150; i++)); do
	(: >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
	sleep 0.1
done
# The subshell of asnobody is the recorded pid; the server is ddnsd.
SERVER=$(pgrep -f "^ddnsd serve" -U nobody | head -n 1 || true)
it_on_exit "[[ -z '$SERVER' ]] || kill -TERM '$SERVER' 2>/dev/null"
DDNS_URL=http://127.0.0.1:$PORT
it_eq nobody "$(ps -o user= -p "${SERVER:-1}" | tr -d ' ')" "server runs as nobody"
it_eq "$IT_TMP/ro" "$(readlink "/proc/${SERVER:-1}/cwd")" "server runs in the read-only directory"
it_eq '200 {"status":"alive"}|' "$(fx_get /healthz)" "/healthz from the image command"
for ((i = 0; i < 50; i++)); do [[ $(fx_get /readyz) == 200* ]] && break; sleep 0.1; done
it_eq '200 {"status":"ready"}|' "$(fx_get /readyz)" "/readyz from the image command"
it_eq "200 good 203.0.113.91|" "$(fx_get -u "$HOST_A:$TOK_A" "/nic/update?hostname=$HOST_A&myip=203.0.113.91")" "update accepted"
it_ok it_wait_dig "$HOST_A" A 203.0.113.91
it_ok asnobody "${RUNENV[@]}" "${HEALTHCHECK[@]}"
it_ok python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$IT_TMP/image.log"
kill -TERM "$SERVER"
for ((i = 0; i < 150; i++)); do [[ -s $IT_TMP/image.rc ]] && break; sleep 0.1; done
it_eq 0 "$(cat "$IT_TMP/image.rc" 2>/dev/null)" "SIGTERM: exit 0"
it_fail asnobody "${RUNENV[@]}" "${HEALTHCHECK[@]}"

# --- the runtime stage has every library the binary loads ---------------------------
# Each shared object ldd resolves must come from a package that the final
# stage installs, one of their dependencies, or the slim base (packages of
# Priority required). Sanitizer runtimes only exist in the ASan build.
runtime_pkgs=$(sed -n '/^FROM debian:12-slim/,$p' "$SRC/deploy/Dockerfile" | tr -d '\\\n' |
	grep -o 'apt-get install[^&]*' | tr ' \t' '\n\n' | grep -v -e '^-' -e '^$' -e '^apt-get$' -e '^install$')
it_match 'libmicrohttpd12' "$runtime_pkgs" "the runtime stage installs packages"
# shellcheck disable=SC2086
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
	--no-replaces --no-enhances $runtime_pkgs 2>/dev/null | grep -v '^ ' | sed 's/:.*//' | sort -u >"$IT_TMP/closure"
# The sanitizer runtimes of the ASan build, and what they alone pull in.
ldd "$DDNSD" | awk '$1 ~ /^lib(asan|ubsan)\./ { print $3 }' >"$IT_TMP/san.rt"
{ cat "$IT_TMP/san.rt"; xargs -r -n1 ldd <"$IT_TMP/san.rt" | awk '$2 == "=>" { print $3 }'; } | sort -u >"$IT_TMP/san.libs"
missing=""
while read -r lib; do
	pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null) || { missing+=" $lib(no package)"; continue; }
	pkg=${pkg%%:*}
	grep -qx -e "$pkg" "$IT_TMP/closure" && continue
	[[ $(dpkg-query -W -f='${Priority}' "$pkg" 2>/dev/null) == required ]] && continue
	missing+=" $lib($pkg)"
done < <(ldd "$DDNSD" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | grep -v -x -F -f "$IT_TMP/san.libs")
it_eq "" "$missing" "every library ddnsd loads is in the runtime image"
# ...and the build stage has the -dev package of every module CMake requires.
build_pkgs=$(sed -n '/^FROM debian:12 AS build/,/^FROM/p' "$SRC/deploy/Dockerfile" | tr -d '\\\n' |
	grep -o 'apt-get install[^&]*' | tr ' \t' '\n\n' | grep -v -e '^-' -e '^$' -e '^apt-get$' -e '^install$')
missing=""
for mod in $(sed -n 's/^pkg_check_modules([A-Z]* REQUIRED IMPORTED_TARGET \([^)]*\)).*/\1/p' "$SRC/CMakeLists.txt"); do
	pkg=$(dpkg -S "$(pkg-config --variable=pcfiledir "$mod")/$mod.pc" 2>/dev/null) || { missing+=" $mod(no .pc)"; continue; }
	grep -qx -e "${pkg%%:*}" <<<"$build_pkgs" || missing+=" $mod(${pkg%%:*})"
done
it_eq "" "$missing" "the build stage installs every library CMake requires"

# --- compose and Kubernetes files -----------------------------------------------------
cat >"$IT_TMP/yamlcheck.py" <<'EOF'
import glob, os, sys, yaml
src = sys.argv[1]
compose = yaml.safe_load(open(os.path.join(src, 'deploy/compose.yaml')))
svc = compose['services']
for name in ('postgres', 'bind', 'tsig-init', 'migrate', 'ddnsd'):
    assert name in svc, 'compose: no service ' + name
assert svc['postgres']['image'].startswith('postgres:')
assert svc['bind']['image'].startswith('internetsystemsconsortium/bind9:')
assert svc['ddnsd']['depends_on']['migrate']['condition'] == 'service_completed_successfully'
assert svc['bind']['depends_on']['tsig-init']['condition'] == 'service_completed_successfully'
assert svc['ddnsd']['build']['dockerfile'] == 'deploy/Dockerfile'
assert svc['ddnsd'].get('read_only') is True
for vol in svc['bind']['volumes'] + svc['tsig-init']['volumes']:
    host = vol.split(':')[0]
    if host.startswith('./'):
        assert os.path.exists(os.path.join(src, 'deploy', host)), host
names = set()
def env_names(env):
    if isinstance(env, dict):
        return set(env)
    return {e.split('=')[0] for e in env or []}
for s in svc.values():
    names |= {n for n in env_names(s.get('environment')) if n.startswith('DDNS_')}
kinds = {}
for path in sorted(glob.glob(os.path.join(src, 'deploy/k8s/*.yaml'))):
    for doc in yaml.safe_load_all(open(path)):
        kinds.setdefault(doc['kind'], []).append(doc)
        if doc['kind'] in ('ConfigMap', 'Secret'):
            keys = list(doc.get('data', {})) + list(doc.get('stringData', {}))
            names |= {k for k in keys if k.startswith('DDNS_')}
for k in ('Deployment', 'Service', 'ConfigMap', 'Secret', 'Job'):
    assert k in kinds, 'k8s: no ' + k
dep = kinds['Deployment'][0]
assert dep['spec']['replicas'] == 2
pod = dep['spec']['template']['spec']
c = pod['containers'][0]
assert c['readinessProbe']['httpGet']['path'] == '/readyz'
assert c['livenessProbe']['httpGet']['path'] == '/healthz'
assert c['securityContext']['readOnlyRootFilesystem'] is True
assert pod['securityContext']['runAsNonRoot'] is True
assert 'cpu' in c['resources']['requests'] and 'memory' in c['resources']['requests']
assert c['args'] == ['serve']
assert kinds['Job'][0]['spec']['template']['spec']['containers'][0]['args'] == ['migrate']
for d in (dep, kinds['Job'][0]):
    for ct in d['spec']['template']['spec']['containers']:
        names |= {e['name'] for e in ct.get('env', []) if e['name'].startswith('DDNS_')}
# Every variable must be read by the binary and documented.
code = ''
for path in glob.glob(os.path.join(src, '*/*.c')):
    if not os.path.basename(os.path.dirname(path)).startswith(('build', 'tests')):
        code += open(path).read()
readme = open(os.path.join(src, 'README.md')).read()
assert len(names) >= 8, names
for n in sorted(names):
    assert '"%s"' % n in code, n + ' is set by deploy/ but not read by ddnsd'
    assert '| `%s` |' % n in readme, n + ' is not in README.md'
print('deploy: %d DDNS_* variables checked: %s' % (len(names), ' '.join(sorted(names))), file=sys.stderr)
EOF
it_ok python3 "$IT_TMP/yamlcheck.py" "$SRC"

# The compose BIND setup: run the init script into scratch directories,
# then check named.conf (paths moved there) and the zone it made.
mkdir -p "$IT_TMP/keys" "$IT_TMP/zones"
it_ok env KEYS_DIR="$IT_TMP/keys" ZONES_DIR="$IT_TMP/zones" sh "$SRC/deploy/compose/tsig-init.sh"
it_ok env KEYS_DIR="$IT_TMP/keys" ZONES_DIR="$IT_TMP/zones" sh "$SRC/deploy/compose/tsig-init.sh"
it_eq "640 10001 bind" "$(stat -c '%a %u %G' "$IT_TMP/keys/ddnsd.key")" "TSIG key readable by named's group and ddnsd's uid only"
sed -e "s|/keys/|$IT_TMP/keys/|; s|/var/lib/bind/|$IT_TMP/zones/|; s|/var/cache/bind|$IT_TMP/zones|" \
	"$SRC/deploy/compose/named.conf" >"$IT_TMP/named.conf"
it_ok named-checkconf -z "$IT_TMP/named.conf"
it_done
