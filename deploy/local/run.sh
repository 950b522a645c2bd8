#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs ddnsd locally with everything it needs: installs missing packages,
# builds, starts a private PostgreSQL and BIND under ./.local/ on loopback,
# applies migrations, creates a demo zone, account (with a console
# password kept in ./.local/demo-password), host and token, prints the web
# console address and how to use them, then runs ddnsd in the foreground
# on 127.0.0.1:8080.
# Ctrl-C stops ddnsd and everything this script started.
#
# Environment: DDNS_LISTEN (default 127.0.0.1:8080) and every other DDNS_*
# variable in README.md are passed through to ddnsd.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=services.sh
. "$root/deploy/local/services.sh"

state=$root/.local
zone=dyn.example
host=home.$zone
email=demo@example.com
export DDNS_LISTEN=${DDNS_LISTEN:-127.0.0.1:8080}

step() { printf '==> %s\n' "$*" >&2; }
# Runs a CLI command whose "already exists" is fine on a second run.
idempotent() {
	local out
	if out=$("$@" 2>&1); then
		printf '%s\n' "$out" >&2
	elif [[ $out == *"already exists"* ]]; then
		printf '%s (kept)\n' "${out#ddnsd: }" >&2
	else
		printf '%s\n' "$out" >&2
		return 1
	fi
}

step "checking packages"
svc_install_deps
step "building"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
ddnsd=$root/build/ddnsd

port=${DDNS_LISTEN##*:}
if (: >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	echo "run.sh: something already listens on port $port; set DDNS_LISTEN=127.0.0.1:PORT" >&2
	exit 1
fi

mkdir -p "$state"
trap 'step "stopping PostgreSQL and BIND"; svc_stop_all "$state"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
step "starting PostgreSQL and BIND in $state"
svc_pg_start "$state"
svc_bind_start "$state" "$zone"
export DDNS_DATABASE_URL DDNS_TSIG_KEY_FILE

step "migrating and creating demo data"
"$ddnsd" migrate >&2
idempotent "$ddnsd" zone add "$zone" --primary "$BIND_PRIMARY" --key ddnsd-key
# The demo account signs in to the console with a password made on the
# first run and kept in $state/demo-password (only readable by you).
pwfile=$state/demo-password
if [[ ! -s $pwfile ]]; then
	(umask 077 && head -c 15 /dev/urandom | base64 | tr -d '/+=' >"$pwfile")
	if ! out=$("$ddnsd" account add "$email" --password-stdin <"$pwfile" 2>&1); then
		rm -f "$pwfile"
		if [[ $out != *"already exists"* ]]; then
			printf '%s\n' "$out" >&2
			exit 1
		fi
		echo "account $email exists from an older run without a password file (kept)" >&2
	fi
fi
demo_pw=$(cat "$pwfile" 2>/dev/null || true)
idempotent "$ddnsd" host add "$host" --account "$email"
token=$("$ddnsd" token add "$host" --label "demo $(date +%F)" | tail -n 1)

if [[ -n $demo_pw ]]; then
	signin="sign in as $email with password $demo_pw (kept in $pwfile)"
else
	signin="(the demo account has no password; rm -rf $state for a fresh one)"
fi
if [[ ${DDNS_SIGNUP:-closed} == open ]]; then
	signin="$signin, or Create account"
fi

cat <<INFO

ddnsd demo
  console   http://$DDNS_LISTEN/
            $signin
  zone      $zone   (BIND on $BIND_PRIMARY, key $DDNS_TSIG_KEY_FILE)
  host      $host   (account $email)
  token     $token
            (a new token is made on every start; it is shown only here)

Update the host, as a router would:
  curl -u '$host:$token' 'http://$DDNS_LISTEN/nic/update?hostname=$host&myip=203.0.113.10'

See the record in BIND:
  dig +short @127.0.0.1 -p $BIND_PORT $host A

ddclient.conf for this server:
  protocol=dyndns2
  use=ip, ip=203.0.113.10
  server=$DDNS_LISTEN
  ssl=no
  login=$host
  password='$token'
  $host

Database: psql '$DDNS_DATABASE_URL'
Ctrl-C stops everything.

INFO
unset token demo_pw signin
"$ddnsd" serve || true
