/* SPDX-License-Identifier: BSD-2-Clause */
/* xmalloc.h: allocation wrappers that die on exhaustion. */
#ifndef CCMETRICS_XMALLOC_H
#define CCMETRICS_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
void	*xreallocarray(void *ptr, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);

#endif
