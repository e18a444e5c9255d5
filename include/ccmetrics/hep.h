/* SPDX-License-Identifier: BSD-2-Clause */
/* hep.h: HEPv3 (HEP/EEP) packets into SIP-carrying payloads. */
#ifndef CCMETRICS_HEP_H
#define CCMETRICS_HEP_H

#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/payload.h"

struct hep_stats {
	uint64_t	packets;	/* HEP datagrams handed in */
	uint64_t	payloads;	/* SIP payloads handed on */
	uint64_t	bad;		/* not HEPv3, malformed, a chunk missing,
					   compressed payload */
	uint64_t	not_sip;	/* well formed, another protocol type */
};

/*
 * Decode one HEPv3 packet into *pl, with HEP's own addresses, ports and
 * timestamp; pl->data points into buf. Returns 0 for a SIP payload, 1 for
 * a well-formed packet of another protocol type, -1 for a bad one.
 */
int	hep_decode(const uint8_t *buf, size_t len, struct payload *pl);
/* hep_decode, counted in st; a SIP payload goes to sink. */
void	hep_input(const uint8_t *buf, size_t len, struct hep_stats *st,
	    payload_sink sink, void *arg);

#endif
