#!/bin/bash
# SPDX-License-Identifier: MIT
# TLS certificates without a restart: ddnsd serves HTTPS with a first
# certificate (CN=first.ddnsd.test); the files are replaced by a second
# one (CN=second.ddnsd.test) and SIGHUP makes new connections get it,
# while a keep-alive connection opened before the reload keeps working on
# the first. A certificate that does not parse, a key of another
# certificate and a missing file are each logged with the reason, and the
# second certificate stays in use. The key never reaches the log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

it_setup
fx_base
D=$IT_TMP/tls
mkdir -p "$D"
for n in first second; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-days 2 -subj "/CN=$n.ddnsd.test" -addext subjectAltName=IP:127.0.0.1 \
		-keyout "$D/$n.key" -out "$D/$n.crt" 2>/dev/null
done
cat "$D/first.crt" "$D/second.crt" >"$D/both.crt"
cp "$D/first.crt" "$D/cert.pem"
cp "$D/first.key" "$D/key.pem"
it_start_ddnsd DDNS_TLS_CERT="$D/cert.pem" DDNS_TLS_KEY="$D/key.pem" DDNS_PUSH_INTERVAL_MS=200
URL=https://127.0.0.1:$DDNSD_PORT

# subject: the certificate a new connection is given.
subject() {
	openssl s_client -connect "127.0.0.1:$DDNSD_PORT" </dev/null 2>/dev/null |
		openssl x509 -noout -subject -nameopt RFC2253 2>/dev/null
}
# replace CERT KEY: atomically, as certbot's deploy hook or cp+mv would.
replace() {
	cp "$1" "$D/cert.pem.new" && mv -f "$D/cert.pem.new" "$D/cert.pem"
	cp "$2" "$D/key.pem.new" && mv -f "$D/key.pem.new" "$D/key.pem"
}
hup_wait() {
	local n
	n=$(grep -c 'SIGHUP: ' "$IT_TMP/ddnsd.log" || true)
	kill -HUP "$DDNSD_PID"
	for ((i = 0; i < 50; i++)); do
		(($(grep -c 'SIGHUP: ' "$IT_TMP/ddnsd.log" || true) >= n + 2)) && return 0
		sleep 0.1
	done
	return 1
}

it_eq "subject=CN=first.ddnsd.test" "$(subject)" "the first certificate at start"
it_match 'http: TLS certificate CN=first\.ddnsd\.test, valid until 20[0-9-]+ ' "$(cat "$IT_TMP/ddnsd.log")" "start logs the subject and expiry"

# A keep-alive connection opened before the reload: one request now, one
# after the reload, on the same TLS session.
cat >"$IT_TMP/inflight.py" <<'PY'
import os, socket, ssl, sys, time
port, ca, out, go = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', port)))
def get():
    s.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = s.recv(4096)
        if not chunk:
            return 'closed'
        data += chunk
    head, body = data.split(b'\r\n\r\n', 1)
    n = 0
    for line in head.split(b'\r\n')[1:]:
        k, _, v = line.partition(b':')
        if k.strip().lower() == b'content-length':
            n = int(v)
    while len(body) < n:
        chunk = s.recv(4096)
        if not chunk:
            return 'closed'
        body += chunk
    return head.split(b'\r\n', 1)[0].decode()
def cn():
    return dict(x[0] for x in s.getpeercert()['subject'])['commonName']
with open(out, 'w', buffering=1) as f:
    f.write('before %s %s\n' % (get(), cn()))
    for _ in range(200):
        if os.path.exists(go):
            break
        time.sleep(0.05)
    f.write('after %s %s\n' % (get(), cn()))
PY
python3 "$IT_TMP/inflight.py" "$DDNSD_PORT" "$D/both.crt" "$IT_TMP/inflight.out" "$IT_TMP/go" &
IPID=$!
for ((i = 0; i < 50; i++)); do grep -q before "$IT_TMP/inflight.out" 2>/dev/null && break; sleep 0.1; done
it_eq "before HTTP/1.1 200 OK first.ddnsd.test" "$(cat "$IT_TMP/inflight.out")" "a connection in flight, on the first certificate"

replace "$D/second.crt" "$D/second.key"
it_ok hup_wait
it_match 'SIGHUP: TLS certificate loaded from .*/cert.pem: CN=second\.ddnsd\.test, valid until' "$(cat "$IT_TMP/ddnsd.log")" "the reload is logged with the new subject"
it_eq "subject=CN=second.ddnsd.test" "$(subject)" "new connections get the second certificate"
touch "$IT_TMP/go"
wait "$IPID" || true
it_eq "after HTTP/1.1 200 OK first.ddnsd.test" "$(sed -n 2p "$IT_TMP/inflight.out")" "the connection in flight finished on the first"
it_eq "good 203.0.113.51" "$(curl -s --cacert "$D/second.crt" -u "$HOST_A:$TOK_A" "$URL/nic/update?hostname=$HOST_A&myip=203.0.113.51")" "HTTPS update verified against the second certificate"
it_ok it_wait_dig "$HOST_A" A 203.0.113.51
it_fail curl -sf -o /dev/null --cacert "$D/first.crt" "$URL/healthz"

# Broken replacements: each logged, the second certificate stays.
{ echo "-----BEGIN CERTIFICATE-----"; echo "bm90IGEgY2VydGlmaWNhdGU="; echo "-----END CERTIFICATE-----"; } >"$D/broken.crt"
replace "$D/broken.crt" "$D/second.key"
it_ok hup_wait
it_match 'SIGHUP: DDNS_TLS_CERT/DDNS_TLS_KEY: certificate: .*; the certificate in use stays' "$(cat "$IT_TMP/ddnsd.log")" "a certificate that does not parse is logged"
it_eq "subject=CN=second.ddnsd.test" "$(subject)" "and the second certificate stays"
replace "$D/first.crt" "$D/second.key"
it_ok hup_wait
it_match 'the key does not belong to the certificate; the certificate in use stays' "$(cat "$IT_TMP/ddnsd.log")" "a key of another certificate is refused"
it_eq "subject=CN=second.ddnsd.test" "$(subject)" "the second certificate still"
rm -f "$D/key.pem"
it_ok hup_wait
it_match "SIGHUP: DDNS_TLS_CERT/DDNS_TLS_KEY: $D/key.pem: No such file or directory; the certificate in use stays" "$(cat "$IT_TMP/ddnsd.log")" "a missing key file is logged"
it_eq '200 {"status":"alive"}' "$(curl -s --cacert "$D/second.crt" -w '%{http_code}' -o "$IT_TMP/body" "$URL/healthz") $(cat "$IT_TMP/body")" "still serving HTTPS"
# The TSIG keys are reloaded by the same signal.
it_match 'SIGHUP: [0-9]+ TSIG keys loaded' "$(cat "$IT_TMP/ddnsd.log")" "TSIG keys reloaded alongside"
for k in first second; do
	it_eq 0 "$(grep -cF -- "$(sed -n 2p "$D/$k.key")" "$IT_TMP/ddnsd.log" || true)" "the $k private key is not logged"
done
it_stop_ddnsd
it_eq 0 "$DDNSD_EXIT" "exit 0 on SIGTERM"
it_done
