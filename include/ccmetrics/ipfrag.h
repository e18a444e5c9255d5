/* SPDX-License-Identifier: BSD-2-Clause */
/* ipfrag.h: IPv4 and IPv6 fragment reassembly, bounded, on packet time. */
#ifndef CCMETRICS_IPFRAG_H
#define CCMETRICS_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/addr.h"

/* Defaults: Linux's ipfrag_time, and room for bursts of large INVITEs. */
#define IPFRAG_TIMEOUT_US	(30 * 1000000LL)
#define IPFRAG_MAX_DATAGRAMS	4096
#define IPFRAG_MAX_BYTES	(16 * 1024 * 1024)
/* The largest payload an IPv4 or (non-jumbo) IPv6 datagram can carry. */
#define IPFRAG_MAX_SIZE		65535

struct ipfrag_limits {
	size_t		max_datagrams;	/* datagrams pending at once */
	size_t		max_bytes;	/* their buffers, all together */
	int64_t		timeout_us;	/* from the first fragment seen */
};

/*
 * A fragment as decode found it, or (from ipfrag_input) the payload of a
 * reassembled datagram. For IPv6, proto is the Next Header of the fragment
 * header; the one of the fragment at offset 0 wins (RFC 8200 4.5).
 */
struct ipfrag {
	struct addr	 src;
	struct addr	 dst;
	uint32_t	 id;		/* IPv4: 16 bits, IPv6: 32 bits */
	uint8_t		 proto;
	uint32_t	 offset;	/* in bytes, a multiple of 8 */
	int		 more;		/* more fragments follow (MF, M) */
	const uint8_t	*data;
	size_t		 len;
};

struct ipfrag_stats {
	uint64_t	fragments;	/* handed in */
	uint64_t	reassembled;	/* datagrams completed */
	uint64_t	duplicates;	/* fragments adding nothing new */
	uint64_t	overlaps;	/* overlapping data held: first copy kept */
	uint64_t	bad;		/* invalid offsets, lengths, totals */
	uint64_t	timeouts;	/* datagrams incomplete after timeout */
	uint64_t	evicted;	/* oldest datagrams dropped for room */
	uint64_t	pending;	/* datagrams being reassembled now */
	uint64_t	pending_bytes;	/* and the memory they hold */
};

struct ipfrag_table;

/* limits NULL: the defaults above. */
struct ipfrag_table *ipfrag_create(const struct ipfrag_limits *limits);
/*
 * Add one fragment seen at ts_us. Returns 1 when it completes its
 * datagram: *out then holds the reassembled payload, valid until the next
 * call on the table. Returns 0 when the fragment is kept or ignored.
 */
int		 ipfrag_input(struct ipfrag_table *t, const struct ipfrag *f,
		    int64_t ts_us, struct ipfrag *out);
/* Drop datagrams whose first fragment is older than the timeout. */
void		 ipfrag_expire(struct ipfrag_table *t, int64_t now_us);
const struct ipfrag_stats *ipfrag_get_stats(const struct ipfrag_table *t);
void		 ipfrag_free(struct ipfrag_table *t);

#endif
