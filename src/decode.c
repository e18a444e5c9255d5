/* SPDX-License-Identifier: BSD-2-Clause */
/* decode.c: link layers, IPv4/IPv6, UDP and TCP down to SIP payloads. */
#include "config.h"

#include <sys/socket.h>

#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/decode.h"
#include "ccmetrics/xmalloc.h"

#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_VLAN		0x8100
#define ETHERTYPE_QINQ		0x88a8
#define ETHERTYPE_QINQ_OLD	0x9100
#define IPPROTO_NUM_IPIP	4
#define IPPROTO_NUM_TCP		6
#define IPPROTO_NUM_UDP		17
#define IPPROTO_NUM_IPV6	41
#define IPV6_EXT_HOPOPTS	0
#define IPV6_EXT_ROUTING	43
#define IPV6_EXT_FRAGMENT	44
#define IPV6_EXT_DSTOPTS	60
#define IPV6_EXT_AH		51
#define IPV4_MF			0x2000
#define IPV4_OFFSET_MASK	0x1fff
#define IPV6_FRAG_HDR_LEN	8
#define SLL_HDR_LEN		16
#define SLL2_HDR_LEN		20
#define ETH_HDR_LEN		14
#define UDP_HDR_LEN		8
#define TCP_HDR_LEN		20
#define IP_MAX_NESTING		4	/* IP-in-IP depth */
#define MAX_PORTS		64

struct decoder {
	uint16_t		 ports[MAX_PORTS];
	size_t			 nports;
	uint16_t		 hep_ports[MAX_PORTS];
	size_t			 nhep_ports;
	payload_sink		 sink;
	void			*sink_arg;
	struct ipfrag_table	*frag;
	struct tcpstream_table	*tcp;
	struct decode_stats	 st;
};

static void	decode_ip(struct decoder *, int64_t, const uint8_t *, size_t,
		    int);

static uint16_t
rd16(const uint8_t *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
}

static uint32_t
rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

int
decode_linktype_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return (0);
	}
	return (-1);
}

/* Every payload leaves through here: UDP, reassembled TCP, HEP. */
static void
decode_emit(const struct payload *pl, void *arg)
{
	struct decoder	*dec = arg;

	dec->st.payloads++;
	dec->sink(pl, dec->sink_arg);
}

static size_t
copy_ports(uint16_t *to, const uint16_t *from, size_t n)
{
	if (n > MAX_PORTS)
		n = MAX_PORTS;
	if (n > 0)
		memcpy(to, from, n * sizeof *from);
	return (n);
}

struct decoder *
decode_create(const uint16_t *ports, size_t nports, payload_sink sink,
    void *arg)
{
	struct decoder	*dec;

	dec = xcalloc(1, sizeof *dec);
	dec->nports = copy_ports(dec->ports, ports, nports);
	dec->sink = sink;
	dec->sink_arg = arg;
	dec->frag = ipfrag_create(NULL);
	dec->tcp = tcpstream_create(NULL, decode_emit, dec);
	return (dec);
}

void
decode_set_hep_ports(struct decoder *dec, const uint16_t *ports,
    size_t nports)
{
	dec->nhep_ports = copy_ports(dec->hep_ports, ports, nports);
}

static int
port_in(const uint16_t *ports, size_t n, uint16_t port)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (ports[i] == port)
			return (1);
	return (0);
}

static int
decode_is_sip_port(const struct decoder *dec, uint16_t port)
{
	return (port_in(dec->ports, dec->nports, port));
}

static void
decode_udp(struct decoder *dec, int64_t ts_us, struct payload *pl,
    const uint8_t *p, size_t len)
{
	size_t	ulen;

	if (len < UDP_HDR_LEN) {
		dec->st.truncated++;
		return;
	}
	pl->src.port = rd16(p);
	pl->dst.port = rd16(p + 2);
	ulen = rd16(p + 4);
	if (ulen < UDP_HDR_LEN || ulen > len) {
		dec->st.truncated++;
		return;
	}
	/* HEP mirrored to a collector: its own time and addresses. */
	if (port_in(dec->hep_ports, dec->nhep_ports, pl->dst.port)) {
		hep_input(p + UDP_HDR_LEN, ulen - UDP_HDR_LEN, &dec->st.hep,
		    decode_emit, dec);
		return;
	}
	if (!decode_is_sip_port(dec, pl->src.port) &&
	    !decode_is_sip_port(dec, pl->dst.port)) {
		dec->st.not_sip_port++;
		return;
	}
	pl->ts_us = ts_us;
	pl->transport = DECODE_UDP;
	pl->data = p + UDP_HDR_LEN;
	pl->len = ulen - UDP_HDR_LEN;
	decode_emit(pl, dec);
}

static void
decode_tcp(struct decoder *dec, int64_t ts_us, const struct payload *pl,
    const uint8_t *p, size_t len)
{
	struct tcp_segment	seg;
	size_t			hlen;

	if (len < TCP_HDR_LEN) {
		dec->st.truncated++;
		return;
	}
	hlen = (size_t)(p[12] >> 4) * 4;
	if (hlen < TCP_HDR_LEN || hlen > len) {
		dec->st.truncated++;
		return;
	}
	memset(&seg, 0, sizeof seg);
	seg.src = pl->src;
	seg.dst = pl->dst;
	seg.src.port = rd16(p);
	seg.dst.port = rd16(p + 2);
	if (!decode_is_sip_port(dec, seg.src.port) &&
	    !decode_is_sip_port(dec, seg.dst.port)) {
		dec->st.not_sip_port++;
		return;
	}
	seg.seq = rd32(p + 4);
	seg.flags = p[13] & (TCPSTREAM_FIN | TCPSTREAM_SYN | TCPSTREAM_RST);
	seg.data = p + hlen;
	seg.len = len - hlen;
	tcpstream_input(dec->tcp, &seg, ts_us);
}

static void
decode_transport(struct decoder *dec, int64_t ts_us, struct payload *pl,
    int proto, const uint8_t *p, size_t len, int depth)
{
	switch (proto) {
	case IPPROTO_NUM_UDP:
		decode_udp(dec, ts_us, pl, p, len);
		break;
	case IPPROTO_NUM_TCP:
		decode_tcp(dec, ts_us, pl, p, len);
		break;
	case IPPROTO_NUM_IPIP:
	case IPPROTO_NUM_IPV6:
		decode_ip(dec, ts_us, p, len, depth + 1);
		break;
	default:
		dec->st.other_proto++;
		break;
	}
}

/* A fragment to the reassembly; 1 and *out when it completes a datagram. */
static int
decode_fragment(struct decoder *dec, int64_t ts_us, const struct payload *pl,
    struct ipfrag *f, struct ipfrag *out)
{
	f->src = pl->src.ip;
	f->dst = pl->dst.ip;
	return (ipfrag_input(dec->frag, f, ts_us, out));
}

static void
decode_ipv4(struct decoder *dec, int64_t ts_us, const uint8_t *p, size_t len,
    int depth)
{
	struct payload	pl;
	struct ipfrag	f, out;
	size_t		hlen, tlen;
	uint16_t	frag;

	if (len < 20) {
		dec->st.truncated++;
		return;
	}
	hlen = (size_t)(p[0] & 0x0f) * 4;
	tlen = rd16(p + 2);
	if (hlen < 20 || tlen < hlen) {
		dec->st.bad_ip++;
		return;
	}
	if (tlen > len) {
		dec->st.truncated++;
		return;
	}
	memset(&pl, 0, sizeof pl);
	pl.src.ip.family = pl.dst.ip.family = AF_INET;
	memcpy(pl.src.ip.bytes, p + 12, 4);
	memcpy(pl.dst.ip.bytes, p + 16, 4);
	frag = rd16(p + 6);
	if ((frag & (IPV4_MF | IPV4_OFFSET_MASK)) == 0) {
		decode_transport(dec, ts_us, &pl, p[9], p + hlen, tlen - hlen,
		    depth);
		return;
	}
	/* RFC 791 3.2: offset in 8-byte units, MF, keyed with the id. */
	memset(&f, 0, sizeof f);
	f.id = rd16(p + 4);
	f.proto = p[9];
	f.offset = (uint32_t)(frag & IPV4_OFFSET_MASK) * 8;
	f.more = (frag & IPV4_MF) != 0;
	f.data = p + hlen;
	f.len = tlen - hlen;
	if (decode_fragment(dec, ts_us, &pl, &f, &out) == 1)
		decode_transport(dec, ts_us, &pl, out.proto, out.data, out.len,
		    depth);
}

/*
 * RFC 8200 4: skip extension headers from next up to the transport, in
 * p[0..len). A fragment header hands the rest to the reassembly, which
 * calls back here with the reassembled fragmentable part.
 */
static void
decode_ipv6_next(struct decoder *dec, int64_t ts_us, struct payload *pl,
    int next, const uint8_t *p, size_t len, int depth, int reassembled)
{
	struct ipfrag	f, out;
	size_t		off = 0, elen;
	uint16_t	frag;

	for (;;) {
		switch (next) {
		case IPV6_EXT_HOPOPTS:
		case IPV6_EXT_ROUTING:
		case IPV6_EXT_DSTOPTS:
			if (off + 8 > len) {
				dec->st.truncated++;
				return;
			}
			elen = ((size_t)p[off + 1] + 1) * 8;
			break;
		case IPV6_EXT_AH:
			if (off + 8 > len) {
				dec->st.truncated++;
				return;
			}
			elen = ((size_t)p[off + 1] + 2) * 4;
			break;
		case IPV6_EXT_FRAGMENT:
			if (off + IPV6_FRAG_HDR_LEN > len) {
				dec->st.truncated++;
				return;
			}
			frag = rd16(p + off + 2);
			/* RFC 6946: an atomic fragment is a whole packet. */
			if ((frag & 0xfff9) == 0) {
				elen = IPV6_FRAG_HDR_LEN;
				break;
			}
			/* A fragment inside a reassembled fragment. */
			if (reassembled) {
				dec->st.bad_ip++;
				return;
			}
			memset(&f, 0, sizeof f);
			f.id = rd32(p + off + 4);
			f.proto = p[off];
			f.offset = frag & 0xfff8;
			f.more = frag & 1;
			f.data = p + off + IPV6_FRAG_HDR_LEN;
			f.len = len - off - IPV6_FRAG_HDR_LEN;
			if (decode_fragment(dec, ts_us, pl, &f, &out) == 1)
				decode_ipv6_next(dec, ts_us, pl, out.proto,
				    out.data, out.len, depth, 1);
			return;
		default:
			decode_transport(dec, ts_us, pl, next, p + off,
			    len - off, depth);
			return;
		}
		if (off + elen > len) {
			dec->st.truncated++;
			return;
		}
		next = p[off];
		off += elen;
	}
}

static void
decode_ipv6(struct decoder *dec, int64_t ts_us, const uint8_t *p, size_t len,
    int depth)
{
	struct payload	pl;
	size_t		plen;

	if (len < 40) {
		dec->st.truncated++;
		return;
	}
	plen = rd16(p + 4);
	if (40 + plen > len) {
		dec->st.truncated++;
		return;
	}
	memset(&pl, 0, sizeof pl);
	pl.src.ip.family = pl.dst.ip.family = AF_INET6;
	memcpy(pl.src.ip.bytes, p + 8, 16);
	memcpy(pl.dst.ip.bytes, p + 24, 16);
	decode_ipv6_next(dec, ts_us, &pl, p[6], p + 40, plen, depth, 0);
}

static void
decode_ip(struct decoder *dec, int64_t ts_us, const uint8_t *p, size_t len,
    int depth)
{
	if (depth > IP_MAX_NESTING || len < 1) {
		dec->st.bad_ip++;
		return;
	}
	switch (p[0] >> 4) {
	case 4:
		decode_ipv4(dec, ts_us, p, len, depth);
		break;
	case 6:
		decode_ipv6(dec, ts_us, p, len, depth);
		break;
	default:
		dec->st.bad_ip++;
		break;
	}
}

static void
decode_ethertype(struct decoder *dec, int64_t ts_us, uint16_t type,
    const uint8_t *p, size_t len)
{
	/* 802.1Q and QinQ: any number of tags, 4 bytes each. */
	while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
	    type == ETHERTYPE_QINQ_OLD) {
		if (len < 4) {
			dec->st.truncated++;
			return;
		}
		type = rd16(p + 2);
		p += 4;
		len -= 4;
	}
	if (type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6)
		decode_ip(dec, ts_us, p, len, 0);
	else
		dec->st.bad_link++;
}

void
decode_packet(struct decoder *dec, const struct capture_packet *pkt)
{
	const uint8_t	*p = pkt->data;
	size_t		 len = pkt->caplen;

	dec->st.packets++;
	switch (pkt->linktype) {
	case DLT_EN10MB:
		if (len < ETH_HDR_LEN)
			break;
		decode_ethertype(dec, pkt->ts_us, rd16(p + 12),
		    p + ETH_HDR_LEN, len - ETH_HDR_LEN);
		return;
	case DLT_LINUX_SLL:
		if (len < SLL_HDR_LEN)
			break;
		decode_ethertype(dec, pkt->ts_us, rd16(p + 14),
		    p + SLL_HDR_LEN, len - SLL_HDR_LEN);
		return;
	case DLT_LINUX_SLL2:
		if (len < SLL2_HDR_LEN)
			break;
		decode_ethertype(dec, pkt->ts_us, rd16(p),
		    p + SLL2_HDR_LEN, len - SLL2_HDR_LEN);
		return;
	case DLT_NULL:
	case DLT_LOOP:
		/* A 4-byte address family; the IP version nibble suffices. */
		if (len < 4)
			break;
		decode_ip(dec, pkt->ts_us, p + 4, len - 4, 0);
		return;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		decode_ip(dec, pkt->ts_us, p, len, 0);
		return;
	default:
		dec->st.bad_link++;
		return;
	}
	dec->st.truncated++;
}

void
decode_expire(struct decoder *dec, int64_t now_us)
{
	ipfrag_expire(dec->frag, now_us);
	tcpstream_expire(dec->tcp, now_us);
}

void
decode_flush(struct decoder *dec)
{
	tcpstream_flush(dec->tcp);
}

const struct decode_stats *
decode_get_stats(struct decoder *dec)
{
	dec->st.ipfrag = *ipfrag_get_stats(dec->frag);
	dec->st.tcp = *tcpstream_get_stats(dec->tcp);
	return (&dec->st);
}

void
decode_free(struct decoder *dec)
{
	if (dec == NULL)
		return;
	ipfrag_free(dec->frag);
	tcpstream_free(dec->tcp);
	free(dec);
}
