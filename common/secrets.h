/* SPDX-License-Identifier: MIT */
/*
 * Secrets in the memory of a long-running process: no core dumps, no
 * secrets left in the environment, and a free() that wipes first.
 */
#ifndef DDNS_COMMON_SECRETS_H
#define DDNS_COMMON_SECRETS_H

#include <stddef.h>

#include "common/config.h"

/*
 * prctl(PR_SET_DUMPABLE, 0): no core dump of this process, and no ptrace
 * or /proc/PID/mem, environ, ... by other processes of the same user.
 * Returns 0 or a negative errno.
 */
int ddns_secrets_no_dump(void);

/*
 * Moves the secrets of cfg out of the environment: DDNS_TOKEN_PEPPER,
 * DDNS_METRICS_TOKEN and DDNS_DATABASE_URL (its password; the URL is
 * needed for every later libpq connection) are copied into memory that is
 * locked and left out of core dumps, cfg is pointed at the copies (valid
 * until exit), and the values are overwritten with zeros where they were
 * (the process's initial environment block, which /proc/PID/environ
 * shows) and unset. Returns 0 or DDNS_ENOMEM (then nothing is changed).
 */
int ddns_secrets_take(struct ddns_config *cfg);

/*
 * free() that first overwrites the whole block with zeros (for buffers
 * that may hold a token or a password). NULL-safe. p must come from
 * malloc/calloc/realloc.
 */
void ddns_free_wiped(void *p);

#endif
