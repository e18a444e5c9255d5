/* SPDX-License-Identifier: BSD-2-Clause */
/* leg.c: the leg table: dialog-forming INVITEs, their transactions and ends. */
#include "config.h"

#include <sys/socket.h>

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/leg.h"
#include "ccmetrics/ptime.h"
#include "ccmetrics/strmap.h"
#include "ccmetrics/xmalloc.h"

#define US_PER_S		1000000LL
#define LEG_HASH_INITIAL	1024
#define SIP_UNAUTHORIZED	401
#define SIP_PROXY_AUTH_REQUIRED	407
/* Responses seen before their INVITE (capture reordering) wait this long. */
#define LEG_ORPHAN_SLOTS	64
#define LEG_ORPHAN_US		(2 * US_PER_S)
/*
 * A BYE ends its leg when answered, unless answered 481 (DESIGN.md 3.3);
 * with no response it ends the leg at its own time after this wait. It is
 * shorter than the interval stage's grace (2 s), so a leg ending this way
 * is never a late event, and it covers the BYE's first retransmission
 * (RFC 3261 17.1.2.2: T1 = 500 ms).
 */
#define LEG_BYE_WAIT_US		(US_PER_S)
#define SIP_CALL_DOES_NOT_EXIST	481
#define SIP_FINAL_FAILURE	300	/* 3xx-6xx: the transfer failed */

/*
 * Expiry lists, each ordered by last activity; CLOSING (legs whose BYE
 * awaits its response) by the BYE's arrival.
 */
enum { LIST_UNANSWERED, LIST_ANSWERED, LIST_ENDED, LIST_CLOSING, LIST_COUNT };

/*
 * A leg and the stage's bookkeeping of it. The public struct leg comes
 * first: a struct leg handed out is always the head of a leg_entry.
 */
struct leg_entry {
	struct leg	 leg;
	bool		 adopted;	/* leg_adopt(): a contact holds it */
	uint32_t	 invite_cseq;
	char		*invite_branch;
	uint32_t	 offer_cseq;	/* pending re-INVITE/UPDATE offer */
	int		 offer;		/* 0 none, 1 hold, 2 resume */
	int64_t		 offer_us;
	uint32_t	 refer_cseq;
	uint32_t	 refer_accepted_cseq;	/* of the last accepted */
	char		*refer_pending;
	char		*refer_pending_replaces;
	bool		 refer_pending_by_uas;
	char		*uas_tag;	/* the dialog's other tag, once known */
	/* First seen mid-dialog, no 2xx to its requests yet: publishes
	   nothing until one comes (a lone request makes no leg). */
	bool		 tentative;
	/* A BYE with the dialog's tags, waiting for its response. */
	bool		 bye_pending;
	bool		 bye_from_uac;
	uint32_t	 bye_cseq;
	int64_t		 bye_us;
	int		 list;		/* which expiry list holds it */
	struct leg	*hnext;		/* Call-ID hash chain */
	struct leg	*idnext;	/* id hash chain */
	struct leg	*prev, *next;	/* expiry list */
};

struct leg_list {
	struct leg	*head, *tail;
};

struct leg_table {
	const struct config	*cfg;
	leg_sink		 sink;
	void			*sink_arg;
	struct leg		**buckets;	/* by Call-ID */
	struct leg		**id_buckets;	/* by id, as many */
	size_t			 nbuckets;	/* a power of two */
	size_t			 count;		/* legs in the table */
	uint64_t		 next_id;
	struct leg_list		 lists[LIST_COUNT];
	struct sip_msg		*orphans;	/* ring of LEG_ORPHAN_SLOTS */
	size_t			 orphan_next;
	struct leg_stats	 st;
	leg_binding_fn		 binding;
	void			*binding_arg;
};

struct leg_table *
leg_create(const struct config *cfg, leg_sink sink, void *arg)
{
	struct leg_table	*lt;

	lt = xcalloc(1, sizeof *lt);
	lt->cfg = cfg;
	lt->sink = sink;
	lt->sink_arg = arg;
	lt->nbuckets = LEG_HASH_INITIAL;
	lt->buckets = xcalloc(lt->nbuckets, sizeof *lt->buckets);
	lt->id_buckets = xcalloc(lt->nbuckets, sizeof *lt->id_buckets);
	lt->orphans = xcalloc(LEG_ORPHAN_SLOTS, sizeof *lt->orphans);
	lt->next_id = 1;
	return (lt);
}

static struct leg_entry *
ent(struct leg *l)
{
	return ((struct leg_entry *)(void *)l);
}

void
leg_set_binding(struct leg_table *lt, leg_binding_fn fn, void *arg)
{
	lt->binding = fn;
	lt->binding_arg = arg;
}

void
leg_set_config(struct leg_table *lt, const struct config *cfg)
{
	lt->cfg = cfg;
}

static void
list_remove(struct leg_table *lt, struct leg *l)
{
	struct leg_list	*li = &lt->lists[ent(l)->list];

	if (ent(l)->prev != NULL)
		ent(ent(l)->prev)->next = ent(l)->next;
	else
		li->head = ent(l)->next;
	if (ent(l)->next != NULL)
		ent(ent(l)->next)->prev = ent(l)->prev;
	else
		li->tail = ent(l)->prev;
	ent(l)->prev = ent(l)->next = NULL;
}

static void
list_append(struct leg_table *lt, struct leg *l, int list)
{
	struct leg_list	*li = &lt->lists[list];

	ent(l)->list = list;
	ent(l)->next = NULL;
	ent(l)->prev = li->tail;
	if (li->tail != NULL)
		ent(li->tail)->next = l;
	else
		li->head = l;
	li->tail = l;
}

/* Note activity: the leg moves to the tail of the list for its state. */
static void
leg_touch(struct leg_table *lt, struct leg *l, int64_t ts_us)
{
	int	list;

	if (ts_us > l->last_us)
		l->last_us = ts_us;
	/* A leg whose BYE awaits its answer keeps its place on CLOSING. */
	if (ent(l)->bye_pending && l->state != LEG_STATE_ENDED)
		return;
	/*
	 * A caller waiting in a ringing queue hears ringback for as long as
	 * the queue lasts, with nothing on the wire: an inbound leg a later
	 * stage holds (leg_adopt()) lives as long as an answered one.
	 */
	if (l->state == LEG_STATE_ENDED)
		list = LIST_ENDED;
	else if (ent(l)->tentative)
		list = LIST_UNANSWERED;
	else if (l->state == LEG_STATE_CONFIRMED ||
	    (l->role == LEG_ROLE_INBOUND && ent(l)->adopted &&
	    l->state == LEG_STATE_EARLY))
		list = LIST_ANSWERED;
	else
		list = LIST_UNANSWERED;
	list_remove(lt, l);
	list_append(lt, l, list);
}

/* Held time between two packet times, in whole milliseconds (ptime.h). */
static int64_t
leg_held_us(int64_t from_us, int64_t to_us)
{
	return (ptime_ms_between(from_us, to_us) * 1000);
}

static void
leg_emit(struct leg_table *lt, enum leg_event_type type, int64_t ts_us,
    struct leg *l)
{
	struct leg_event	ev;

	/* Nothing of a leg no 2xx has confirmed leaves the stage. */
	if (ent(l)->tentative)
		return;
	ev.type = type;
	ev.ts_us = ts_us;
	ev.leg = l;
	ev.table = lt;
	lt->sink(&ev, lt->sink_arg);
}

static void
leg_end(struct leg_table *lt, struct leg *l, int64_t ts_us,
    enum leg_end why)
{
	if (l->state == LEG_STATE_ENDED)
		return;
	if (l->held) {
		l->hold_us += leg_held_us(l->hold_start_us, ts_us);
		l->held = false;
	}
	l->state = LEG_STATE_ENDED;
	l->end_reason = why;
	l->end_us = ts_us;
	ent(l)->bye_pending = false;
	if (ent(l)->tentative)
		lt->st.partial_unconfirmed++;
	assert(lt->st.open > 0);
	lt->st.open--;
	leg_touch(lt, l, ts_us);
	leg_emit(lt, LEG_EV_END, ts_us, l);
}

static void
leg_unlink(struct leg_table *lt, struct leg *l)
{
	struct leg	**pp;
	size_t		  i;

	pp = &lt->buckets[strmap_hash(l->call_id) & (lt->nbuckets - 1)];
	while (*pp != l)
		pp = &ent(*pp)->hnext;
	*pp = ent(l)->hnext;
	pp = &lt->id_buckets[l->id & (lt->nbuckets - 1)];
	while (*pp != l)
		pp = &ent(*pp)->idnext;
	*pp = ent(l)->idnext;
	list_remove(lt, l);
	assert(lt->count > 0);
	lt->count--;
	free(l->call_id);
	free(l->from_tag);
	free(l->dialed);
	free(l->placed_by);
	free(l->caller);
	free(ent(l)->invite_branch);
	free(l->refer_to);
	free(l->refer_replaces);
	free(ent(l)->refer_pending);
	free(ent(l)->refer_pending_replaces);
	free(ent(l)->uas_tag);
	free(l->replaces);
	for (i = 0; i < SIP_MAX_CORR; i++)
		free(l->corr[i]);
	free(ent(l));
}

static void
leg_grow(struct leg_table *lt)
{
	struct leg	**nb, **ni, *l, *next;
	size_t		  i, n = lt->nbuckets * 2;

	nb = xcalloc(n, sizeof *nb);
	ni = xcalloc(n, sizeof *ni);
	for (i = 0; i < lt->nbuckets; i++) {
		for (l = lt->buckets[i]; l != NULL; l = next) {
			next = ent(l)->hnext;
			ent(l)->hnext = nb[strmap_hash(l->call_id) & (n - 1)];
			nb[strmap_hash(l->call_id) & (n - 1)] = l;
		}
		for (l = lt->id_buckets[i]; l != NULL; l = next) {
			next = ent(l)->idnext;
			ent(l)->idnext = ni[l->id & (n - 1)];
			ni[l->id & (n - 1)] = l;
		}
	}
	free(lt->buckets);
	free(lt->id_buckets);
	lt->buckets = nb;
	lt->id_buckets = ni;
	lt->nbuckets = n;
}

/* The pending BYE ends the leg, at the BYE's time. */
static void
leg_bye_ends(struct leg_table *lt, struct leg *l)
{
	leg_end(lt, l, ent(l)->bye_us, ent(l)->bye_from_uac ?
	    LEG_END_BYE_UAC : LEG_END_BYE_UAS);
}

/*
 * BYEs unanswered for LEG_BYE_WAIT_US end their legs at their own time
 * (the peer is gone, or the capture missed the response).
 */
void
leg_settle(struct leg_table *lt, int64_t now_us)
{
	struct leg	*l;

	while ((l = lt->lists[LIST_CLOSING].head) != NULL &&
	    now_us - ent(l)->bye_us > LEG_BYE_WAIT_US)
		leg_bye_ends(lt, l);
}

/*
 * Make room for one more leg: an ended leg goes first (it is only kept to
 * absorb retransmissions), else the least recently active open leg is
 * ended as evicted and counted.
 */
static void
leg_make_room(struct leg_table *lt, int64_t ts_us)
{
	struct leg	*victim, *u, *a;

	while (lt->count >= lt->cfg->max_legs) {
		/* A BYE awaiting its answer is taken as unanswered. */
		if (lt->lists[LIST_ENDED].head == NULL &&
		    (victim = lt->lists[LIST_CLOSING].head) != NULL)
			leg_bye_ends(lt, victim);
		if ((victim = lt->lists[LIST_ENDED].head) == NULL) {
			u = lt->lists[LIST_UNANSWERED].head;
			a = lt->lists[LIST_ANSWERED].head;
			victim = u == NULL || (a != NULL &&
			    a->last_us < u->last_us) ? a : u;
			lt->st.evicted++;
			leg_end(lt, victim, ts_us, LEG_END_EVICTED);
		}
		leg_unlink(lt, victim);
	}
}

/* The leg of (call_id, tag) preferring an open one, or NULL. */
static struct leg *
leg_find(struct leg_table *lt, const char *call_id, const char *tag)
{
	struct leg	*l, *ended = NULL;

	if (*tag == '\0')
		return (NULL);
	l = lt->buckets[strmap_hash(call_id) & (lt->nbuckets - 1)];
	for (; l != NULL; l = ent(l)->hnext) {
		if (strcmp(l->call_id, call_id) != 0 ||
		    strcmp(l->from_tag, tag) != 0)
			continue;
		if (l->state != LEG_STATE_ENDED)
			return (l);
		if (ended == NULL)
			ended = l;
	}
	return (ended);
}

/* The leg a message belongs to: From-tag of its UAC, either direction. */
static struct leg *
leg_lookup(struct leg_table *lt, const struct sip_msg *m)
{
	struct leg	*l;

	if ((l = leg_find(lt, m->call_id, m->from_tag)) != NULL)
		return (l);
	return (leg_find(lt, m->call_id, m->to_tag));
}

/* Did the UAC side (the INVITE's sender) send m? */
static bool
leg_from_uac(const struct leg *l, const struct sip_msg *m)
{
	bool	uac_tag = strcmp(m->from_tag, l->from_tag) == 0;

	return (m->is_request ? uac_tag : !uac_tag);
}

static enum leg_role
leg_classify(const struct leg_table *lt, const struct addr *src,
    const struct addr *dst)
{
	const struct config	*cfg = lt->cfg;

	if (addrset_contains(&cfg->pbx, dst)) {
		if (cfg->trunks.n > 0 ? addrset_contains(&cfg->trunks, src) :
		    !addrset_contains(&cfg->pbx, src) &&
		    !addrset_contains(&cfg->agents, src))
			return (LEG_ROLE_INBOUND);
		return (LEG_ROLE_OTHER);
	}
	if (addrset_contains(&cfg->pbx, src) &&
	    addrset_contains(&cfg->agents, dst))
		return (LEG_ROLE_AGENT);
	return (LEG_ROLE_OTHER);
}

static bool
leg_user_allowed(const struct leg_table *lt, const struct leg *l)
{
	return (config_is_agent_id(lt->cfg, l->dialed));
}

/*
 * An agent leg's agent id (DESIGN.md 7): the Request-URI user if it is an
 * agent id; else the agent a REGISTER bound at the Request-URI's
 * host:port; else the To user. A leg an agent places (agent -> PBX): the
 * From user, if an agent id.
 */
static void
leg_agent_of(struct leg_table *lt, struct leg *l, const struct sip_msg *m)
{
	const struct config	*cfg = lt->cfg;
	const char		*id;

	free(l->placed_by);
	l->placed_by = NULL;
	if (l->role == LEG_ROLE_AGENT) {
		if (*m->ruri_user != '\0' &&
		    config_is_agent_id(cfg, m->ruri_user))
			return;		/* dialed is it */
		if (lt->binding != NULL && *m->ruri_host != '\0' &&
		    (id = lt->binding(m->ruri_host, m->ruri_port,
		    lt->binding_arg)) != NULL)
			;
		else if (config_is_agent_id(cfg, m->to_user))
			id = m->to_user;
		else
			return;		/* leg_insert counts the mismatch */
		free(l->dialed);
		l->dialed = xstrdup(id);
		return;
	}
	if (addrset_contains(&cfg->agents, &m->src.ip) &&
	    addrset_contains(&cfg->pbx, &m->dst.ip) &&
	    config_is_agent_id(cfg, m->from_user))
		l->placed_by = xstrdup(m->from_user);
}

static void
leg_insert(struct leg_table *lt, struct leg *l)
{
	size_t	b;

	if (l->role == LEG_ROLE_AGENT && !leg_user_allowed(lt, l)) {
		lt->st.agent_user_mismatch++;
		l->role = LEG_ROLE_OTHER;
	}
	b = strmap_hash(l->call_id) & (lt->nbuckets - 1);
	ent(l)->hnext = lt->buckets[b];
	lt->buckets[b] = l;
	b = l->id & (lt->nbuckets - 1);
	ent(l)->idnext = lt->id_buckets[b];
	lt->id_buckets[b] = l;
	list_append(lt, l, l->state == LEG_STATE_CONFIRMED ? LIST_ANSWERED :
	    LIST_UNANSWERED);
	lt->count++;
	lt->st.open++;
	lt->st.created++;
}

static struct leg *
leg_alloc(struct leg_table *lt, const struct sip_msg *m)
{
	struct leg_entry	*e;
	struct leg		*l;

	leg_make_room(lt, m->ts_us);
	if (lt->count >= lt->nbuckets)
		leg_grow(lt);
	e = xcalloc(1, sizeof *e);
	l = &e->leg;
	l->id = lt->next_id++;
	l->call_id = xstrdup(m->call_id);
	l->invite_us = l->last_us = m->ts_us;
	return (l);
}

/* What a leg takes from the INVITE that forms it (or reaches the PBX). */
static void
leg_fill(struct leg_table *lt, struct leg *l, const struct sip_msg *m)
{
	size_t	i;

	l->uac = m->src;
	l->uas = m->dst;
	free(l->dialed);
	free(l->caller);
	free(l->replaces);
	free(ent(l)->invite_branch);
	l->dialed = xstrdup(*m->ruri_user != '\0' ? m->ruri_user : m->to_user);
	l->caller = xstrdup(*m->pai_user != '\0' ? m->pai_user : m->from_user);
	/* RFC 3325 9.3: the caller asked to stay hidden, and no trusted
	   identity was asserted: an anonymous caller (DESIGN.md 3.3). */
	l->caller_hidden = m->privacy_id && *m->pai_user == '\0';
	for (i = 0; i < SIP_MAX_CORR; i++) {
		free(l->corr[i]);
		l->corr[i] = m->corr[i][0] != '\0' ? xstrdup(m->corr[i]) : NULL;
	}
	l->replaces = m->replaces_call_id[0] != '\0' ?
	    xstrdup(m->replaces_call_id) : NULL;
	ent(l)->invite_cseq = m->cseq;
	ent(l)->invite_branch = xstrdup(m->branch);
	l->role = leg_classify(lt, &m->src.ip, &m->dst.ip);
	leg_agent_of(lt, l, m);
}

/* A leg from its initial INVITE. */
static struct leg *
leg_new(struct leg_table *lt, const struct sip_msg *m)
{
	struct leg	*l;

	l = leg_alloc(lt, m);
	l->from_tag = xstrdup(m->from_tag);
	l->state = LEG_STATE_CALLING;
	leg_fill(lt, l, m);
	leg_insert(lt, l);
	return (l);
}

/*
 * The same INVITE forwarded by a proxy in front of the PBX: when the first
 * hop seen gave the leg no role (caller to proxy) and this hop does
 * (proxy to PBX), the leg becomes this hop's, at this hop's time.
 */
static bool
leg_rehop(struct leg_table *lt, struct leg *l, const struct sip_msg *m)
{
	if (l->role != LEG_ROLE_OTHER || ent(l)->adopted ||
	    (l->state != LEG_STATE_CALLING && l->state != LEG_STATE_EARLY) ||
	    leg_classify(lt, &m->src.ip, &m->dst.ip) == LEG_ROLE_OTHER)
		return (false);
	leg_fill(lt, l, m);
	if (l->role == LEG_ROLE_AGENT && !leg_user_allowed(lt, l)) {
		lt->st.agent_user_mismatch++;
		l->role = LEG_ROLE_OTHER;
	}
	l->invite_us = m->ts_us;
	l->ring_us = 0;
	l->state = LEG_STATE_CALLING;
	leg_touch(lt, l, m->ts_us);
	lt->st.rehops++;
	return (true);
}

/*
 * A leg first seen mid-dialog (DESIGN.md 6): who sent the INVITE is
 * unknown, so the direction that gives it a role wins; the sender is
 * taken as the UAC otherwise. It is confirmed from this message on, but
 * tentative: it publishes nothing until a 2xx to one of its requests
 * shows a peer that knows the dialog (a late request to a dead peer, or
 * one answered 481, is no call: DESIGN.md 3.3).
 */
static struct leg *
leg_new_partial(struct leg_table *lt, const struct sip_msg *m)
{
	struct leg	*l;
	enum leg_role	 fwd, rev;
	bool		 from_uac;

	fwd = leg_classify(lt, &m->src.ip, &m->dst.ip);
	rev = leg_classify(lt, &m->dst.ip, &m->src.ip);
	from_uac = fwd != LEG_ROLE_OTHER || rev == LEG_ROLE_OTHER;
	l = leg_alloc(lt, m);
	l->partial = true;
	l->role = from_uac ? fwd : rev;
	l->from_tag = xstrdup(from_uac ? m->from_tag : m->to_tag);
	l->uac = from_uac ? m->src : m->dst;
	l->uas = from_uac ? m->dst : m->src;
	/* In-dialog From/To keep the original parties (RFC 3261 12.2.1.1). */
	l->dialed = xstrdup(from_uac ? m->to_user : m->from_user);
	l->caller = xstrdup(from_uac ? (*m->pai_user != '\0' ? m->pai_user :
	    m->from_user) : m->to_user);
	ent(l)->invite_branch = xstrdup("");
	ent(l)->uas_tag = xstrdup(from_uac ? m->to_tag : m->from_tag);
	ent(l)->tentative = true;
	l->state = LEG_STATE_CONFIRMED;
	l->answer_us = m->ts_us;
	leg_insert(lt, l);
	return (l);
}

/* Hold a response whose INVITE was not seen yet. */
static void
leg_orphan_hold(struct leg_table *lt, const struct sip_msg *m)
{
	lt->orphans[lt->orphan_next] = *m;
	lt->orphan_next = (lt->orphan_next + 1) % LEG_ORPHAN_SLOTS;
	lt->st.orphans_held++;
}

static void	leg_on_response(struct leg_table *, struct leg *,
		    const struct sip_msg *);

/* Replay, oldest first, the held responses that belong to new leg l. */
static void
leg_orphan_replay(struct leg_table *lt, struct leg *l)
{
	struct sip_msg	*o;
	size_t		 i, k;

	for (i = 0; i < LEG_ORPHAN_SLOTS; i++) {
		k = (lt->orphan_next + i) % LEG_ORPHAN_SLOTS;
		o = &lt->orphans[k];
		if (o->call_id[0] == '\0' || l->invite_us - o->ts_us >
		    LEG_ORPHAN_US || strcmp(o->call_id, l->call_id) != 0 ||
		    strcmp(o->from_tag, l->from_tag) != 0)
			continue;
		lt->st.orphans_replayed++;
		leg_on_response(lt, l, o);
		o->call_id[0] = '\0';
	}
}

/* An initial INVITE (no To-tag): a new leg, a retransmission or a retry. */
static void
leg_on_invite(struct leg_table *lt, const struct sip_msg *m)
{
	struct leg	*l;

	l = leg_find(lt, m->call_id, m->from_tag);
	if (l != NULL && m->cseq == ent(l)->invite_cseq &&
	    strcmp(m->branch, ent(l)->invite_branch) == 0) {
		lt->st.retransmissions++;
		return;
	}
	if (l != NULL && l->state != LEG_STATE_ENDED) {
		if (m->cseq > ent(l)->invite_cseq) {
			/* RFC 3261 22.2: the INVITE retried with credentials. */
			ent(l)->invite_cseq = m->cseq;
			free(ent(l)->invite_branch);
			ent(l)->invite_branch = xstrdup(m->branch);
			leg_touch(lt, l, m->ts_us);
		} else if (strcmp(m->branch, ent(l)->invite_branch) != 0 &&
		    leg_rehop(lt, l, m)) {
			leg_emit(lt, LEG_EV_START, m->ts_us, l);
		} else {
			/* A late copy, or the same INVITE seen at another hop. */
			lt->st.retransmissions++;
		}
		return;
	}
	l = leg_new(lt, m);
	leg_emit(lt, LEG_EV_START, m->ts_us, l);
	leg_orphan_replay(lt, l);
}

/* A re-INVITE or UPDATE offer: remember whether it holds or resumes. */
static void
leg_on_offer(struct leg *l, const struct sip_msg *m)
{
	bool	hold;

	if (!m->has_sdp || l->state != LEG_STATE_CONFIRMED)
		return;
	/* A retransmission of the pending offer: the first copy's time wins. */
	if (ent(l)->offer != 0 && m->cseq == ent(l)->offer_cseq)
		return;
	/* RFC 3264 8.4: sendonly or inactive (or RFC 2543 c=0.0.0.0). */
	hold = m->sdp_dir == SDP_DIR_SENDONLY ||
	    m->sdp_dir == SDP_DIR_INACTIVE || m->sdp_c_zero;
	ent(l)->offer = hold ? 1 : 2;
	ent(l)->offer_cseq = m->cseq;
	ent(l)->offer_us = m->ts_us;
}

static void
leg_on_offer_answer(struct leg_table *lt, struct leg *l,
    const struct sip_msg *m)
{
	if (ent(l)->offer == 0 || m->cseq != ent(l)->offer_cseq || m->status < 200)
		return;
	if (m->status < 300 && ent(l)->offer == 1 && !l->held &&
	    l->state == LEG_STATE_CONFIRMED) {
		l->held = true;
		l->holds++;
		l->hold_start_us = ent(l)->offer_us;
		leg_emit(lt, LEG_EV_HOLD, ent(l)->offer_us, l);
	} else if (m->status < 300 && ent(l)->offer == 2 && l->held) {
		l->held = false;
		l->hold_us += leg_held_us(l->hold_start_us, ent(l)->offer_us);
		leg_emit(lt, LEG_EV_RESUME, ent(l)->offer_us, l);
	}
	ent(l)->offer = 0;
}

static void
leg_on_invite_response(struct leg_table *lt, struct leg *l,
    const struct sip_msg *m)
{
	if (m->status < 200) {
		if (m->status > SIP_TRYING && l->ring_us == 0 &&
		    l->state == LEG_STATE_CALLING) {
			l->ring_us = m->ts_us;
			l->state = LEG_STATE_EARLY;
			leg_touch(lt, l, m->ts_us);	/* its list may change */
			leg_emit(lt, LEG_EV_RING, m->ts_us, l);
		}
	} else if (m->status < 300) {
		if (l->answer_us == 0 && l->state != LEG_STATE_ENDED) {
			/* RFC 3261 12.1.2: the 2xx's To-tag is the remote tag. */
			if (ent(l)->uas_tag == NULL && m->to_tag[0] != '\0')
				ent(l)->uas_tag = xstrdup(m->to_tag);
			l->answer_us = m->ts_us;
			l->state = LEG_STATE_CONFIRMED;
			leg_touch(lt, l, m->ts_us);
			leg_emit(lt, LEG_EV_ANSWER, m->ts_us, l);
		}
	} else if (l->final_status == 0 && l->answer_us == 0) {
		l->final_status = m->status;
		/* A challenge is answered by a retried INVITE (RFC 3261 22.2). */
		if (m->status != SIP_UNAUTHORIZED &&
		    m->status != SIP_PROXY_AUTH_REQUIRED)
			leg_end(lt, l, m->ts_us, LEG_END_REJECTED);
		else
			l->final_status = 0;
	}
}

/* A 2xx to a request of a tentative leg: the dialog lives, publish it. */
static void
leg_confirm(struct leg_table *lt, struct leg *l)
{
	ent(l)->tentative = false;
	lt->st.partial++;
	leg_touch(lt, l, l->last_us);
	leg_emit(lt, LEG_EV_START, l->invite_us, l);
	leg_emit(lt, LEG_EV_ANSWER, l->invite_us, l);
}

/* The response to a pending BYE decides whether it ends the leg. */
static void
leg_on_bye_response(struct leg_table *lt, struct leg *l,
    const struct sip_msg *m)
{
	if (!ent(l)->bye_pending || m->cseq != ent(l)->bye_cseq ||
	    leg_from_uac(l, m) == ent(l)->bye_from_uac || m->status < 200)
		return;
	if (m->status != SIP_CALL_DOES_NOT_EXIST) {
		leg_bye_ends(lt, l);
		return;
	}
	/* The peer knows no such dialog: the BYE never existed for it. */
	lt->st.bye_481++;
	ent(l)->bye_pending = false;
	leg_touch(lt, l, m->ts_us);
	leg_emit(lt, LEG_EV_BYE_REFUSED, m->ts_us, l);
}

static void
leg_on_response(struct leg_table *lt, struct leg *l, const struct sip_msg *m)
{
	if (ent(l)->tentative && m->status >= 200 && m->status < 300 &&
	    (m->method == SIP_INVITE || m->method == SIP_UPDATE ||
	    m->method == SIP_REFER))
		leg_confirm(lt, l);
	switch (m->method) {
	case SIP_BYE:
		leg_on_bye_response(lt, l, m);
		break;
	case SIP_INVITE:
		if (m->cseq == ent(l)->invite_cseq && leg_from_uac(l, m) == false)
			leg_on_invite_response(lt, l, m);
		else
			leg_on_offer_answer(lt, l, m);
		break;
	case SIP_UPDATE:
		leg_on_offer_answer(lt, l, m);
		break;
	case SIP_REFER:
		if (m->cseq == ent(l)->refer_cseq && ent(l)->refer_pending != NULL &&
		    m->status >= 200 && m->status < 300) {
			free(l->refer_to);
			free(l->refer_replaces);
			l->refer_to = ent(l)->refer_pending;
			l->refer_replaces = ent(l)->refer_pending_replaces;
			l->refer_attended = l->refer_replaces != NULL;
			l->refer_by_uas = ent(l)->refer_pending_by_uas;
			l->refer_failed_status = 0;
			ent(l)->refer_accepted_cseq = m->cseq;
			ent(l)->refer_pending = NULL;
			ent(l)->refer_pending_replaces = NULL;
			leg_emit(lt, LEG_EV_REFER, m->ts_us, l);
		}
		break;
	default:
		break;
	}
}

/*
 * A BYE ends its leg only if its tags are the dialog's and it is not
 * answered 481 (DESIGN.md 3.3): it waits for its response on CLOSING.
 * A retransmission, or a later BYE while one waits, changes nothing:
 * the first one's time is the end.
 */
static void
leg_on_bye(struct leg_table *lt, struct leg *l, const struct sip_msg *m)
{
	const char	*other;

	other = strcmp(m->from_tag, l->from_tag) == 0 ? m->to_tag : m->from_tag;
	if (ent(l)->uas_tag != NULL && strcmp(other, ent(l)->uas_tag) != 0) {
		lt->st.bye_tags_mismatch++;
		return;
	}
	if (ent(l)->bye_pending)
		return;
	ent(l)->bye_pending = true;
	ent(l)->bye_from_uac = leg_from_uac(l, m);
	ent(l)->bye_cseq = m->cseq;
	ent(l)->bye_us = m->ts_us;
	list_remove(lt, l);
	list_append(lt, l, LIST_CLOSING);
	leg_emit(lt, LEG_EV_BYE, m->ts_us, l);
}

/*
 * A NOTIFY of the refer package reporting, in its sipfrag, the final
 * failure of the last REFER accepted on the leg (RFC 3515 2.4.5): sent
 * by that REFER's recipient, and naming it by the Event's id when it
 * carries one (2.4.6). Reported once per REFER: later NOTIFYs and
 * retransmissions change nothing (DESIGN.md 3.3).
 */
static void
leg_on_notify(struct leg_table *lt, struct leg *l, const struct sip_msg *m)
{
	if (m->refer_frag_status < SIP_FINAL_FAILURE || l->refer_to == NULL ||
	    l->refer_failed_status != 0 ||
	    leg_from_uac(l, m) != l->refer_by_uas ||
	    (m->refer_event_id >= 0 &&
	    m->refer_event_id != (int64_t)ent(l)->refer_accepted_cseq))
		return;
	l->refer_failed_status = m->refer_frag_status;
	leg_emit(lt, LEG_EV_REFER_FAILED, m->ts_us, l);
}

static void
leg_on_request(struct leg_table *lt, struct leg *l, const struct sip_msg *m)
{
	switch (m->method) {
	case SIP_INVITE:
	case SIP_UPDATE:
		leg_on_offer(l, m);
		break;
	case SIP_CANCEL:
		if (l->state == LEG_STATE_CALLING || l->state == LEG_STATE_EARLY)
			leg_end(lt, l, m->ts_us, LEG_END_CANCEL);
		break;
	case SIP_BYE:
		leg_on_bye(lt, l, m);
		break;
	case SIP_NOTIFY:
		leg_on_notify(lt, l, m);
		break;
	case SIP_REFER:
		free(ent(l)->refer_pending);
		free(ent(l)->refer_pending_replaces);
		ent(l)->refer_pending = xstrdup(m->refer_to);
		ent(l)->refer_pending_replaces = m->replaces_call_id[0] != '\0' ?
		    xstrdup(m->replaces_call_id) : NULL;
		ent(l)->refer_cseq = m->cseq;
		ent(l)->refer_pending_by_uas = !leg_from_uac(l, m);
		break;
	default:
		break;
	}
}

void
leg_input(struct leg_table *lt, const struct sip_msg *m)
{
	struct leg	*l;

	leg_settle(lt, m->ts_us);
	if (m->is_request && m->method == SIP_INVITE && m->to_tag[0] == '\0') {
		leg_on_invite(lt, m);
		return;
	}
	if ((l = leg_lookup(lt, m)) == NULL) {
		if (!m->is_request && m->method == SIP_INVITE)
			leg_orphan_hold(lt, m);
		else if (m->is_request && m->to_tag[0] != '\0' &&
		    (m->method == SIP_INVITE || m->method == SIP_UPDATE ||
		    m->method == SIP_REFER)) {
			/* Published once a 2xx confirms it (leg_confirm()). */
			l = leg_new_partial(lt, m);
		} else if (m->method != SIP_OPTIONS &&
		    m->method != SIP_REGISTER && m->method != SIP_SUBSCRIBE &&
		    m->method != SIP_NOTIFY)
			lt->st.orphans++;
		if (l == NULL)
			return;
	}
	if (l->state == LEG_STATE_ENDED && m->is_request) {
		/*
		 * A request of a dialog that ended less than
		 * limits.ended_dialog_memory_s ago (retransmissions, a new
		 * BYE transaction to a dead peer): it belongs to the dead
		 * dialog and opens nothing (DESIGN.md 3.3).
		 */
		if (m->method != SIP_ACK)
			lt->st.ended_dialog_requests++;
		return;
	}
	if (l->state != LEG_STATE_ENDED)
		leg_touch(lt, l, m->ts_us);
	if (m->is_request)
		leg_on_request(lt, l, m);
	else
		leg_on_response(lt, l, m);
}

void
leg_expire(struct leg_table *lt, int64_t now_us)
{
	const struct config	*cfg = lt->cfg;
	int64_t			 limit[LIST_COUNT];
	struct leg		*l;
	int			 i;

	limit[LIST_UNANSWERED] = cfg->unanswered_leg_timeout_s * US_PER_S;
	limit[LIST_ANSWERED] = cfg->answered_leg_timeout_s * US_PER_S;
	limit[LIST_ENDED] = (int64_t)cfg->ended_dialog_memory_s * US_PER_S;
	leg_settle(lt, now_us);
	for (i = 0; i < LIST_CLOSING; i++) {
		while ((l = lt->lists[i].head) != NULL &&
		    now_us - l->last_us > limit[i]) {
			if (i == LIST_ENDED) {
				leg_unlink(lt, l);
				continue;
			}
			lt->st.expired++;
			/* The last message seen is the best estimate of the end. */
			leg_end(lt, l, l->last_us, LEG_END_EXPIRED);
		}
	}
}

void
leg_flush(struct leg_table *lt, int64_t now_us)
{
	struct leg	*l;

	/* A BYE was seen: the leg ended then, response or not. */
	while ((l = lt->lists[LIST_CLOSING].head) != NULL)
		leg_bye_ends(lt, l);
	while ((l = lt->lists[LIST_UNANSWERED].head) != NULL)
		leg_end(lt, l, now_us, LEG_END_FLUSHED);
	while ((l = lt->lists[LIST_ANSWERED].head) != NULL)
		leg_end(lt, l, now_us, LEG_END_FLUSHED);
}

int
leg_adopt(struct leg_table *lt, uint64_t leg_id)
{
	struct leg	*l;

	l = lt->id_buckets[leg_id & (lt->nbuckets - 1)];
	for (; l != NULL; l = ent(l)->idnext) {
		if (l->id != leg_id)
			continue;
		if (l->state == LEG_STATE_ENDED)
			return (-1);
		ent(l)->adopted = true;
		return (0);
	}
	return (-1);
}

const struct leg_stats *
leg_get_stats(const struct leg_table *lt)
{
	return (&lt->st);
}

void
leg_free(struct leg_table *lt)
{
	size_t		 i;
	struct leg	*l;

	if (lt == NULL)
		return;
	for (i = 0; i < LIST_COUNT; i++)
		while ((l = lt->lists[i].head) != NULL)
			leg_unlink(lt, l);
	free(lt->buckets);
	free(lt->id_buckets);
	free(lt->orphans);
	free(lt);
}
