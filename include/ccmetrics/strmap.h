/* SPDX-License-Identifier: BSD-2-Clause */
/* strmap.h: a small string-keyed hash map with owned keys. */
#ifndef CCMETRICS_STRMAP_H
#define CCMETRICS_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap;

/* FNV-1a of a string; also used by the leg table. */
uint64_t	 strmap_hash(const char *s);
struct strmap	*strmap_create(void);
void		*strmap_get(const struct strmap *m, const char *key);
/* Insert or replace; the key is copied. */
void		 strmap_put(struct strmap *m, const char *key, void *val);
/* Remove key if present; returns its value or NULL. */
void		*strmap_del(struct strmap *m, const char *key);
void		 strmap_free(struct strmap *m);

#endif
