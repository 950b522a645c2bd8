/* SPDX-License-Identifier: MIT */
/*
 * Hosts: the only writer of the hosts table (the outbox, db/outbox.c,
 * writes only the push-state columns) and of the host_events rows written
 * with each change. The update path (a host by its token, a change from
 * /nic/update), and hosts as account owners (REST) and the operator (CLI)
 * manage them. Every tenant query takes the account id; an operator query
 * that may reach any account passes DB_ANY_ACCOUNT or has a name of its own
 * (_all, _find). A deleted host becomes a tombstone (deleted_at set,
 * version bumped) that the pusher removes from DNS and then from the
 * table; its name is free again at once.
 */
#ifndef DDNS_DB_HOSTS_H
#define DDNS_DB_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/names.h"
#include "db/accounts.h"
#include "db/conn.h"

struct db_host {
	long long id;
	long long account_id;
	char fqdn[DDNS_NAME_MAX + 1];
	bool has_v4, has_v6;
	struct ddns_addr v4, v6;
	bool offline;
	bool has_prefix; /* the LAN prefix of the latest update */
	struct ddns_addr prefix;
	unsigned prefix_len;
	bool follower;     /* follows another host */
	bool ipv4_follows; /* ... and takes its A from it */
};

struct db_token_host {
	long long token_id;
	uint8_t hash[32];
	size_t hash_len;
	struct db_host host;
};

/*
 * One indexed read: the host token with this public id and its host.
 * Returns 0, DDNS_ENOENT or DDNS_EDB.
 */
int db_token_host_lookup(struct db_conn *c, const char *public_id,
			 struct db_token_host *out);

/* Most tokens one db_token_host_lookup_many() statement carries. */
#define DB_LOOKUP_GROUP_MAX 128

/*
 * The same read for n tokens in one statement (WHERE public_id = ANY($1)):
 * for each i, errs[i] is 0 (out[i] filled) or DDNS_ENOENT, or DDNS_EDB
 * for a row that does not parse. A public id may repeat. A dead
 * connection is reconnected and the statement sent once more, as for
 * db_token_host_lookup(). Returns 0, or DDNS_EDB / DDNS_ENOMEM when the
 * statement failed (errs and out are then unset).
 */
int db_token_host_lookup_many(struct db_conn *c, const char *const *public_ids,
			      size_t n, struct db_token_host *out, int *errs);

struct db_host_change {
	bool set_v4, set_v6;     /* replace this family's address */
	struct ddns_addr v4, v6; /* used when set_*; family 0 clears */
	bool offline;
	bool has_prefix;         /* the LAN prefix sent; else none is stored */
	struct ddns_addr prefix; /* host bits zero */
	unsigned prefix_len;
	long long token_id;       /* 0 when not done with a host token */
	const char *source;       /* client address text or NULL */
	const char *user_agent;   /* or NULL */
	const char *result;       /* result word for the history */
	const char *via;          /* "nic/update", "api", ... */
	unsigned bucket_burst;    /* change bucket size; 0 = no limit */
	unsigned bucket_window_s; /* refill time of a full bucket */
};

/*
 * In one statement (atomic): writes the change to host_id of account_id,
 * bumps version (the host becomes dirty for the pusher), records a
 * host_events row and touches the token's last_used_at (at most once a
 * minute), then wakes this
 * process's pusher (no NOTIFY: see db/notify.h). With
 * bucket_burst > 0 the change also takes one token of the host's change
 * bucket (shared by every instance); with the bucket empty
 * nothing is written. The LAN prefix becomes ch's (none when
 * !has_prefix), and in the same statement every host that follows this
 * one gets its addresses derived again (a version, a history row with via
 * "follow"; no bucket token). Returns 0, DDNS_ENOENT (no such host for
 * this account), DDNS_EABUSE (bucket empty) or DDNS_EDB.
 */
int db_host_apply(struct db_conn *c, long long host_id, long long account_id,
		  const struct db_host_change *ch);

/* The most changes db_host_apply_group() writes in one statement. */
#define DB_HOST_GROUP_MAX 64

/* One change of a group: db_host_apply()'s arguments and its result. */
struct db_host_write {
	long long host_id, account_id;
	const struct db_host_change *ch;
	int err; /* set by db_host_apply_group(): as db_host_apply() returns */
};

/*
 * db_host_apply() for each of n changes (at most DB_HOST_GROUP_MAX, to
 * distinct hosts), most of them in one statement and one commit: each
 * w[i].err is what db_host_apply() would have returned, and a change is
 * committed when its err is 0. Hosts that others follow, empty buckets
 * and gone hosts are sent one by one afterwards, as is every change of a
 * group whose statement failed while the connection still stands (after
 * a deadlock with another instance, say); a lost connection fails the
 * whole group (DDNS_EDB).
 */
void db_host_apply_group(struct db_conn *c, struct db_host_write *w, size_t n);

/*
 * Whether host_id of account_id exists and is not deleted, read in a
 * statement of its own (the latest committed row): for telling why a
 * conditional UPDATE found no row. Returns 1, 0, or DDNS_EDB.
 */
int db_host_live(struct db_conn *c, long long host_id, long long account_id);

/* Locks host $1's row, for db_exec_locked() around per-host limits. */
extern const struct db_stmt db_host_lock;

struct db_host_info {
	long long id;
	long long account_id;
	char name[DDNS_NAME_MAX + 1];
	char zone[DDNS_NAME_MAX + 1];
	char ipv4[48], ipv6[48]; /* "" = none */
	int ttl;
	bool offline;
	char created_at[DB_TS_LEN];
	char updated_at[DB_TS_LEN];
	bool pushed;                     /* DNS has seen the current version */
	char refused_rcode[16];          /* the nameserver refused the host's
					 change with it: "" = not refused */
	char follows[DDNS_NAME_MAX + 1]; /* the host followed, "" = none */
	char ipv6_iid[48];               /* "" = none */
	int prefix_len;
	bool ipv4_follows;
	char lan_prefix[64];          /* "ADDR/LEN" of the latest update, "" */
	long long followers;          /* live hosts that follow this one */
	char email[DB_EMAIL_MAX + 1]; /* operator listing only */
};

/* A PATCH: each set_* replaces that field; a NULL address clears it. */
struct db_host_patch {
	bool set_v4, set_v6, set_ttl, set_offline;
	const char *v4, *v6; /* validated text or NULL */
	int ttl;
	bool offline;
	unsigned bucket_burst; /* change bucket as db_host_change; 0 off */
	unsigned bucket_window_s;
};

/*
 * SQL for the hosts row being updated: the tokens in its change bucket
 * now (B = burst, W = refill seconds of a full bucket, as parameter
 * texts such as "$13"): full when never used, refilled continuously
 * since bucket_at. Every writer of a change uses it: /nic/update, REST
 * PATCH, the ACME challenge (db/acme.c).
 */
#define DB_BUCKET_NOW(B, W)                                                    \
	"least(" B "::float8, coalesce(bucket_tokens, " B "::float8) +"        \
	" extract(epoch FROM now() - coalesce(bucket_at, now()))::float8 *"    \
	" " B "::float8 / " W "::float8)"

/* SET clause that takes one token (none when B is 0). */
#define DB_BUCKET_TAKE(B, W)                                                   \
	"bucket_tokens = CASE WHEN " B                                         \
	"::float8 > 0 THEN " DB_BUCKET_NOW(B, W) " - 1 END, bucket_at = now()"

/* WHERE condition: a token is there (or B is 0). */
#define DB_BUCKET_HAS(B, W)                                                    \
	"(" B "::float8 = 0 OR " DB_BUCKET_NOW(B, W) " >= 1)"

/*
 * Seconds until host_id's change bucket holds a token again (0: it holds
 * one now). Returns 0, DDNS_ENOENT or DDNS_EDB.
 */
int db_host_bucket_wait(struct db_conn *c, long long host_id, unsigned burst,
			unsigned window_s, unsigned *wait_s);

/*
 * Creates host name (normalised) for account_id where db_place_host()
 * allows it (rules: reserved labels and the DNS check, see
 * db/placement.h); ttl < 0 takes the zone's default. Returns 0 (and *id),
 * or writes why into detail and returns db_place_host()'s errors,
 * DDNS_EEXIST (a live host has the name), DDNS_ELIMIT (the account's
 * max_hosts reached) or DDNS_EDB. Wakes the pushers.
 */
struct db_placement_rules;
int db_host_create(struct db_conn *c, long long account_id, const char *name,
		   int ttl, const struct db_placement_rules *rules,
		   long long *id, char *detail, size_t detailsz);

/* The account's live host called name. 0, DDNS_ENOENT or DDNS_EDB. */
int db_host_get(struct db_conn *c, long long account_id, const char *name,
		struct db_host_info *out);

/*
 * The account's live hosts ordered by name, those after `after` (NULL:
 * from the start), at most limit of them. 0, cb's return or DDNS_EDB.
 */
int db_host_list(struct db_conn *c, long long account_id, const char *after,
		 unsigned limit,
		 int (*cb)(void *arg, const struct db_host_info *h), void *arg);

/*
 * Applies p to the account's live host in one statement: version bump,
 * a host_events row (via "api"; source/user_agent may be NULL) and a
 * NOTIFY. A PATCH that changes something takes a token of the host's
 * change bucket (p->bucket_burst > 0); with the bucket empty nothing is
 * written. 0, DDNS_ENOENT, DDNS_EABUSE (bucket empty) or DDNS_EDB.
 */
int db_host_update(struct db_conn *c, long long account_id, long long host_id,
		   const struct db_host_patch *p, const char *source,
		   const char *user_agent);

/*
 * Turns the account's live host into a tombstone in one statement: its
 * tokens and ACME values go, the pusher removes its records. account_id
 * 0 means any account (operator). A host that live hosts follow is not
 * deleted: DDNS_EEXIST, and detail (detailsz bytes, may be NULL) names
 * them ("followed by a.example, b.example"). 0, DDNS_ENOENT or DDNS_EDB.
 */
int db_host_delete(struct db_conn *c, long long account_id, const char *name,
		   char *detail, size_t detailsz);

/* How a host follows another one of its account (devices behind a
 * router); see migrations/0007_followers.sql. */
struct db_follow {
	const char *follows; /* normalised FQDN of the router; NULL: none */
	const char *iid;     /* IPv6 interface id (presentation) or NULL */
	unsigned prefix_len; /* 1..127 */
	bool ipv4_follows;
};

/*
 * Sets how host_id of account_id follows (f->follows NULL: it stops
 * following and keeps its addresses as its own) and derives its A/AAAA
 * from the router at once, in one transaction holding the account row.
 * Returns 0; DDNS_ERANGE with a detail naming the field ("follows: ...")
 * for an unknown router (another account's included), the host itself, a
 * router that follows another host, or a host that is followed itself;
 * DDNS_ENOENT; DDNS_EDB.
 */
int db_host_follow_set(struct db_conn *c, long long account_id,
		       long long host_id, const struct db_follow *f,
		       const char *source, const char *user_agent, char *detail,
		       size_t detailsz);

/*
 * db_host_create() and, when f is not NULL, db_host_follow_set() in one
 * transaction: on any error nothing is stored. Errors of both.
 */
int db_host_create_follow(struct db_conn *c, long long account_id,
			  const char *name, int ttl,
			  const struct db_placement_rules *rules,
			  const struct db_follow *f, long long *id,
			  char *detail, size_t detailsz);

/* Every live host, by name, with its account's e-mail (operator). */
int db_host_list_all(struct db_conn *c, const char *email,
		     int (*cb)(void *arg, const struct db_host_info *h),
		     void *arg);

/* Finds a live host by name, whatever its account (operator). 0,
 * DDNS_ENOENT or DDNS_EDB. */
int db_host_find(struct db_conn *c, const char *fqdn, long long *id,
		 long long *account_id);

/*
 * Bumps the version of the n hosts of zone_id in ids that are not already
 * dirty (reconcile found their records drifted) and wakes the pushers.
 * *marked receives how many rows changed. 0 or DDNS_EDB.
 */
int db_host_requeue(struct db_conn *c, long long zone_id, const long long *ids,
		    size_t n, size_t *marked);

#endif
