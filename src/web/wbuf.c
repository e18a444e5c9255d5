/* SPDX-License-Identifier: BSD-2-Clause */
/* wbuf.c: a growable byte buffer for the text ccmetrics-web serves. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/log.h"
#include "ccmetrics/wbuf.h"
#include "ccmetrics/xmalloc.h"

static void
wbuf_reserve(struct wbuf *b, size_t more)
{
	size_t	cap = b->cap != 0 ? b->cap : 4096;

	if (b->len + more + 1 <= b->cap)
		return;
	while (cap < b->len + more + 1) {
		if (cap > ((size_t)-1) / 2)
			fatalx("wbuf: %zu bytes", b->len + more);
		cap *= 2;
	}
	b->p = xreallocarray(b->p, 1, cap);
	b->cap = cap;
}

void
wbuf_add(struct wbuf *b, const void *p, size_t n)
{
	wbuf_reserve(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
wbuf_str(struct wbuf *b, const char *s)
{
	wbuf_add(b, s, strlen(s));
}

void
wbuf_printf(struct wbuf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	wbuf_reserve(b, 256);
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("wbuf: bad format");
	if ((size_t)n >= b->cap - b->len) {
		wbuf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		(void)vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

char *
wbuf_take(struct wbuf *b, size_t *len)
{
	char	*p;

	wbuf_reserve(b, 0);
	p = b->p;
	if (len != NULL)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return (p);
}

void
wbuf_free(struct wbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
