/* SPDX-License-Identifier: MIT */
/*
 * Logging, one line per event: a JSON object ({"ts","level","msg", then
 * structured fields}) by default, or "TS LEVEL MSG key=value..." text for
 * humans. Lines go to stderr unless ddns_log_set_stdout() was called (the
 * server does; other commands keep stdout for their output). Never pass a
 * secret, a token or a URL with a query string to these functions.
 */
#ifndef DDNS_COMMON_LOG_H
#define DDNS_COMMON_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum ddns_log_level {
	DDNS_LOG_DEBUG,
	DDNS_LOG_INFO,
	DDNS_LOG_WARN,
	DDNS_LOG_ERROR
};
enum ddns_log_format { DDNS_LOG_JSON, DDNS_LOG_TEXT };

/* One structured field. A DDNS_LOGF_STR field whose str is NULL is left
 * out; DDNS_LOGF_MS takes num in microseconds and prints milliseconds. */
enum ddns_log_kind { DDNS_LOGF_STR, DDNS_LOGF_INT, DDNS_LOGF_MS };
struct ddns_log_field {
	const char *key; /* static, plain ASCII */
	enum ddns_log_kind kind;
	const char *str;
	long long num;
};

void ddns_log_set_level(enum ddns_log_level lvl);
void ddns_log_set_format(enum ddns_log_format fmt);
/* Sends log lines to stdout instead of stderr. */
void ddns_log_set_stdout(void);

/* Whether lines of level lvl are written (to skip building their fields). */
bool ddns_log_enabled(enum ddns_log_level lvl);

void ddns_log(enum ddns_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Logs msg with n structured fields (copied out before returning). */
void ddns_log_fields(enum ddns_log_level lvl, const char *msg,
		     const struct ddns_log_field *f, size_t n);

#define log_debug(...) ddns_log(DDNS_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) ddns_log(DDNS_LOG_INFO, __VA_ARGS__)
#define log_warn(...) ddns_log(DDNS_LOG_WARN, __VA_ARGS__)
#define log_error(...) ddns_log(DDNS_LOG_ERROR, __VA_ARGS__)

#endif
