# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Fixtures shared by the dyndns2 integration tests, on top of lib.sh:
# a migrated database with the zones, accounts, hosts and tokens they use.

# fx_psql SQL: one value (or rows, '|'-separated) from the test database.
fx_psql() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 "$DDNS_DATABASE_URL" -c "$1"
}

# fx_outbox_consistent: asserts that host_dirty (migration 0014) holds
# exactly the dirty hosts (version > pushed_version), each under its own
# zone: the pusher claims from host_dirty only, so a dirty host missing
# there would never reach DNS. Any moment will do: one statement, one
# snapshot, and the triggers write host_dirty in the host's transaction.
fx_outbox_consistent() {
	it_eq "0|0" "$(fx_psql "SELECT
		(SELECT count(*) FROM hosts h WHERE h.version > h.pushed_version
		  AND NOT EXISTS (SELECT 1 FROM host_dirty d
		   WHERE d.host_id = h.id AND d.zone_id = h.zone_id)),
		(SELECT count(*) FROM host_dirty d WHERE NOT EXISTS (SELECT 1
		  FROM hosts h WHERE h.id = d.host_id AND h.zone_id = d.zone_id
		  AND h.version > h.pushed_version))")" \
		"host_dirty: no dirty host missing | no entry that is not a dirty host"
}

# fx_token FQDN: creates a host token and prints it (last line of stdout).
fx_token() {
	"$DDNSD" token add "$1" --label test | tail -n 1
}

# fx_base [PRIMARY]: migrate; zones dyn.test and other.test at PRIMARY
# (default the shared BIND); accounts a@example.com and b@example.com; hosts
# home.dyn.test (A) and office.other.test (B); exports TOK_A and TOK_B.
fx_base() {
	local primary=${1:-$BIND_PRIMARY}
	"$DDNSD" migrate >/dev/null
	"$DDNSD" zone add dyn.test --primary "$primary" --key ddnsd-key >/dev/null
	"$DDNSD" zone add other.test --primary "$primary" --key ddnsd-key >/dev/null
	"$DDNSD" account add a@example.com >/dev/null
	"$DDNSD" account add b@example.com >/dev/null
	"$DDNSD" host add "home-$FX_ID.dyn.test" --account a@example.com >/dev/null
	"$DDNSD" host add "office-$FX_ID.other.test" --account b@example.com >/dev/null
	TOK_A=$(fx_token "home-$FX_ID.dyn.test")
	TOK_B=$(fx_token "office-$FX_ID.other.test")
	HOST_A="home-$FX_ID.dyn.test"
	HOST_B="office-$FX_ID.other.test"
	export TOK_A TOK_B HOST_A HOST_B
}

# Host names carry a per-run id: tests share one BIND and may run at once.
FX_ID=${FX_ID:-$(printf '%s%s' "$$" "$RANDOM" | tail -c 8)}

# fx_get [curl args...] PATH_AND_QUERY: GET on ddnsd; prints
# "STATUS BODY" with the body's newlines as '|'.
fx_get() {
	local out status
	out=$(curl -s -w '\n%{http_code}' "${@:1:$#-1}" "$DDNS_URL${!#}") || return 1
	status=${out##*$'\n'}
	out=${out%$'\n'*}
	printf '%s %s' "$status" "$(printf '%s' "$out" | tr '\n' '|')"
}
