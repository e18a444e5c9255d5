/* SPDX-License-Identifier: BSD-2-Clause */
/* test_erlang_a.c: Erlang A against DESIGN.md 4.1's vectors, staffing, and loads of thousands of erlangs. */

#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "ccmetrics/erlang.h"

#define PER_H(n)	((n) / 3600.0)
#define SL_T		20.0

/* |got - want| <= tol, printing both when not. */
static void
near(const char *what, double got, double want, double tol)
{
	if (!(fabs(got - want) <= tol)) {
		print_error("%s: got %.9f, want %.9f (+- %g)\n", what, got,
		    want, tol);
		fail();
	}
}

/* One row of DESIGN.md 4.1's table: six decimals, E[W] four. */
static void
row(double lambda, double aht, double patience, int n, double p_wait,
    double p_ab, double mean_wait, double sl)
{
	struct erlang_a	r;

	assert_int_equal(erlang_a(n, lambda, aht, patience, SL_T, &r), 0);
	near("P(W>0)", r.p_wait, p_wait, 5e-7);
	near("P(Ab)", r.p_abandon, p_ab, 5e-7);
	near("E[W]", r.mean_wait_s, mean_wait, 5e-5);
	near("SL(20 s)", r.service_level, sl, 5e-7);
}

static void
test_nobody_hangs_up_is_erlang_c(void **state)
{
	(void)state;
	row(PER_H(200), 180, INFINITY, 14, 0.174132, 0, 7.8359, 0.888350);
}

static void
test_patience_120s_at_14_agents(void **state)
{
	(void)state;
	row(PER_H(200), 180, 120, 14, 0.126976, 0.022839, 2.7407, 0.932730);
}

static void
test_patience_60s_at_38_agents(void **state)
{
	(void)state;
	row(PER_H(1000), 120, 60, 38, 0.198930, 0.028255, 1.6953, 0.957088);
}

static void
test_overloaded_9_agents_patience_90s(void **state)
{
	(void)state;
	/* A = 10 erlangs on 9 agents: stable only because callers leave. */
	row(PER_H(200), 180, 90, 9, 0.575764, 0.201103, 18.0993, 0.569641);
}

static void
test_patience_180s_at_33_agents(void **state)
{
	(void)state;
	row(PER_H(1000), 120, 180, 33, 0.596140, 0.066880, 12.0384, 0.703275);
}

/* A staffing result of DESIGN.md 4.1: N, SL and P(Ab) to four decimals. */
static void
staffing(double patience, double max_abandon, int want_n, double want_sl,
    double want_ab)
{
	struct erlang_a	r;
	int		n;

	n = erlang_a_agents(PER_H(1000), 120, patience, SL_T, 0.80,
	    max_abandon, &r);
	assert_int_equal(n, want_n);
	near("SL", r.service_level, want_sl, 5e-5);
	near("P(Ab)", r.p_abandon, want_ab, 5e-5);
	/* One agent fewer misses a goal: N is the smallest. */
	assert_int_equal(erlang_a(n - 1, PER_H(1000), 120, patience, SL_T,
	    &r), 0);
	assert_true(r.service_level < 0.80 || r.p_abandon > max_abandon);
}

static void
test_staffing_patience_180s_max_abandon_5pct_is_35(void **state)
{
	(void)state;
	staffing(180, 0.05, 35, 0.8226, 0.0413);
}

static void
test_staffing_patience_60s_no_abandon_goal_is_32(void **state)
{
	(void)state;
	staffing(60, 1.0, 32, 0.8153, 0.1026);
}

static void
test_staffing_patience_60s_max_abandon_5pct_is_36(void **state)
{
	(void)state;
	/* The abandon goal, not the service level, sets N here. */
	staffing(60, 0.05, 36, 0.9256, 0.0462);
}

static void
test_erlang_c_staffing_of_the_same_load_is_38(void **state)
{
	(void)state;
	assert_int_equal(erlang_a_agents(PER_H(1000), 120, INFINITY, SL_T,
	    0.80, 0.05, NULL), 38);
	assert_int_equal(erlang_c_agents(PER_H(1000), 120, SL_T, 0.80), 38);
}

static void
test_service_level_exactly_at_target_is_enough(void **state)
{
	struct erlang_a	r;

	(void)state;
	/* The target equal to the SL of N = 35 itself: 35 still does. */
	assert_int_equal(erlang_a(35, PER_H(1000), 120, 180, SL_T, &r), 0);
	assert_int_equal(erlang_a_agents(PER_H(1000), 120, 180, SL_T,
	    r.service_level, 1.0, NULL), 35);
	assert_int_equal(erlang_a_agents(PER_H(1000), 120, 180, SL_T,
	    nextafter(r.service_level, 2.0), 1.0, NULL), 36);
}

/*
 * 1,000 and 5,000 erlangs: no overflow (every figure a probability, the
 * SL monotone in N) and the staffing search ends. At A = 5,000 with
 * patience 60 s and AHT 180 s, half-time a third of AHT: the answer is
 * near A, never above 1.1 A for an 80 % target.
 */
static void
test_thousands_of_erlangs_stay_finite(void **state)
{
	struct erlang_a	r;
	double		erl[] = { 1000, 5000 }, lambda, prev;
	int		i, n;

	(void)state;
	for (i = 0; i < 2; i++) {
		lambda = erl[i] / 180.0;
		prev = -1;
		for (n = (int)(erl[i] * 0.8); n <= (int)(erl[i] * 1.2);
		    n += (int)(erl[i] / 50)) {
			assert_int_equal(erlang_a(n, lambda, 180, 60, SL_T,
			    &r), 0);
			assert_true(r.p_wait >= 0 && r.p_wait <= 1);
			assert_true(r.p_abandon >= 0 && r.p_abandon <= 1);
			assert_true(r.service_level >= 0 &&
			    r.service_level <= 1);
			assert_true(isfinite(r.mean_wait_s));
			assert_true(r.service_level >= prev);
			prev = r.service_level;
		}
		n = erlang_a_agents(lambda, 180, 60, SL_T, 0.80, 0.05, &r);
		assert_true(n > 0.8 * erl[i] && n < 1.1 * erl[i]);
		assert_true(r.service_level >= 0.80 && r.p_abandon <= 0.05);
	}
}

static void
test_bad_inputs_are_refused(void **state)
{
	struct erlang_a	r;

	(void)state;
	assert_int_equal(erlang_a(0, 1, 180, 60, SL_T, &r), -1);
	assert_int_equal(erlang_a(10, 0, 180, 60, SL_T, &r), -1);
	assert_int_equal(erlang_a(10, 1, 0, 60, SL_T, &r), -1);
	assert_int_equal(erlang_a(10, 1, 180, 0, SL_T, &r), -1);
	assert_int_equal(erlang_a(10, 1, 180, NAN, SL_T, &r), -1);
	assert_int_equal(erlang_a(10, 1, 180, 60, -1, &r), -1);
	/* Erlang C with N <= A has no steady state. */
	assert_int_equal(erlang_a(10, 10.0 / 180, 180, INFINITY, SL_T, &r),
	    -1);
	assert_int_equal(erlang_a_agents(0, 180, 60, SL_T, 0.8, 0.05, &r),
	    -1);
	assert_int_equal(erlang_a_agents(1, 180, 60, SL_T, 1.5, 0.05, &r),
	    -1);
}

/* The smallest N meeting both goals, by walking N up from 1. */
static int
walk_agents(double lambda, double aht_s, double patience_s, double target,
    double max_abandon)
{
	struct erlang_a	r;
	int		n;

	for (n = 1; n <= 1000; n++)
		if (erlang_a(n, lambda, aht_s, patience_s, SL_T, &r) == 0 &&
		    r.service_level >= target && r.p_abandon <= max_abandon)
			return (n);
	return (-1);
}

/*
 * The search starts at A max(target, 1 - max_abandon) (no fewer agents
 * can serve that share): it finds what a walk from one agent finds.
 */
static void
test_search_from_its_lower_bound_finds_the_smallest_n(void **state)
{
	static const double cases[][5] = {
		/* lambda, AHT, patience, target, max_abandon */
		{ 200 / 3600.0, 180, 90, 0.80, 0.05 },
		{ 200 / 3600.0, 180, 90, 0.50, 1.00 },
		{ 200 / 3600.0, 180, 600, 0.95, 0.01 },
		{ 1000 / 3600.0, 120, 60, 0.80, 1.00 },
		{ 1000 / 3600.0, 120, 180, 0.20, 0.30 },
		{ 3 / 3600.0, 300, 30, 0.80, 0.05 },
	};
	size_t	i;
	int	n, want;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		want = walk_agents(cases[i][0], cases[i][1], cases[i][2],
		    cases[i][3], cases[i][4]);
		n = erlang_a_agents(cases[i][0], cases[i][1], cases[i][2],
		    SL_T, cases[i][3], cases[i][4], NULL);
		if (n != want || n < 1)
			fail_msg("case %zu: search %d, walk %d", i, n, want);
	}
	/* 120,000 erlangs need more than ERLANG_MAX_AGENTS at 80%. */
	assert_int_equal(erlang_a_agents(1000, 120, 3600, SL_T, 0.80, 0.05,
	    NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nobody_hangs_up_is_erlang_c),
		cmocka_unit_test(test_patience_120s_at_14_agents),
		cmocka_unit_test(test_patience_60s_at_38_agents),
		cmocka_unit_test(test_overloaded_9_agents_patience_90s),
		cmocka_unit_test(test_patience_180s_at_33_agents),
		cmocka_unit_test(
		    test_staffing_patience_180s_max_abandon_5pct_is_35),
		cmocka_unit_test(
		    test_staffing_patience_60s_no_abandon_goal_is_32),
		cmocka_unit_test(
		    test_staffing_patience_60s_max_abandon_5pct_is_36),
		cmocka_unit_test(test_erlang_c_staffing_of_the_same_load_is_38),
		cmocka_unit_test(test_service_level_exactly_at_target_is_enough),
		cmocka_unit_test(test_thousands_of_erlangs_stay_finite),
		cmocka_unit_test(test_bad_inputs_are_refused),
		cmocka_unit_test(
		    test_search_from_its_lower_bound_finds_the_smallest_n),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
