/* SPDX-License-Identifier: BSD-2-Clause */
/* tcpstream.h: per-direction TCP reassembly and SIP framing. */
#ifndef CCMETRICS_TCPSTREAM_H
#define CCMETRICS_TCPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/payload.h"

/* Defaults: a busy PBX has a few thousand TCP peers at most. */
#define TCPSTREAM_MAX_STREAMS	16384
#define TCPSTREAM_MAX_BYTES	(64 * 1024 * 1024)
#define TCPSTREAM_MAX_MESSAGE	(64 * 1024)	/* one SIP message */
#define TCPSTREAM_MAX_QUEUED	32	/* segments held after a hole */
#define TCPSTREAM_GAP_US	(2 * 1000000LL)	/* then the hole is given up */
#define TCPSTREAM_IDLE_US	(300 * 1000000LL)
/*
 * A segment this far from the next byte expected, either way, is a stray
 * (a corrupt header, or a new connection whose SYN was missed); so many
 * strays in a row start the stream afresh at the last one.
 */
#define TCPSTREAM_WINDOW	(1 << 20)
#define TCPSTREAM_STRAYS	3

struct tcpstream_limits {
	size_t		max_streams;	/* directions tracked at once */
	size_t		max_bytes;	/* buffered and queued, all streams */
	size_t		max_message;	/* longer messages are skipped */
	size_t		max_queued;	/* out-of-order segments per stream */
	int64_t		gap_us;		/* wait for a missing segment */
	int64_t		idle_us;	/* a stream without segments ends */
};

/* TCP header flags that matter here, with their wire values. */
#define TCPSTREAM_FIN		0x01
#define TCPSTREAM_SYN		0x02
#define TCPSTREAM_RST		0x04

/* One TCP segment from src to dst. */
struct tcp_segment {
	struct endpoint	 src;
	struct endpoint	 dst;
	uint32_t	 seq;
	uint8_t		 flags;		/* TCPSTREAM_* */
	const uint8_t	*data;
	size_t		 len;
};

struct tcpstream_stats {
	uint64_t	segments;	/* handed in */
	uint64_t	messages;	/* SIP messages framed, handed on */
	uint64_t	keepalives;	/* CRLF keep-alives (RFC 5626 3.5.1) */
	uint64_t	retransmitted;	/* segments with only bytes seen */
	uint64_t	overlaps;	/* segments partly seen: trimmed */
	uint64_t	out_of_order;	/* segments held after a hole */
	uint64_t	gaps;		/* holes given up: data lost */
	uint64_t	out_of_window;	/* strays, dropped */
	uint64_t	oversize;	/* messages over max_message */
	uint64_t	discarded_bytes; /* never framed: before a start
					   line, in a gap, left at close */
	uint64_t	evicted;	/* streams dropped for room */
	uint64_t	expired;	/* streams idle past idle_us */
	uint64_t	streams;	/* open now */
	uint64_t	buffered_bytes;	/* held now */
};

struct tcpstream_table;

/* limits NULL: the defaults above. Each message goes to sink. */
struct tcpstream_table *tcpstream_create(const struct tcpstream_limits *limits,
		    payload_sink sink, void *arg);
/* A segment seen at ts_us; messages it completes carry that time. */
void		 tcpstream_input(struct tcpstream_table *t,
		    const struct tcp_segment *seg, int64_t ts_us);
/*
 * Give up holes after gap_us without progress (no segment filling them),
 * end streams idle for idle_us.
 */
void		 tcpstream_expire(struct tcpstream_table *t, int64_t now_us);
/* End of input: give up every hole, hand on the messages after it. */
void		 tcpstream_flush(struct tcpstream_table *t);
const struct tcpstream_stats *tcpstream_get_stats(
		    const struct tcpstream_table *t);
void		 tcpstream_free(struct tcpstream_table *t);

#endif
