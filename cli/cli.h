/* SPDX-License-Identifier: MIT */
/*
 * Subcommands of the ddnsd binary. Each returns the process exit code:
 * 0 success, 1 runtime failure, 2 usage or configuration error.
 */
#ifndef DDNS_CLI_CLI_H
#define DDNS_CLI_CLI_H

#include "common/config.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

int cli_serve(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_push(int argc, char **argv);
int cli_zone(int argc, char **argv);
int cli_account(int argc, char **argv);
int cli_host(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_routes(int argc, char **argv); /* hidden: REST routes (tests) */
int cli_healthcheck(int argc, char **argv);
int cli_reconcile(int argc, char **argv);

/* Loads the configuration for a command; prints the error and returns
 * CLI_EXIT_USAGE on failure, else 0. */
int cli_config(struct ddns_config *cfg, int need);

/* Loads DDNS_TSIG_KEY_FILE into a new store (*ks, caller frees); prints
 * the error and returns CLI_EXIT_USAGE when it cannot be read or holds no
 * key, CLI_EXIT_FAIL when out of memory, else 0. */
struct dns_keystore;
int cli_load_keys(const struct ddns_config *cfg, struct dns_keystore **ks);

/* Prints a usage error to stderr and returns CLI_EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
