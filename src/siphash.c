/* SPDX-License-Identifier: BSD-2-Clause */
/* siphash.c: SipHash-2-4 and the per-process random key of the hash tables. */
#include "config.h"

#include <sys/random.h>

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ccmetrics/siphash.h"

/*
 * SipHash-c-d, from "SipHash: a fast short-input PRF" (Aumasson,
 * Bernstein, 2012), section 2: four 64-bit words of state initialised
 * from the key and constants; each 8-byte little-endian word m of the
 * message (the last one padded with zeros and the length mod 256 in its
 * top byte) goes in as v3 ^= m, c SipRounds, v0 ^= m; then v2 ^= 0xff,
 * d SipRounds, and the result is v0 ^ v1 ^ v2 ^ v3. Here c = 2, d = 4.
 */
#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

struct sipstate {
	uint64_t	v0, v1, v2, v3;
};

static inline __attribute__((always_inline)) void
sipround(struct sipstate *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static inline uint64_t
load_le64(const uint8_t *p, size_t n)
{
	uint64_t	w = 0;

	if (n == 8) {
		memcpy(&w, p, 8);
		return (le64toh(w));
	}
	while (n-- > 0)
		w |= (uint64_t)p[n] << (8 * n);
	return (w);
}

static inline __attribute__((always_inline)) void
sipcompress(struct sipstate *s, uint64_t m)
{
	s->v3 ^= m;
	sipround(s);
	sipround(s);
	s->v0 ^= m;
}

uint64_t
siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *p, size_t n)
{
	const uint8_t	*in = p;
	struct sipstate	 s;
	uint64_t	 k0 = load_le64(key, 8), k1 = load_le64(key + 8, 8);
	size_t		 left = n;

	s.v0 = k0 ^ 0x736f6d6570736575ULL;	/* "somepseu" */
	s.v1 = k1 ^ 0x646f72616e646f6dULL;	/* "dorandom" */
	s.v2 = k0 ^ 0x6c7967656e657261ULL;	/* "lygenera" */
	s.v3 = k1 ^ 0x7465646279746573ULL;	/* "tedbytes" */
	for (; left >= 8; in += 8, left -= 8)
		sipcompress(&s, load_le64(in, 8));
	sipcompress(&s, load_le64(in, left) | ((uint64_t)(n & 0xff) << 56));
	s.v2 ^= 0xff;
	sipround(&s);
	sipround(&s);
	sipround(&s);
	sipround(&s);
	return (s.v0 ^ s.v1 ^ s.v2 ^ s.v3);
}

static uint8_t	process_key[SIPHASH_KEY_LEN];
static int	process_key_set;

void
siphash_process_init(void)
{
	struct timespec	ts;
	size_t		got = 0;
	ssize_t		n;

	if (process_key_set)
		return;
	while (got < sizeof process_key) {
		n = getrandom(process_key + got, sizeof process_key - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof process_key) {
		/* No getrandom(): weaker, but still not known in advance. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		process_key[0] ^= (uint8_t)ts.tv_nsec;
		memcpy(process_key + 1, &ts.tv_nsec, 4);
		clock_gettime(CLOCK_REALTIME, &ts);
		memcpy(process_key + 5, &ts, sizeof ts < 8 ? sizeof ts : 8);
		process_key[13] ^= (uint8_t)getpid();
		process_key[14] ^= (uint8_t)(getpid() >> 8);
	}
	process_key_set = 1;
}

uint64_t
siphash_process(const void *p, size_t n)
{
	if (!process_key_set)
		siphash_process_init();
	return (siphash24(process_key, p, n));
}
