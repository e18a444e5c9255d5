/* SPDX-License-Identifier: BSD-2-Clause */
/* jsonrow-fuzzer.c: any bytes through the recorder's flat JSON object splitter, its results checked. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/jsonrow.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct jsonrow	row;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct jsonrow_value	*v;
	const char			*why;
	size_t				 i;

	if (jsonrow_parse(&row, (const char *)data, size, &why) == -1) {
		if (why == NULL || *why == '\0')
			abort();
		return (0);
	}
	/* Every field found again by its key; text within the input. */
	for (i = 0; i < row.nfields; i++) {
		/* \u0000 is refused: a key is a C string of its length. */
		if (strlen(row.fields[i].key) != row.fields[i].keylen)
			abort();
		if ((v = jsonrow_get(&row, row.fields[i].key)) == NULL)
			abort();
		if (v->type == JSONROW_NUMBER && ((const uint8_t *)v->text <
		    data || (const uint8_t *)v->text + v->len > data + size))
			abort();
		if (v->type == JSONROW_ARRAY &&
		    v->first + v->count > row.nelements)
			abort();
	}
	if (row.arena_len > size + 1)
		abort();
	return (0);
}
