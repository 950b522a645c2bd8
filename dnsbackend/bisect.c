/* SPDX-License-Identifier: MIT */
#include <stdbool.h>

#include "common/errors.h"
#include "dnsbackend/bisect.h"

struct search {
	const struct dns_bisect_ops *ops;
	void *arg;
	size_t nsent;
	bool probed;
};

static int search_range(struct search *s, size_t off, size_t n, bool known_bad,
			size_t *found);

/*
 * Pushes [off, off + n). known_bad: a set holding this one was refused
 * and the rest of that set was accepted, so this one would be refused as
 * a whole: split it without sending it. *found: refused changes reported
 * in the range.
 */
static int
search_range(struct search *s, size_t off, size_t n, bool known_bad,
	     size_t *found)
{
	size_t half, fl = 0, fr = 0;
	int r;

	*found = 0;
	if (n == 0)
		return 0;
	/* A single change is always sent alone: its own RCODE is recorded. */
	if (!known_bad || n == 1) {
		s->nsent++;
		r = s->ops->send(s->arg, off, n);
		if (r == 0)
			return 0;
		if (r == DNS_BISECT_REFUSED) {
			if (!s->probed) {
				s->probed = true;
				s->nsent++;
				if ((r = s->ops->probe(s->arg)) != 0)
					return r;
			}
			if (n == 1) {
				*found = 1;
				return s->ops->refused(s->arg, off);
			}
			known_bad = true;
		} else if (r != DDNS_ETRUNC || n == 1) {
			return r;
		}
		/* DDNS_ETRUNC: too big, so nothing is known about it. */
	}
	half = n / 2;
	r = search_range(s, off, half, false, &fl);
	if (r == 0)
		r = search_range(s, off + half, n - half, known_bad && fl == 0,
				 &fr);
	*found = fl + fr;
	return r;
}

int
dns_bisect_push(size_t n, const struct dns_bisect_ops *ops, void *arg,
		size_t *nsent)
{
	struct search s = { .ops = ops, .arg = arg };
	size_t found;
	int r;

	r = search_range(&s, 0, n, false, &found);
	if (nsent != NULL)
		*nsent = s.nsent;
	return r;
}
