/* SPDX-License-Identifier: BSD-2-Clause */
/* test_privacy.c: SHA-256, HMAC-SHA256 and the hashing and masking of numbers. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/conf.h"
#include "ccmetrics/privacy.h"
#include "ccmetrics/sha256.h"

static void
hex(const uint8_t *d, size_t n, char *out)
{
	size_t	i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void
expect_sha256(const void *data, size_t len, const char *want)
{
	uint8_t	md[SHA256_DIGEST_LEN];
	char	got[2 * SHA256_DIGEST_LEN + 1];

	sha256(data, len, md);
	hex(md, sizeof md, got);
	assert_string_equal(got, want);
}

/* FIPS 180-2 appendix B, and the million-'a' message fed in pieces. */
static void
sha256_matches_the_fips_180_2_examples(void **state)
{
	struct sha256	s;
	uint8_t		md[SHA256_DIGEST_LEN], a[1000];
	char		got[2 * SHA256_DIGEST_LEN + 1];
	int		i;

	(void)state;
	expect_sha256("abc", 3, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	expect_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	expect_sha256("", 0, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	memset(a, 'a', sizeof a);
	sha256_init(&s);
	for (i = 0; i < 1000; i++)
		sha256_update(&s, a, sizeof a);
	sha256_final(&s, md);
	hex(md, sizeof md, got);
	assert_string_equal(got, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
}

static void
expect_hmac(const void *key, size_t keylen, const void *data, size_t len,
    const char *want)
{
	uint8_t	md[SHA256_DIGEST_LEN];
	char	got[2 * SHA256_DIGEST_LEN + 1];

	hmac_sha256(key, keylen, data, len, md);
	hex(md, sizeof md, got);
	assert_string_equal(got, want);
}

/* RFC 4231 section 4: test cases 1, 2, 3, 4, 6 and 7. */
static void
hmac_sha256_matches_rfc_4231(void **state)
{
	uint8_t	key[131], data[50];
	size_t	i;

	(void)state;
	memset(key, 0x0b, 20);
	expect_hmac(key, 20, "Hi There", 8,
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	expect_hmac("Jefe", 4, "what do ya want for nothing?", 28,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	expect_hmac(key, 20, data, 50,
	    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
	for (i = 0; i < 25; i++)
		key[i] = (uint8_t)(i + 1);
	memset(data, 0xcd, 50);
	expect_hmac(key, 25, data, 50,
	    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
	memset(key, 0xaa, 131);
	expect_hmac(key, 131, "Test Using Larger Than Block-Size Key - Hash Key "
	    "First", 54,
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	expect_hmac(key, 131, "This is a test using a larger than block-size key "
	    "and a larger than block-size data. The key needs to be hashed "
	    "before being used by the HMAC algorithm.", 152,
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

static struct privacy *
make(int mode, const char *secret, int digits)
{
	struct config	cfg;

	memset(&cfg, 0, sizeof cfg);
	cfg.privacy_caller = mode;
	cfg.privacy_secret = (char *)secret;
	cfg.privacy_mask_digits = digits;
	return (privacy_create(&cfg));
}

static void
clear_mode_publishes_numbers_as_they_are(void **state)
{
	struct privacy	*pv = make(PRIVACY_CLEAR, NULL, 4);
	char		 buf[PRIVACY_MAX];
	const char	*n = "+15558215885";

	(void)state;
	assert_ptr_equal(privacy_number(pv, n, buf, sizeof buf), n);
	assert_string_equal(privacy_uri(pv, "sip:+15551234@x", buf,
	    sizeof buf), "sip:+15551234@x");
	privacy_free(pv);
}

static void
hash_is_the_keyed_hmac_in_hex_and_stable(void **state)
{
	struct privacy	*pv = make(PRIVACY_HASH, "0123456789abcdef", 4);
	struct privacy	*other = make(PRIVACY_HASH, "another secret key", 4);
	char		 a[PRIVACY_MAX], b[PRIVACY_MAX], want[65];
	uint8_t		 md[SHA256_DIGEST_LEN];

	(void)state;
	hmac_sha256("0123456789abcdef", 16, "+15558215885", 12, md);
	hex(md, sizeof md, want);
	assert_string_equal(privacy_number(pv, "+15558215885", a, sizeof a),
	    want);
	/* Equal numbers, equal hashes; another number or key, another. */
	assert_string_equal(privacy_number(pv, "+15558215885", b, sizeof b),
	    a);
	assert_string_not_equal(privacy_number(pv, "+15558215886", b,
	    sizeof b), a);
	assert_string_not_equal(privacy_number(other, "+15558215885", b,
	    sizeof b), a);
	assert_int_equal(strlen(a), 64);
	privacy_free(pv);
	privacy_free(other);
}

static void
mask_keeps_the_last_digits_and_a_leading_plus(void **state)
{
	struct privacy	*pv = make(PRIVACY_MASK, NULL, 4);
	struct privacy	*none = make(PRIVACY_MASK, NULL, 0);
	char		 buf[PRIVACY_MAX];

	(void)state;
	assert_string_equal(privacy_number(pv, "+15558215885", buf,
	    sizeof buf), "+xxxxxxx5885");
	assert_string_equal(privacy_number(pv, "05558215885", buf,
	    sizeof buf), "xxxxxxx5885");
	assert_string_equal(privacy_number(pv, "123", buf, sizeof buf),
	    "123");
	assert_string_equal(privacy_number(pv, "alice", buf, sizeof buf),
	    "xxxxx");
	assert_string_equal(privacy_number(pv, "55-12-34", buf, sizeof buf),
	    "xxx12x34");
	assert_string_equal(privacy_number(none, "+15558215885", buf,
	    sizeof buf), "+xxxxxxxxxxx");
	privacy_free(pv);
	privacy_free(none);
}

static void
anonymous_and_empty_numbers_stay_in_every_mode(void **state)
{
	struct privacy	*pv = make(PRIVACY_HASH, "0123456789abcdef", 4);
	char		 buf[PRIVACY_MAX];

	(void)state;
	assert_string_equal(privacy_number(pv, "", buf, sizeof buf), "");
	assert_string_equal(privacy_number(pv, "anonymous", buf, sizeof buf),
	    "anonymous");
	assert_string_equal(privacy_number(pv, "Restricted", buf, sizeof buf),
	    "Restricted");
	assert_null(privacy_number(pv, NULL, buf, sizeof buf));
	privacy_free(pv);
}

static void
uri_user_part_is_masked_and_the_rest_kept(void **state)
{
	struct privacy	*pv = make(PRIVACY_MASK, NULL, 2);
	char		 buf[PRIVACY_MAX + 256];

	(void)state;
	assert_string_equal(privacy_uri(pv, "sip:+15551234@10.0.0.10;user=phone",
	    buf, sizeof buf), "sip:+xxxxxx34@10.0.0.10;user=phone");
	assert_string_equal(privacy_uri(pv, "<sips:5551234@pbx>", buf,
	    sizeof buf), "<sips:xxxxx34@pbx>");
	assert_string_equal(privacy_uri(pv, "tel:+15551234;phone-context=x",
	    buf, sizeof buf), "tel:+xxxxxx34;phone-context=x");
	/* No user part: nothing to hide. */
	assert_string_equal(privacy_uri(pv, "sip:pbx.example.com", buf,
	    sizeof buf), "sip:pbx.example.com");
	privacy_free(pv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_matches_the_fips_180_2_examples),
		cmocka_unit_test(hmac_sha256_matches_rfc_4231),
		cmocka_unit_test(clear_mode_publishes_numbers_as_they_are),
		cmocka_unit_test(hash_is_the_keyed_hmac_in_hex_and_stable),
		cmocka_unit_test(mask_keeps_the_last_digits_and_a_leading_plus),
		cmocka_unit_test(anonymous_and_empty_numbers_stay_in_every_mode),
		cmocka_unit_test(uri_user_part_is_masked_and_the_rest_kept),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
