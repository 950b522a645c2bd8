/* SPDX-License-Identifier: MIT */
/*
 * Pushing a batch of changes so that one change the nameserver refuses
 * never holds back the others. The batch goes out in as few messages as
 * fit (halves when it does not fit in one). When the nameserver refuses
 * a message, the zone is asked once whether it takes updates at all (an
 * empty UPDATE); if it does, the refused set is split in halves until
 * every refused change stands alone, and every other change is sent.
 * k refused changes among n cost about 2k log2(n/k) messages.
 *
 * Pure logic: the messages are sent, and their results recorded, by the
 * caller's callbacks, so that the search can be tested without a
 * nameserver.
 */
#ifndef DDNS_DNSBACKEND_BISECT_H
#define DDNS_DNSBACKEND_BISECT_H

#include <stddef.h>

/* What send answers when the nameserver refused that set of changes. */
#define DNS_BISECT_REFUSED 1

struct dns_bisect_ops {
	/*
	 * Sends changes [off, off + n) in one message. Returns 0 when the
	 * nameserver accepted them (the callee records that),
	 * DNS_BISECT_REFUSED when it refused them with an RCODE that may
	 * concern single changes, DDNS_ETRUNC when they do not fit in one
	 * message, or another negative code that ends the search.
	 */
	int (*send)(void *arg, size_t off, size_t n);
	/*
	 * Called once, at the first refusal: 0 when the zone accepts an
	 * empty update (so the refusal concerns some of the changes), else
	 * the error that ends the search (the zone refuses everything).
	 */
	int (*probe)(void *arg);
	/*
	 * Change off, sent alone, was refused by the send just made: the
	 * callee records it. 0, or a negative code that ends the search.
	 */
	int (*refused)(void *arg, size_t off);
};

/*
 * Pushes changes [0, n) with ops (see above). Returns 0 when every change
 * was either accepted or reported refused, else the first error of a
 * callback (what was accepted or reported before it stays so). *nsent
 * (may be NULL) receives the number of send and probe calls made.
 */
int dns_bisect_push(size_t n, const struct dns_bisect_ops *ops, void *arg,
		    size_t *nsent);

#endif
