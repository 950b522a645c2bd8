/* SPDX-License-Identifier: MIT */
/*
 * REST: GET /v1/hosts/{name}/setup, the configuration of each update
 * client for one host, ready to paste. The token is never in it (it is
 * shown once, at creation): SETUP_TOKEN stands where it goes, for the
 * console or the user to replace. Each profile follows its client's
 * documented format; README.md says which were run verbatim in tests.
 */
#include <stdio.h>
#include <string.h>

#include "api/rest_handlers.h"
#include "common/buf.h"
#include "common/errors.h"

#define SETUP_TOKEN "@@TOKEN@@"
#define SETUP_URL_MAX 300

/* Where clients reach this service. */
struct setup_server {
	bool https;
	char hostport[SETUP_URL_MAX]; /* "ddns.example.net:8080" */
	char url[SETUP_URL_MAX + 8];  /* "http://ddns.example.net:8080" */
};

/* What a profile writer needs. */
struct setup_in {
	const struct setup_server *srv;
	const char *name; /* the host */
	bool prefix;      /* the host has followers: send the prefix */
};

typedef void (*setup_fn)(struct ddns_buf *b, const struct setup_in *in);

struct setup_profile {
	const char *client;
	const char *title;
	setup_fn fn;
};

static bool hostport_ok(const char *s);
static void server_of(const struct rest_ctx *c, struct setup_server *srv);
static void p_ddclient310(struct ddns_buf *b, const struct setup_in *in);
static void p_ddclient311(struct ddns_buf *b, const struct setup_in *in);
static void p_inadyn(struct ddns_buf *b, const struct setup_in *in);
static void p_fritzbox(struct ddns_buf *b, const struct setup_in *in);
static void p_openwrt(struct ddns_buf *b, const struct setup_in *in);
static void p_pfsense(struct ddns_buf *b, const struct setup_in *in);
static void p_opnsense(struct ddns_buf *b, const struct setup_in *in);
static void p_unifi(struct ddns_buf *b, const struct setup_in *in);
static void p_mikrotik(struct ddns_buf *b, const struct setup_in *in);
static void p_synology(struct ddns_buf *b, const struct setup_in *in);
static void p_curl(struct ddns_buf *b, const struct setup_in *in);
static void p_wget(struct ddns_buf *b, const struct setup_in *in);

static const struct setup_profile profiles[] = {
	{ "ddclient-3.10", "ddclient 3.10", p_ddclient310 },
	{ "ddclient-3.11", "ddclient 3.11 and later", p_ddclient311 },
	{ "inadyn", "inadyn 2.x", p_inadyn },
	{ "fritzbox", "FRITZ!Box", p_fritzbox },
	{ "openwrt", "OpenWrt (ddns-scripts)", p_openwrt },
	{ "pfsense", "pfSense", p_pfsense },
	{ "opnsense", "OPNsense", p_opnsense },
	{ "unifi", "UniFi", p_unifi },
	{ "mikrotik", "MikroTik RouterOS", p_mikrotik },
	{ "synology", "Synology DSM", p_synology },
	{ "curl", "curl", p_curl },
	{ "wget", "wget", p_wget },
};

/* A Host header or listen address fit to print into configurations. */
static bool
hostport_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n < 256 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789.-:[]") == n;
}

/*
 * DDNS_PUBLIC_URL, else the first listen address; a wildcard listen
 * address is replaced by the Host the request came to (the console's),
 * else by the loopback address.
 */
static void
server_of(const struct rest_ctx *c, struct setup_server *srv)
{
	const struct ddns_config *cfg = c->cfg;
	const char *addr = cfg->listen_addr, *u = cfg->public_url;
	bool v6 = strchr(addr, ':') != NULL;
	unsigned port = cfg->listen_port;

	memset(srv, 0, sizeof(*srv));
	if (u != NULL) {
		srv->https = strncmp(u, "https://", 8) == 0;
		snprintf(srv->hostport, sizeof(srv->hostport), "%s",
			 u + (srv->https ? 8 : 7));
	} else {
		srv->https = cfg->tls_cert != NULL;
		if (strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0) {
			if (hostport_ok(c->req->host)) {
				snprintf(srv->hostport, sizeof(srv->hostport),
					 "%s", c->req->host);
				goto url;
			}
			addr = v6 ? "::1" : "127.0.0.1";
		}
		if ((srv->https && port == 443) || (!srv->https && port == 80))
			snprintf(srv->hostport, sizeof(srv->hostport), "%s%s%s",
				 v6 ? "[" : "", addr, v6 ? "]" : "");
		else
			snprintf(srv->hostport, sizeof(srv->hostport),
				 "%s%s%s:%u", v6 ? "[" : "", addr,
				 v6 ? "]" : "", port);
	}
url:
	snprintf(srv->url, sizeof(srv->url), "%s://%s",
		 srv->https ? "https" : "http", srv->hostport);
}

static void
p_ddclient310(struct ddns_buf *b, const struct setup_in *in)
{
	ddns_buf_appendf(b,
			 "# /etc/ddclient.conf (ddclient 3.10)\n"
			 "daemon=300\n"
			 "protocol=dyndns2\n"
			 "use=web, web=%s/nic/checkip\n"
			 "ssl=%s\n"
			 "server=%s\n"
			 "login=%s\n"
			 "password='" SETUP_TOKEN "'\n"
			 "%s\n",
			 in->srv->url, in->srv->https ? "yes" : "no",
			 in->srv->hostport, in->name, in->name);
}

static void
p_ddclient311(struct ddns_buf *b, const struct setup_in *in)
{
	ddns_buf_appendf(b,
			 "# /etc/ddclient.conf (ddclient 3.11 and later)\n"
			 "daemon=300\n"
			 "protocol=dyndns2\n"
			 "usev4=webv4, webv4=%s/nic/checkip\n"
			 "usev6=webv6, webv6=%s/nic/checkip\n"
			 "ssl=%s\n"
			 "server=%s\n"
			 "login=%s\n"
			 "password='" SETUP_TOKEN "'\n"
			 "%s\n",
			 in->srv->url, in->srv->url,
			 in->srv->https ? "yes" : "no", in->srv->hostport,
			 in->name, in->name);
}

static void
p_inadyn(struct ddns_buf *b, const struct setup_in *in)
{
	const char *ssl = in->srv->https ? "true" : "false";

	ddns_buf_appendf(
		b,
		"# /etc/inadyn.conf (inadyn 2.x)\n"
		"period = 300\n"
		"custom ddnsd {\n"
		"\tusername       = %s\n"
		"\tpassword       = \"" SETUP_TOKEN "\"\n"
		"\tssl            = %s\n"
		"\tcheckip-server = %s\n"
		"\tcheckip-path   = \"/nic/checkip\"\n"
		"\tcheckip-ssl    = %s\n"
		"\tddns-server    = %s\n"
		"\tddns-path      = \"/nic/update?hostname=%%h&myip=%%i\"\n"
		"\thostname       = %s\n"
		"}\n",
		in->name, ssl, in->srv->hostport, ssl, in->srv->hostport,
		in->name);
}

static void
p_fritzbox(struct ddns_buf *b, const struct setup_in *in)
{
	ddns_buf_appendf(b,
			 "Internet > Permit Access > DynDNS (Internet > "
			 "Freigaben > DynDNS)\n"
			 "Use DynDNS: on; DynDNS provider: User-defined "
			 "(Benutzerdefiniert)\n"
			 "Update URL (Update-URL): "
			 "%s/nic/update?hostname=<domain>&myip=<ipaddr>,"
			 "<ip6addr>%s\n"
			 "Domain name (Domainname): %s\n"
			 "Username (Benutzername): %s\n"
			 "Password (Kennwort): " SETUP_TOKEN "\n",
			 in->srv->url,
			 in->prefix ? "&ip6lanprefix=<ip6lanprefix>" : "",
			 in->name, in->name);
}

static void
p_openwrt(struct ddns_buf *b, const struct setup_in *in)
{
	static const char *const fam[2][3] = {
		{ "ipv4", "0", "wan" },
		{ "ipv6", "1", "wan6" },
	};

	ddns_buf_appendf(b, "# /etc/config/ddns (OpenWrt ddns-scripts), then "
			    "/etc/init.d/ddns restart\n");
	for (int i = 0; i < 2; i++) {
		ddns_buf_appendf(b,
				 "%sconfig service 'ddnsd_%s'\n"
				 "\toption enabled '1'\n"
				 "\toption use_ipv6 '%s'\n"
				 "\toption interface '%s'\n"
				 "\toption ip_source 'network'\n"
				 "\toption ip_network '%s'\n"
				 "\toption update_url 'http://[USERNAME]:"
				 "[PASSWORD]@%s/nic/update?hostname=[DOMAIN]"
				 "&myip=[IP]'\n"
				 "\toption use_https '%s'\n%s"
				 "\toption domain '%s'\n"
				 "\toption lookup_host '%s'\n"
				 "\toption username '%s'\n"
				 "\toption password '" SETUP_TOKEN "'\n",
				 i ? "\n" : "", fam[i][0], fam[i][1], fam[i][2],
				 fam[i][2], in->srv->hostport,
				 in->srv->https ? "1" : "0",
				 in->srv->https
					 ? "\toption cacert '/etc/ssl/certs'\n"
					 : "",
				 in->name, in->name, in->name);
	}
}

static void
p_pfsense(struct ddns_buf *b, const struct setup_in *in)
{
	ddns_buf_appendf(b,
			 "Services > Dynamic DNS > Dynamic DNS Clients > Add\n"
			 "Service Type: Custom\n"
			 "Interface to monitor: WAN\n"
			 "Interface to send update from: WAN\n"
			 "Username: %s\n"
			 "Password: " SETUP_TOKEN "\n"
			 "Update URL: %s/nic/update?hostname=%s&myip=%%IP%%\n"
			 "Result Match: good %%IP%%|nochg %%IP%%\n"
			 "For the AAAA record, add a second client with "
			 "Service Type \"Custom (v6)\" and the same fields.\n",
			 in->name, in->srv->url, in->name);
}

static void
p_opnsense(struct ddns_buf *b, const struct setup_in *in)
{
	ddns_buf_appendf(b,
			 "Services > Dynamic DNS > Settings > Add "
			 "(os-ddclient, backend native)\n"
			 "Service: Custom\n"
			 "Protocol: DynDNS2\n"
			 "Server: %s\n"
			 "Username: %s\n"
			 "Password: " SETUP_TOKEN "\n"
			 "Hostname(s): %s\n"
			 "Check ip method: Interface [WAN]\n"
			 "Force SSL: %s\n",
			 in->srv->hostport, in->name, in->name,
			 in->srv->https ? "checked" : "unchecked");
}

static void
p_unifi(struct ddns_buf *b, const struct setup_in *in)
{
	ddns_buf_appendf(b,
			 "Settings > Internet > (the WAN) > Dynamic DNS > "
			 "Create New\n"
			 "Service: custom\n"
			 "Hostname: %s\n"
			 "Username: %s\n"
			 "Password: " SETUP_TOKEN "\n"
			 "Server: %s/nic/update?myip=%%i&hostname=\n"
			 "UniFi runs inadyn and appends the host name to the "
			 "server field, which therefore ends in "
			 "\"hostname=\".%s\n",
			 in->name, in->name, in->srv->hostport,
			 in->srv->https ? ""
					: " UniFi connects with HTTPS: put "
					  "this service behind TLS.");
}

static void
p_mikrotik(struct ddns_buf *b, const struct setup_in *in)
{
	ddns_buf_appendf(b,
			 "# RouterOS 7 terminal: the script, then a "
			 "schedule. No myip: the address the request "
			 "comes from.\n"
			 "/system script add name=ddnsd source={\n"
			 ":local name \"%s\"\n"
			 ":local token \"" SETUP_TOKEN "\"\n"
			 "/tool fetch url=\"%s/nic/update?hostname=$name\" "
			 "user=$name password=$token %soutput=none\n"
			 "}\n"
			 "/system scheduler add name=ddnsd interval=5m "
			 "on-event=\"/system script run ddnsd\"\n",
			 in->name, in->srv->url,
			 in->srv->https ? "check-certificate=yes " : "");
}

static void
p_synology(struct ddns_buf *b, const struct setup_in *in)
{
	ddns_buf_appendf(b,
			 "Control Panel > External Access > DDNS > Customize "
			 "Provider\n"
			 "Service Provider: ddnsd\n"
			 "Query URL: %s/nic/update?hostname=__HOSTNAME__"
			 "&myip=__MYIP__&username=__USERNAME__"
			 "&password=__PASSWORD__\n"
			 "Then DDNS > Add:\n"
			 "Service provider: ddnsd\n"
			 "Hostname: %s\n"
			 "Username/Email: %s\n"
			 "Password/Key: " SETUP_TOKEN "\n",
			 in->srv->url, in->name, in->name);
}

static void
p_curl(struct ddns_buf *b, const struct setup_in *in)
{
	ddns_buf_appendf(b,
			 "curl -fsS -u '%s:" SETUP_TOKEN "' "
			 "'%s/nic/update?hostname=%s'\n",
			 in->name, in->srv->url, in->name);
}

static void
p_wget(struct ddns_buf *b, const struct setup_in *in)
{
	ddns_buf_appendf(b,
			 "wget -qO- --user='%s' --password='" SETUP_TOKEN "' "
			 "'%s/nic/update?hostname=%s'\n",
			 in->name, in->srv->url, in->name);
}

int
api_rest_host_setup(struct rest_ctx *c)
{
	struct db_host_info h;
	struct setup_server srv;
	struct setup_in in;
	struct ddns_buf b = { 0 };
	json_t *items, *o;
	int err;

	if ((err = api_rest_host(c, &h)) != 0)
		return err;
	server_of(c, &srv);
	in.srv = &srv;
	in.name = h.name;
	in.prefix = h.followers > 0;
	if ((items = json_array()) == NULL)
		return DDNS_ENOMEM;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		ddns_buf_reset(&b);
		profiles[i].fn(&b, &in);
		o = json_pack("{s:s, s:s, s:s}", "client", profiles[i].client,
			      "title", profiles[i].title, "config",
			      ddns_buf_cstr(&b) != NULL ? ddns_buf_cstr(&b)
							: "");
		if (o == NULL || json_array_append_new(items, o) != 0) {
			ddns_buf_free(&b);
			json_decref(items);
			return DDNS_ENOMEM;
		}
	}
	ddns_buf_free(&b);
	api_json_answer(c->resp, 200,
			json_pack("{s:s, s:s, s:s, s:o}", "name", h.name,
				  "server", srv.url, "token_placeholder",
				  SETUP_TOKEN, "items", items));
	return 0;
}
