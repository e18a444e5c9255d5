/* SPDX-License-Identifier: BSD-2-Clause */
/* wbuf.h: a growable byte buffer for the text ccmetrics-web serves. */
#ifndef CCMETRICS_WBUF_H
#define CCMETRICS_WBUF_H

#include <stddef.h>

struct wbuf {
	char	*p;		/* NUL-terminated while len < cap */
	size_t	 len;
	size_t	 cap;
};

void	wbuf_add(struct wbuf *, const void *, size_t);
void	wbuf_str(struct wbuf *, const char *);
void	wbuf_printf(struct wbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* The contents, owned by the caller; the buffer is left empty. */
char	*wbuf_take(struct wbuf *, size_t *len);
void	wbuf_free(struct wbuf *);

#endif
