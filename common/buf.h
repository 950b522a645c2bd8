/* SPDX-License-Identifier: MIT */
/*
 * Growable byte buffer with overflow checks. A zeroed struct is an empty
 * buffer; ddns_buf_free() releases it. Appends return 0 or DDNS_ENOMEM /
 * DDNS_ETRUNC (when the buffer would exceed its cap, if cap != 0).
 */
#ifndef DDNS_COMMON_BUF_H
#define DDNS_COMMON_BUF_H

#include <stddef.h>
#include <stdint.h>

struct ddns_buf {
	uint8_t *data;
	size_t len;
	size_t size;
	size_t cap; /* 0 = no cap */
};

int ddns_buf_append(struct ddns_buf *b, const void *p, size_t n);
int ddns_buf_append_str(struct ddns_buf *b, const char *s);
int ddns_buf_append_u16(struct ddns_buf *b, uint16_t v); /* network order */
int ddns_buf_append_u32(struct ddns_buf *b, uint32_t v); /* network order */
/* printf-style append; DDNS_ETRUNC past the cap. */
int ddns_buf_appendf(struct ddns_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Ensure data is NUL-terminated (not counted in len); returns data or NULL. */
char *ddns_buf_cstr(struct ddns_buf *b);
void ddns_buf_reset(struct ddns_buf *b);
void ddns_buf_free(struct ddns_buf *b);

#endif
