/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <sodium.h>

#include "common/errors.h"
#include "common/secrets.h"

static char *secret_copy(const char *s);
static void env_wipe(const char *name);

int
ddns_secrets_no_dump(void)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -errno;
	return 0;
}

/* A copy in sodium_malloc() memory: locked, guarded, not dumped. */
static char *
secret_copy(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = sodium_malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/*
 * Zeros the value in place (getenv() points into the environment block
 * the kernel set up, or into setenv()'s copy), then drops the variable.
 */
static void
env_wipe(const char *name)
{
	char *v = getenv(name);

	if (v != NULL)
		sodium_memzero(v, strlen(v));
	unsetenv(name);
}

int
ddns_secrets_take(struct ddns_config *cfg)
{
	char *pepper = NULL, *metrics = NULL, *url = NULL;

	if ((cfg->token_pepper != NULL &&
	     (pepper = secret_copy(cfg->token_pepper)) == NULL) ||
	    (cfg->metrics_token != NULL &&
	     (metrics = secret_copy(cfg->metrics_token)) == NULL) ||
	    (cfg->database_url != NULL &&
	     (url = secret_copy(cfg->database_url)) == NULL)) {
		sodium_free(pepper);
		sodium_free(metrics);
		return DDNS_ENOMEM;
	}
	env_wipe("DDNS_TOKEN_PEPPER");
	env_wipe("DDNS_METRICS_TOKEN");
	env_wipe("DDNS_DATABASE_URL");
	cfg->token_pepper = pepper;
	cfg->metrics_token = metrics;
	cfg->database_url = url;
	return 0;
}

void
ddns_free_wiped(void *p)
{
	if (p == NULL)
		return;
	sodium_memzero(p, malloc_usable_size(p));
	free(p);
}
