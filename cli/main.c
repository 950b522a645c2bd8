/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "auth/limits.h"
#include "auth/secretbox.h"
#include "auth/token.h"
#include "cli/cli.h"
#include "db/limits.h"
#include "dnsbackend/policy.h"

static void usage(FILE *f);
static int dispatch(int argc, char **argv);
static const char *verbs(const char *noun);

/* Every command: a plain one has verb NULL; a noun's verbs follow it. */
static const struct {
	const char *name;
	const char *verb;
	int (*run)(int, char **);
} commands[] = {
	{ "serve", NULL, cli_serve },
	{ "migrate", NULL, cli_migrate },
	{ "push", NULL, cli_push },
	{ "reconcile", NULL, cli_reconcile },
	{ "healthcheck", NULL, cli_healthcheck },
	{ "check", NULL, cli_check },
	{ "rekey", NULL, cli_rekey },
	{ "routes", NULL, cli_routes }, /* hidden: REST routes, for tests */
	{ "zone", "add", cli_zone_add },
	{ "zone", "list", cli_zone_list },
	{ "zone", "set", cli_zone_set },
	{ "account", "add", cli_account_add },
	{ "account", "list", cli_account_list },
	{ "account", "set", cli_account_set },
	{ "account", "delete", cli_account_delete },
	{ "host", "add", cli_host_add },
	{ "host", "list", cli_host_list },
	{ "host", "delete", cli_host_delete },
	{ "token", "add", cli_token_add },
	{ "token", "list", cli_token_list },
	{ "token", "delete", cli_token_delete },
};

static void
usage(FILE *f)
{
	fputs("usage: ddnsd COMMAND [ARGS]\n"
	      "  serve                                 run the HTTP server "
	      "and the DNS pusher\n"
	      "  migrate                               apply database "
	      "migrations\n"
	      "  push                                  push every pending "
	      "change to DNS, then exit\n"
	      "  zone add ZONE --primary HOST:PORT --key KEYNAME [--ttl N]\n"
	      "  zone list | zone set ZONE [--primary HOST:PORT] [--key KEYNAME] "
	      "[--ttl N]\n"
	      "  account add EMAIL [--password-stdin]\n"
	      "  account list | account delete EMAIL\n"
	      "  account set EMAIL --max-hosts N\n"
	      "  host add FQDN --account EMAIL\n"
	      "  host list [--account EMAIL] | host delete FQDN\n"
	      "  token add FQDN [--label TEXT]\n"
	      "  token list FQDN | token delete FQDN ID\n"
	      "  reconcile [--zone ZONE] [--no-push]   compare DNS (AXFR) "
	      "with the database, repair\n"
	      "  rekey                                 re-seal tenant zone "
	      "secrets under DDNS_SECRET_KEY_FILE\n"
	      "  check                                 list the hosts that "
	      "break the naming rules\n"
	      "  healthcheck                           exit 0 if the server "
	      "on DDNS_LISTEN answers /healthz\n"
	      "Configuration comes from the environment; see README.md.\n",
	      f);
}

/* "add|list|set" for a noun (static buffer: one call at a time). */
static const char *
verbs(const char *noun)
{
	static char out[64];
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].verb != NULL &&
		    strcmp(commands[i].name, noun) == 0 &&
		    n + strlen(commands[i].verb) + 2 < sizeof(out))
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s",
					      n ? "|" : "", commands[i].verb);
	return out;
}

int
cli_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("ddnsd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_USAGE;
}

int
cli_config(struct ddns_config *cfg, int need)
{
	char err[256];

	if (ddns_config_load(cfg, need, err, sizeof(err)) != 0) {
		fprintf(stderr, "ddnsd: %s\n", err);
		return CLI_EXIT_USAGE;
	}
	if (auth_init(cfg->token_pepper) != 0) {
		fprintf(stderr, "ddnsd: cannot initialise libsodium\n");
		return CLI_EXIT_FAIL;
	}
	auth_limits_init(cfg);
	db_limits_set_max_tokens(cfg->max_tokens_per_host);
	if (auth_box_init(cfg->secret_key_file, cfg->secret_key_file_old, err,
			  sizeof(err)) != 0 ||
	    dns_policy_init(cfg->zone_primary_allow, cfg->database_url, err,
			    sizeof(err)) != 0) {
		fprintf(stderr, "ddnsd: %s\n", err);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	return dispatch(argc - 1, argv + 1);
}

/* Runs the command argv[0] (and verb argv[1]) names. */
static int
dispatch(int argc, char **argv)
{
	bool noun = false;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name) != 0)
			continue;
		if (commands[i].verb == NULL)
			return commands[i].run(argc, argv);
		noun = true;
		if (argc >= 2 && strcmp(argv[1], commands[i].verb) == 0)
			return commands[i].run(argc, argv);
	}
	if (noun)
		return cli_usage("usage: ddnsd %s %s ...; see ddnsd --help",
				 argv[0], verbs(argv[0]));
	usage(stderr);
	return cli_usage("unknown command \"%s\"", argv[0]);
}
