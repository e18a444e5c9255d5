/* SPDX-License-Identifier: BSD-2-Clause */
/* decode-fuzzer.c: one captured packet through decode; byte 0 picks the link type. */
#include "config.h"

#include <pcap/dlt.h>
#include <stdint.h>
#include <stdlib.h>

#include "ccmetrics/decode.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const int linktypes[] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP,
	DLT_RAW, DLT_IPV4, DLT_IPV6
};
static const uint16_t ports[] = { 5060, 5080 };
static const uint16_t hep_ports[] = { 9060 };

/* Read every byte handed on, so ASan sees any out-of-bounds payload. */
static void
on_payload(const struct payload *pl, void *arg)
{
	unsigned int	*sum = arg;
	size_t		 i;

	if (pl->transport != DECODE_UDP && pl->transport != DECODE_TCP)
		abort();
	for (i = 0; i < pl->len; i++)
		*sum += pl->data[i];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capture_packet	 pkt;
	struct decoder		*dec;
	const struct decode_stats *st;
	unsigned int		 sum = 0;

	if (size < 1)
		return (0);
	dec = decode_create(ports, sizeof ports / sizeof ports[0], on_payload,
	    &sum);
	decode_set_hep_ports(dec, hep_ports, sizeof hep_ports /
	    sizeof hep_ports[0]);
	pkt.ts_us = 1795424400000000LL;
	pkt.linktype = linktypes[data[0] % (sizeof linktypes /
	    sizeof linktypes[0])];
	pkt.data = data + 1;
	pkt.caplen = pkt.len = (uint32_t)(size - 1);
	decode_packet(dec, &pkt);
	/* What a fragment or a TCP segment left behind, as main.c ends. */
	decode_expire(dec, pkt.ts_us + 3600 * 1000000LL);
	decode_flush(dec);
	st = decode_get_stats(dec);
	/* Every packet is counted once, and dropped for one reason at most. */
	if (st->packets != 1 || st->truncated + st->bad_link + st->bad_ip +
	    st->not_sip_port + st->other_proto > 1)
		abort();
	decode_free(dec);
	return (0);
}
