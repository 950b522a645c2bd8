/* SPDX-License-Identifier: MIT */
/*
 * The TSIG keys in use, replaceable while threads sign with them: serve
 * reloads DDNS_TSIG_KEY_FILE on SIGHUP. A thread takes the current ring
 * with dns_keystore_get() for one round of work and gives it back with
 * dns_keystore_put(); a replaced ring is wiped once its last user is done.
 */
#ifndef DDNS_DNSBACKEND_KEYSTORE_H
#define DDNS_DNSBACKEND_KEYSTORE_H

#include "dnsbackend/keyfile.h"

struct dns_keystore;

/* A store holding kr's keys (kr is emptied). NULL on ENOMEM. */
struct dns_keystore *dns_keystore_new(struct dns_keyring *kr);

/*
 * Reads path; when it parses (which needs at least one key), its keys
 * replace the current ones for every later dns_keystore_get(). Otherwise
 * the current keys stay. Returns 0 (and *n keys) or the errors of
 * dns_keyfile_load().
 */
int dns_keystore_reload(struct dns_keystore *s, const char *path, size_t *n);

/* The current keys; hand them back with dns_keystore_put(). */
const struct dns_keyring *dns_keystore_get(struct dns_keystore *s);
void dns_keystore_put(struct dns_keystore *s, const struct dns_keyring *kr);

/* Frees the store; no ring may be out. NULL-safe. */
void dns_keystore_free(struct dns_keystore *s);

#endif
