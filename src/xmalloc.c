/* SPDX-License-Identifier: BSD-2-Clause */
/* xmalloc.c: allocation wrappers that die on exhaustion. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/log.h"
#include "ccmetrics/xmalloc.h"

void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0 || (p = malloc(size)) == NULL)
		fatalx("xmalloc: cannot allocate %zu bytes", size);
	return (p);
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0 || (p = calloc(nmemb, size)) == NULL)
		fatalx("xcalloc: cannot allocate %zu * %zu bytes", nmemb, size);
	return (p);
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0 || nmemb > SIZE_MAX / size ||
	    (p = realloc(ptr, nmemb * size)) == NULL)
		fatalx("xreallocarray: cannot allocate %zu * %zu bytes",
		    nmemb, size);
	return (p);
}

char *
xstrdup(const char *s)
{
	return (xstrndup(s, strlen(s)));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	n = strnlen(s, n);
	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return (p);
}
