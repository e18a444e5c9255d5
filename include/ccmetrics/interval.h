/* SPDX-License-Identifier: BSD-2-Clause */
/* interval.h: per-queue and per-agent intervals and real-time snapshots. */
#ifndef CCMETRICS_INTERVAL_H
#define CCMETRICS_INTERVAL_H

#include <stdint.h>

#include "ccmetrics/agent.h"
#include "ccmetrics/contact.h"

#define INTERVAL_GRACE_US	2000000LL	/* DESIGN.md 4: end + 2 s */
#define INTERVAL_WAIT_BUCKETS	12		/* 11 edges + open bucket */

extern const int interval_wait_edges_s[INTERVAL_WAIT_BUCKETS - 1];

/* Counts and sums of one queue over one interval (DESIGN.md 4). */
struct interval_queue {
	uint64_t	offered;
	uint64_t	blocked;
	uint64_t	answered;
	uint64_t	answered_within_sl;
	int64_t		wait_answered_ms;
	int64_t		max_wait_ms;
	uint64_t	abandoned;	/* excludes short abandons */
	uint64_t	short_abandoned;
	int64_t		abandon_wait_ms;
	uint64_t	timeouts;
	uint64_t	handled;
	int64_t		talk_ms;
	int64_t		hold_ms;
	int64_t		handle_ms;
	uint64_t	holds;
	uint64_t	rona;
	uint64_t	transfers;
	uint64_t	repeat_calls;
	uint64_t	wait_hist_answered[INTERVAL_WAIT_BUCKETS];
	uint64_t	wait_hist_abandoned[INTERVAL_WAIT_BUCKETS];
	/* DESIGN.md 4.1 */
	int64_t		wait_all_ms;	/* every wait leaving the queue */
	int64_t		max_wait_all_ms;
	uint64_t	redials;
	uint64_t	reconnects;
	uint64_t	ended_on_hold;
	uint64_t	agent_ended;
	uint64_t	transfers_blind;
	uint64_t	transfers_attended;
};

struct interval_agent {
	uint64_t	attempts;
	uint64_t	answered;
	uint64_t	rona;
	uint64_t	handled;
	int64_t		talk_ms;
	int64_t		hold_ms;
	int64_t		handle_ms;
	uint64_t	holds;
	uint64_t	transfers;
	int64_t		busy_ms;	/* answered segments, clipped */
	/* DESIGN.md 7: time in each state, clipped to the interval */
	int64_t		state_ms[AGENT_NSTATES];
};

/* Real-time state of one queue. */
struct interval_rt {
	uint64_t	waiting;
	int64_t		longest_wait_ms;
	uint64_t	talking;
	uint64_t	on_hold;
};

enum interval_record_type {
	INTERVAL_QUEUE,
	INTERVAL_AGENT,
	INTERVAL_RT_QUEUE
};

/* What the stage hands to its sink when an interval closes or on a tick. */
struct interval_record {
	enum interval_record_type	 type;
	const char			*name;	/* queue or agent */
	int64_t				 start_us;
	int64_t				 end_us;
	int				 interval_s;
	int				 sl_threshold_s;
	double				 sl_target;
	double				 max_abandon;	/* Erlang A */
	double				 erlang_a_patience_s;	/* 0: measured */
	const struct interval_queue	*queue;
	const struct interval_agent	*agent;
	const struct interval_rt	*rt;
	const struct agent_counts	*agents;	/* RT_QUEUE: its members
							   per state */
	int64_t				 ts_us;
};

struct interval_stats {
	uint64_t	late_events;	/* for an interval already closed */
	uint64_t	queues;
	uint64_t	agents;		/* with call counts (state times
					   alone are not counted here) */
};

typedef void (*interval_sink)(const struct interval_record *, void *);
/* A queue's members per state, for rt.queue (agent_queue_counts()). */
typedef void (*interval_counts_fn)(void *arg, const char *queue,
		    struct agent_counts *out);

struct interval_stage;

struct interval_stage *interval_create(const struct config *cfg,
		    interval_sink sink, void *arg);
void		 interval_set_config(struct interval_stage *is,
		    const struct config *cfg);
void		 interval_input(struct interval_stage *is,
		    const struct contact_event *ev);
/* Agent state changes (DESIGN.md 7): state time per interval. */
void		 interval_agent_input(struct interval_stage *is,
		    const struct agent_event *ev);
void		 interval_set_agent_counts(struct interval_stage *is,
		    interval_counts_fn fn, void *arg);
/* Close intervals whose end + grace has passed; real-time snapshots. */
void		 interval_advance(struct interval_stage *is, int64_t now_us);
/* Close every open interval (end of capture, shutdown). */
void		 interval_flush(struct interval_stage *is, int64_t now_us);
const struct interval_stats *interval_get_stats(const struct interval_stage *is);
void		 interval_free(struct interval_stage *is);

#endif
