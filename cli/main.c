/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth/limits.h"
#include "auth/token.h"
#include "cli/cli.h"
#include "db/limits.h"

static void usage(FILE *f);

static const struct {
	const char *name;
	int (*run)(int, char **);
} commands[] = {
	{ "serve", cli_serve },     { "migrate", cli_migrate },
	{ "push", cli_push },       { "zone", cli_zone },
	{ "account", cli_account }, { "host", cli_host },
	{ "token", cli_token },     { "reconcile", cli_reconcile },
	{ "healthcheck", cli_healthcheck },
	{ "routes", cli_routes }, /* hidden: REST routes, for tests */
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
	      "  host add FQDN --account EMAIL\n"
	      "  host list [--account EMAIL] | host delete FQDN\n"
	      "  token add FQDN [--label TEXT]\n"
	      "  token list FQDN | token delete FQDN ID\n"
	      "  reconcile [--zone ZONE] [--no-push]   compare DNS (AXFR) "
	      "with the database, repair\n"
	      "  healthcheck                           exit 0 if the server "
	      "on DDNS_LISTEN answers /healthz\n"
	      "Configuration comes from the environment; see README.md.\n",
	      f);
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	usage(stderr);
	return cli_usage("unknown command \"%s\"", argv[1]);
}
