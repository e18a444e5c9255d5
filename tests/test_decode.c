/* SPDX-License-Identifier: BSD-2-Clause */
/* test_decode.c: unit tests of the decode stage: frames in, payloads out. */

#include "config.h"

#include <pcap/dlt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/decode.h"

#define T_US		1795424400123456LL
#define PKT_MAX		2048
#define PL_MAX		8
#define SIP_BODY	"OPTIONS sip:x SIP/2.0\r\n\r\n"

struct got {
	int64_t		ts_us;
	char		src[ADDR_STRLEN], dst[ADDR_STRLEN];
	uint16_t	sport, dport;
	uint8_t		transport;
	char		data[PKT_MAX];
	size_t		len;
};

struct fx {
	struct decoder	*dec;
	size_t		 n;
	struct got	 pl[PL_MAX];
};

static void
collect(const struct payload *pl, void *arg)
{
	struct fx	*fx = arg;
	struct got	*g;

	assert_true(fx->n < PL_MAX);
	assert_true(pl->len < PKT_MAX);
	g = &fx->pl[fx->n++];
	g->ts_us = pl->ts_us;
	addr_format(&pl->src.ip, g->src, sizeof g->src);
	addr_format(&pl->dst.ip, g->dst, sizeof g->dst);
	g->sport = pl->src.port;
	g->dport = pl->dst.port;
	g->transport = pl->transport;
	memcpy(g->data, pl->data, pl->len);
	g->data[pl->len] = '\0';
	g->len = pl->len;
}

static void
fx_open(struct fx *fx)
{
	static const uint16_t	ports[] = { 5060, 5080 };

	memset(fx, 0, sizeof *fx);
	fx->dec = decode_create(ports, 2, collect, fx);
	assert_non_null(fx->dec);
}

static void
fx_close(struct fx *fx)
{
	decode_free(fx->dec);
}

static const struct decode_stats *
st(struct fx *fx)
{
	return (decode_get_stats(fx->dec));
}

static void
feed(struct fx *fx, int linktype, const uint8_t *p, size_t len, int64_t ts)
{
	struct capture_packet	pkt;

	memset(&pkt, 0, sizeof pkt);
	pkt.ts_us = ts;
	pkt.linktype = linktype;
	pkt.data = p;
	pkt.caplen = pkt.len = (uint32_t)len;
	decode_packet(fx->dec, &pkt);
}

static void
w16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A UDP datagram; returns its length. */
static size_t
udp(uint8_t *p, unsigned sport, unsigned dport, const char *body)
{
	size_t	n = strlen(body);

	w16(p, sport);
	w16(p + 2, dport);
	w16(p + 4, (unsigned)(8 + n));
	w16(p + 6, 0);
	memcpy(p + 8, body, n);
	return (8 + n);
}

/* An IPv4 header for a payload of len bytes of proto; returns 20. */
static size_t
ipv4(uint8_t *p, uint8_t proto, size_t len, const uint8_t src[4],
    const uint8_t dst[4], unsigned frag, unsigned id)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	w16(p + 2, (unsigned)(20 + len));
	w16(p + 4, id);
	w16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	return (20);
}

static const uint8_t	SRC4[4] = { 192, 0, 2, 1 };
static const uint8_t	DST4[4] = { 10, 0, 0, 10 };

/* IPv4/UDP 5062 -> 5060 carrying SIP_BODY at p; returns its length. */
static size_t
ipv4_udp(uint8_t *p, unsigned sport, unsigned dport)
{
	size_t	n = udp(p + 20, sport, dport, SIP_BODY);

	return (ipv4(p, 17, n, SRC4, DST4, 0, 1) + n);
}

/* An Ethernet header with ethertype; returns 14. */
static size_t
eth(uint8_t *p, unsigned type)
{
	memset(p, 0, 12);
	p[0] = 0x02;
	p[6] = 0x02;
	w16(p + 12, type);
	return (14);
}

static void
expect_sip_payload(const struct got *g, const char *src, const char *dst,
    int64_t ts)
{
	assert_int_equal(g->ts_us, ts);
	assert_string_equal(g->src, src);
	assert_string_equal(g->dst, dst);
	assert_int_equal(g->sport, 5062);
	assert_int_equal(g->dport, 5060);
	assert_int_equal(g->transport, DECODE_UDP);
	assert_int_equal(g->len, strlen(SIP_BODY));
	assert_string_equal(g->data, SIP_BODY);
}

static void
ethernet_ipv4_udp_to_a_sip_port_is_a_payload_with_its_addresses_and_time(
    void **state)
{
	struct fx	fx;
	uint8_t		pkt[PKT_MAX];
	size_t		n;

	(void)state;
	fx_open(&fx);
	n = eth(pkt, 0x0800);
	n += ipv4_udp(pkt + n, 5062, 5060);
	feed(&fx, DLT_EN10MB, pkt, n, T_US);
	assert_int_equal(fx.n, 1);
	expect_sip_payload(&fx.pl[0], "192.0.2.1", "10.0.0.10", T_US);
	assert_int_equal(st(&fx)->packets, 1);
	assert_int_equal(st(&fx)->payloads, 1);
	fx_close(&fx);
}

static void
vlan_and_qinq_tags_are_skipped(void **state)
{
	static const unsigned	outer[] = { 0x8100, 0x88a8, 0x9100 };
	struct fx		fx;
	uint8_t			pkt[PKT_MAX];
	size_t			n, i;

	(void)state;
	fx_open(&fx);
	for (i = 0; i < 3; i++) {
		n = eth(pkt, outer[i]);
		w16(pkt + n, 100);		/* TCI */
		w16(pkt + n + 2, 0x8100);	/* an inner tag */
		w16(pkt + n + 4, 200);
		w16(pkt + n + 6, 0x0800);
		n += 8;
		n += ipv4_udp(pkt + n, 5062, 5060);
		feed(&fx, DLT_EN10MB, pkt, n, T_US + (int64_t)i);
	}
	assert_int_equal(fx.n, 3);
	for (i = 0; i < 3; i++)
		expect_sip_payload(&fx.pl[i], "192.0.2.1", "10.0.0.10",
		    T_US + (int64_t)i);
	fx_close(&fx);
}

static void
sll_sll2_null_and_raw_links_decode_like_ethernet(void **state)
{
	struct fx	fx;
	uint8_t		pkt[PKT_MAX];
	size_t		n;

	(void)state;
	fx_open(&fx);
	/* Linux cooked v1: protocol at offset 14 of 16. */
	memset(pkt, 0, 16);
	w16(pkt + 14, 0x0800);
	n = 16 + ipv4_udp(pkt + 16, 5062, 5060);
	feed(&fx, DLT_LINUX_SLL, pkt, n, T_US);
	/* Linux cooked v2: protocol first, 20 bytes. */
	memset(pkt, 0, 20);
	w16(pkt, 0x0800);
	n = 20 + ipv4_udp(pkt + 20, 5062, 5060);
	feed(&fx, DLT_LINUX_SLL2, pkt, n, T_US + 1);
	/* BSD loopback: a 4-byte family. */
	memset(pkt, 0, 4);
	pkt[0] = 2;
	n = 4 + ipv4_udp(pkt + 4, 5062, 5060);
	feed(&fx, DLT_NULL, pkt, n, T_US + 2);
	n = ipv4_udp(pkt, 5062, 5060);
	feed(&fx, DLT_RAW, pkt, n, T_US + 3);
	assert_int_equal(fx.n, 4);
	expect_sip_payload(&fx.pl[0], "192.0.2.1", "10.0.0.10", T_US);
	expect_sip_payload(&fx.pl[1], "192.0.2.1", "10.0.0.10", T_US + 1);
	expect_sip_payload(&fx.pl[2], "192.0.2.1", "10.0.0.10", T_US + 2);
	expect_sip_payload(&fx.pl[3], "192.0.2.1", "10.0.0.10", T_US + 3);
	fx_close(&fx);
}

static void
ipv6_extension_headers_are_walked_to_udp(void **state)
{
	struct fx	fx;
	uint8_t		pkt[PKT_MAX];
	size_t		n, ulen;

	(void)state;
	fx_open(&fx);
	n = eth(pkt, 0x86dd);
	memset(pkt + n, 0, 40);
	pkt[n] = 0x60;
	pkt[n + 6] = 0;			/* hop-by-hop first */
	pkt[n + 7] = 64;
	pkt[n + 8] = 0x20;		/* 2001:db8::1 */
	pkt[n + 9] = 0x01;
	pkt[n + 10] = 0x0d;
	pkt[n + 11] = 0xb8;
	pkt[n + 23] = 1;
	pkt[n + 24] = 0x20;		/* 2001:db8::a */
	pkt[n + 25] = 0x01;
	pkt[n + 26] = 0x0d;
	pkt[n + 27] = 0xb8;
	pkt[n + 39] = 0x0a;
	/* Hop-by-hop (8 bytes) -> destination options (16) -> UDP. */
	memset(pkt + n + 40, 0, 24);
	pkt[n + 40] = 60;
	pkt[n + 41] = 0;
	pkt[n + 48] = 17;
	pkt[n + 49] = 1;
	ulen = udp(pkt + n + 64, 5062, 5060, SIP_BODY);
	w16(pkt + n + 4, (unsigned)(24 + ulen));
	n += 64 + ulen;
	feed(&fx, DLT_EN10MB, pkt, n, T_US);
	assert_int_equal(fx.n, 1);
	expect_sip_payload(&fx.pl[0], "2001:db8::1", "2001:db8::a", T_US);
	fx_close(&fx);
}

static void
a_sip_port_on_either_side_passes_none_is_counted_not_sip_port(void **state)
{
	struct fx	fx;
	uint8_t		pkt[PKT_MAX];
	size_t		n;

	(void)state;
	fx_open(&fx);
	n = ipv4_udp(pkt, 5080, 40000);		/* from a SIP port */
	feed(&fx, DLT_RAW, pkt, n, T_US);
	n = ipv4_udp(pkt, 40000, 40001);
	feed(&fx, DLT_RAW, pkt, n, T_US);
	assert_int_equal(fx.n, 1);
	assert_int_equal(fx.pl[0].sport, 5080);
	assert_int_equal(st(&fx)->not_sip_port, 1);
	assert_int_equal(st(&fx)->packets, 2);
	fx_close(&fx);
}

static void
short_or_cut_packets_are_counted_truncated_never_read_past(void **state)
{
	struct fx	fx;
	uint8_t		pkt[PKT_MAX];
	size_t		n;

	(void)state;
	fx_open(&fx);
	feed(&fx, DLT_EN10MB, pkt, 13, T_US);		/* no ethertype */
	n = eth(pkt, 0x0800);
	n += ipv4_udp(pkt + n, 5062, 5060);
	feed(&fx, DLT_EN10MB, pkt, n - 1, T_US);	/* IP length > caplen */
	feed(&fx, DLT_EN10MB, pkt, 14 + 19, T_US);	/* half an IP header */
	/* UDP length beyond the IP payload. */
	n = ipv4_udp(pkt, 5062, 5060);
	w16(pkt + 24, 4000);
	feed(&fx, DLT_RAW, pkt, n, T_US);
	assert_int_equal(fx.n, 0);
	assert_int_equal(st(&fx)->truncated, 4);
	assert_int_equal(st(&fx)->packets, 4);
	fx_close(&fx);
}

static void
unknown_links_ethertypes_protocols_and_ip_versions_are_counted_by_reason(
    void **state)
{
	struct fx	fx;
	uint8_t		pkt[PKT_MAX];
	size_t		n;

	(void)state;
	fx_open(&fx);
	n = eth(pkt, 0x0806);				/* ARP */
	memset(pkt + n, 0, 28);
	feed(&fx, DLT_EN10MB, pkt, n + 28, T_US);
	feed(&fx, DLT_IEEE802_11, pkt, n + 28, T_US);	/* a link we lack */
	n = ipv4(pkt, 1, 8, SRC4, DST4, 0, 1);		/* ICMP */
	memset(pkt + n, 0, 8);
	feed(&fx, DLT_RAW, pkt, n + 8, T_US);
	n = ipv4_udp(pkt, 5062, 5060);
	pkt[0] = 0x55;					/* version 5 */
	feed(&fx, DLT_RAW, pkt, n, T_US);
	assert_int_equal(fx.n, 0);
	assert_int_equal(st(&fx)->bad_link, 2);
	assert_int_equal(st(&fx)->other_proto, 1);
	assert_int_equal(st(&fx)->bad_ip, 1);
	assert_int_equal(st(&fx)->packets, 4);
	fx_close(&fx);
}

static void
ipv4_fragments_make_one_payload_at_the_time_of_the_last_one(void **state)
{
	struct fx	fx;
	uint8_t		dgram[PKT_MAX], pkt[PKT_MAX];
	size_t		ulen, n;

	(void)state;
	fx_open(&fx);
	ulen = udp(dgram, 5062, 5060, SIP_BODY);	/* 8 + 25 bytes */
	/* First fragment: 16 bytes at offset 0, MF. */
	n = ipv4(pkt, 17, 16, SRC4, DST4, 0x2000, 77);
	memcpy(pkt + n, dgram, 16);
	feed(&fx, DLT_RAW, pkt, n + 16, T_US);
	assert_int_equal(fx.n, 0);
	/* Last: the rest at offset 16 (2 units of 8). */
	n = ipv4(pkt, 17, ulen - 16, SRC4, DST4, 2, 77);
	memcpy(pkt + n, dgram + 16, ulen - 16);
	feed(&fx, DLT_RAW, pkt, n + ulen - 16, T_US + 500);
	assert_int_equal(fx.n, 1);
	expect_sip_payload(&fx.pl[0], "192.0.2.1", "10.0.0.10", T_US + 500);
	fx_close(&fx);
}

static void
ip_in_ip_deeper_than_four_is_bad_ip(void **state)
{
	struct fx	fx;
	uint8_t		pkt[PKT_MAX];
	size_t		inner, n, i;

	(void)state;
	fx_open(&fx);
	/* Four IP-in-IP wrappers around the datagram decode... */
	inner = ipv4_udp(pkt + 5 * 20, 5062, 5060);
	n = inner;
	for (i = 0; i < 4; i++) {
		ipv4(pkt + (4 - i) * 20, 4, n, SRC4, DST4, 0, 1);
		n += 20;
	}
	feed(&fx, DLT_RAW, pkt + 20, n, T_US);
	assert_int_equal(fx.n, 1);
	/* ...a fifth is one too many. */
	ipv4(pkt, 4, n, SRC4, DST4, 0, 1);
	feed(&fx, DLT_RAW, pkt, n + 20, T_US);
	assert_int_equal(fx.n, 1);
	assert_int_equal(st(&fx)->bad_ip, 1);
	fx_close(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    ethernet_ipv4_udp_to_a_sip_port_is_a_payload_with_its_addresses_and_time),
		cmocka_unit_test(vlan_and_qinq_tags_are_skipped),
		cmocka_unit_test(sll_sll2_null_and_raw_links_decode_like_ethernet),
		cmocka_unit_test(ipv6_extension_headers_are_walked_to_udp),
		cmocka_unit_test(
		    a_sip_port_on_either_side_passes_none_is_counted_not_sip_port),
		cmocka_unit_test(
		    short_or_cut_packets_are_counted_truncated_never_read_past),
		cmocka_unit_test(
		    unknown_links_ethertypes_protocols_and_ip_versions_are_counted_by_reason),
		cmocka_unit_test(
		    ipv4_fragments_make_one_payload_at_the_time_of_the_last_one),
		cmocka_unit_test(ip_in_ip_deeper_than_four_is_bad_ip),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
