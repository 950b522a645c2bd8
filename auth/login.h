/* SPDX-License-Identifier: MIT */
/*
 * Account logins with e-mail and password: a per-client-address limit on
 * failed attempts, and a cap on concurrent argon2id computations (each
 * takes 64 MiB) so a login flood cannot exhaust memory. Thread-safe.
 */
#ifndef DDNS_AUTH_LOGIN_H
#define DDNS_AUTH_LOGIN_H

#include <stddef.h>

#include "common/names.h"

#define AUTH_LOGIN_BURST 10      /* failures allowed at once per address */
#define AUTH_LOGIN_REFILL_S 6    /* one more failure allowed per 6 s */
#define AUTH_LOGIN_CONCURRENCY 2 /* argon2id computations at once */
#define AUTH_LOGIN_WAIT_S 5      /* wait for a slot before giving up */

/*
 * May this address try a password now? IPv6 addresses count per /64.
 * Returns 0, or DDNS_EABUSE with *retry_after (seconds, >= 1) set.
 */
int auth_login_check(const struct ddns_addr *a, unsigned *retry_after);

/* Counts one failed attempt (wrong e-mail or password) against a. */
void auth_login_failed(const struct ddns_addr *a);

/*
 * Verifies pw against an argon2id hash under the concurrency cap. hash
 * NULL (no such account) verifies against a fixed dummy hash so both
 * cases cost the same, and fails. Returns 0, DDNS_EAUTH, or DDNS_EABUSE
 * when no slot freed up within AUTH_LOGIN_WAIT_S.
 */
int auth_login_verify(const char *hash, const char *pw);

/* auth_password_hash() under the same cap. 0, DDNS_EABUSE, DDNS_ENOMEM. */
int auth_login_hash(const char *pw, char *out, size_t outsz);

#endif
