/* SPDX-License-Identifier: MIT */
/*
 * What the operator commands share: "POSITIONAL --opt VALUE" parsing, the
 * database connection, error messages and the checks of free text.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/errors.h"
#include "db/conn.h"

/*
 * Parses "POSITIONAL --opt VALUE --flag ..." from argv[first]: exactly one
 * positional argument goes to *pos, options into o.
 */
int
cli_parse_opts(int argc, char **argv, int first, struct cli_opt *o, size_t n,
	       const char **pos)
{
	size_t k;

	*pos = NULL;
	for (int i = first; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0) {
			if (*pos != NULL)
				return cli_usage("unexpected argument \"%s\"",
						 argv[i]);
			*pos = argv[i];
			continue;
		}
		for (k = 0; k < n && strcmp(argv[i], o[k].name) != 0; k++)
			;
		if (k == n)
			return cli_usage("unknown option %s", argv[i]);
		if (!o[k].has_value) {
			o[k].value = "";
		} else if (i + 1 >= argc) {
			return cli_usage("%s needs a value", argv[i]);
		} else {
			o[k].value = argv[++i];
		}
	}
	if (*pos == NULL)
		return cli_usage("missing argument; see ddnsd --help");
	return 0;
}

/* The configuration (the database only) and a connection, for one
 * command. 0, or the exit code. */
int
cli_connect(struct db_conn **db)
{
	struct ddns_config cfg;
	int ret, err;

	if ((ret = cli_config(&cfg, DDNS_NEED_DB)) != 0)
		return ret;
	if ((*db = db_connect(cfg.database_url, &err)) == NULL)
		return CLI_EXIT_FAIL;
	return 0;
}

int
cli_fail(const char *what, const char *name, int err)
{
	const char *why = ddns_strerror(err);

	if (err == DDNS_EEXIST)
		why = "already exists";
	else if (err == DDNS_ENOENT)
		why = "not found";
	else if (err == DDNS_ELIMIT && strcmp(what, "host") == 0)
		why = "the account already has its maximum number of hosts "
		      "(accounts.max_hosts)";
	else if (err == DDNS_ELIMIT)
		why = "the host already has DDNS_MAX_TOKENS_PER_HOST tokens";
	fprintf(stderr, "ddnsd: %s %s: %s\n", what, name, why);
	return err == DDNS_EDB ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
}

/* Printable ASCII/UTF-8, no control characters, at most max bytes. */
bool
cli_valid_text(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

bool
cli_valid_email(const char *s)
{
	const char *at = strchr(s, '@');

	if (!cli_valid_text(s, CLI_EMAIL_MAX) || at == NULL || at == s ||
	    strchr(at + 1, '@') != NULL || strchr(at, '.') == NULL ||
	    strchr(s, ' ') != NULL)
		return false;
	return at[1] != '\0' && s[strlen(s) - 1] != '.';
}

int
cli_read_password(char *out, size_t outsz)
{
	size_t n;

	if (fgets(out, (int)outsz, stdin) == NULL)
		return cli_usage("--password-stdin: no password on stdin");
	n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n == outsz - 1)
		return cli_usage("--password-stdin: password too long");
	out[n] = '\0';
	if (n < CLI_PASSWORD_MIN)
		return cli_usage("--password-stdin: password shorter than %d "
				 "characters",
				 CLI_PASSWORD_MIN);
	return 0;
}
