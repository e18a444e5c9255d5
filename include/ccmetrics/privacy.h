/* SPDX-License-Identifier: BSD-2-Clause */
/* privacy.h: what caller numbers look like once published (privacy.caller). */
#ifndef CCMETRICS_PRIVACY_H
#define CCMETRICS_PRIVACY_H

#include <stddef.h>

#include "ccmetrics/conf.h"

/* Room for any result: 64 hex digits of a hash, or a masked number. */
#define PRIVACY_MAX	128

struct privacy;

struct privacy	*privacy_create(const struct config *cfg);
void		 privacy_free(struct privacy *pv);
/*
 * number as it may be published: itself (clear, and empty or anonymous
 * numbers in every mode), or its hash or mask written to buf.
 */
const char	*privacy_number(const struct privacy *pv, const char *number,
		    char *buf, size_t len);
/* A SIP URI with its user part treated as privacy_number() does. */
const char	*privacy_uri(const struct privacy *pv, const char *uri,
		    char *buf, size_t len);

#endif
