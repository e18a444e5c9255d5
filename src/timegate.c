/* SPDX-License-Identifier: BSD-2-Clause */
/* timegate.c: bounds how far one packet may move packet time. */
#include "config.h"

#include <string.h>

#include "ccmetrics/timegate.h"

/*
 * All metrics run on packet time (DESIGN.md 1), so whoever stamps a
 * packet moves the clock: one HEP datagram dated 2100 expired every open
 * leg and labelled intervals 2100, and a capture host's clock stepped an
 * hour back gave negative durations. A packet out of range is handled at
 * the current packet time instead; only a run of packets agreeing with
 * each other (a clock that really moved) moves it.
 */
void
timegate_init(struct timegate *tg, int64_t max_jump_us)
{
	memset(tg, 0, sizeof *tg);
	tg->max_jump_us = max_jump_us;
}

/* One more out-of-range packet at t, dir; 1 when it completes a quorum. */
static int
timegate_vote(struct timegate *tg, int64_t t, int dir)
{
	int64_t	d = t - tg->cand_us;

	if (tg->cand_n == 0 || tg->cand_dir != dir ||
	    d > tg->max_jump_us || d < -tg->max_jump_us)
		tg->cand_n = 0;
	tg->cand_dir = dir;
	tg->cand_us = t;
	if (++tg->cand_n < TIMEGATE_QUORUM) {
		tg->st.held++;
		return (0);
	}
	tg->cand_n = 0;
	return (1);
}

int64_t
timegate_admit(struct timegate *tg, int64_t *now_us, int64_t ts_us)
{
	int64_t	t = ts_us + tg->offset_us;

	if (tg->max_jump_us == 0 || *now_us == 0) {
		if (t > *now_us)
			*now_us = t;
		return (t);
	}
	if (t - *now_us > tg->max_jump_us) {
		if (!timegate_vote(tg, t, 1))
			return (*now_us);
		tg->st.jumps++;
		*now_us = t;
		return (t);
	}
	if (*now_us - t > tg->max_jump_us) {
		if (!timegate_vote(tg, t, -1))
			return (*now_us);
		tg->st.steps_back++;
		tg->offset_us += *now_us - t;
		return (*now_us);
	}
	tg->cand_n = 0;
	if (t > *now_us)
		*now_us = t;
	return (t);
}
