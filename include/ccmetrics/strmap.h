/* SPDX-License-Identifier: BSD-2-Clause */
/* strmap.h: a small string-keyed hash map with owned keys. */
#ifndef CCMETRICS_STRMAP_H
#define CCMETRICS_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap;

/* SipHash of a string under the process key; also used by the leg table. */
uint64_t	 strmap_hash(const char *s);
struct strmap	*strmap_create(void);
void		*strmap_get(const struct strmap *m, const char *key);
/* Insert or replace; the key is copied. */
void		 strmap_put(struct strmap *m, const char *key, void *val);
/* Remove key if present; returns its value or NULL. */
void		*strmap_del(struct strmap *m, const char *key);
size_t		 strmap_count(const struct strmap *m);
/* The longest bucket chain: what one lookup may have to walk. */
size_t		 strmap_max_chain(const struct strmap *m);
void		 strmap_free(struct strmap *m);

#endif
