#!/bin/bash
# SPDX-License-Identifier: MIT
# Native TLS: with DDNS_TLS_CERT and DDNS_TLS_KEY set, ddnsd answers HTTPS
# with a self-signed certificate made here by openssl (and not plain
# HTTP); the two variables go together; unreadable files are refused.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$IT_TMP/key.pem" -out "$IT_TMP/cert.pem" 2>/dev/null
it_start_ddnsd DDNS_TLS_CERT="$IT_TMP/cert.pem" DDNS_TLS_KEY="$IT_TMP/key.pem" DDNS_PUSH_INTERVAL_MS=200
URL=https://127.0.0.1:$DDNSD_PORT
A=$HOST_A

it_eq '200 {"status":"alive"}' "$(curl -s --cacert "$IT_TMP/cert.pem" -w '%{http_code}' -o "$IT_TMP/body" "$URL/healthz") $(cat "$IT_TMP/body")" "HTTPS /healthz with the test's CA"
it_eq "good 203.0.113.77" "$(curl -s --cacert "$IT_TMP/cert.pem" -u "$A:$TOK_A" "$URL/nic/update?hostname=$A&myip=203.0.113.77")" "HTTPS update"
it_ok it_wait_dig "$A" A 203.0.113.77
it_fail curl -sf -o /dev/null "$URL/healthz"                   # unknown CA: refused by curl
it_fail curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$DDNSD_PORT/healthz"
proto=$(curl -s -o /dev/null --cacert "$IT_TMP/cert.pem" -w '%{scheme} %{http_version}' "$URL/healthz")
it_eq "HTTPS 1.1" "$proto" "TLS session, HTTP/1.1"
it_match 'https' "$(grep -F 'http: listening' "$IT_TMP/ddnsd.log")" "startup log says https"
it_ok env DDNS_LISTEN="127.0.0.1:$DDNSD_PORT" DDNS_TLS_CERT="$IT_TMP/cert.pem" DDNS_TLS_KEY="$IT_TMP/key.pem" "$DDNSD" healthcheck
it_stop_ddnsd
it_eq 0 "$DDNSD_EXIT" "exit 0 on SIGTERM"

# Half a configuration, or unreadable files: exit 2 naming the variable.
try() { local rc=0; env "$@" DDNS_LISTEN=127.0.0.1:1 "$DDNSD" serve >"$IT_TMP/out" 2>&1 || rc=$?; echo "$rc $(cat "$IT_TMP/out")"; }
it_match '^2 .*DDNS_TLS_KEY' "$(try DDNS_TLS_CERT="$IT_TMP/cert.pem")" "cert without key: exit 2 naming DDNS_TLS_KEY"
it_match '^2 .*DDNS_TLS_CERT' "$(try DDNS_TLS_KEY="$IT_TMP/key.pem")" "key without cert: exit 2 naming DDNS_TLS_CERT"
it_match '^2 .*DDNS_TLS_KEY: .*/nope.pem' "$(try DDNS_TLS_CERT="$IT_TMP/cert.pem" DDNS_TLS_KEY="$IT_TMP/nope.pem")" "missing key file: exit 2 naming it"
echo "not pem" >"$IT_TMP/junk.pem"
it_match '^2 .*DDNS_TLS_CERT: .*not a PEM' "$(try DDNS_TLS_CERT="$IT_TMP/junk.pem" DDNS_TLS_KEY="$IT_TMP/key.pem")" "non-PEM certificate: exit 2"
it_eq 0 "$(grep -cF -- "$(sed -n 2p "$IT_TMP/key.pem")" "$IT_TMP/ddnsd.log" || true)" "the private key is not logged"
it_done
