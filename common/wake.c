/* SPDX-License-Identifier: MIT */
#include <stdatomic.h>
#include <unistd.h>

#include "common/wake.h"

static atomic_int wake_fd = -1;
static atomic_flag wake_pending = ATOMIC_FLAG_INIT;

void
ddns_wake_register(int fd)
{
	atomic_store(&wake_fd, fd);
}

void
ddns_wake_dirty(void)
{
	int fd = atomic_load(&wake_fd);

	if (fd < 0 || atomic_flag_test_and_set(&wake_pending))
		return;
	/* Non-blocking pipe: a full pipe means the pusher is awake anyway. */
	(void)!write(fd, "d", 1);
}

void
ddns_wake_clear(void)
{
	atomic_flag_clear(&wake_pending);
}
