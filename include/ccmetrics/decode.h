/* SPDX-License-Identifier: BSD-2-Clause */
/* decode.h: link, IP and transport decoding down to SIP-carrying payloads. */
#ifndef CCMETRICS_DECODE_H
#define CCMETRICS_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/addr.h"
#include "ccmetrics/capture.h"
#include "ccmetrics/hep.h"
#include "ccmetrics/ipfrag.h"
#include "ccmetrics/payload.h"
#include "ccmetrics/tcpstream.h"

/* Drops by reason; every packet handed in is counted once in packets. */
struct decode_stats {
	uint64_t		packets;
	uint64_t		payloads;	/* handed to the sink */
	uint64_t		truncated;
	uint64_t		bad_link;	/* unknown ethertype or link type */
	uint64_t		bad_ip;
	uint64_t		not_sip_port;	/* UDP or TCP, no SIP/HEP port */
	uint64_t		other_proto;
	struct ipfrag_stats	ipfrag;		/* IPv4 and IPv6 fragments */
	struct tcpstream_stats	tcp;		/* SIP over TCP */
	struct hep_stats	hep;		/* HEP on capture.hep_ports */
};

struct decoder;

/* 0 when the link type is one we decode, -1 otherwise. */
int		 decode_linktype_supported(int linktype);
struct decoder	*decode_create(const uint16_t *ports, size_t nports,
		    payload_sink sink, void *arg);
/* UDP destination ports whose datagrams are HEPv3 (capture.hep_ports). */
void		 decode_set_hep_ports(struct decoder *dec,
		    const uint16_t *ports, size_t nports);
void		 decode_packet(struct decoder *dec,
		    const struct capture_packet *pkt);
/* Time out fragments and TCP holes and streams on packet time. */
void		 decode_expire(struct decoder *dec, int64_t now_us);
/* End of input: hand on what TCP holds after holes never filled. */
void		 decode_flush(struct decoder *dec);
const struct decode_stats *decode_get_stats(struct decoder *dec);
void		 decode_free(struct decoder *dec);

#endif
