#!/bin/bash
# SPDX-License-Identifier: MIT
# Hostile requests, table-driven: /nic/update through curl (percent-encoded)
# and through a raw socket (bytes curl would not send), and REST JSON bodies
# (bad UTF-8 and the like). Each gets a clear error (or, for an address that
# is the current one in disguise, nochg), and neither the database nor DNS
# changes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

it_setup
fx_base
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200
A=$HOST_A
B=$HOST_B

# Every table but the failed-authentication counters, as COPY text, in a
# stable order, without the tokens' last use (an API token's is touched by
# any authenticated request): what a hostile request must leave as it was.
dump() {
	local t cols
	for t in $(fx_psql "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('auth_failures') ORDER BY 1"); do
		cols=$(fx_psql "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '$t' AND column_name <> 'last_used_at'")
		printf '== %s\n' "$t"
		psql -X -q "$DDNS_DATABASE_URL" -c "COPY (SELECT $cols FROM $t ORDER BY 1) TO STDOUT"
	done
}
dns() { printf '%s/%s/%s' "$(it_dig "$A" A)" "$(it_dig "$A" AAAA)" "$(it_dig evil.dyn.test A)"; }

it_eq "200 good 192.0.2.1,2001:db8::1|" "$(fx_get -u "$A:$TOK_A" "/nic/update?hostname=$A&myip=192.0.2.1,2001:db8::1")" "initial address"
it_ok it_wait_dig "$A" AAAA 2001:db8::1
for ((i = 0; i < 50; i++)); do
	[[ $(fx_psql "SELECT version = pushed_version FROM hosts WHERE fqdn = '$A'") == t ]] && break
	sleep 0.1
done
# An account API token for the REST cases.
rest_account rest@example.com 'correct horse battery'
TOK_API=$(rest_token rest@example.com 'correct horse battery' '["read","write"]')
rqa "$TOK_API" POST /v1/hosts "{\"name\":\"api-$FX_ID.dyn.test\"}"
it_status 201 "REST: a host to aim at"
API_HOST=api-$FX_ID.dyn.test
db_before=$(dump)
dns_before=$(dns)

rep() { local s=$1 n=$2 out=''; for ((; n > 0; n--)); do out+=$s; done; printf '%s' "$out"; }
L63=$(rep a 63)
NAME254="$L63.$L63.$L63.$(rep b 53).dyn.test" # 254 characters
HOSTS1000=$(for i in $(seq 1 1000); do printf 'h%d.dyn.test,' "$i"; done)
PAIRS100=$(for i in $(seq 1 100); do printf 'x%d=1&' "$i"; done)
BIG=$(rep x 9000)
SQL="'%3B%20DROP%20TABLE%20hosts%3B--"

# kind <TAB> expected "STATUS BODY" (ERE) <TAB> what <TAB> data
#   get: query string, Basic auth with TOK_A; query: the same without
#   Basic; post: form body; auth: Authorization header value with the
#   query hostname=$A&myip=192.0.2.1.
CASES=$(cat <<EOT
get	^200 notfqdn\|$	name of 254 characters	hostname=$NAME254&myip=192.0.2.1
get	^200 notfqdn\|$	label of 64 characters	hostname=$(rep a 64).dyn.test&myip=192.0.2.1
get	^200 notfqdn\|$	empty label	hostname=a..dyn.test&myip=192.0.2.1
get	^200 notfqdn\|$	label starting with '-'	hostname=-a.dyn.test&myip=192.0.2.1
get	^200 notfqdn\|$	wildcard name	hostname=*.dyn.test&myip=192.0.2.1
get	^400 dnserr\|$	NUL byte in the name (%00)	hostname=home%00.dyn.test&myip=192.0.2.1
get	^400 dnserr\|$	NUL byte in the address	hostname=$A&myip=192.0.2.1%00
get	^400 dnserr\|$	NUL byte in offline=	hostname=$A&myip=192.0.2.1&offline=YES%00
get	^200 notfqdn\|$	control byte in the name	hostname=ho%01me.dyn.test&myip=192.0.2.1
get	^200 notfqdn\|$	CR LF in the name (header injection)	hostname=$A%0d%0aX-Evil:%201&myip=192.0.2.1
get	^200 notfqdn\|$	space inside the name	hostname=ho%20me.dyn.test&myip=192.0.2.1
get	^200 notfqdn\|$	escaped escape (%2500)	hostname=home%2500.dyn.test&myip=192.0.2.1
get	^200 notfqdn\|$	double-encoded dot (%252e)	hostname=home%252edyn.test&myip=192.0.2.1
get	^200 notfqdn\|$	overlong UTF-8 dot (%c0%ae)	hostname=home%c0%aedyn.test&myip=192.0.2.1
get	^200 notfqdn\|$	fullwidth dot (U+FF0E)	hostname=home%ef%bc%8edyn.test&myip=192.0.2.1
get	^200 notfqdn\|$	non-ASCII name (IDN not punycoded)	hostname=h%c3%b6me.dyn.test&myip=192.0.2.1
get	^400 dnserr\|$	invalid escape %zz	hostname=$A&myip=192.0.2.1&x=%zz
get	^400 dnserr\|$	truncated escape	hostname=$A&myip=192.0.2.1&x=%4
get	^400 dnserr\|$	lone % at the end	hostname=$A&myip=192.0.2.1%
get	^200 notfqdn\|$	SQL in the name	hostname=x'%20OR%20'1'%3D'1.dyn.test&myip=192.0.2.1
get	^200 notfqdn\|$	SQL after a valid name	hostname=$A$SQL&myip=192.0.2.1
get	^400 dnserr\|$	SQL in the address	hostname=$A&myip=192.0.2.1$SQL
query	^401 badauth\|$	SQL in the password	hostname=$A&myip=192.0.2.1&username=$A&password=x$SQL
get	^200 numhost\|$	21 names	hostname=$(for i in $(seq 1 21); do printf 'n%d.dyn.test,' "$i"; done)&myip=192.0.2.1
get	^414 	1,000 names in the query (over 8 KiB)	hostname=$HOSTS1000&myip=192.0.2.1
post	^200 numhost\|$	1,000 names in a form body	hostname=$HOSTS1000&myip=192.0.2.1
get	^400 dnserr\|$	more than 64 parameters	${PAIRS100}hostname=$A
get	^200 nochg 192.0.2.1\|$	IPv4-mapped IPv6 of the current address	hostname=$A&myip=::ffff:192.0.2.1
get	^400 dnserr\|$	IPv4-mapped 0.0.0.0	hostname=$A&myip=::ffff:0.0.0.0
get	^400 dnserr\|$	0.0.0.0	hostname=$A&myip=0.0.0.0
get	^400 dnserr\|$	::	hostname=$A&myip=::
get	^400 dnserr\|$	IPv4 multicast	hostname=$A&myip=224.0.0.1
get	^400 dnserr\|$	IPv6 multicast	hostname=$A&myip=ff02::1
get	^400 dnserr\|$	scoped IPv6 fe80::1%eth0 (escaped)	hostname=$A&myip=fe80::1%25eth0
get	^400 dnserr\|$	scoped IPv6 fe80::1%eth0 (raw %)	hostname=$A&myip=fe80::1%eth0
get	^400 dnserr\|$	leading zeros 01.02.03.04	hostname=$A&myip=01.02.03.04
get	^400 dnserr\|$	five octets	hostname=$A&myip=1.2.3.4.5
get	^400 dnserr\|$	over-long address	hostname=$A&myip=$(rep 1 1000)
get	^400 dnserr\|$	IPv6 prefix length 129	hostname=$A&myipv6=2001:db8::1/129
get	^200 nohost\|$	duplicate hostname: the last one counts	hostname=$A&hostname=evil.dyn.test&myip=192.0.2.77
get	^400 dnserr\|$	duplicate myip: the last one counts	hostname=$A&myip=192.0.2.77&myip=0.0.0.0
query	^401 badauth\|$	duplicate password, the last one wrong	hostname=$A&myip=192.0.2.77&password=$TOK_A&password=x
get	^200 nohost\|$	another tenant's host	hostname=$B&myip=192.0.2.77
get	^414 	over-long URL	hostname=$A&x=$BIG
auth	^401 badauth\|$	Basic with 600 bytes of credentials	Basic $(printf '%s:%s' "$(rep u 300)" "$(rep p 300)" | base64 -w0)
auth	^401 badauth\|$	Basic with a NUL byte	Basic $(printf 'u\0x:%s' "$TOK_A" | base64 -w0)
auth	^401 badauth\|$	Basic with bad base64	Basic !!!!
auth	^401 badauth\|$	Basic without ':'	Basic $(printf '%s' "$TOK_A" | base64 -w0)
auth	^401 badauth\|$	token with SQL	Basic $(printf "u:ddh_x'--_y" | base64 -w0)
EOT
)
while IFS=$'\t' read -r kind want what data; do
	case $kind in
	get) r=$(fx_get -u "$A:$TOK_A" "/nic/update?$data") ;;
	query) r=$(fx_get "/nic/update?$data") ;;
	post) r=$(fx_get -u "$A:$TOK_A" --data-binary "$data" "/nic/update") ;;
	auth) r=$(fx_get -H "Authorization: $data" "/nic/update?hostname=$A&myip=192.0.2.1") ;;
	esac
	it_match "$want" "${r:0:200}" "$what"
done <<<"$CASES"

code() { curl -s -o /dev/null -w '%{http_code}' "$@" || true; }
it_eq "431" "$(code -u "$A:$TOK_A" -H "X-Pad: $BIG" "$DDNS_URL/nic/update?hostname=$A&myip=192.0.2.77")" "over-long headers: 431"
printf '%s' "$(rep x 70000)" >"$IT_TMP/big"
it_eq "413" "$(code -u "$A:$TOK_A" --data-binary @"$IT_TMP/big" "$DDNS_URL/nic/update?hostname=$A&myip=192.0.2.77")" "over-long body: 413"

# Bytes curl would not send: the request written to a socket as is.
# raw QUERY [EXTRA_HEADER]: prints "STATUS BODY" like fx_get.
AUTHZ="Authorization: Basic $(printf '%s:%s' "$A" "$TOK_A" | base64 -w0)"
raw() {
	local out
	exec 5<>"/dev/tcp/127.0.0.1/$DDNSD_PORT"
	printf 'GET /nic/update?%b HTTP/1.1\r\nHost: x\r\n%s\r\n%bConnection: close\r\n\r\n' "$1" "$AUTHZ" "${2:-}" >&5
	out=$(timeout 5 head -c 4096 <&5 | tr -d '\0\r') || true
	exec 5>&-
	printf '%s %s' "${out:9:3}" "$(printf '%s' "${out#*$'\n\n'}" | tr '\n' '|')"
}
# The request line reaches us cut at a NUL byte (or libmicrohttpd refuses
# it); the other bytes reach the name check.
RAW=$(cat <<'EOT'
^(200 notfqdn|400 .*)$~hostname=home\x00.dyn.test&myip=192.0.2.1~~raw NUL byte in the query
^200 notfqdn$~hostname=ho\x01me.dyn.test&myip=192.0.2.1~~raw control byte in the query
^200 notfqdn$~hostname=h\xc3\xb6me.dyn.test&myip=192.0.2.1~~raw UTF-8 in the query
^200 notfqdn$~hostname=h\xffme.dyn.test&myip=192.0.2.1~~raw invalid UTF-8 in the query
^200 notfqdn$~hostname=ho me.dyn.test&myip=192.0.2.1~~raw space in the query
^200 nochg 192.0.2.1$~hostname=HOSTA&myip=192.0.2.1~X-Evil: a\x00b\r\n~raw NUL byte in a header (libmicrohttpd cuts the value there)
^400 control character~hostname=HOSTA&myip=192.0.2.88~X-Evil: a\rb\r\n~raw CR in a header
^400 control character~hostname=HOSTA&myip=192.0.2.88~X-Evil: a\x1bb\r\n~raw ESC in a header
^4[0-9][0-9] ~hostname=HOSTA&myip=192.0.2.88~ folded: header\r\n~obsolete line folding
EOT
)
while IFS='~' read -r want q hdr what; do
	r=$(raw "${q/HOSTA/$A}" "$hdr")
	it_match "$want" "$r" "$what"
done <<<"$RAW"

# REST JSON bodies: bad UTF-8 and other hostile JSON, each a 400
# problem+json whose detail is valid JSON text (jq parses it).
JSON=$(cat <<'EOT'
400~POST /v1/hosts~{"name":"h\xffx.dyn.test"}~invalid UTF-8 byte in a value
400~POST /v1/hosts~{"name":"h\xc0\xaex.dyn.test"}~overlong UTF-8 in a value
400~POST /v1/hosts~{"name":"h\xed\xa0\x80x.dyn.test"}~UTF-8 encoded surrogate
400~POST /v1/hosts~{"name":"h\xe2\x82"}~truncated UTF-8 sequence
400~POST /v1/hosts~{"\xff\xfe":"x"}~invalid UTF-8 in a key
400~POST /v1/hosts~{"name":"x\\u0000y.dyn.test"}~escaped NUL in a value
400~POST /v1/hosts~{"name":"\\ud800.dyn.test"}~lone surrogate escape
400~POST /v1/hosts~{"name":"a.dyn.test","name":"b.dyn.test"}~duplicate key
400~POST /v1/hosts~{"name":"a.dyn.test","ttl":1e999}~number out of range
400~POST /v1/hosts~{"name":"a.dyn.test","ttl":-9223372036854775809}~integer below int64
422~POST /v1/hosts~{"name":"a.dyn.test'; DROP TABLE hosts;--"}~SQL in the name
400~POST /v1/hosts~{"name":"a.dyn.test"~truncated JSON
400~PATCH /v1/hosts/HOST~{"ipv4":"192.0.2.1\xff"}~invalid UTF-8 in an address
422~PATCH /v1/hosts/HOST~{"ipv4":"0.0.0.0"}~0.0.0.0 by REST
422~PATCH /v1/hosts/HOST~{"ipv6":"fe80::1%eth0"}~scoped IPv6 by REST
422~PATCH /v1/hosts/HOST~{"ipv4":"::ffff:0.0.0.0"}~IPv4-mapped 0.0.0.0 by REST
EOT
)
while IFS='~' read -r want mp body what; do
	printf '%b' "$body" >"$IT_TMP/json"
	p=${mp#* }
	rq_direct "bytes exactly as written: Prism re-encodes JSON" \
		rq "${mp%% *}" "${p/HOST/$API_HOST}" -H "Authorization: Bearer $TOK_API" \
		-H 'Content-Type: application/json' --data-binary @"$IT_TMP/json"
	it_status "$want" "REST: $what"
	it_ok jq -e .detail <<<"$RQ_BODY"
done <<<"$JSON"
python3 -c "print('[' * 60000, end='')" >"$IT_TMP/json"
rq_direct "JSON nested past Prism's parser" \
	rq POST /v1/hosts -H "Authorization: Bearer $TOK_API" -H 'Content-Type: application/json' --data-binary @"$IT_TMP/json"
it_status 400 "REST: 60,000 nested arrays"

sleep 1 # a change, had there been one, would reach DNS by now
it_eq "$db_before" "$(dump)" "the database is unchanged"
it_eq "$dns_before" "$(dns)" "DNS is unchanged"
it_eq "200" "$(code "$DDNS_URL/healthz")" "ddnsd still serves"
it_done
