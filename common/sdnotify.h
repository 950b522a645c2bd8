/* SPDX-License-Identifier: MIT */
/*
 * The systemd readiness protocol (sd_notify(3)) without libsystemd: one
 * datagram to the AF_UNIX socket named by $NOTIFY_SOCKET, which systemd
 * sets for a Type=notify service. Without the variable nothing happens.
 */
#ifndef DDNS_COMMON_SDNOTIFY_H
#define DDNS_COMMON_SDNOTIFY_H

/*
 * Sends state (e.g. "READY=1", "STOPPING=1") to the service manager.
 * 0 when sent or when there is no manager to tell; DDNS_EINVAL for a
 * socket name that does not fit; a negative errno value when sending
 * failed. Thread-safe; never blocks.
 */
int ddns_sd_notify(const char *state);

#endif
