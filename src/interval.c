/* SPDX-License-Identifier: BSD-2-Clause */
/* interval.c: queue and agent intervals on packet time, and real time. */
#include "config.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/interval.h"
#include "ccmetrics/log.h"
#include "ccmetrics/ptime.h"
#include "ccmetrics/strmap.h"
#include "ccmetrics/xmalloc.h"

#define US_PER_S		1000000LL
/* Beyond this gap in packet time, empty intervals are not published. */
#define INTERVAL_MAX_GAP_US	(7 * 86400 * US_PER_S)

const int interval_wait_edges_s[INTERVAL_WAIT_BUCKETS - 1] = {
	5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300
};

/* A caller waiting in a queue, in arrival order. */
struct waiter {
	struct queue_acc	*qa;		/* whose list holds it */
	int64_t			 arrival_us;
	struct waiter		*prev, *next;
};

struct queue_acc {
	char			 name[CONFIG_NAME_MAX];
	int			 sl_threshold_s;	/* published, Erlang C */
	double			 sl_target;
	double			 max_abandon;		/* Erlang A */
	double			 erlang_a_patience_s;	/* 0: measured */
	struct interval_queue	 slot[2];
	struct interval_rt	 rt;
	struct waiter		*wait_head, *wait_tail;
	struct queue_acc	*next;
};

/* An answered agent leg still up; busy time is counted from `from`. */
struct segment {
	uint64_t	 leg_id;	/* the attempt's (contact.h) */
	int64_t		 from_us;
	bool		 held;
	/*
	 * Reopened by a failed transfer after the interval that counted its
	 * end at the 202 was published: what that interval holds of it
	 * (DESIGN.md 3.3, docs/decisions.md).
	 */
	bool		 published;
	int64_t		 pub_handle_ms, pub_hold_ms;
	int		 pub_holds;
};

/*
 * An agent's accumulator. Those the contact events made are published in
 * the order they were made (the list ahead); those only state changes
 * made follow (the list shead) until a contact event moves them ahead.
 */
struct agent_acc {
	char			*name;
	struct interval_agent	 slot[2];
	struct segment		*segs;
	size_t			 nsegs;
	bool			 up_at_end;	/* of the interval closing */
	bool			 listed;	/* on ahead, else on shead */
	/* DESIGN.md 7: the agent's state since since_us (has_state) */
	bool			 has_state;
	enum agent_state	 state;
	int64_t			 since_us;
	bool			 forgotten;	/* the agent stage dropped it */
	struct agent_acc	*prev, *next;
};

struct interval_stage {
	const struct config	*cfg;
	interval_sink		 sink;
	void			*sink_arg;
	int64_t			 len_us;
	int64_t			 cur_start_us;	/* oldest open interval, -1 */
	int64_t			 next_rt_us;
	struct strmap		*queues;
	struct queue_acc	*qhead;
	struct strmap		*agents;
	struct agent_acc	*ahead;
	struct agent_acc	*shead;		/* state-only accumulators */
	int64_t			 now_us;	/* last packet time */
	interval_counts_fn	 counts;
	void			*counts_arg;
	struct strmap		*waiters;	/* contact id -> waiter */
	struct interval_stats	 st;
};

/*
 * The accumulator of a queue, made with the service-level terms given
 * when it is new: those of the configuration, or, for a queue no
 * configuration this stage saw has, those its first contact arrived with.
 */
static struct queue_acc *
queue_acc_get(struct interval_stage *is, const char *name, int sl_threshold_s,
    double sl_target)
{
	const struct config_queue	*q;
	struct queue_acc		*qa;

	if ((qa = strmap_get(is->queues, name)) != NULL)
		return (qa);
	qa = xcalloc(1, sizeof *qa);
	snprintf(qa->name, sizeof qa->name, "%s", name);
	qa->sl_threshold_s = sl_threshold_s;
	qa->sl_target = sl_target;
	qa->max_abandon = CONFIG_MAX_ABANDON_DEFAULT;
	if ((q = config_queue_by_name(is->cfg, name)) != NULL) {
		qa->max_abandon = q->max_abandon;
		qa->erlang_a_patience_s = q->erlang_a_patience_s;
	}
	qa->next = is->qhead;
	is->qhead = qa;
	strmap_put(is->queues, name, qa);
	is->st.queues++;
	return (qa);
}

static struct queue_acc *
queue_acc_of(struct interval_stage *is, const struct contact *c)
{
	return (queue_acc_get(is, c->queue, c->sl_threshold_s, c->sl_target));
}

static void
acc_unlink(struct interval_stage *is, struct agent_acc *aa)
{
	if (aa->prev != NULL)
		aa->prev->next = aa->next;
	else if (aa->listed)
		is->ahead = aa->next;
	else
		is->shead = aa->next;
	if (aa->next != NULL)
		aa->next->prev = aa->prev;
	aa->prev = aa->next = NULL;
}

static void
acc_push(struct agent_acc **head, struct agent_acc *aa)
{
	aa->prev = NULL;
	aa->next = *head;
	if (*head != NULL)
		(*head)->prev = aa;
	*head = aa;
}

/* The accumulator of agent name, made (or moved ahead) by a contact event. */
static struct agent_acc *
agent_acc_get(struct interval_stage *is, const char *name)
{
	struct agent_acc	*aa;

	if ((aa = strmap_get(is->agents, name)) != NULL) {
		if (!aa->listed) {
			acc_unlink(is, aa);
			aa->listed = true;
			acc_push(&is->ahead, aa);
			is->st.agents++;
		}
		return (aa);
	}
	aa = xcalloc(1, sizeof *aa);
	aa->name = xstrdup(name);
	aa->listed = true;
	acc_push(&is->ahead, aa);
	strmap_put(is->agents, name, aa);
	is->st.agents++;
	return (aa);
}

/* Configured queues are published even when nothing happened in them. */
static void
interval_add_configured(struct interval_stage *is)
{
	const struct config_queue	*q;
	size_t				 i;

	for (i = 0; i < is->cfg->nqueues; i++) {
		q = &is->cfg->queues[i];
		queue_acc_get(is, q->name, q->sl_threshold_s, q->sl_target);
	}
}

struct interval_stage *
interval_create(const struct config *cfg, interval_sink sink, void *arg)
{
	struct interval_stage	*is;

	is = xcalloc(1, sizeof *is);
	is->sink = sink;
	is->sink_arg = arg;
	is->cur_start_us = -1;
	is->queues = strmap_create();
	is->agents = strmap_create();
	is->waiters = strmap_create();
	interval_set_config(is, cfg);
	return (is);
}

void
interval_set_config(struct interval_stage *is, const struct config *cfg)
{
	const struct config_queue	*q;
	struct queue_acc		*qa;

	is->cfg = cfg;
	/* interval_s changes only with a restart: open slots depend on it. */
	if (is->len_us == 0)
		is->len_us = (int64_t)cfg->interval_s * US_PER_S;
	for (qa = is->qhead; qa != NULL; qa = qa->next) {
		if ((q = config_queue_by_name(cfg, qa->name)) != NULL) {
			qa->sl_threshold_s = q->sl_threshold_s;
			qa->sl_target = q->sl_target;
			qa->max_abandon = q->max_abandon;
			qa->erlang_a_patience_s = q->erlang_a_patience_s;
		}
	}
	interval_add_configured(is);
}

static int
slot_of(const struct interval_stage *is, int64_t start_us)
{
	return ((int)((start_us / is->len_us) & 1));
}

/* The slot an event at ts_us counts in; late events go to the oldest. */
static int
interval_slot(struct interval_stage *is, int64_t ts_us)
{
	if (is->cur_start_us < 0)
		is->cur_start_us = ts_us - ts_us % is->len_us;
	if (ts_us < is->cur_start_us) {
		is->st.late_events++;
		ts_us = is->cur_start_us;
	}
	return (slot_of(is, ts_us - ts_us % is->len_us));
}

static int
wait_bucket(int64_t wait_ms)
{
	int	i;

	for (i = 0; i < INTERVAL_WAIT_BUCKETS - 1; i++)
		if (wait_ms <= interval_wait_edges_s[i] * 1000LL)
			return (i);
	return (INTERVAL_WAIT_BUCKETS - 1);
}

/*
 * A contact's key in the waiters map: its id, not its Call-ID (two
 * inbound INVITEs may share a Call-ID, with different From-tags, each a
 * contact of its own, even in two queues) and not its address (reused
 * once the contact is freed).
 */
static void
waiter_key(char *buf, const struct contact *c)
{
	contact_id_key(buf, c->id);
}

static void
waiter_remove(struct interval_stage *is, const struct contact *c)
{
	struct waiter		*w;
	struct queue_acc	*qa;
	char			 key[CONTACT_ID_KEY_LEN];

	waiter_key(key, c);
	if ((w = strmap_del(is->waiters, key)) == NULL)
		return;
	qa = w->qa;
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		qa->wait_head = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	else
		qa->wait_tail = w->prev;
	assert(qa->rt.waiting > 0);
	qa->rt.waiting--;
	free(w);
}

static void
waiter_add(struct interval_stage *is, struct queue_acc *qa,
    const struct contact *c)
{
	struct waiter	*w;
	char		 key[CONTACT_ID_KEY_LEN];

	waiter_remove(is, c);
	w = xcalloc(1, sizeof *w);
	w->qa = qa;
	w->arrival_us = c->arrival_us;
	w->prev = qa->wait_tail;
	if (qa->wait_tail != NULL)
		qa->wait_tail->next = w;
	else
		qa->wait_head = w;
	qa->wait_tail = w;
	qa->rt.waiting++;
	waiter_key(key, c);
	strmap_put(is->waiters, key, w);
}

/* The segment of attempt a, by its agent leg's id (unique). */
static struct segment *
segment_find(struct agent_acc *aa, const struct contact_attempt *a)
{
	size_t	i;

	for (i = 0; i < aa->nsegs; i++)
		if (aa->segs[i].leg_id == a->leg_id)
			return (&aa->segs[i]);
	return (NULL);
}

/* Busy time of [from, to) in the open intervals it overlaps. */
static void
segment_busy(struct interval_stage *is, struct agent_acc *aa, int64_t from_us,
    int64_t to_us)
{
	int64_t	s, e, lo, hi;
	int	i;

	for (i = 0; i < 2; i++) {
		s = is->cur_start_us + i * is->len_us;
		e = s + is->len_us;
		lo = from_us > s ? from_us : s;
		hi = to_us < e ? to_us : e;
		if (hi > lo)
			aa->slot[slot_of(is, s)].busy_ms +=
			    ptime_ms_between(lo, hi);
	}
}

/* Time of the agent's state in [from, to), in the open intervals. */
static void
state_time(struct interval_stage *is, struct agent_acc *aa, int64_t from_us,
    int64_t to_us)
{
	int64_t	s, e, lo, hi;
	int	i;

	if (!aa->has_state || is->cur_start_us < 0)
		return;
	for (i = 0; i < 2; i++) {
		s = is->cur_start_us + i * is->len_us;
		e = s + is->len_us;
		lo = from_us > s ? from_us : s;
		hi = to_us < e ? to_us : e;
		if (hi > lo)
			aa->slot[slot_of(is, s)].state_ms[aa->state] +=
			    ptime_ms_between(lo, hi);
	}
}

void
interval_agent_input(struct interval_stage *is, const struct agent_event *ev)
{
	struct agent_acc	*aa;

	if (ev->type == AGENT_EV_RT)
		return;
	if (is->cur_start_us < 0)
		is->cur_start_us = ev->ts_us - ev->ts_us % is->len_us;
	if ((aa = strmap_get(is->agents, ev->agent)) == NULL) {
		if (ev->type != AGENT_EV_STATE)
			return;
		aa = xcalloc(1, sizeof *aa);
		aa->name = xstrdup(ev->agent);
		acc_push(&is->shead, aa);
		strmap_put(is->agents, ev->agent, aa);
	}
	if (aa->has_state && ev->ts_us > aa->since_us) {
		state_time(is, aa, aa->since_us, ev->ts_us);
		aa->since_us = ev->ts_us;
	}
	if (ev->type == AGENT_EV_FORGET) {
		aa->has_state = false;
		aa->forgotten = true;
		return;
	}
	aa->forgotten = false;
	aa->state = ev->state;
	if (!aa->has_state || ev->ts_us > aa->since_us)
		aa->since_us = ev->ts_us;
	aa->has_state = true;
}

void
interval_set_agent_counts(struct interval_stage *is, interval_counts_fn fn,
    void *arg)
{
	is->counts = fn;
	is->counts_arg = arg;
}

static void
segment_start(struct interval_stage *is, const struct contact *c,
    const struct contact_attempt *a, int k)
{
	struct agent_acc	*aa = agent_acc_get(is, a->agent);
	struct segment		*sg;

	aa->slot[k].answered++;
	aa->segs = xreallocarray(aa->segs, aa->nsegs + 1, sizeof *aa->segs);
	sg = &aa->segs[aa->nsegs++];
	sg->leg_id = a->leg_id;
	sg->from_us = a->answer_us;
	sg->held = false;
	sg->published = false;
	queue_acc_of(is, c)->rt.talking++;
}

/*
 * Add segment totals to a queue's and an agent's interval: handled
 * segments, handle, hold and hold count (negative: taken back).
 */
static void
segment_count(struct interval_queue *q, struct interval_agent *ag,
    int handled, int64_t handle, int64_t hold, int holds)
{
	q->handled += (uint64_t)(int64_t)handled;
	q->handle_ms += handle;
	q->hold_ms += hold;
	q->talk_ms += handle - hold;
	q->holds += (uint64_t)(int64_t)holds;
	ag->handled += (uint64_t)(int64_t)handled;
	ag->handle_ms += handle;
	ag->hold_ms += hold;
	ag->talk_ms += handle - hold;
	ag->holds += (uint64_t)(int64_t)holds;
}

/*
 * A failed transfer reopened a segment its 202 had ended (DESIGN.md
 * 3.3): its end now comes at its leg's end, where it is counted. The
 * counts made at the 202 are taken back while their interval is open;
 * once published they stay, and the end counts only what the segment
 * gained since. Busy time runs on from the 202.
 */
static void
segment_reopen(struct interval_stage *is, const struct contact *c,
    const struct contact_attempt *a)
{
	struct agent_acc	*aa = agent_acc_get(is, a->agent);
	struct queue_acc	*qa = queue_acc_of(is, c);
	struct segment		*sg;
	int			 k;

	if (segment_find(aa, a) != NULL)
		return;
	aa->segs = xreallocarray(aa->segs, aa->nsegs + 1, sizeof *aa->segs);
	sg = &aa->segs[aa->nsegs++];
	sg->leg_id = a->leg_id;
	sg->from_us = a->seg_end_us;
	sg->held = a->held;
	sg->published = a->seg_end_us < is->cur_start_us;
	sg->pub_handle_ms = a->handle_ms;
	sg->pub_hold_ms = a->hold_ms;
	sg->pub_holds = a->holds;
	if (sg->published)
		sg->from_us = is->cur_start_us;
	else {
		k = slot_of(is, a->seg_end_us - a->seg_end_us % is->len_us);
		segment_count(&qa->slot[k], &aa->slot[k], -1, -a->handle_ms,
		    -a->hold_ms, -a->holds);
	}
	if (sg->held)
		qa->rt.on_hold++;
	else
		qa->rt.talking++;
}

static void
segment_end(struct interval_stage *is, const struct contact *c,
    const struct contact_attempt *a, int k)
{
	struct agent_acc	*aa = agent_acc_get(is, a->agent);
	struct queue_acc	*qa = queue_acc_of(is, c);
	struct interval_queue	*q = &qa->slot[k];
	struct interval_agent	*ag = &aa->slot[k];
	struct segment		*sg;

	sg = segment_find(aa, a);
	if (sg != NULL && sg->published) {
		/* Reopened: only what it gained since its published end. */
		segment_count(q, ag, 0, a->handle_ms - sg->pub_handle_ms,
		    a->hold_ms - sg->pub_hold_ms, a->holds - sg->pub_holds);
	} else
		segment_count(q, ag, 1, a->handle_ms, a->hold_ms, a->holds);
	if (sg == NULL)
		return;
	segment_busy(is, aa, sg->from_us, a->seg_end_us);
	if (sg->held) {
		assert(qa->rt.on_hold > 0);
		qa->rt.on_hold--;
	} else {
		assert(qa->rt.talking > 0);
		qa->rt.talking--;
	}
	*sg = aa->segs[--aa->nsegs];
}

static void
segment_hold(struct interval_stage *is, const struct contact *c,
    const struct contact_attempt *a, bool held)
{
	struct queue_acc	*qa = queue_acc_of(is, c);
	struct segment		*sg;

	sg = segment_find(agent_acc_get(is, a->agent), a);
	if (sg == NULL || sg->held == held)
		return;
	sg->held = held;
	if (held) {
		qa->rt.talking--;
		qa->rt.on_hold++;
	} else {
		qa->rt.on_hold--;
		qa->rt.talking++;
	}
}

/* Within service level by the threshold the call arrived with. */
static void
interval_on_answer(struct queue_acc *qa, const struct contact *c, int k)
{
	struct interval_queue	*q = &qa->slot[k];
	int64_t			 wait = c->wait_ms;

	q->answered++;
	if (wait <= c->sl_threshold_s * 1000LL)
		q->answered_within_sl++;
	q->wait_answered_ms += wait;
	if (wait > q->max_wait_ms)
		q->max_wait_ms = wait;
	q->wait_hist_answered[wait_bucket(wait)]++;
}

/* DESIGN.md 4.1: a wait ends: answered, abandoned or timed out. */
static void
interval_on_leave(struct queue_acc *qa, const struct contact *c, int k)
{
	struct interval_queue	*q = &qa->slot[k];

	q->wait_all_ms += c->wait_ms;
	if (c->wait_ms > q->max_wait_all_ms)
		q->max_wait_all_ms = c->wait_ms;
}

static void
interval_on_abandon(struct queue_acc *qa, const struct contact *c, int k)
{
	struct interval_queue	*q = &qa->slot[k];
	int64_t			 wait = c->wait_ms;

	if (c->outcome == OUTCOME_SHORT_ABANDONED) {
		q->short_abandoned++;
	} else {
		q->abandoned++;
		q->abandon_wait_ms += wait;
	}
	q->wait_hist_abandoned[wait_bucket(wait)]++;
}

void
interval_input(struct interval_stage *is, const struct contact_event *ev)
{
	const struct contact		*c = ev->contact;
	const struct contact_attempt	*a = ev->attempt;
	struct queue_acc		*qa;
	int				 k;

	/* Calls first seen mid-dialog would distort every rate: left out. */
	if (c == NULL || c->mid_dialog)
		return;
	k = interval_slot(is, ev->ts_us);
	qa = queue_acc_of(is, c);
	switch (ev->type) {
	case CONTACT_EV_ARRIVE:
		qa->slot[k].offered++;
		if (c->repeat) {
			qa->slot[k].repeat_calls++;
			if (c->previous == PREVIOUS_ANSWERED)
				qa->slot[k].reconnects++;
			else
				qa->slot[k].redials++;
		}
		waiter_add(is, qa, c);
		break;
	case CONTACT_EV_RING:
		agent_acc_get(is, a->agent)->slot[k].attempts++;
		break;
	case CONTACT_EV_ANSWER:
		interval_on_answer(qa, c, k);
		interval_on_leave(qa, c, k);
		waiter_remove(is, c);
		break;
	case CONTACT_EV_ABANDON:
		interval_on_abandon(qa, c, k);
		break;
	case CONTACT_EV_INBOUND_END:
		if (c->outcome == OUTCOME_BLOCKED)
			qa->slot[k].blocked++;
		else if (c->outcome == OUTCOME_TIMEOUT)
			qa->slot[k].timeouts++;
		/* Blocked calls never queued; answered ones left at the answer. */
		if (c->outcome != OUTCOME_BLOCKED &&
		    c->outcome != OUTCOME_ANSWERED)
			interval_on_leave(qa, c, k);
		waiter_remove(is, c);
		break;
	case CONTACT_EV_SEGMENT_START:
		segment_start(is, c, a, k);
		break;
	case CONTACT_EV_SEGMENT_END:
		segment_end(is, c, a, k);
		break;
	case CONTACT_EV_SEGMENT_REOPEN:
		segment_reopen(is, c, a);
		break;
	case CONTACT_EV_HOLD:
	case CONTACT_EV_RESUME:
		segment_hold(is, c, a, ev->type == CONTACT_EV_HOLD);
		break;
	case CONTACT_EV_RONA:
		qa->slot[k].rona++;
		agent_acc_get(is, a->agent)->slot[k].rona++;
		break;
	case CONTACT_EV_TRANSFER:
		qa->slot[k].transfers++;
		if (ev->leg->refer_attended)
			qa->slot[k].transfers_attended++;
		else
			qa->slot[k].transfers_blind++;
		if (a != NULL)
			agent_acc_get(is, a->agent)->slot[k].transfers++;
		break;
	case CONTACT_EV_END:
		/*
		 * ended_by needs every agent leg's end, which HEP input may
		 * deliver after the inbound leg's: counted now, in the
		 * interval of the inbound leg's end (DESIGN.md 4.1).
		 */
		if (c->ended_by == PARTY_AGENT)
			qa->slot[interval_slot(is, c->inbound_end_us)]
			    .agent_ended++;
		/* So is ended_on_hold: it needs every segment's end. */
		if (c->ended_on_hold)
			qa->slot[interval_slot(is, c->inbound_end_us)]
			    .ended_on_hold++;
		break;
	case CONTACT_EV_LEG_END:
		break;
	}
}

/* Time in any state but logged_out and unknown (DESIGN.md 7). */
static int64_t
staffed_ms(const struct interval_agent *ag)
{
	int64_t	ms = 0;
	int	i;

	for (i = 0; i < AGENT_NSTATES; i++)
		if (i != AGENT_LOGGED_OUT && i != AGENT_UNKNOWN)
			ms += ag->state_ms[i];
	return (ms);
}

static bool
agent_active(const struct agent_acc *aa, const struct interval_agent *ag)
{
	return (aa->up_at_end || ag->attempts > 0 || ag->answered > 0 ||
	    ag->handled > 0 || ag->rona > 0 || ag->transfers > 0 ||
	    ag->busy_ms > 0 || staffed_ms(ag) > 0);
}

static bool
slot_empty(const struct interval_agent *ag)
{
	static const struct interval_agent	zero;

	return (memcmp(ag, &zero, sizeof zero) == 0);
}

static void
interval_emit(struct interval_stage *is, struct interval_record *r)
{
	r->interval_s = (int)(is->len_us / US_PER_S);
	r->ts_us = r->end_us;
	is->sink(r, is->sink_arg);
}

/*
 * Publish agents' intervals from one list, then reset the slot. An agent
 * the agent stage dropped (limits.max_agents) goes once nothing of it is
 * open or left to publish.
 */
static void
interval_close_agents(struct interval_stage *is, struct agent_acc **head,
    struct interval_record *r, int k)
{
	struct agent_acc	*aa, *next;

	for (aa = *head; aa != NULL; aa = next) {
		next = aa->next;
		if (agent_active(aa, &aa->slot[k])) {
			r->name = aa->name;
			r->agent = &aa->slot[k];
			interval_emit(is, r);
		}
		memset(&aa->slot[k], 0, sizeof aa->slot[k]);
		if (aa->forgotten && !aa->has_state && aa->nsegs == 0 &&
		    slot_empty(&aa->slot[k ^ 1])) {
			acc_unlink(is, aa);
			strmap_del(is->agents, aa->name);
			free(aa->segs);
			free(aa->name);
			if (aa->listed) {
				assert(is->st.agents > 0);
				is->st.agents--;
			}
			free(aa);
		}
	}
}

/* Publish and reset the oldest open interval, then move on by one. */
static void
interval_close_oldest(struct interval_stage *is)
{
	struct interval_record	 r;
	struct queue_acc	*qa;
	struct agent_acc	*aa;
	size_t			 i;
	int64_t			 end = is->cur_start_us + is->len_us;
	int			 k = slot_of(is, is->cur_start_us);

	/*
	 * Agents still talking are busy up to the end. A segment answered
	 * after the end (within the grace) is no call up at it.
	 */
	/* State time accrues up to the end, or the last packet time. */
	for (i = 0; i < 2; i++)
		for (aa = i == 0 ? is->ahead : is->shead; aa != NULL;
		    aa = aa->next) {
			if (!aa->has_state || aa->since_us >= end ||
			    aa->since_us >= is->now_us)
				continue;
			state_time(is, aa, aa->since_us, end < is->now_us ?
			    end : is->now_us);
			aa->since_us = end < is->now_us ? end : is->now_us;
		}
	for (aa = is->ahead; aa != NULL; aa = aa->next) {
		aa->up_at_end = false;
		for (i = 0; i < aa->nsegs; i++) {
			if (aa->segs[i].from_us >= end)
				continue;
			aa->up_at_end = true;
			segment_busy(is, aa, aa->segs[i].from_us, end);
			aa->segs[i].from_us = end;
		}
	}
	memset(&r, 0, sizeof r);
	r.start_us = is->cur_start_us;
	r.end_us = end;
	r.type = INTERVAL_QUEUE;
	for (qa = is->qhead; qa != NULL; qa = qa->next) {
		r.name = qa->name;
		r.sl_threshold_s = qa->sl_threshold_s;
		r.sl_target = qa->sl_target;
		r.max_abandon = qa->max_abandon;
		r.erlang_a_patience_s = qa->erlang_a_patience_s;
		r.queue = &qa->slot[k];
		interval_emit(is, &r);
		memset(&qa->slot[k], 0, sizeof qa->slot[k]);
	}
	r.type = INTERVAL_AGENT;
	r.queue = NULL;
	interval_close_agents(is, &is->ahead, &r, k);
	interval_close_agents(is, &is->shead, &r, k);
	is->cur_start_us = end;
}

static void
interval_realtime(struct interval_stage *is, int64_t now_us)
{
	struct interval_record	 r;
	struct queue_acc	*qa;
	struct agent_counts	 counts;

	memset(&r, 0, sizeof r);
	r.type = INTERVAL_RT_QUEUE;
	r.ts_us = now_us;
	for (qa = is->qhead; qa != NULL; qa = qa->next) {
		qa->rt.longest_wait_ms = qa->wait_head == NULL ? 0 :
		    ptime_ms_between(qa->wait_head->arrival_us, now_us);
		r.name = qa->name;
		r.rt = &qa->rt;
		memset(&counts, 0, sizeof counts);
		if (is->counts != NULL)
			is->counts(is->counts_arg, qa->name, &counts);
		r.agents = &counts;
		is->sink(&r, is->sink_arg);
	}
}

/* A jump in packet time (a clock step, a capture of several weeks): close
 * what is open, then start again at now without a flood of empty ones. */
static void
interval_skip_gap(struct interval_stage *is, int64_t now_us)
{
	struct agent_acc	*aa;
	size_t			 i;

	log_warn("packet time jumped by %lld s: empty intervals not published",
	    (long long)((now_us - is->cur_start_us) / US_PER_S));
	interval_close_oldest(is);
	interval_close_oldest(is);
	is->cur_start_us = now_us - now_us % is->len_us;
	for (aa = is->ahead; aa != NULL; aa = aa->next)
		for (i = 0; i < aa->nsegs; i++)
			if (aa->segs[i].from_us < is->cur_start_us)
				aa->segs[i].from_us = is->cur_start_us;
}

void
interval_advance(struct interval_stage *is, int64_t now_us)
{
	int64_t	rt_us = (int64_t)is->cfg->realtime_s * US_PER_S;

	if (now_us > is->now_us)
		is->now_us = now_us;
	/* The first tick (an agent's start-up state may have come first). */
	if (is->cur_start_us < 0 || is->next_rt_us == 0) {
		if (is->cur_start_us < 0)
			is->cur_start_us = now_us - now_us % is->len_us;
		is->next_rt_us = (now_us / rt_us + 1) * rt_us;
		return;
	}
	if (now_us - is->cur_start_us > INTERVAL_MAX_GAP_US)
		interval_skip_gap(is, now_us);
	while (now_us >= is->cur_start_us + is->len_us + INTERVAL_GRACE_US)
		interval_close_oldest(is);
	if (now_us >= is->next_rt_us) {
		interval_realtime(is, now_us);
		is->next_rt_us = (now_us / rt_us + 1) * rt_us;
	}
}

void
interval_flush(struct interval_stage *is, int64_t now_us)
{
	if (now_us > is->now_us)
		is->now_us = now_us;
	if (is->cur_start_us < 0)
		return;
	while (is->cur_start_us <= now_us)
		interval_close_oldest(is);
}

const struct interval_stats *
interval_get_stats(const struct interval_stage *is)
{
	return (&is->st);
}

void
interval_free(struct interval_stage *is)
{
	struct queue_acc	*qa, *qnext;
	struct agent_acc	*aa, *anext;
	struct waiter		*w, *wnext;

	if (is == NULL)
		return;
	for (qa = is->qhead; qa != NULL; qa = qnext) {
		qnext = qa->next;
		for (w = qa->wait_head; w != NULL; w = wnext) {
			wnext = w->next;
			free(w);
		}
		free(qa);
	}
	for (aa = is->ahead; aa != NULL; aa = anext) {
		anext = aa->next;
		free(aa->segs);
		free(aa->name);
		free(aa);
	}
	for (aa = is->shead; aa != NULL; aa = anext) {
		anext = aa->next;
		free(aa->segs);
		free(aa->name);
		free(aa);
	}
	strmap_free(is->queues);
	strmap_free(is->agents);
	strmap_free(is->waiters);
	free(is);
}
