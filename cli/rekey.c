/* SPDX-License-Identifier: MIT */
/*
 * ddnsd rekey: re-seals every tenant zone's TSIG secret under
 * DDNS_SECRET_KEY_FILE, opening each with it or with
 * DDNS_SECRET_KEY_FILE_OLD. Rotation: give the new key as
 * DDNS_SECRET_KEY_FILE and the old one as DDNS_SECRET_KEY_FILE_OLD to
 * every instance, run ddnsd rekey once, then drop the old key.
 */
#include <stdio.h>

#include <sodium.h>

#include "auth/secretbox.h"
#include "cli/cli.h"
#include "common/errors.h"
#include "db/zones.h"

struct rekey {
	struct db_conn *w; /* writes, while the other connection reads */
	long long done, failed;
};

static int reseal_one(void *arg, const struct db_tenant_zone *z);

static int
reseal_one(void *arg, const struct db_tenant_zone *z)
{
	struct rekey *k = arg;
	uint8_t plain[AUTH_BOX_PLAIN_MAX], sealed[AUTH_BOX_SEALED_MAX];
	size_t plen = 0, slen = 0;
	int err;

	err = auth_box_open(z->sealed, z->sealed_len, z->id, plain, &plen,
			    NULL);
	if (err == 0)
		err = auth_box_seal(plain, plen, z->id, sealed, &slen);
	sodium_memzero(plain, sizeof(plain));
	if (err == 0)
		err = db_zone_reseal(k->w, z->id, sealed, slen);
	if (err != 0) {
		fprintf(stderr, "ddnsd: rekey: zone %s: %s\n", z->name,
			ddns_strerror(err));
		k->failed++;
		return err == DDNS_EDB ? err : 0;
	}
	k->done++;
	return 0;
}

int
cli_rekey(int argc, char **argv)
{
	uint8_t sealed[AUTH_BOX_SEALED_MAX];
	struct ddns_config cfg;
	struct rekey k = { 0 };
	struct db_conn *r = NULL;
	size_t slen = 0;
	int ret;

	(void)argv;
	if (argc != 1)
		return cli_usage("rekey takes no arguments");
	if ((ret = cli_config(&cfg, DDNS_NEED_DB)) != 0)
		return ret;
	if (!auth_box_ready())
		return cli_usage("rekey: DDNS_SECRET_KEY_FILE is not set");
	if ((r = db_connect(cfg.database_url, &ret)) == NULL ||
	    (k.w = db_connect(cfg.database_url, &ret)) == NULL) {
		db_close(r);
		return CLI_EXIT_FAIL;
	}
	ret = db_zone_sealed_each(r, reseal_one, &k);
	if (ret == 0 && k.failed == 0 &&
	    auth_box_check_make(sealed, &slen) == 0)
		ret = db_secret_check_store(k.w, sealed, slen, true);
	db_close(r);
	db_close(k.w);
	printf("rekey: %lld zones re-sealed under DDNS_SECRET_KEY_FILE, %lld "
	       "failed\n",
	       k.done, k.failed);
	return ret == 0 && k.failed == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
