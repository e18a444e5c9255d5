/* SPDX-License-Identifier: BSD-2-Clause */
/* ipfrag.c: IPv4 and IPv6 fragment reassembly; owns the pending datagrams. */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "ccmetrics/ipfrag.h"
#include "ccmetrics/siphash.h"
#include "ccmetrics/xmalloc.h"

/*
 * Data is tracked in 8-byte blocks, the unit of fragment offsets (RFC 791
 * 3.2, RFC 8200 4.5): a bitmap says which blocks arrived. The first copy
 * of a block wins; later copies are counted as duplicates or overlaps.
 */
#define BLOCK			8
#define NBLOCKS			((IPFRAG_MAX_SIZE + BLOCK - 1) / BLOCK)
#define BUF_STEP		2048	/* buffers grow in these steps */

struct datagram {
	struct addr		 src;
	struct addr		 dst;
	uint32_t		 id;
	uint8_t			 key_proto;	/* IPv4 only: part of the key */
	uint8_t			 proto;		/* of the offset-0 fragment */
	uint64_t		 hash;
	int64_t			 first_us;	/* first fragment seen */
	size_t			 total;		/* known once the last arrived */
	size_t			 max_end;	/* highest byte held + 1 */
	size_t			 nset;		/* blocks held */
	uint8_t			*buf;
	size_t			 cap;
	uint8_t			 map[(NBLOCKS + 7) / 8];
	struct datagram		*hnext;		/* hash chain */
	TAILQ_ENTRY(datagram)	 age;		/* oldest first */
};

TAILQ_HEAD(datagram_list, datagram);

struct ipfrag_table {
	struct ipfrag_limits	 lim;
	struct datagram		**buckets;
	size_t			 nbuckets;	/* a power of two */
	struct datagram_list	 age;
	struct datagram		*done;		/* returned by the last input */
	struct ipfrag_stats	 st;
};

struct ipfrag_table *
ipfrag_create(const struct ipfrag_limits *limits)
{
	struct ipfrag_table	*t;

	t = xcalloc(1, sizeof *t);
	if (limits != NULL)
		t->lim = *limits;
	else {
		t->lim.max_datagrams = IPFRAG_MAX_DATAGRAMS;
		t->lim.max_bytes = IPFRAG_MAX_BYTES;
		t->lim.timeout_us = IPFRAG_TIMEOUT_US;
	}
	t->nbuckets = 64;
	while (t->nbuckets < t->lim.max_datagrams && t->nbuckets < 65536)
		t->nbuckets *= 2;
	t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
	TAILQ_INIT(&t->age);
	return (t);
}

static size_t
addr_len(const struct addr *a)
{
	return (a->family == AF_INET6 ? 16 : 4);
}

/* RFC 791 3.2: source, destination, protocol, id; RFC 8200 4.5: no proto. */
static uint64_t
ipfrag_hash(const struct ipfrag *f, uint8_t key_proto)
{
	uint8_t		k[16 + 16 + 4 + 2];
	size_t		n, alen = addr_len(&f->src);

	memcpy(k, f->src.bytes, alen);
	memcpy(k + alen, f->dst.bytes, alen);
	n = 2 * alen;
	k[n++] = (uint8_t)(f->id >> 24);
	k[n++] = (uint8_t)(f->id >> 16);
	k[n++] = (uint8_t)(f->id >> 8);
	k[n++] = (uint8_t)f->id;
	k[n++] = key_proto;
	k[n++] = f->src.family;
	/* Spoofed fragments choose all of it: a keyed hash (strmap.c). */
	return (siphash_process(k, n));
}

static size_t
datagram_bytes(const struct datagram *d)
{
	return (sizeof *d + d->cap);
}

static void
datagram_unlink(struct ipfrag_table *t, struct datagram *d)
{
	struct datagram	**pp;

	for (pp = &t->buckets[d->hash & (t->nbuckets - 1)]; *pp != d;
	    pp = &(*pp)->hnext)
		;
	*pp = d->hnext;
	TAILQ_REMOVE(&t->age, d, age);
	t->st.pending--;
	t->st.pending_bytes -= datagram_bytes(d);
}

static void
datagram_free(struct datagram *d)
{
	if (d == NULL)
		return;
	free(d->buf);
	free(d);
}

static void
ipfrag_drop(struct ipfrag_table *t, struct datagram *d)
{
	datagram_unlink(t, d);
	datagram_free(d);
}

static struct datagram *
ipfrag_lookup(struct ipfrag_table *t, const struct ipfrag *f,
    uint8_t key_proto, uint64_t hash)
{
	struct datagram	*d;

	for (d = t->buckets[hash & (t->nbuckets - 1)]; d != NULL;
	    d = d->hnext) {
		if (d->hash == hash && d->id == f->id &&
		    d->key_proto == key_proto &&
		    addr_equal(&d->src, &f->src) &&
		    addr_equal(&d->dst, &f->dst))
			return (d);
	}
	return (NULL);
}

/* Evict the oldest datagrams, other than keep, until extra bytes fit. */
static int
ipfrag_make_room(struct ipfrag_table *t, size_t extra,
    const struct datagram *keep)
{
	struct datagram	*d;

	while (t->st.pending_bytes + extra > t->lim.max_bytes) {
		d = TAILQ_FIRST(&t->age);
		if (d == keep)
			d = TAILQ_NEXT(d, age);
		if (d == NULL)
			return (-1);
		ipfrag_drop(t, d);
		t->st.evicted++;
	}
	return (0);
}

static struct datagram *
ipfrag_new(struct ipfrag_table *t, const struct ipfrag *f, uint8_t key_proto,
    uint64_t hash, int64_t ts_us)
{
	struct datagram	*d;
	size_t		 slot;

	if (t->st.pending >= t->lim.max_datagrams) {
		ipfrag_drop(t, TAILQ_FIRST(&t->age));
		t->st.evicted++;
	}
	if (ipfrag_make_room(t, sizeof *d, NULL) == -1)
		return (NULL);
	d = xcalloc(1, sizeof *d);
	d->src = f->src;
	d->dst = f->dst;
	d->id = f->id;
	d->key_proto = key_proto;
	d->hash = hash;
	d->first_us = ts_us;
	slot = hash & (t->nbuckets - 1);
	d->hnext = t->buckets[slot];
	t->buckets[slot] = d;
	TAILQ_INSERT_TAIL(&t->age, d, age);
	t->st.pending++;
	t->st.pending_bytes += datagram_bytes(d);
	return (d);
}

/* Whether a fragment is well formed on its own. */
static int
ipfrag_valid(const struct ipfrag *f, size_t end)
{
	if (f->len == 0 || end > IPFRAG_MAX_SIZE || f->offset % BLOCK != 0)
		return (0);
	if (f->more && f->len % BLOCK != 0)
		return (0);		/* only the last may end mid-block */
	return (1);
}

/* Whether the fragment fits what the datagram already knows. */
static int
ipfrag_consistent(const struct datagram *d, const struct ipfrag *f,
    size_t end)
{
	if (d->total != 0 && end > d->total)
		return (0);
	if (!f->more && (d->max_end > end ||
	    (d->total != 0 && d->total != end)))
		return (0);
	return (1);
}

static int
ipfrag_reserve(struct ipfrag_table *t, struct datagram *d, size_t end)
{
	size_t	cap;

	if (end <= d->cap)
		return (0);
	cap = (end + BUF_STEP - 1) / BUF_STEP * BUF_STEP;
	if (ipfrag_make_room(t, cap - d->cap, d) == -1)
		return (-1);
	d->buf = xreallocarray(d->buf, 1, cap);
	t->st.pending_bytes += cap - d->cap;
	d->cap = cap;
	return (0);
}

/* Copy the blocks not held yet; returns how many were new. */
static size_t
ipfrag_copy(struct datagram *d, const struct ipfrag *f, size_t end)
{
	size_t	b, from, to, fresh = 0;

	for (b = f->offset / BLOCK; b * BLOCK < end; b++) {
		if (d->map[b / 8] & (1U << (b % 8)))
			continue;
		from = b * BLOCK;
		to = from + BLOCK < end ? from + BLOCK : end;
		memcpy(d->buf + from, f->data + (from - f->offset), to - from);
		d->map[b / 8] |= (uint8_t)(1U << (b % 8));
		d->nset++;
		fresh++;
	}
	return (fresh);
}

int
ipfrag_input(struct ipfrag_table *t, const struct ipfrag *f, int64_t ts_us,
    struct ipfrag *out)
{
	struct datagram	*d;
	uint8_t		 key_proto;
	uint64_t	 hash;
	size_t		 end, blocks, fresh;

	datagram_free(t->done);
	t->done = NULL;
	t->st.fragments++;
	key_proto = f->src.family == AF_INET ? f->proto : 0;
	hash = ipfrag_hash(f, key_proto);
	end = (size_t)f->offset + f->len;
	if (!ipfrag_valid(f, end)) {
		t->st.bad++;
		return (0);
	}
	d = ipfrag_lookup(t, f, key_proto, hash);
	if (d != NULL && ts_us - d->first_us >= t->lim.timeout_us) {
		ipfrag_drop(t, d);
		t->st.timeouts++;
		d = NULL;
	}
	if (d == NULL &&
	    (d = ipfrag_new(t, f, key_proto, hash, ts_us)) == NULL) {
		t->st.evicted++;
		return (0);
	}
	if (!ipfrag_consistent(d, f, end)) {
		t->st.bad++;
		return (0);
	}
	if (ipfrag_reserve(t, d, end) == -1) {
		ipfrag_drop(t, d);
		t->st.evicted++;
		return (0);
	}
	blocks = (end + BLOCK - 1) / BLOCK - f->offset / BLOCK;
	fresh = ipfrag_copy(d, f, end);
	if (fresh == 0)
		t->st.duplicates++;
	else if (fresh < blocks)
		t->st.overlaps++;
	if (fresh != 0 && f->offset == 0)
		d->proto = f->proto;
	if (end > d->max_end)
		d->max_end = end;
	if (!f->more)
		d->total = end;
	if (d->total == 0 || d->nset != (d->total + BLOCK - 1) / BLOCK)
		return (0);

	/* Complete: hand it out, keep the memory until the next call. */
	datagram_unlink(t, d);
	t->done = d;
	t->st.reassembled++;
	memset(out, 0, sizeof *out);
	out->src = d->src;
	out->dst = d->dst;
	out->id = d->id;
	out->proto = d->proto;
	out->data = d->buf;
	out->len = d->total;
	return (1);
}

void
ipfrag_expire(struct ipfrag_table *t, int64_t now_us)
{
	struct datagram	*d;

	while ((d = TAILQ_FIRST(&t->age)) != NULL &&
	    now_us - d->first_us >= t->lim.timeout_us) {
		ipfrag_drop(t, d);
		t->st.timeouts++;
	}
}

const struct ipfrag_stats *
ipfrag_get_stats(const struct ipfrag_table *t)
{
	return (&t->st);
}

void
ipfrag_free(struct ipfrag_table *t)
{
	struct datagram	*d;

	if (t == NULL)
		return;
	while ((d = TAILQ_FIRST(&t->age)) != NULL)
		ipfrag_drop(t, d);
	datagram_free(t->done);
	free(t->buckets);
	free(t);
}
