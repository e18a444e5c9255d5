/* SPDX-License-Identifier: BSD-2-Clause */
/* test_log.c: unit tests of the log module: levels, one line, rate limit. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/log.h"

static int64_t	fake_now_us;

static int64_t
fake_clock(void)
{
	return (fake_now_us);
}

struct capture {
	char	*text;
	size_t	 len;
	FILE	*f;
};

static void
capture_start(struct capture *c)
{
	c->text = NULL;
	c->len = 0;
	c->f = open_memstream(&c->text, &c->len);
	assert_non_null(c->f);
	fake_now_us = 1000000;
	log_open("test", LOG_LEVEL_INFO);
	log_set_output(c->f, fake_clock);
}

/* Stop capturing; the text written, owned by the caller. */
static char *
capture_end(struct capture *c)
{
	log_set_output(NULL, NULL);
	assert_int_equal(fclose(c->f), 0);
	return (c->text);
}

static int
count_lines(const char *text, const char *needle)
{
	const char	*p;
	int		 n = 0;

	for (p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return (n);
}

static void
each_message_is_one_line_with_its_level(void **state)
{
	struct capture	c;
	char		*text;

	(void)state;
	capture_start(&c);
	log_warn("bad packet from %s", "10.0.0.1");
	log_err("disk %d full", 2);
	log_debug("not shown at info");
	text = capture_end(&c);
	assert_string_equal(text, "test: warning: bad packet from 10.0.0.1\n"
	    "test: error: disk 2 full\n");
	free(text);
}

static void
levels_filter_what_is_written(void **state)
{
	struct capture	c;
	char		*text;

	(void)state;
	capture_start(&c);
	log_set_level(LOG_LEVEL_WARN);
	log_info("hidden");
	log_warn("shown");
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("debug %s", "too");
	assert_int_equal(log_get_level(), LOG_LEVEL_DEBUG);
	text = capture_end(&c);
	assert_string_equal(text, "test: warning: shown\n"
	    "test: debug: debug too\n");
	free(text);
}

static void
flood_from_one_site_is_cut_to_ten_lines_then_counted(void **state)
{
	struct capture	c;
	char		*text;
	int		 i;

	(void)state;
	capture_start(&c);
	for (i = 0; i < 25; i++)
		log_warn("flood %d", i);
	/* Another call site is not held back by the flood. */
	log_warn("other site");
	/* 10 s later the window starts again, after the count. */
	fake_now_us += 10 * 1000000LL;
	log_warn("flood %d", 99);
	text = capture_end(&c);
	assert_int_equal(count_lines(text, "test: warning: flood "), 11);
	assert_non_null(strstr(text, "test: warning: flood 9\n"));
	assert_null(strstr(text, "flood 10\n"));
	assert_non_null(strstr(text, "test: warning: other site\n"
	    "test: warning: 15 more messages like \"flood %d\" suppressed in "
	    "10 s\ntest: warning: flood 99\n"));
	free(text);
}

static void
tick_reports_a_flood_that_stopped(void **state)
{
	struct capture	c;
	char		*text;
	int		 i;

	(void)state;
	capture_start(&c);
	for (i = 0; i < 12; i++)
		log_err("burst %d", i);
	log_tick();		/* within the window: nothing yet */
	fake_now_us += 9 * 1000000LL;
	log_tick();
	fake_now_us += 1000000LL;
	log_tick();
	log_tick();		/* reported once */
	text = capture_end(&c);
	assert_int_equal(count_lines(text, "test: error: burst "), 10);
	assert_int_equal(count_lines(text, "2 more messages like \"burst %d\""
	    " suppressed"), 1);
	free(text);
}

/* Reload errors are never held back: an operator must see every one. */
static void
unlimited_errors_are_never_suppressed(void **state)
{
	struct capture	c;
	char		*text;
	int		 i;

	(void)state;
	capture_start(&c);
	for (i = 0; i < 25; i++)
		log_err_unlimited("reload: %d", i);
	log_tick();
	fake_now_us += 10 * 1000000LL;
	log_tick();
	text = capture_end(&c);
	assert_int_equal(count_lines(text, "test: error: reload: "), 25);
	assert_non_null(strstr(text, "test: error: reload: 24\n"));
	assert_null(strstr(text, "suppressed"));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_message_is_one_line_with_its_level),
		cmocka_unit_test(levels_filter_what_is_written),
		cmocka_unit_test(
		    flood_from_one_site_is_cut_to_ten_lines_then_counted),
		cmocka_unit_test(tick_reports_a_flood_that_stopped),
		cmocka_unit_test(unlimited_errors_are_never_suppressed),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
