/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

#define LOG_LINE_MAX 2048

/* A line under construction; output past the end is dropped. */
struct log_line {
	char s[LOG_LINE_MAX];
	size_t n;
};

static void put(struct log_line *l, const char *s, size_t n);
static void putc1(struct log_line *l, char c);
static void put_json_str(struct log_line *l, const char *s);
static void put_text_val(struct log_line *l, const char *s);
static void put_field(struct log_line *l, const struct ddns_log_field *f);
static void build(struct log_line *l, enum ddns_log_level lvl, const char *msg,
		  const struct ddns_log_field *f, size_t n);
static void emit(enum ddns_log_level lvl, const char *msg,
		 const struct ddns_log_field *f, size_t n);

static enum ddns_log_level log_min = DDNS_LOG_INFO;
static enum ddns_log_format log_fmt = DDNS_LOG_JSON;
static bool log_stdout;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
ddns_log_set_level(enum ddns_log_level lvl)
{
	log_min = lvl;
}

bool
ddns_log_enabled(enum ddns_log_level lvl)
{
	return lvl >= log_min;
}

void
ddns_log_set_format(enum ddns_log_format fmt)
{
	log_fmt = fmt;
}

void
ddns_log_set_stdout(void)
{
	log_stdout = true;
}

static void
put(struct log_line *l, const char *s, size_t n)
{
	/* Keep one byte for the newline. */
	if (n > sizeof(l->s) - 1 - l->n)
		n = sizeof(l->s) - 1 - l->n;
	memcpy(l->s + l->n, s, n);
	l->n += n;
}

static void
putc1(struct log_line *l, char c)
{
	put(l, &c, 1);
}

/*
 * A JSON string. Bytes outside printable ASCII are escaped as \u00XX, so
 * the line is valid JSON (and ASCII) whatever a client sent.
 */
static void
put_json_str(struct log_line *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	unsigned char c;

	putc1(l, '"');
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			putc1(l, '\\');
			putc1(l, (char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(l, esc, sizeof(esc));
		} else {
			putc1(l, (char)c);
		}
	}
	putc1(l, '"');
}

/* Text values: quoted when empty or holding a space, quote or control. */
static void
put_text_val(struct log_line *l, const char *s)
{
	bool quote = *s == '\0';

	for (const char *p = s; *p != '\0' && !quote; p++)
		quote = (unsigned char)*p <= ' ' || *p == '"';
	if (quote)
		put_json_str(l, s);
	else
		put(l, s, strlen(s));
}

static void
put_field(struct log_line *l, const struct ddns_log_field *f)
{
	char num[32];

	if (f->kind == DDNS_LOGF_STR && f->str == NULL)
		return;
	if (log_fmt == DDNS_LOG_JSON) {
		putc1(l, ',');
		put_json_str(l, f->key);
		putc1(l, ':');
	} else {
		putc1(l, ' ');
		put(l, f->key, strlen(f->key));
		putc1(l, '=');
	}
	if (f->kind == DDNS_LOGF_STR) {
		if (log_fmt == DDNS_LOG_JSON)
			put_json_str(l, f->str);
		else
			put_text_val(l, f->str);
		return;
	}
	if (f->kind == DDNS_LOGF_MS)
		snprintf(num, sizeof(num), "%lld.%03lld", f->num / 1000,
			 (f->num < 0 ? -f->num : f->num) % 1000);
	else
		snprintf(num, sizeof(num), "%lld", f->num);
	put(l, num, strlen(num));
}

static void
build(struct log_line *l, enum ddns_log_level lvl, const char *msg,
      const struct ddns_log_field *f, size_t n)
{
	char ts[48];
	struct timespec now;
	struct tm tm;
	size_t tn;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	tn = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + tn, sizeof(ts) - tn, ".%03ldZ", now.tv_nsec / 1000000);
	l->n = 0;
	if (log_fmt == DDNS_LOG_JSON) {
		put(l, "{\"ts\":\"", 7);
		put(l, ts, strlen(ts));
		put(l, "\",\"level\":\"", 11);
		put(l, level_names[lvl], strlen(level_names[lvl]));
		put(l, "\",\"msg\":", 8);
		put_json_str(l, msg);
	} else {
		put(l, ts, strlen(ts));
		putc1(l, ' ');
		put(l, level_names[lvl], strlen(level_names[lvl]));
		putc1(l, ' ');
		put(l, msg, strlen(msg));
	}
	for (size_t i = 0; i < n; i++)
		put_field(l, &f[i]);
	if (log_fmt == DDNS_LOG_JSON)
		putc1(l, '}');
}

static void
emit(enum ddns_log_level lvl, const char *msg, const struct ddns_log_field *f,
     size_t n)
{
	struct log_line l;
	FILE *out;

	build(&l, lvl, msg, f, n);
	/* Cut short, a JSON line would not parse: say so instead. */
	if (l.n >= sizeof(l.s) - 1)
		build(&l, lvl, "(log line too long, dropped)", NULL, 0);
	l.s[l.n++] = '\n';
	out = log_stdout ? stdout : stderr;
	pthread_mutex_lock(&log_lock);
	fwrite(l.s, 1, l.n, out);
	fflush(out);
	pthread_mutex_unlock(&log_lock);
}

void
ddns_log(enum ddns_log_level lvl, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ddns_log_enabled(lvl))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(lvl, msg, NULL, 0);
}

void
ddns_log_fields(enum ddns_log_level lvl, const char *msg,
		const struct ddns_log_field *f, size_t n)
{
	if (!ddns_log_enabled(lvl))
		return;
	emit(lvl, msg, f, n);
}
