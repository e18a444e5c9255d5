/* SPDX-License-Identifier: BSD-2-Clause */
/* test_erlang.c: Erlang C against the test vectors of DESIGN.md section 4. */

#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ccmetrics/erlang.h"

/* |got - want| <= tol, printing both when not. */
#define expect_close(got, want, tol) \
	expect_close_at((got), (want), (tol), #got, __FILE__, __LINE__)

static void
expect_close_at(double got, double want, double tol, const char *what,
    const char *file, int line)
{
	if (!(got - want <= tol && want - got <= tol)) {
		print_error("%s: expected %.6f (+/- %g), got %.6f\n", what, want,
		    tol, got);
		_fail(file, line);
	}
}

/* 100 calls in 30 min, AHT 180 s: A = 100 / 1800 * 180 = 10 erlangs. */
static void
ten_erlangs_on_14_agents_wait_with_p_0_174132(void **state)
{
	(void)state;
	/* DESIGN.md 4.1 gives the same case to six places. */
	expect_close(erlang_c_pwait(14, 100.0 / 1800.0 * 180.0), 0.174132,
	    5e-7);
}

static void
ten_erlangs_on_14_agents_answer_0_888350_within_20_s(void **state)
{
	(void)state;
	expect_close(erlang_c_service_level(14, 10.0, 180.0, 20.0), 0.888350,
	    5e-7);
}

static void
thousand_calls_an_hour_at_aht_120_s_need_38_agents_for_80_percent_in_20_s(
    void **state)
{
	double	lambda = 1000.0 / 3600.0, a = lambda * 120.0;

	(void)state;
	assert_int_equal(erlang_c_agents(lambda, 120.0, 20.0, 0.80), 38);
	expect_close(erlang_c_service_level(38, a, 120.0, 20.0), 0.8468, 5e-5);
	/* 38 is the smallest: one agent fewer misses the target. */
	if (!(erlang_c_service_level(37, a, 120.0, 20.0) < 0.80))
		fail_msg("37 agents: expected SL < 0.80, got %.6f",
		    erlang_c_service_level(37, a, 120.0, 20.0));
}

static void
agents_at_or_below_the_load_always_wait_and_serve_nothing_in_time(
    void **state)
{
	(void)state;
	expect_close(erlang_c_pwait(10, 10.0), 1.0, 0);
	expect_close(erlang_c_pwait(9, 10.0), 1.0, 0);
	expect_close(erlang_c_service_level(10, 10.0, 180.0, 20.0), 0.0, 0);
	/* One agent more than the load: a wait probability below 1. */
	if (!(erlang_c_pwait(11, 10.0) < 1.0))
		fail_msg("pwait(11, 10): expected < 1, got %.6f",
		    erlang_c_pwait(11, 10.0));
}

static void
staffing_without_load_or_handle_time_is_undefined(void **state)
{
	(void)state;
	assert_int_equal(erlang_c_agents(0.0, 120.0, 20.0, 0.80), -1);
	assert_int_equal(erlang_c_agents(0.1, 0.0, 20.0, 0.80), -1);
	assert_int_equal(erlang_c_agents(-1.0, 120.0, 20.0, 0.80), -1);
	assert_int_equal(erlang_c_agents(0.1, 120.0, -1.0, 0.80), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ten_erlangs_on_14_agents_wait_with_p_0_174132),
		cmocka_unit_test(
		    ten_erlangs_on_14_agents_answer_0_888350_within_20_s),
		cmocka_unit_test(
		    thousand_calls_an_hour_at_aht_120_s_need_38_agents_for_80_percent_in_20_s),
		cmocka_unit_test(
		    agents_at_or_below_the_load_always_wait_and_serve_nothing_in_time),
		cmocka_unit_test(staffing_without_load_or_handle_time_is_undefined),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
