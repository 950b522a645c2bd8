/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr, one line per event. Never pass a secret, a token or a
 * URL with a query string to these functions.
 */
#ifndef DDNS_COMMON_LOG_H
#define DDNS_COMMON_LOG_H

enum ddns_log_level { DDNS_LOG_DEBUG, DDNS_LOG_INFO, DDNS_LOG_WARN, DDNS_LOG_ERROR };

void ddns_log_set_level(enum ddns_log_level lvl);
void ddns_log(enum ddns_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) ddns_log(DDNS_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) ddns_log(DDNS_LOG_INFO, __VA_ARGS__)
#define log_warn(...) ddns_log(DDNS_LOG_WARN, __VA_ARGS__)
#define log_error(...) ddns_log(DDNS_LOG_ERROR, __VA_ARGS__)

#endif
