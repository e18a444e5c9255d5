/* decode.h: link, IP and transport decoding down to SIP-carrying payloads. */
#ifndef CCMETRICS_DECODE_H
#define CCMETRICS_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/addr.h"
#include "ccmetrics/capture.h"

#define DECODE_UDP	17
#define DECODE_TCP	6

struct endpoint {
	struct addr	ip;
	uint16_t	port;
};

/* One transport payload that may carry SIP; valid during the sink call. */
struct payload {
	int64_t		 ts_us;
	struct endpoint	 src;
	struct endpoint	 dst;
	uint8_t		 transport;	/* DECODE_UDP, DECODE_TCP */
	const uint8_t	*data;
	size_t		 len;
};

/* Drops by reason; every packet handed in is counted once in packets. */
struct decode_stats {
	uint64_t	packets;
	uint64_t	payloads;	/* handed to the sink */
	uint64_t	truncated;
	uint64_t	bad_link;	/* unknown ethertype or link type */
	uint64_t	bad_ip;
	uint64_t	not_sip_port;
	uint64_t	fragments;	/* not reassembled yet */
	uint64_t	tcp;		/* not reassembled yet */
	uint64_t	other_proto;
};

typedef void (*payload_sink)(const struct payload *, void *);

struct decoder;

/* 0 when the link type is one we decode, -1 otherwise. */
int		 decode_linktype_supported(int linktype);
struct decoder	*decode_create(const uint16_t *ports, size_t nports,
		    payload_sink sink, void *arg);
void		 decode_packet(struct decoder *dec,
		    const struct capture_packet *pkt);
const struct decode_stats *decode_get_stats(const struct decoder *dec);
void		 decode_free(struct decoder *dec);

#endif
