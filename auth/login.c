/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <sodium.h>

#include "auth/login.h"
#include "auth/token.h"
#include "common/errors.h"

#define LOGIN_SLOTS 4096 /* addresses remembered */
#define LOGIN_PROBE 8    /* slots looked at per address */

struct login_slot {
	uint8_t key[9]; /* family byte + IPv4 or the IPv6 /64 */
	bool used;
	double tokens; /* failures still allowed */
	double at;     /* monotonic seconds of the last update */
};

static double now_s(void);
static void addr_key(const struct ddns_addr *a, uint8_t key[9]);
static void hash_key_make(void);
static bool slot_blocking(const struct login_slot *s, double now);
static struct login_slot *slot_find(const uint8_t key[9], double now);
static void slot_refill(struct login_slot *s, double now);
static int slot_acquire(void);
static void slot_release(void);
static void dummy_make(void);

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct login_slot table[LOGIN_SLOTS];
/* Shared by every address whose probe run is all blocking entries. */
static struct login_slot overflow;

/* Random per process: nobody can compute colliding addresses offline. */
static pthread_once_t hash_key_once = PTHREAD_ONCE_INIT;
static uint8_t hash_key[crypto_shorthash_KEYBYTES];

static pthread_mutex_t sem_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sem_cond = PTHREAD_COND_INITIALIZER;
static unsigned sem_busy;

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[AUTH_PASSWORD_HASH_MAX];

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
addr_key(const struct ddns_addr *a, uint8_t key[9])
{
	memset(key, 0, 9);
	key[0] = a->family == AF_INET6 ? 6 : 4;
	memcpy(key + 1, a->bytes, a->family == AF_INET6 ? 8 : 4);
}

static void
hash_key_make(void)
{
	randombytes_buf(hash_key, sizeof(hash_key));
}

/* Would this entry refuse an attempt now? */
static bool
slot_blocking(const struct login_slot *s, double now)
{
	return s->used && s->tokens + (now - s->at) / AUTH_LOGIN_REFILL_S < 1;
}

/*
 * The slot of key among LOGIN_PROBE candidates: its own, a free one, or
 * the one idle longest among those not blocking. An entry that blocks is
 * never taken over (else failures from other addresses would free a
 * blocked one); when all candidates block, the address shares the
 * overflow slot with every other such address. Caller holds table_lock.
 */
static struct login_slot *
slot_find(const uint8_t key[9], double now)
{
	struct login_slot *s, *victim = NULL;
	uint64_t h;
	size_t i;

	pthread_once(&hash_key_once, hash_key_make);
	crypto_shorthash((uint8_t *)&h, key, 9, hash_key);
	for (i = 0; i < LOGIN_PROBE; i++) {
		s = &table[(h + i) % LOGIN_SLOTS];
		if (s->used && memcmp(s->key, key, 9) == 0)
			return s;
		if (!s->used) {
			if (victim == NULL || victim->used)
				victim = s;
		} else if (!slot_blocking(s, now) &&
			   (victim == NULL ||
			    (victim->used && s->at < victim->at))) {
			victim = s;
		}
	}
	if (victim == NULL) {
		if (!overflow.used) {
			overflow.used = true;
			overflow.tokens = AUTH_LOGIN_BURST;
			overflow.at = now;
		}
		return &overflow;
	}
	memcpy(victim->key, key, 9);
	victim->used = true;
	victim->tokens = AUTH_LOGIN_BURST;
	victim->at = now;
	return victim;
}

static void
slot_refill(struct login_slot *s, double now)
{
	s->tokens += (now - s->at) / AUTH_LOGIN_REFILL_S;
	if (s->tokens > AUTH_LOGIN_BURST)
		s->tokens = AUTH_LOGIN_BURST;
	s->at = now;
}

int
auth_login_check(const struct ddns_addr *a, unsigned *retry_after)
{
	struct login_slot *s;
	uint8_t key[9];
	double wait, now;
	int ret = 0;

	addr_key(a, key);
	pthread_mutex_lock(&table_lock);
	now = now_s();
	s = slot_find(key, now);
	slot_refill(s, now);
	if (s->tokens < 1) {
		wait = (1 - s->tokens) * AUTH_LOGIN_REFILL_S;
		*retry_after = (unsigned)wait + 1;
		ret = DDNS_EABUSE;
	}
	pthread_mutex_unlock(&table_lock);
	return ret;
}

void
auth_login_failed(const struct ddns_addr *a)
{
	struct login_slot *s;
	uint8_t key[9];
	double now;

	addr_key(a, key);
	pthread_mutex_lock(&table_lock);
	now = now_s();
	s = slot_find(key, now);
	slot_refill(s, now);
	s->tokens -= 1;
	pthread_mutex_unlock(&table_lock);
}

/* A counting semaphore with a deadline. 0 or DDNS_EABUSE. */
static int
slot_acquire(void)
{
	struct timespec dl;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += AUTH_LOGIN_WAIT_S;
	pthread_mutex_lock(&sem_lock);
	while (sem_busy >= AUTH_LOGIN_CONCURRENCY && ret == 0)
		if (pthread_cond_timedwait(&sem_cond, &sem_lock, &dl) ==
		    ETIMEDOUT)
			ret = DDNS_EABUSE;
	if (ret == 0)
		sem_busy++;
	pthread_mutex_unlock(&sem_lock);
	return ret;
}

static void
slot_release(void)
{
	pthread_mutex_lock(&sem_lock);
	sem_busy--;
	pthread_cond_signal(&sem_cond);
	pthread_mutex_unlock(&sem_lock);
}

static void
dummy_make(void)
{
	uint8_t rnd[16];
	char pw[33];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
	if (auth_password_hash(pw, dummy_hash, sizeof(dummy_hash)) != 0)
		dummy_hash[0] = '\0';
	sodium_memzero(pw, sizeof(pw));
}

int
auth_login_verify(const char *hash, const char *pw)
{
	int ret;

	/* Made outside the cap: it is one computation, once. */
	pthread_once(&dummy_once, dummy_make);
	if ((ret = slot_acquire()) != 0)
		return ret;
	if (hash != NULL) {
		ret = auth_password_verify(hash, pw);
	} else {
		(void)auth_password_verify(dummy_hash, pw);
		ret = DDNS_EAUTH;
	}
	slot_release();
	return ret;
}

int
auth_login_hash(const char *pw, char *out, size_t outsz)
{
	int ret;

	if ((ret = slot_acquire()) != 0)
		return ret;
	ret = auth_password_hash(pw, out, outsz);
	slot_release();
	return ret;
}
