#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
The web console in real headless Chromium, driven by Selenium as a person
would: by labels, headings and button texts. Started by test_console.sh
against a ddnsd with the usual throwaway PostgreSQL and BIND.

Prints one "ok: ..." or "FAIL: ..." line per check (test_console.sh counts
them) and saves a screenshot of each step under SHOTS.

Env: DDNS_URL (http://127.0.0.1:PORT), SHOTS (directory), BIND_PORT,
ZONE (a shared zone, e.g. dyn.test), RUN_ID (makes names unique).
"""
import http.server
import json
import os
import threading
import re
import subprocess
import sys
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

URL = os.environ["DDNS_URL"]
SHOTS = os.environ["SHOTS"]
BIND_PORT = os.environ["BIND_PORT"]
ZONE = os.environ.get("ZONE", "dyn.test")
RUN = os.environ.get("RUN_ID", str(os.getpid()))
DDNSD_LOG = os.environ["DDNSD_LOG"]
REFUSED_HOST = os.environ.get("REFUSED_HOST")  # the nameserver refuses it
EVIL = None
EVIL_PORT = 0
EMAIL = f"new-{RUN}@example.com"
PW1 = "first password 123"
PW2 = "second password 456"
HOST = f"web{RUN}.{ZONE}"
HOSTILE_UA = ('<img src=x onerror="document.title=\'pwned\'"><b>bold</b>'
              '<script>alert(1)</script> & "quotes"')
REQUIRED_CLIENTS = ["ddclient", "inadyn", "FRITZ!Box", "OpenWrt", "pfSense",
                    "OPNsense", "UniFi", "MikroTik", "Synology", "curl"]
failures = 0
shot_no = 0
HAS_SETUP = "/v1/hosts/{name}/setup" in json.loads(subprocess.run(
    ["curl", "-s", URL + "/v1/openapi.json"], capture_output=True, text=True).stdout)["paths"]


def ok(cond, msg):
    global failures
    if cond:
        print(f"ok: {msg}", flush=True)
    else:
        failures += 1
        print(f"FAIL: {msg}", flush=True)
    return cond


def eq(want, got, msg):
    return ok(want == got, msg if want == got else f"{msg} (expected {want!r}, got {got!r})")


def browser(width, height, mobile=False):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run",
              "--disable-extensions", "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              "--disable-default-apps", "--metrics-recording-only",
              "--password-store=basic", "--lang=en-US",
              f"--window-size={width},{height}"):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    svc = webdriver.ChromeService(executable_path="/usr/bin/chromedriver") \
        if hasattr(webdriver, "ChromeService") else None
    d = webdriver.Chrome(options=o, service=svc) if svc else webdriver.Chrome(options=o)
    d.set_page_load_timeout(30)
    # The viewport as a phone has it (headless windows are at least 500
    # px wide, so the window size alone is not enough).
    d.metrics = {"width": width, "height": height, "deviceScaleFactor": 2 if mobile else 1,
                 "mobile": mobile}
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", d.metrics)
    if mobile:
        d.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True})
    d.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": URL, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    return d


def shot(d, name):
    global shot_no
    shot_no += 1
    path = os.path.join(SHOTS, f"{shot_no:02d}-{name}.png")
    # The whole page, not only the first screen.
    h = d.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    w = d.execute_script("return window.innerWidth")
    try:
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            **d.metrics, "width": w, "height": min(int(h), 6000), "deviceScaleFactor": 1})
        d.save_screenshot(path)
    finally:
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", d.metrics)
    print(f"screenshot: {path}", flush=True)


def wait(d, fn, msg, timeout=10):
    try:
        return WebDriverWait(d, timeout, poll_frequency=0.1).until(lambda _: fn())
    except TimeoutException:
        ok(False, f"{msg} (timed out after {timeout} s)")
        raise


def xq(s):
    """An XPath string literal for s."""
    if "'" not in s:
        return f"'{s}'"
    return "concat('" + "', \"'\", '".join(s.split("'")) + "')"


def visible(d, xpath):
    """The displayed elements at xpath; [] while the page re-renders them
    (the host list refreshes itself), so that a wait() tries again."""
    try:
        return [e for e in d.find_elements(By.XPATH, xpath) if e.is_displayed()]
    except StaleElementReferenceException:
        return []


def heading(d, text, level="h1", timeout=10):
    return wait(d, lambda: visible(d, f"//{level}[normalize-space()={xq(text)}]"),
                f"heading {text!r}", timeout)[0]


def button(d, text, timeout=10, within=None):
    base = within if within is not None else d
    xp = f".//button[normalize-space()={xq(text)}]"
    return wait(d, lambda: [b for b in base.find_elements(By.XPATH, xp)
                            if b.is_displayed() and b.is_enabled()],
                f"button {text!r}", timeout)[0]


def control(d, label, timeout=10):
    """The control a visible <label> names (as a person finds it)."""
    def find():
        for lab in visible(d, f"//label[normalize-space()={xq(label)}]"):
            target = lab.get_attribute("for")
            if target:
                e = d.find_element(By.ID, target)
                if e.is_displayed():
                    return e
        return None
    return wait(d, find, f"control labelled {label!r}", timeout)


def type_into(d, label, text):
    e = control(d, label)
    e.clear()
    e.send_keys(text)
    return e


def console_errors(d, step, allow=()):
    """Browser console entries at warning level or worse since the last
    call; allow: regexes of entries a step provoked on purpose."""
    if not HAS_SETUP:
        allow = (*allow, r"/setup - Failed to load resource: the server responded with a status of 404")
    bad = []
    for e in d.get_log("browser"):
        if e.get("level") not in ("SEVERE", "WARNING"):
            continue
        if any(re.search(a, e.get("message", "")) for a in allow):
            continue
        bad.append(e.get("message", ""))
    eq([], bad, f"no browser console errors: {step}")


def no_hscroll(d, what):
    sw, iw = d.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    ok(sw <= iw, f"{what}: fits the screen width ({sw} <= {iw} px)")


def labels_and_contrast(d, what):
    """Every visible control has a label; text has >= 4.5:1 contrast."""
    unlabelled = d.execute_script("""
        return [...document.querySelectorAll('input,select,textarea')]
          .filter(e => e.offsetParent !== null && e.type !== 'hidden')
          .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
          .map(e => e.outerHTML.slice(0, 80));""")
    eq([], unlabelled, f"{what}: every control has a label")
    nameless = d.execute_script("""
        return [...document.querySelectorAll('button')]
          .filter(e => e.offsetParent !== null && !e.textContent.trim() && !e.getAttribute('aria-label'))
          .map(e => e.outerHTML.slice(0, 80));""")
    eq([], nameless, f"{what}: every button says what it does")
    low = d.execute_script("""
        function rgb(s) { const m = s.match(/[\\d.]+/g); return m ? m.map(Number) : [0,0,0,0]; }
        function lum(c) { const a = c.slice(0,3).map(v => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
            return 0.2126*a[0] + 0.7152*a[1] + 0.0722*a[2]; }
        function bg(e) { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length < 4 || c[3] > 0.5) return c; } return [255,255,255,1]; }
        const out = [];
        for (const e of document.querySelectorAll('body *')) {
          if (e.offsetParent === null && getComputedStyle(e).position !== 'fixed') continue;
          const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
          if (!own) continue;
          const st = getComputedStyle(e);
          if (parseFloat(st.opacity) < 1) continue;
          const f = lum(rgb(st.color)), b = lum(bg(e));
          const r = (Math.max(f, b) + 0.05) / (Math.min(f, b) + 0.05);
          if (r < 4.5) out.push(e.tagName + ' "' + e.textContent.trim().slice(0, 30) + '" ' + r.toFixed(2));
        }
        return out;""")
    eq([], low, f"{what}: text contrast at least 4.5:1")


def api_json(d, method, path, body=None):
    """A request made by the page itself (same origin, with its cookie)."""
    return d.execute_async_script("""
        const [m, p, b, done] = arguments;
        fetch(p, {method: m, credentials: 'same-origin',
                  headers: b ? {'Content-Type': 'application/json'} : {},
                  body: b ? JSON.stringify(b) : undefined})
          .then(async r => done([r.status, await r.text()]), e => done([0, String(e)]));""",
        method, path, body)


def curl(*args):
    r = subprocess.run(["curl", "-s", *args], capture_output=True, text=True, timeout=20)
    return r.stdout


def dig(name, rtype="A"):
    r = subprocess.run(["dig", "+short", "+tcp", "@127.0.0.1", "-p", BIND_PORT, name, rtype],
                       capture_output=True, text=True, timeout=10)
    return r.stdout.strip()


def session_cookie(d):
    return next((c for c in d.get_cookies() if c["name"] == "ddnsd_session"), None)


def storage_has_no_secret(d, what):
    st = d.execute_script("""
        const dump = s => Object.fromEntries(Object.keys(s).map(k => [k, s.getItem(k)]));
        return {local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie};""")
    eq({}, st["local"], f"{what}: localStorage is empty")
    eq({}, st["session"], f"{what}: sessionStorage is empty")
    ok("ddnsd_session" not in st["cookie"], f"{what}: the session cookie is invisible to scripts")


# ------------------------------------------------------------------ desktop

def desktop():
    d = browser(1280, 900)
    try:
        d.get(URL + "/")
        heading(d, "Sign in")
        ok(control(d, "Email") and control(d, "Password"), "signed out: fields Email and Password")
        button(d, "Sign in")
        create = button(d, "Create account")
        eq(None, session_cookie(d), "no cookie before signing in")
        shot(d, "signed-out")
        console_errors(d, "signed-out page")

        create.click()
        heading(d, "Create account")
        eq("/signup", d.execute_script("return location.pathname"), "sign-up has its own URL")
        type_into(d, "Email", EMAIL)
        type_into(d, "Password", "short")
        button(d, "Create account").click()
        err = wait(d, lambda: visible(d, "//p[@class='error']"), "sign-up error shown")[0]
        ok("password" in err.text and "10" in err.text, f"a short password: the API's detail in words ({err.text!r})")
        eq(EMAIL, control(d, "Email").get_attribute("value"), "nothing typed is lost on a failed submit")
        eq("true", control(d, "Password").get_attribute("aria-invalid"), "the field the detail names is marked")
        ok(d.execute_script("return arguments[0].closest('.field').nextElementSibling === arguments[1]",
                            control(d, "Password"), err), "and the error stands right under it")
        shot(d, "signup-error")
        console_errors(d, "failed sign-up", allow=[r"/v1/accounts .*400"])
        type_into(d, "Password", PW1)
        button(d, "Create account").click()
        heading(d, "Hosts")
        ok(visible(d, "//header//button[normalize-space()='Sign out']"), "signed in: Sign out in the header")
        c = session_cookie(d)
        ok(c is not None, "a session cookie is set")
        eq(True, c.get("httpOnly"), "cookie HttpOnly")
        eq("Strict", c.get("sameSite"), "cookie SameSite=Strict")
        eq("/", c.get("path"), "cookie Path=/")
        eq(False, c.get("secure"), "cookie not Secure over plain HTTP (Secure over TLS: test_rest_session)")
        shot(d, "hosts-empty")
        console_errors(d, "sign-up and hosts")

        # Add a host by its label; the zone chosen beside it is appended.
        Select(control(d, "Zone")).select_by_visible_text(ZONE)
        type_into(d, "Host name", HOST.split(".")[0])
        button(d, "Add host").click()
        heading(d, HOST)
        eq("/hosts/" + HOST, d.execute_script("return location.pathname"), "the host has its own URL")
        d.refresh()
        heading(d, HOST)
        ok(True, "a reload stays on the host")
        wait(d, lambda: visible(d, "//dd/span[contains(@class,'state')]"), "DNS state shown")
        shot(d, "host-new")

        # New token: at once, shown once, with Copy.
        button(d, "New token").click()
        code = wait(d, lambda: visible(d, "//code[contains(@class,'secret')]"), "new token shown")[0]
        token = code.text.strip()
        ok(re.fullmatch(r"ddh_[a-z2-7]{20}_[A-Za-z0-9_-]{43}", token) is not None, "the token appears")
        ok(visible(d, "//*[contains(normalize-space(), 'will not be shown again')]"), "with a note that it will not be shown again")
        button(d, "Copy").click()
        wait(d, lambda: visible(d, "//button[normalize-space()='Copied']"), "Copy says Copied")
        clip = d.execute_async_script("navigator.clipboard.readText().then(arguments[0], e => arguments[0]('ERR ' + e))")
        eq(token, clip, "Copy put the token on the clipboard")
        storage_has_no_secret(d, "with a token on screen")
        type_into(d, "Label", "FRITZ!Box")
        button(d, "Save label").click()
        wait(d, lambda: visible(d, "//td[normalize-space()='FRITZ!Box']"), "the edited label in the token list")
        ok(True, "the token's label edited afterwards")
        shot(d, "host-token")

        # Router setup, with the token filled in.
        setup_ok = router_setup(d, token)
        console_errors(d, "host page, token and setup")

        # An update as a router sends it, with a hostile User-Agent.
        out = curl("-A", HOSTILE_UA, "-u", f"{HOST}:{token}",
                   f"{URL}/nic/update?hostname={HOST}&myip=203.0.113.7")
        eq("good 203.0.113.7", out.strip(), "an update with curl")
        wait(d, lambda: visible(d, "//dd//code[normalize-space()='203.0.113.7']"),
             "the new address on the host page by itself", 20)
        wait(d, lambda: visible(d, "//dd/span[normalize-space()='in DNS']"), "in DNS", 20)
        ok(True, "the address appears with in DNS, without a reload")
        eq("203.0.113.7", dig(HOST), "and BIND serves it")
        row = wait(d, lambda: visible(d, "//table//td[normalize-space()='203.0.113.7']/.."),
                   "the update in History", 20)[0]
        ua = row.find_element(By.XPATH, ".//td[@data-label='Client']").text
        eq(HOSTILE_UA, ua, "History shows the User-Agent as text, exactly")
        ok("good" in row.text, "History shows the result")
        eq(0, len(d.find_elements(By.CSS_SELECTOR, "main img, main script, main b")),
           "the hostile User-Agent made no element")
        ok(d.title != "pwned", "and ran no script")
        shot(d, "host-history")

        # Addresses and TTL; a bad address keeps what was typed.
        type_into(d, "IPv4 address", "not-an-address")
        button(d, "Save changes").click()
        err = wait(d, lambda: visible(d, "//section[h2='Addresses and TTL']//p[@class='error']"),
                   "PATCH error shown next to the form")[0]
        ok("ipv4" in err.text.lower(), f"a bad IPv4: the detail next to the form ({err.text!r})")
        eq("not-an-address", control(d, "IPv4 address").get_attribute("value"), "the bad value stays to be fixed")
        eq("true", control(d, "IPv4 address").get_attribute("aria-invalid"), "the IPv4 field is marked invalid")
        console_errors(d, "bad address", allow=[r"/v1/hosts/.* 422|status of 422"])
        type_into(d, "IPv4 address", "203.0.113.8")
        type_into(d, "TTL (seconds)", "120")
        button(d, "Save changes").click()
        wait(d, lambda: visible(d, "//p[@class='note' and starts-with(normalize-space(),'Saved')]"), "saved")
        wait(d, lambda: dig(HOST) == "203.0.113.8", "the edited address in BIND", 15)
        ok(True, "an address edited in the console reaches BIND")
        shot(d, "host-edited")

        # Revoke the token: the router is refused at once.
        button(d, "Revoke").click()
        button(d, "Yes, revoke").click()
        wait(d, lambda: visible(d, "//*[starts-with(normalize-space(),'No tokens')]"), "token list empty")
        out = curl("-u", f"{HOST}:{token}", f"{URL}/nic/update?hostname={HOST}&myip=203.0.113.9")
        eq("badauth", out.strip(), "a revoked token: badauth")
        console_errors(d, "edit and revoke")

        # Cross-origin POST with the cookie: from another origin's page, and
        # with curl carrying the browser's cookie and a foreign Origin.
        cross_origin(d)

        # The account: API tokens and password.
        d.find_element(By.XPATH, "//header//a[normalize-space()='Account']").click()
        heading(d, "Account")
        type_into(d, "Token name", "certbot")
        Select(control(d, "Expires after")).select_by_visible_text("1 day")
        button(d, "Create token").click()
        code = wait(d, lambda: visible(d, "//code[contains(@class,'secret')]"), "API token shown")[0]
        api_tok = code.text.strip()
        ok(api_tok.startswith("dda_"), "an API token, shown once")
        eq("200", curl("-o", "/dev/null", "-w", "%{http_code}", "-H", f"Authorization: Bearer {api_tok}",
                       f"{URL}/v1/hosts"), "it works with the REST API")
        ok(visible(d, "//td[normalize-space()='certbot']"), "and is listed")
        storage_has_no_secret(d, "account page with an API token on screen")
        shot(d, "account-token")
        button(d, "Revoke").click()
        button(d, "Yes, revoke").click()
        wait(d, lambda: visible(d, "//p[normalize-space()='No API tokens.']"), "API token revoked")
        eq("401", curl("-o", "/dev/null", "-w", "%{http_code}", "-H", f"Authorization: Bearer {api_tok}",
                       f"{URL}/v1/hosts"), "a revoked API token: 401")
        type_into(d, "Current password", PW1)
        type_into(d, "New password", PW2)
        button(d, "Change password").click()
        wait(d, lambda: visible(d, "//p[@class='note' and starts-with(normalize-space(),'Password changed')]"),
             "password changed", 20)
        ok(True, "password changed in the console")
        shot(d, "account-password")
        console_errors(d, "account page")

        # Delete the host after a confirmation.
        d.find_element(By.XPATH, "//header//a[normalize-space()='Hosts']").click()
        heading(d, "Hosts")
        wait(d, lambda: visible(d, f"//a[normalize-space()={xq(HOST)}]"), "the host in the list")[0].click()
        heading(d, HOST)
        button(d, "Delete host").click()
        ok(visible(d, "//*[contains(normalize-space(), 'Its records leave DNS')]"), "Delete host asks first")
        shot(d, "host-delete-confirm")
        button(d, "Yes, delete host").click()
        heading(d, "Hosts")
        wait(d, lambda: not visible(d, f"//a[normalize-space()={xq(HOST)}]") and
             visible(d, "//*[starts-with(normalize-space(),'No hosts yet')]"), "host gone from the list")
        wait(d, lambda: dig(HOST) == "", "the record leaves BIND", 15)
        ok(True, "deleted: gone from the list and from DNS")

        # Sign out: the cookie stops working at once.
        old = session_cookie(d)["value"]
        button(d, "Sign out").click()
        heading(d, "Sign in")
        ok(visible(d, "//*[normalize-space()='You are signed out.']"), "signed out, and told so")
        eq(None, session_cookie(d), "the cookie is gone from the browser")
        eq("401", curl("-o", "/dev/null", "-w", "%{http_code}", "-H", f"Cookie: ddnsd_session={old}",
                       f"{URL}/v1/hosts"), "a copy of the old cookie: 401")
        shot(d, "signed-out-again")
        console_errors(d, "delete and sign out")
        return setup_ok
    except Exception:
        d.save_screenshot(os.path.join(SHOTS, "failure-desktop.png"))
        print("browser console:", d.get_log("browser"), flush=True)
        raise
    finally:
        d.quit()


def router_setup(d, token):
    if not HAS_SETUP:
        print("skip: router setup: this server has no GET /v1/hosts/{name}/setup yet", flush=True)
        return False
    sel = Select(control(d, "Client"))
    names = [o.text for o in sel.options]
    for c in REQUIRED_CLIENTS:
        ok(any(c.lower() in n.lower() for n in names), f"Router setup lists {c}")
    for want in ("FRITZ!Box", "ddclient", "OpenWrt"):
        opt = next(o for o in sel.options if want.lower() in o.text.lower())
        sel.select_by_visible_text(opt.text)
        cfg = d.find_element(By.CSS_SELECTOR, "pre.config").text
        ok(token in cfg, f"{opt.text}: the new token is filled in")
        ok("@@TOKEN@@" not in cfg, f"{opt.text}: no placeholder left")
        ok(HOST in cfg, f"{opt.text}: names the host")
    # The curl profile, copied with the console's button and run verbatim.
    opt = next(o for o in sel.options if o.text.lower() == "curl")
    sel.select_by_visible_text(opt.text)
    button(d, "Copy configuration").click()
    clip = d.execute_async_script("navigator.clipboard.readText().then(arguments[0], e => arguments[0]('ERR ' + e))")
    eq(d.find_element(By.CSS_SELECTOR, "pre.config").text.strip(), clip.strip(), "Copy configuration copies what is shown")
    r = subprocess.run(["bash", "-c", clip], capture_output=True, text=True, timeout=20)
    eq("good 127.0.0.1", r.stdout.strip(), "the curl setup copied from the console, run verbatim, updates the host")
    shot(d, "host-router-setup")
    # A smaller picture of the same page for README (docs/console.png).
    try:
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 1000, "height": 1580, "deviceScaleFactor": 1, "mobile": False})
        d.execute_script("window.scrollTo(0, 0)")
        d.save_screenshot(os.path.join(SHOTS, "readme-console.png"))
    finally:
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", d.metrics)
    return True


def log_count(status):
    """POST /v1/hosts answered with status, in ddnsd's log."""
    n = 0
    with open(DDNSD_LOG, encoding="utf-8", errors="replace") as f:
        for line in f:
            if '"method":"POST","path":"/v1/hosts"' in line and f'"status":{status},' in line:
                n += 1
    return n


class EvilHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!doctype html><title>another site</title><p>nothing to see</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def cross_origin(d):
    count = lambda: len(json.loads(api_json(d, "GET", "/v1/hosts")[1])["items"])
    before = count()
    cookie = session_cookie(d)["value"]
    out = curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
               "-H", f"Cookie: ddnsd_session={cookie}", "-H", "Origin: http://evil.example",
               "-H", "Content-Type: application/json", "--data-binary", '{"name":"csrf1.' + ZONE + '"}',
               f"{URL}/v1/hosts")
    eq("403", out, "a cross-origin POST with the browser's cookie: 403")
    # Pages of another origin make the browser POST to the console's API:
    # one on 127.0.0.1:OTHER (the same site: SameSite lets the cookie go,
    # so the server's Origin check must refuse it) and one on
    # localhost:OTHER (another site: the browser keeps the cookie back).
    here = d.current_url
    for origin, status, why in (
            (f"http://127.0.0.1:{EVIL_PORT}", "403", "same site, other origin: the Origin check refuses it"),
            (f"http://localhost:{EVIL_PORT}", "401", "another site: SameSite=Strict kept the cookie back")):
        n = log_count(status)
        d.get(origin + "/evil.html")
        d.execute_async_script("""
            fetch(arguments[0] + '/v1/hosts', {method: 'POST', mode: 'no-cors', credentials: 'include',
                  headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({name: arguments[1]})})
              .then(() => arguments[2](), () => arguments[2]());""", URL, "csrf2." + ZONE)
        wait(d, lambda: log_count(status) == n + 1, f"ddnsd logged the POST from {origin}", 5)
        ok(True, f"a POST from a page at {origin}: {status} ({why})")
        # The other site's own page logs its refused request; that is the
        # attacker's console, not the console's.
        console_errors(d, f"the page at {origin} (its refused POST aside)",
                       allow=[rf"/v1/hosts - Failed to load resource: .* status of {status}"])
    d.get(here)
    heading(d, HOST)
    eq(before, count(), "nothing was created by either cross-origin POST")
    console_errors(d, "cross-origin page")


# ------------------------------------------------------------------ phone

def phone(had_setup):
    d = browser(375, 812, mobile=True)
    try:
        d.get(URL + "/")
        heading(d, "Sign in")
        no_hscroll(d, "phone: sign in")
        labels_and_contrast(d, "sign in")
        shot(d, "phone-signin")
        # Keyboard only: type, Tab, type, Enter.
        email = control(d, "Email")
        email.click()
        email.send_keys(EMAIL, Keys.TAB)
        active = d.switch_to.active_element
        eq(control(d, "Password").get_attribute("id"), active.get_attribute("id"), "Tab moves from Email to Password")
        active.send_keys(PW2, Keys.ENTER)
        heading(d, "Hosts")
        ok(True, "signed in with the keyboard alone (Enter submits)")
        type_into(d, "Host name", f"phone{RUN}.{ZONE}")
        button(d, "Add host").click()
        heading(d, f"phone{RUN}.{ZONE}")
        button(d, "New token").click()
        token = wait(d, lambda: visible(d, "//code[contains(@class,'secret')]"), "phone token")[0].text
        out = curl("-A", HOSTILE_UA, "-u", f"phone{RUN}.{ZONE}:{token}",
                   f"{URL}/nic/update?hostname=phone{RUN}.{ZONE}&myip=2001:db8::42")
        eq("good 2001:db8::42", out.strip(), "phone: an IPv6 update")
        wait(d, lambda: visible(d, "//table//td[normalize-space()='2001:db8::42']"), "phone: history row", 20)
        wait(d, lambda: visible(d, "//dd/span[normalize-space()='in DNS']"), "phone: in DNS", 20)
        no_hscroll(d, "phone: host page")
        labels_and_contrast(d, "host page")
        if had_setup:
            Select(control(d, "Client")).select_by_index(0)
        shot(d, "phone-host")
        d.find_element(By.XPATH, "//a[normalize-space()='← All hosts']").click()
        heading(d, "Hosts")
        wait(d, lambda: visible(d, "//td//span[normalize-space()='in DNS']"), "phone: list with in DNS")
        no_hscroll(d, "phone: hosts")
        labels_and_contrast(d, "hosts")
        shot(d, "phone-hosts")
        if REFUSED_HOST:
            refused(d)
        d.find_element(By.XPATH, "//header//a[normalize-space()='Account']").click()
        heading(d, "Account")
        no_hscroll(d, "phone: account")
        labels_and_contrast(d, "account")
        shot(d, "phone-account")
        storage_has_no_secret(d, "phone")
        console_errors(d, "phone run")
    except Exception:
        d.save_screenshot(os.path.join(SHOTS, "failure-phone.png"))
        print("browser console:", d.get_log("browser"), flush=True)
        raise
    finally:
        d.quit()


def refused(d):
    """A host whose every change the nameserver refuses: "refused", with
    the RCODE, while the other host stays "in DNS"."""
    type_into(d, "Host name", REFUSED_HOST)
    button(d, "Add host").click()
    heading(d, REFUSED_HOST)
    type_into(d, "IPv4 address", "203.0.113.99")
    button(d, "Save changes").click()
    badge = wait(d, lambda: visible(d, "//dd/span[normalize-space()='refused']"),
                 "the host page says refused", 20)[0]
    ok("REFUSED" in (badge.get_attribute("title") or ""), "with the nameserver's RCODE on it")
    eq("", dig(REFUSED_HOST), "and BIND indeed has no record of it")
    shot(d, "phone-host-refused")
    d.find_element(By.XPATH, "//a[normalize-space()='← All hosts']").click()
    heading(d, "Hosts")
    wait(d, lambda: visible(d, f"//tr[.//a[normalize-space()={xq(REFUSED_HOST)}]]//span[normalize-space()='refused']")
         and visible(d, "//td//span[normalize-space()='in DNS']"), "the list shows refused beside in DNS")
    ok(True, "the host list shows refused next to in DNS")
    no_hscroll(d, "phone: hosts with a refused one")
    shot(d, "phone-hosts-refused")
    console_errors(d, "refused host")


def main():
    global EVIL, EVIL_PORT
    os.makedirs(SHOTS, exist_ok=True)
    # "Another site" for the cross-origin checks, on loopback.
    EVIL = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EvilHandler)
    EVIL_PORT = EVIL.server_address[1]
    threading.Thread(target=EVIL.serve_forever, daemon=True).start()
    try:
        had_setup = desktop()
        phone(had_setup)
    except Exception:
        traceback.print_exc()
        ok(False, "the browser run finished without an exception")
    print(f"browser: {failures} failed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
