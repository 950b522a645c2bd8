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

#include <stdbool.h>
#include <stddef.h>

struct db_conn;
struct dns_keystore;
struct dns_pusher_opts;

/*
 * One function per command, one file per command (cli/NAME.c). A plain
 * command gets argv[0] = its name; a noun's verb gets argv[0] = the noun,
 * argv[1] = the verb, and its arguments from argv[2]. cli/main.c maps
 * the words to them.
 */
int cli_serve(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_push(int argc, char **argv);
int cli_reconcile(int argc, char **argv);
int cli_healthcheck(int argc, char **argv);
int cli_routes(int argc, char **argv); /* hidden: REST routes (tests) */
int cli_check(int argc, char **argv);
int cli_rekey(int argc, char **argv);
int cli_zone_add(int argc, char **argv);
int cli_zone_list(int argc, char **argv);
int cli_zone_set(int argc, char **argv);
int cli_account_add(int argc, char **argv);
int cli_account_list(int argc, char **argv);
int cli_account_set(int argc, char **argv);
int cli_account_delete(int argc, char **argv);
int cli_host_add(int argc, char **argv);
int cli_host_list(int argc, char **argv);
int cli_host_delete(int argc, char **argv);
int cli_token_add(int argc, char **argv);
int cli_token_list(int argc, char **argv);
int cli_token_delete(int argc, char **argv);

#define CLI_LABEL_MAX 100
#define CLI_EMAIL_MAX 254
#define CLI_PASSWORD_MIN 10
#define CLI_PASSWORD_MAX 1024
#define CLI_MAX_HOSTS_LIMIT 1000000

/* An option of a command: cli_parse_opts() fills value. */
struct cli_opt {
	const char *name; /* "--primary" */
	bool has_value;
	const char *value; /* out; "" for a flag that is present */
};

/*
 * Parses "POSITIONAL --opt VALUE --flag ..." from argv[first]: exactly one
 * positional argument goes to *pos, options into o (n of them). 0, or
 * CLI_EXIT_USAGE after printing why.
 */
int cli_parse_opts(int argc, char **argv, int first, struct cli_opt *o,
		   size_t n, const char **pos);

/* The configuration (the database only) and a connection for one command
 * (*db, caller closes). 0, or the exit code. */
int cli_connect(struct db_conn **db);

/* Prints "ddnsd: WHAT NAME: why" for err; returns the exit code. */
int cli_fail(const char *what, const char *name, int err);

/* Printable text without control characters, at most max bytes. */
bool cli_valid_text(const char *s, size_t max);

/* A plausible e-mail address (one @, a dot after it, no spaces). */
bool cli_valid_email(const char *s);

/* Reads a password line from stdin into out. 0, or CLI_EXIT_USAGE. */
int cli_read_password(char *out, size_t outsz);

/* How many hosts break the naming rules (ddnsd check lists them). 0 or
 * the database error. */
int cli_check_count(struct db_conn *db, const struct ddns_config *cfg,
		    long long *n);

/* The pusher's options from the configuration, with the keys ks. */
void cli_pusher_opts(const struct ddns_config *cfg, struct dns_keystore *ks,
		     struct dns_pusher_opts *o);

/* Loads the configuration for a command; prints the error and returns
 * CLI_EXIT_USAGE on failure, else 0. */
int cli_config(struct ddns_config *cfg, int need);

/* Loads DDNS_TSIG_KEY_FILE into a new store (*ks, caller frees); prints
 * the error and returns CLI_EXIT_USAGE when it cannot be read or holds no
 * key, CLI_EXIT_FAIL when out of memory, else 0. */
int cli_load_keys(const struct ddns_config *cfg, struct dns_keystore **ks);

/* Prints a usage error to stderr and returns CLI_EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
