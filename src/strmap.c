/* SPDX-License-Identifier: BSD-2-Clause */
/* strmap.c: a chained string-keyed hash map that grows by doubling. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/strmap.h"
#include "ccmetrics/xmalloc.h"

#define STRMAP_INITIAL	256

struct strmap_entry {
	char			*key;
	void			*val;
	uint64_t		 hash;
	struct strmap_entry	*next;
};

struct strmap {
	struct strmap_entry	**buckets;
	size_t			  nbuckets;	/* a power of two */
	size_t			  count;
};

uint64_t
strmap_hash(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;	/* FNV-1a */

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return (h);
}

struct strmap *
strmap_create(void)
{
	struct strmap	*m;

	m = xcalloc(1, sizeof *m);
	m->nbuckets = STRMAP_INITIAL;
	m->buckets = xcalloc(m->nbuckets, sizeof *m->buckets);
	return (m);
}

static struct strmap_entry **
strmap_slot(const struct strmap *m, const char *key, uint64_t h)
{
	struct strmap_entry	**pp = &m->buckets[h & (m->nbuckets - 1)];

	while (*pp != NULL && ((*pp)->hash != h || strcmp((*pp)->key, key) != 0))
		pp = &(*pp)->next;
	return (pp);
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_entry	*e = *strmap_slot(m, key, strmap_hash(key));

	return (e != NULL ? e->val : NULL);
}

static void
strmap_grow(struct strmap *m)
{
	struct strmap_entry	**nb, *e, *next;
	size_t			  i, n = m->nbuckets * 2;

	nb = xcalloc(n, sizeof *nb);
	for (i = 0; i < m->nbuckets; i++) {
		for (e = m->buckets[i]; e != NULL; e = next) {
			next = e->next;
			e->next = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	}
	free(m->buckets);
	m->buckets = nb;
	m->nbuckets = n;
}

void
strmap_put(struct strmap *m, const char *key, void *val)
{
	struct strmap_entry	**pp, *e;
	uint64_t		  h = strmap_hash(key);

	pp = strmap_slot(m, key, h);
	if (*pp != NULL) {
		(*pp)->val = val;
		return;
	}
	e = xmalloc(sizeof *e);
	e->key = xstrdup(key);
	e->val = val;
	e->hash = h;
	e->next = NULL;
	*pp = e;
	if (++m->count > m->nbuckets)
		strmap_grow(m);
}

void *
strmap_del(struct strmap *m, const char *key)
{
	struct strmap_entry	**pp, *e;
	void			 *val;

	pp = strmap_slot(m, key, strmap_hash(key));
	if ((e = *pp) == NULL)
		return (NULL);
	*pp = e->next;
	val = e->val;
	free(e->key);
	free(e);
	m->count--;
	return (val);
}

void
strmap_free(struct strmap *m)
{
	struct strmap_entry	*e, *next;
	size_t			 i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nbuckets; i++) {
		for (e = m->buckets[i]; e != NULL; e = next) {
			next = e->next;
			free(e->key);
			free(e);
		}
	}
	free(m->buckets);
	free(m);
}
