/* SPDX-License-Identifier: BSD-2-Clause */
/* ptime.h: packet time (int64 microseconds) to the published milliseconds. */
#ifndef CCMETRICS_PTIME_H
#define CCMETRICS_PTIME_H

#include <stdint.h>

/*
 * Every published time and duration is in whole milliseconds: a time is
 * truncated (towards minus infinity, so times before the epoch truncate
 * the same way), and a duration is the difference of two truncated times,
 * so published durations add up exactly to the published times. This is
 * the one place that truncates.
 */
static inline int64_t
ptime_ms(int64_t us)
{
	return (us >= 0 ? us / 1000 : -((-us + 999) / 1000));
}

/*
 * The published duration, in milliseconds, between two packet times;
 * never negative (reordered packets, a clock stepped back: a span ending
 * before it began lasted 0).
 */
static inline int64_t
ptime_ms_between(int64_t from_us, int64_t to_us)
{
	int64_t	ms = ptime_ms(to_us) - ptime_ms(from_us);

	return (ms < 0 ? 0 : ms);
}

#endif
