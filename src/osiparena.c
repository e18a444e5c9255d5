/* SPDX-License-Identifier: BSD-2-Clause */
/* osiparena.c: libosip2's allocations for one message, from an arena. */
#include "config.h"

#include <osipparser2/osip_port.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/osiparena.h"
#include "ccmetrics/xmalloc.h"

/*
 * libosip2 allocates every token of a message (a list node, a URI, each
 * parameter name and value) and frees them one by one: half the cost of a
 * parse. Its allocator hooks (osip_set_allocators) let the allocations of
 * one message come from an arena instead: a pointer bump each, nothing to
 * free; once the message's fields are copied into the sip_msg the arena is
 * rewound whole and osip_message_free() is never called. The arena keeps
 * its chunks (as many as the largest message needed), so a steady stream
 * of messages allocates nothing. The hooks are process-wide, like
 * libosip2's parser tables; the daemon has one thread. Outside a message
 * the hooks fall through to malloc.
 */
#define ARENA_CHUNK	(64 * 1024)
#define ARENA_ALIGN	16

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 size;	/* of data */
	size_t			 used;
	char			 _Alignas(ARENA_ALIGN) data[];
};

static struct {
	struct arena_chunk	*first;
	struct arena_chunk	*cur;
	int			 installed;
	int			 active;	/* inside sipmsg_input */
} arena;

/* Each block is preceded by its size (for realloc). */
struct arena_hdr {
	size_t	_Alignas(ARENA_ALIGN) size;
};

static struct arena_chunk *
arena_chunk_new(size_t size)
{
	struct arena_chunk	*c;

	c = xmalloc(sizeof *c + size);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return (c);
}

static struct arena_chunk *
arena_owner(const void *p)
{
	struct arena_chunk	*c;

	for (c = arena.first; c != NULL; c = c->next)
		if ((const char *)p >= c->data &&
		    (const char *)p < c->data + c->size)
			return (c);
	return (NULL);
}

static void *
arena_malloc(size_t size)
{
	struct arena_chunk	*c;
	struct arena_hdr	*h;
	size_t			 need;

	if (!arena.active)
		return (malloc(size));
	need = sizeof *h + (size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
	for (c = arena.cur; c->used + need > c->size; c = c->next) {
		if (c->next == NULL)
			c->next = arena_chunk_new(need > ARENA_CHUNK ? need :
			    ARENA_CHUNK);
		c->next->used = 0;
		arena.cur = c->next;
	}
	h = (struct arena_hdr *)(c->data + c->used);
	h->size = size;
	c->used += need;
	return (h + 1);
}

static void
arena_free(void *p)
{
	if (arena_owner(p) == NULL)
		free(p);
	/* Arena blocks go when the message is done. */
}

static void *
arena_realloc(void *p, size_t size)
{
	struct arena_hdr	*h;
	void			*n;

	if (p == NULL)
		return (arena_malloc(size));
	if (arena_owner(p) == NULL)
		return (realloc(p, size));
	h = (struct arena_hdr *)p - 1;
	if (size <= h->size) {
		h->size = size;
		return (p);
	}
	if ((n = arena_malloc(size)) == NULL)
		return (NULL);
	memcpy(n, p, h->size);
	return (n);
}

/* Allocations of libosip2 from here on come from the arena. */
void
osiparena_begin(void)
{
	arena.active = arena.installed;
}

/* Forget everything allocated since osiparena_begin. */
void
osiparena_end(void)
{
	struct arena_chunk	*c;

	arena.active = 0;
	for (c = arena.first; c != NULL && c->used != 0; c = c->next)
		c->used = 0;
	arena.cur = arena.first;
}

void
osiparena_install(void)
{
	if (arena.installed)
		return;
	arena.first = arena.cur = arena_chunk_new(ARENA_CHUNK);
	osip_set_allocators(arena_malloc, arena_realloc, arena_free);
	arena.installed = 1;
}

bool
osiparena_installed(void)
{
	return (arena.installed);
}

bool
osiparena_active(void)
{
	return (arena.active);
}

void *
osiparena_alloc(size_t size)
{
	return (arena_malloc(size));
}
