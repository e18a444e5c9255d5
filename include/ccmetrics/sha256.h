/* SPDX-License-Identifier: BSD-2-Clause */
/* sha256.h: SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), small and plain. */
#ifndef CCMETRICS_SHA256_H
#define CCMETRICS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN	32
#define SHA256_BLOCK_LEN	64

struct sha256 {
	uint32_t	h[8];
	uint64_t	bytes;		/* message length so far */
	uint8_t		buf[SHA256_BLOCK_LEN];
	size_t		nbuf;
};

void	sha256_init(struct sha256 *s);
void	sha256_update(struct sha256 *s, const void *data, size_t len);
void	sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_LEN]);
void	sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN]);
void	hmac_sha256(const void *key, size_t keylen, const void *data,
	    size_t len, uint8_t out[SHA256_DIGEST_LEN]);

#endif
