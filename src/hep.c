/* SPDX-License-Identifier: BSD-2-Clause */
/* hep.c: HEPv3 decoding into a payload with HEP's time and addresses. */
#include "config.h"

#include <sys/socket.h>

#include <string.h>

#include "ccmetrics/hep.h"

/* HEPv3 (sipcapture.org HEP3 Network Protocol Specification). */
#define HEP_MAGIC		"HEP3"
#define HEP_HDR_LEN		6	/* magic, total length */
#define HEP_CHUNK_HDR_LEN	6	/* vendor, type, length */
#define HEP_VENDOR_GENERIC	0
#define HEP_FAMILY_IPV4		2
#define HEP_FAMILY_IPV6		10
#define HEP_PROTO_TYPE_SIP	1
#define US_PER_S		1000000LL

enum hep_chunk {
	HEP_IP_FAMILY = 1,
	HEP_IP_PROTO = 2,
	HEP_IPV4_SRC = 3,
	HEP_IPV4_DST = 4,
	HEP_IPV6_SRC = 5,
	HEP_IPV6_DST = 6,
	HEP_SRC_PORT = 7,
	HEP_DST_PORT = 8,
	HEP_TS_SEC = 9,
	HEP_TS_USEC = 10,
	HEP_PROTO_TYPE = 11,
	HEP_AUTH_KEY = 14,
	HEP_PAYLOAD = 15,
	HEP_PAYLOAD_COMPRESSED = 16
};

/* Which chunks a SIP payload needs; one bit per enum hep_chunk. */
#define HAVE(c)		(1U << (c))
#define HEP_NEEDED	(HAVE(HEP_IP_FAMILY) | HAVE(HEP_SRC_PORT) | \
			 HAVE(HEP_DST_PORT) | HAVE(HEP_TS_SEC) | \
			 HAVE(HEP_PROTO_TYPE) | HAVE(HEP_PAYLOAD))

static uint32_t
rd_be(const uint8_t *p, size_t n)
{
	uint32_t	v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return (v);
}

/* The sizes of the fixed-size chunks; 0: any size. */
static size_t
hep_chunk_size(unsigned type)
{
	switch (type) {
	case HEP_IP_FAMILY:
	case HEP_IP_PROTO:
	case HEP_PROTO_TYPE:
		return (1);
	case HEP_SRC_PORT:
	case HEP_DST_PORT:
		return (2);
	case HEP_IPV4_SRC:
	case HEP_IPV4_DST:
	case HEP_TS_SEC:
	case HEP_TS_USEC:
		return (4);
	case HEP_IPV6_SRC:
	case HEP_IPV6_DST:
		return (16);
	}
	return (0);
}

int
hep_decode(const uint8_t *buf, size_t len, struct payload *pl)
{
	const uint8_t	*v, *src4 = NULL, *dst4 = NULL;
	const uint8_t	*src6 = NULL, *dst6 = NULL;
	uint32_t	 have = 0, sec = 0, usec = 0;
	size_t		 off, total, clen, want;
	unsigned	 type, family = 0, proto = 0, proto_type = 0;

	memset(pl, 0, sizeof *pl);
	if (len < HEP_HDR_LEN || memcmp(buf, HEP_MAGIC, 4) != 0)
		return (-1);
	total = rd_be(buf + 4, 2);
	if (total < HEP_HDR_LEN || total > len)
		return (-1);
	for (off = HEP_HDR_LEN; off < total; off += clen) {
		if (total - off < HEP_CHUNK_HDR_LEN)
			return (-1);
		clen = rd_be(buf + off + 4, 2);
		if (clen < HEP_CHUNK_HDR_LEN || clen > total - off)
			return (-1);
		if (rd_be(buf + off, 2) != HEP_VENDOR_GENERIC)
			continue;
		type = rd_be(buf + off + 2, 2);
		v = buf + off + HEP_CHUNK_HDR_LEN;
		want = hep_chunk_size(type);
		if (want != 0 && clen - HEP_CHUNK_HDR_LEN != want)
			return (-1);
		switch (type) {
		case HEP_IP_FAMILY: family = *v; break;
		case HEP_IP_PROTO: proto = *v; break;
		case HEP_IPV4_SRC: src4 = v; break;
		case HEP_IPV4_DST: dst4 = v; break;
		case HEP_IPV6_SRC: src6 = v; break;
		case HEP_IPV6_DST: dst6 = v; break;
		case HEP_SRC_PORT: pl->src.port = (uint16_t)rd_be(v, 2); break;
		case HEP_DST_PORT: pl->dst.port = (uint16_t)rd_be(v, 2); break;
		case HEP_TS_SEC: sec = rd_be(v, 4); break;
		case HEP_TS_USEC: usec = rd_be(v, 4); break;
		case HEP_PROTO_TYPE: proto_type = *v; break;
		case HEP_PAYLOAD:
			pl->data = v;
			pl->len = clen - HEP_CHUNK_HDR_LEN;
			break;
		case HEP_PAYLOAD_COMPRESSED:
			return (-1);	/* gzip: not supported */
		default:
			continue;	/* capture id, auth key, vlan, ... */
		}
		have |= HAVE(type);
	}
	if ((have & HAVE(HEP_PROTO_TYPE)) && proto_type != HEP_PROTO_TYPE_SIP)
		return (1);
	if ((have & HEP_NEEDED) != HEP_NEEDED || usec >= US_PER_S)
		return (-1);
	if (family == HEP_FAMILY_IPV4 && src4 != NULL && dst4 != NULL) {
		pl->src.ip.family = pl->dst.ip.family = AF_INET;
		memcpy(pl->src.ip.bytes, src4, 4);
		memcpy(pl->dst.ip.bytes, dst4, 4);
	} else if (family == HEP_FAMILY_IPV6 && src6 != NULL && dst6 != NULL) {
		pl->src.ip.family = pl->dst.ip.family = AF_INET6;
		memcpy(pl->src.ip.bytes, src6, 16);
		memcpy(pl->dst.ip.bytes, dst6, 16);
	} else
		return (-1);
	/* Agents send TLS- and TCP-carried SIP decrypted, one message each. */
	pl->transport = proto == DECODE_TCP ? DECODE_TCP : DECODE_UDP;
	pl->ts_us = (int64_t)sec * US_PER_S + usec;
	return (0);
}

int
hep_auth_key(const uint8_t *buf, size_t len, const uint8_t **key,
    size_t *keylen)
{
	size_t	off, total, clen;

	if (len < HEP_HDR_LEN || memcmp(buf, HEP_MAGIC, 4) != 0)
		return (-1);
	total = rd_be(buf + 4, 2);
	if (total < HEP_HDR_LEN || total > len)
		return (-1);
	for (off = HEP_HDR_LEN; total - off >= HEP_CHUNK_HDR_LEN; off += clen) {
		clen = rd_be(buf + off + 4, 2);
		if (clen < HEP_CHUNK_HDR_LEN || clen > total - off)
			return (-1);
		if (rd_be(buf + off, 2) == HEP_VENDOR_GENERIC &&
		    rd_be(buf + off + 2, 2) == HEP_AUTH_KEY) {
			*key = buf + off + HEP_CHUNK_HDR_LEN;
			*keylen = clen - HEP_CHUNK_HDR_LEN;
			return (0);
		}
	}
	return (-1);
}

void
hep_input(const uint8_t *buf, size_t len, struct hep_stats *st,
    payload_sink sink, void *arg)
{
	struct payload	pl;

	st->packets++;
	switch (hep_decode(buf, len, &pl)) {
	case 0:
		st->payloads++;
		sink(&pl, arg);
		break;
	case 1:
		st->not_sip++;
		break;
	default:
		st->bad++;
		break;
	}
}
