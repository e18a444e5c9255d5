/* SPDX-License-Identifier: BSD-2-Clause */
/* test_hep.c: unit tests of HEPv3 decoding, alone and inside a capture. */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <pcap/dlt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/decode.h"
#include "ccmetrics/hep.h"

#define SIP	"BYE sip:5100@10.0.0.10 SIP/2.0\r\nCall-ID: a\r\n\r\n"
#define SEC	1795424400u		/* 2026-11-23T09:00:00Z */
#define USEC	123456u
#define BUF_MAX	1024

/* A HEPv3 packet under construction. */
struct hep {
	uint8_t	b[BUF_MAX];
	size_t	len;
};

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static void
chunk(struct hep *h, unsigned vendor, unsigned type, const void *v, size_t n)
{
	assert_true(h->len + 6 + n <= BUF_MAX);
	put16(h->b + h->len, vendor);
	put16(h->b + h->len + 2, type);
	put16(h->b + h->len + 4, (unsigned)(6 + n));
	memcpy(h->b + h->len + 6, v, n);
	h->len += 6 + n;
	put16(h->b + 4, (unsigned)h->len);	/* total length */
}

static void
chunk8(struct hep *h, unsigned type, uint8_t v)
{
	chunk(h, 0, type, &v, 1);
}

static void
chunk16(struct hep *h, unsigned type, unsigned v)
{
	uint8_t	b[2];

	put16(b, v);
	chunk(h, 0, type, b, 2);
}

static void
chunk32(struct hep *h, unsigned type, uint32_t v)
{
	uint8_t	b[4];

	put32(b, v);
	chunk(h, 0, type, b, 4);
}

static void
start(struct hep *h)
{
	memset(h, 0, sizeof *h);
	memcpy(h->b, "HEP3", 4);
	h->len = 6;
	put16(h->b + 4, 6);
}

/* SIP from 192.0.2.1:5060 to 10.0.0.10:5080 over UDP, all chunks but one. */
static void
sip_hep(struct hep *h, unsigned skip)
{
	static const uint8_t	src[4] = { 192, 0, 2, 1 };
	static const uint8_t	dst[4] = { 10, 0, 0, 10 };

	start(h);
	if (skip != 1)
		chunk8(h, 1, 2);		/* IPv4 */
	if (skip != 2)
		chunk8(h, 2, 17);		/* UDP */
	if (skip != 3)
		chunk(h, 0, 3, src, 4);
	if (skip != 4)
		chunk(h, 0, 4, dst, 4);
	if (skip != 7)
		chunk16(h, 7, 5060);
	if (skip != 8)
		chunk16(h, 8, 5080);
	if (skip != 9)
		chunk32(h, 9, SEC);
	if (skip != 10)
		chunk32(h, 10, USEC);
	if (skip != 11)
		chunk8(h, 11, 1);		/* SIP */
	if (skip != 12)
		chunk32(h, 12, 2001);		/* capture agent id */
	if (skip != 15)
		chunk(h, 0, 15, SIP, strlen(SIP));
}

static void
ipv4_sip_keeps_heps_addresses_ports_and_time(void **state)
{
	struct hep	h;
	struct payload	pl;
	char		buf[ADDR_STRLEN];

	(void)state;
	sip_hep(&h, 0);
	assert_int_equal(hep_decode(h.b, h.len, &pl), 0);
	assert_int_equal(pl.src.ip.family, AF_INET);
	assert_string_equal(addr_format(&pl.src.ip, buf, sizeof buf),
	    "192.0.2.1");
	assert_string_equal(addr_format(&pl.dst.ip, buf, sizeof buf),
	    "10.0.0.10");
	assert_int_equal(pl.src.port, 5060);
	assert_int_equal(pl.dst.port, 5080);
	assert_int_equal(pl.ts_us, (int64_t)SEC * 1000000 + USEC);
	assert_int_equal(pl.transport, DECODE_UDP);
	assert_int_equal(pl.len, strlen(SIP));
	assert_memory_equal(pl.data, SIP, pl.len);
}

static void
ipv6_sip_over_tcp(void **state)
{
	static const uint8_t	src[16] = { 0x20, 1, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t	dst[16] = { 0x20, 1, 0x0d, 0xb8, [15] = 2 };
	struct hep		h;
	struct payload		pl;
	char			buf[ADDR_STRLEN];

	(void)state;
	start(&h);
	chunk8(&h, 1, 10);			/* IPv6 */
	chunk8(&h, 2, 6);			/* TCP */
	chunk(&h, 0, 5, src, 16);
	chunk(&h, 0, 6, dst, 16);
	chunk16(&h, 7, 5061);
	chunk16(&h, 8, 40000);
	chunk32(&h, 9, SEC);
	chunk8(&h, 11, 1);
	chunk(&h, 0, 15, SIP, strlen(SIP));
	assert_int_equal(hep_decode(h.b, h.len, &pl), 0);
	assert_int_equal(pl.src.ip.family, AF_INET6);
	assert_string_equal(addr_format(&pl.dst.ip, buf, sizeof buf),
	    "2001:db8::2");
	assert_int_equal(pl.transport, DECODE_TCP);
	assert_int_equal(pl.ts_us, (int64_t)SEC * 1000000);	/* no usec */
}

static void
vendor_and_unknown_chunks_are_skipped(void **state)
{
	struct hep	h;
	struct payload	pl;

	(void)state;
	sip_hep(&h, 0);
	chunk(&h, 0x0021, 3, "xyzw", 4);	/* a vendor's own type 3 */
	chunk(&h, 0, 0x0011, "corr-id", 7);	/* correlation id */
	chunk(&h, 0, 14, "secret", 6);		/* auth key */
	assert_int_equal(hep_decode(h.b, h.len, &pl), 0);
	assert_int_equal(pl.src.ip.bytes[0], 192);
}

static void
other_protocol_types_are_not_sip(void **state)
{
	struct hep		 h;
	struct payload		 pl;
	struct hep_stats	 st;
	int			 calls = 0;

	(void)state;
	sip_hep(&h, 11);
	chunk8(&h, 11, 5);			/* RTCP */
	assert_int_equal(hep_decode(h.b, h.len, &pl), 1);
	memset(&st, 0, sizeof st);
	hep_input(h.b, h.len, &st, NULL, &calls);
	assert_int_equal(st.packets, 1);
	assert_int_equal(st.not_sip, 1);
	assert_int_equal(st.payloads, 0);
}

static void
missing_chunks_make_a_bad_packet(void **state)
{
	static const unsigned	needed[] = { 1, 3, 4, 7, 8, 9, 11, 15 };
	struct hep		h;
	struct payload		pl;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof needed / sizeof needed[0]; i++) {
		sip_hep(&h, needed[i]);
		if (hep_decode(h.b, h.len, &pl) != -1)
			fail_msg("HEP without chunk %u accepted", needed[i]);
	}
	/* The IP protocol and microseconds may be absent. */
	sip_hep(&h, 2);
	assert_int_equal(hep_decode(h.b, h.len, &pl), 0);
	sip_hep(&h, 10);
	assert_int_equal(hep_decode(h.b, h.len, &pl), 0);
}

static void
malformed_framing_is_bad(void **state)
{
	struct hep	h;
	struct payload	pl;

	(void)state;
	sip_hep(&h, 0);
	/* Too short; shorter than its total length; another magic. */
	assert_int_equal(hep_decode(h.b, 5, &pl), -1);
	assert_int_equal(hep_decode(h.b, h.len - 1, &pl), -1);
	h.b[0] = 'X';
	assert_int_equal(hep_decode(h.b, h.len, &pl), -1);

	sip_hep(&h, 0);
	put16(h.b + 6 + 4, 200);		/* first chunk overruns */
	assert_int_equal(hep_decode(h.b, h.len, &pl), -1);
	sip_hep(&h, 0);
	put16(h.b + 6 + 4, 3);			/* shorter than a header */
	assert_int_equal(hep_decode(h.b, h.len, &pl), -1);
	sip_hep(&h, 0);
	put16(h.b + 6 + 4, 8);			/* family of 2 bytes */
	assert_int_equal(hep_decode(h.b, h.len, &pl), -1);

	sip_hep(&h, 10);
	chunk32(&h, 10, 1000000);		/* usec out of range */
	assert_int_equal(hep_decode(h.b, h.len, &pl), -1);
	sip_hep(&h, 15);
	chunk(&h, 0, 16, "\x1f\x8b", 2);	/* gzip payload */
	assert_int_equal(hep_decode(h.b, h.len, &pl), -1);
	sip_hep(&h, 1);
	chunk8(&h, 1, 10);			/* IPv6, IPv4 addresses */
	assert_int_equal(hep_decode(h.b, h.len, &pl), -1);
}

static void
collect(const struct payload *pl, void *arg)
{
	struct payload	*out = arg;

	*out = *pl;
}

static void
hep_input_counts_and_hands_on_sip(void **state)
{
	struct hep		h;
	struct hep_stats	st;
	struct payload		pl;

	(void)state;
	memset(&st, 0, sizeof st);
	memset(&pl, 0, sizeof pl);
	sip_hep(&h, 0);
	hep_input(h.b, h.len, &st, collect, &pl);
	hep_input(h.b, 3, &st, collect, &pl);
	assert_int_equal(st.packets, 2);
	assert_int_equal(st.payloads, 1);
	assert_int_equal(st.bad, 1);
	assert_int_equal(pl.len, strlen(SIP));
}

/* A raw IPv4 / UDP packet from 10.0.0.10:47000 to 10.0.0.99:dport. */
static size_t
raw_udp(uint8_t *p, uint16_t dport, const uint8_t *data, size_t len)
{
	static const uint8_t	ip[20] = { 0x45, 0, 0, 0, 0, 1, 0, 0, 64,
				    17, 0, 0, 10, 0, 0, 10, 10, 0, 0, 99 };

	memcpy(p, ip, 20);
	put16(p + 2, (unsigned)(28 + len));
	put16(p + 20, 47000);
	put16(p + 22, dport);
	put16(p + 24, (unsigned)(8 + len));
	put16(p + 26, 0);
	memcpy(p + 28, data, len);
	return (28 + len);
}

static void
hep_in_a_capture_on_a_hep_port_uses_heps_time(void **state)
{
	static const uint16_t		 sip_ports[] = { 5060 };
	static const uint16_t		 hep_ports[] = { 9060 };
	struct decoder			*dec;
	const struct decode_stats	*st;
	struct capture_packet		 pkt;
	struct payload			 pl;
	struct hep			 h;
	uint8_t				 frame[BUF_MAX + 28];

	(void)state;
	memset(&pl, 0, sizeof pl);
	dec = decode_create(sip_ports, 1, collect, &pl);
	decode_set_hep_ports(dec, hep_ports, 1);
	sip_hep(&h, 0);
	memset(&pkt, 0, sizeof pkt);
	pkt.ts_us = (int64_t)SEC * 1000000 + 999999;	/* captured later */
	pkt.linktype = DLT_RAW;
	pkt.data = frame;
	pkt.caplen = pkt.len = (uint32_t)raw_udp(frame, 9060, h.b, h.len);
	decode_packet(dec, &pkt);
	assert_int_equal(pl.ts_us, (int64_t)SEC * 1000000 + USEC);
	assert_int_equal(pl.src.port, 5060);
	assert_memory_equal(pl.data, SIP, strlen(SIP));

	/* The same bytes to another port are neither SIP nor HEP. */
	pkt.caplen = pkt.len = (uint32_t)raw_udp(frame, 9061, h.b, h.len);
	decode_packet(dec, &pkt);
	st = decode_get_stats(dec);
	assert_int_equal(st->hep.packets, 1);
	assert_int_equal(st->hep.payloads, 1);
	assert_int_equal(st->payloads, 1);
	assert_int_equal(st->not_sip_port, 1);
	decode_free(dec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_sip_keeps_heps_addresses_ports_and_time),
		cmocka_unit_test(ipv6_sip_over_tcp),
		cmocka_unit_test(vendor_and_unknown_chunks_are_skipped),
		cmocka_unit_test(other_protocol_types_are_not_sip),
		cmocka_unit_test(missing_chunks_make_a_bad_packet),
		cmocka_unit_test(malformed_framing_is_bad),
		cmocka_unit_test(hep_input_counts_and_hands_on_sip),
		cmocka_unit_test(
		    hep_in_a_capture_on_a_hep_port_uses_heps_time),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
