/* decode.c: link layers, IPv4/IPv6 and UDP down to SIP-carrying payloads. */
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
#define SLL_HDR_LEN		16
#define SLL2_HDR_LEN		20
#define ETH_HDR_LEN		14
#define UDP_HDR_LEN		8
#define IP_MAX_NESTING		4	/* IP-in-IP depth */

struct decoder {
	uint16_t		 ports[64];
	size_t			 nports;
	payload_sink		 sink;
	void			*sink_arg;
	struct decode_stats	 st;
};

static void	decode_ip(struct decoder *, int64_t, const uint8_t *, size_t,
		    int);

static uint16_t
rd16(const uint8_t *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
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

struct decoder *
decode_create(const uint16_t *ports, size_t nports, payload_sink sink,
    void *arg)
{
	struct decoder	*dec;

	dec = xcalloc(1, sizeof *dec);
	if (nports > sizeof dec->ports / sizeof dec->ports[0])
		nports = sizeof dec->ports / sizeof dec->ports[0];
	memcpy(dec->ports, ports, nports * sizeof *ports);
	dec->nports = nports;
	dec->sink = sink;
	dec->sink_arg = arg;
	return (dec);
}

static int
decode_is_sip_port(const struct decoder *dec, uint16_t port)
{
	size_t	i;

	for (i = 0; i < dec->nports; i++)
		if (dec->ports[i] == port)
			return (1);
	return (0);
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
	if (!decode_is_sip_port(dec, pl->src.port) &&
	    !decode_is_sip_port(dec, pl->dst.port)) {
		dec->st.not_sip_port++;
		return;
	}
	pl->ts_us = ts_us;
	pl->transport = DECODE_UDP;
	pl->data = p + UDP_HDR_LEN;
	pl->len = ulen - UDP_HDR_LEN;
	dec->st.payloads++;
	dec->sink(pl, dec->sink_arg);
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
		dec->st.tcp++;
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

static void
decode_ipv4(struct decoder *dec, int64_t ts_us, const uint8_t *p, size_t len,
    int depth)
{
	struct payload	pl;
	size_t		hlen, tlen;

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
	if ((rd16(p + 6) & 0x3fff) != 0) {	/* MF set or offset != 0 */
		dec->st.fragments++;
		return;
	}
	memset(&pl, 0, sizeof pl);
	pl.src.ip.family = pl.dst.ip.family = AF_INET;
	memcpy(pl.src.ip.bytes, p + 12, 4);
	memcpy(pl.dst.ip.bytes, p + 16, 4);
	decode_transport(dec, ts_us, &pl, p[9], p + hlen, tlen - hlen, depth);
}

static void
decode_ipv6(struct decoder *dec, int64_t ts_us, const uint8_t *p, size_t len,
    int depth)
{
	struct payload	pl;
	size_t		off, plen, elen;
	int		next;

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
	next = p[6];
	off = 40;
	len = 40 + plen;
	/* RFC 8200 4: skip extension headers up to the transport. */
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
			dec->st.fragments++;
			return;
		default:
			decode_transport(dec, ts_us, &pl, next, p + off,
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

const struct decode_stats *
decode_get_stats(const struct decoder *dec)
{
	return (&dec->st);
}

void
decode_free(struct decoder *dec)
{
	free(dec);
}
