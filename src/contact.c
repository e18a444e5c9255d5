/* SPDX-License-Identifier: BSD-2-Clause */
/* contact.c: groups legs into customer calls, decides outcomes, emits events. */
#include "config.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/contact.h"
#include "ccmetrics/log.h"
#include "ccmetrics/ptime.h"
#include "ccmetrics/strmap.h"
#include "ccmetrics/xmalloc.h"

#define US_PER_S	1000000LL
/* How much earlier than its inbound leg an agent leg may be seen. */
#define CONTACT_LATE_INBOUND_US	(2 * US_PER_S)

/*
 * An agent leg that matched no contact, kept aside until it ends (an
 * accepted REFER may name it, or its inbound leg may show up late): what
 * adopting it needs, refreshed at each of its events.
 */
struct unmatched {
	uint64_t		 leg_id;
	char			*call_id;
	char			*agent;
	char			*corr[SIP_MAX_CORR];
	int64_t			 invite_us;
	int64_t			 ring_us;
	int64_t			 answer_us;
	struct unmatched	*prev, *next;
};

/*
 * A caller's last arrival, for repeat detection (DESIGN.md 3.3), and that
 * contact as it stands now, for the next one's previous_contact and
 * previous_outcome (4.1): kept up to date at its answer and at the end of
 * its inbound leg while this entry still names it.
 */
struct caller_seen {
	char			*caller;
	int64_t			 last_us;
	uint64_t		 contact_id;	/* contact.h id */
	char			*contact_call_id;	/* its contact_id */
	enum contact_previous	 state;
	struct caller_seen	*prev, *next;
};

struct contact_table {
	const struct config	*cfg;
	contact_sink		 sink;
	void			*sink_arg;
	struct strmap		*by_call_id;	/* open inbound legs */
	struct strmap		*by_corr;	/* their correlation values */
	struct strmap		*by_caller;	/* caller -> newest contact
						   with its inbound leg up */
	struct strmap		*by_agent_leg;	/* agent legs of contacts */
	struct strmap		*by_leg;	/* leg id -> contact, legs up */
	struct strmap		*unmatched;	/* agent legs of none */
	struct strmap		*unmatched_corr; /* their header values */
	struct strmap		*unmatched_by_leg; /* leg id -> unmatched */
	struct unmatched	*unmatched_head;
	struct contact		*head;		/* every live contact */
	uint64_t		 next_id;
	struct strmap		*callers;
	struct caller_seen	*seen_head, *seen_tail;	/* by last_us */
	struct contact_stats	 st;
};

static void	unmatched_keep(struct contact_table *, const struct leg *);
static void	contact_adopt_early_agent(struct contact_table *,
		    struct leg_table *, struct contact *);

/* Without printf: ids are looked up at every leg event. */
void
contact_id_key(char *buf, uint64_t id)
{
	static const char	 hex[] = "0123456789abcdef";
	int			 i;

	for (i = CONTACT_ID_KEY_LEN - 2; i >= 0; i--, id >>= 4)
		buf[i] = hex[id & 0xf];
	buf[CONTACT_ID_KEY_LEN - 1] = '\0';
}

const char *
contact_outcome_name(enum contact_outcome o)
{
	static const char *names[] = { NULL, "answered", "blocked",
	    "abandoned", "short_abandoned", "timeout" };

	return (names[o]);
}

const char *
contact_previous_name(enum contact_previous p)
{
	static const char *names[] = { NULL, NULL, "waiting", "answered",
	    "blocked", "abandoned", "short_abandoned", "timeout" };

	return (names[p]);
}

const char *
contact_party_name(enum contact_party p)
{
	static const char *names[] = { NULL, "caller", "agent", "pbx" };

	return (names[p]);
}

struct contact_table *
contact_create(const struct config *cfg, contact_sink sink, void *arg)
{
	struct contact_table	*ct;

	ct = xcalloc(1, sizeof *ct);
	ct->cfg = cfg;
	ct->sink = sink;
	ct->sink_arg = arg;
	ct->by_call_id = strmap_create();
	ct->by_corr = strmap_create();
	ct->by_caller = strmap_create();
	ct->by_agent_leg = strmap_create();
	ct->by_leg = strmap_create();
	ct->unmatched = strmap_create();
	ct->unmatched_corr = strmap_create();
	ct->unmatched_by_leg = strmap_create();
	ct->next_id = 1;
	ct->callers = strmap_create();
	return (ct);
}

void
contact_set_config(struct contact_table *ct, const struct config *cfg)
{
	ct->cfg = cfg;
}

static void
contact_emit(struct contact_table *ct, enum contact_event_type type,
    int64_t ts_us, const struct contact *c, const struct contact_attempt *a,
    const struct contact_leg *l)
{
	struct contact_event	ev;

	ev.type = type;
	ev.ts_us = ts_us;
	ev.contact = c;
	ev.attempt = a;
	ev.leg = l;
	ct->sink(&ev, ct->sink_arg);
}

/* What later stages learn of a leg: values, no pointer into the leg. */
static void
contact_leg_of(const struct leg *l, struct contact_leg *out)
{
	out->id = l->id;
	out->call_id = l->call_id;
	out->role = l->role;
	out->caller = l->caller;
	out->dialed = l->dialed;
	out->uac = l->uac;
	out->uas = l->uas;
	out->invite_us = l->invite_us;
	out->answer_us = l->answer_us;
	out->end_us = l->end_us;
	out->end_reason = l->end_reason;
	out->final_status = l->final_status;
	out->partial = l->partial;
	out->refer_attended = l->refer_attended;
	out->refer_to = l->refer_to;
}

/* Tell the leg stage a contact holds this leg (leg.h: leg_adopt()). */
static void
contact_hold_leg(struct contact_table *ct, struct leg_table *lt,
    struct contact *c, uint64_t leg_id)
{
	char	key[CONTACT_ID_KEY_LEN];

	contact_id_key(key, leg_id);
	strmap_put(ct->by_leg, key, c);
	/* A leg that starts or joins a contact is open. */
	if (lt != NULL && leg_adopt(lt, leg_id) != 0)
		assert(!"leg_adopt: no open leg of that id");
}

static void
seen_unlink(struct contact_table *ct, struct caller_seen *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		ct->seen_head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	else
		ct->seen_tail = s->prev;
	s->prev = s->next = NULL;
}

static void
seen_append(struct contact_table *ct, struct caller_seen *s)
{
	s->prev = ct->seen_tail;
	if (ct->seen_tail != NULL)
		ct->seen_tail->next = s;
	else
		ct->seen_head = s;
	ct->seen_tail = s;
}

static int
caller_is_anonymous(const char *caller)
{
	return (*caller == '\0' || strcasecmp(caller, "anonymous") == 0 ||
	    strcasecmp(caller, "restricted") == 0 ||
	    strcasecmp(caller, "unavailable") == 0);
}

static void
contact_forget(struct contact_table *ct, struct caller_seen *s)
{
	seen_unlink(ct, s);
	strmap_del(ct->callers, s->caller);
	free(s->caller);
	free(s->contact_call_id);
	free(s);
	ct->st.callers--;
}

/*
 * limits.max_callers bounds the repeat history: a flood of distinct
 * numbers would otherwise grow it for repeat_window_s. The least recent
 * caller goes first, counted.
 */
static void
contact_forget_callers(struct contact_table *ct)
{
	while (ct->st.callers > ct->cfg->max_callers && ct->seen_head != NULL) {
		contact_forget(ct, ct->seen_head);
		ct->st.callers_evicted++;
	}
}

/*
 * Did this caller arrive within repeat_window_s before now? Then note the
 * previous contact and how it stood (DESIGN.md 4.1). Records c as the
 * caller's latest contact.
 */
static void
contact_repeat(struct contact_table *ct, struct contact *c, int64_t now_us)
{
	struct caller_seen	*s;

	if (c->anonymous || ct->cfg->repeat_window_s == 0)
		return;
	if ((s = strmap_get(ct->callers, c->caller)) == NULL) {
		s = xcalloc(1, sizeof *s);
		s->caller = xstrdup(c->caller);
		strmap_put(ct->callers, c->caller, s);
		ct->st.callers++;
	} else {
		c->repeat = now_us - s->last_us <=
		    (int64_t)ct->cfg->repeat_window_s * US_PER_S;
		if (c->repeat) {
			c->previous_contact = xstrdup(s->contact_call_id);
			c->previous = s->state;
		}
		seen_unlink(ct, s);
	}
	if (now_us >= s->last_us) {
		s->last_us = now_us;
		s->contact_id = c->id;
		free(s->contact_call_id);
		s->contact_call_id = xstrdup(c->call_id);
		s->state = c->mid_dialog ? PREVIOUS_UNKNOWN : PREVIOUS_WAITING;
	}
	seen_append(ct, s);
	contact_forget_callers(ct);
}

static enum contact_previous
previous_of(enum contact_outcome o)
{
	switch (o) {
	case OUTCOME_ANSWERED:
		return (PREVIOUS_ANSWERED);
	case OUTCOME_BLOCKED:
		return (PREVIOUS_BLOCKED);
	case OUTCOME_ABANDONED:
		return (PREVIOUS_ABANDONED);
	case OUTCOME_SHORT_ABANDONED:
		return (PREVIOUS_SHORT_ABANDONED);
	case OUTCOME_TIMEOUT:
		return (PREVIOUS_TIMEOUT);
	default:
		return (PREVIOUS_WAITING);
	}
}

/* c was answered or ended: its caller's next contact will see it so. */
static void
contact_repeat_state(struct contact_table *ct, const struct contact *c,
    enum contact_previous state)
{
	struct caller_seen	*s;

	if (c->anonymous || c->mid_dialog ||
	    (s = strmap_get(ct->callers, c->caller)) == NULL ||
	    s->contact_id != c->id)
		return;
	s->state = state;
}

void
contact_expire(struct contact_table *ct, int64_t now_us)
{
	struct caller_seen	*s;
	int64_t			 window;

	window = (int64_t)ct->cfg->repeat_window_s * US_PER_S;
	while ((s = ct->seen_head) != NULL && now_us - s->last_us > window)
		contact_forget(ct, s);
	/* A reload may have lowered the limit. */
	contact_forget_callers(ct);
}

static const struct config_queue *
contact_queue_of(const struct config *cfg, const char *dnis)
{
	const struct config_queue	*q;

	if ((q = config_queue_by_dnis(cfg, dnis)) != NULL)
		return (q);
	if (cfg->default_queue != NULL)
		return (config_queue_by_name(cfg, cfg->default_queue));
	return (NULL);
}

static void
contact_index(struct contact_table *ct, struct contact *c,
    const struct leg *l)
{
	struct contact	*newest;
	size_t		 i;

	/* Per caller, a list from the newest contact back to the oldest. */
	if (!c->anonymous) {
		if ((newest = strmap_get(ct->by_caller, c->caller)) != NULL) {
			newest->cnext = c;
			c->cprev = newest;
		}
		strmap_put(ct->by_caller, c->caller, c);
	}
	strmap_put(ct->by_call_id, c->call_id, c);
	for (i = 0; i < SIP_MAX_CORR; i++)
		if (l->corr[i] != NULL)
			strmap_put(ct->by_corr, l->corr[i], c);
}

static void
contact_unindex(struct contact_table *ct, struct contact *c,
    const struct leg *l)
{
	size_t	i;

	if (c->cnext != NULL)
		c->cnext->cprev = c->cprev;
	else if (c->cprev != NULL)
		strmap_put(ct->by_caller, c->caller, c->cprev);
	else if (strmap_get(ct->by_caller, c->caller) == c)
		strmap_del(ct->by_caller, c->caller);
	if (c->cprev != NULL)
		c->cprev->cnext = c->cnext;
	c->cprev = c->cnext = NULL;
	if (strmap_get(ct->by_call_id, c->call_id) == c)
		strmap_del(ct->by_call_id, c->call_id);
	for (i = 0; i < SIP_MAX_CORR; i++)
		if (l->corr[i] != NULL && strmap_get(ct->by_corr, l->corr[i]) == c)
			strmap_del(ct->by_corr, l->corr[i]);
}

static void
contact_on_inbound_start(struct contact_table *ct, const struct leg_event *ev)
{
	const struct config_queue	*q;
	const struct leg		*l = ev->leg;
	struct contact			*c;
	int64_t				 ts_us = ev->ts_us;

	if ((q = contact_queue_of(ct->cfg, l->dialed)) == NULL) {
		ct->st.unmapped++;
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->id = ct->next_id++;
	c->call_id = xstrdup(l->call_id);
	c->inbound_leg_id = l->id;
	snprintf(c->queue, sizeof c->queue, "%s", q->name);
	c->sl_threshold_s = q->sl_threshold_s;
	c->sl_target = q->sl_target;
	c->caller = xstrdup(l->caller);
	c->dnis = xstrdup(l->dialed);
	c->arrival_us = ts_us;
	c->answered_attempt = -1;
	c->partial = c->mid_dialog = l->partial;
	if (l->partial)
		c->inbound_early = true;	/* it was past its INVITE */
	c->anonymous = l->caller_hidden || caller_is_anonymous(c->caller);
	contact_repeat(ct, c, ts_us);
	c->next = ct->head;
	if (ct->head != NULL)
		ct->head->prev = c;
	ct->head = c;
	contact_hold_leg(ct, ev->table, c, l->id);
	contact_index(ct, c, l);
	ct->st.open++;
	ct->st.created++;
	contact_emit(ct, CONTACT_EV_ARRIVE, ts_us, c, NULL, NULL);
	contact_adopt_early_agent(ct, ev->table, c);
}

/* DESIGN.md 3.2 rule 1: a configured header naming an open inbound leg. */
static struct contact *
contact_by_header(struct contact_table *ct, const struct leg *l)
{
	struct contact	*c;
	size_t		 i;

	for (i = 0; i < SIP_MAX_CORR; i++) {
		if (l->corr[i] == NULL)
			continue;
		if ((c = strmap_get(ct->by_call_id, l->corr[i])) != NULL ||
		    (c = strmap_get(ct->by_corr, l->corr[i])) != NULL)
			return (c);
	}
	return (NULL);
}

/*
 * Does the leg carry a configured correlation header? Then it names its
 * call, and rule 3 never overrides that with a guess by number: a value
 * naming no open call leaves the leg unmatched (its call may show up
 * late, contact_adopt_early_agent()).
 */
static bool
carries_corr(const struct leg *l)
{
	size_t	i;

	for (i = 0; i < SIP_MAX_CORR; i++)
		if (l->corr[i] != NULL)
			return (true);
	return (false);
}

/* Rule 2: Replaces naming a leg already in a contact (RFC 3891). */
static struct contact *
contact_by_replaces(struct contact_table *ct, const struct leg *l)
{
	struct contact	*c;

	if (l->replaces == NULL)
		return (NULL);
	if ((c = strmap_get(ct->by_call_id, l->replaces)) != NULL)
		return (c);
	/* An agent leg of a call whose caller has left: that call takes no
	   more attempts (DESIGN.md 3.3, settled cases). */
	if ((c = strmap_get(ct->by_agent_leg, l->replaces)) != NULL &&
	    c->inbound_end_us != 0)
		return (NULL);
	return (c);
}

/*
 * Rule 3: the open contact of the same caller that arrived at most
 * caller_window_s before; unanswered ones first, then the oldest. Two
 * candidates of the same rank arriving in the same millisecond cannot be
 * told apart: counted as ambiguous, never guessed. An agent leg first seen
 * mid-dialog (its INVITE, ring and answer unseen) only joins a contact
 * first seen mid-dialog too: in a complete one it would be an attempt that
 * never rang and a segment that never talked.
 */
static struct contact *
contact_by_caller(struct contact_table *ct, const struct leg *l,
    int64_t ts_us)
{
	struct contact	*c, *best = NULL;
	int64_t		 window;
	bool		 tie = false;

	if (caller_is_anonymous(l->caller) || l->caller_hidden ||
	    ct->cfg->caller_window_s == 0)
		return (NULL);
	window = (int64_t)ct->cfg->caller_window_s * US_PER_S;
	c = strmap_get(ct->by_caller, l->caller);
	for (; c != NULL; c = c->cprev) {
		if (ts_us - c->arrival_us > window)
			break;		/* older ones are older still */
		if (l->partial && !c->mid_dialog)
			continue;
		if (best == NULL || (c->answered_us == 0) >
		    (best->answered_us == 0) ||
		    ((c->answered_us == 0) == (best->answered_us == 0) &&
		    c->arrival_us <= best->arrival_us)) {
			tie = best != NULL && (c->answered_us == 0) ==
			    (best->answered_us == 0) &&
			    ptime_ms(c->arrival_us) == ptime_ms(best->arrival_us);
			best = c;
		}
	}
	if (tie) {
		ct->st.agent_ambiguous++;
		return (NULL);
	}
	return (best);
}

/* Make agent leg leg_id an attempt of contact c. */
static struct contact_attempt *
contact_add_attempt(struct contact_table *ct, struct leg_table *lt,
    struct contact *c, uint64_t leg_id, const char *call_id,
    const char *agent, int64_t invite_us, int64_t ring_us)
{
	struct contact_attempt	*a;

	c->attempts = xreallocarray(c->attempts, c->nattempts + 1,
	    sizeof *c->attempts);
	a = &c->attempts[c->nattempts++];
	memset(a, 0, sizeof *a);
	a->leg_id = leg_id;
	a->call_id = xstrdup(call_id);
	a->agent = xstrdup(agent);
	a->invite_us = invite_us;
	a->ring_us = ring_us;
	c->open_legs++;
	contact_hold_leg(ct, lt, c, leg_id);
	strmap_put(ct->by_agent_leg, call_id, c);
	return (a);
}

/*
 * correlation.headers is set but this agent leg carries none: the PBX
 * recipe does not add it (Asterisk: PJSIP_HEADER needs a PJSIP channel,
 * so a Local-channel queue member's Dial() must run the pre-dial handler
 * too). Matching falls back to the caller number; say so once, and
 * count every such leg.
 */
static void
contact_check_header(struct contact_table *ct, const struct leg *l)
{
	if (ct->cfg->ncorr_headers == 0 || carries_corr(l))
		return;
	if (ct->st.agent_without_header++ == 0)
		log_warn("agent %s: INVITE %s carries no correlation header "
		    "(%s): the PBX does not add it; matching by caller "
		    "number (counted in contacts.agent_without_header)",
		    l->dialed, l->call_id, ct->cfg->corr_headers[0]);
}

static void
contact_on_agent_start(struct contact_table *ct, const struct leg_event *ev)
{
	const struct leg	*l = ev->leg;
	struct contact		*c;
	struct contact_attempt	*a;
	int64_t			 ts_us = ev->ts_us;

	contact_check_header(ct, l);
	if ((c = contact_by_header(ct, l)) != NULL)
		ct->st.agent_by_header++;
	else if ((c = contact_by_replaces(ct, l)) != NULL)
		ct->st.agent_by_replaces++;
	else if (!carries_corr(l) &&
	    (c = contact_by_caller(ct, l, ts_us)) != NULL)
		ct->st.agent_by_caller++;
	else {
		unmatched_keep(ct, l);
		return;
	}
	a = contact_add_attempt(ct, ev->table, c, l->id, l->call_id, l->dialed,
	    l->invite_us, l->ring_us);
	contact_emit(ct, CONTACT_EV_RING, ts_us, c, a, NULL);
}

static struct contact_attempt *
contact_attempt_of(struct contact *c, uint64_t leg_id)
{
	size_t	i;

	for (i = 0; i < c->nattempts; i++)
		if (c->attempts[i].leg_id == leg_id)
			return (&c->attempts[i]);
	return (NULL);
}

static void
contact_free_one(struct contact *c)
{
	size_t	i;

	for (i = 0; i < c->nattempts; i++) {
		free(c->attempts[i].call_id);
		free(c->attempts[i].agent);
	}
	free(c->attempts);
	free(c->call_id);
	free(c->caller);
	free(c->dnis);
	free(c->previous_contact);
	free(c);
}

/* ended_by (DESIGN.md 3.3), once every leg has ended. */
static enum contact_party
contact_ended_by(const struct contact *c)
{
	const struct contact_attempt	*a, *last = NULL;
	size_t				 i;

	if (c->inbound_end == LEG_END_CANCEL ||
	    c->inbound_end == LEG_END_BYE_UAC)
		return (PARTY_CALLER);
	for (i = 0; i < c->nattempts; i++) {
		a = &c->attempts[i];
		if (a->answer_us != 0 &&
		    (last == NULL || a->answer_us >= last->answer_us))
			last = a;
	}
	if (last != NULL && last->ended_by_agent &&
	    last->end_us <= c->inbound_end_us)
		return (PARTY_AGENT);
	return (PARTY_PBX);
}

/*
 * DESIGN.md 4.1: at the caller's BYE or CANCEL an answered agent leg was
 * up, or ended in the same millisecond, and on hold as far as the daemon
 * knew then (a hold accepted and not resumed; docs/decisions.md). Judged
 * when the contact is final: a BYE is decided at its response (3.3), so
 * an agent's BYE sent before the caller's may be decided after it; every
 * segment's end is then known, dated at its request.
 */
static bool
contact_ended_on_hold(const struct contact *c)
{
	const struct contact_attempt	*a;
	size_t				 i;

	if (c->inbound_end != LEG_END_CANCEL &&
	    c->inbound_end != LEG_END_BYE_UAC)
		return (false);
	for (i = 0; i < c->nattempts; i++) {
		a = &c->attempts[i];
		if (a->answer_us == 0 || a->seg_end_us == 0)
			continue;
		/* The segment (it may end at a 202 before the leg, 3.3). */
		if (a->held_at_end &&
		    ptime_ms(a->seg_end_us) >= ptime_ms(c->inbound_end_us))
			return (true);
	}
	return (false);
}

static void
contact_finish_if_done(struct contact_table *ct, struct contact *c)
{
	size_t	i;

	if (c->inbound_end_us == 0 || c->open_legs > 0)
		return;
	assert(c->outcome != OUTCOME_NONE);
	c->ended_us = c->inbound_end_us;
	for (i = 0; i < c->nattempts; i++)
		if (c->attempts[i].end_us > c->ended_us)
			c->ended_us = c->attempts[i].end_us;
	c->ended_by = contact_ended_by(c);
	c->ended_on_hold = contact_ended_on_hold(c);
	contact_emit(ct, CONTACT_EV_END, c->ended_us, c, NULL, NULL);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		ct->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	assert(ct->st.open > 0);
	ct->st.open--;
	contact_free_one(c);
}

/* A leg that expired, was evicted or flushed: its real end is unknown. */
static bool
end_unseen(const struct leg *l)
{
	return (l->end_reason == LEG_END_EXPIRED ||
	    l->end_reason == LEG_END_EVICTED ||
	    l->end_reason == LEG_END_FLUSHED);
}

/* The outcome of an unanswered contact when its inbound leg ends. */
static enum contact_outcome
contact_unanswered_outcome(const struct contact_table *ct,
    const struct contact *c, const struct leg *l)
{
	switch (l->end_reason) {
	case LEG_END_REJECTED:
		/* 487 answers a CANCEL: never a block (RFC 3261 9.2). */
		if (l->final_status != SIP_REQUEST_TERMINATED &&
		    !c->inbound_early && c->nattempts == 0)
			return (OUTCOME_BLOCKED);
		return (OUTCOME_TIMEOUT);
	case LEG_END_CANCEL:
	case LEG_END_BYE_UAC:
		if (c->wait_ms < (int64_t)ct->cfg->short_abandon_s * 1000)
			return (OUTCOME_SHORT_ABANDONED);
		return (OUTCOME_ABANDONED);
	default:
		return (OUTCOME_TIMEOUT);
	}
}

static void
contact_on_inbound_end(struct contact_table *ct, struct contact *c,
    const struct leg *l)
{
	c->inbound_end_us = l->end_us;
	c->inbound_end = l->end_reason;
	/* Its end was never seen: the record is incomplete. */
	if (end_unseen(l))
		c->partial = true;
	contact_unindex(ct, c, l);
	if (c->answered_us == 0) {
		c->wait_ms = ptime_ms_between(c->arrival_us, c->inbound_end_us);
		c->outcome = contact_unanswered_outcome(ct, c, l);
		contact_repeat_state(ct, c, previous_of(c->outcome));
		if (c->outcome == OUTCOME_ABANDONED ||
		    c->outcome == OUTCOME_SHORT_ABANDONED)
			contact_emit(ct, CONTACT_EV_ABANDON, l->end_us, c, NULL,
			    NULL);
	}
	contact_emit(ct, CONTACT_EV_INBOUND_END, l->end_us, c, NULL, NULL);
	contact_finish_if_done(ct, c);
}

/*
 * The end of an answered agent leg's segment at ts_us (its leg's end, or
 * the 202 to the agent's REFER): held time inside it, its handle time.
 * Holds after it do not count; the leg's held time runs to the leg's end.
 */
static void
contact_segment_end(struct contact_table *ct, struct contact *c,
    struct contact_attempt *a, const struct leg *l, int64_t ts_us)
{
	a->seg_end_us = ts_us;
	a->held_at_end = a->held;
	a->hold_ms = ptime_ms(l->hold_us);
	if (l->held && l->state != LEG_STATE_ENDED)
		a->hold_ms += ptime_ms_between(l->hold_start_us, ts_us);
	a->holds = l->holds;
	a->held = false;
	a->handle_ms = ptime_ms_between(a->answer_us, ts_us);
	/*
	 * Held time lies inside the segment. A clock stepped back can end
	 * the segment before its hold began (handle clamped to 0, the hold
	 * not): talk, handle - hold, would then be negative.
	 */
	if (a->hold_ms > a->handle_ms)
		a->hold_ms = a->handle_ms;
	contact_emit(ct, CONTACT_EV_SEGMENT_END, ts_us, c, a, NULL);
}

/*
 * A NOTIFY on the agent's still-up leg reported that the transfer whose
 * 202 ended its segment failed: the segment runs on to the leg's end
 * (DESIGN.md 3.3), so its totals are taken at that end, from the leg's
 * own hold record (holds since the 202 count: the segment's end has
 * moved past them; docs/decisions.md). The transfer stays counted.
 */
static void
contact_segment_reopen(struct contact_table *ct, struct contact *c,
    struct contact_attempt *a, const struct leg *l, int64_t ts_us)
{
	a->held = l->held;
	contact_emit(ct, CONTACT_EV_SEGMENT_REOPEN, ts_us, c, a, NULL);
	a->seg_end_us = 0;
	a->seg_refer = 0;
	a->held_at_end = false;
	a->handle_ms = a->hold_ms = 0;
	a->holds = 0;
	/* A hold taken after the 202 goes on in the reopened segment. */
	if (a->held)
		contact_emit(ct, CONTACT_EV_HOLD, ts_us, c, a, NULL);
}

/*
 * When the caller left: the inbound leg's end, or the time of a BYE on it
 * that awaits its response (it ends the leg then unless answered 481);
 * 0 while the caller is there.
 */
static int64_t
contact_gone_us(const struct contact *c)
{
	return (c->inbound_end_us != 0 ? c->inbound_end_us : c->inbound_bye_us);
}

static void
contact_on_agent_end(struct contact_table *ct, struct contact *c,
    struct contact_attempt *a, const struct leg *l)
{
	a->end_us = l->end_us;
	if (strmap_get(ct->by_agent_leg, a->call_id) == c)
		strmap_del(ct->by_agent_leg, a->call_id);
	a->ended_by_agent = l->end_reason == LEG_END_BYE_UAS;
	assert(c->open_legs > 0);
	c->open_legs--;
	/* As for the inbound leg: an end never seen leaves the record
	   incomplete (a shutdown cuts a talking agent's segment short). */
	if (end_unseen(l))
		c->partial = true;
	if (a->answer_us != 0) {
		if (a->seg_end_us == 0)
			contact_segment_end(ct, c, a, l, a->end_us);
	} else if (l->end_reason != LEG_END_FLUSHED &&
	    (c->answered_us == 0 || a->end_us < c->answered_us) &&
	    (contact_gone_us(c) == 0 || a->end_us < contact_gone_us(c))) {
		/* Not "completed elsewhere", not after the caller left. */
		a->rona = true;
		contact_emit(ct, CONTACT_EV_RONA, a->end_us, c, a, NULL);
	}
	contact_finish_if_done(ct, c);
}

static void
contact_on_answer(struct contact_table *ct, struct contact *c,
    struct contact_attempt *a, int64_t ts_us)
{
	/* The caller is gone: no conversation, no segment (DESIGN.md 3.3). */
	if (contact_gone_us(c) != 0)
		return;
	a->answer_us = ts_us;
	a->ring_ms = ptime_ms_between(a->invite_us, ts_us);
	if (c->answered_us == 0) {
		c->answered_us = ts_us;
		c->wait_ms = ptime_ms_between(c->arrival_us, ts_us);
		c->answered_attempt = (int)(a - c->attempts);
		c->outcome = OUTCOME_ANSWERED;
		contact_repeat_state(ct, c, PREVIOUS_ANSWERED);
		contact_emit(ct, CONTACT_EV_ANSWER, ts_us, c, a, NULL);
	}
	contact_emit(ct, CONTACT_EV_SEGMENT_START, ts_us, c, a, NULL);
}

/*
 * An agent leg that matched no contact is kept aside until it ends: an
 * accepted REFER may name it (rule 2), or its inbound leg may show up
 * late (HEP and capture are not merged in time order).
 */
static void
unmatched_keep(struct contact_table *ct, const struct leg *l)
{
	struct unmatched	*u;
	char			 key[CONTACT_ID_KEY_LEN];
	size_t			 i;

	ct->st.agent_unmatched++;
	u = xcalloc(1, sizeof *u);
	u->leg_id = l->id;
	u->call_id = xstrdup(l->call_id);
	u->agent = xstrdup(l->dialed);
	u->invite_us = l->invite_us;
	u->ring_us = l->ring_us;
	u->answer_us = l->answer_us;
	u->next = ct->unmatched_head;
	if (ct->unmatched_head != NULL)
		ct->unmatched_head->prev = u;
	ct->unmatched_head = u;
	strmap_put(ct->unmatched, u->call_id, u);
	for (i = 0; i < SIP_MAX_CORR; i++) {
		if (l->corr[i] == NULL)
			continue;
		u->corr[i] = xstrdup(l->corr[i]);
		strmap_put(ct->unmatched_corr, u->corr[i], u);
	}
	contact_id_key(key, u->leg_id);
	strmap_put(ct->unmatched_by_leg, key, u);
}

static void
unmatched_free(struct unmatched *u)
{
	size_t	i;

	free(u->call_id);
	free(u->agent);
	for (i = 0; i < SIP_MAX_CORR; i++)
		free(u->corr[i]);
	free(u);
}

static void
unmatched_forget(struct contact_table *ct, struct unmatched *u)
{
	char	key[CONTACT_ID_KEY_LEN];
	size_t	i;

	if (strmap_get(ct->unmatched, u->call_id) == u)
		strmap_del(ct->unmatched, u->call_id);
	for (i = 0; i < SIP_MAX_CORR; i++)
		if (u->corr[i] != NULL &&
		    strmap_get(ct->unmatched_corr, u->corr[i]) == u)
			strmap_del(ct->unmatched_corr, u->corr[i]);
	contact_id_key(key, u->leg_id);
	strmap_del(ct->unmatched_by_leg, key);
	if (u->prev != NULL)
		u->prev->next = u->next;
	else
		ct->unmatched_head = u->next;
	if (u->next != NULL)
		u->next->prev = u->prev;
	unmatched_free(u);
}

/* Make a kept-aside agent leg an attempt of c, with what it has seen. */
static void
contact_adopt(struct contact_table *ct, struct leg_table *lt,
    struct contact *c, struct unmatched *u)
{
	struct contact_attempt	*a;
	int64_t			 answer_us = u->answer_us;

	a = contact_add_attempt(ct, lt, c, u->leg_id, u->call_id, u->agent,
	    u->invite_us, u->ring_us);
	unmatched_forget(ct, u);
	assert(ct->st.agent_unmatched > 0);
	ct->st.agent_unmatched--;
	contact_emit(ct, CONTACT_EV_RING, a->invite_us, c, a, NULL);
	if (answer_us != 0)
		contact_on_answer(ct, c, a, answer_us);
}

/* Rule 2 by REFER: the accepted Refer-To's Replaces names such a leg. */
static void
contact_adopt_replaced(struct contact_table *ct, struct leg_table *lt,
    struct contact *c, const char *call_id)
{
	struct unmatched	*u;

	/* After the caller left, no more attempts (DESIGN.md 3.3). */
	if (c->inbound_end_us != 0 ||
	    (u = strmap_get(ct->unmatched, call_id)) == NULL)
		return;
	ct->st.agent_by_replaces++;
	contact_adopt(ct, lt, c, u);
}

/*
 * Rule 1, late: an agent leg seen up to CONTACT_LATE_INBOUND_US before
 * its inbound leg, whose correlation header names it.
 */
static void
contact_adopt_early_agent(struct contact_table *ct, struct leg_table *lt,
    struct contact *c)
{
	struct unmatched	*u;

	if ((u = strmap_get(ct->unmatched_corr, c->call_id)) == NULL ||
	    c->arrival_us - u->invite_us > CONTACT_LATE_INBOUND_US)
		return;
	ct->st.agent_by_header++;
	contact_adopt(ct, lt, c, u);
}

/* An event on a leg that belongs to contact c. */
static void
contact_on_leg(struct contact_table *ct, struct contact *c,
    const struct leg_event *ev)
{
	const struct leg	*l = ev->leg;
	struct contact_attempt	*a = NULL;
	struct contact_leg	 cl;
	char			 key[CONTACT_ID_KEY_LEN];

	/* Every leg of c is its inbound leg or one of its attempts. */
	if (l->id != c->inbound_leg_id) {
		a = contact_attempt_of(c, l->id);
		assert(a != NULL);
	}
	switch (ev->type) {
	case LEG_EV_RING:
		if (a != NULL)
			a->ring_us = ev->ts_us;
		else
			c->inbound_early = true;
		break;
	case LEG_EV_ANSWER:
		if (a != NULL)
			contact_on_answer(ct, c, a, ev->ts_us);
		else
			c->inbound_early = true;
		break;
	case LEG_EV_HOLD:
	case LEG_EV_RESUME:
		/* Holds after the segment's end do not count (DESIGN.md 3.3). */
		if (a != NULL && a->seg_end_us == 0) {
			a->held = ev->type == LEG_EV_HOLD;
			contact_emit(ct, a->held ? CONTACT_EV_HOLD :
			    CONTACT_EV_RESUME, ev->ts_us, c, a, NULL);
		}
		break;
	case LEG_EV_REFER:
		c->transfers++;
		if (a != NULL)
			a->transfers++;
		contact_leg_of(l, &cl);
		contact_emit(ct, CONTACT_EV_TRANSFER, ev->ts_us, c, a, &cl);
		/*
		 * The 202 to a REFER the agent sent ends its segment: a PBX
		 * such as Asterisk never sends BYE to a blind transferor,
		 * whose phone may linger (DESIGN.md 3.3).
		 */
		if (a != NULL && l->refer_by_uas && a->answer_us != 0 &&
		    a->seg_end_us == 0) {
			a->seg_refer = a->transfers;
			contact_segment_end(ct, c, a, l, ev->ts_us);
		}
		if (l->refer_replaces != NULL)
			contact_adopt_replaced(ct, ev->table, c,
			    l->refer_replaces);
		break;
	case LEG_EV_REFER_FAILED:
		/*
		 * Only a segment the 202 to this very REFER ended (no REFER
		 * accepted on the leg since), on a leg still up.
		 */
		if (a != NULL && l->refer_by_uas && a->answer_us != 0 &&
		    a->seg_end_us != 0 && a->end_us == 0 &&
		    a->seg_refer == a->transfers)
			contact_segment_reopen(ct, c, a, l, ev->ts_us);
		break;
	case LEG_EV_END:
		/* The leg lingers for retransmissions; the contact may not. */
		contact_id_key(key, l->id);
		strmap_del(ct->by_leg, key);
		if (a != NULL)
			contact_on_agent_end(ct, c, a, l);
		else
			contact_on_inbound_end(ct, c, l);
		break;
	case LEG_EV_BYE:
	case LEG_EV_BYE_REFUSED:
		if (a == NULL)
			c->inbound_bye_us = ev->type == LEG_EV_BYE ? ev->ts_us : 0;
		break;
	case LEG_EV_START:
		break;
	}
}

/* An event on an agent leg kept aside: note what it has seen. */
static void
unmatched_on_leg(struct contact_table *ct, struct unmatched *u,
    const struct leg_event *ev)
{
	const struct leg	*l = ev->leg;
	struct contact_leg	 cl;

	if (ev->type != LEG_EV_END) {
		u->invite_us = l->invite_us;
		u->ring_us = l->ring_us;
		u->answer_us = l->answer_us;
		return;
	}
	unmatched_forget(ct, u);
	contact_leg_of(l, &cl);
	contact_emit(ct, CONTACT_EV_LEG_END, ev->ts_us, NULL, NULL, &cl);
}

void
contact_input(struct contact_table *ct, const struct leg_event *ev)
{
	const struct leg	*l = ev->leg;
	struct contact		*c;
	struct unmatched	*u;
	struct contact_leg	 cl;
	char			 key[CONTACT_ID_KEY_LEN];

	if (ev->type == LEG_EV_START) {
		if (l->role == LEG_ROLE_INBOUND)
			contact_on_inbound_start(ct, ev);
		else if (l->role == LEG_ROLE_AGENT)
			contact_on_agent_start(ct, ev);
		return;
	}
	contact_id_key(key, l->id);
	if ((c = strmap_get(ct->by_leg, key)) != NULL)
		contact_on_leg(ct, c, ev);
	else if ((u = strmap_get(ct->unmatched_by_leg, key)) != NULL)
		unmatched_on_leg(ct, u, ev);
	else if (ev->type == LEG_EV_END) {
		contact_leg_of(l, &cl);
		contact_emit(ct, CONTACT_EV_LEG_END, ev->ts_us, NULL, NULL, &cl);
	}
}

void
contact_totals(const struct contact *c, struct contact_totals *t)
{
	const struct contact_attempt	*a;
	size_t				 i;

	memset(t, 0, sizeof *t);
	for (i = 0; i < c->nattempts; i++) {
		a = &c->attempts[i];
		if (a->rona)
			t->rona++;
		if (a->answer_us == 0 || a->seg_end_us == 0)
			continue;
		t->handle_ms += a->handle_ms;
		t->hold_ms += a->hold_ms;
		t->holds += a->holds;
	}
	t->talk_ms = t->handle_ms - t->hold_ms;
}

const struct contact_stats *
contact_get_stats(const struct contact_table *ct)
{
	return (&ct->st);
}

void
contact_free(struct contact_table *ct)
{
	struct contact		*c, *next;
	struct caller_seen	*s, *snext;
	struct unmatched	*u, *unext;

	if (ct == NULL)
		return;
	for (c = ct->head; c != NULL; c = next) {
		next = c->next;
		contact_free_one(c);
	}
	for (u = ct->unmatched_head; u != NULL; u = unext) {
		unext = u->next;
		unmatched_free(u);
	}
	for (s = ct->seen_head; s != NULL; s = snext) {
		snext = s->next;
		free(s->caller);
		free(s->contact_call_id);
		free(s);
	}
	strmap_free(ct->by_call_id);
	strmap_free(ct->by_corr);
	strmap_free(ct->by_caller);
	strmap_free(ct->by_agent_leg);
	strmap_free(ct->by_leg);
	strmap_free(ct->unmatched);
	strmap_free(ct->unmatched_corr);
	strmap_free(ct->unmatched_by_leg);
	strmap_free(ct->callers);
	free(ct);
}
