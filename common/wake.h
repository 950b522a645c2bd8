/* SPDX-License-Identifier: MIT */
/*
 * In-process wake-up of the DNS pusher after a change was committed.
 * A NOTIFY inside the update transaction would serialise every committing
 * update behind PostgreSQL's notify lock (held through the WAL flush); a
 * pipe write costs one syscall and coalesces while the pusher is busy.
 */
#ifndef DDNS_COMMON_WAKE_H
#define DDNS_COMMON_WAKE_H

/* Registers the write end of the pusher's wake pipe (-1: none). */
void ddns_wake_register(int fd);

/* Wakes the pusher unless a wake-up is already pending. Thread-safe. */
void ddns_wake_dirty(void);

/* Called by the pusher before it looks for work: clears the pending flag. */
void ddns_wake_clear(void);

#endif
