/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/errors.h"

static int buf_reserve(struct ddns_buf *b, size_t extra);

static int
buf_reserve(struct ddns_buf *b, size_t extra)
{
	size_t need, nsize;
	uint8_t *p;

	if (extra > SIZE_MAX - b->len - 1)
		return DDNS_ENOMEM;
	need = b->len + extra + 1;
	if (b->cap != 0 && need - 1 > b->cap)
		return DDNS_ETRUNC;
	if (need <= b->size)
		return 0;
	nsize = b->size ? b->size : 256;
	while (nsize < need) {
		if (nsize > SIZE_MAX / 2)
			return DDNS_ENOMEM;
		nsize *= 2;
	}
	p = realloc(b->data, nsize);
	if (p == NULL)
		return DDNS_ENOMEM;
	b->data = p;
	b->size = nsize;
	return 0;
}

int
ddns_buf_append(struct ddns_buf *b, const void *p, size_t n)
{
	int ret;

	if (n == 0)
		return 0;
	if ((ret = buf_reserve(b, n)) != 0)
		return ret;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
ddns_buf_append_str(struct ddns_buf *b, const char *s)
{
	return ddns_buf_append(b, s, strlen(s));
}

int
ddns_buf_append_u16(struct ddns_buf *b, uint16_t v)
{
	uint8_t w[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return ddns_buf_append(b, w, sizeof(w));
}

int
ddns_buf_append_u32(struct ddns_buf *b, uint32_t v)
{
	uint8_t w[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	return ddns_buf_append(b, w, sizeof(w));
}

int
ddns_buf_appendf(struct ddns_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return DDNS_EINVAL;
	if ((ret = buf_reserve(b, (size_t)n)) != 0)
		return ret;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *
ddns_buf_cstr(struct ddns_buf *b)
{
	if (buf_reserve(b, 0) != 0)
		return NULL;
	b->data[b->len] = '\0';
	return (char *)b->data;
}

void
ddns_buf_reset(struct ddns_buf *b)
{
	b->len = 0;
}

void
ddns_buf_free(struct ddns_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->size = 0;
}
