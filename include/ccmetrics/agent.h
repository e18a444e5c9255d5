/* SPDX-License-Identifier: BSD-2-Clause */
/* agent.h: agent presence, state and membership (DESIGN.md section 7). */
#ifndef CCMETRICS_AGENT_H
#define CCMETRICS_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "ccmetrics/contact.h"

/* The states, in DESIGN.md 7's priority order, then unknown. */
enum agent_state {
	AGENT_ON_CALL,
	AGENT_BUSY_OTHER,
	AGENT_RINGING,
	AGENT_WRAPUP,
	AGENT_LOGGED_OUT,
	AGENT_PAUSED,
	AGENT_AVAILABLE,
	AGENT_UNKNOWN,		/* register mode: no REGISTER 2xx seen yet */
	AGENT_NSTATES
};

/* Reasons of a change, in the order the first of coinciding ones wins. */
enum agent_reason {
	AGENT_R_ANSWER,
	AGENT_R_TRANSFER_FAILED,	/* back on the call (DESIGN.md 3.3) */
	AGENT_R_RING,
	AGENT_R_DIAL,
	AGENT_R_END,
	AGENT_R_UNREGISTER,
	AGENT_R_REGISTER,
	AGENT_R_EXPIRED,
	AGENT_R_LOGOUT,
	AGENT_R_LOGIN,
	AGENT_R_PAUSE,
	AGENT_R_UNPAUSE,
	AGENT_R_WRAPUP_END,
	AGENT_R_SEEN,		/* a first event without a reason of its own */
	AGENT_R_NONE
};

enum agent_event_type {
	AGENT_EV_STATE,		/* agent.state: a change (or the first) */
	AGENT_EV_FORGET,	/* the agent left the table (evicted) */
	AGENT_EV_RT		/* rt.agents: a snapshot of every agent */
};

/*
 * The text of an agent's last rt.agents row and what it was made of, for
 * the writer (record.c) to reuse while none of it changed: kept with the
 * agent, zeroed when it is made, freed with it.
 */
struct agent_rt_cache {
	char			*json;		/* the row's object */
	size_t			 len, cap;
	char			*qkey;		/* its queues, each NUL-ended */
	size_t			 qlen, qcap;
	enum agent_state	 state;
	int64_t			 since_us;
	bool			 valid;
};

/* One agent of an rt.agents snapshot. */
struct agent_rt_row {
	const char		*agent;
	enum agent_state	 state;
	int64_t			 since_us;
	const char *const	*queues;	/* its member queues */
	size_t			 nqueues;
	struct agent_rt_cache	*cache;		/* NULL: none */
};

/*
 * An event of the agent stage. STATE: first is true for the agent's first
 * event (prev and prev_ms then mean nothing); queue and contact_id are
 * NULL unless the change concerns a contact. Strings are valid during the
 * event only.
 */
struct agent_event {
	enum agent_event_type	 type;
	int64_t			 ts_us;
	const char		*agent;
	enum agent_state	 state;
	enum agent_state	 prev;
	bool			 first;
	int64_t			 prev_ms;	/* time in prev, published ms */
	enum agent_reason	 reason;
	const char		*queue;
	const char		*contact_id;
	/* RT */
	const struct agent_rt_row *rows;
	size_t			 nrows;
	const uint64_t		*counts;	/* AGENT_NSTATES, by state */
};

/* Agents of one queue per state (rt.queue, DESIGN.md 7). */
struct agent_counts {
	uint64_t	staffed;	/* not logged_out, not unknown */
	uint64_t	available;
	uint64_t	ringing;
	uint64_t	on_call;
	uint64_t	busy_other;
	uint64_t	wrapup;
	uint64_t	paused;
};

struct agent_stats {
	uint64_t	agents;		/* in the table */
	uint64_t	created;
	uint64_t	evicted;	/* limits.max_agents reached */
	uint64_t	bindings;	/* contacts bound now */
	uint64_t	registers;	/* REGISTER requests taken */
	uint64_t	register_ok;	/* 2xx that bound, refreshed or unbound */
	uint64_t	register_challenged;	/* 401/407: nothing changes */
	uint64_t	register_ignored;	/* not from an agent address, To
						   user no agent id, a response
						   not from the PBX, other
						   final responses */
	uint64_t	register_unmatched;	/* response to no REGISTER seen */
	uint64_t	bindings_dropped;	/* past AGENT_MAX_BINDINGS */
	uint64_t	feature_codes;	/* applied */
	uint64_t	feature_codes_ignored;	/* From user no agent id */
	uint64_t	feature_code_messages;	/* of their dialogs, dropped */
};

typedef void (*agent_sink)(const struct agent_event *, void *);

struct agent_table;

struct agent_table *agent_create(const struct config *cfg, agent_sink sink,
		    void *arg);
void		 agent_set_config(struct agent_table *at,
		    const struct config *cfg);
/*
 * A SIP message before the leg stage: REGISTERs and their responses, and
 * the dialogs of feature codes, are taken here (true: the leg stage must
 * not see it).
 */
bool		 agent_sip_input(struct agent_table *at, const struct sip_msg *m);
/* Leg events (before the contact stage sees them) and contact events. */
void		 agent_leg_input(struct agent_table *at,
		    const struct leg_event *ev);
void		 agent_contact_input(struct agent_table *at,
		    const struct contact_event *ev);
/*
 * Start-up at now_us (live: the wall clock): static mode's agents are
 * logged in from it. Without it, the first agent_advance() starts.
 */
void		 agent_start(struct agent_table *at, int64_t now_us);
/*
 * Packet time reached now_us: timed changes due by then, changes of
 * earlier capture times published; rt.agents every metrics.realtime_s.
 */
void		 agent_advance(struct agent_table *at, int64_t now_us);
/* End of input: every pending change published. */
void		 agent_flush(struct agent_table *at, int64_t now_us);
/* leg.h's leg_binding_fn: the agent bound at host:port, or NULL. */
const char	*agent_binding(const char *host, uint16_t port, void *arg);
/* The agents of queue per state at the last agent_advance(). */
void		 agent_queue_counts(struct agent_table *at, const char *queue,
		    struct agent_counts *out);
const struct agent_stats *agent_get_stats(const struct agent_table *at);
void		 agent_free(struct agent_table *at);

const char	*agent_state_name(enum agent_state s);
const char	*agent_reason_name(enum agent_reason r);

#endif
