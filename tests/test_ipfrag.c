/* SPDX-License-Identifier: BSD-2-Clause */
/* test_ipfrag.c: unit tests of IPv4 and IPv6 fragment reassembly. */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/ipfrag.h"

#define T0		1795424400000000LL	/* 2026-11-23T09:00:00Z */
#define S		1000000LL
#define DGRAM_LEN	40

static uint8_t	dgram[DGRAM_LEN];		/* bytes 0, 1, 2, ... */

static int
setup(void **state)
{
	size_t	i;

	for (i = 0; i < sizeof dgram; i++)
		dgram[i] = (uint8_t)i;
	*state = ipfrag_create(NULL);
	return (0);
}

static int
teardown(void **state)
{
	ipfrag_free(*state);
	return (0);
}

/* A fragment of dgram from 192.0.2.1 to 10.0.0.10, or IPv6 2001:db8::1/::10. */
static struct ipfrag
frag(int v6, uint32_t id, uint8_t proto, uint32_t off, size_t len, int more)
{
	struct ipfrag	f;

	memset(&f, 0, sizeof f);
	assert_int_equal(addr_parse(v6 ? "2001:db8::1" : "192.0.2.1", &f.src),
	    0);
	assert_int_equal(addr_parse(v6 ? "2001:db8::10" : "10.0.0.10", &f.dst),
	    0);
	f.id = id;
	f.proto = proto;
	f.offset = off;
	f.more = more;
	f.data = dgram + off;
	f.len = len;
	return (f);
}

static int
input(struct ipfrag_table *t, struct ipfrag f, int64_t ts, struct ipfrag *out)
{
	return (ipfrag_input(t, &f, ts, out));
}

static void
ipv4_fragments_in_order_give_the_datagram(void **state)
{
	struct ipfrag_table		*t = *state;
	const struct ipfrag_stats	*st = ipfrag_get_stats(t);
	struct ipfrag			 out;
	struct addr			 src;

	assert_int_equal(input(t, frag(0, 7, 17, 0, 16, 1), T0, &out), 0);
	assert_int_equal(input(t, frag(0, 7, 17, 16, 16, 1), T0, &out), 0);
	assert_int_equal(st->pending, 1);
	assert_int_equal(input(t, frag(0, 7, 17, 32, 8, 0), T0 + 5, &out), 1);
	assert_int_equal(out.len, DGRAM_LEN);
	assert_memory_equal(out.data, dgram, DGRAM_LEN);
	assert_int_equal(out.proto, 17);
	assert_int_equal(out.id, 7);
	assert_int_equal(addr_parse("192.0.2.1", &src), 0);
	assert_true(addr_equal(&out.src, &src));
	assert_int_equal(st->fragments, 3);
	assert_int_equal(st->reassembled, 1);
	assert_int_equal(st->pending, 0);
	assert_int_equal(st->pending_bytes, 0);
}

static void
fragments_out_of_order_complete_on_the_last_to_arrive(void **state)
{
	struct ipfrag_table	*t = *state;
	struct ipfrag		 out;

	assert_int_equal(input(t, frag(0, 8, 17, 32, 8, 0), T0, &out), 0);
	assert_int_equal(input(t, frag(0, 8, 17, 0, 16, 1), T0, &out), 0);
	assert_int_equal(input(t, frag(0, 8, 17, 16, 16, 1), T0, &out), 1);
	assert_int_equal(out.len, DGRAM_LEN);
	assert_memory_equal(out.data, dgram, DGRAM_LEN);
}

static void
duplicate_fragment_is_counted_and_changes_nothing(void **state)
{
	struct ipfrag_table		*t = *state;
	const struct ipfrag_stats	*st = ipfrag_get_stats(t);
	struct ipfrag			 out;

	assert_int_equal(input(t, frag(0, 9, 17, 0, 24, 1), T0, &out), 0);
	assert_int_equal(input(t, frag(0, 9, 17, 0, 24, 1), T0, &out), 0);
	assert_int_equal(st->duplicates, 1);
	assert_int_equal(input(t, frag(0, 9, 17, 24, 16, 0), T0, &out), 1);
	assert_memory_equal(out.data, dgram, DGRAM_LEN);
	assert_int_equal(st->overlaps, 0);
}

static void
overlapping_fragment_keeps_the_first_copy_of_each_byte(void **state)
{
	struct ipfrag_table		*t = *state;
	const struct ipfrag_stats	*st = ipfrag_get_stats(t);
	struct ipfrag			 out, f;
	uint8_t				 other[DGRAM_LEN];
	uint8_t				 want[DGRAM_LEN];

	memset(other, 0xee, sizeof other);
	assert_int_equal(input(t, frag(0, 10, 17, 0, 16, 1), T0, &out), 0);
	/* Bytes 8..23 again, different: 8..15 keep the first copy. */
	f = frag(0, 10, 17, 8, 16, 1);
	f.data = other;
	assert_int_equal(ipfrag_input(t, &f, T0, &out), 0);
	assert_int_equal(st->overlaps, 1);
	assert_int_equal(input(t, frag(0, 10, 17, 24, 16, 0), T0, &out), 1);
	memcpy(want, dgram, sizeof want);
	memset(want + 16, 0xee, 8);
	assert_memory_equal(out.data, want, DGRAM_LEN);
}

static void
datagram_times_out_on_packet_time_in_expire(void **state)
{
	struct ipfrag_table		*t = *state;
	const struct ipfrag_stats	*st = ipfrag_get_stats(t);
	struct ipfrag			 out;

	assert_int_equal(input(t, frag(0, 11, 17, 0, 32, 1), T0, &out), 0);
	ipfrag_expire(t, T0 + IPFRAG_TIMEOUT_US - 1);
	assert_int_equal(st->pending, 1);
	ipfrag_expire(t, T0 + IPFRAG_TIMEOUT_US);
	assert_int_equal(st->pending, 0);
	assert_int_equal(st->timeouts, 1);
	/* The rest, late: a new datagram that never completes. */
	assert_int_equal(input(t, frag(0, 11, 17, 32, 8, 0), T0 + 31 * S,
	    &out), 0);
	assert_int_equal(st->reassembled, 0);
	assert_int_equal(st->pending, 1);
}

static void
stale_datagram_is_replaced_when_its_id_comes_again(void **state)
{
	struct ipfrag_table		*t = *state;
	const struct ipfrag_stats	*st = ipfrag_get_stats(t);
	struct ipfrag			 out;

	/* No expire call in between: the input itself sees the age. */
	assert_int_equal(input(t, frag(0, 12, 17, 0, 16, 1), T0, &out), 0);
	assert_int_equal(input(t, frag(0, 12, 17, 16, 24, 0), T0 + 30 * S,
	    &out), 0);
	assert_int_equal(st->timeouts, 1);
	assert_int_equal(input(t, frag(0, 12, 17, 0, 16, 1), T0 + 30 * S,
	    &out), 1);
	assert_memory_equal(out.data, dgram, DGRAM_LEN);
}

static void
too_many_datagrams_evict_the_oldest(void **state)
{
	struct ipfrag_limits		 lim = { 2, IPFRAG_MAX_BYTES,
					     IPFRAG_TIMEOUT_US };
	struct ipfrag_table		*t = ipfrag_create(&lim);
	const struct ipfrag_stats	*st = ipfrag_get_stats(t);
	struct ipfrag			 out;

	(void)state;
	assert_int_equal(input(t, frag(0, 1, 17, 0, 16, 1), T0, &out), 0);
	assert_int_equal(input(t, frag(0, 2, 17, 0, 16, 1), T0 + 1, &out), 0);
	assert_int_equal(input(t, frag(0, 3, 17, 0, 16, 1), T0 + 2, &out), 0);
	assert_int_equal(st->evicted, 1);
	assert_int_equal(st->pending, 2);
	/* Datagram 1 went: its last fragment starts a new one. */
	assert_int_equal(input(t, frag(0, 1, 17, 16, 24, 0), T0 + 3, &out), 0);
	assert_int_equal(st->evicted, 2);
	assert_int_equal(input(t, frag(0, 3, 17, 16, 24, 0), T0 + 4, &out), 1);
	assert_int_equal(st->reassembled, 1);
	ipfrag_free(t);
}

static void
byte_bound_evicts_the_oldest_datagram(void **state)
{
	struct ipfrag_limits		 lim = { 100, 8000,
					     IPFRAG_TIMEOUT_US };
	struct ipfrag_table		*t = ipfrag_create(&lim);
	const struct ipfrag_stats	*st = ipfrag_get_stats(t);
	struct ipfrag			 out;

	(void)state;
	/* Each datagram holds its bitmap and a 2 KiB buffer step. */
	assert_int_equal(input(t, frag(0, 1, 17, 0, 16, 1), T0, &out), 0);
	assert_int_equal(input(t, frag(0, 2, 17, 0, 16, 1), T0, &out), 0);
	assert_int_equal(input(t, frag(0, 3, 17, 0, 16, 1), T0, &out), 0);
	assert_true(st->evicted >= 1);
	assert_true(st->pending_bytes <= 8000);
	assert_int_equal(input(t, frag(0, 3, 17, 16, 24, 0), T0, &out), 1);
	ipfrag_free(t);
}

static void
malformed_fragments_are_counted_as_bad(void **state)
{
	struct ipfrag_table		*t = *state;
	const struct ipfrag_stats	*st = ipfrag_get_stats(t);
	struct ipfrag			 out, f;

	/* Not the last, yet not a multiple of 8 bytes. */
	assert_int_equal(input(t, frag(0, 20, 17, 0, 12, 1), T0, &out), 0);
	/* Empty. */
	assert_int_equal(input(t, frag(0, 20, 17, 0, 0, 1), T0, &out), 0);
	/* Past 65535 bytes. */
	f = frag(0, 20, 17, 0, 8, 0);
	f.offset = 65528;
	f.len = 16;
	f.data = dgram;
	assert_int_equal(ipfrag_input(t, &f, T0, &out), 0);
	assert_int_equal(st->bad, 3);
	assert_int_equal(st->pending, 0);

	/* A second last fragment with another end. */
	assert_int_equal(input(t, frag(0, 21, 17, 32, 8, 0), T0, &out), 0);
	assert_int_equal(input(t, frag(0, 21, 17, 16, 8, 0), T0, &out), 0);
	/* Data past the known end. */
	assert_int_equal(input(t, frag(0, 21, 17, 32, 16, 1), T0, &out), 0);
	assert_int_equal(st->bad, 5);
	assert_int_equal(input(t, frag(0, 21, 17, 0, 32, 1), T0, &out), 1);
	assert_memory_equal(out.data, dgram, DGRAM_LEN);
}

static void
ipv6_takes_the_next_header_of_the_first_fragment(void **state)
{
	struct ipfrag_table	*t = *state;
	struct ipfrag		 out;

	/* RFC 8200 4.5: the key has no protocol; offset 0 names it. */
	assert_int_equal(input(t, frag(1, 70000, 44, 24, 16, 0), T0, &out), 0);
	assert_int_equal(input(t, frag(1, 70000, 17, 0, 24, 1), T0, &out), 1);
	assert_int_equal(out.proto, 17);
	assert_int_equal(out.src.family, AF_INET6);
	assert_int_equal(out.id, 70000);
	assert_memory_equal(out.data, dgram, DGRAM_LEN);
}

static void
ipv4_keys_on_protocol_and_addresses_too(void **state)
{
	struct ipfrag_table		*t = *state;
	const struct ipfrag_stats	*st = ipfrag_get_stats(t);
	struct ipfrag			 out, f;

	assert_int_equal(input(t, frag(0, 30, 17, 0, 32, 1), T0, &out), 0);
	assert_int_equal(input(t, frag(0, 30, 6, 32, 8, 0), T0, &out), 0);
	f = frag(0, 30, 17, 32, 8, 0);
	assert_int_equal(addr_parse("192.0.2.2", &f.src), 0);
	assert_int_equal(ipfrag_input(t, &f, T0, &out), 0);
	assert_int_equal(input(t, frag(1, 30, 17, 32, 8, 0), T0, &out), 0);
	assert_int_equal(st->pending, 4);
	assert_int_equal(input(t, frag(0, 30, 17, 32, 8, 0), T0, &out), 1);
	assert_int_equal(out.proto, 17);
	assert_int_equal(st->pending, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(ipv4_fragments_in_order_give_the_datagram),
		T(fragments_out_of_order_complete_on_the_last_to_arrive),
		T(duplicate_fragment_is_counted_and_changes_nothing),
		T(overlapping_fragment_keeps_the_first_copy_of_each_byte),
		T(datagram_times_out_on_packet_time_in_expire),
		T(stale_datagram_is_replaced_when_its_id_comes_again),
		T(too_many_datagrams_evict_the_oldest),
		T(byte_bound_evicts_the_oldest_datagram),
		T(malformed_fragments_are_counted_as_bad),
		T(ipv6_takes_the_next_header_of_the_first_fragment),
		T(ipv4_keys_on_protocol_and_addresses_too),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
