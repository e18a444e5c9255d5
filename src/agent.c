/* SPDX-License-Identifier: BSD-2-Clause */
/* agent.c: agents' bindings, feature codes and state machine (DESIGN.md 7). */
#include "config.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/agent.h"
#include "ccmetrics/ptime.h"
#include "ccmetrics/strmap.h"
#include "ccmetrics/xmalloc.h"

#define US_PER_S		1000000LL
#define AGENT_MAX_BINDINGS	8	/* contacts bound per agent */
#define AGENT_MAX_QUEUES	64	/* learned memberships per agent */
#define AGENT_DEFAULT_EXPIRES_S	3600	/* DESIGN.md 7: no expiry given */
#define AGENT_SIP_PORT		5060	/* a contact or URI without port */
#define AGENT_PENDING_MAX	4096	/* REGISTERs awaiting their answer */
#define AGENT_PENDING_US	(32 * US_PER_S)	/* RFC 3261 Timer F */
#define AGENT_CODE_DIALOGS	1024	/* feature-code dialogs remembered */
#define SIP_UNAUTHORIZED	401
#define SIP_PROXY_AUTH_REQUIRED	407
#define NO_DUE			INT64_MAX
/*
 * A change is published once packet time is this far past it: a BYE ends
 * its leg at the BYE's time but only when answered, up to 1 s later
 * (leg.c LEG_BYE_WAIT_US), and what coincides with it must be one change.
 * Shorter than the interval stage's grace (2 s).
 */
#define AGENT_HOLD_US		US_PER_S
#define BINDING_KEY_MAX		(SIP_HOST_MAX + 8)

static const char *const state_names[AGENT_NSTATES] = {
	"on_call", "busy_other", "ringing", "wrapup", "logged_out", "paused",
	"available", "unknown"
};

static const char *const reason_names[] = {
	"answer", "transfer_failed", "ring", "dial", "end", "unregister",
	"register", "expired", "logout", "login", "pause", "unpause",
	"wrapup_end", "seen", NULL
};

/* What an agent's leg is to it now. */
enum aleg_kind {
	ALEG_RINGING,		/* agent leg, not answered */
	ALEG_ANSWERED,		/* agent leg answered, in no contact segment */
	ALEG_SEGMENT,		/* agent leg in an agent segment */
	ALEG_PLACED		/* a leg the agent placed */
};

struct agent;

struct aleg {
	uint64_t	 leg_id;
	struct agent	*ag;
	enum aleg_kind	 kind;
	/* The contact whose attempt it is, until its segment ends. */
	char		 queue[CONFIG_NAME_MAX];
	char		*contact_id;
	struct aleg	*prev, *next;	/* the agent's legs */
};

struct binding {
	char		key[BINDING_KEY_MAX];	/* host:port */
	int64_t		until_us;
};

struct membership {
	char		queue[CONFIG_NAME_MAX];
	int64_t		last_us;	/* the queue last rang the agent */
	/* Looked up in the configuration of generation gen (0: not yet). */
	uint64_t	gen;
	uintptr_t	qindex;		/* queue_index's value, 0: none */
	bool		listed;		/* the queue has a configured list */
};

struct agent {
	char			*id;
	/* presence */
	bool			 known;		/* a REGISTER 2xx was seen */
	bool			 code_out;	/* logged out (static: not in) */
	bool			 paused;
	struct binding		 binds[AGENT_MAX_BINDINGS];
	size_t			 nbinds;
	/* calls */
	unsigned		 ringing, on_call, busy_other;
	struct aleg		*legs;
	int64_t			 wrapup_until_us;	/* 0: none */
	bool			 wrapup_timer;	/* wrapup_end still due */
	char			 wrapup_queue[CONFIG_NAME_MAX];
	char			*wrapup_contact;
	struct membership	*mem;
	size_t			 nmem;
	/* Its configured queues, looked up in generation cfg_gen. */
	uint64_t		 cfg_gen;
	const char *const	*cfg_list;	/* NULL: none */
	const uintptr_t		*cfg_qindex;	/* queue_index's values */
	/* What record.c last wrote for it in rt.agents. */
	struct agent_rt_cache	 rt;
	/* published */
	bool			 published;
	enum agent_state	 state;
	int64_t			 since_us;
	/* the change of the current capture time, not yet published */
	bool			 pending;
	int64_t			 pend_us;
	enum agent_reason	 reason;
	char			 pend_queue[CONFIG_NAME_MAX];
	char			*pend_contact;
	struct agent		*dprev, *dnext;	/* pending list */
	/* least recently active first */
	int64_t			 last_us;
	struct agent		*lprev, *lnext;
	/* timed changes: the earliest due, its place in the heap */
	int64_t			 due_us;
	size_t			 heap_pos;
};

/* A REGISTER awaiting its final response. */
struct pending_reg {
	char			*call_id;
	uint32_t		 cseq;
	char			*agent;
	int64_t			 ts_us;
	bool			 star;
	char			 keys[SIP_MAX_CONTACTS][BINDING_KEY_MAX];
	size_t			 nkeys;
	struct pending_reg	*prev, *next;	/* oldest first */
};

struct code_dialog {
	char			*call_id;
	int64_t			 ts_us;
};

struct agent_table {
	const struct config	*cfg;
	agent_sink		 sink;
	void			*sink_arg;
	struct strmap		*agents;	/* id -> agent */
	struct strmap		*by_binding;	/* host:port -> agent */
	struct strmap		*legs;		/* leg id key -> aleg */
	struct strmap		*cfg_member;	/* agent -> char ** queues,
						   NULL-terminated */
	const char		***member_lists;	/* those lists, by
							   the map's index */
	uintptr_t		**member_qindex;	/* their queues'
							   queue_index */
	size_t			 nmember_lists;
	uint64_t		 gen;	/* of the configuration, from 1 */
	/* Every agent by id (strcmp), for rt.agents without a sort. */
	struct agent		**sorted;
	size_t			 nsorted, sorted_cap;
	/* rt.agents' arrays, kept from one snapshot to the next. */
	struct agent_rt_row	*rt_rows;
	size_t			 rt_rows_cap;
	const char		**rt_qs;
	size_t			 rt_qs_cap;
	struct agent		*lru_head, *lru_tail;
	struct agent		*dirty_head;
	struct agent		**heap;		/* by due_us */
	size_t			 nheap, heap_cap;
	struct strmap		*pending;	/* Call-ID -> pending_reg */
	struct pending_reg	*pend_head, *pend_tail;
	size_t			 npending;
	struct strmap		*codes;		/* Call-ID -> code_dialog */
	struct code_dialog	 code_ring[AGENT_CODE_DIALOGS];
	size_t			 code_next;
	bool			 started;
	int64_t			 now_us;
	int64_t			 next_rt_us;
	/* rt.queue counts, by configured queue */
	struct strmap		*queue_index;	/* name -> index + 1 */
	struct agent_counts	*qcounts;
	size_t			 nqcounts;
	struct agent_stats	 st;
};

/* Copy the string src into dst of size bytes, cut short if need be. */
static void
copy_str(char *dst, size_t size, const char *src)
{
	size_t	n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

const char *
agent_state_name(enum agent_state s)
{
	return (state_names[s]);
}

const char *
agent_reason_name(enum agent_reason r)
{
	return (reason_names[r]);
}

/* ---- timed changes: a binary heap of agents by their earliest due ---- */

static bool
heap_less(struct agent_table *at, size_t i, size_t j)
{
	return (at->heap[i]->due_us < at->heap[j]->due_us);
}

static void
heap_swap(struct agent_table *at, size_t i, size_t j)
{
	struct agent	*t = at->heap[i];

	at->heap[i] = at->heap[j];
	at->heap[j] = t;
	at->heap[i]->heap_pos = i;
	at->heap[j]->heap_pos = j;
}

static void
heap_fix(struct agent_table *at, size_t i)
{
	size_t	l, r, m;

	while (i > 0 && heap_less(at, i, (i - 1) / 2)) {
		heap_swap(at, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < at->nheap && heap_less(at, l, m))
			m = l;
		if (r < at->nheap && heap_less(at, r, m))
			m = r;
		if (m == i)
			return;
		heap_swap(at, i, m);
		i = m;
	}
}

static void
heap_remove(struct agent_table *at, struct agent *a)
{
	size_t	i = a->heap_pos;

	if (a->due_us == NO_DUE)
		return;
	a->due_us = NO_DUE;
	at->nheap--;
	if (i != at->nheap) {
		at->heap[i] = at->heap[at->nheap];
		at->heap[i]->heap_pos = i;
		heap_fix(at, i);
	}
}

/* The earliest of the agent's timed changes, back in the heap. */
static void
agent_reschedule(struct agent_table *at, struct agent *a)
{
	int64_t	due = NO_DUE;
	size_t	i;

	if (a->wrapup_timer)
		due = a->wrapup_until_us;
	for (i = 0; i < a->nbinds; i++)
		if (a->binds[i].until_us < due)
			due = a->binds[i].until_us;
	if (due == a->due_us)
		return;
	if (due == NO_DUE) {
		heap_remove(at, a);
		return;
	}
	if (a->due_us == NO_DUE) {
		if (at->nheap == at->heap_cap) {
			at->heap_cap = at->heap_cap == 0 ? 64 :
			    at->heap_cap * 2;
			at->heap = xreallocarray(at->heap, at->heap_cap,
			    sizeof *at->heap);
		}
		a->heap_pos = at->nheap;
		at->heap[at->nheap++] = a;
	}
	a->due_us = due;
	heap_fix(at, a->heap_pos);
}

/* ---- membership ---- */

static void
agent_build_members(struct agent_table *at)
{
	const struct config	*cfg = at->cfg;
	const struct config_queue *q;
	const char		**list;
	size_t			 i, j, n;
	uintptr_t		 k;

	at->cfg_member = strmap_create();
	at->queue_index = strmap_create();
	for (i = 0; i < cfg->nqueues; i++) {
		q = &cfg->queues[i];
		strmap_put(at->queue_index, q->name, (void *)(uintptr_t)(i + 1));
		for (j = 0; j < q->agents.n; j++) {
			k = (uintptr_t)strmap_get(at->cfg_member, q->agents.v[j]);
			if (k == 0) {
				at->member_lists = xreallocarray(
				    at->member_lists, at->nmember_lists + 1,
				    sizeof *at->member_lists);
				at->member_lists[at->nmember_lists++] = NULL;
				k = at->nmember_lists;
				strmap_put(at->cfg_member, q->agents.v[j],
				    (void *)k);
			}
			list = at->member_lists[k - 1];
			for (n = 0; list != NULL && list[n] != NULL; n++)
				;
			list = xreallocarray(list, n + 2, sizeof *list);
			list[n] = q->name;
			list[n + 1] = NULL;
			at->member_lists[k - 1] = list;
		}
	}
	/* Each listed queue's index, as rt.agents' counts look it up. */
	at->member_qindex = xcalloc(at->nmember_lists + 1,
	    sizeof *at->member_qindex);
	for (k = 0; k < at->nmember_lists; k++) {
		list = at->member_lists[k];
		for (n = 0; list[n] != NULL; n++)
			;
		at->member_qindex[k] = xcalloc(n + 1,
		    sizeof *at->member_qindex[k]);
		for (j = 0; j < n; j++)
			at->member_qindex[k][j] = (uintptr_t)strmap_get(
			    at->queue_index, list[j]);
	}
	at->gen++;
	free(at->qcounts);
	at->nqcounts = cfg->nqueues;
	at->qcounts = xcalloc(at->nqcounts + 1, sizeof *at->qcounts);
}

/* Free the map of configured members and its lists. */
static void
agent_free_members(struct agent_table *at)
{
	size_t	i;

	for (i = 0; i < at->nmember_lists; i++) {
		free((void *)at->member_lists[i]);
		free(at->member_qindex[i]);
	}
	free(at->member_lists);
	at->member_lists = NULL;
	free(at->member_qindex);
	at->member_qindex = NULL;
	at->nmember_lists = 0;
	strmap_free(at->cfg_member);
	at->cfg_member = NULL;
	strmap_free(at->queue_index);
	at->queue_index = NULL;
}

struct agent_table *
agent_create(const struct config *cfg, agent_sink sink, void *arg)
{
	struct agent_table	*at;

	at = xcalloc(1, sizeof *at);
	at->cfg = cfg;
	at->sink = sink;
	at->sink_arg = arg;
	at->agents = strmap_create();
	at->by_binding = strmap_create();
	at->legs = strmap_create();
	at->pending = strmap_create();
	at->codes = strmap_create();
	agent_build_members(at);
	return (at);
}

void
agent_set_config(struct agent_table *at, const struct config *cfg)
{
	agent_free_members(at);
	at->cfg = cfg;
	agent_build_members(at);
}

/* ---- the state machine ---- */

static bool
agent_logged_in(const struct agent_table *at, const struct agent *a)
{
	if (at->cfg->agent_presence == PRESENCE_STATIC)
		return (!a->code_out);
	return (a->known && a->nbinds > 0 && !a->code_out);
}

/* DESIGN.md 7: the first state that applies, at time t. */
static enum agent_state
agent_state_at(const struct agent_table *at, const struct agent *a,
    int64_t t)
{
	if (a->on_call > 0)
		return (AGENT_ON_CALL);
	if (a->busy_other > 0)
		return (AGENT_BUSY_OTHER);
	if (a->ringing > 0)
		return (AGENT_RINGING);
	if (a->wrapup_until_us != 0 && t < a->wrapup_until_us)
		return (AGENT_WRAPUP);
	if (!agent_logged_in(at, a))
		return (at->cfg->agent_presence == PRESENCE_REGISTER &&
		    !a->known ? AGENT_UNKNOWN : AGENT_LOGGED_OUT);
	if (a->paused)
		return (AGENT_PAUSED);
	return (AGENT_AVAILABLE);
}

static void
dirty_unlink(struct agent_table *at, struct agent *a)
{
	if (a->dprev != NULL)
		a->dprev->dnext = a->dnext;
	else
		at->dirty_head = a->dnext;
	if (a->dnext != NULL)
		a->dnext->dprev = a->dprev;
	a->dprev = a->dnext = NULL;
}

/* Publish the pending change of a, if the state moved (or is its first). */
static void
agent_publish(struct agent_table *at, struct agent *a)
{
	struct agent_event	 ev;
	enum agent_state	 st;

	if (!a->pending)
		return;
	a->pending = false;
	dirty_unlink(at, a);
	st = agent_state_at(at, a, a->pend_us);
	if (a->published && st == a->state)
		return;
	memset(&ev, 0, sizeof ev);
	ev.type = AGENT_EV_STATE;
	ev.ts_us = a->pend_us;
	ev.agent = a->id;
	ev.state = st;
	ev.first = !a->published;
	ev.prev = a->state;
	ev.prev_ms = a->published ? ptime_ms_between(a->since_us, a->pend_us) :
	    0;
	ev.reason = a->reason == AGENT_R_NONE ? AGENT_R_SEEN : a->reason;
	if (a->pend_queue[0] != '\0') {
		ev.queue = a->pend_queue;
		ev.contact_id = a->pend_contact;
	}
	a->published = true;
	a->state = st;
	a->since_us = a->pend_us;
	at->sink(&ev, at->sink_arg);
}

/*
 * Note evidence at ts with its reason: changes at one capture time are
 * one change, whose reason is the first of theirs in DESIGN.md 7's order
 * (with the contact of the evidence that gave it).
 */
static void
agent_mark(struct agent_table *at, struct agent *a, int64_t ts,
    enum agent_reason r, const char *queue, const char *contact_id)
{
	if (a->pending && ts > a->pend_us)
		agent_publish(at, a);
	if (a->published && ts < a->since_us)
		ts = a->since_us;	/* never before what is published */
	if (!a->pending) {
		a->pending = true;
		a->pend_us = ts;
		a->reason = AGENT_R_NONE;
		a->pend_queue[0] = '\0';
		free(a->pend_contact);
		a->pend_contact = NULL;
		a->dprev = NULL;
		a->dnext = at->dirty_head;
		if (at->dirty_head != NULL)
			at->dirty_head->dprev = a;
		at->dirty_head = a;
	}
	if (r < a->reason || (r == a->reason && queue != NULL &&
	    a->pend_queue[0] == '\0')) {
		a->reason = r;
		a->pend_queue[0] = '\0';
		free(a->pend_contact);
		a->pend_contact = NULL;
		if (queue != NULL) {
			copy_str(a->pend_queue, sizeof a->pend_queue, queue);
			a->pend_contact = contact_id != NULL ?
			    xstrdup(contact_id) : NULL;
		}
	}
}

static void
binding_drop(struct agent_table *at, struct agent *a, size_t i)
{
	if (strmap_get(at->by_binding, a->binds[i].key) == a)
		strmap_del(at->by_binding, a->binds[i].key);
	a->binds[i] = a->binds[--a->nbinds];
	at->st.bindings--;
}

/*
 * Evidence at ts is about to change a: a pending change of an earlier
 * capture time is published first, with what held then.
 */
static void
agent_begin(struct agent_table *at, struct agent *a, int64_t ts)
{
	if (a->pending && ts > a->pend_us)
		agent_publish(at, a);
}

/* Timed changes of a due at or before t, each at its own due time. */
static void
agent_catch_up(struct agent_table *at, struct agent *a, int64_t t)
{
	int64_t	due;
	size_t	i, dropped;

	while ((due = a->due_us) != NO_DUE && due <= t) {
		agent_begin(at, a, due);
		if (a->wrapup_timer && a->wrapup_until_us == due) {
			a->wrapup_timer = false;
			agent_mark(at, a, due, AGENT_R_WRAPUP_END,
			    a->wrapup_queue, a->wrapup_contact);
		}
		dropped = 0;
		for (i = 0; i < a->nbinds; )
			if (a->binds[i].until_us <= due) {
				binding_drop(at, a, i);
				dropped++;
			} else
				i++;
		if (dropped > 0) {
			if (a->nbinds == 0)
				a->paused = false;	/* unbound */
			agent_mark(at, a, due, AGENT_R_EXPIRED, NULL, NULL);
		}
		agent_reschedule(at, a);
	}
}

static void
lru_unlink(struct agent_table *at, struct agent *a)
{
	if (a->lprev != NULL)
		a->lprev->lnext = a->lnext;
	else
		at->lru_head = a->lnext;
	if (a->lnext != NULL)
		a->lnext->lprev = a->lprev;
	else
		at->lru_tail = a->lprev;
	a->lprev = a->lnext = NULL;
}

static void
lru_append(struct agent_table *at, struct agent *a)
{
	a->lprev = at->lru_tail;
	a->lnext = NULL;
	if (at->lru_tail != NULL)
		at->lru_tail->lnext = a;
	else
		at->lru_head = a;
	at->lru_tail = a;
}

static void
aleg_free(struct agent_table *at, struct aleg *g)
{
	char	key[CONTACT_ID_KEY_LEN];

	contact_id_key(key, g->leg_id);
	strmap_del(at->legs, key);
	if (g->prev != NULL)
		g->prev->next = g->next;
	else
		g->ag->legs = g->next;
	if (g->next != NULL)
		g->next->prev = g->prev;
	free(g->contact_id);
	free(g);
}

/* Where id is or would go in the agents sorted by id. */
static size_t
sorted_find(const struct agent_table *at, const char *id)
{
	size_t	lo = 0, hi = at->nsorted, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(at->sorted[mid]->id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

static void
sorted_insert(struct agent_table *at, struct agent *a)
{
	size_t	i = sorted_find(at, a->id);

	if (at->nsorted == at->sorted_cap) {
		at->sorted_cap = at->sorted_cap == 0 ? 64 : at->sorted_cap * 2;
		at->sorted = xreallocarray(at->sorted, at->sorted_cap,
		    sizeof *at->sorted);
	}
	memmove(at->sorted + i + 1, at->sorted + i,
	    (at->nsorted - i) * sizeof *at->sorted);
	at->sorted[i] = a;
	at->nsorted++;
}

static void
sorted_remove(struct agent_table *at, const struct agent *a)
{
	size_t	i = sorted_find(at, a->id);

	assert(i < at->nsorted && at->sorted[i] == a);
	if (i >= at->nsorted || at->sorted[i] != a)
		return;		/* never: every agent is in it once */
	memmove(at->sorted + i, at->sorted + i + 1,
	    (at->nsorted - i - 1) * sizeof *at->sorted);
	at->nsorted--;
}

static void
agent_release(struct agent *a)
{
	free(a->id);
	free(a->mem);
	free(a->wrapup_contact);
	free(a->pend_contact);
	free(a->rt.json);
	free(a->rt.qkey);
	free(a);
}

/* Remove a from the table (evicted): the interval stage is told. */
static void
agent_forget(struct agent_table *at, struct agent *a, int64_t ts)
{
	struct agent_event	ev;

	if (a->pending)
		agent_publish(at, a);
	while (a->legs != NULL)
		aleg_free(at, a->legs);
	while (a->nbinds > 0)
		binding_drop(at, a, 0);
	heap_remove(at, a);
	lru_unlink(at, a);
	sorted_remove(at, a);
	strmap_del(at->agents, a->id);
	if (a->published) {
		memset(&ev, 0, sizeof ev);
		ev.type = AGENT_EV_FORGET;
		ev.ts_us = ts;
		ev.agent = a->id;
		at->sink(&ev, at->sink_arg);
	}
	at->st.agents--;
	agent_release(a);
}

/*
 * The agent named id, made when new (DESIGN.md 7: an agent exists from
 * the first message naming it), its timed changes due by ts applied. The
 * table is full at limits.max_agents: the least recently active goes.
 */
static struct agent *
agent_get(struct agent_table *at, const char *id, int64_t ts)
{
	struct agent	*a;

	if ((a = strmap_get(at->agents, id)) != NULL) {
		agent_catch_up(at, a, ts);
		agent_begin(at, a, ts);
		if (ts > a->last_us)
			a->last_us = ts;
		lru_unlink(at, a);
		lru_append(at, a);
		return (a);
	}
	while (at->st.agents >= at->cfg->max_agents && at->lru_head != NULL) {
		at->st.evicted++;
		agent_forget(at, at->lru_head, ts);
	}
	a = xcalloc(1, sizeof *a);
	a->id = xstrdup(id);
	a->due_us = NO_DUE;
	a->reason = AGENT_R_NONE;
	a->last_us = ts;
	a->state = AGENT_UNKNOWN;
	if (at->cfg->agent_presence == PRESENCE_STATIC)
		a->code_out = !config_strlist_has(&at->cfg->agent_ids, id);
	strmap_put(at->agents, a->id, a);
	lru_append(at, a);
	sorted_insert(at, a);
	at->st.agents++;
	at->st.created++;
	/* Named now: its first event, whatever else comes at ts. */
	agent_mark(at, a, ts, AGENT_R_NONE, NULL, NULL);
	return (a);
}

/* ---- REGISTER (DESIGN.md 7: Registration) ---- */

static void
binding_key(char *buf, size_t len, const char *host, uint16_t port)
{
	char		 digits[8], *p = digits + sizeof digits;
	unsigned	 v = port != 0 ? port : AGENT_SIP_PORT;
	size_t		 n, d;

	/* host ":" port, without printf: every REGISTER contact. */
	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	d = strlen(p);
	n = strnlen(host, len - d - 2);
	memcpy(buf, host, n);
	buf[n] = ':';
	memcpy(buf + n + 1, p, d + 1);
}

const char *
agent_binding(const char *host, uint16_t port, void *arg)
{
	struct agent_table	*at = arg;
	struct agent		*a;
	char			 key[BINDING_KEY_MAX];

	if (strmap_count(at->by_binding) == 0)
		return (NULL);
	binding_key(key, sizeof key, host, port);
	a = strmap_get(at->by_binding, key);
	return (a != NULL ? a->id : NULL);
}

static void
pending_free(struct agent_table *at, struct pending_reg *p)
{
	if (strmap_get(at->pending, p->call_id) == p)
		strmap_del(at->pending, p->call_id);
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		at->pend_head = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	else
		at->pend_tail = p->prev;
	at->npending--;
	free(p->call_id);
	free(p->agent);
	free(p);
}

static void
agent_on_register(struct agent_table *at, const struct sip_msg *m)
{
	const struct config	*cfg = at->cfg;
	struct pending_reg	*p;
	size_t			 i;

	if (!addrset_contains(&cfg->agents, &m->src.ip) ||
	    *m->to_user == '\0' || !config_is_agent_id(cfg, m->to_user)) {
		at->st.register_ignored++;
		return;
	}
	at->st.registers++;
	agent_get(at, m->to_user, m->ts_us);
	if ((p = strmap_get(at->pending, m->call_id)) != NULL)
		pending_free(at, p);
	while (at->npending >= AGENT_PENDING_MAX)
		pending_free(at, at->pend_head);
	p = xcalloc(1, sizeof *p);
	p->call_id = xstrdup(m->call_id);
	p->cseq = m->cseq;
	p->agent = xstrdup(m->to_user);
	p->ts_us = m->ts_us;
	p->star = m->contact_star;
	for (i = 0; i < m->ncontacts; i++)
		binding_key(p->keys[p->nkeys++], BINDING_KEY_MAX,
		    m->contacts[i].host, m->contacts[i].port);
	p->prev = at->pend_tail;
	if (at->pend_tail != NULL)
		at->pend_tail->next = p;
	else
		at->pend_head = p;
	at->pend_tail = p;
	at->npending++;
	strmap_put(at->pending, p->call_id, p);
}

/* The expiry a 2xx grants the contact key, -1 when it lists it not. */
static int
granted_expiry(const struct sip_msg *m, const char *key)
{
	char	k[BINDING_KEY_MAX];
	size_t	i;

	for (i = 0; i < m->ncontacts; i++) {
		binding_key(k, sizeof k, m->contacts[i].host,
		    m->contacts[i].port);
		if (strcmp(k, key) != 0)
			continue;
		if (m->contacts[i].expires >= 0)
			return (m->contacts[i].expires);
		if (m->expires >= 0)
			return (m->expires);
		return (AGENT_DEFAULT_EXPIRES_S);
	}
	return (-1);
}

static struct binding *
binding_find(struct agent *a, const char *key)
{
	size_t	i;

	for (i = 0; i < a->nbinds; i++)
		if (strcmp(a->binds[i].key, key) == 0)
			return (&a->binds[i]);
	return (NULL);
}

/*
 * A 2xx binds each contact the agent asked for, or has, for what it
 * grants; a contact it does not list, or grants 0, is unbound at once,
 * and Contact: * unbinds every one (RFC 3261 10.3).
 */
static void
agent_on_register_ok(struct agent_table *at, struct pending_reg *p,
    const struct sip_msg *m)
{
	struct agent	*a;
	struct binding	*b;
	size_t		 i;
	int		 exp;
	bool		 was_bound;

	a = agent_get(at, p->agent, m->ts_us);
	at->st.register_ok++;
	a->known = true;
	was_bound = a->nbinds > 0;
	for (i = 0; i < a->nbinds; ) {
		exp = p->star ? 0 : granted_expiry(m, a->binds[i].key);
		if (exp <= 0) {
			binding_drop(at, a, i);
			continue;
		}
		a->binds[i].until_us = m->ts_us + (int64_t)exp * US_PER_S;
		strmap_put(at->by_binding, a->binds[i].key, a);
		i++;
	}
	for (i = 0; !p->star && i < p->nkeys; i++) {
		if (binding_find(a, p->keys[i]) != NULL ||
		    (exp = granted_expiry(m, p->keys[i])) <= 0)
			continue;
		if (a->nbinds == AGENT_MAX_BINDINGS) {
			at->st.bindings_dropped++;
			continue;
		}
		b = &a->binds[a->nbinds++];
		copy_str(b->key, sizeof b->key, p->keys[i]);
		b->until_us = m->ts_us + (int64_t)exp * US_PER_S;
		strmap_put(at->by_binding, b->key, a);
		at->st.bindings++;
	}
	if (was_bound && a->nbinds == 0)
		a->paused = false;	/* unbound */
	agent_reschedule(at, a);
	agent_mark(at, a, m->ts_us, a->nbinds > 0 ? AGENT_R_REGISTER :
	    AGENT_R_UNREGISTER, NULL, NULL);
}

static void
agent_on_register_response(struct agent_table *at, const struct sip_msg *m)
{
	struct pending_reg	*p;

	if (m->status < 200)
		return;
	if ((p = strmap_get(at->pending, m->call_id)) == NULL ||
	    p->cseq != m->cseq) {
		at->st.register_unmatched++;
		return;
	}
	if (!addrset_contains(&at->cfg->pbx, &m->src.ip)) {
		at->st.register_ignored++;	/* the request waits on */
		return;
	}
	if (m->status < 300)
		agent_on_register_ok(at, p, m);
	else if (m->status == SIP_UNAUTHORIZED ||
	    m->status == SIP_PROXY_AUTH_REQUIRED)
		at->st.register_challenged++;
	else
		at->st.register_ignored++;
	pending_free(at, p);
}

/* ---- feature codes (DESIGN.md 7: Feature codes) ---- */

static void
code_remember(struct agent_table *at, const struct sip_msg *m)
{
	struct code_dialog	*d = &at->code_ring[at->code_next];

	if (d->call_id != NULL) {
		if (strmap_get(at->codes, d->call_id) == d)
			strmap_del(at->codes, d->call_id);
		free(d->call_id);
	}
	d->call_id = xstrdup(m->call_id);
	d->ts_us = m->ts_us;
	strmap_put(at->codes, d->call_id, d);
	at->code_next = (at->code_next + 1) % AGENT_CODE_DIALOGS;
}

/* Is m the initial INVITE of a feature code? Then apply it. */
static bool
agent_on_code(struct agent_table *at, const struct sip_msg *m)
{
	const struct config	*cfg = at->cfg;
	enum agent_reason	 r;
	struct agent		*a;

	if (!m->is_request || m->method != SIP_INVITE || *m->to_tag != '\0' ||
	    *m->ruri_user == '\0' || !addrset_contains(&cfg->agents,
	    &m->src.ip))
		return (false);
	if (config_strlist_has(&cfg->code_pause, m->ruri_user))
		r = AGENT_R_PAUSE;
	else if (config_strlist_has(&cfg->code_unpause, m->ruri_user))
		r = AGENT_R_UNPAUSE;
	else if (config_strlist_has(&cfg->code_login, m->ruri_user))
		r = AGENT_R_LOGIN;
	else if (config_strlist_has(&cfg->code_logout, m->ruri_user))
		r = AGENT_R_LOGOUT;
	else
		return (false);
	code_remember(at, m);
	at->st.feature_code_messages++;
	if (*m->from_user == '\0' || !config_is_agent_id(cfg, m->from_user)) {
		at->st.feature_codes_ignored++;
		return (true);
	}
	at->st.feature_codes++;
	a = agent_get(at, m->from_user, m->ts_us);
	switch (r) {
	case AGENT_R_PAUSE:
		a->paused = true;
		break;
	case AGENT_R_UNPAUSE:
		a->paused = false;
		break;
	case AGENT_R_LOGIN:
		a->code_out = false;
		break;
	default:
		a->code_out = true;
		a->paused = false;
		break;
	}
	agent_mark(at, a, m->ts_us, r, NULL, NULL);
	return (true);
}

bool
agent_sip_input(struct agent_table *at, const struct sip_msg *m)
{
	struct code_dialog	*d;

	if (m->method == SIP_REGISTER) {
		if (m->is_request)
			agent_on_register(at, m);
		else
			agent_on_register_response(at, m);
		return (true);
	}
	/* Every message of a feature code's dialog: never a call. */
	if (strmap_count(at->codes) > 0 &&
	    (d = strmap_get(at->codes, m->call_id)) != NULL) {
		at->st.feature_code_messages++;
		return (true);
	}
	return (agent_on_code(at, m));
}

/* ---- calls ---- */

static struct aleg *
aleg_find(struct agent_table *at, uint64_t leg_id)
{
	char	key[CONTACT_ID_KEY_LEN];

	contact_id_key(key, leg_id);
	return (strmap_get(at->legs, key));
}

static void
aleg_new(struct agent_table *at, struct agent *a, uint64_t leg_id,
    enum aleg_kind kind)
{
	struct aleg	*g;
	char		 key[CONTACT_ID_KEY_LEN];

	if (aleg_find(at, leg_id) != NULL)
		return;		/* a rehop's second START */
	g = xcalloc(1, sizeof *g);
	g->leg_id = leg_id;
	g->ag = a;
	g->kind = kind;
	g->next = a->legs;
	if (a->legs != NULL)
		a->legs->prev = g;
	a->legs = g;
	contact_id_key(key, leg_id);
	strmap_put(at->legs, key, g);
	if (kind == ALEG_RINGING)
		a->ringing++;
	else
		a->busy_other++;
}

/* Take g out of the agent's counts (its leg ended, or changes kind). */
static void
aleg_uncount(struct aleg *g)
{
	struct agent	*a = g->ag;

	switch (g->kind) {
	case ALEG_RINGING:
		assert(a->ringing > 0);
		a->ringing--;
		break;
	case ALEG_SEGMENT:
		assert(a->on_call > 0);
		a->on_call--;
		break;
	default:
		assert(a->busy_other > 0);
		a->busy_other--;
		break;
	}
}

static void
aleg_set(struct aleg *g, enum aleg_kind kind)
{
	aleg_uncount(g);
	g->kind = kind;
	switch (kind) {
	case ALEG_RINGING:
		g->ag->ringing++;
		break;
	case ALEG_SEGMENT:
		g->ag->on_call++;
		break;
	default:
		g->ag->busy_other++;
		break;
	}
}

void
agent_leg_input(struct agent_table *at, const struct leg_event *ev)
{
	const struct leg	*l = ev->leg;
	struct aleg		*g;
	struct agent		*a;

	switch (ev->type) {
	case LEG_EV_START:
		/* An empty user names nobody (no pattern: any user is an id). */
		if (l->role == LEG_ROLE_AGENT && *l->dialed != '\0') {
			a = agent_get(at, l->dialed, ev->ts_us);
			aleg_new(at, a, l->id, ALEG_RINGING);
			agent_mark(at, a, ev->ts_us, AGENT_R_RING, NULL, NULL);
		} else if (l->placed_by != NULL) {
			a = agent_get(at, l->placed_by, ev->ts_us);
			aleg_new(at, a, l->id, ALEG_PLACED);
			agent_mark(at, a, ev->ts_us, AGENT_R_DIAL, NULL, NULL);
		}
		break;
	case LEG_EV_ANSWER:
		if ((g = aleg_find(at, l->id)) == NULL)
			break;
		a = agent_get(at, g->ag->id, ev->ts_us);
		if (g->kind == ALEG_RINGING)
			aleg_set(g, ALEG_ANSWERED);
		agent_mark(at, a, ev->ts_us, AGENT_R_ANSWER, NULL, NULL);
		break;
	case LEG_EV_END:
		if ((g = aleg_find(at, l->id)) == NULL)
			break;
		a = agent_get(at, g->ag->id, ev->ts_us);
		aleg_uncount(g);
		/* An attempt's end concerns its contact (a RONA too). */
		agent_mark(at, a, ev->ts_us, AGENT_R_END,
		    g->queue[0] != '\0' ? g->queue : NULL, g->contact_id);
		aleg_free(at, g);
		break;
	default:
		break;
	}
}

/* The queue rang the agent at ts: a learned member (DESIGN.md 7). */
static void
agent_learn(struct agent *a, const char *queue, int64_t ts)
{
	size_t	i, oldest = 0;

	for (i = 0; i < a->nmem; i++) {
		if (strcmp(a->mem[i].queue, queue) == 0) {
			if (ts > a->mem[i].last_us)
				a->mem[i].last_us = ts;
			return;
		}
		if (a->mem[i].last_us < a->mem[oldest].last_us)
			oldest = i;
	}
	if (a->nmem == AGENT_MAX_QUEUES)
		i = oldest;
	else {
		a->mem = xreallocarray(a->mem, a->nmem + 1, sizeof *a->mem);
		i = a->nmem++;
	}
	copy_str(a->mem[i].queue, sizeof a->mem[i].queue, queue);
	a->mem[i].last_us = ts;
	a->mem[i].gen = 0;	/* looked up at the next snapshot */
}

void
agent_contact_input(struct agent_table *at, const struct contact_event *ev)
{
	const struct contact		*c = ev->contact;
	const struct contact_attempt	*t = ev->attempt;
	const struct config_queue	*q;
	struct aleg			*g;
	struct agent			*a;
	int64_t				 wrapup_us;

	if (c == NULL || t == NULL || *t->agent == '\0')
		return;
	switch (ev->type) {
	case CONTACT_EV_RING:
		a = agent_get(at, t->agent, ev->ts_us);
		agent_learn(a, c->queue, ev->ts_us);
		if ((g = aleg_find(at, t->leg_id)) != NULL && g->ag == a) {
			copy_str(g->queue, sizeof g->queue, c->queue);
			free(g->contact_id);
			g->contact_id = xstrdup(c->call_id);
		}
		agent_mark(at, a, ev->ts_us, AGENT_R_RING, c->queue, c->call_id);
		break;
	case CONTACT_EV_SEGMENT_START:
		a = agent_get(at, t->agent, ev->ts_us);
		if ((g = aleg_find(at, t->leg_id)) != NULL && g->ag == a &&
		    g->kind != ALEG_SEGMENT)
			aleg_set(g, ALEG_SEGMENT);
		agent_mark(at, a, ev->ts_us, AGENT_R_ANSWER, c->queue,
		    c->call_id);
		break;
	case CONTACT_EV_SEGMENT_END:
		a = agent_get(at, t->agent, ev->ts_us);
		/* At a 202 the leg is still up: an answered leg in no contact. */
		if ((g = aleg_find(at, t->leg_id)) != NULL && g->ag == a) {
			if (g->kind == ALEG_SEGMENT)
				aleg_set(g, ALEG_ANSWERED);
			/* The leg, still up after a 202, is in no contact. */
			g->queue[0] = '\0';
			free(g->contact_id);
			g->contact_id = NULL;
		}
		/* The queue of the last ended segment decides. */
		q = config_queue_by_name(at->cfg, c->queue);
		wrapup_us = q != NULL ? (int64_t)q->wrapup_s * US_PER_S : 0;
		a->wrapup_until_us = ev->ts_us + wrapup_us;
		a->wrapup_timer = wrapup_us > 0;
		copy_str(a->wrapup_queue, sizeof a->wrapup_queue, c->queue);
		free(a->wrapup_contact);
		a->wrapup_contact = xstrdup(c->call_id);
		agent_reschedule(at, a);
		agent_mark(at, a, ev->ts_us, AGENT_R_END, c->queue, c->call_id);
		break;
	case CONTACT_EV_SEGMENT_REOPEN:
		/*
		 * The transfer whose 202 ended the segment failed: the agent
		 * is back on the call until its leg ends, where the segment
		 * ends and its wrap-up starts (DESIGN.md 3.3).
		 */
		a = agent_get(at, t->agent, ev->ts_us);
		if ((g = aleg_find(at, t->leg_id)) != NULL && g->ag == a) {
			if (g->kind == ALEG_ANSWERED)
				aleg_set(g, ALEG_SEGMENT);
			copy_str(g->queue, sizeof g->queue, c->queue);
			free(g->contact_id);
			g->contact_id = xstrdup(c->call_id);
		}
		a->wrapup_until_us = 0;
		a->wrapup_timer = false;
		agent_reschedule(at, a);
		agent_mark(at, a, ev->ts_us, AGENT_R_TRANSFER_FAILED, c->queue,
		    c->call_id);
		break;
	default:
		break;
	}
}

/* ---- clock, snapshots, counts ---- */

/* Static mode: the listed agents are logged in from start-up. */
void
agent_start(struct agent_table *at, int64_t now_us)
{
	const struct config	*cfg = at->cfg;
	size_t			 i;

	if (at->started)
		return;
	at->started = true;
	at->next_rt_us = (now_us / ((int64_t)cfg->realtime_s * US_PER_S) + 1) *
	    ((int64_t)cfg->realtime_s * US_PER_S);
	if (cfg->agent_presence != PRESENCE_STATIC)
		return;
	for (i = 0; i < cfg->agent_ids.n; i++)
		agent_get(at, cfg->agent_ids.v[i], now_us);
}

/* Publish the changes of capture times before t. */
static void
agent_publish_before(struct agent_table *at, int64_t t)
{
	struct agent	*a, *next;

	for (a = at->dirty_head; a != NULL; a = next) {
		next = a->dnext;
		if (a->pend_us < t)
			agent_publish(at, a);
	}
}

static void
agent_timers(struct agent_table *at, int64_t now_us)
{
	while (at->nheap > 0 && at->heap[0]->due_us <= now_us)
		agent_catch_up(at, at->heap[0], now_us);
}

/* Is a a member of queue name at now (configured, else learned)? */
static bool
agent_member_learned(const struct agent_table *at, const struct agent *a,
    size_t i, int64_t now_us)
{
	return (now_us - a->mem[i].last_us <=
	    (int64_t)at->cfg->membership_window_s * US_PER_S);
}

static void
counts_add(struct agent_counts *c, enum agent_state s)
{
	switch (s) {
	case AGENT_AVAILABLE: c->available++; break;
	case AGENT_RINGING: c->ringing++; break;
	case AGENT_ON_CALL: c->on_call++; break;
	case AGENT_BUSY_OTHER: c->busy_other++; break;
	case AGENT_WRAPUP: c->wrapup++; break;
	case AGENT_PAUSED: c->paused++; break;
	default: return;	/* logged_out, unknown: not staffed */
	}
	c->staffed++;
}

/*
 * The queues a is a member of (configured lists first) into out, each
 * one's queue_index value into qindex. Looked up once per configuration
 * (and per learned queue), not at every snapshot.
 */
static size_t
agent_queues_of(const struct agent_table *at, struct agent *a,
    int64_t now_us, const char **out, uintptr_t *qindex, size_t max)
{
	const struct config_queue	*q;
	struct membership		*m;
	size_t				 n = 0, i;
	uintptr_t			 k;

	if (a->cfg_gen != at->gen) {
		k = (uintptr_t)strmap_get(at->cfg_member, a->id);
		a->cfg_list = k != 0 ? at->member_lists[k - 1] : NULL;
		a->cfg_qindex = k != 0 ? at->member_qindex[k - 1] : NULL;
		a->cfg_gen = at->gen;
	}
	for (i = 0; a->cfg_list != NULL && a->cfg_list[i] != NULL &&
	    n < max; i++) {
		qindex[n] = a->cfg_qindex[i];
		out[n++] = a->cfg_list[i];
	}
	for (i = 0; i < a->nmem && n < max; i++) {
		if (!agent_member_learned(at, a, i, now_us))
			continue;
		m = &a->mem[i];
		if (m->gen != at->gen) {
			q = config_queue_by_name(at->cfg, m->queue);
			m->listed = q != NULL && q->agents.n > 0;
			m->qindex = (uintptr_t)strmap_get(at->queue_index,
			    m->queue);
			m->gen = at->gen;
		}
		/* A queue with a configured list takes no learned member. */
		if (m->listed)
			continue;
		qindex[n] = m->qindex;
		out[n++] = m->queue;
	}
	return (n);
}

/*
 * rt.agents, and the queues' counts for rt.queue, in one pass over the
 * agents in id order: each row's queues go to one array, grown as needed;
 * both arrays are kept for the next snapshot.
 */
static void
agent_snapshot(struct agent_table *at, int64_t now_us)
{
	struct agent_event	 ev;
	struct agent_rt_row	*rows;
	const char		*tmp[AGENT_MAX_QUEUES * 2];
	uintptr_t		 tmpk[AGENT_MAX_QUEUES * 2];
	uint64_t		 counts[AGENT_NSTATES];
	struct agent		*a;
	size_t			 n = 0, nq, used = 0, i, j;
	enum agent_state	 st;
	int64_t			 since;

	memset(at->qcounts, 0, (at->nqcounts + 1) * sizeof *at->qcounts);
	if (at->rt_rows_cap < at->nsorted + 1) {
		at->rt_rows_cap = at->nsorted + 1;
		at->rt_rows = xreallocarray(at->rt_rows, at->rt_rows_cap,
		    sizeof *at->rt_rows);
	}
	rows = at->rt_rows;
	memset(counts, 0, sizeof counts);
	for (j = 0; j < at->nsorted; j++) {
		a = at->sorted[j];
		/*
		 * The state now: a change still held (agent_publish) counts,
		 * so the snapshot agrees with rt.queue's calls of its time.
		 */
		if (a->pending) {
			st = agent_state_at(at, a, a->pend_us);
			since = a->published && st == a->state ? a->since_us :
			    a->pend_us;
		} else if (a->published) {
			st = a->state;
			since = a->since_us;
		} else
			continue;
		nq = agent_queues_of(at, a, now_us, tmp, tmpk,
		    sizeof tmp / sizeof tmp[0]);
		if (used + nq > at->rt_qs_cap) {
			at->rt_qs_cap = (used + nq) * 2;
			at->rt_qs = xreallocarray(at->rt_qs, at->rt_qs_cap,
			    sizeof *at->rt_qs);
		}
		for (i = 0; i < nq; i++) {
			at->rt_qs[used + i] = tmp[i];
			if (tmpk[i] != 0)
				counts_add(&at->qcounts[tmpk[i] - 1], st);
		}
		rows[n].agent = a->id;
		rows[n].state = st;
		rows[n].since_us = since;
		rows[n].nqueues = nq;
		rows[n].queues = NULL;
		rows[n].cache = &a->rt;
		used += nq;
		counts[st]++;
		n++;
	}
	/* The queues' array moved no more: each row's share of it. */
	for (i = 0, used = 0; i < n; i++) {
		rows[i].queues = at->rt_qs != NULL ? at->rt_qs + used : NULL;
		used += rows[i].nqueues;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = AGENT_EV_RT;
	ev.ts_us = now_us;
	ev.rows = rows;
	ev.nrows = n;
	ev.counts = counts;
	at->sink(&ev, at->sink_arg);
}

static void
agent_expire_pending(struct agent_table *at, int64_t now_us)
{
	while (at->pend_head != NULL &&
	    now_us - at->pend_head->ts_us > AGENT_PENDING_US)
		pending_free(at, at->pend_head);
}

void
agent_advance(struct agent_table *at, int64_t now_us)
{
	int64_t	rt_us = (int64_t)at->cfg->realtime_s * US_PER_S;

	if (!at->started)
		agent_start(at, now_us);
	if (now_us > at->now_us)
		at->now_us = now_us;
	agent_timers(at, now_us);
	agent_publish_before(at, now_us - AGENT_HOLD_US);
	agent_expire_pending(at, now_us);
	if (now_us >= at->next_rt_us) {
		agent_snapshot(at, now_us);
		at->next_rt_us = (now_us / rt_us + 1) * rt_us;
	}
}

void
agent_flush(struct agent_table *at, int64_t now_us)
{
	if (!at->started)
		return;
	agent_timers(at, now_us);
	agent_publish_before(at, INT64_MAX);
}

void
agent_queue_counts(struct agent_table *at, const char *queue,
    struct agent_counts *out)
{
	uintptr_t	k;

	k = (uintptr_t)strmap_get(at->queue_index, queue);
	if (k == 0 || k > at->nqcounts) {
		memset(out, 0, sizeof *out);
		return;
	}
	*out = at->qcounts[k - 1];
}

const struct agent_stats *
agent_get_stats(const struct agent_table *at)
{
	return (&at->st);
}

void
agent_free(struct agent_table *at)
{
	struct agent	*a, *next;
	size_t		 i;

	if (at == NULL)
		return;
	for (a = at->lru_head; a != NULL; a = next) {
		next = a->lnext;
		while (a->legs != NULL)
			aleg_free(at, a->legs);
		agent_release(a);
	}
	while (at->pend_head != NULL)
		pending_free(at, at->pend_head);
	for (i = 0; i < AGENT_CODE_DIALOGS; i++)
		free(at->code_ring[i].call_id);
	agent_free_members(at);
	free(at->qcounts);
	free(at->sorted);
	free(at->rt_rows);
	free(at->rt_qs);
	strmap_free(at->agents);
	strmap_free(at->by_binding);
	strmap_free(at->legs);
	strmap_free(at->pending);
	strmap_free(at->codes);
	free(at->heap);
	free(at);
}
