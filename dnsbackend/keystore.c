/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdlib.h>

#include "common/errors.h"
#include "dnsbackend/keystore.h"

/* One generation of keys and how many threads hold it. */
struct ring {
	struct dns_keyring kr;
	unsigned users;
	struct ring *next_old; /* replaced, still in use */
};

struct dns_keystore {
	pthread_mutex_t lock;
	struct ring *cur;
	struct ring *old; /* replaced rings some thread still holds */
};

static void
ring_free(struct ring *r)
{
	dns_keyring_free(&r->kr);
	free(r);
}

struct dns_keystore *
dns_keystore_new(struct dns_keyring *kr)
{
	struct dns_keystore *s;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->cur = calloc(1, sizeof(*s->cur))) == NULL) {
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->cur->kr = *kr;
	kr->keys = NULL;
	kr->n = 0;
	return s;
}

int
dns_keystore_reload(struct dns_keystore *s, const char *path, size_t *n)
{
	struct ring *r, *prev;
	int err;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return DDNS_ENOMEM;
	if ((err = dns_keyfile_load(path, &r->kr)) != 0) {
		ring_free(r);
		return err;
	}
	*n = r->kr.n;
	pthread_mutex_lock(&s->lock);
	prev = s->cur;
	s->cur = r;
	if (prev->users > 0) {
		prev->next_old = s->old;
		s->old = prev;
		prev = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	if (prev != NULL)
		ring_free(prev);
	return 0;
}

const struct dns_keyring *
dns_keystore_get(struct dns_keystore *s)
{
	const struct dns_keyring *kr;

	pthread_mutex_lock(&s->lock);
	s->cur->users++;
	kr = &s->cur->kr;
	pthread_mutex_unlock(&s->lock);
	return kr;
}

void
dns_keystore_put(struct dns_keystore *s, const struct dns_keyring *kr)
{
	struct ring **pp, *done = NULL;

	pthread_mutex_lock(&s->lock);
	if (kr == &s->cur->kr) {
		s->cur->users--;
	} else {
		/* A replaced ring: free it with its last user. */
		for (pp = &s->old; *pp != NULL; pp = &(*pp)->next_old) {
			if (&(*pp)->kr != kr)
				continue;
			if (--(*pp)->users == 0) {
				done = *pp;
				*pp = done->next_old;
			}
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (done != NULL)
		ring_free(done);
}

void
dns_keystore_free(struct dns_keystore *s)
{
	struct ring *r;

	if (s == NULL)
		return;
	while ((r = s->old) != NULL) {
		s->old = r->next_old;
		ring_free(r);
	}
	ring_free(s->cur);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
