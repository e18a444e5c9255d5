/* SPDX-License-Identifier: BSD-2-Clause */
/* timegate.h: how far one packet may move packet time (limits.max_time_jump_s). */
#ifndef CCMETRICS_TIMEGATE_H
#define CCMETRICS_TIMEGATE_H

#include <stdint.h>

/* Consecutive packets that confirm a jump of the senders' clock. */
#define TIMEGATE_QUORUM	16

struct timegate_stats {
	uint64_t	held;		/* out of range: handled at packet time */
	uint64_t	jumps;		/* confirmed jumps forward */
	uint64_t	steps_back;	/* confirmed steps back: time rebased */
};

struct timegate {
	int64_t			max_jump_us;	/* 0: every packet moves time */
	int64_t			offset_us;	/* added to every packet's time */
	int64_t			cand_us;	/* the latest out-of-range time */
	int			cand_dir;	/* +1 ahead, -1 behind */
	unsigned int		cand_n;		/* in a row, consistent */
	struct timegate_stats	st;
};

void	timegate_init(struct timegate *tg, int64_t max_jump_us);
/*
 * The time packet time gives a packet stamped ts_us, moving *now_us
 * forward when it may (never back). A packet more than max_jump_us ahead
 * of *now_us, or behind it, is handled at *now_us and moves nothing,
 * until TIMEGATE_QUORUM in a row, within max_jump_us of each other,
 * confirm the senders' clock did move: forward, packet time follows;
 * back, later packets are shifted by the step so packet time goes on
 * from where it was.
 */
int64_t	timegate_admit(struct timegate *tg, int64_t *now_us, int64_t ts_us);

#endif
