/* SPDX-License-Identifier: BSD-2-Clause */
/* tcpstream.c: per-direction TCP reassembly and SIP framing. */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "ccmetrics/siphash.h"
#include "ccmetrics/sipscan.h"
#include "ccmetrics/tcpstream.h"
#include "ccmetrics/xmalloc.h"

#define START_LINE_MAX		1024	/* a longer first line is no start line */
#define METHOD_MAX		32
#define BUF_STEP		4096
#define SIP_VERSION		"SIP/2.0"

/*
 * FRAMING: the next byte starts a message (or a keep-alive).
 * HUNTING: after a mid-stream pick-up or lost data, bytes are discarded up
 * to the next line that is a SIP start line (RFC 3261 7.1, 7.2).
 */
enum stream_state { STREAM_FRAMING, STREAM_HUNTING };

/* A segment held after a hole, until the hole is filled or given up. */
struct queued {
	uint32_t	 seq;
	size_t		 len;
	int64_t		 ts_us;
	int		 fin;
	struct queued	*next;
	uint8_t		 data[];
};

struct stream {
	struct endpoint		 src;
	struct endpoint		 dst;
	uint64_t		 hash;
	uint32_t		 next_seq;	/* of the next byte in order */
	enum stream_state	 state;
	int			 fresh;		/* picked up mid-stream, nothing
						   framed or dropped yet */
	size_t			 skip;		/* of an oversize message */
	uint8_t			*buf;		/* bytes not framed yet */
	size_t			 len;
	size_t			 cap;
	int64_t			 buf_us;	/* latest arrival in buf */
	int64_t			 last_us;	/* latest segment */
	int64_t			 progress_us;	/* latest bytes in order */
	int			 strays;	/* out of the window in a row */
	struct queued		*queue;		/* by seq */
	size_t			 nqueued;
	struct stream		*hnext;
	TAILQ_ENTRY(stream)	 lru;		/* least recently active first */
};

TAILQ_HEAD(stream_list, stream);

struct tcpstream_table {
	struct tcpstream_limits	 lim;
	payload_sink		 sink;
	void			*sink_arg;
	struct stream		**buckets;
	size_t			 nbuckets;	/* a power of two */
	struct stream_list	 lru;
	size_t			 nqueued;	/* segments, all streams */
	struct tcpstream_stats	 st;
};

static void	stream_frame(struct tcpstream_table *, struct stream *,
		    int64_t);

struct tcpstream_table *
tcpstream_create(const struct tcpstream_limits *limits, payload_sink sink,
    void *arg)
{
	struct tcpstream_table	*t;

	t = xcalloc(1, sizeof *t);
	if (limits != NULL)
		t->lim = *limits;
	else {
		t->lim.max_streams = TCPSTREAM_MAX_STREAMS;
		t->lim.max_bytes = TCPSTREAM_MAX_BYTES;
		t->lim.max_message = TCPSTREAM_MAX_MESSAGE;
		t->lim.max_queued = TCPSTREAM_MAX_QUEUED;
		t->lim.gap_us = TCPSTREAM_GAP_US;
		t->lim.idle_us = TCPSTREAM_IDLE_US;
	}
	t->sink = sink;
	t->sink_arg = arg;
	t->nbuckets = 64;
	while (t->nbuckets < t->lim.max_streams && t->nbuckets < 65536)
		t->nbuckets *= 2;
	t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
	TAILQ_INIT(&t->lru);
	return (t);
}

/* Sequence numbers compare modulo 2^32 (RFC 793 3.3). */
static int32_t
seq_diff(uint32_t a, uint32_t b)
{
	return ((int32_t)(a - b));
}

/* Spoofed segments choose addresses and ports: a keyed hash (strmap.c). */
static uint64_t
stream_hash(const struct endpoint *src, const struct endpoint *dst)
{
	uint8_t		k[2 * sizeof src->ip.bytes + 1 + 4];
	size_t		n = 0;

	memcpy(k + n, src->ip.bytes, sizeof src->ip.bytes);
	n += sizeof src->ip.bytes;
	memcpy(k + n, dst->ip.bytes, sizeof dst->ip.bytes);
	n += sizeof dst->ip.bytes;
	k[n++] = src->ip.family;
	k[n++] = (uint8_t)(src->port >> 8);
	k[n++] = (uint8_t)src->port;
	k[n++] = (uint8_t)(dst->port >> 8);
	k[n++] = (uint8_t)dst->port;
	return (siphash_process(k, n));
}

static int
endpoint_equal(const struct endpoint *a, const struct endpoint *b)
{
	return (a->port == b->port && addr_equal(&a->ip, &b->ip));
}

static struct stream *
stream_lookup(struct tcpstream_table *t, const struct endpoint *src,
    const struct endpoint *dst)
{
	struct stream	*s;
	uint64_t	 h = stream_hash(src, dst);

	for (s = t->buckets[h & (t->nbuckets - 1)]; s != NULL; s = s->hnext) {
		if (s->hash == h && endpoint_equal(&s->src, src) &&
		    endpoint_equal(&s->dst, dst))
			return (s);
	}
	return (NULL);
}

static size_t
queued_bytes(const struct queued *q)
{
	return (sizeof *q + q->len);
}

/* Forget what the stream holds; the bytes never framed are counted. */
static void
stream_clear(struct tcpstream_table *t, struct stream *s)
{
	struct queued	*q;

	while ((q = s->queue) != NULL) {
		s->queue = q->next;
		t->st.discarded_bytes += q->len;
		t->st.buffered_bytes -= queued_bytes(q);
		free(q);
	}
	t->nqueued -= s->nqueued;
	s->nqueued = 0;
	t->st.discarded_bytes += s->len + s->skip;
	t->st.buffered_bytes -= s->cap;
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = s->skip = 0;
}

static void
stream_free(struct tcpstream_table *t, struct stream *s)
{
	struct stream	**pp;

	stream_clear(t, s);
	for (pp = &t->buckets[s->hash & (t->nbuckets - 1)]; *pp != s;
	    pp = &(*pp)->hnext)
		;
	*pp = s->hnext;
	TAILQ_REMOVE(&t->lru, s, lru);
	t->st.streams--;
	free(s);
}

/* Evict the least recently active streams, other than keep, for extra. */
static int
tcpstream_make_room(struct tcpstream_table *t, size_t extra,
    const struct stream *keep)
{
	struct stream	*s;

	while (t->st.buffered_bytes + extra > t->lim.max_bytes) {
		s = TAILQ_FIRST(&t->lru);
		if (s == keep)
			s = TAILQ_NEXT(s, lru);
		if (s == NULL)
			return (-1);
		stream_free(t, s);
		t->st.evicted++;
	}
	return (0);
}

static struct stream *
stream_new(struct tcpstream_table *t, const struct tcp_segment *seg)
{
	struct stream	*s;
	size_t		 slot;

	if (t->st.streams >= t->lim.max_streams) {
		stream_free(t, TAILQ_FIRST(&t->lru));
		t->st.evicted++;
	}
	s = xcalloc(1, sizeof *s);
	s->src = seg->src;
	s->dst = seg->dst;
	s->hash = stream_hash(&seg->src, &seg->dst);
	slot = s->hash & (t->nbuckets - 1);
	s->hnext = t->buckets[slot];
	t->buckets[slot] = s;
	TAILQ_INSERT_TAIL(&t->lru, s, lru);
	t->st.streams++;
	return (s);
}

static int
is_token_char(uint8_t c)
{
	/* RFC 3261 25.1 token. */
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-.!%*_+`'~", c) != NULL);
}

/* Whether p[0..n), one line with its LF, is a Request-Line or Status-Line. */
static int
is_start_line(const uint8_t *p, size_t n)
{
	size_t	i, uri;

	n--;					/* the LF */
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n >= 11 && memcmp(p, SIP_VERSION " ", 8) == 0) {
		for (i = 8; i < 11; i++) {
			if (p[i] < '0' || p[i] > '9')
				return (0);
		}
		return (n == 11 || p[11] == ' ');
	}
	for (i = 0; i < n && i <= METHOD_MAX && is_token_char(p[i]); i++)
		;
	if (i == 0 || i > METHOD_MAX || i >= n || p[i] != ' ')
		return (0);
	for (uri = ++i; i < n && p[i] > ' ' && p[i] != 0x7f; i++)
		;
	if (i == uri || i >= n || p[i] != ' ')
		return (0);
	i++;
	return (n - i == sizeof SIP_VERSION - 1 &&
	    memcmp(p + i, SIP_VERSION, n - i) == 0);
}

/*
 * Look for a start line at a line start of p[0..len). Returns 1 and its
 * offset in *at, or 0 and in *at the offset from which bytes are worth
 * keeping (a last line still too short to judge).
 */
static int
find_start_line(const uint8_t *p, size_t len, size_t *at)
{
	const uint8_t	*eol;
	size_t		 pos = 0;

	for (;;) {
		eol = memchr(p + pos, '\n', len - pos);
		if (eol == NULL) {
			*at = len - pos > START_LINE_MAX ? len : pos;
			return (0);
		}
		if (is_start_line(p + pos, (size_t)(eol - p) + 1 - pos)) {
			*at = pos;
			return (1);
		}
		pos = (size_t)(eol - p) + 1;
	}
}

/*
 * The Content-Length (or compact "l", RFC 3261 7.3.3, 20.14) of the header
 * block p[0..len) that starts with a start line: 0 when absent, -1 when
 * not a number.
 */
static long
content_length(const uint8_t *p, size_t len)
{
	const uint8_t	*line;

	/* The caller found the start line's LF. */
	line = (const uint8_t *)memchr(p, '\n', len) + 1;
	return (sipscan_headers_content_length((const char *)line,
	    (size_t)(p + len - line)));
}

static void
stream_emit(struct tcpstream_table *t, struct stream *s, const uint8_t *p,
    size_t len)
{
	struct payload	pl;

	memset(&pl, 0, sizeof pl);
	pl.ts_us = s->buf_us;
	pl.src = s->src;
	pl.dst = s->dst;
	pl.transport = DECODE_TCP;
	pl.data = p;
	pl.len = len;
	t->st.messages++;
	t->sink(&pl, t->sink_arg);
}

/*
 * Frame what the buffer holds into messages, starting at *off. Returns 1
 * to go on, 0 when more bytes are needed.
 */
static int
stream_frame_one(struct tcpstream_table *t, struct stream *s, size_t *off,
    int64_t ts_us)
{
	const uint8_t	*p = s->buf + *off, *eol;
	size_t		 len = s->len - *off, n, at, hlen;
	long		 clen;

	if (s->skip > 0) {
		n = s->skip < len ? s->skip : len;
		*off += n;
		s->skip -= n;
		t->st.discarded_bytes += n;
		return (n < len);
	}
	if (s->state == STREAM_HUNTING) {
		n = find_start_line(p, len, &at);
		/* A fresh pick-up keeps its bytes: earlier ones may come. */
		if (s->fresh && !n && len <= t->lim.max_message)
			return (0);
		if (at > 0)
			s->fresh = 0;
		*off += at;
		t->st.discarded_bytes += at;
		if (!n)
			return (0);
		s->state = STREAM_FRAMING;
		return (1);
	}
	/* RFC 5626 3.5.1: CRLF keep-alives between messages. */
	for (n = 0; n < len && (p[n] == '\r' || p[n] == '\n'); n++)
		;
	if (n > 0) {
		t->st.keepalives++;
		*off += n;
		return (n < len);
	}
	if ((eol = memchr(p, '\n', len)) == NULL) {
		if (len <= START_LINE_MAX)
			return (0);
		s->state = STREAM_HUNTING;
		return (1);
	}
	at = (size_t)(eol - p);
	if (!is_start_line(p, at + 1)) {
		s->state = STREAM_HUNTING;
		return (1);
	}
	if ((hlen = sipscan_headers_len((const char *)p, len)) == 0) {
		if (len <= t->lim.max_message)
			return (0);
		t->st.oversize++;
		s->state = STREAM_HUNTING;
		*off += at + 1;
		t->st.discarded_bytes += at + 1;
		return (1);
	}
	if ((clen = content_length(p, hlen)) < 0) {
		s->state = STREAM_HUNTING;
		*off += at + 1;
		t->st.discarded_bytes += at + 1;
		return (1);
	}
	n = hlen + (size_t)clen;
	if (n > t->lim.max_message) {
		t->st.oversize++;
		s->skip = n;
		s->fresh = 0;
		return (1);
	}
	if (len < n)
		return (0);
	stream_emit(t, s, p, n);
	s->fresh = 0;
	*off += n;
	/* What is left came with the segment just appended. */
	s->buf_us = ts_us;
	return (1);
}

static void
stream_frame(struct tcpstream_table *t, struct stream *s, int64_t ts_us)
{
	size_t	off = 0;

	while (off < s->len && stream_frame_one(t, s, &off, ts_us))
		;
	if (off > 0) {
		memmove(s->buf, s->buf + off, s->len - off);
		s->len -= off;
	}
	/* A partial message past the limit is no message we can frame. */
	if (s->len > t->lim.max_message) {
		s->fresh = 0;
		t->st.oversize++;
		t->st.discarded_bytes += s->len;
		s->len = 0;
		s->state = STREAM_HUNTING;
	}
}

/* Room for need bytes in the buffer; -1 if the bounds leave none. */
static int
stream_reserve(struct tcpstream_table *t, struct stream *s, size_t need)
{
	size_t	cap;

	if (need <= s->cap)
		return (0);
	cap = (need + BUF_STEP - 1) / BUF_STEP * BUF_STEP;
	if (tcpstream_make_room(t, cap - s->cap, s) == -1)
		return (-1);
	s->buf = xreallocarray(s->buf, 1, cap);
	t->st.buffered_bytes += cap - s->cap;
	s->cap = cap;
	return (0);
}

/* A stream between messages keeps no buffer. */
static void
stream_release(struct tcpstream_table *t, struct stream *s)
{
	if (s->len != 0)
		return;
	t->st.buffered_bytes -= s->cap;
	free(s->buf);
	s->buf = NULL;
	s->cap = 0;
	s->buf_us = 0;
}

/* Append in-order bytes and frame them; -1 if there is no room. */
static int
stream_append(struct tcpstream_table *t, struct stream *s, const uint8_t *p,
    size_t len, int64_t ts_us)
{
	if (stream_reserve(t, s, s->len + len) == -1)
		return (-1);
	memcpy(s->buf + s->len, p, len);
	s->len += len;
	s->next_seq += (uint32_t)len;
	if (ts_us > s->buf_us)
		s->buf_us = ts_us;
	if (ts_us > s->progress_us)
		s->progress_us = ts_us;
	stream_frame(t, s, ts_us);
	stream_release(t, s);
	return (0);
}

/*
 * Bytes starting at seq: trim what was seen, append the rest. Returns 1
 * when the stream ended (FIN in order, or no room), 0 otherwise.
 */
static int
stream_deliver(struct tcpstream_table *t, struct stream *s, uint32_t seq,
    const uint8_t *p, size_t len, int fin, int64_t ts_us)
{
	int32_t	d = seq_diff(s->next_seq, seq);

	if (d > 0) {
		if ((size_t)d >= len) {
			if (len > 0)
				t->st.retransmitted++;
			if (!fin || (size_t)d != len)
				return (0);
			stream_free(t, s);	/* the FIN is next in order */
			return (1);
		}
		t->st.overlaps++;
		p += d;
		len -= (size_t)d;
	}
	if (len > 0 && stream_append(t, s, p, len, ts_us) == -1) {
		stream_free(t, s);
		t->st.evicted++;
		return (1);
	}
	if (fin) {
		stream_free(t, s);
		return (1);
	}
	return (0);
}

/* Hand on queued segments that the stream has reached. */
static int
stream_drain(struct tcpstream_table *t, struct stream *s)
{
	struct queued	*q;
	int		 ended;

	while ((q = s->queue) != NULL &&
	    seq_diff(q->seq, s->next_seq) <= 0) {
		s->queue = q->next;
		s->nqueued--;
		t->nqueued--;
		t->st.buffered_bytes -= queued_bytes(q);
		ended = stream_deliver(t, s, q->seq, q->data, q->len, q->fin,
		    q->ts_us);
		free(q);
		if (ended)
			return (1);
	}
	return (0);
}

/* Give up the hole before the first queued segment: data was lost. */
static int
stream_gap(struct tcpstream_table *t, struct stream *s)
{
	t->st.gaps++;
	t->st.discarded_bytes += s->len + s->skip;
	s->len = 0;
	s->skip = 0;
	s->buf_us = 0;
	s->state = STREAM_HUNTING;
	s->fresh = 0;
	s->next_seq = s->queue->seq;
	return (stream_drain(t, s));
}

/* Hold a segment beyond a hole, in sequence order. */
static int
stream_enqueue(struct tcpstream_table *t, struct stream *s,
    const struct tcp_segment *seg, int64_t ts_us)
{
	struct queued	*q, **pp;

	for (pp = &s->queue; *pp != NULL && seq_diff((*pp)->seq, seg->seq) < 0;
	    pp = &(*pp)->next)
		;
	if (*pp != NULL && (*pp)->seq == seg->seq && (*pp)->len >= seg->len) {
		t->st.retransmitted++;
		return (0);
	}
	if (tcpstream_make_room(t, sizeof *q + seg->len, s) == -1) {
		stream_free(t, s);
		t->st.evicted++;
		return (1);
	}
	q = xmalloc(sizeof *q + seg->len);
	q->seq = seg->seq;
	q->len = seg->len;
	q->ts_us = ts_us;
	q->fin = (seg->flags & TCPSTREAM_FIN) != 0;
	memcpy(q->data, seg->data, seg->len);
	q->next = *pp;
	*pp = q;
	s->nqueued++;
	t->nqueued++;
	t->st.out_of_order++;
	t->st.buffered_bytes += queued_bytes(q);
	if (s->nqueued > t->lim.max_queued)
		return (stream_gap(t, s));
	return (0);
}

/*
 * A segment from before a fresh pick-up (the capture reordered the first
 * segments seen): its bytes go in front of what the stream holds. Returns
 * 1 when the segment was taken (or ended the stream).
 */
static int
stream_backfill(struct tcpstream_table *t, struct stream *s,
    const struct tcp_segment *seg, int64_t ts_us)
{
	uint32_t	origin = s->next_seq - (uint32_t)s->len;
	uint32_t	end = seg->seq + (uint32_t)seg->len;
	size_t		n;

	if (!s->fresh || seg->len == 0 || seq_diff(seg->seq, origin) >= 0 ||
	    seq_diff(end, origin) < 0)
		return (0);
	n = (size_t)seq_diff(origin, seg->seq);
	if (stream_reserve(t, s, s->len + n) == -1) {
		stream_free(t, s);
		t->st.evicted++;
		return (1);
	}
	memmove(s->buf + n, s->buf, s->len);
	memcpy(s->buf, seg->data, n);
	s->len += n;
	if (ts_us > s->buf_us)
		s->buf_us = ts_us;
	stream_frame(t, s, ts_us);
	stream_release(t, s);
	/* Past what the stream held: the rest goes on as usual. */
	if (seq_diff(end, s->next_seq) > 0)
		stream_deliver(t, s, seg->seq, seg->data, seg->len,
		    (seg->flags & TCPSTREAM_FIN) != 0, ts_us);
	return (1);
}

/*
 * Whether seg is a stray, far outside the window: dropped. Several in a
 * row mean another connection on the same addresses and ports (its SYN
 * not captured): the stream starts afresh, picked up at seg.
 */
static int
stream_stray(struct tcpstream_table *t, struct stream *s,
    const struct tcp_segment *seg)
{
	int32_t	d = seq_diff(seg->seq, s->next_seq);

	if (d <= TCPSTREAM_WINDOW && d >= -TCPSTREAM_WINDOW) {
		s->strays = 0;
		return (0);
	}
	t->st.out_of_window++;
	if (seg->len == 0 || ++s->strays < TCPSTREAM_STRAYS)
		return (1);
	stream_clear(t, s);
	s->state = STREAM_HUNTING;
	s->fresh = 1;
	s->strays = 0;
	s->next_seq = seg->seq;
	s->progress_us = 0;
	return (0);
}

void
tcpstream_input(struct tcpstream_table *t, const struct tcp_segment *seg,
    int64_t ts_us)
{
	struct stream	*s;

	t->st.segments++;
	s = stream_lookup(t, &seg->src, &seg->dst);
	if (seg->flags & TCPSTREAM_RST) {
		if (s != NULL)
			stream_free(t, s);
		if ((s = stream_lookup(t, &seg->dst, &seg->src)) != NULL)
			stream_free(t, s);
		return;
	}
	if (seg->flags & TCPSTREAM_SYN) {
		/* A new connection (or a reused 4-tuple): start afresh. */
		if (s == NULL)
			s = stream_new(t, seg);
		else if (s->next_seq == seg->seq + 1)
			return;			/* a retransmitted SYN */
		stream_clear(t, s);
		s->state = STREAM_FRAMING;
		s->next_seq = seg->seq + 1;
		s->last_us = ts_us;
		TAILQ_REMOVE(&t->lru, s, lru);
		TAILQ_INSERT_TAIL(&t->lru, s, lru);
		return;
	}
	if (s == NULL) {
		if (seg->len == 0)
			return;
		/* Mid-stream pick-up: find the next message start. */
		s = stream_new(t, seg);
		s->state = STREAM_HUNTING;
		s->fresh = 1;
		s->next_seq = seg->seq;
	}
	if (stream_stray(t, s, seg))
		return;
	if (ts_us > s->last_us)
		s->last_us = ts_us;
	TAILQ_REMOVE(&t->lru, s, lru);
	TAILQ_INSERT_TAIL(&t->lru, s, lru);
	if (seq_diff(seg->seq, s->next_seq) > 0) {
		if (seg->len > 0 || (seg->flags & TCPSTREAM_FIN))
			stream_enqueue(t, s, seg, ts_us);
		return;
	}
	if (stream_backfill(t, s, seg, ts_us))
		return;
	if (stream_deliver(t, s, seg->seq, seg->data, seg->len,
	    (seg->flags & TCPSTREAM_FIN) != 0, ts_us))
		return;
	stream_drain(t, s);
}

/*
 * Holes with no progress since before_us (the segment after the hole came
 * by then, and nothing in order since): the capture lost a segment that
 * will not come again. A segment that was held while bytes still came in
 * order lay after no hole (a corrupt sequence number): it is dropped, not
 * jumped to. A gap may evict other streams, so the scan starts over.
 */
static void
tcpstream_give_up(struct tcpstream_table *t, int64_t before_us)
{
	struct stream	*s;
	struct queued	*q;

again:
	if (t->nqueued == 0)
		return;
	TAILQ_FOREACH(s, &t->lru, lru) {
		if ((q = s->queue) == NULL || q->ts_us > before_us ||
		    s->progress_us > before_us)
			continue;
		if (q->ts_us < s->progress_us) {
			s->queue = q->next;
			s->nqueued--;
			t->nqueued--;
			t->st.out_of_window++;
			t->st.discarded_bytes += q->len;
			t->st.buffered_bytes -= queued_bytes(q);
			free(q);
		} else
			stream_gap(t, s);
		goto again;
	}
}

void
tcpstream_expire(struct tcpstream_table *t, int64_t now_us)
{
	struct stream	*s;

	while ((s = TAILQ_FIRST(&t->lru)) != NULL &&
	    now_us - s->last_us >= t->lim.idle_us) {
		stream_free(t, s);
		t->st.expired++;
	}
	tcpstream_give_up(t, now_us - t->lim.gap_us);
}

void
tcpstream_flush(struct tcpstream_table *t)
{
	tcpstream_give_up(t, INT64_MAX);
}

const struct tcpstream_stats *
tcpstream_get_stats(const struct tcpstream_table *t)
{
	return (&t->st);
}

void
tcpstream_free(struct tcpstream_table *t)
{
	struct stream	*s;

	if (t == NULL)
		return;
	while ((s = TAILQ_FIRST(&t->lru)) != NULL)
		stream_free(t, s);
	free(t->buckets);
	free(t);
}
