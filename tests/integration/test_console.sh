#!/bin/bash
# SPDX-License-Identifier: MIT
# The web console: how ddnsd serves it (pages, assets under a versioned
# prefix, the security headers, DDNS_CONSOLE=off), then the whole path a
# new user takes in real headless Chromium driven by Selenium
# (console_browser.py): sign up, add a host, new token, copy, router setup,
# a host the nameserver refuses shown as "refused",
# an update sent with curl appearing "in DNS" and in History (with a
# hostile User-Agent that must stay text), revoke, delete, sign out; the
# cookie's flags, a cross-origin POST refused, no token in web storage, a
# 375 px phone run, labels, contrast and no browser console errors.
# Screenshots of each step go to <build dir>/console-screenshots/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$(dirname "$0")/rest_fixtures.sh"

# The console's pages and assets are not in the OpenAPI document: this
# test talks to ddnsd directly (the session API goes through Prism in
# test_rest_session.sh).
_RQ_VIA=direct
it_setup
# A private BIND whose update policy refuses one name, so that the console
# shows a real "refused" (issue #7: dns.state) next to "in DNS".
REFUSED_HOST=refused$FX_ID.dyn.test
ns=$IT_TMP/ns
it_on_exit 'svc_bind_stop "$ns"'
svc_bind_deny "$ns" "$REFUSED_HOST"
svc_bind_start "$ns" dyn.test other.test
fx_base
it_start_ddnsd DDNS_PUSH_INTERVAL_MS=200 DDNS_SIGNUP=open

CSP="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
hdr() { grep -i "^$1:" "$RQ_HDRS" | head -n 1 | tr -d '\r' | sed 's/^[^:]*: //'; }
security_headers() {
	it_eq "$CSP" "$(hdr Content-Security-Policy)" "$1: the Content-Security-Policy"
	it_eq "nosniff" "$(hdr X-Content-Type-Options)" "$1: X-Content-Type-Options: nosniff"
	it_eq "no-referrer" "$(hdr Referrer-Policy)" "$1: Referrer-Policy: no-referrer"
}

# --- serving ------------------------------------------------------------------------
for p in / /account /signup "/hosts/web.dyn.test"; do
	rq GET "$p"
	it_eq "200 text/html; charset=utf-8" "$RQ_STATUS $RQ_CT" "GET $p: the console page"
	security_headers "GET $p"
	it_eq "no-cache" "$(hdr Cache-Control)" "GET $p: revalidated, never cached stale"
done
page=$RQ_BODY
it_eq "" "$(grep -Eio '<script[^>]*>[^<]+|<style|style=|\son[a-z]+=' <<<"$page" || true)" "no inline script, style or event attribute"
it_eq "" "$(grep -Eio '(src|href)="(https?:)?//[^"]*' <<<"$page" || true)" "nothing loaded from elsewhere"
assets=$(grep -Eo '(src|href)="/assets/[0-9a-f]{16}/[^"]+"' <<<"$page" | sed -E 's/^[a-z]+="//; s/"$//')
it_eq "3" "$(wc -l <<<"$assets")" "index.html names its CSS, JS and icon under /assets/<version>/"
ver=$(head -n 1 <<<"$assets" | cut -d/ -f3)
for a in $assets /assets/$ver/api.js /assets/$ver/views/host.js; do
	rq GET "$a"
	it_eq "200" "$RQ_STATUS" "GET $a"
	it_eq "public, max-age=31536000, immutable" "$(hdr Cache-Control)" "$a: a long cache lifetime"
	security_headers "$a"
done
rq GET "/assets/$ver/app.js"
it_eq "text/javascript; charset=utf-8" "$RQ_CT" "JavaScript modules as text/javascript"
it_eq "$(cat "$DDNS_SOURCE_DIR/web/app.js")" "$RQ_BODY" "served as in web/"
grep -rEn 'innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|localStorage|sessionStorage' \
	"$DDNS_SOURCE_DIR/web" --include=*.js | grep -Ev '^[^:]+:[0-9]+:\s*//' >"$IT_TMP/bad.js" || true
it_eq "" "$(cat "$IT_TMP/bad.js")" "web/*.js builds DOM with textContent only and keeps nothing in web storage"
it_eq "1" "$(grep -rl 'fetch(' "$DDNS_SOURCE_DIR/web" --include=*.js | wc -l)" "one module (api.js) talks to the API"
rq GET "/assets/0000000000000000/app.js"
it_eq "404" "$RQ_STATUS" "another version's path: 404 (an asset never changes under its path)"
rq GET "/assets/$ver/index.html"
it_eq "404" "$RQ_STATUS" "index.html is not an asset"
rq GET "/assets/$ver/../app.js"
it_eq "404" "$RQ_STATUS" "no dot-dot"
rq GET /nothing-here
it_eq "404 not found" "$RQ_STATUS $RQ_BODY" "an unknown path is still 404"
rq POST /
it_eq "405" "$RQ_STATUS" "POST / is 405"
rq GET /v1/session
it_eq "200 null" "$RQ_STATUS $(jf .account)" "GET /v1/session signed out: 200"

# --- the browser --------------------------------------------------------------------
shots=$(dirname "$DDNSD")/console-screenshots
rm -rf "$shots"
mkdir -p "$shots"
DDNS_URL=$DDNS_URL DDNSD_LOG=$IT_TMP/ddnsd.log REFUSED_HOST=$REFUSED_HOST SHOTS=$shots BIND_PORT=$BIND_PORT ZONE=dyn.test RUN_ID=$FX_ID \
	timeout 400 /usr/bin/python3 "$DDNS_SOURCE_DIR/tests/integration/console_browser.py" \
	>"$IT_TMP/browser.out" 2>&1 && brc=0 || brc=$?
cat "$IT_TMP/browser.out"
while IFS= read -r line; do
	case $line in
	ok:*) it_eq "" "" "browser: ${line#ok: }" ;;
	FAIL:*) it_eq "ok" "failed" "browser: ${line#FAIL: }" ;;
	esac
done <"$IT_TMP/browser.out"
it_eq "0" "$brc" "the browser run exits 0"
it_ok test "$(grep -c '^ok:' "$IT_TMP/browser.out")" -ge 60
it_ok test "$(find "$shots" -name '*.png' | wc -l)" -ge 12

# --- off --------------------------------------------------------------------------------
it_start_ddnsd DDNS_CONSOLE=off
rq GET /
it_eq "404" "$RQ_STATUS" "DDNS_CONSOLE=off: / is 404"
rq GET "/assets/$ver/app.js"
it_eq "404" "$RQ_STATUS" "DDNS_CONSOLE=off: no assets"
rq GET /v1/session
it_eq "200" "$RQ_STATUS" "the REST API stays"
it_done
