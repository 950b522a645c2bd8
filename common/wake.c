/* SPDX-License-Identifier: MIT */
#include <stdatomic.h>
#include <unistd.h>

#include "common/wake.h"

#define WAKE_SLOTS 4

/* One slot per pusher: its pipe and whether a wake-up is pending. */
static struct {
	atomic_int fd;
	atomic_flag pending;
} slots[WAKE_SLOTS] = {
	{ -1, ATOMIC_FLAG_INIT },
	{ -1, ATOMIC_FLAG_INIT },
	{ -1, ATOMIC_FLAG_INIT },
	{ -1, ATOMIC_FLAG_INIT },
};

int
ddns_wake_register(int fd)
{
	for (int i = 0; i < WAKE_SLOTS; i++) {
		int none = -1;

		if (atomic_compare_exchange_strong(&slots[i].fd, &none, fd))
			return 0;
	}
	return -1;
}

void
ddns_wake_unregister(int fd)
{
	for (int i = 0; i < WAKE_SLOTS; i++) {
		int want = fd;

		atomic_compare_exchange_strong(&slots[i].fd, &want, -1);
	}
}

void
ddns_wake_dirty(void)
{
	for (int i = 0; i < WAKE_SLOTS; i++) {
		int fd = atomic_load(&slots[i].fd);

		if (fd < 0 || atomic_flag_test_and_set(&slots[i].pending))
			continue;
		/* Non-blocking pipe: a full pipe means it is awake anyway. */
		(void)!write(fd, "d", 1);
	}
}

void
ddns_wake_clear(int fd)
{
	for (int i = 0; i < WAKE_SLOTS; i++)
		if (atomic_load(&slots[i].fd) == fd)
			atomic_flag_clear(&slots[i].pending);
}
