/* SPDX-License-Identifier: BSD-2-Clause */
/* test_jsonw.c: the JSON writer gives the text jansson's json_dumps gave. */

#include "config.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ccmetrics/jsonw.h"

#define DUMP_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(15))

/* What the publisher wrote before: json_dumps of {"k": value}. */
static void
assert_same_as_jansson(struct jsonw *w, json_t *value)
{
	json_t	*o = json_object();
	char	*want;

	json_object_set_new(o, "k", value);
	want = json_dumps(o, DUMP_FLAGS);
	jsonw_raw(w, "}", 1);
	jsonw_raw(w, "", 0);
	assert_int_equal(w->len, strlen(want));
	assert_memory_equal(w->buf, want, w->len);
	free(want);
	json_decref(o);
}

static void
seconds_print_as_jansson_prints_ms_over_1000(void **state)
{
	static const int64_t	ms[] = { 0, 1, 5, 10, 100, 999, 1000, 1001,
	    1010, 1500, 20000, 86400000, 123456789, -1, -1500, -1000,
	    999999999999999LL, -999999999999999LL, 1000000000000000LL,
	    1234567890123456LL };
	struct jsonw	w;
	size_t		i;
	int64_t		v;

	(void)state;
	jsonw_init(&w);
	for (i = 0; i < sizeof ms / sizeof ms[0] + 20000; i++) {
		v = i < sizeof ms / sizeof ms[0] ? ms[i] :
		    (int64_t)(random() % 100000000) - 1000;
		jsonw_reset(&w);
		jsonw_raw(&w, "{", 1);
		jsonw_ms(&w, "k", v);
		assert_same_as_jansson(&w, json_real((double)v / 1000.0));
	}
	jsonw_free(&w);
}

static void
other_reals_print_as_jansson_prints_them(void **state)
{
	static const double	dv[] = { 0.0, 1.0, -1.0, 0.8, 0.1, 1.0 / 3,
	    2.0 / 3, 123456.789, 1e-5, 1.5e-7, 1e15, 1e16, 1.25e17, 1e100,
	    -2.5e-300, 3.0e21, 0.84678, 12.000000000000002 };
	struct jsonw	w;
	size_t		i;
	double		v;

	(void)state;
	jsonw_init(&w);
	for (i = 0; i < sizeof dv / sizeof dv[0] + 20000; i++) {
		v = i < sizeof dv / sizeof dv[0] ? dv[i] :
		    (double)random() / (double)(random() + 1) *
		    (i % 3 == 0 ? 1e-9 : i % 3 == 1 ? 1.0 : 1e12);
		jsonw_reset(&w);
		jsonw_raw(&w, "{", 1);
		jsonw_real(&w, "k", v);
		assert_same_as_jansson(&w, json_real(v));
	}
	jsonw_free(&w);
}

static void
integers_and_literals_print_as_jansson_prints_them(void **state)
{
	static const int64_t	iv[] = { 0, 1, -1, 42, 2147483647,
	    -2147483648LL, INT64_MAX, INT64_MIN };
	struct jsonw	w;
	size_t		i;

	(void)state;
	jsonw_init(&w);
	for (i = 0; i < sizeof iv / sizeof iv[0]; i++) {
		jsonw_reset(&w);
		jsonw_raw(&w, "{", 1);
		jsonw_int(&w, "k", iv[i]);
		assert_same_as_jansson(&w, json_integer(iv[i]));
	}
	jsonw_reset(&w);
	jsonw_raw(&w, "{", 1);
	jsonw_bool(&w, "k", 1);
	assert_same_as_jansson(&w, json_true());
	jsonw_reset(&w);
	jsonw_raw(&w, "{", 1);
	jsonw_bool(&w, "k", 0);
	assert_same_as_jansson(&w, json_false());
	jsonw_reset(&w);
	jsonw_raw(&w, "{", 1);
	jsonw_str_or_null(&w, "k", NULL);
	assert_same_as_jansson(&w, json_null());
	jsonw_free(&w);
}

static void
strings_are_escaped_as_jansson_escapes_them(void **state)
{
	static const char *const s[] = { "", "abc", "a\"b", "back\\slash",
	    "a/b", "tab\there", "nl\ncr\r", "\b\f", "\x01\x1f\x7f",
	    "caf\xc3\xa9", "\xe2\x82\xac euro", "\xf0\x9f\x98\x80",
	    "sip:+15550001111@10.0.0.10;user=phone" };
	struct jsonw	w;
	size_t		i;

	(void)state;
	jsonw_init(&w);
	for (i = 0; i < sizeof s / sizeof s[0]; i++) {
		jsonw_reset(&w);
		jsonw_raw(&w, "{", 1);
		jsonw_str(&w, "k", s[i]);
		assert_same_as_jansson(&w, json_string(s[i]));
	}
	jsonw_free(&w);
}

static void
invalid_utf8_becomes_replacement_characters(void **state)
{
	struct jsonw	w;

	(void)state;
	jsonw_init(&w);
	jsonw_str(&w, NULL, "a\xff" "b\xc0\xaf" "c\xed\xa0\x80");
	jsonw_raw(&w, "", 1);
	assert_string_equal(w.buf, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
	    "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	jsonw_free(&w);
}

static void
arrays_and_members_are_separated_by_commas(void **state)
{
	struct jsonw	w;

	(void)state;
	jsonw_init(&w);
	jsonw_raw(&w, "{", 1);
	jsonw_str(&w, "a", "x");
	jsonw_array_begin(&w, "legs");
	jsonw_array_end(&w);
	jsonw_array_begin(&w, "agents");
	jsonw_str(&w, NULL, "1001");
	jsonw_str(&w, NULL, "1002");
	jsonw_array_end(&w);
	jsonw_int(&w, "n", 2);
	jsonw_raw(&w, "}", 2);
	assert_string_equal(w.buf,
	    "{\"a\":\"x\",\"legs\":[],\"agents\":[\"1001\",\"1002\"],\"n\":2}");
	jsonw_free(&w);
}

/* The text of gmtime_r + snprintf, as publish_format_time wrote it. */
static void
reference_time(int64_t ts_us, char *buf, size_t len)
{
	struct tm	tm;
	time_t		secs;
	int64_t		ms;

	ms = ts_us >= 0 ? ts_us / 1000 : -((-ts_us + 999) / 1000);
	secs = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms - (int64_t)secs * 1000));
}

static void
times_print_as_gmtime_prints_them(void **state)
{
	static const int64_t	us[] = { 1, 999, 1000, 86399999999LL,
	    86400000000LL, 951782400000000LL /* 2000-02-29 */,
	    1795424400123456LL, 4102444800000000LL, 253402300799999000LL,
	    -1, -1000, -86400000001LL, -62167219200000000LL };
	char		want[64], got[64];
	size_t		i;
	int64_t		v;

	(void)state;
	for (i = 0; i < sizeof us / sizeof us[0] + 20000; i++) {
		v = i < sizeof us / sizeof us[0] ? us[i] :
		    ((int64_t)random() << 20 | random()) % 4102444800000000LL;
		reference_time(v, want, sizeof want);
		jsonw_format_time(v, got, sizeof got);
		assert_string_equal(got, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seconds_print_as_jansson_prints_ms_over_1000),
		cmocka_unit_test(other_reals_print_as_jansson_prints_them),
		cmocka_unit_test(integers_and_literals_print_as_jansson_prints_them),
		cmocka_unit_test(strings_are_escaped_as_jansson_escapes_them),
		cmocka_unit_test(invalid_utf8_becomes_replacement_characters),
		cmocka_unit_test(arrays_and_members_are_separated_by_commas),
		cmocka_unit_test(times_print_as_gmtime_prints_them),
	};

	srandom(1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
