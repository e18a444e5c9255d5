/* SPDX-License-Identifier: BSD-2-Clause */
/* test_addr.c: unit tests of addresses, CIDR prefixes and address sets. */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/addr.h"

/* Parse s into a set of one prefix; fail the test if it does not parse. */
static void
set_of(struct addrset *set, const char *s)
{
	struct cidr	c;

	assert_int_equal(cidr_parse(s, &c), 0);
	addrset_add(set, &c);
}

/* Whether the address s lies in the one-prefix set of cidr. */
static int
in(const char *cidr, const char *s)
{
	struct addrset	set = { NULL, 0 };
	struct addr	a;
	int		r;

	set_of(&set, cidr);
	assert_int_equal(addr_parse(s, &a), 0);
	r = addrset_contains(&set, &a);
	addrset_free(&set);
	return (r);
}

static void
ipv4_address_parses_into_four_bytes(void **state)
{
	struct addr	a;
	const uint8_t	want[4] = { 10, 0, 0, 10 };

	(void)state;
	assert_int_equal(addr_parse("10.0.0.10", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_memory_equal(a.bytes, want, 4);
}

static void
ipv6_address_parses_into_sixteen_bytes(void **state)
{
	struct addr	a;
	uint8_t		want[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	(void)state;
	want[15] = 1;
	assert_int_equal(addr_parse("2001:db8::1", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_memory_equal(a.bytes, want, 16);
}

static void
host_without_prefix_is_slash_32_or_128(void **state)
{
	struct cidr	c;

	(void)state;
	assert_int_equal(cidr_parse("10.0.0.10", &c), 0);
	assert_int_equal(c.prefix, 32);
	assert_int_equal(cidr_parse("::1", &c), 0);
	assert_int_equal(c.net.family, AF_INET6);
	assert_int_equal(c.prefix, 128);
}

static void
ipv4_host_matches_only_itself(void **state)
{
	(void)state;
	assert_true(in("10.0.0.10", "10.0.0.10"));
	assert_false(in("10.0.0.10", "10.0.0.11"));
	assert_true(in("10.0.0.10/32", "10.0.0.10"));
	assert_false(in("10.0.0.10/32", "10.0.0.9"));
}

static void
ipv4_prefix_16_matches_its_range_only(void **state)
{
	(void)state;
	assert_true(in("10.1.0.0/16", "10.1.0.0"));
	assert_true(in("10.1.0.0/16", "10.1.255.255"));
	assert_false(in("10.1.0.0/16", "10.2.0.0"));
	assert_false(in("10.1.0.0/16", "10.0.255.255"));
}

static void
ipv4_prefix_8_matches_its_range_only(void **state)
{
	(void)state;
	assert_true(in("10.0.0.0/8", "10.200.3.4"));
	assert_false(in("10.0.0.0/8", "11.0.0.0"));
}

static void
prefix_not_on_a_byte_boundary_matches_its_range(void **state)
{
	(void)state;
	assert_true(in("192.0.2.0/25", "192.0.2.127"));
	assert_false(in("192.0.2.0/25", "192.0.2.128"));
	assert_true(in("2001:db8::/33", "2001:db8:7fff::1"));
	assert_false(in("2001:db8::/33", "2001:db8:8000::1"));
}

static void
prefix_0_matches_every_address_of_its_family(void **state)
{
	(void)state;
	assert_true(in("0.0.0.0/0", "255.255.255.255"));
	assert_true(in("0.0.0.0/0", "1.2.3.4"));
	assert_false(in("0.0.0.0/0", "::1"));
	assert_true(in("::/0", "2001:db8::1"));
	assert_false(in("::/0", "10.0.0.1"));
}

static void
ipv6_prefix_32_matches_its_range_only(void **state)
{
	(void)state;
	assert_true(in("2001:db8::/32", "2001:db8::1"));
	assert_true(in("2001:db8::/32", "2001:db8:ffff:ffff::1"));
	assert_false(in("2001:db8::/32", "2001:db9::1"));
}

static void
ipv6_prefix_128_matches_only_itself(void **state)
{
	(void)state;
	assert_true(in("::1/128", "::1"));
	assert_false(in("::1/128", "::2"));
	assert_true(in("::1", "::1"));
}

static void
host_bits_past_the_prefix_are_masked_off(void **state)
{
	struct cidr	c;
	char		buf[ADDR_STRLEN];

	(void)state;
	assert_int_equal(cidr_parse("10.1.2.3/16", &c), 0);
	assert_int_equal(c.prefix, 16);
	assert_string_equal(addr_format(&c.net, buf, sizeof buf), "10.1.0.0");
	assert_true(in("10.1.2.3/16", "10.1.200.1"));
	assert_int_equal(cidr_parse("2001:db8:1:2::5/32", &c), 0);
	assert_string_equal(addr_format(&c.net, buf, sizeof buf),
	    "2001:db8::");
}

static void
ipv4_never_matches_an_ipv6_prefix(void **state)
{
	(void)state;
	/* ::ffff:10.0.0.10 is another family: no implicit mapping. */
	assert_false(in("::ffff:10.0.0.10", "10.0.0.10"));
	assert_false(in("10.0.0.10", "::ffff:10.0.0.10"));
}

static void
bad_addresses_and_prefixes_are_rejected(void **state)
{
	static const char *bad[] = {
		"", "10.0.0.300", "10.0.0", "host.example", "10.0.0.1 ",
		" 10.0.0.1", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1",
		"10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0.0/8x", "10.0.0.0/0008",
		"10/8", "/8", "::/129", "2001:db8::/1280", "2001:db8:::1",
		"[::1]", "10.0.0.0/8/8", "fe80::1%eth0",
	};
	struct cidr	c;
	struct addr	a;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (cidr_parse(bad[i], &c) == 0)
			fail_msg("cidr_parse accepted \"%s\"", bad[i]);
	}
	assert_int_equal(addr_parse("10.0.0.0/8", &a), -1);
	assert_int_equal(addr_parse("", &a), -1);
}

static void
addr_equal_compares_family_and_bytes(void **state)
{
	struct addr	a, b, c;

	(void)state;
	assert_int_equal(addr_parse("10.0.0.1", &a), 0);
	assert_int_equal(addr_parse("10.0.0.1", &b), 0);
	assert_int_equal(addr_parse("::a00:1", &c), 0);
	assert_true(addr_equal(&a, &b));
	assert_false(addr_equal(&a, &c));
	assert_int_equal(addr_parse("10.0.0.2", &b), 0);
	assert_false(addr_equal(&a, &b));
}

static void
addr_format_round_trips_and_never_overflows(void **state)
{
	struct addr	a;
	char		buf[ADDR_STRLEN], tiny[4];

	(void)state;
	assert_int_equal(addr_parse("2001:DB8:0:0::1", &a), 0);
	assert_string_equal(addr_format(&a, buf, sizeof buf), "2001:db8::1");
	assert_int_equal(addr_parse("192.0.2.1", &a), 0);
	assert_string_equal(addr_format(&a, buf, sizeof buf), "192.0.2.1");
	assert_string_equal(addr_format(&a, tiny, sizeof tiny), "?");
	memset(&a, 0, sizeof a);
	assert_string_equal(addr_format(&a, buf, sizeof buf), "?");
}

static void
set_of_several_prefixes_matches_any_of_them(void **state)
{
	struct addrset	set = { NULL, 0 };
	struct addr	a;

	(void)state;
	set_of(&set, "10.0.0.10");
	set_of(&set, "192.0.2.0/24");
	set_of(&set, "2001:db8::/32");
	assert_int_equal(set.n, 3);
	assert_int_equal(addr_parse("192.0.2.77", &a), 0);
	assert_true(addrset_contains(&set, &a));
	assert_int_equal(addr_parse("2001:db8::77", &a), 0);
	assert_true(addrset_contains(&set, &a));
	assert_int_equal(addr_parse("10.0.0.11", &a), 0);
	assert_false(addrset_contains(&set, &a));
	addrset_free(&set);
	assert_null(set.v);
	assert_int_equal(set.n, 0);
	assert_false(addrset_contains(&set, &a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_address_parses_into_four_bytes),
		cmocka_unit_test(ipv6_address_parses_into_sixteen_bytes),
		cmocka_unit_test(host_without_prefix_is_slash_32_or_128),
		cmocka_unit_test(ipv4_host_matches_only_itself),
		cmocka_unit_test(ipv4_prefix_16_matches_its_range_only),
		cmocka_unit_test(ipv4_prefix_8_matches_its_range_only),
		cmocka_unit_test(prefix_not_on_a_byte_boundary_matches_its_range),
		cmocka_unit_test(prefix_0_matches_every_address_of_its_family),
		cmocka_unit_test(ipv6_prefix_32_matches_its_range_only),
		cmocka_unit_test(ipv6_prefix_128_matches_only_itself),
		cmocka_unit_test(host_bits_past_the_prefix_are_masked_off),
		cmocka_unit_test(ipv4_never_matches_an_ipv6_prefix),
		cmocka_unit_test(bad_addresses_and_prefixes_are_rejected),
		cmocka_unit_test(addr_equal_compares_family_and_bytes),
		cmocka_unit_test(addr_format_round_trips_and_never_overflows),
		cmocka_unit_test(set_of_several_prefixes_matches_any_of_them),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
