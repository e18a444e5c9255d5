/* SPDX-License-Identifier: BSD-2-Clause */
/* test_strmap.c: the keyed string hash: SipHash vectors and flooding. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/siphash.h"
#include "ccmetrics/strmap.h"

#define FLOOD_KEYS	4096	/* the map has 4096 buckets at this count */
#define FLOOD_BITS	12	/* keys collide in this many low bits */
#define CHAIN_MAX	32	/* a keyed hash: P(any chain >= 32) < 1e-30 */

/*
 * The paper's appendix A: key 00 01 .. 0f, message 00 01 .. 0e gives
 * a129ca6149be45e5; and from the authors' table of 64 vectors (message
 * 00 .. n-1 for n = 0 .. 63), n = 0, 1, 8 and 63.
 */
static void
siphash24_matches_the_published_vectors(void **state)
{
	uint8_t	key[SIPHASH_KEY_LEN], msg[64];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(siphash24(key, msg, 15), 0xa129ca6149be45e5ULL);
	assert_int_equal(siphash24(key, msg, 0), 0x726fdb47dd0e0e31ULL);
	assert_int_equal(siphash24(key, msg, 1), 0x74f839c593dc67fdULL);
	assert_int_equal(siphash24(key, msg, 8), 0x93f5f5799a932462ULL);
	assert_int_equal(siphash24(key, msg, 63), 0x958a324ceb064572ULL);
}

/* The process key is drawn once: the same string, the same hash. */
static void
siphash_process_key_is_stable_within_a_process(void **state)
{
	(void)state;
	assert_int_equal(siphash_process("abc", 3), siphash_process("abc", 3));
	assert_int_equal(strmap_hash("abc"), siphash_process("abc", 3));
	assert_true(siphash_process("abc", 3) != siphash_process("abd", 3));
}

/* What an attacker computes: FNV-1a, public and unkeyed. */
static uint64_t
fnv1a(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return (h);
}

/*
 * Call-IDs chosen so that FNV-1a puts them all in one bucket of a table
 * of 2^FLOOD_BITS buckets (anyone who can call the PBX picks a Call-ID).
 */
static void
strmap_keyed_hash_spreads_chosen_collisions(void **state)
{
	struct strmap	*m;
	char		 key[64];
	uint64_t	 want = 0, i, found = 0;

	(void)state;
	m = strmap_create();
	for (i = 0; found < FLOOD_KEYS; i++) {
		snprintf(key, sizeof key, "%016llx@attacker.example",
		    (unsigned long long)i);
		if (i == 0)
			want = fnv1a(key) & ((1u << FLOOD_BITS) - 1);
		if ((fnv1a(key) & ((1u << FLOOD_BITS) - 1)) != want)
			continue;
		strmap_put(m, key, m);
		found++;
	}
	assert_int_equal(strmap_count(m), FLOOD_KEYS);
	if (strmap_max_chain(m) >= CHAIN_MAX)
		fail_msg("longest chain %zu, want < %d", strmap_max_chain(m),
		    CHAIN_MAX);
	strmap_free(m);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(siphash24_matches_the_published_vectors),
		cmocka_unit_test(
		    siphash_process_key_is_stable_within_a_process),
		cmocka_unit_test(strmap_keyed_hash_spreads_chosen_collisions),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
