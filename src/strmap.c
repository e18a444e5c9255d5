/* SPDX-License-Identifier: BSD-2-Clause */
/* strmap.c: a chained string-keyed hash map that grows by doubling. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/siphash.h"
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

/*
 * Keys are Call-IDs, tags, caller numbers: chosen by whoever calls the
 * PBX. An unkeyed hash lets them pick keys that share a bucket and make
 * every lookup walk them all; SipHash under a random key does not.
 */
uint64_t
strmap_hash(const char *s)
{
	return (siphash_process(s, strlen(s)));
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

size_t
strmap_count(const struct strmap *m)
{
	return (m->count);
}

size_t
strmap_max_chain(const struct strmap *m)
{
	const struct strmap_entry	*e;
	size_t				 i, n, most = 0;

	for (i = 0; i < m->nbuckets; i++) {
		for (n = 0, e = m->buckets[i]; e != NULL; e = e->next)
			n++;
		if (n > most)
			most = n;
	}
	return (most);
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
