/* SPDX-License-Identifier: BSD-2-Clause */
/* siphash.h: SipHash-2-4, the keyed hash of every table an outsider fills. */
#ifndef CCMETRICS_SIPHASH_H
#define CCMETRICS_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN	16

/* SipHash-2-4 (Aumasson and Bernstein, 2012) of p[0..n) under key. */
uint64_t	 siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *p,
		    size_t n);
/*
 * The same under this process's key: 16 random bytes drawn once, at the
 * first call, so collisions cannot be computed from outside. Nothing
 * published may depend on its values (replays stay byte-identical).
 */
uint64_t	 siphash_process(const void *p, size_t n);
/* Draw the process key now (main calls it before any thread starts). */
void		 siphash_process_init(void);

#endif
