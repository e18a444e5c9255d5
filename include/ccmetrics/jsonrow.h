/* SPDX-License-Identifier: BSD-2-Clause */
/* jsonrow.h: one flat JSON object split into its fields, for the recorder's rows (pgrec). */
#ifndef CCMETRICS_JSONROW_H
#define CCMETRICS_JSONROW_H

#include <stddef.h>

#define JSONROW_MAX_FIELDS	256
#define JSONROW_MAX_ELEMENTS	4096	/* of all arrays of one object */
#define JSONROW_MAX_DEPTH	32	/* nested values skipped, not split */

enum jsonrow_type {
	JSONROW_STRING,		/* text: decoded */
	JSONROW_NUMBER,		/* text: as written (JSON grammar checked) */
	JSONROW_TRUE,
	JSONROW_FALSE,
	JSONROW_NULL,
	JSONROW_ARRAY,		/* of scalars: elements [first, first + count) */
	JSONROW_OTHER		/* an object, or an array holding more than scalars */
};

struct jsonrow_value {
	enum jsonrow_type	 type;
	const char		*text;	/* STRING, NUMBER */
	size_t			 len;
	size_t			 first, count;	/* ARRAY */
};

struct jsonrow_field {
	const char		*key;	/* decoded, NUL-terminated */
	size_t			 keylen;
	struct jsonrow_value	 v;
};

struct jsonrow {
	struct jsonrow_field	 fields[JSONROW_MAX_FIELDS];
	size_t			 nfields;
	struct jsonrow_value	 elements[JSONROW_MAX_ELEMENTS];
	size_t			 nelements;
	char			*arena;		/* decoded strings */
	size_t			 arena_len, arena_cap;
	size_t			 hint;		/* where the last lookup hit */
};

void	jsonrow_init(struct jsonrow *r);
void	jsonrow_free(struct jsonrow *r);
/*
 * Split the JSON text p[0..n) (one object, whitespace around it allowed)
 * into r. 0, or -1 with a reason in *why: not JSON, not an object, a
 * duplicate key, \u0000, more fields or elements than the limits.
 */
int	jsonrow_parse(struct jsonrow *r, const char *p, size_t n,
	    const char **why);
/* The field named key, or NULL. */
const struct jsonrow_value *jsonrow_get(struct jsonrow *r, const char *key);

#endif
