/* SPDX-License-Identifier: BSD-2-Clause */
/* test_timegate.c: one spoofed timestamp cannot move packet time. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ccmetrics/timegate.h"

#define S	1000000LL
#define T0	(1764547200LL * S)		/* 2025-12-01 00:00:00 */
#define Y2100	(4102444800LL * S)		/* 2100-01-01 00:00:00 */

static void
first_packet_and_small_steps_move_time_as_before(void **state)
{
	struct timegate	tg;
	int64_t		now = 0;

	(void)state;
	timegate_init(&tg, 300 * S);
	assert_int_equal(timegate_admit(&tg, &now, T0), T0);
	assert_int_equal(now, T0);
	/* 300 s ahead is the bound, still in range. */
	assert_int_equal(timegate_admit(&tg, &now, T0 + 300 * S), T0 + 300 * S);
	assert_int_equal(now, T0 + 300 * S);
	/* A reordered packet keeps its own time; time does not go back. */
	assert_int_equal(timegate_admit(&tg, &now, T0 + 10 * S), T0 + 10 * S);
	assert_int_equal(now, T0 + 300 * S);
	assert_int_equal(tg.st.held, 0);
}

/* The HEP datagram dated 2100: handled now, counted, time stays. */
static void
one_packet_from_2100_does_not_move_time(void **state)
{
	struct timegate	tg;
	int64_t		now = 0;

	(void)state;
	timegate_init(&tg, 300 * S);
	timegate_admit(&tg, &now, T0);
	assert_int_equal(timegate_admit(&tg, &now, Y2100), T0);
	assert_int_equal(now, T0);
	/* 300 s and 1 µs ahead is out of range. */
	assert_int_equal(timegate_admit(&tg, &now, T0 + 300 * S + 1), T0);
	assert_int_equal(tg.st.held, 2);
	assert_int_equal(timegate_admit(&tg, &now, T0 + S), T0 + S);
	assert_int_equal(now, T0 + S);
	assert_int_equal(tg.st.jumps, 0);
}

/* 15 spoofed packets, then one in range, then 15 more: never a quorum. */
static void
spoofed_packets_between_real_ones_never_make_a_quorum(void **state)
{
	struct timegate	tg;
	int64_t		now = 0;
	int		i, round;

	(void)state;
	timegate_init(&tg, 300 * S);
	timegate_admit(&tg, &now, T0);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < TIMEGATE_QUORUM - 1; i++)
			assert_int_equal(timegate_admit(&tg, &now,
			    Y2100 + i * S), T0 + round * S);
		timegate_admit(&tg, &now, T0 + (round + 1) * S);
	}
	assert_int_equal(now, T0 + 3 * S);
	assert_int_equal(tg.st.held, 3 * (TIMEGATE_QUORUM - 1));
	assert_int_equal(tg.st.jumps, 0);
}

/* The senders' clock stepped an hour on: 16 in a row take time there. */
static void
a_quorum_of_packets_confirms_a_jump_forward(void **state)
{
	struct timegate	tg;
	int64_t		now = 0, step = 3600 * S;
	int		i;

	(void)state;
	timegate_init(&tg, 300 * S);
	timegate_admit(&tg, &now, T0);
	for (i = 0; i < TIMEGATE_QUORUM - 1; i++)
		assert_int_equal(timegate_admit(&tg, &now, T0 + step + i * S),
		    T0);
	assert_int_equal(timegate_admit(&tg, &now, T0 + step + i * S),
	    T0 + step + i * S);
	assert_int_equal(now, T0 + step + i * S);
	assert_int_equal(tg.st.jumps, 1);
	assert_int_equal(tg.st.held, TIMEGATE_QUORUM - 1);
}

/*
 * The capture host's clock stepped an hour back: after the quorum, later
 * packets are shifted on by the step, so time goes on and no duration
 * can come out negative.
 */
static void
a_quorum_of_packets_confirms_a_step_back_and_time_goes_on(void **state)
{
	struct timegate	tg;
	int64_t		now = 0, back = 3600 * S;
	int		i;

	(void)state;
	timegate_init(&tg, 300 * S);
	timegate_admit(&tg, &now, T0 + back);
	for (i = 0; i < TIMEGATE_QUORUM - 1; i++)
		assert_int_equal(timegate_admit(&tg, &now, T0 + i * S),
		    T0 + back);
	/* The 16th, at T0 + 15 s, is mapped onto the clock as it stands. */
	assert_int_equal(timegate_admit(&tg, &now, T0 + i * S), T0 + back);
	assert_int_equal(tg.st.steps_back, 1);
	/* One second later by the stepped clock is one second later. */
	assert_int_equal(timegate_admit(&tg, &now, T0 + (i + 1) * S),
	    T0 + back + S);
	assert_int_equal(now, T0 + back + S);
}

/* max_time_jump_s 0 (offline replays): every packet moves time. */
static void
no_bound_moves_time_with_every_packet(void **state)
{
	struct timegate	tg;
	int64_t		now = 0;

	(void)state;
	timegate_init(&tg, 0);
	timegate_admit(&tg, &now, T0);
	assert_int_equal(timegate_admit(&tg, &now, Y2100), Y2100);
	assert_int_equal(now, Y2100);
	assert_int_equal(tg.st.held, 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(
		    first_packet_and_small_steps_move_time_as_before),
		cmocka_unit_test(one_packet_from_2100_does_not_move_time),
		cmocka_unit_test(
		    spoofed_packets_between_real_ones_never_make_a_quorum),
		cmocka_unit_test(a_quorum_of_packets_confirms_a_jump_forward),
		cmocka_unit_test(
		    a_quorum_of_packets_confirms_a_step_back_and_time_goes_on),
		cmocka_unit_test(no_bound_moves_time_with_every_packet),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
