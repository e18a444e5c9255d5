/* SPDX-License-Identifier: BSD-2-Clause */
/* board.h: the wallboard's server-side state, served as /state.json. */
#ifndef CCMETRICS_BOARD_H
#define CCMETRICS_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ccmetrics/webconf.h"

struct board;

/* What the board dropped to stay within the configured bounds. */
struct board_counts {
	uint64_t	 sites_evicted;		/* past webconf.max_sites */
	uint64_t	 queues_evicted;	/* past max_queues of a site */
	uint64_t	 agents_evicted;	/* past max_agents of a site */
	uint64_t	 intervals_unkeyed;	/* today's table of a queue full */
	uint64_t	 objects_ignored;	/* a feed object without what
						   its topic needs */
};

/*
 * A board keeps, per site and queue, the latest rt.queue, the latest
 * closed interval and today's sums of interval.queue (today: the local day
 * of the configured time zone that holds the newest packet time seen), and
 * every agent of rt.agents and agent.state. It sets the process's TZ to
 * conf->timezone (one zone per process). conf must outlive the board.
 */
struct board	*board_create(const struct webconf *conf);
/* One object of a feed, its topic as published; now_ms: the wall clock. */
void		 board_feed(struct board *b, const char *topic,
		    const json_t *obj, int64_t now_ms);
/* The whole state as a JSON text (malloc'd; the caller frees it). */
char		*board_state_json(struct board *b, int64_t now_ms);
void		 board_get_counts(const struct board *b,
		    struct board_counts *out);
void		 board_free(struct board *b);

#endif
