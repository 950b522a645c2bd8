/* SPDX-License-Identifier: MIT */
/*
 * In-process wake-up of the DNS pusher after a change was committed.
 * A NOTIFY inside the update transaction would serialise every committing
 * update behind PostgreSQL's notify lock (held through the WAL flush); a
 * pipe write costs one syscall and coalesces while the pusher is busy.
 */
#ifndef DDNS_COMMON_WAKE_H
#define DDNS_COMMON_WAKE_H

/* Registers the write end of a pusher's wake pipe (up to 4 pushers: the
 * operator's zones and the tenants'). 0, or -1 when every slot is taken. */
int ddns_wake_register(int fd);

/* Forgets a registered pipe. */
void ddns_wake_unregister(int fd);

/* Wakes each pusher unless a wake-up is already pending. Thread-safe. */
void ddns_wake_dirty(void);

/* Called by a pusher (its pipe fd) before it looks for work: clears its
 * pending flag. */
void ddns_wake_clear(int fd);

#endif
