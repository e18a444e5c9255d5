/* SPDX-License-Identifier: BSD-2-Clause */
/* payload.h: a transport payload that may carry SIP, from decode to sip. */
#ifndef CCMETRICS_PAYLOAD_H
#define CCMETRICS_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/addr.h"

#define DECODE_UDP	17
#define DECODE_TCP	6

struct endpoint {
	struct addr	ip;
	uint16_t	port;
};

/*
 * One transport payload that may carry SIP; valid during the sink call.
 * ts_us is the time of the packet that completed it (the last fragment,
 * the segment ending a TCP message) or the HEP timestamp.
 */
struct payload {
	int64_t		 ts_us;
	struct endpoint	 src;
	struct endpoint	 dst;
	uint8_t		 transport;	/* DECODE_UDP, DECODE_TCP */
	const uint8_t	*data;
	size_t		 len;
};

typedef void (*payload_sink)(const struct payload *, void *);

#endif
