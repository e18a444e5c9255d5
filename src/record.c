/* SPDX-License-Identifier: BSD-2-Clause */
/* record.c: JSON for call events, call.end and leg.end (DESIGN.md 5). */
#include "config.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/erlang.h"
#include "ccmetrics/privacy.h"
#include "ccmetrics/record.h"
#include "ccmetrics/xmalloc.h"

#define TOPIC_MAX	192

static const char *const end_reason_names[] = {
	NULL, "bye_uac", "bye_uas", "cancel", "rejected", "expired",
	"evicted", "flushed"
};
static const char *const role_names[] = { "other", "inbound", "agent" };

/*
 * Per-call topics are the hot path: written with jsonw straight into the
 * publisher's buffer, member by member in the order of DESIGN.md 5.
 */
static void
record_topic(char *topic, const char *kind, const char *queue)
{
	size_t	n = strlen(kind), q = strlen(queue);

	if (n > TOPIC_MAX - 2)
		n = TOPIC_MAX - 2;
	memcpy(topic, kind, n);
	topic[n++] = '.';
	if (q > TOPIC_MAX - 1 - n)
		q = TOPIC_MAX - 1 - n;
	memcpy(topic + n, queue, q);
	topic[n + q] = '\0';
}

/* The answering agents, in the order they answered (stable on ties). */
static void
record_agents(struct jsonw *w, const struct contact *c)
{
	const struct contact_attempt	*a, *prev = NULL, *best;
	size_t				 i, n = 0, done;

	jsonw_array_begin(w, "agents");
	for (i = 0; i < c->nattempts; i++)
		if (c->attempts[i].answer_us != 0)
			n++;
	/* Few attempts per call: pick the next in order each time. */
	for (done = 0; done < n; done++) {
		best = NULL;
		for (i = 0; i < c->nattempts; i++) {
			a = &c->attempts[i];
			if (a->answer_us == 0 || (prev != NULL &&
			    (a->answer_us < prev->answer_us ||
			    (a->answer_us == prev->answer_us && a <= prev))))
				continue;
			if (best == NULL || a->answer_us < best->answer_us)
				best = a;
		}
		assert(best != NULL);	/* n counted the answered ones */
		jsonw_str(w, NULL, best->agent);
		prev = best;
	}
	jsonw_array_end(w);
}

static void
record_legs(struct jsonw *w, const struct contact *c)
{
	size_t	i;

	jsonw_array_begin(w, "legs");
	jsonw_str(w, NULL, c->call_id);
	for (i = 0; i < c->nattempts; i++)
		jsonw_str(w, NULL, c->attempts[i].call_id);
	jsonw_array_end(w);
}

static void
record_call_end(struct jsonw *w, const struct publisher *pub,
    const struct contact *c)
{
	struct contact_totals	 t;
	const char		*agent = NULL;
	char			 caller[PRIVACY_MAX];

	contact_totals(c, &t);
	if (c->answered_attempt >= 0)
		agent = c->attempts[c->answered_attempt].agent;
	jsonw_str(w, "contact_id", c->call_id);
	jsonw_str(w, "queue", c->queue);
	jsonw_str(w, "caller", publish_number(pub, c->caller, caller,
	    sizeof caller));
	jsonw_str(w, "dnis", c->dnis);
	jsonw_time(w, "arrival", c->arrival_us);
	jsonw_time(w, "answered_at", c->answered_us);
	jsonw_time(w, "ended_at", c->ended_us);
	jsonw_str(w, "outcome", contact_outcome_name(c->outcome));
	jsonw_str(w, "ended_by", contact_party_name(c->ended_by));
	jsonw_ms(w, "wait_s", c->wait_ms);
	jsonw_ms(w, "talk_s", t.talk_ms);
	jsonw_ms(w, "hold_s", t.hold_ms);
	jsonw_ms(w, "handle_s", t.handle_ms);
	jsonw_int(w, "holds", t.holds);
	jsonw_int(w, "transfers", c->transfers);
	jsonw_str_or_null(w, "agent", agent);
	record_agents(w, c);
	jsonw_int(w, "attempts", (int)c->nattempts);
	jsonw_int(w, "rona", t.rona);
	jsonw_bool(w, "repeat", c->repeat);
	record_legs(w, c);
	jsonw_bool(w, "partial", c->partial);
	/* DESIGN.md 4.1 */
	jsonw_str_or_null(w, "previous_contact", c->previous_contact);
	jsonw_str_or_null(w, "previous_outcome",
	    contact_previous_name(c->previous));
	jsonw_bool(w, "ended_on_hold", c->ended_on_hold);
}

/*
 * A leg outside any contact. Its caller may be a customer (unmapped or
 * unmatched legs); so may the number dialled by an outbound or internal
 * leg. An inbound leg dials a DNIS, an agent leg an agent: both stay.
 */
static void
record_leg_end(struct jsonw *w, const struct publisher *pub,
    const struct contact_leg *l)
{
	char	src[ADDR_STRLEN], dst[ADDR_STRLEN];
	char	caller[PRIVACY_MAX], dialed[PRIVACY_MAX];

	jsonw_str(w, "call_id", l->call_id);
	jsonw_str(w, "role", role_names[l->role]);
	jsonw_str(w, "caller", publish_number(pub, l->caller, caller,
	    sizeof caller));
	jsonw_str(w, "dialed", l->role == LEG_ROLE_OTHER ?
	    publish_number(pub, l->dialed, dialed, sizeof dialed) : l->dialed);
	jsonw_str(w, "src", addr_format(&l->uac.ip, src, sizeof src));
	jsonw_int(w, "src_port", l->uac.port);
	jsonw_str(w, "dst", addr_format(&l->uas.ip, dst, sizeof dst));
	jsonw_int(w, "dst_port", l->uas.port);
	jsonw_time(w, "invite", l->invite_us);
	jsonw_time(w, "answered_at", l->answer_us);
	jsonw_time(w, "ended_at", l->end_us);
	jsonw_str(w, "end_reason", end_reason_names[l->end_reason]);
	jsonw_int(w, "final_status", l->final_status);
	jsonw_bool(w, "partial", l->partial);
}

static void
record_attempt_fields(struct jsonw *w, const struct contact *c,
    const struct contact_attempt *a)
{
	jsonw_str(w, "contact_id", c->call_id);
	jsonw_str(w, "queue", c->queue);
	jsonw_str(w, "agent", a->agent);
	jsonw_str(w, "leg", a->call_id);
}

void
record_contact_event(struct publisher *pub, const struct contact_event *ev)
{
	const struct contact		*c = ev->contact;
	const struct contact_attempt	*a = ev->attempt;
	const char			*kind;
	struct jsonw			*w;
	char				 topic[TOPIC_MAX];
	char				 num[PRIVACY_MAX];
	char				 uri[PRIVACY_MAX + 256];

	switch (ev->type) {
	case CONTACT_EV_ARRIVE: kind = "call.arrive"; break;
	case CONTACT_EV_RING: kind = "call.ring"; break;
	case CONTACT_EV_ANSWER: kind = "call.answer"; break;
	case CONTACT_EV_HOLD: kind = "call.hold"; break;
	case CONTACT_EV_RESUME: kind = "call.resume"; break;
	case CONTACT_EV_TRANSFER: kind = "call.transfer"; break;
	case CONTACT_EV_ABANDON: kind = "call.abandon"; break;
	case CONTACT_EV_END: kind = "call.end"; break;
	case CONTACT_EV_LEG_END: kind = "leg.end"; break;
	default:
		return;		/* no topic of its own */
	}
	/* A contact's events carry it; LEG_END and TRANSFER carry the leg. */
	assert((ev->type == CONTACT_EV_LEG_END) == (c == NULL));
	assert(ev->leg != NULL || (ev->type != CONTACT_EV_LEG_END &&
	    ev->type != CONTACT_EV_TRANSFER));
	w = publish_begin(pub, kind, ev->ts_us);
	switch (ev->type) {
	case CONTACT_EV_ARRIVE:
		jsonw_str(w, "contact_id", c->call_id);
		jsonw_str(w, "queue", c->queue);
		jsonw_str(w, "caller", publish_number(pub, c->caller, num,
		    sizeof num));
		jsonw_str(w, "dnis", c->dnis);
		jsonw_time(w, "arrival", c->arrival_us);
		jsonw_bool(w, "repeat", c->repeat);
		break;
	case CONTACT_EV_RING:
		record_attempt_fields(w, c, a);
		jsonw_int(w, "attempt", (int64_t)(a - c->attempts) + 1);
		break;
	case CONTACT_EV_ANSWER:
		record_attempt_fields(w, c, a);
		jsonw_ms(w, "wait_s", c->wait_ms);
		jsonw_ms(w, "ring_s", a->ring_ms);
		break;
	case CONTACT_EV_HOLD:
	case CONTACT_EV_RESUME:
		record_attempt_fields(w, c, a);
		break;
	case CONTACT_EV_TRANSFER:
		jsonw_str(w, "contact_id", c->call_id);
		jsonw_str(w, "queue", c->queue);
		jsonw_str_or_null(w, "agent", a != NULL ? a->agent : NULL);
		jsonw_str(w, "kind", ev->leg->refer_attended ? "attended" :
		    "blind");
		jsonw_str(w, "refer_to", ev->leg->refer_to != NULL ?
		    publish_uri(pub, ev->leg->refer_to, uri, sizeof uri) : "");
		jsonw_str(w, "leg", ev->leg->call_id);
		break;
	case CONTACT_EV_ABANDON:
		jsonw_str(w, "contact_id", c->call_id);
		jsonw_str(w, "queue", c->queue);
		jsonw_str(w, "caller", publish_number(pub, c->caller, num,
		    sizeof num));
		jsonw_ms(w, "wait_s", c->wait_ms);
		jsonw_str(w, "outcome", contact_outcome_name(c->outcome));
		break;
	case CONTACT_EV_END:
		record_call_end(w, pub, c);
		break;
	case CONTACT_EV_LEG_END:
		record_leg_end(w, pub, ev->leg);
		break;
	default:
		break;
	}
	if (ev->type == CONTACT_EV_LEG_END)
		publish_end(pub, "leg.end");
	else {
		record_topic(topic, kind, c->queue);
		publish_end(pub, topic);
	}
}

/* Was the row's cached text made of what the row holds now? */
static bool
rt_cache_fits(const struct agent_rt_cache *c, const struct agent_rt_row *r)
{
	size_t	j, off = 0, n;

	if (!c->valid || c->state != r->state || c->since_us != r->since_us)
		return (false);
	for (j = 0; j < r->nqueues; j++) {
		n = strlen(r->queues[j]) + 1;
		if (c->qlen - off < n || memcmp(c->qkey + off, r->queues[j],
		    n) != 0)
			return (false);
		off += n;
	}
	return (off == c->qlen);
}

static void
rt_cache_grow(char **buf, size_t *cap, size_t n)
{
	if (n <= *cap)
		return;
	*cap = n < 64 ? 64 : n * 2;
	*buf = xreallocarray(*buf, *cap, 1);
}

/* Keep the row just written (from start in w) with what it was made of. */
static void
rt_cache_keep(struct agent_rt_cache *c, const struct agent_rt_row *r,
    const struct jsonw *w, size_t start)
{
	size_t	j, n;

	c->len = w->len - start;
	rt_cache_grow(&c->json, &c->cap, c->len);
	memcpy(c->json, w->buf + start, c->len);
	c->qlen = 0;
	for (j = 0; j < r->nqueues; j++) {
		n = strlen(r->queues[j]) + 1;
		rt_cache_grow(&c->qkey, &c->qcap, c->qlen + n);
		memcpy(c->qkey + c->qlen, r->queues[j], n);
		c->qlen += n;
	}
	c->state = r->state;
	c->since_us = r->since_us;
	c->valid = true;
}

/*
 * One row of rt.agents. Most agents change nothing from one snapshot to
 * the next: the text of the last row is copied when it was made of the
 * same state, since and queues.
 */
static void
record_rt_row(struct jsonw *w, const struct agent_rt_row *r)
{
	size_t	j, start;

	if (r->cache != NULL && rt_cache_fits(r->cache, r)) {
		jsonw_member_raw(w, NULL, r->cache->json, r->cache->len);
		return;
	}
	start = w->len + (w->comma ? 1 : 0);	/* past the ',' */
	jsonw_object_begin(w, NULL);
	jsonw_str(w, "agent", r->agent);
	jsonw_str(w, "state", agent_state_name(r->state));
	jsonw_time(w, "since", r->since_us);
	jsonw_array_begin(w, "queues");
	for (j = 0; j < r->nqueues; j++)
		jsonw_str(w, NULL, r->queues[j]);
	jsonw_array_end(w);
	jsonw_object_end(w);
	if (r->cache != NULL)
		rt_cache_keep(r->cache, r, w, start);
}

/*
 * agent.state.<agent>: every change of an agent's state; rt.agents: every
 * agent and the count per state (DESIGN.md 7).
 */
void
record_agent_event(struct publisher *pub, const struct agent_event *ev)
{
	struct jsonw	*w;
	char		 topic[TOPIC_MAX];
	size_t		 i;
	int		 s;

	if (ev->type == AGENT_EV_FORGET)
		return;
	if (ev->type == AGENT_EV_STATE) {
		w = publish_begin(pub, "agent.state", ev->ts_us);
		jsonw_str(w, "agent", ev->agent);
		jsonw_str(w, "state", agent_state_name(ev->state));
		if (ev->first) {
			jsonw_null(w, "prev");
			jsonw_null(w, "prev_s");
		} else {
			jsonw_str(w, "prev", agent_state_name(ev->prev));
			jsonw_ms(w, "prev_s", ev->prev_ms);
		}
		jsonw_str(w, "reason", agent_reason_name(ev->reason));
		jsonw_str_or_null(w, "queue", ev->queue);
		jsonw_str_or_null(w, "contact_id", ev->contact_id);
		record_topic(topic, "agent.state", ev->agent);
		publish_end(pub, topic);
		return;
	}
	/* Every agent every realtime_s: the jsonw writer, not a tree. */
	w = publish_begin(pub, "rt.agents", ev->ts_us);
	jsonw_array_begin(w, "agents");
	for (i = 0; i < ev->nrows; i++)
		record_rt_row(w, &ev->rows[i]);
	jsonw_array_end(w);
	jsonw_object_begin(w, "counts");
	for (s = 0; s < AGENT_NSTATES; s++)
		jsonw_int(w, agent_state_name(s), (int64_t)ev->counts[s]);
	jsonw_object_end(w);
	publish_end(pub, "rt.agents");
}

/*
 * stats: every counter as an integer, written by jsonw in the order (and
 * so with the bytes) the jansson tree it replaced dumped them.
 */
struct stat_field {
	const char	*key;
	uint64_t	 v;
};

/* key: {fields...} (key NULL: the fields as members of the open object). */
static void
record_stat_fields(struct jsonw *w, const char *key,
    const struct stat_field *f, size_t n)
{
	size_t	i;

	if (key != NULL)
		jsonw_object_begin(w, key);
	for (i = 0; i < n; i++)
		jsonw_int(w, f[i].key, (int64_t)f[i].v);
	if (key != NULL)
		jsonw_object_end(w);
}

#define STAT_FIELDS(w, key, ...) do {					\
	const struct stat_field f_[] = { __VA_ARGS__ };			\
	record_stat_fields((w), (key), f_, sizeof f_ / sizeof f_[0]);	\
} while (0)

static void
stats_ipfrag(struct jsonw *w, const struct ipfrag_stats *f)
{
	STAT_FIELDS(w, "ipfrag",
	    { "fragments", f->fragments },
	    { "reassembled", f->reassembled },
	    { "duplicates", f->duplicates },
	    { "overlaps", f->overlaps },
	    { "bad", f->bad },
	    { "timeouts", f->timeouts },
	    { "evicted", f->evicted },
	    { "pending", f->pending },
	    { "pending_bytes", f->pending_bytes });
}

static void
stats_tcp(struct jsonw *w, const struct tcpstream_stats *t)
{
	STAT_FIELDS(w, "tcp",
	    { "segments", t->segments },
	    { "messages", t->messages },
	    { "keepalives", t->keepalives },
	    { "retransmitted", t->retransmitted },
	    { "overlaps", t->overlaps },
	    { "out_of_order", t->out_of_order },
	    { "gaps", t->gaps },
	    { "out_of_window", t->out_of_window },
	    { "oversize", t->oversize },
	    { "discarded_bytes", t->discarded_bytes },
	    { "evicted", t->evicted },
	    { "expired", t->expired },
	    { "streams", t->streams },
	    { "buffered_bytes", t->buffered_bytes });
}

/* HEP in the capture (key "hep") or from the listener; zeros without one. */
static void
stats_hep(struct jsonw *w, const struct hep_stats *h, bool listener)
{
	static const struct hep_stats	none;

	if (h == NULL)
		h = &none;
	jsonw_object_begin(w, listener ? "hep_listen" : "hep");
	STAT_FIELDS(w, NULL,
	    { "packets", h->packets },
	    { "payloads", h->payloads },
	    { "bad", h->bad },
	    { "not_sip", h->not_sip });
	/* The listener's: what it refused or the kernel lost, too. */
	if (listener)
		STAT_FIELDS(w, NULL,
		    { "refused", h->refused },
		    { "kernel_drops", h->kernel_drops });
	jsonw_object_end(w);
}

/* Packets whose time was out of range (timegate.c); zeros offline. */
static void
stats_time(struct jsonw *w, const struct timegate_stats *t)
{
	static const struct timegate_stats	none;

	if (t == NULL)
		t = &none;
	STAT_FIELDS(w, "time",
	    { "held", t->held },
	    { "jumps", t->jumps },
	    { "steps_back", t->steps_back });
}

/* The agent stage's counters (DESIGN.md 7). */
static void
stats_agents(struct jsonw *w, const struct agent_stats *a)
{
	static const struct agent_stats	none;

	if (a == NULL)
		a = &none;
	STAT_FIELDS(w, "agents",
	    { "agents", a->agents },
	    { "created", a->created },
	    { "evicted", a->evicted },
	    { "bindings", a->bindings },
	    { "registers", a->registers },
	    { "register_ok", a->register_ok },
	    { "register_challenged", a->register_challenged },
	    { "register_ignored", a->register_ignored },
	    { "register_unmatched", a->register_unmatched },
	    { "bindings_dropped", a->bindings_dropped },
	    { "feature_codes", a->feature_codes },
	    { "feature_codes_ignored", a->feature_codes_ignored },
	    { "feature_code_messages", a->feature_code_messages });
}

/* publish: publish.nats_* only with publish.nats on (DESIGN.md 8). */
static void
stats_publish(struct jsonw *w, const struct publish_stats *p)
{
	const struct natspub_stats	*n = &p->nats_st;

	jsonw_object_begin(w, "publish");
	STAT_FIELDS(w, NULL,
	    { "sent", p->sent },
	    { "zmq_dropped", p->zmq_dropped },
	    { "zmq_overflows", p->zmq_overflows },
	    { "zmq_refused", p->zmq_refused },
	    { "jsonl_lost", p->jsonl_lost },
	    { "zmq_flooded", p->zmq_flooded });
	if (p->nats) {
		STAT_FIELDS(w, NULL,
		    { "nats_published", n->published },
		    { "nats_duplicates", n->duplicates },
		    { "nats_dropped", n->dropped },
		    { "nats_rejected", n->rejected },
		    { "nats_errors", n->errors },
		    { "nats_reconnects", n->reconnects },
		    { "nats_pending", n->pending });
		jsonw_bool(w, "nats_connected", n->connected);
	}
	jsonw_object_end(w);
}

void
record_stats(struct publisher *pub, int64_t ts_us,
    const struct record_counters *rc)
{
	const struct decode_stats	*d = rc->decode;
	const struct sip_stats		*s = rc->sip;
	const struct leg_stats		*l = rc->leg;
	const struct contact_stats	*c = rc->contact;
	struct jsonw			*w;

	w = publish_begin(pub, "stats", ts_us);
	STAT_FIELDS(w, NULL,
	    { "packets", rc->capture.packets },
	    { "pcap_drops", rc->capture.kernel_drops },
	    { "pcap_ifdrops", rc->capture.iface_drops });
	jsonw_object_begin(w, "decode");
	STAT_FIELDS(w, NULL,
	    { "payloads", d->payloads },
	    { "truncated", d->truncated },
	    { "bad_link", d->bad_link },
	    { "bad_ip", d->bad_ip },
	    { "not_sip_port", d->not_sip_port },
	    { "other_proto", d->other_proto });
	stats_ipfrag(w, &d->ipfrag);
	stats_tcp(w, &d->tcp);
	stats_hep(w, &d->hep, false);
	jsonw_object_end(w);
	stats_hep(w, rc->hep_listen, true);
	stats_time(w, rc->time);
	STAT_FIELDS(w, "sip",
	    { "messages", s->messages },
	    { "keepalives", s->keepalives },
	    { "parse_errors", s->parse_errors },
	    { "missing_fields", s->missing_fields },
	    { "ignored_methods", s->ignored_methods });
	STAT_FIELDS(w, "legs",
	    { "open", l->open },
	    { "created", l->created },
	    { "retransmissions", l->retransmissions },
	    { "orphans", l->orphans },
	    { "orphans_held", l->orphans_held },
	    { "orphans_replayed", l->orphans_replayed },
	    { "partial", l->partial },
	    { "rehops", l->rehops },
	    { "expired", l->expired },
	    { "evicted", l->evicted },
	    { "agent_user_mismatch", l->agent_user_mismatch },
	    { "bye_tags_mismatch", l->bye_tags_mismatch },
	    { "bye_481", l->bye_481 },
	    { "ended_dialog_requests", l->ended_dialog_requests },
	    { "partial_unconfirmed", l->partial_unconfirmed });
	STAT_FIELDS(w, "contacts",
	    { "open", c->open },
	    { "created", c->created },
	    { "unmapped", c->unmapped },
	    { "agent_by_header", c->agent_by_header },
	    { "agent_by_replaces", c->agent_by_replaces },
	    { "agent_by_caller", c->agent_by_caller },
	    { "agent_unmatched", c->agent_unmatched },
	    { "agent_ambiguous", c->agent_ambiguous },
	    { "agent_without_header", c->agent_without_header },
	    { "callers", c->callers },
	    { "callers_evicted", c->callers_evicted });
	STAT_FIELDS(w, "intervals",
	    { "late_events", rc->interval->late_events },
	    { "queues", rc->interval->queues },
	    { "agents", rc->interval->agents });
	stats_agents(w, rc->agent);
	stats_publish(w, rc->publish);
	publish_end(pub, "stats");
}

/* num / den, or null when den is 0 (DESIGN.md 4). */
static void
record_ratio(struct jsonw *w, const char *key, double num, double den)
{
	if (den > 0)
		jsonw_real(w, key, num / den);
	else
		jsonw_null(w, key);
}

static void
record_hist(struct jsonw *w, const char *key, const uint64_t *h)
{
	int	i;

	jsonw_array_begin(w, key);
	for (i = 0; i < INTERVAL_WAIT_BUCKETS; i++)
		jsonw_int(w, NULL, (int64_t)h[i]);
	jsonw_array_end(w);
}

/*
 * DESIGN.md 4.1's fields of a queue interval, after those of section 4.
 * Erlang A takes the unrounded sums: lambda = offered / interval_s, AHT =
 * handle / handled, patience configured or else measured.
 */
static void
record_interval_planning(struct jsonw *w, const struct interval_record *r)
{
	const struct interval_queue	*q = r->queue;
	double				 abandons, patience;
	int				 n = -1;

	abandons = (double)q->abandoned + (double)q->short_abandoned;
	patience = r->erlang_a_patience_s > 0 ? r->erlang_a_patience_s :
	    abandons > 0 ? (double)q->wait_all_ms / 1000.0 / abandons : 0.0;
	if (q->offered > 0 && q->handled > 0 && patience > 0)
		n = erlang_a_agents((double)q->offered / r->interval_s,
		    (double)q->handle_ms / 1000.0 / (double)q->handled,
		    patience, r->sl_threshold_s, r->sl_target, r->max_abandon,
		    NULL);
	jsonw_ms(w, "wait_all_s", q->wait_all_ms);
	jsonw_ms(w, "max_wait_all_s", q->max_wait_all_ms);
	jsonw_int(w, "redials", (int64_t)q->redials);
	jsonw_int(w, "reconnects", (int64_t)q->reconnects);
	jsonw_int(w, "ended_on_hold", (int64_t)q->ended_on_hold);
	jsonw_int(w, "agent_ended", (int64_t)q->agent_ended);
	jsonw_int(w, "transfers_blind", (int64_t)q->transfers_blind);
	jsonw_int(w, "transfers_attended", (int64_t)q->transfers_attended);
	record_ratio(w, "patience_s", q->wait_all_ms / 1000.0, abandons);
	record_ratio(w, "abandon_rate_offered", abandons, (double)q->offered);
	if (n > 0)
		jsonw_int(w, "erlang_a_agents", n);
	else
		jsonw_null(w, "erlang_a_agents");
}

static void
record_interval_queue(struct jsonw *w, const struct interval_record *r)
{
	const struct interval_queue	*q = r->queue;
	double				 answered = (double)q->answered;
	double				 den = answered + (double)q->abandoned;
	int				 n = 0;

	if (q->offered > 0 && q->handled > 0)
		n = erlang_c_agents((double)q->offered / r->interval_s,
		    (double)q->handle_ms / 1000.0 / (double)q->handled,
		    r->sl_threshold_s, r->sl_target);
	jsonw_int(w, "offered", (int64_t)q->offered);
	jsonw_int(w, "blocked", (int64_t)q->blocked);
	jsonw_int(w, "answered", (int64_t)q->answered);
	jsonw_int(w, "answered_within_sl", (int64_t)q->answered_within_sl);
	jsonw_ms(w, "wait_answered_s", q->wait_answered_ms);
	jsonw_ms(w, "max_wait_s", q->max_wait_ms);
	jsonw_int(w, "abandoned", (int64_t)q->abandoned);
	jsonw_int(w, "short_abandoned", (int64_t)q->short_abandoned);
	jsonw_ms(w, "abandon_wait_s", q->abandon_wait_ms);
	jsonw_int(w, "timeouts", (int64_t)q->timeouts);
	jsonw_int(w, "handled", (int64_t)q->handled);
	jsonw_ms(w, "talk_s", q->talk_ms);
	jsonw_ms(w, "hold_s", q->hold_ms);
	jsonw_ms(w, "handle_s", q->handle_ms);
	jsonw_int(w, "holds", (int64_t)q->holds);
	jsonw_int(w, "rona", (int64_t)q->rona);
	jsonw_int(w, "transfers", (int64_t)q->transfers);
	jsonw_int(w, "repeat_calls", (int64_t)q->repeat_calls);
	record_ratio(w, "service_level", (double)q->answered_within_sl, den);
	record_ratio(w, "asa_s", q->wait_answered_ms / 1000.0, answered);
	record_ratio(w, "aht_s", q->handle_ms / 1000.0, (double)q->handled);
	record_ratio(w, "abandon_rate", (double)q->abandoned, den);
	if (n > 0)
		jsonw_int(w, "erlang_c_agents", n);
	else
		jsonw_null(w, "erlang_c_agents");
	jsonw_int(w, "sl_threshold_s", r->sl_threshold_s);
	jsonw_real(w, "sl_target", r->sl_target);
	record_hist(w, "wait_hist_answered", q->wait_hist_answered);
	record_hist(w, "wait_hist_abandoned", q->wait_hist_abandoned);
	record_interval_planning(w, r);
}

/*
 * DESIGN.md 7: state times of an agent interval; occupancy = (on_call +
 * busy_other + ringing + wrapup) / (staffed - paused), null when 0.
 */
static void
record_agent_states(struct jsonw *w, const struct interval_agent *a)
{
	const int64_t	*t = a->state_ms;
	int64_t		 staffed, busy;
	int		 i;

	staffed = 0;
	for (i = 0; i < AGENT_NSTATES; i++)
		if (i != AGENT_LOGGED_OUT && i != AGENT_UNKNOWN)
			staffed += t[i];
	busy = t[AGENT_ON_CALL] + t[AGENT_BUSY_OTHER] + t[AGENT_RINGING] +
	    t[AGENT_WRAPUP];
	jsonw_ms(w, "staffed_s", staffed);
	jsonw_ms(w, "available_s", t[AGENT_AVAILABLE]);
	jsonw_ms(w, "ringing_s", t[AGENT_RINGING]);
	jsonw_ms(w, "on_call_s", t[AGENT_ON_CALL]);
	jsonw_ms(w, "busy_other_s", t[AGENT_BUSY_OTHER]);
	jsonw_ms(w, "wrapup_s", t[AGENT_WRAPUP]);
	jsonw_ms(w, "paused_s", t[AGENT_PAUSED]);
	jsonw_ms(w, "unknown_s", t[AGENT_UNKNOWN]);
	record_ratio(w, "occupancy", (double)busy,
	    (double)(staffed - t[AGENT_PAUSED]));
}

static void
record_interval_agent(struct jsonw *w, const struct interval_record *r)
{
	const struct interval_agent	*a = r->agent;

	jsonw_int(w, "attempts", (int64_t)a->attempts);
	jsonw_int(w, "answered", (int64_t)a->answered);
	jsonw_int(w, "rona", (int64_t)a->rona);
	jsonw_int(w, "handled", (int64_t)a->handled);
	jsonw_ms(w, "talk_s", a->talk_ms);
	jsonw_ms(w, "hold_s", a->hold_ms);
	jsonw_ms(w, "handle_s", a->handle_ms);
	jsonw_int(w, "holds", (int64_t)a->holds);
	jsonw_int(w, "transfers", (int64_t)a->transfers);
	jsonw_ms(w, "busy_s", a->busy_ms);
	record_agent_states(w, a);
}

/*
 * An interval this run did not watch from start to end (it started, or
 * was stopped, inside it) says so, and which part it saw: its counts
 * miss what happened outside, which another run may have published.
 */
static void
record_partial(struct jsonw *w, const struct publisher *pub,
    const struct interval_record *r)
{
	int64_t	from, to;

	publish_get_observed(pub, &from, &to);
	if (from <= r->start_us && (to == 0 || to >= r->end_us))
		return;
	jsonw_bool(w, "partial", 1);
	if (from < r->start_us)
		from = r->start_us;
	if (from > r->end_us)
		from = r->end_us;
	jsonw_time(w, "observed_from", from);
	jsonw_time(w, "observed_to", to != 0 && to < r->end_us ? to : r->end_us);
}

void
record_interval(struct publisher *pub, const struct interval_record *r)
{
	struct jsonw	*w;
	const char	*kind;
	char		 topic[TOPIC_MAX];

	if (r->type == INTERVAL_RT_QUEUE) {
		w = publish_begin(pub, "rt.queue", r->ts_us);
		jsonw_str(w, "queue", r->name);
		jsonw_int(w, "waiting", (int64_t)r->rt->waiting);
		jsonw_ms(w, "longest_wait_s", r->rt->longest_wait_ms);
		jsonw_int(w, "talking", (int64_t)r->rt->talking);
		jsonw_int(w, "on_hold", (int64_t)r->rt->on_hold);
		if (r->agents != NULL) {
			jsonw_int(w, "agents_staffed",
			    (int64_t)r->agents->staffed);
			jsonw_int(w, "agents_available",
			    (int64_t)r->agents->available);
			jsonw_int(w, "agents_ringing",
			    (int64_t)r->agents->ringing);
			jsonw_int(w, "agents_on_call",
			    (int64_t)r->agents->on_call);
			jsonw_int(w, "agents_busy_other",
			    (int64_t)r->agents->busy_other);
			jsonw_int(w, "agents_wrapup",
			    (int64_t)r->agents->wrapup);
			jsonw_int(w, "agents_paused",
			    (int64_t)r->agents->paused);
		}
		record_topic(topic, "rt.queue", r->name);
		publish_end(pub, topic);
		return;
	}
	kind = r->type == INTERVAL_QUEUE ? "interval.queue" : "interval.agent";
	w = publish_begin(pub, kind, r->ts_us);
	jsonw_str(w, r->type == INTERVAL_QUEUE ? "queue" : "agent", r->name);
	jsonw_time(w, "start", r->start_us);
	jsonw_time(w, "end", r->end_us);
	jsonw_int(w, "interval_s", r->interval_s);
	if (r->type == INTERVAL_QUEUE)
		record_interval_queue(w, r);
	else
		record_interval_agent(w, r);
	record_partial(w, pub, r);
	record_topic(topic, kind, r->name);
	publish_end(pub, topic);
}
