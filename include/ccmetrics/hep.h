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
	/* The listener only: */
	uint64_t	refused;	/* not from hep_sources, or wrong key */
	uint64_t	kernel_drops;	/* lost in the socket's buffer */
};

/*
 * Decode one HEPv3 packet into *pl, with HEP's own addresses, ports and
 * timestamp; pl->data points into buf. Returns 0 for a SIP payload, 1 for
 * a well-formed packet of another protocol type, -1 for a bad one.
 */
int	hep_decode(const uint8_t *buf, size_t len, struct payload *pl);
/*
 * The auth key chunk (vendor 0, type 14) of a well-framed HEPv3 packet:
 * 0 and *key, *keylen; -1 when there is none.
 */
int	hep_auth_key(const uint8_t *buf, size_t len, const uint8_t **key,
	    size_t *keylen);
/* hep_decode, counted in st; a SIP payload goes to sink. */
void	hep_input(const uint8_t *buf, size_t len, struct hep_stats *st,
	    payload_sink sink, void *arg);

#endif
