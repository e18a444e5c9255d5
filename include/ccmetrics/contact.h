/* SPDX-License-Identifier: BSD-2-Clause */
/* contact.h: customer calls rebuilt from legs (DESIGN.md section 3). */
#ifndef CCMETRICS_CONTACT_H
#define CCMETRICS_CONTACT_H

#include <stdbool.h>
#include <stdint.h>

#include "ccmetrics/leg.h"

enum contact_outcome {
	OUTCOME_NONE,		/* still open */
	OUTCOME_ANSWERED,
	OUTCOME_BLOCKED,
	OUTCOME_ABANDONED,
	OUTCOME_SHORT_ABANDONED,
	OUTCOME_TIMEOUT
};

enum contact_party {
	PARTY_NONE,
	PARTY_CALLER,
	PARTY_AGENT,
	PARTY_PBX
};

/*
 * The caller's previous contact as it stood at this one's arrival
 * (DESIGN.md 4.1, docs/decisions.md): none, first seen mid-dialog (its
 * outcome unknown), still waiting, answered, or ended unanswered.
 */
enum contact_previous {
	PREVIOUS_NONE,
	PREVIOUS_UNKNOWN,
	PREVIOUS_WAITING,
	PREVIOUS_ANSWERED,
	PREVIOUS_BLOCKED,
	PREVIOUS_ABANDONED,
	PREVIOUS_SHORT_ABANDONED,
	PREVIOUS_TIMEOUT
};

/*
 * One agent leg of a contact: an attempt, and a segment once answered.
 * Durations are published milliseconds (ptime.h), computed here once.
 */
struct contact_attempt {
	uint64_t	 leg_id;	/* the agent leg (leg.h) */
	char		*call_id;
	char		*agent;
	int64_t		 invite_us;
	int64_t		 ring_us;
	int64_t		 answer_us;	/* 0: not answered */
	int64_t		 end_us;	/* 0: still up */
	/* The segment's end: the leg's end, or the 202 to a REFER the
	   agent sent, whichever came first, unless a NOTIFY then reports
	   that transfer failed: the leg's end (DESIGN.md 3.3); 0: not
	   yet, or reopened by that NOTIFY. */
	int64_t		 seg_end_us;
	int64_t		 ring_ms;	/* invite -> answer, once answered */
	int64_t		 handle_ms;	/* answer -> segment end, once it ended */
	int64_t		 hold_ms;	/* held time of the segment, at its end */
	int		 holds;
	bool		 held;
	bool		 held_at_end;	/* on hold when the leg ended */
	bool		 rona;
	bool		 ended_by_agent;
	int		 transfers;
	int		 seg_refer;	/* transfers at the 202 that ended the
					   segment (a failure of that REFER
					   reopens it); 0: none did */
};

struct contact {
	uint64_t	 id;		/* unique for the table's life */
	char		*call_id;	/* the inbound leg's: contact_id */
	uint64_t	 inbound_leg_id;
	char		 queue[CONFIG_NAME_MAX];
	/* The queue's service-level terms when the call arrived: a call
	   keeps them across a reload (docs/operations.md). */
	int		 sl_threshold_s;
	double		 sl_target;
	char		*caller;
	char		*dnis;
	int64_t		 arrival_us;
	int64_t		 answered_us;	/* 0: not answered */
	int64_t		 inbound_end_us;	/* 0: inbound leg up */
	int64_t		 inbound_bye_us;	/* a BYE on it awaits its
						   response; else 0 */
	int64_t		 ended_us;	/* when the contact became final */
	/* arrival -> answer, or -> the inbound leg's end when unanswered;
	   set at the answer or at that end (DESIGN.md 3.3), else 0 */
	int64_t		 wait_ms;
	enum contact_outcome outcome;
	enum contact_party ended_by;
	enum leg_end	 inbound_end;
	bool		 inbound_early;	/* 18x or 2xx on the inbound leg */
	bool		 repeat;
	bool		 anonymous;	/* never matched by number, no repeat */
	/* The caller's previous contact (DESIGN.md 4.1): its contact_id
	   (NULL: none) and how it stood at this arrival. */
	char		*previous_contact;
	enum contact_previous previous;
	/* The caller hung up on hold; set at the end of the inbound leg. */
	bool		 ended_on_hold;
	bool		 partial;	/* mid-dialog, or its end unseen */
	bool		 mid_dialog;	/* first seen after its INVITE */
	int		 answered_attempt;	/* index, -1 none */
	struct contact_attempt *attempts;
	size_t		 nattempts;
	size_t		 open_legs;
	int		 transfers;
	/* the contact stage's bookkeeping */
	struct contact	*prev, *next;		/* every live contact */
	struct contact	*cprev, *cnext;		/* same caller, inbound up */
};

/* Per-call totals over the ended agent segments, in published ms. */
struct contact_totals {
	int64_t		talk_ms;
	int64_t		hold_ms;
	int64_t		handle_ms;
	int		holds;
	int		rona;
};

enum contact_event_type {
	CONTACT_EV_ARRIVE,
	CONTACT_EV_RING,	/* agent INVITE: an attempt */
	CONTACT_EV_ANSWER,
	CONTACT_EV_HOLD,
	CONTACT_EV_RESUME,
	CONTACT_EV_TRANSFER,
	CONTACT_EV_ABANDON,
	CONTACT_EV_INBOUND_END,	/* the inbound leg ended, any outcome */
	CONTACT_EV_SEGMENT_START, /* an agent leg was answered */
	CONTACT_EV_SEGMENT_END,	/* an answered agent leg ended */
	CONTACT_EV_RONA,
	CONTACT_EV_END,		/* the contact is final */
	CONTACT_EV_LEG_END,	/* a leg outside any contact ended */
	/*
	 * A NOTIFY reported that the transfer whose 202 ended the segment
	 * failed: the segment runs on to its leg's end (DESIGN.md 3.3).
	 * The attempt still shows the segment as it ended at the 202
	 * (seg_end_us, handle_ms, hold_ms, holds), and as held as its leg
	 * is now; a SEGMENT_END follows at the leg's end.
	 */
	CONTACT_EV_SEGMENT_REOPEN
};
#define CONTACT_EV_NTYPES	(CONTACT_EV_SEGMENT_REOPEN + 1)

/*
 * A leg as the contact stage hands it on (LEG_END: a leg outside any
 * contact; TRANSFER: the leg that sent the REFER). Values; the strings
 * are valid during the event only.
 */
struct contact_leg {
	uint64_t	 id;
	const char	*call_id;
	enum leg_role	 role;
	const char	*caller;
	const char	*dialed;
	struct endpoint	 uac;
	struct endpoint	 uas;
	int64_t		 invite_us;
	int64_t		 answer_us;
	int64_t		 end_us;
	enum leg_end	 end_reason;
	int		 final_status;
	bool		 partial;
	bool		 refer_attended;	/* TRANSFER: Replaces in Refer-To */
	const char	*refer_to;		/* TRANSFER, or NULL */
};

/*
 * An event of the contact stage. contact and attempt are valid during the
 * event only (a contact is freed right after its END); a later stage keys
 * what it keeps by contact->id and attempt->leg_id.
 */
struct contact_event {
	enum contact_event_type	 type;
	int64_t			 ts_us;
	const struct contact	*contact;	/* NULL for LEG_END */
	const struct contact_attempt *attempt;	/* agent events */
	const struct contact_leg *leg;		/* LEG_END, TRANSFER */
};

struct contact_stats {
	uint64_t	open;
	uint64_t	created;
	uint64_t	unmapped;	/* inbound calls to no queue */
	uint64_t	agent_by_header;	/* DESIGN.md 3.2 rule 1 */
	uint64_t	agent_by_replaces;	/* rule 2 */
	uint64_t	agent_by_caller;	/* rule 3 */
	uint64_t	agent_unmatched;
	uint64_t	agent_ambiguous;
	/* agent legs without any configured correlation header, when
	   correlation.headers is set: a PBX recipe that does not add it */
	uint64_t	agent_without_header;
	uint64_t	callers;	/* remembered for repeat detection */
	uint64_t	callers_evicted;	/* limits.max_callers reached */
};

typedef void (*contact_sink)(const struct contact_event *, void *);

struct contact_table;

struct contact_table *contact_create(const struct config *cfg,
		    contact_sink sink, void *arg);
void		 contact_set_config(struct contact_table *ct,
		    const struct config *cfg);
void		 contact_input(struct contact_table *ct,
		    const struct leg_event *ev);
/* Age the repeat-caller history on packet time. */
void		 contact_expire(struct contact_table *ct, int64_t now_us);
void		 contact_totals(const struct contact *c,
		    struct contact_totals *t);
const struct contact_stats *contact_get_stats(const struct contact_table *ct);
void		 contact_free(struct contact_table *ct);

/* A leg or contact id as the key of a string map: 16 hex digits. */
#define CONTACT_ID_KEY_LEN	17
void		 contact_id_key(char *buf, uint64_t id);
const char	*contact_outcome_name(enum contact_outcome o);
const char	*contact_party_name(enum contact_party p);
/* previous_outcome as published; NULL (null) for none or unknown. */
const char	*contact_previous_name(enum contact_previous p);

#endif
