# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# deploy/local/services.sh - private, throwaway PostgreSQL 15 and BIND 9.18
# instances on free 127.0.0.1 ports, for the test suite and the local demo.
#
# Source this file; it defines functions only and changes no shell options.
# Every function works under `set -euo pipefail`, logs to stderr, prints to
# stdout only what its comment says, and returns non-zero after a one-line
# "services.sh: ..." error on failure. Debian 12, run as root.
#
#   svc_install_deps [PKG...]      install build/test packages if missing
#                                  (and Stoplight Prism, see SVC_PRISM)
#   svc_free_port                  print a port free for TCP and UDP
#   svc_pg_start STATEDIR          start PG; exports PGPORT_DDNS, DDNS_DATABASE_URL
#   svc_pg_createdb NAME           create database NAME, print its URL
#   svc_pg_dropdb NAME             drop database NAME (FORCE)
#   svc_pg_stop STATEDIR           fast shutdown
#   svc_pg_standby_start STATEDIR PRIMARY_STATEDIR  streaming standby; prints its port
#   svc_pg_promote STATEDIR        pg_ctl promote
#   svc_bind_start STATEDIR [--signed] ZONE...  start named; exports
#                                  BIND_PORT, BIND_PID, DDNS_TSIG_KEY_FILE,
#                                  BIND_PRIMARY. --signed: the ZONEs that follow
#                                  are DNSSEC-signed by named (dnssec-policy
#                                  default, inline-signing); the start waits
#                                  (bounded) until their SOA answers signed
#   svc_bind_stop STATEDIR / svc_bind_restart STATEDIR
#   svc_bind_deny STATEDIR [NAME...]  the update policy refuses ddnsd-key
#                                  these names (none: refuse nothing); takes
#                                  effect at the next svc_bind_(re)start
#   svc_knot_start STATEDIR [--signed] ZONE...  start knotd (Knot DNS);
#                                  exports KNOT_PORT, KNOT_PID, KNOT_PRIMARY,
#                                  KNOT_TSIG_KEY_FILE (the same meaning as the
#                                  BIND_* variables and DDNS_TSIG_KEY_FILE,
#                                  which it leaves alone). --signed: as for
#                                  BIND (dnssec-signing: on, KASP db under
#                                  STATEDIR/knot/storage/keys)
#   svc_ns_wait_signed PORT ZONE [TIMEOUT_S=30]  wait until ZONE's SOA and
#                                  DNSKEY answer with RRSIGs
#   svc_knot_stop STATEDIR
#   svc_secondary_start bind|knot STATEDIR PORT PRIMARY_PORT XFR_KEYFILE ZONE...
#                                  a secondary (deploy/secondary/*.conf) of a
#                                  primary started with SVC_BIND_NOTIFY="PORT..."
#                                  (NOTIFY to those ports, key ddnsd-xfr in
#                                  STATEDIR/bind/xfr.key may transfer)
#   svc_secondary_stop STATEDIR
#   svc_stop_all STATEDIR          stop both (idempotent, for `trap ... EXIT`)
#   svc_purge STATEDIR             stop all and delete STATEDIR (and any /tmp
#                                  fallback directory used for PostgreSQL)
#
# Layout: STATEDIR/pg/{data,run,log,port,env}  (pg may be a symlink to
# /tmp/ddnsd-pg.* when user postgres cannot reach STATEDIR),
# STATEDIR/bind/{named.conf,tsig.key,zones/,work/,keys/,named.log,port,
# zones.list,signed.list,named.bgpid,env}. The env files hold `export VAR=value` lines for other
# processes to source.

SVC_PG_BIN=${SVC_PG_BIN:-/usr/lib/postgresql/15/bin}
SVC_BASE_PACKAGES=(build-essential cmake pkg-config libmicrohttpd-dev libpq-dev
	libjansson-dev libsodium-dev libgnutls28-dev check postgresql-15 bind9 bind9-utils
	bind9-dnsutils curl ddclient inadyn wrk knot knot-dnsutils jq openssl python3
	clang-format
	python3-yaml prometheus podman runc debootstrap chromium chromium-driver
	python3-selenium)
# Stoplight Prism, the OpenAPI validating proxy the REST tests talk through
# (tests/integration/rest_fixtures.sh). Pinned: 5.14.2 is the newest release
# that runs on Debian 12's nodejs 18 (5.15 and later want node 24).
SVC_PRISM_VERSION=${SVC_PRISM_VERSION:-5.14.2}
SVC_PRISM_PREFIX=${SVC_PRISM_PREFIX:-/opt/ddnsd-test/prism}
SVC_PRISM=$SVC_PRISM_PREFIX/node_modules/.bin/prism
_svc_apt_updated=0

_svc_log() { printf 'services.sh: %s\n' "$*" >&2; }
_svc_err() { printf 'services.sh: error: %s\n' "$*" >&2; return 1; }

# Absolute path of $1 (need not exist yet), without resolving symlinks.
_svc_abs() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$PWD" "$1" ;;
	esac
}

# True if pid $1 is a live (non-zombie) process.
_svc_alive() {
	local pid=$1 state
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[[ -r /proc/$pid/stat ]] || return 1
	state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z && $state != X ]]
}

# Wait up to $2 seconds (tenths allowed via loop count) for pid $1 to die.
_svc_wait_dead() {
	local pid=$1 i n=$(($2 * 10))
	for ((i = 0; i < n; i++)); do
		_svc_alive "$pid" || return 0
		sleep 0.1
	done
	! _svc_alive "$pid"
}

# Write `export NAME=value` lines for the named variables into file $1.
_svc_write_env() {
	local file=$1 v
	shift
	{
		for v in "$@"; do
			printf 'export %s=%q\n' "$v" "${!v}"
		done
	} >"$file.tmp" && mv -f "$file.tmp" "$file"
}

# Paths end up inside config files between double quotes.
_svc_check_path() {
	[[ $1 != *[\"\\$'\n']* ]] || _svc_err "unsupported characters in path: $1"
}

# ---------------------------------------------------------------- packages

# svc_install_deps [extra packages...]: apt-get install whatever is missing.
svc_install_deps() {
	local pkg missing=() status created_policy=0 rc=0
	for pkg in "${SVC_BASE_PACKAGES[@]}" "$@"; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) || status=
		[[ $status == installed ]] || missing+=("$pkg")
	done
	# node and npm for Prism: Debian's, unless a node is already there
	# (a nodesource nodejs carries its own npm and conflicts with Debian's).
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		missing+=(nodejs npm)
	fi
	((${#missing[@]} > 0)) || {
		_svc_install_prism
		return
	}
	[[ $(id -u) == 0 ]] || _svc_err "need root to install: ${missing[*]}" || return 1
	_svc_log "installing: ${missing[*]}"
	# Keep maintainer scripts from starting daemons (ddclient, inadyn,
	# postgresql, named): invoke-rc.d honours policy-rc.d exit code 101 = "forbidden".
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d &&
			chmod 755 /usr/sbin/policy-rc.d && created_policy=1
	fi
	if [[ $_svc_apt_updated == 0 ]]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || rc=$?
		[[ $rc != 0 ]] || _svc_apt_updated=1
	fi
	if [[ $rc == 0 ]]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends -o Dpkg::Options::=--force-confdef \
			-o Dpkg::Options::=--force-confold "${missing[@]}" >&2 </dev/null || rc=$?
	fi
	if [[ $created_policy == 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
	[[ $rc == 0 ]] || _svc_err "apt-get failed (exit $rc) installing: ${missing[*]}" || return 1
	# Belt and braces: no update client daemon may survive the install.
	local pid
	for pid in $(pgrep -x 'ddclient|inadyn' 2>/dev/null || true); do
		_svc_log "stopping update client daemon started by a package (pid $pid)"
		kill "$pid" 2>/dev/null || true
	done
	_svc_install_prism
}

# _svc_install_prism: npm install of @stoplight/prism-cli@SVC_PRISM_VERSION
# into SVC_PRISM_PREFIX unless that version is there already. Tests reach
# only loopback; this is the one step that needs the npm registry.
_svc_install_prism() {
	local have pkg=$SVC_PRISM_PREFIX/node_modules/@stoplight/prism-cli/package.json
	# The version from package.json: starting node just to ask costs seconds.
	have=$(jq -r .version "$pkg" 2>/dev/null) || have=
	[[ $have != "$SVC_PRISM_VERSION" || ! -x $SVC_PRISM ]] || return 0
	[[ -w $SVC_PRISM_PREFIX || -w $(dirname "$SVC_PRISM_PREFIX") || $(id -u) == 0 ]] ||
		_svc_err "need root to install Prism into $SVC_PRISM_PREFIX" || return 1
	_svc_log "installing @stoplight/prism-cli@$SVC_PRISM_VERSION into $SVC_PRISM_PREFIX"
	mkdir -p "$SVC_PRISM_PREFIX" &&
		npm install --prefix "$SVC_PRISM_PREFIX" --no-audit --no-fund \
			--loglevel=error "@stoplight/prism-cli@$SVC_PRISM_VERSION" >&2 </dev/null ||
		_svc_err "npm install of @stoplight/prism-cli@$SVC_PRISM_VERSION failed" || return 1
	have=$("$SVC_PRISM" --version 2>/dev/null) || have=
	[[ $have == "$SVC_PRISM_VERSION" ]] ||
		_svc_err "Prism does not run after the install (node $(node --version 2>&1))"
}

# ---------------------------------------------------------------- ports

# svc_free_port: print a port on 127.0.0.1 currently free for TCP and UDP.
svc_free_port() {
	local py=/usr/bin/python3 port
	[[ -x $py ]] || py=$(command -v python3 || true)
	if [[ -n $py ]]; then
		port=$("$py" - <<-'EOF'
			import socket, sys
			for _ in range(200):
			    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
			    t.bind(("127.0.0.1", 0))
			    p = t.getsockname()[1]
			    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
			    try:
			        u.bind(("127.0.0.1", p))
			    except OSError:
			        t.close(); u.close(); continue
			    t.close(); u.close()
			    print(p); sys.exit(0)
			sys.exit(1)
		EOF
		) || port=
	else
		# Fallback without python: random high port not listed by ss.
		local i cand
		for ((i = 0; i < 200; i++)); do
			cand=$((20000 + RANDOM % 40000))
			if ! ss -Hlntu 2>/dev/null | awk '{print $5}' | grep -q ":$cand\$"; then
				port=$cand
				break
			fi
		done
	fi
	[[ -n ${port:-} ]] || _svc_err "no free port found" || return 1
	printf '%s\n' "$port"
}

# ---------------------------------------------------------------- postgres

# Run a PostgreSQL binary as user postgres from a directory it can read.
_svc_as_pg() {
	(cd / && runuser -u postgres -- "$@")
}

# Port-less psql as superuser "postgres" over TCP; remaining args to psql.
_svc_psql() {
	[[ -n ${PGPORT_DDNS:-} ]] || _svc_err "PGPORT_DDNS not set: run svc_pg_start or source STATEDIR/pg/env" || return 1
	PGCONNECT_TIMEOUT=10 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT_DDNS" \
		-U postgres "$@"
}

# Choose STATEDIR/pg, or a /tmp fallback symlinked from it when user postgres
# cannot traverse STATEDIR or the socket path would exceed sun_path. Prints
# the real directory.
_svc_pg_dir() {
	local state=$1 link=$1/pg real
	if [[ -L $link ]]; then
		real=$(readlink -f "$link") || return 1
		[[ -d $real ]] || _svc_err "$link points to missing $real" || return 1
		printf '%s\n' "$real"
		return 0
	fi
	mkdir -p "$state" || _svc_err "cannot create $state" || return 1
	# Our own state dir may be 0700 (mktemp -d): let postgres traverse it.
	if [[ -O $state ]] && ! _svc_as_pg test -x "$state" 2>/dev/null; then
		chmod o+x "$state" 2>/dev/null || true
	fi
	real=$(readlink -f "$state")/pg
	# ".s.PGSQL.NNNNN.lock" must fit into sun_path (108 bytes).
	if _svc_as_pg test -x "$state" 2>/dev/null && ((${#real} + 24 < 100)); then
		mkdir -p "$real" || return 1
	else
		[[ ! -e $link ]] || _svc_err "$link exists but is unusable by user postgres" || return 1
		real=$(mktemp -d /tmp/ddnsd-pg.XXXXXX) || return 1
		ln -s "$real" "$link" || return 1
		_svc_log "user postgres cannot use $state (permissions or path length); using $real (symlinked from $link)"
	fi
	printf '%s\n' "$real"
}

_svc_pg_running() {
	local dir=$1
	[[ -f $dir/data/postmaster.pid ]] || return 1
	_svc_as_pg "$SVC_PG_BIN/pg_ctl" status -D "$dir/data" >/dev/null 2>&1
}

# svc_pg_start STATEDIR: init (once) and start a private PostgreSQL.
svc_pg_start() {
	local state dir port url i
	[[ $# == 1 ]] || _svc_err "usage: svc_pg_start STATEDIR" || return 1
	state=$(_svc_abs "$1")
	_svc_check_path "$state" || return 1
	[[ -x $SVC_PG_BIN/initdb ]] || _svc_err "$SVC_PG_BIN/initdb missing (svc_install_deps)" || return 1
	dir=$(_svc_pg_dir "$state") || _svc_err "cannot prepare $state/pg" || return 1
	mkdir -p "$dir/run" && touch "$dir/log" && chown postgres: "$dir" "$dir/run" "$dir/log" ||
		_svc_err "cannot prepare $dir" || return 1
	chmod 700 "$dir/run"

	if [[ ! -f $dir/data/PG_VERSION ]]; then
		rm -rf "$dir/data"
		_svc_as_pg "$SVC_PG_BIN/initdb" -D "$dir/data" -U postgres -A trust \
			-E UTF8 --no-locale >>"$dir/log" 2>&1 ||
			_svc_err "initdb failed, see $dir/log" || return 1
		# Trust, but only for the unix socket and 127.0.0.1.
		printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 trust' \
			'host replication all 127.0.0.1/32 trust' >"$dir/data/pg_hba.conf"
		cat >>"$dir/data/postgresql.conf" <<-EOF

			# ddnsd throwaway test server (services.sh)
			listen_addresses = '127.0.0.1'
			unix_socket_directories = '$dir/run'
			max_connections = 200
			shared_buffers = 32MB
			logging_collector = off
			log_min_messages = warning
		EOF
	fi

	if _svc_pg_running "$dir"; then
		port=$(cat "$dir/port" 2>/dev/null) || _svc_err "postgres running in $dir but no port file" || return 1
		_svc_log "postgres already running on 127.0.0.1:$port"
	else
		# Reuse the previous port when it is still free, else pick a new one.
		port=$(cat "$dir/port" 2>/dev/null || true)
		if [[ -z $port ]] || (: >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			port=$(svc_free_port) || return 1
		fi
		printf '%s\n' "$port" >"$dir/port"
		_svc_as_pg "$SVC_PG_BIN/pg_ctl" start -D "$dir/data" -l "$dir/log" \
			-o "-p $port" -w -t 30 >/dev/null 2>&1 ||
			{ tail -n 5 "$dir/log" >&2; _svc_err "postgres failed to start, see $dir/log"; return 1; }
	fi
	for ((i = 0; i < 300; i++)); do
		"$SVC_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break
		sleep 0.1
	done
	((i < 300)) || _svc_err "postgres on port $port not ready after 30 s, see $dir/log" || return 1

	PGPORT_DDNS=$port
	url="postgresql://ddnsd@127.0.0.1:$port/ddnsd"
	if [[ -z $(_svc_psql -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'ddnsd'") ]]; then
		_svc_psql -d postgres -c 'CREATE ROLE ddnsd LOGIN SUPERUSER' ||
			_svc_err "cannot create role ddnsd" || return 1
	fi
	if [[ -z $(_svc_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'ddnsd'") ]]; then
		_svc_psql -d postgres -c 'CREATE DATABASE ddnsd OWNER ddnsd' ||
			_svc_err "cannot create database ddnsd" || return 1
	fi
	export PGPORT_DDNS DDNS_DATABASE_URL=$url
	_svc_write_env "$dir/env" PGPORT_DDNS DDNS_DATABASE_URL || return 1
	_svc_log "postgres ready: $url"
}

# svc_pg_createdb NAME: create database NAME owned by ddnsd; print its URL.
svc_pg_createdb() {
	local name=${1:-}
	[[ $name =~ ^[a-z_][a-z0-9_]{0,62}$ ]] ||
		_svc_err "bad database name '$name' (want [a-z_][a-z0-9_]*, <= 63 chars)" || return 1
	_svc_psql -d postgres -c "CREATE DATABASE \"$name\" OWNER ddnsd" ||
		_svc_err "cannot create database $name" || return 1
	printf 'postgresql://ddnsd@127.0.0.1:%s/%s\n' "$PGPORT_DDNS" "$name"
}

# svc_pg_dropdb NAME: drop database NAME (disconnecting its clients).
svc_pg_dropdb() {
	local name=${1:-}
	[[ $name =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || _svc_err "bad database name '$name'" || return 1
	_svc_psql -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" ||
		_svc_err "cannot drop database $name" || return 1
}

# svc_pg_standby_start STATEDIR PRIMARY_STATEDIR: a streaming standby of the
# PostgreSQL of PRIMARY_STATEDIR (pg_basebackup -c fast -R, so it follows
# the primary at once), on a free port; prints the port. Stop it with
# svc_pg_stop STATEDIR; promote it with svc_pg_promote STATEDIR.
svc_pg_standby_start() {
	local state prim pdir dir port i
	[[ $# == 2 ]] || _svc_err "usage: svc_pg_standby_start STATEDIR PRIMARY_STATEDIR" || return 1
	state=$(_svc_abs "$1") prim=$(_svc_abs "$2")
	pdir=$(readlink -f "$prim/pg") && [[ -s $pdir/port ]] ||
		_svc_err "no PostgreSQL in $prim" || return 1
	dir=$(_svc_pg_dir "$state") || return 1
	mkdir -p "$dir/run" && touch "$dir/log" && chown postgres: "$dir" "$dir/run" "$dir/log" &&
		chmod 700 "$dir/run" || _svc_err "cannot prepare $dir" || return 1
	rm -rf "$dir/data"
	_svc_as_pg "$SVC_PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$(cat "$pdir/port")" -U postgres \
		-D "$dir/data" -c fast -R -X stream >>"$dir/log" 2>&1 ||
		_svc_err "pg_basebackup failed, see $dir/log" || return 1
	printf "\nunix_socket_directories = '%s'\n" "$dir/run" >>"$dir/data/postgresql.conf"
	port=$(svc_free_port) || return 1
	printf '%s\n' "$port" >"$dir/port"
	_svc_as_pg "$SVC_PG_BIN/pg_ctl" start -D "$dir/data" -l "$dir/log" -o "-p $port" -w -t 30 \
		>/dev/null 2>&1 || _svc_err "standby failed to start, see $dir/log" || return 1
	for ((i = 0; i < 300; i++)); do
		"$SVC_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break
		sleep 0.1
	done
	((i < 300)) || _svc_err "standby on port $port not ready after 30 s" || return 1
	_svc_log "postgres standby of $pdir ready on 127.0.0.1:$port"
	printf '%s\n' "$port"
}

# svc_pg_promote STATEDIR: promote the standby of STATEDIR to a primary.
svc_pg_promote() {
	local dir
	dir=$(readlink -f "$(_svc_abs "$1")/pg") || return 1
	_svc_as_pg "$SVC_PG_BIN/pg_ctl" promote -D "$dir/data" -w -t 30 >/dev/null 2>&1 ||
		_svc_err "pg_ctl promote failed, see $dir/log" || return 1
	_svc_log "postgres in $dir promoted"
}

# svc_pg_stop STATEDIR: fast shutdown; no-op when not running.
svc_pg_stop() {
	local state dir
	[[ $# == 1 ]] || _svc_err "usage: svc_pg_stop STATEDIR" || return 1
	state=$(_svc_abs "$1")
	[[ -e $state/pg ]] || return 0
	dir=$(readlink -f "$state/pg") || return 0
	_svc_pg_running "$dir" || return 0
	if ! _svc_as_pg "$SVC_PG_BIN/pg_ctl" stop -D "$dir/data" -m fast -w -t 30 >/dev/null 2>&1; then
		_svc_as_pg "$SVC_PG_BIN/pg_ctl" stop -D "$dir/data" -m immediate -w -t 10 >/dev/null 2>&1 ||
			_svc_err "postgres in $dir/data did not stop" || return 1
	fi
	_svc_log "postgres stopped ($dir/data)"
}

# ---------------------------------------------------------------- bind

_svc_bind_pid() {
	local pid cmd
	pid=$(cat "$1/named.bgpid" 2>/dev/null) || return 1
	_svc_alive "$pid" || return 1
	# Guard against pid reuse: it must be named with our config file.
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmd == *"$1/named.conf"* ]] || return 1
	printf '%s\n' "$pid"
}

# (Re)write named.conf for port $2 and the zones in zones.list.
_svc_bind_conf() {
	local dir=$1 port=$2 zone name deny xfr="" notify="" p
	# Secondaries (SVC_BIND_NOTIFY at the first start): NOTIFY them at
	# once, signed, and let them transfer with the key ddnsd-xfr.
	if [[ -s $dir/notify.list ]]; then
		xfr="include \"$dir/xfr.key\";"
		while read -r p; do
			[[ -z $p ]] || notify+=" 127.0.0.1 port $p key ddnsd-xfr;"
		done <"$dir/notify.list"
	fi
	{
		cat <<-EOF
			// Generated by deploy/local/services.sh; rewritten on every start.
			include "$dir/tsig.key";
			$xfr
			options {
				directory "$dir/work";
				pid-file "$dir/named.pid";
				session-keyfile "$dir/work/session.key";
				managed-keys-directory "$dir/work";
				dump-file "$dir/work/named_dump.db";
				statistics-file "$dir/work/named.stats";
				listen-on port $port { 127.0.0.1; };
				listen-on-v6 { none; };
				recursion no;
				dnssec-validation no;
				// reconcile reads the zone by AXFR, signed with the key
			$(if [[ -z $notify ]]; then
				printf '\tnotify no;\n\tallow-transfer { key ddnsd-key; };\n'
			else
				printf '\tnotify explicit;\n\tnotify-delay 0;\n\tmax-ixfr-ratio unlimited;\n'
				printf '\talso-notify {%s };\n' "$notify"
				printf '\tallow-transfer { key ddnsd-key; key ddnsd-xfr; };\n'
			fi)
			};
			controls { };
		EOF
		while read -r zone; do
			[[ -n $zone ]] || continue
			deny=
			while read -r name; do
				[[ -n $name && $name == *".$zone" ]] || continue
				deny+="deny ddnsd-key name $name ANY; "
			done < <(cat "$dir/deny.list" 2>/dev/null)
			printf 'zone "%s" {\n' "$zone"
			cat <<-EOF
				type primary;
				file "$dir/zones/$zone.db";
				journal "$dir/zones/$zone.db.jnl";
				update-policy { ${deny}grant ddnsd-key zonesub ANY; };
			EOF
			# Signed: updates go to the raw zone; named keeps a signed
			# copy beside it (zone.db.signed, its own journal) and
			# serves that. Both directories must be writable by named.
			if _svc_signed "$dir" "$zone"; then
				cat <<-EOF
					dnssec-policy default;
					inline-signing yes;
					key-directory "$dir/keys";
				EOF
			fi
			printf '};\n'
		done <"$dir/zones.list"
	} >"$dir/named.conf"
}

# _svc_signed DIR ZONE: true if ZONE is in DIR/signed.list.
_svc_signed() {
	[[ -f $1/signed.list ]] && grep -qxF "$2" "$1/signed.list"
}

# _svc_zone_args DIR RUNNING ZONE-ARGS...: checks the zone names, sets
# _svc_zones (the names) and records the ones after --signed in
# DIR/signed.list; when RUNNING is 1 only checks that they are signed.
_svc_zone_args() {
	local dir=$1 running=$2 a signed=0
	shift 2
	_svc_zones=()
	for a in "$@"; do
		if [[ $a == --signed ]]; then
			signed=1
			continue
		fi
		[[ $a =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] || _svc_err "bad zone name '$a'" || return 1
		_svc_zones+=("$a")
		[[ $signed == 1 ]] || continue
		if [[ $running == 1 ]]; then
			_svc_signed "$dir" "$a" ||
				_svc_err "zone $a is served unsigned: stop the nameserver first" || return 1
		else
			mkdir -p "$dir" && touch "$dir/signed.list" || return 1
			grep -qxF "$a" "$dir/signed.list" || printf '%s\n' "$a" >>"$dir/signed.list"
		fi
	done
}

# svc_ns_wait_signed PORT ZONE [TIMEOUT_S=30]: wait until ZONE's SOA and
# DNSKEY RRsets on 127.0.0.1:PORT come with RRSIGs (the signer's first pass
# is done); prints nothing, logs how long it took.
svc_ns_wait_signed() {
	local port=$1 zone=$2 n=$((${3:-30} * 10)) i soa key t0=${EPOCHREALTIME/./}
	for ((i = 0; i < n; i++)); do
		soa=$(dig +dnssec +norec +noall +answer +time=1 +tries=1 @127.0.0.1 \
			-p "$port" "$zone" SOA 2>/dev/null) || soa=
		key=$(dig +dnssec +norec +noall +answer +time=1 +tries=1 @127.0.0.1 \
			-p "$port" "$zone" DNSKEY 2>/dev/null) || key=
		if [[ $soa == *$'\tRRSIG\tSOA '* && $key == *$'\tRRSIG\tDNSKEY '* ]]; then
			_svc_log "zone $zone signed on port $port after $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
			return 0
		fi
		sleep 0.1
	done
	_svc_err "zone $zone on port $port not signed after ${3:-30} s"
}

# _svc_ns_wait NAME PID PORT LOG ZONE: wait (20 s) until the nameserver
# answers ZONE's SOA on 127.0.0.1:PORT; fail at once if PID died.
_svc_ns_wait() {
	local name=$1 pid=$2 port=$3 log=$4 zone=$5 i ans
	for ((i = 0; i < 200; i++)); do
		if ! _svc_alive "$pid"; then
			tail -n 5 "$log" >&2
			_svc_err "$name exited during startup, see $log"
			return 1
		fi
		ans=$(dig +short +time=1 +tries=1 @127.0.0.1 -p "$port" "$zone" SOA 2>/dev/null) || ans=
		[[ $ans != *" hostmaster.$zone. "* ]] || return 0
		sleep 0.1
	done
	_svc_err "$name on port $port not answering after 20 s, see $log"
}

# _svc_term NAME PID: SIGTERM, wait up to 10 s, then SIGKILL.
_svc_term() {
	local name=$1 pid=$2
	kill -TERM "$pid" 2>/dev/null || true
	if ! _svc_wait_dead "$pid" 10; then
		kill -KILL "$pid" 2>/dev/null || true
		_svc_wait_dead "$pid" 5 || _svc_err "$name pid $pid did not die" || return 1
	fi
	_svc_log "$name stopped (pid $pid)"
}

# svc_bind_start STATEDIR [--signed] ZONE [ZONE...]: start a private named.
# On a restart the existing key, port and zone data (and signing keys) are
# kept; new ZONEs are added. Zones after --signed are signed by named.
svc_bind_start() {
	local state dir port zone pid p running _svc_zones
	[[ $# -ge 1 ]] || _svc_err "usage: svc_bind_start STATEDIR [--signed] ZONE [ZONE...]" || return 1
	state=$(_svc_abs "$1")
	shift
	_svc_check_path "$state" || return 1
	dir=$state/bind
	command -v named >/dev/null || _svc_err "named not installed (svc_install_deps)" || return 1
	running=0
	! _svc_bind_pid "$dir" >/dev/null || running=1
	_svc_zone_args "$dir" "$running" "$@" || return 1
	set -- "${_svc_zones[@]}"

	if pid=$(_svc_bind_pid "$dir"); then
		port=$(cat "$dir/port")
		for zone in "$@"; do
			grep -qxF "$zone" "$dir/zones.list" ||
				_svc_err "named already running without zone $zone: use svc_bind_stop first" || return 1
		done
		_svc_log "named already running on 127.0.0.1:$port (pid $pid)"
	else
		mkdir -p "$dir/zones" "$dir/work" "$dir/keys" || _svc_err "cannot create $dir" || return 1
		[[ -s $dir/tsig.key ]] || tsig-keygen -a hmac-sha256 ddnsd-key >"$dir/tsig.key" ||
			_svc_err "tsig-keygen failed" || return 1
		if [[ -n ${SVC_BIND_NOTIFY:-} && ! -s $dir/notify.list ]]; then
			read -r -a p <<<"$SVC_BIND_NOTIFY"
			printf '%s\n' "${p[@]}" >"$dir/notify.list"
			tsig-keygen -a hmac-sha256 ddnsd-xfr >"$dir/xfr.key" ||
				_svc_err "tsig-keygen failed" || return 1
		fi
		port=$(cat "$dir/port" 2>/dev/null || true)
		[[ -n $port ]] || port=$(svc_free_port) || return 1
		printf '%s\n' "$port" >"$dir/port"
		touch "$dir/zones.list"
		for zone in "$@"; do
			grep -qxF "$zone" "$dir/zones.list" || printf '%s\n' "$zone" >>"$dir/zones.list"
		done
		[[ -s $dir/zones.list ]] || _svc_err "no zones given" || return 1
		while read -r zone; do
			[[ -n $zone && ! -f $dir/zones/$zone.db ]] || continue
			cat >"$dir/zones/$zone.db" <<-EOF
				\$TTL 60
				@	IN SOA	ns1.$zone. hostmaster.$zone. ( 1 3600 600 86400 60 )
				@	IN NS	ns1.$zone.
				ns1	IN A	127.0.0.1
			EOF
		done <"$dir/zones.list"
		_svc_bind_conf "$dir" "$port" || _svc_err "cannot write $dir/named.conf" || return 1
		named-checkconf -z "$dir/named.conf" >>"$dir/named.log" 2>&1 ||
			_svc_err "named-checkconf failed, see $dir/named.log" || return 1
		# Double fork: named is not our child, so a caller's bare `wait`
		# does not block on it. Runs as root in the foreground (-g); all
		# fds are redirected so pipes held by ctest etc. can close.
		(
			cd "$dir/work" || exit 1
			named -g -c "$dir/named.conf" </dev/null >>"$dir/named.log" 2>&1 &
			echo $! >"$dir/named.bgpid"
		)
		pid=$(cat "$dir/named.bgpid")
	fi

	_svc_ns_wait named "$pid" "$port" "$dir/named.log" "$(head -n 1 "$dir/zones.list")" || return 1
	if [[ -f $dir/signed.list ]]; then
		while read -r zone; do
			[[ -z $zone ]] || svc_ns_wait_signed "$port" "$zone" || return 1
		done <"$dir/signed.list"
	fi

	BIND_PORT=$port BIND_PID=$pid
	DDNS_TSIG_KEY_FILE=$dir/tsig.key BIND_PRIMARY=127.0.0.1:$port
	export BIND_PORT BIND_PID DDNS_TSIG_KEY_FILE BIND_PRIMARY
	_svc_write_env "$dir/env" BIND_PORT BIND_PID DDNS_TSIG_KEY_FILE BIND_PRIMARY || return 1
	_svc_log "named ready on 127.0.0.1:$port (pid $pid, zones: $(paste -sd' ' "$dir/zones.list"))"
}

# svc_bind_deny STATEDIR [NAME...]: from the next svc_bind_start (or
# svc_bind_restart) on, each zone's update policy refuses ddnsd-key every
# NAME under it (BIND answers REFUSED for a message touching one), and
# grants it the rest of the zone as before. No NAME: refuse nothing.
svc_bind_deny() {
	local dir name
	[[ $# -ge 1 ]] || _svc_err "usage: svc_bind_deny STATEDIR [NAME...]" || return 1
	dir=$(_svc_abs "$1")/bind
	shift
	mkdir -p "$dir" || _svc_err "cannot create $dir" || return 1
	for name in "$@"; do
		[[ $name =~ ^[a-z0-9_]([a-z0-9_.-]*[a-z0-9])?$ ]] || _svc_err "bad name '$name'" || return 1
	done
	printf '%s\n' "$@" | grep -v '^$' >"$dir/deny.list" || true
}

# svc_bind_stop STATEDIR: SIGTERM named, wait up to 10 s, then SIGKILL.
svc_bind_stop() {
	local state pid
	[[ $# == 1 ]] || _svc_err "usage: svc_bind_stop STATEDIR" || return 1
	state=$(_svc_abs "$1")
	pid=$(_svc_bind_pid "$state/bind") || return 0
	_svc_term named "$pid" || return 1
	rm -f "$state/bind/named.bgpid"
}

# svc_bind_restart STATEDIR: same port, config, key and zone data (journal).
svc_bind_restart() {
	local state
	[[ $# == 1 ]] || _svc_err "usage: svc_bind_restart STATEDIR" || return 1
	state=$(_svc_abs "$1")
	[[ -f $state/bind/zones.list ]] || _svc_err "no bind state in $state/bind" || return 1
	svc_bind_stop "$state" && svc_bind_start "$state"
}

# ---------------------------------------------------------------- knot
#
# STATEDIR/knot/{knot.conf,tsig.key,zones/,storage/ (journal, timers, KASP
# db in storage/keys),run/,knotd.log,port,zones.list,signed.list,knotd.bgpid,
# env}. The key file is BIND style (tsig-keygen) for ddnsd; the
# same secret goes into knot.conf. ACL: the key may update and transfer
# every zone. Changes live in the journal (zonefile-sync: -1), so a restart
# keeps them, as BIND's .jnl does.

_svc_knot_pid() {
	local pid cmd
	pid=$(cat "$1/knotd.bgpid" 2>/dev/null) || return 1
	_svc_alive "$pid" || return 1
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmd == *"$1/knot.conf"* ]] || return 1
	printf '%s\n' "$pid"
}

# (Re)write knot.conf for port $2 and the zones in zones.list.
_svc_knot_conf() {
	local dir=$1 port=$2 secret zone
	secret=$(sed -n 's/.*secret "\([^"]*\)".*/\1/p' "$dir/tsig.key")
	[[ -n $secret ]] || return 1
	{
		cat <<-EOF
			# Generated by deploy/local/services.sh; rewritten on every start.
			server:
			    rundir: "$dir/run"
			    listen: 127.0.0.1@$port
			    udp-workers: 1
			    tcp-workers: 2
			    background-workers: 1
			database:
			    storage: "$dir/storage"
			    kasp-db: "$dir/storage/keys"
			log:
			  - target: stderr
			    any: info
			key:
			  - id: ddnsd-key
			    algorithm: hmac-sha256
			    secret: $secret
			acl:
			  - id: ddnsd
			    key: ddnsd-key
			    action: [update, transfer]
			template:
			  - id: default
			    storage: "$dir/zones"
			    file: "%s.zone"
			    zonefile-sync: -1
			    zonefile-load: whole
			    journal-content: changes
			    acl: ddnsd
			# Signed zones (--signed): one ECDSA P-256 key signs all
			# (CSK), NSEC; knotd signs every update it accepts.
			policy:
			  - id: ddnsd-signed
			    algorithm: ecdsap256sha256
			    single-type-signing: on
			    nsec3: off
			zone:
		EOF
		while read -r zone; do
			[[ -n $zone ]] || continue
			printf '  - domain: %s\n' "$zone"
			if _svc_signed "$dir" "$zone"; then
				printf '    dnssec-signing: on\n'
				printf '    dnssec-policy: ddnsd-signed\n'
			fi
		done <"$dir/zones.list"
	} >"$dir/knot.conf"
}

# svc_knot_start STATEDIR [--signed] ZONE [ZONE...]: start a private knotd.
# Like svc_bind_start: a restart keeps key, port, zone data and signing keys.
svc_knot_start() {
	local state dir port zone pid running _svc_zones
	[[ $# -ge 1 ]] || _svc_err "usage: svc_knot_start STATEDIR [--signed] ZONE [ZONE...]" || return 1
	state=$(_svc_abs "$1")
	shift
	_svc_check_path "$state" || return 1
	dir=$state/knot
	command -v knotd >/dev/null || _svc_err "knotd not installed (svc_install_deps)" || return 1
	running=0
	! _svc_knot_pid "$dir" >/dev/null || running=1
	_svc_zone_args "$dir" "$running" "$@" || return 1
	set -- "${_svc_zones[@]}"

	if pid=$(_svc_knot_pid "$dir"); then
		port=$(cat "$dir/port")
		_svc_log "knotd already running on 127.0.0.1:$port (pid $pid)"
	else
		mkdir -p "$dir/zones" "$dir/storage" "$dir/run" || _svc_err "cannot create $dir" || return 1
		[[ -s $dir/tsig.key ]] || tsig-keygen -a hmac-sha256 ddnsd-key >"$dir/tsig.key" ||
			_svc_err "tsig-keygen failed" || return 1
		port=$(cat "$dir/port" 2>/dev/null || true)
		[[ -n $port ]] || port=$(svc_free_port) || return 1
		printf '%s\n' "$port" >"$dir/port"
		touch "$dir/zones.list"
		for zone in "$@"; do
			grep -qxF "$zone" "$dir/zones.list" || printf '%s\n' "$zone" >>"$dir/zones.list"
		done
		[[ -s $dir/zones.list ]] || _svc_err "no zones given" || return 1
		while read -r zone; do
			[[ -n $zone && ! -f $dir/zones/$zone.zone ]] || continue
			cat >"$dir/zones/$zone.zone" <<-EOF
				\$TTL 60
				@	IN SOA	ns1.$zone. hostmaster.$zone. ( 1 3600 600 86400 60 )
				@	IN NS	ns1.$zone.
				ns1	IN A	127.0.0.1
			EOF
		done <"$dir/zones.list"
		_svc_knot_conf "$dir" "$port" || _svc_err "cannot write $dir/knot.conf" || return 1
		knotc -c "$dir/knot.conf" conf-check >>"$dir/knotd.log" 2>&1 ||
			_svc_err "knotc conf-check failed, see $dir/knotd.log" || return 1
		# Foreground as root, double fork (see svc_bind_start).
		(
			cd "$dir" || exit 1
			knotd -c "$dir/knot.conf" </dev/null >>"$dir/knotd.log" 2>&1 &
			echo $! >"$dir/knotd.bgpid"
		)
		pid=$(cat "$dir/knotd.bgpid")
	fi

	_svc_ns_wait knotd "$pid" "$port" "$dir/knotd.log" "$(head -n 1 "$dir/zones.list")" || return 1
	if [[ -f $dir/signed.list ]]; then
		while read -r zone; do
			[[ -z $zone ]] || svc_ns_wait_signed "$port" "$zone" || return 1
		done <"$dir/signed.list"
	fi

	KNOT_PORT=$port KNOT_PID=$pid
	KNOT_TSIG_KEY_FILE=$dir/tsig.key KNOT_PRIMARY=127.0.0.1:$port
	export KNOT_PORT KNOT_PID KNOT_TSIG_KEY_FILE KNOT_PRIMARY
	_svc_write_env "$dir/env" KNOT_PORT KNOT_PID KNOT_TSIG_KEY_FILE KNOT_PRIMARY || return 1
	_svc_log "knotd ready on 127.0.0.1:$port (pid $pid, zones: $(paste -sd' ' "$dir/zones.list"))"
}

# svc_knot_stop STATEDIR: SIGTERM knotd, wait up to 10 s, then SIGKILL.
svc_knot_stop() {
	local state pid
	[[ $# == 1 ]] || _svc_err "usage: svc_knot_stop STATEDIR" || return 1
	state=$(_svc_abs "$1")
	pid=$(_svc_knot_pid "$state/knot") || return 0
	_svc_term knotd "$pid" || return 1
	rm -f "$state/knot/knotd.bgpid"
}

# ---------------------------------------------------------------- secondaries
#
# Public secondaries of a primary started by svc_bind_start with
# SVC_BIND_NOTIFY="PORT..." (which NOTIFYs 127.0.0.1 on those ports and lets
# the key ddnsd-xfr transfer). Their configuration is deploy/secondary/
# named.conf or knot.conf with addresses, ports and paths replaced, so the
# examples operators copy are the ones tested. STATEDIR/{named2,knot2}/.

_SVC_DEPLOY=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# svc_secondary_start bind|knot STATEDIR PORT PRIMARY_PORT XFR_KEYFILE ZONE...:
# start a secondary on 127.0.0.1:PORT; prints nothing, logs its pid.
svc_secondary_start() {
	local kind=${1:-} state=${2:-} port=${3:-} pport=${4:-} key=${5:-} dir zone secret pid log
	shift 5 || _svc_err "usage: svc_secondary_start bind|knot STATEDIR PORT PRIMARY_PORT XFR_KEYFILE ZONE..." || return 1
	state=$(_svc_abs "$state")
	[[ $# -ge 1 && -s $key ]] || _svc_err "svc_secondary_start: no zone or no key file $key" || return 1
	case $kind in
	bind)
		dir=$state/named2 log=$state/named2/named.log
		mkdir -p "$dir/work" "$dir/zones" || return 1
		{
			sed -e '/^zone "dyn.example"/,$d' \
				-e "s|/etc/bind/ddnsd-xfr.key|$key|" \
				-e "s|/var/cache/bind|$dir/work|" -e "s|/run/named/|$dir/|" \
				-e "s|listen-on port 53 { any; }|listen-on port $port { 127.0.0.1; }|" \
				-e "s|listen-on-v6 port 53 { any; }|listen-on-v6 { none; }|" \
				-e "s|192.0.2.53 port 53|127.0.0.1 port $pport|" \
				"$_SVC_DEPLOY/secondary/named.conf"
			for zone in "$@"; do
				sed -n '/^zone "dyn.example"/,$p' "$_SVC_DEPLOY/secondary/named.conf" |
					sed -e "s|/var/lib/bind/|$dir/zones/|" -e "s|dyn\.example|$zone|g"
			done
		} >"$dir/named.conf"
		named-checkconf "$dir/named.conf" >>"$log" 2>&1 ||
			_svc_err "named-checkconf failed for the secondary, see $log" || return 1
		(
			cd "$dir/work" || exit 1
			named -g -c "$dir/named.conf" </dev/null >>"$log" 2>&1 &
			echo $! >"$dir/named.bgpid"
		)
		pid=$(cat "$dir/named.bgpid")
		;;
	knot)
		dir=$state/knot2 log=$state/knot2/knotd.log
		mkdir -p "$dir/run" "$dir/storage" "$dir/zones" || return 1
		secret=$(sed -n 's/.*secret "\([^"]*\)".*/\1/p' "$key")
		[[ -n $secret ]] || _svc_err "no secret in $key" || return 1
		awk -v zones="$*" '
			/^zone:/ { print; n = split(zones, z, " ")
				for (i = 1; i <= n; i++)
					printf "  - domain: %s\n    master: hidden-primary\n    acl: notify-from-primary\n", z[i]
				exit }
			{ print }' "$_SVC_DEPLOY/secondary/knot.conf" |
			sed -e "s|\"/run/knot\"|\"$dir/run\"|" \
				-e "s|listen: \[ 0.0.0.0@53, ::@53 \]|listen: 127.0.0.1@$port\n    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1|" \
				-e "s|\"/var/lib/knot/zones\"|\"$dir/zones\"|" -e "s|\"/var/lib/knot\"|\"$dir/storage\"|" \
				-e "s|secret: \"[^\"]*\".*|secret: \"$secret\"|" \
				-e "s|192.0.2.53@53|127.0.0.1@$pport|" -e "s|address: 192.0.2.53\$|address: 127.0.0.1|" \
				>"$dir/knot.conf"
		printf 'log:\n  - target: stderr\n    any: info\n' >>"$dir/knot.conf"
		knotc -c "$dir/knot.conf" conf-check >>"$log" 2>&1 ||
			_svc_err "knotc conf-check failed for the secondary, see $log" || return 1
		(
			cd "$dir" || exit 1
			knotd -c "$dir/knot.conf" </dev/null >>"$log" 2>&1 &
			echo $! >"$dir/knotd.bgpid"
		)
		pid=$(cat "$dir/knotd.bgpid")
		;;
	*) _svc_err "svc_secondary_start: kind must be bind or knot" || return 1 ;;
	esac
	_svc_ns_wait "$kind secondary" "$pid" "$port" "$log" "$1" || return 1
	_svc_log "$kind secondary ready on 127.0.0.1:$port (pid $pid, primary port $pport)"
}

# svc_secondary_stop STATEDIR: stop both kinds of secondary, if running.
svc_secondary_stop() {
	local state pid f
	state=$(_svc_abs "$1")
	for f in "$state/named2/named.bgpid" "$state/knot2/knotd.bgpid"; do
		pid=$(cat "$f" 2>/dev/null) || continue
		! _svc_alive "$pid" || _svc_term secondary "$pid" || return 1
		rm -f "$f"
	done
}

# ---------------------------------------------------------------- all

# svc_stop_all STATEDIR: stop named and postgres of STATEDIR; idempotent.
svc_stop_all() {
	local rc=0
	[[ $# == 1 ]] || _svc_err "usage: svc_stop_all STATEDIR" || return 1
	svc_bind_stop "$1" || rc=1
	svc_knot_stop "$1" || rc=1
	svc_secondary_stop "$1" || rc=1
	svc_pg_stop "$1" || rc=1
	return "$rc"
}

# svc_purge STATEDIR: svc_stop_all, then remove STATEDIR and the /tmp
# fallback PostgreSQL directory if one was used.
svc_purge() {
	local state real
	[[ $# == 1 ]] || _svc_err "usage: svc_purge STATEDIR" || return 1
	state=$(_svc_abs "$1")
	svc_stop_all "$state" || return 1
	if [[ -L $state/pg ]]; then
		real=$(readlink -f "$state/pg" || true)
		[[ $real != /tmp/ddnsd-pg.* ]] || rm -rf "$real"
	fi
	rm -rf "$state"
}
