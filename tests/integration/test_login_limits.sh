#!/bin/bash
# SPDX-License-Identifier: MIT
# The per-account login limit (DDNS_LOGIN_FAIL_MAX, shared in PostgreSQL):
# guessing one account's password from many client addresses (here behind
# a trusted proxy, one address per attempt, so the per-address limit never
# triggers) ends in 429 + Retry-After for that account, even with the right
# password; another account is not affected; an e-mail without an account
# is limited alike (the answer does not tell which e-mails exist).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

it_setup
fx_base
PW='correct horse battery'
it_start_ddnsd DDNS_SIGNUP=open DDNS_TRUSTED_PROXIES=127.0.0.1 DDNS_LOGIN_FAIL_MAX=5 DDNS_LOGIN_FAIL_WINDOW_S=600

for who in victim other; do
	rq POST /v1/accounts -H 'X-Forwarded-For: 192.0.2.1' --data-binary "{\"email\":\"$who@example.com\",\"password\":\"$PW\"}"
	it_status 201 "sign-up of $who"
done
login() { # EMAIL PASSWORD CLIENT
	rq POST /v1/tokens -u "$1:$2" -H "X-Forwarded-For: $3" --data-binary '{"name":"x","scopes":["read"]}'
}
codes=''
for i in 1 2 3 4 5 6; do
	login victim@example.com "wrong-$i-password" "198.51.100.$i"
	codes+="$RQ_STATUS "
done
it_eq "401 401 401 401 401 429 " "$codes" "five wrong passwords from five addresses, then 429 for the account"
it_match "account" "$(jf .detail)" "the detail says the account is limited"
ra=$(grep -i '^Retry-After:' "$RQ_HDRS" | tr -dc '0-9')
it_eq yes "$( ((ra > 500 && ra <= 600)) && echo yes || echo "no: $ra")" "Retry-After: the rest of the window"
login victim@example.com "$PW" 203.0.113.50
it_status 429 "the right password from a fresh address waits too (guessing is bounded)"
it_eq 5 "$(fx_psql "SELECT count FROM login_failures WHERE email_hash = sha256(convert_to('victim@example.com', 'UTF8'))")" "counted once per failure, in PostgreSQL (blocked attempts are not verified)"
login Victim@Example.COM "$PW" 203.0.113.51
it_status 429 "the e-mail in another case is the same account"
login other@example.com "$PW" 198.51.100.1
it_status 201 "another account from the same addresses logs in"

codes=''
for i in 1 2 3 4 5 6; do
	login nobody@example.com "wrong-$i-password" "198.51.100.$((20 + i))"
	codes+="$RQ_STATUS "
done
it_eq "401 401 401 401 401 429 " "$codes" "an e-mail without an account is limited the same way"
it_eq 0 "$(grep -c -F -e "$PW" "$IT_TMP/ddnsd.log" || true)" "no password in the log"
it_done
