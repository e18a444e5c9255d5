/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tcpstream.c: unit tests of TCP reassembly and SIP framing. */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/tcpstream.h"

#define T0		1795424400000000LL	/* 2026-11-23T09:00:00Z */
#define MS		1000LL
#define S		1000000LL
#define SINK_MAX	16
#define MSG_MAX		2048
#define ISN		1000u

#define INVITE								\
	"INVITE sip:5100@10.0.0.10 SIP/2.0\r\n"				\
	"Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK1\r\n"		\
	"Call-ID: a@192.0.2.1\r\n"					\
	"CSeq: 1 INVITE\r\n"						\
	"Content-Length: 5\r\n"						\
	"\r\n"								\
	"v=0\r\n"
#define TRYING								\
	"SIP/2.0 100 Trying\r\n"					\
	"Call-ID: a@192.0.2.1\r\n"					\
	"CSeq: 1 INVITE\r\n"						\
	"l: 0\r\n"							\
	"\r\n"
#define BYE								\
	"BYE sip:5100@10.0.0.10 SIP/2.0\r\n"				\
	"Call-ID: a@192.0.2.1\r\n"					\
	"CSeq: 2 BYE\r\n"						\
	"Content-Length:   0  \r\n"					\
	"\r\n"

struct message {
	int64_t	ts_us;
	char	text[MSG_MAX];
	size_t	len;
	int	transport;
	char	src[ADDR_STRLEN];
	uint16_t sport;
};

struct fixture {
	struct tcpstream_table	*t;
	size_t			 n;
	struct message		 msgs[SINK_MAX];
};

static void
collect(const struct payload *pl, void *arg)
{
	struct fixture	*fx = arg;
	struct message	*m;

	assert_true(fx->n < SINK_MAX);
	assert_true(pl->len < MSG_MAX);
	m = &fx->msgs[fx->n++];
	m->ts_us = pl->ts_us;
	memcpy(m->text, pl->data, pl->len);
	m->text[pl->len] = '\0';
	m->len = pl->len;
	m->transport = pl->transport;
	addr_format(&pl->src.ip, m->src, sizeof m->src);
	m->sport = pl->src.port;
}

static struct fixture *
fixture_new(const struct tcpstream_limits *lim)
{
	struct fixture	*fx;

	fx = calloc(1, sizeof *fx);
	assert_non_null(fx);
	fx->t = tcpstream_create(lim, collect, fx);
	return (fx);
}

static int
setup(void **state)
{
	*state = fixture_new(NULL);
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	tcpstream_free(fx->t);
	free(fx);
	return (0);
}

/* A segment of len bytes of text from 192.0.2.<host>:port to 10.0.0.10:5060. */
static void
send_seg(struct fixture *fx, int host, uint16_t port, uint32_t seq,
    uint8_t flags, const char *text, size_t len, int64_t ts)
{
	struct tcp_segment	seg;
	char			src[32];

	memset(&seg, 0, sizeof seg);
	snprintf(src, sizeof src, "192.0.2.%d", host);
	assert_int_equal(addr_parse(src, &seg.src.ip), 0);
	seg.src.port = port;
	assert_int_equal(addr_parse("10.0.0.10", &seg.dst.ip), 0);
	seg.dst.port = 5060;
	seg.seq = seq;
	seg.flags = flags;
	seg.data = (const uint8_t *)text;
	seg.len = len;
	tcpstream_input(fx->t, &seg, ts);
}

/* The client's segment at stream offset off (ISN + 1 + off). */
static void
data(struct fixture *fx, size_t off, const char *text, size_t len,
    int64_t ts)
{
	send_seg(fx, 1, 40000, ISN + 1 + (uint32_t)off, 0, text, len, ts);
}

static void
syn(struct fixture *fx, int64_t ts)
{
	send_seg(fx, 1, 40000, ISN, TCPSTREAM_SYN, NULL, 0, ts);
}

static const struct tcpstream_stats *
stats(struct fixture *fx)
{
	return (tcpstream_get_stats(fx->t));
}

static void
one_message_in_one_segment_after_syn(void **state)
{
	struct fixture	*fx = *state;

	syn(fx, T0);
	data(fx, 0, INVITE, strlen(INVITE), T0 + 1 * MS);
	assert_int_equal(fx->n, 1);
	assert_string_equal(fx->msgs[0].text, INVITE);
	assert_int_equal(fx->msgs[0].ts_us, T0 + 1 * MS);
	assert_int_equal(fx->msgs[0].transport, DECODE_TCP);
	assert_string_equal(fx->msgs[0].src, "192.0.2.1");
	assert_int_equal(fx->msgs[0].sport, 40000);
	assert_int_equal(stats(fx)->messages, 1);
	assert_int_equal(stats(fx)->streams, 1);
	assert_int_equal(stats(fx)->buffered_bytes, 0);
}

static void
several_messages_in_one_segment_are_split(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE TRYING BYE;

	syn(fx, T0);
	data(fx, 0, text, strlen(text), T0 + 2 * MS);
	assert_int_equal(fx->n, 3);
	assert_string_equal(fx->msgs[0].text, INVITE);
	assert_string_equal(fx->msgs[1].text, TRYING);	/* compact l: */
	assert_string_equal(fx->msgs[2].text, BYE);
	assert_int_equal(fx->msgs[2].ts_us, T0 + 2 * MS);
}

static void
message_over_segments_takes_the_time_of_the_last(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE;
	size_t		 len = strlen(text);

	syn(fx, T0);
	data(fx, 0, text, 10, T0 + 1 * MS);
	data(fx, 10, text + 10, len - 12, T0 + 2 * MS);
	assert_int_equal(fx->n, 0);			/* body incomplete */
	data(fx, len - 2, text + len - 2, 2, T0 + 3 * MS);
	assert_int_equal(fx->n, 1);
	assert_string_equal(fx->msgs[0].text, INVITE);
	assert_int_equal(fx->msgs[0].ts_us, T0 + 3 * MS);
}

static void
segment_ending_one_message_and_starting_the_next(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE BYE;
	size_t		 cut = strlen(INVITE) + 7;

	syn(fx, T0);
	data(fx, 0, text, 20, T0 + 1 * MS);
	data(fx, 20, text + 20, cut - 20, T0 + 2 * MS);
	assert_int_equal(fx->n, 1);
	assert_int_equal(fx->msgs[0].ts_us, T0 + 2 * MS);
	data(fx, cut, text + cut, strlen(text) - cut, T0 + 3 * MS);
	assert_int_equal(fx->n, 2);
	assert_string_equal(fx->msgs[1].text, BYE);
	assert_int_equal(fx->msgs[1].ts_us, T0 + 3 * MS);
}

static void
crlf_keepalives_between_messages_are_skipped(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = "\r\n\r\n" INVITE "\r\n" BYE;

	syn(fx, T0);
	data(fx, 0, text, strlen(text), T0);
	assert_int_equal(fx->n, 2);
	assert_string_equal(fx->msgs[0].text, INVITE);
	assert_string_equal(fx->msgs[1].text, BYE);
	assert_int_equal(stats(fx)->keepalives, 2);
	assert_int_equal(stats(fx)->discarded_bytes, 0);
}

static void
mid_stream_pickup_resynchronises_at_a_start_line(void **state)
{
	struct fixture	*fx = *state;
	/* The tail of a body, then a whole message: no SYN seen. */
	const char	*text = "a=sendrecv\r\n" BYE;

	send_seg(fx, 1, 40000, 777777, 0, text, strlen(text), T0);
	assert_int_equal(fx->n, 1);
	assert_string_equal(fx->msgs[0].text, BYE);
	assert_int_equal(stats(fx)->discarded_bytes, 12);
	send_seg(fx, 1, 40000, 777777 + (uint32_t)strlen(text), 0, INVITE,
	    strlen(INVITE), T0 + 1 * MS);
	assert_int_equal(fx->n, 2);
	assert_string_equal(fx->msgs[1].text, INVITE);
}

static void
mid_stream_pickup_waits_for_a_line_to_judge(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE;

	/* "INVI": too short to tell; the rest makes it a request. */
	send_seg(fx, 1, 40000, 5000, 0, text, 4, T0);
	assert_int_equal(fx->n, 0);
	send_seg(fx, 1, 40000, 5004, 0, text + 4, strlen(text) - 4, T0 + 1);
	assert_int_equal(fx->n, 1);
	assert_string_equal(fx->msgs[0].text, INVITE);
	assert_int_equal(stats(fx)->discarded_bytes, 0);
}

static void
pickup_takes_an_earlier_segment_that_came_late(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE;
	size_t		 len = strlen(text);

	/* The capture starts with the second half of the first message. */
	send_seg(fx, 1, 40000, 9040, 0, text + 40, len - 40, T0);
	assert_int_equal(fx->n, 0);
	send_seg(fx, 1, 40000, 9000, 0, text, 40, T0 + 1);
	assert_int_equal(fx->n, 1);
	assert_string_equal(fx->msgs[0].text, INVITE);
	assert_int_equal(fx->msgs[0].ts_us, T0 + 1);
	assert_int_equal(stats(fx)->discarded_bytes, 0);
}

static void
retransmitted_and_overlapping_segments_are_trimmed(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE BYE;
	size_t		 a = strlen(INVITE);

	syn(fx, T0);
	data(fx, 0, text, 30, T0);
	data(fx, 0, text, 30, T0 + 1);			/* again */
	data(fx, 10, text + 10, a - 10, T0 + 2);	/* overlaps 20 */
	assert_int_equal(fx->n, 1);
	data(fx, 0, text, a, T0 + 3);			/* all seen */
	data(fx, a, text + a, strlen(BYE), T0 + 4);
	assert_int_equal(fx->n, 2);
	assert_string_equal(fx->msgs[0].text, INVITE);
	assert_string_equal(fx->msgs[1].text, BYE);
	assert_int_equal(stats(fx)->retransmitted, 2);
	assert_int_equal(stats(fx)->overlaps, 1);
}

static void
out_of_order_segments_wait_for_the_hole(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE BYE;
	size_t		 a = strlen(INVITE), len = strlen(text);

	syn(fx, T0);
	data(fx, a, text + a, len - a, T0 + 1 * MS);	/* the BYE first */
	data(fx, 30, text + 30, a - 30, T0 + 2 * MS);
	assert_int_equal(fx->n, 0);
	assert_int_equal(stats(fx)->out_of_order, 2);
	assert_true(stats(fx)->buffered_bytes > 0);
	data(fx, 0, text, 30, T0 + 3 * MS);		/* fills the hole */
	assert_int_equal(fx->n, 2);
	assert_string_equal(fx->msgs[0].text, INVITE);
	assert_int_equal(fx->msgs[0].ts_us, T0 + 3 * MS);
	/* The BYE was whole on arrival: its own segment's time. */
	assert_string_equal(fx->msgs[1].text, BYE);
	assert_int_equal(fx->msgs[1].ts_us, T0 + 1 * MS);
	assert_int_equal(stats(fx)->buffered_bytes, 0);
}

static void
hole_given_up_after_gap_time_resynchronises(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE BYE;
	size_t		 a = strlen(INVITE), len = strlen(text);

	syn(fx, T0);
	data(fx, 0, text, 30, T0);
	/* Bytes 30..a never come; the BYE after them does. */
	data(fx, a, text + a, len - a, T0 + 1 * MS);
	tcpstream_expire(fx->t, T0 + 1 * MS + TCPSTREAM_GAP_US - 1);
	assert_int_equal(fx->n, 0);
	tcpstream_expire(fx->t, T0 + 1 * MS + TCPSTREAM_GAP_US);
	assert_int_equal(fx->n, 1);
	assert_string_equal(fx->msgs[0].text, BYE);
	assert_int_equal(fx->msgs[0].ts_us, T0 + 1 * MS);
	assert_int_equal(stats(fx)->gaps, 1);
	assert_int_equal(stats(fx)->discarded_bytes, 30);
	/* In sync again. */
	data(fx, len, INVITE, a, T0 + 3 * S);
	assert_int_equal(fx->n, 2);
}

static void
too_many_segments_after_a_hole_give_it_up(void **state)
{
	struct tcpstream_limits	 lim = { 16, 1 << 20, 4096, 2, 60 * S,
				     300 * S };
	struct fixture		*fx = fixture_new(&lim);
	const char		*text = INVITE TRYING BYE;
	size_t			 a = strlen(INVITE), b = strlen(TRYING);

	(void)state;
	syn(fx, T0);
	data(fx, a, text + a, 10, T0 + 1);		/* hole 0..a */
	data(fx, a + 10, text + a + 10, b - 10, T0 + 2);
	assert_int_equal(fx->n, 0);
	data(fx, a + b, BYE, strlen(BYE), T0 + 3);	/* third: give up */
	assert_int_equal(stats(fx)->gaps, 1);
	assert_int_equal(fx->n, 2);
	assert_string_equal(fx->msgs[0].text, TRYING);
	assert_string_equal(fx->msgs[1].text, BYE);
	tcpstream_free(fx->t);
	free(fx);
}

static void
garbage_between_messages_is_skipped_to_the_next_start_line(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE "GARBAGE not sip\r\nmore\r\n" BYE;

	syn(fx, T0);
	data(fx, 0, text, strlen(text), T0);
	assert_int_equal(fx->n, 2);
	assert_string_equal(fx->msgs[1].text, BYE);
	assert_int_equal(stats(fx)->discarded_bytes, 23);
}

static void
message_without_content_length_ends_at_the_empty_line(void **state)
{
	struct fixture	*fx = *state;
	const char	*text =
	    "ACK sip:a@b SIP/2.0\r\nCSeq: 1 ACK\r\n\r\n" BYE;

	syn(fx, T0);
	data(fx, 0, text, strlen(text), T0);
	assert_int_equal(fx->n, 2);
	assert_string_equal(fx->msgs[0].text,
	    "ACK sip:a@b SIP/2.0\r\nCSeq: 1 ACK\r\n\r\n");
}

static void
oversize_message_is_skipped_by_its_length(void **state)
{
	struct tcpstream_limits	 lim = { 16, 1 << 20, 200, 32, 2 * S,
				     300 * S };
	struct fixture		*fx = fixture_new(&lim);
	char			 big[600];
	int			 n;

	(void)state;
	n = snprintf(big, sizeof big, "MESSAGE sip:a@b SIP/2.0\r\n"
	    "Content-Length: 300\r\n\r\n");
	memset(big + n, 'x', 300);
	syn(fx, T0);
	data(fx, 0, big, (size_t)n, T0);
	data(fx, (size_t)n, big + n, 300, T0 + 1);
	data(fx, (size_t)n + 300, BYE, strlen(BYE), T0 + 2);
	assert_int_equal(fx->n, 1);
	assert_string_equal(fx->msgs[0].text, BYE);
	assert_int_equal(stats(fx)->oversize, 1);
	tcpstream_free(fx->t);
	free(fx);
}

static void
fin_ends_the_stream_and_rst_both_directions(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE;

	syn(fx, T0);
	data(fx, 0, text, 20, T0);
	send_seg(fx, 1, 40000, ISN + 21, TCPSTREAM_FIN, text + 20,
	    strlen(text) - 20, T0 + 1);
	assert_int_equal(fx->n, 1);
	assert_int_equal(stats(fx)->streams, 0);

	/* Two directions up; an RST from either ends both. */
	send_seg(fx, 2, 40001, 50, 0, BYE, strlen(BYE), T0 + 2);
	{
		struct tcp_segment	seg;

		memset(&seg, 0, sizeof seg);
		assert_int_equal(addr_parse("10.0.0.10", &seg.src.ip), 0);
		seg.src.port = 5060;
		assert_int_equal(addr_parse("192.0.2.2", &seg.dst.ip), 0);
		seg.dst.port = 40001;
		seg.seq = 9;
		seg.data = (const uint8_t *)TRYING;
		seg.len = strlen(TRYING);
		tcpstream_input(fx->t, &seg, T0 + 3);
		assert_int_equal(stats(fx)->streams, 2);
		seg.flags = TCPSTREAM_RST;
		seg.len = 0;
		tcpstream_input(fx->t, &seg, T0 + 4);
	}
	assert_int_equal(stats(fx)->streams, 0);
	assert_int_equal(fx->n, 3);
}

static void
partial_message_left_at_fin_is_counted(void **state)
{
	struct fixture	*fx = *state;

	syn(fx, T0);
	send_seg(fx, 1, 40000, ISN + 1, TCPSTREAM_FIN, INVITE, 20, T0);
	assert_int_equal(fx->n, 0);
	assert_int_equal(stats(fx)->discarded_bytes, 20);
	assert_int_equal(stats(fx)->buffered_bytes, 0);
}

static void
stream_bound_evicts_the_least_recently_active(void **state)
{
	struct tcpstream_limits	 lim = { 2, 1 << 20, 4096, 32, 2 * S,
				     300 * S };
	struct fixture		*fx = fixture_new(&lim);
	const char		*text = INVITE;

	(void)state;
	send_seg(fx, 1, 40000, 100, 0, text, 20, T0);
	send_seg(fx, 2, 40000, 100, 0, BYE, strlen(BYE), T0 + 1);
	send_seg(fx, 1, 40000, 120, 0, text + 20, 5, T0 + 2);
	send_seg(fx, 3, 40000, 100, 0, BYE, strlen(BYE), T0 + 3);
	assert_int_equal(stats(fx)->evicted, 1);
	assert_int_equal(stats(fx)->streams, 2);
	/* Host 2's stream went, host 1's partial INVITE stayed. */
	send_seg(fx, 1, 40000, 125, 0, text + 25, strlen(text) - 25, T0 + 4);
	assert_int_equal(fx->n, 3);
	assert_string_equal(fx->msgs[2].text, INVITE);
	tcpstream_free(fx->t);
	free(fx);
}

static void
byte_bound_evicts_other_streams(void **state)
{
	struct tcpstream_limits	 lim = { 16, 6000, 4096, 32, 2 * S,
				     300 * S };
	struct fixture		*fx = fixture_new(&lim);

	(void)state;
	/* Each partial message holds a 4 KiB buffer step. */
	send_seg(fx, 1, 40000, 100, 0, INVITE, 20, T0);
	send_seg(fx, 2, 40000, 100, 0, INVITE, 20, T0 + 1);
	assert_int_equal(stats(fx)->evicted, 1);
	assert_int_equal(stats(fx)->streams, 1);
	assert_true(stats(fx)->buffered_bytes <= 6000);
	tcpstream_free(fx->t);
	free(fx);
}

static void
idle_streams_expire_on_packet_time(void **state)
{
	struct fixture	*fx = *state;

	syn(fx, T0);
	data(fx, 0, INVITE, 20, T0);
	tcpstream_expire(fx->t, T0 + TCPSTREAM_IDLE_US - 1);
	assert_int_equal(stats(fx)->streams, 1);
	tcpstream_expire(fx->t, T0 + TCPSTREAM_IDLE_US);
	assert_int_equal(stats(fx)->streams, 0);
	assert_int_equal(stats(fx)->expired, 1);
	assert_int_equal(stats(fx)->discarded_bytes, 20);
}

static void
sequence_numbers_wrap_around(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE;

	send_seg(fx, 1, 40000, 0xfffffff0u, TCPSTREAM_SYN, NULL, 0, T0);
	send_seg(fx, 1, 40000, 0xfffffff1u + 20, 0, text + 20,
	    strlen(text) - 20, T0 + 1);
	send_seg(fx, 1, 40000, 0xfffffff1u, 0, text, 20, T0 + 2);
	assert_int_equal(fx->n, 1);
	assert_string_equal(fx->msgs[0].text, INVITE);
}

static void
stray_segments_are_dropped_and_a_run_of_them_restart_it(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE;
	uint32_t	 far = ISN + 1 + (1u << 30);

	syn(fx, T0);
	data(fx, 0, text, 20, T0);
	/* A corrupt sequence number: dropped, the stream goes on. */
	send_seg(fx, 1, 40000, far, 0, BYE, strlen(BYE), T0 + 1);
	data(fx, 20, text + 20, strlen(text) - 20, T0 + 2);
	assert_int_equal(fx->n, 1);
	assert_int_equal(stats(fx)->out_of_window, 1);
	assert_int_equal(stats(fx)->out_of_order, 0);

	/* Another connection on the same ports, its SYN missed. */
	send_seg(fx, 1, 40000, far, 0, BYE, strlen(BYE), T0 + 3);
	send_seg(fx, 1, 40000, far, 0, BYE, strlen(BYE), T0 + 4);
	assert_int_equal(fx->n, 1);
	send_seg(fx, 1, 40000, far, 0, BYE, strlen(BYE), T0 + 5);
	assert_int_equal(fx->n, 2);
	assert_string_equal(fx->msgs[1].text, BYE);
	assert_int_equal(stats(fx)->out_of_window, 4);
}

static void
segment_ahead_is_no_hole_while_bytes_come_in_order(void **state)
{
	struct fixture	*fx = *state;
	const char	*text = INVITE BYE;
	size_t		 a = strlen(INVITE);

	syn(fx, T0);
	/* A copy of the BYE, queued long before the INVITE's bytes come. */
	data(fx, a, text + a, strlen(BYE), T0);
	data(fx, 0, text, 10, T0 + 1 * S);
	tcpstream_expire(fx->t, T0 + 1 * S + TCPSTREAM_GAP_US - 1);
	assert_int_equal(stats(fx)->gaps, 0);
	data(fx, 10, text + 10, a - 10, T0 + 3 * S);
	assert_int_equal(fx->n, 2);
	assert_int_equal(stats(fx)->gaps, 0);
}

static void
flush_hands_on_what_follows_a_hole(void **state)
{
	struct fixture	*fx = *state;
	size_t		 a = strlen(INVITE);

	syn(fx, T0);
	data(fx, a, BYE, strlen(BYE), T0 + 1);
	assert_int_equal(fx->n, 0);
	tcpstream_flush(fx->t);
	assert_int_equal(fx->n, 1);
	assert_string_equal(fx->msgs[0].text, BYE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(one_message_in_one_segment_after_syn),
		T(several_messages_in_one_segment_are_split),
		T(message_over_segments_takes_the_time_of_the_last),
		T(segment_ending_one_message_and_starting_the_next),
		T(crlf_keepalives_between_messages_are_skipped),
		T(mid_stream_pickup_resynchronises_at_a_start_line),
		T(mid_stream_pickup_waits_for_a_line_to_judge),
		T(pickup_takes_an_earlier_segment_that_came_late),
		T(retransmitted_and_overlapping_segments_are_trimmed),
		T(out_of_order_segments_wait_for_the_hole),
		T(hole_given_up_after_gap_time_resynchronises),
		T(too_many_segments_after_a_hole_give_it_up),
		T(garbage_between_messages_is_skipped_to_the_next_start_line),
		T(message_without_content_length_ends_at_the_empty_line),
		T(oversize_message_is_skipped_by_its_length),
		T(fin_ends_the_stream_and_rst_both_directions),
		T(partial_message_left_at_fin_is_counted),
		T(stream_bound_evicts_the_least_recently_active),
		T(byte_bound_evicts_other_streams),
		T(idle_streams_expire_on_packet_time),
		T(sequence_numbers_wrap_around),
		T(stray_segments_are_dropped_and_a_run_of_them_restart_it),
		T(segment_ahead_is_no_hole_while_bytes_come_in_order),
		T(flush_hands_on_what_follows_a_hole),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
