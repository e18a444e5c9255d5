/* SPDX-License-Identifier: BSD-2-Clause */
/* osiparena.h: libosip2's allocations for one message, from an arena. */
#ifndef CCMETRICS_OSIPARENA_H
#define CCMETRICS_OSIPARENA_H

#include <stdbool.h>
#include <stddef.h>

/* Install libosip2's allocator hooks; once, after parser_init(). */
void	 osiparena_install(void);
bool	 osiparena_installed(void);
/* From begin to end, libosip2 allocates from the arena; end rewinds it. */
void	 osiparena_begin(void);
void	 osiparena_end(void);
bool	 osiparena_active(void);
/* A block that lives until osiparena_end (begin must have been called). */
void	*osiparena_alloc(size_t size);

#endif
