/* record.c: JSON for call events, call.end and leg.end (DESIGN.md 5). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/erlang.h"
#include "ccmetrics/privacy.h"
#include "ccmetrics/record.h"

#define TOPIC_MAX	192

static const char *const leg_end_names[] = {
	NULL, "bye_uac", "bye_uas", "cancel", "rejected", "expired",
	"evicted", "flushed"
};
static const char *const leg_role_names[] = { "other", "inbound", "agent" };

double
record_seconds(int64_t from_us, int64_t to_us)
{
	return ((double)(contact_ms(to_us) - contact_ms(from_us)) / 1000.0);
}

static json_t *
json_time(int64_t us)
{
	char	buf[32];

	if (us == 0)
		return (json_null());
	publish_format_time(us, buf, sizeof buf);
	return (json_string(buf));
}

static json_t *
json_str_or_null(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

static void
record_publish(struct publisher *pub, const char *kind, const char *queue,
    int64_t ts_us, json_t *obj)
{
	char	topic[TOPIC_MAX];

	snprintf(topic, sizeof topic, "%s.%s", kind, queue);
	publish_send(pub, topic, kind, ts_us, obj);
}

static int64_t
contact_wait_end(const struct contact *c)
{
	return (c->answered_us != 0 ? c->answered_us : c->inbound_end_us);
}

/* The answering agents, in the order they answered. */
static json_t *
record_agents(const struct contact *c)
{
	const struct contact_attempt	**v;
	json_t				 *arr = json_array();
	size_t				  i, j, n = 0;

	if (c->nattempts == 0)
		return (arr);
	v = calloc(c->nattempts, sizeof *v);
	for (i = 0; v != NULL && i < c->nattempts; i++) {
		if (c->attempts[i].answer_us == 0)
			continue;
		for (j = n; j > 0 &&
		    v[j - 1]->answer_us > c->attempts[i].answer_us; j--)
			v[j] = v[j - 1];
		v[j] = &c->attempts[i];
		n++;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_string(v[i]->agent));
	free(v);
	return (arr);
}

static json_t *
record_legs(const struct contact *c)
{
	json_t	*arr = json_array();
	size_t	 i;

	json_array_append_new(arr, json_string(c->id));
	for (i = 0; i < c->nattempts; i++)
		json_array_append_new(arr, json_string(c->attempts[i].call_id));
	return (arr);
}

static json_t *
record_call_end(const struct publisher *pub, const struct contact *c)
{
	struct contact_totals	 t;
	const char		*agent = NULL;
	char			 caller[PRIVACY_MAX];

	contact_totals(c, &t);
	if (c->answered_attempt >= 0)
		agent = c->attempts[c->answered_attempt].agent;
	return (json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s,"
	    " s:f, s:f, s:f, s:f, s:i, s:i, s:o, s:o, s:i, s:i, s:b, s:o,"
	    " s:b}",
	    "contact_id", c->id,
	    "queue", c->queue,
	    "caller", publish_number(pub, c->caller, caller, sizeof caller),
	    "dnis", c->dnis,
	    "arrival", json_time(c->arrival_us),
	    "answered_at", json_time(c->answered_us),
	    "ended_at", json_time(c->ended_us),
	    "outcome", contact_outcome_name(c->outcome),
	    "ended_by", contact_party_name(c->ended_by),
	    "wait_s", record_seconds(c->arrival_us, contact_wait_end(c)),
	    "talk_s", record_seconds(0, t.talk_us),
	    "hold_s", record_seconds(0, t.hold_us),
	    "handle_s", record_seconds(0, t.handle_us),
	    "holds", t.holds,
	    "transfers", c->transfers,
	    "agent", json_str_or_null(agent),
	    "agents", record_agents(c),
	    "attempts", (int)c->nattempts,
	    "rona", t.rona,
	    "repeat", c->repeat,
	    "legs", record_legs(c),
	    "partial", c->partial));
}

/*
 * A leg outside any contact. Its caller may be a customer (unmapped or
 * unmatched legs); so may the number dialled by an outbound or internal
 * leg. An inbound leg dials a DNIS, an agent leg an agent: both stay.
 */
static json_t *
record_leg_end(const struct publisher *pub, const struct leg *l)
{
	char	src[ADDR_STRLEN], dst[ADDR_STRLEN];
	char	caller[PRIVACY_MAX], dialed[PRIVACY_MAX];

	return (json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:i, s:o,"
	    " s:o, s:o, s:s, s:i, s:b}",
	    "call_id", l->call_id,
	    "role", leg_role_names[l->role],
	    "caller", publish_number(pub, l->caller, caller, sizeof caller),
	    "dialed", l->role == LEG_ROLE_OTHER ?
	    publish_number(pub, l->dialed, dialed, sizeof dialed) : l->dialed,
	    "src", addr_format(&l->uac.ip, src, sizeof src),
	    "src_port", l->uac.port,
	    "dst", addr_format(&l->uas.ip, dst, sizeof dst),
	    "dst_port", l->uas.port,
	    "invite", json_time(l->invite_us),
	    "answered_at", json_time(l->answer_us),
	    "ended_at", json_time(l->end_us),
	    "end_reason", leg_end_names[l->end_reason],
	    "final_status", l->final_status,
	    "partial", l->partial));
}

static json_t *
record_agent_event(const struct contact *c, const struct contact_attempt *a)
{
	return (json_pack("{s:s, s:s, s:s, s:s}", "contact_id", c->id,
	    "queue", c->queue, "agent", a->agent, "leg", a->call_id));
}

void
record_contact_event(struct publisher *pub, const struct contact_event *ev)
{
	const struct contact		*c = ev->contact;
	const struct contact_attempt	*a = ev->attempt;
	json_t				*o;
	char				 num[PRIVACY_MAX];
	char				 uri[PRIVACY_MAX + 256];

	switch (ev->type) {
	case CONTACT_EV_ARRIVE:
		o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:b}",
		    "contact_id", c->id, "queue", c->queue,
		    "caller", publish_number(pub, c->caller, num, sizeof num),
		    "dnis", c->dnis, "arrival", json_time(c->arrival_us),
		    "repeat", c->repeat);
		record_publish(pub, "call.arrive", c->queue, ev->ts_us, o);
		break;
	case CONTACT_EV_RING:
		o = record_agent_event(c, a);
		json_object_set_new(o, "attempt",
		    json_integer((json_int_t)(a - c->attempts) + 1));
		record_publish(pub, "call.ring", c->queue, ev->ts_us, o);
		break;
	case CONTACT_EV_ANSWER:
		o = record_agent_event(c, a);
		json_object_set_new(o, "wait_s",
		    json_real(record_seconds(c->arrival_us, c->answered_us)));
		json_object_set_new(o, "ring_s",
		    json_real(record_seconds(a->invite_us, a->answer_us)));
		record_publish(pub, "call.answer", c->queue, ev->ts_us, o);
		break;
	case CONTACT_EV_HOLD:
	case CONTACT_EV_RESUME:
		record_publish(pub, ev->type == CONTACT_EV_HOLD ? "call.hold" :
		    "call.resume", c->queue, ev->ts_us,
		    record_agent_event(c, a));
		break;
	case CONTACT_EV_TRANSFER:
		o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s}",
		    "contact_id", c->id, "queue", c->queue,
		    "agent", json_str_or_null(a != NULL ? a->agent : NULL),
		    "kind", ev->leg->refer_attended ? "attended" : "blind",
		    "refer_to", ev->leg->refer_to != NULL ? publish_uri(pub,
		    ev->leg->refer_to, uri, sizeof uri) : "",
		    "leg", ev->leg->call_id);
		record_publish(pub, "call.transfer", c->queue, ev->ts_us, o);
		break;
	case CONTACT_EV_ABANDON:
		o = json_pack("{s:s, s:s, s:s, s:f, s:s}",
		    "contact_id", c->id, "queue", c->queue,
		    "caller", publish_number(pub, c->caller, num, sizeof num),
		    "wait_s", record_seconds(c->arrival_us, c->inbound_end_us),
		    "outcome", contact_outcome_name(c->outcome));
		record_publish(pub, "call.abandon", c->queue, ev->ts_us, o);
		break;
	case CONTACT_EV_END:
		record_publish(pub, "call.end", c->queue, ev->ts_us,
		    record_call_end(pub, c));
		break;
	case CONTACT_EV_LEG_END:
		publish_send(pub, "leg.end", "leg.end", ev->ts_us,
		    record_leg_end(pub, ev->leg));
		break;
	case CONTACT_EV_INBOUND_END:
	case CONTACT_EV_SEGMENT_START:
	case CONTACT_EV_SEGMENT_END:
	case CONTACT_EV_RONA:
		break;
	}
}

static json_t *
json_ipfrag(const struct ipfrag_stats *f)
{
	return (json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "fragments", (json_int_t)f->fragments,
	    "reassembled", (json_int_t)f->reassembled,
	    "duplicates", (json_int_t)f->duplicates,
	    "overlaps", (json_int_t)f->overlaps,
	    "bad", (json_int_t)f->bad,
	    "timeouts", (json_int_t)f->timeouts,
	    "evicted", (json_int_t)f->evicted,
	    "pending", (json_int_t)f->pending,
	    "pending_bytes", (json_int_t)f->pending_bytes));
}

static json_t *
json_tcp(const struct tcpstream_stats *t)
{
	return (json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
	    " s:I, s:I, s:I, s:I}",
	    "segments", (json_int_t)t->segments,
	    "messages", (json_int_t)t->messages,
	    "keepalives", (json_int_t)t->keepalives,
	    "retransmitted", (json_int_t)t->retransmitted,
	    "overlaps", (json_int_t)t->overlaps,
	    "out_of_order", (json_int_t)t->out_of_order,
	    "gaps", (json_int_t)t->gaps,
	    "out_of_window", (json_int_t)t->out_of_window,
	    "oversize", (json_int_t)t->oversize,
	    "discarded_bytes", (json_int_t)t->discarded_bytes,
	    "evicted", (json_int_t)t->evicted,
	    "expired", (json_int_t)t->expired,
	    "streams", (json_int_t)t->streams,
	    "buffered_bytes", (json_int_t)t->buffered_bytes));
}

/* HEP in the capture or from the listener; zeros without one. */
static json_t *
json_hep(const struct hep_stats *h)
{
	static const struct hep_stats	none;

	if (h == NULL)
		h = &none;
	return (json_pack("{s:I, s:I, s:I, s:I}",
	    "packets", (json_int_t)h->packets,
	    "payloads", (json_int_t)h->payloads,
	    "bad", (json_int_t)h->bad,
	    "not_sip", (json_int_t)h->not_sip));
}

void
record_stats(struct publisher *pub, int64_t ts_us,
    const struct record_counters *rc)
{
	const struct decode_stats	*d = rc->decode;
	const struct sip_stats		*s = rc->sip;
	const struct leg_stats		*l = rc->leg;
	const struct contact_stats	*c = rc->contact;
	json_t				*o;

	o = json_pack("{s:I, s:I, s:I}",
	    "packets", (json_int_t)rc->capture.packets,
	    "pcap_drops", (json_int_t)rc->capture.kernel_drops,
	    "pcap_ifdrops", (json_int_t)rc->capture.iface_drops);
	json_object_set_new(o, "decode", json_pack("{s:I, s:I, s:I, s:I, s:I,"
	    " s:I, s:o, s:o, s:o}",
	    "payloads", (json_int_t)d->payloads,
	    "truncated", (json_int_t)d->truncated,
	    "bad_link", (json_int_t)d->bad_link,
	    "bad_ip", (json_int_t)d->bad_ip,
	    "not_sip_port", (json_int_t)d->not_sip_port,
	    "other_proto", (json_int_t)d->other_proto,
	    "ipfrag", json_ipfrag(&d->ipfrag),
	    "tcp", json_tcp(&d->tcp),
	    "hep", json_hep(&d->hep)));
	json_object_set_new(o, "hep_listen", json_hep(rc->hep_listen));
	json_object_set_new(o, "sip", json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "messages", (json_int_t)s->messages,
	    "keepalives", (json_int_t)s->keepalives,
	    "parse_errors", (json_int_t)s->parse_errors,
	    "missing_fields", (json_int_t)s->missing_fields,
	    "ignored_methods", (json_int_t)s->ignored_methods));
	json_object_set_new(o, "legs", json_pack("{s:I, s:I, s:I, s:I, s:I,"
	    " s:I, s:I, s:I, s:I, s:I, s:I}",
	    "open", (json_int_t)l->open,
	    "created", (json_int_t)l->created,
	    "retransmissions", (json_int_t)l->retransmissions,
	    "orphans", (json_int_t)l->orphans,
	    "orphans_held", (json_int_t)l->orphans_held,
	    "orphans_replayed", (json_int_t)l->orphans_replayed,
	    "partial", (json_int_t)l->partial,
	    "rehops", (json_int_t)l->rehops,
	    "expired", (json_int_t)l->expired,
	    "evicted", (json_int_t)l->evicted,
	    "agent_user_mismatch", (json_int_t)l->agent_user_mismatch));
	json_object_set_new(o, "contacts", json_pack("{s:I, s:I, s:I, s:I,"
	    " s:I, s:I, s:I, s:I, s:I, s:I}",
	    "open", (json_int_t)c->open,
	    "created", (json_int_t)c->created,
	    "unmapped", (json_int_t)c->unmapped,
	    "agent_by_header", (json_int_t)c->agent_by_header,
	    "agent_by_replaces", (json_int_t)c->agent_by_replaces,
	    "agent_by_caller", (json_int_t)c->agent_by_caller,
	    "agent_unmatched", (json_int_t)c->agent_unmatched,
	    "agent_ambiguous", (json_int_t)c->agent_ambiguous,
	    "callers", (json_int_t)c->callers,
	    "callers_evicted", (json_int_t)c->callers_evicted));
	json_object_set_new(o, "intervals", json_pack("{s:I, s:I, s:I}",
	    "late_events", (json_int_t)rc->interval->late_events,
	    "queues", (json_int_t)rc->interval->queues,
	    "agents", (json_int_t)rc->interval->agents));
	json_object_set_new(o, "publish", json_pack("{s:I, s:I, s:I}",
	    "sent", (json_int_t)rc->publish->sent,
	    "zmq_dropped", (json_int_t)rc->publish->zmq_dropped,
	    "zmq_refused", (json_int_t)rc->publish->zmq_refused));
	publish_send(pub, "stats", "stats", ts_us, o);
}

static json_t *
json_ratio(double num, double den)
{
	return (den > 0 ? json_real(num / den) : json_null());
}

static json_t *
json_hist(const uint64_t *h)
{
	json_t	*arr = json_array();
	int	 i;

	for (i = 0; i < INTERVAL_WAIT_BUCKETS; i++)
		json_array_append_new(arr, json_integer((json_int_t)h[i]));
	return (arr);
}

static json_t *
record_interval_queue(const struct interval_record *r)
{
	const struct interval_queue	*q = r->queue;
	double				 answered = (double)q->answered;
	double				 den = answered + (double)q->abandoned;
	json_t				*o, *erlang = json_null();
	int				 n;

	if (q->offered > 0 && q->handled > 0) {
		n = erlang_c_agents((double)q->offered / r->interval_s,
		    (double)q->handle_ms / 1000.0 / (double)q->handled,
		    r->sl_threshold_s, r->sl_target);
		if (n > 0)
			erlang = json_integer(n);
	}
	o = json_pack("{s:I, s:I, s:I, s:I, s:f, s:f, s:I, s:I, s:f, s:I,"
	    " s:I, s:f, s:f, s:f, s:I, s:I, s:I, s:I}",
	    "offered", (json_int_t)q->offered,
	    "blocked", (json_int_t)q->blocked,
	    "answered", (json_int_t)q->answered,
	    "answered_within_sl", (json_int_t)q->answered_within_sl,
	    "wait_answered_s", q->wait_answered_ms / 1000.0,
	    "max_wait_s", q->max_wait_ms / 1000.0,
	    "abandoned", (json_int_t)q->abandoned,
	    "short_abandoned", (json_int_t)q->short_abandoned,
	    "abandon_wait_s", q->abandon_wait_ms / 1000.0,
	    "timeouts", (json_int_t)q->timeouts,
	    "handled", (json_int_t)q->handled,
	    "talk_s", q->talk_ms / 1000.0,
	    "hold_s", q->hold_ms / 1000.0,
	    "handle_s", q->handle_ms / 1000.0,
	    "holds", (json_int_t)q->holds,
	    "rona", (json_int_t)q->rona,
	    "transfers", (json_int_t)q->transfers,
	    "repeat_calls", (json_int_t)q->repeat_calls);
	json_object_set_new(o, "service_level",
	    json_ratio((double)q->answered_within_sl, den));
	json_object_set_new(o, "asa_s",
	    json_ratio(q->wait_answered_ms / 1000.0, answered));
	json_object_set_new(o, "aht_s",
	    json_ratio(q->handle_ms / 1000.0, (double)q->handled));
	json_object_set_new(o, "abandon_rate",
	    json_ratio((double)q->abandoned, den));
	json_object_set_new(o, "erlang_c_agents", erlang);
	json_object_set_new(o, "sl_threshold_s",
	    json_integer(r->sl_threshold_s));
	json_object_set_new(o, "sl_target", json_real(r->sl_target));
	json_object_set_new(o, "wait_hist_answered",
	    json_hist(q->wait_hist_answered));
	json_object_set_new(o, "wait_hist_abandoned",
	    json_hist(q->wait_hist_abandoned));
	return (o);
}

static json_t *
record_interval_agent(const struct interval_record *r)
{
	const struct interval_agent	*a = r->agent;

	return (json_pack("{s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:I, s:I,"
	    " s:f}",
	    "attempts", (json_int_t)a->attempts,
	    "answered", (json_int_t)a->answered,
	    "rona", (json_int_t)a->rona,
	    "handled", (json_int_t)a->handled,
	    "talk_s", a->talk_ms / 1000.0,
	    "hold_s", a->hold_ms / 1000.0,
	    "handle_s", a->handle_ms / 1000.0,
	    "holds", (json_int_t)a->holds,
	    "transfers", (json_int_t)a->transfers,
	    "busy_s", a->busy_ms / 1000.0));
}

void
record_interval(struct publisher *pub, const struct interval_record *r)
{
	json_t	*o, *body;
	char	 topic[TOPIC_MAX];

	if (r->type == INTERVAL_RT_QUEUE) {
		o = json_pack("{s:s, s:I, s:f, s:I, s:I}", "queue", r->name,
		    "waiting", (json_int_t)r->rt->waiting,
		    "longest_wait_s", r->rt->longest_wait_ms / 1000.0,
		    "talking", (json_int_t)r->rt->talking,
		    "on_hold", (json_int_t)r->rt->on_hold);
		snprintf(topic, sizeof topic, "rt.queue.%s", r->name);
		publish_send(pub, topic, "rt.queue", r->ts_us, o);
		return;
	}
	o = json_pack("{s:s, s:o, s:o, s:i}",
	    r->type == INTERVAL_QUEUE ? "queue" : "agent", r->name,
	    "start", json_time(r->start_us), "end", json_time(r->end_us),
	    "interval_s", r->interval_s);
	body = r->type == INTERVAL_QUEUE ? record_interval_queue(r) :
	    record_interval_agent(r);
	json_object_update(o, body);
	json_decref(body);
	snprintf(topic, sizeof topic, "interval.%s.%s",
	    r->type == INTERVAL_QUEUE ? "queue" : "agent", r->name);
	publish_send(pub, topic, r->type == INTERVAL_QUEUE ? "interval.queue" :
	    "interval.agent", r->ts_us, o);
}
