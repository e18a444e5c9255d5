/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.c: counters, histograms and gauges ccmetrics-web keeps per site
 * and queue from the feed objects, and their Prometheus text exposition.
 * Which object drives which series is the table in docs/web.md.
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ccmetrics/log.h"
#include "ccmetrics/strmap.h"
#include "ccmetrics/webmetrics.h"
#include "ccmetrics/xmalloc.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

/* DESIGN.md 4: upper edges of the wait histogram (inclusive), seconds. */
static const double wm_edges[] = { 5, 10, 15, 20, 30, 45, 60, 90, 120, 180,
    300 };
#define WM_BUCKETS	(nitems(wm_edges) + 1)

enum wm_outcome { WM_ANSWERED, WM_ABANDONED, WM_SHORT, WM_TIMEOUT, WM_NOUT };
static const char *const wm_outcome_names[WM_NOUT] = {
	"answered", "abandoned", "short_abandoned", "timeout"
};

/* DESIGN.md 7: agent states (rt.agents counts, agent.state). */
static const char *const wm_states[] = {
	"on_call", "busy_other", "ringing", "wrapup", "logged_out", "paused",
	"available", "unknown"
};
#define WM_NSTATES	nitems(wm_states)

/* rt.queue's agents_* fields, labelled state="..." without the prefix. */
static const char *const wm_queue_agents[] = {
	"staffed", "available", "ringing", "on_call", "busy_other", "wrapup",
	"paused"
};
#define WM_NQAGENTS	nitems(wm_queue_agents)

struct wm_queue {
	char		 name[WEBCONF_NAME_MAX];
	int		 sl_threshold_s;	/* learned from interval.queue */
	uint64_t	 offered, answered, within_sl, abandoned, short_ab;
	uint64_t	 blocked, timeouts, rona, transfers, holds, handled;
	uint64_t	 repeats;
	double		 handle_s, talk_s, hold_s;
	uint64_t	 hist[WM_NOUT][WM_BUCKETS];
	double		 hist_sum[WM_NOUT];
	int		 have_rt;
	double		 waiting, longest_wait_s, talking, on_hold;
	int		 have_agents;
	double		 agents[WM_NQAGENTS];
};

struct wm_agent {
	char		 id[WEBCONF_NAME_MAX];
	int		 state;			/* index in wm_states, -1 */
};

struct wm_site {
	char		 name[WEBCONF_NAME_MAX];
	/* feed health */
	char		 boot[32];
	int		 have_seq;
	uint64_t	 last_seq, gaps, restarts, messages, reordered;
	int64_t		 last_ms;
	/* stats */
	int		 have_stats;
	double		 pcap_drops, pcap_ifdrops, parse_errors, legs_open;
	double		 contacts_open, legs_evicted, zmq_dropped;
	double		 agent_unmatched, packets;
	/* rt.agents */
	int		 have_agents;
	double		 agents[WM_NSTATES];
	/* queues */
	struct wm_queue	**queues;
	size_t		 nqueues;
	struct strmap	*qmap;
	/* per-agent states (metrics.per_agent) */
	struct wm_agent	**agentv;
	size_t		 nagents;
	struct strmap	*amap;
};

struct wmetrics {
	const struct webconf	*wc;
	struct wm_site		**sites;
	size_t			 nsites;
	struct strmap		*smap;
	size_t			 nqueues, nagents;	/* over all sites */
	uint64_t		 dropped_sites, dropped_queues, dropped_agents;
	uint64_t		 bad_names;	/* no label value */
};

/* A name safe as a label value and a table key: [A-Za-z0-9_.+-]. */
static int
wm_name_ok(const char *s)
{
	size_t	n = strlen(s);

	return (n > 0 && n < WEBCONF_NAME_MAX &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.+-") == n);
}

static const char *
wm_str(const json_t *obj, const char *key)
{
	const json_t	*v = json_object_get(obj, key);

	return (json_is_string(v) ? json_string_value(v) : NULL);
}

/* A number field, or NAN. */
static double
wm_num(const json_t *obj, const char *key)
{
	const json_t	*v = json_object_get(obj, key);

	return (json_is_number(v) ? json_number_value(v) : NAN);
}

/* A non-negative count field, or 0. */
static uint64_t
wm_count(const json_t *obj, const char *key)
{
	double	d = wm_num(obj, key);

	return (isfinite(d) && d > 0 && d < 1e15 ? (uint64_t)d : 0);
}

static double
wm_secs(const json_t *obj, const char *key)
{
	double	d = wm_num(obj, key);

	return (isfinite(d) && d > 0 && d < 1e12 ? d : 0.0);
}

static int
wm_true(const json_t *obj, const char *key)
{
	return (json_is_true(json_object_get(obj, key)));
}

const char *
wmetrics_site_of(const json_t *obj)
{
	const char	*s = wm_str(obj, "site");

	return (s != NULL && wm_name_ok(s) ? s : WMETRICS_DEFAULT_SITE);
}

struct wmetrics *
wmetrics_create(const struct webconf *wc)
{
	struct wmetrics	*m = xcalloc(1, sizeof *m);

	m->wc = wc;
	m->smap = strmap_create();
	return (m);
}

static struct wm_site *
wm_site(struct wmetrics *m, const char *name)
{
	struct wm_site	*s;

	if ((s = strmap_get(m->smap, name)) != NULL)
		return (s);
	if (m->nsites >= (size_t)m->wc->max_sites) {
		m->dropped_sites++;
		return (NULL);
	}
	s = xcalloc(1, sizeof *s);
	memcpy(s->name, name, strlen(name) + 1);
	s->qmap = strmap_create();
	s->amap = strmap_create();
	m->sites = xreallocarray(m->sites, m->nsites + 1, sizeof *m->sites);
	m->sites[m->nsites++] = s;
	strmap_put(m->smap, name, s);
	return (s);
}

static struct wm_queue *
wm_queue(struct wmetrics *m, struct wm_site *s, const json_t *obj)
{
	struct wm_queue	*q;
	const char	*name = wm_str(obj, "queue");

	if (name == NULL)
		return (NULL);
	if (!wm_name_ok(name)) {
		m->bad_names++;
		return (NULL);
	}
	if ((q = strmap_get(s->qmap, name)) != NULL)
		return (q);
	if (s->nqueues >= (size_t)m->wc->max_queues ||
	    (m->wc->max_queues_total > 0 &&
	    m->nqueues >= (size_t)m->wc->max_queues_total)) {
		m->dropped_queues++;
		return (NULL);
	}
	q = xcalloc(1, sizeof *q);
	memcpy(q->name, name, strlen(name) + 1);
	q->sl_threshold_s = -1;
	s->queues = xreallocarray(s->queues, s->nqueues + 1, sizeof *s->queues);
	s->queues[s->nqueues++] = q;
	m->nqueues++;
	strmap_put(s->qmap, name, q);
	return (q);
}

static void
wm_hist(struct wm_queue *q, enum wm_outcome o, double wait_s)
{
	size_t	i;

	for (i = 0; i < nitems(wm_edges); i++)
		if (wait_s <= wm_edges[i])
			break;
	q->hist[o][i]++;
	q->hist_sum[o] += wait_s;
}

/* Sequence numbers per site and daemon run (boot): gaps and restarts. */
static void
wm_health(struct wm_site *s, const json_t *obj, int64_t now_ms)
{
	const char	*boot = wm_str(obj, "boot");
	double		 d = wm_num(obj, "seq");
	uint64_t	 seq;

	s->messages++;
	s->last_ms = now_ms;
	if (boot == NULL)
		boot = "";
	if (!isfinite(d) || d < 1 || d > 9e15)
		return;
	seq = (uint64_t)d;
	if (s->have_seq && strncmp(s->boot, boot, sizeof s->boot) != 0) {
		/* A new run starts at 1: what came before seq was lost. */
		s->restarts++;
		s->gaps += seq - 1;
	} else if (s->have_seq) {
		if (seq > s->last_seq + 1)
			s->gaps += seq - s->last_seq - 1;
		else if (seq <= s->last_seq) {
			s->reordered++;
			return;
		}
	}
	snprintf(s->boot, sizeof s->boot, "%s", boot);
	s->last_seq = seq;
	s->have_seq = 1;
}

static void
wm_call(struct wmetrics *m, struct wm_site *s, const char *type,
    const json_t *obj)
{
	struct wm_queue	*q;
	const char	*outcome;
	double		 wait_s;
	int		 thr;

	/* A call first seen mid-dialog is in no interval count either. */
	if (wm_true(obj, "partial") || (q = wm_queue(m, s, obj)) == NULL)
		return;
	wait_s = wm_secs(obj, "wait_s");
	if (strcmp(type, "call.arrive") == 0) {
		q->offered++;
		if (wm_true(obj, "repeat"))
			q->repeats++;
	} else if (strcmp(type, "call.answer") == 0) {
		q->answered++;
		thr = q->sl_threshold_s >= 0 ? q->sl_threshold_s :
		    webconf_threshold(m->wc, q->name)->sl_threshold_s;
		if (wait_s <= (double)thr)
			q->within_sl++;
		wm_hist(q, WM_ANSWERED, wait_s);
	} else if (strcmp(type, "call.abandon") == 0) {
		outcome = wm_str(obj, "outcome");
		if (outcome != NULL && strcmp(outcome, "short_abandoned") == 0) {
			q->short_ab++;
			wm_hist(q, WM_SHORT, wait_s);
		} else {
			q->abandoned++;
			wm_hist(q, WM_ABANDONED, wait_s);
		}
	} else if (strcmp(type, "call.transfer") == 0)
		q->transfers++;
	else if (strcmp(type, "call.end") == 0) {
		outcome = wm_str(obj, "outcome");
		if (outcome != NULL && strcmp(outcome, "blocked") == 0)
			q->blocked++;
		else if (outcome != NULL && strcmp(outcome, "timeout") == 0) {
			q->timeouts++;
			wm_hist(q, WM_TIMEOUT, wait_s);
		}
		q->rona += wm_count(obj, "rona");
		q->holds += wm_count(obj, "holds");
		q->handle_s += wm_secs(obj, "handle_s");
		q->talk_s += wm_secs(obj, "talk_s");
		q->hold_s += wm_secs(obj, "hold_s");
		if (json_is_array(json_object_get(obj, "agents")))
			q->handled += json_array_size(json_object_get(obj,
			    "agents"));
	}
}

static void
wm_rt_queue(struct wmetrics *m, struct wm_site *s, const json_t *obj)
{
	struct wm_queue	*q;
	char		 key[64];
	double		 d;
	size_t		 i;

	if ((q = wm_queue(m, s, obj)) == NULL)
		return;
	q->have_rt = 1;
	q->waiting = wm_secs(obj, "waiting");
	q->longest_wait_s = wm_secs(obj, "longest_wait_s");
	q->talking = wm_secs(obj, "talking");
	q->on_hold = wm_secs(obj, "on_hold");
	/* DESIGN.md 7's agents_* fields, when the daemon has them. */
	for (i = 0; i < WM_NQAGENTS; i++) {
		snprintf(key, sizeof key, "agents_%s", wm_queue_agents[i]);
		d = wm_num(obj, key);
		if (isfinite(d)) {
			q->have_agents = 1;
			q->agents[i] = d;
		}
	}
}

static int
wm_state_index(const char *state)
{
	size_t	i;

	for (i = 0; state != NULL && i < WM_NSTATES; i++)
		if (strcmp(state, wm_states[i]) == 0)
			return ((int)i);
	return (-1);
}

static void
wm_agent_state(struct wmetrics *m, struct wm_site *s, const char *id,
    const char *state)
{
	struct wm_agent	*a;

	if (!m->wc->per_agent || id == NULL)
		return;
	if (!wm_name_ok(id)) {
		m->bad_names++;
		return;
	}
	if ((a = strmap_get(s->amap, id)) == NULL) {
		if (s->nagents >= (size_t)m->wc->max_agents ||
		    (m->wc->max_agents_total > 0 &&
		    m->nagents >= (size_t)m->wc->max_agents_total)) {
			m->dropped_agents++;
			return;
		}
		a = xcalloc(1, sizeof *a);
		memcpy(a->id, id, strlen(id) + 1);
		s->agentv = xreallocarray(s->agentv, s->nagents + 1,
		    sizeof *s->agentv);
		s->agentv[s->nagents++] = a;
		m->nagents++;
		strmap_put(s->amap, id, a);
	}
	a->state = wm_state_index(state);
}

static void
wm_rt_agents(struct wmetrics *m, struct wm_site *s, const json_t *obj)
{
	const json_t	*counts = json_object_get(obj, "counts");
	const json_t	*list = json_object_get(obj, "agents"), *a;
	size_t		 i;
	double		 d;

	if (json_is_object(counts)) {
		s->have_agents = 1;
		for (i = 0; i < WM_NSTATES; i++) {
			d = wm_num(counts, wm_states[i]);
			s->agents[i] = isfinite(d) && d >= 0 ? d : 0;
		}
	}
	if (m->wc->per_agent && json_is_array(list))
		json_array_foreach(list, i, a)
			wm_agent_state(m, s, wm_str(a, "agent"),
			    wm_str(a, "state"));
}

static double
wm_stat(const json_t *obj, const char *a, const char *b)
{
	const json_t	*o = b != NULL ? json_object_get(obj, a) : obj;

	return (wm_secs(o, b != NULL ? b : a));
}

static void
wm_stats(struct wm_site *s, const json_t *obj)
{
	s->have_stats = 1;
	s->packets = wm_stat(obj, "packets", NULL);
	s->pcap_drops = wm_stat(obj, "pcap_drops", NULL);
	s->pcap_ifdrops = wm_stat(obj, "pcap_ifdrops", NULL);
	s->parse_errors = wm_stat(obj, "sip", "parse_errors");
	s->legs_open = wm_stat(obj, "legs", "open");
	s->legs_evicted = wm_stat(obj, "legs", "evicted");
	s->contacts_open = wm_stat(obj, "contacts", "open");
	s->agent_unmatched = wm_stat(obj, "contacts", "agent_unmatched");
	s->zmq_dropped = wm_stat(obj, "publish", "zmq_dropped");
}

int
wmetrics_feed(struct wmetrics *m, const char *topic, const json_t *obj,
    int64_t now_ms)
{
	struct wm_site	*s;
	struct wm_queue	*q;
	const char	*type = wm_str(obj, "type"), *site;
	double		 thr;

	if (type == NULL || strncmp(topic, type, strlen(type)) != 0)
		return (-1);
	/* A site that is no label value is no daemon's (DESIGN.md 8). */
	site = wm_str(obj, "site");
	if (json_object_get(obj, "site") != NULL &&
	    (site == NULL || !wm_name_ok(site))) {
		m->bad_names++;
		return (-1);
	}
	if ((s = wm_site(m, wmetrics_site_of(obj))) == NULL)
		return (0);
	wm_health(s, obj, now_ms);
	if (strncmp(type, "call.", 5) == 0)
		wm_call(m, s, type, obj);
	else if (strcmp(type, "rt.queue") == 0)
		wm_rt_queue(m, s, obj);
	else if (strcmp(type, "rt.agents") == 0)
		wm_rt_agents(m, s, obj);
	else if (strcmp(type, "agent.state") == 0)
		wm_agent_state(m, s, wm_str(obj, "agent"),
		    wm_str(obj, "state"));
	else if (strcmp(type, "stats") == 0)
		wm_stats(s, obj);
	else if (strcmp(type, "interval.queue") == 0) {
		/* The daemon's own service-level threshold of the queue. */
		thr = wm_num(obj, "sl_threshold_s");
		if ((q = wm_queue(m, s, obj)) != NULL && isfinite(thr) &&
		    thr >= 0 && thr <= 86400)
			q->sl_threshold_s = (int)thr;
	}
	return (0);
}

/* ---- exposition ---- */

static void
wm_family(struct wbuf *b, const char *name, const char *type, const char *help)
{
	wbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A float as Prometheus reads it: integers without a point. */
static void
wm_value(struct wbuf *b, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		wbuf_printf(b, " %.0f\n", v);
	else
		wbuf_printf(b, " %.17g\n", v);
}

struct wm_qcounter {
	const char	*name;
	const char	*help;
	size_t		 off;
	int		 seconds;	/* a double, else a uint64_t */
};

#define QC(f)	offsetof(struct wm_queue, f)
static const struct wm_qcounter wm_qcounters[] = {
	{ "ccmetrics_calls_offered_total", "Calls offered to the queue "
	  "(call.arrive).", QC(offered), 0 },
	{ "ccmetrics_calls_answered_total", "Calls answered (call.answer).",
	  QC(answered), 0 },
	{ "ccmetrics_calls_answered_within_sl_total", "Calls answered with "
	  "wait_s <= the queue's sl_threshold_s (call.answer).",
	  QC(within_sl), 0 },
	{ "ccmetrics_calls_abandoned_total", "Calls abandoned, short abandons "
	  "excluded (call.abandon).", QC(abandoned), 0 },
	{ "ccmetrics_calls_short_abandoned_total", "Calls abandoned within "
	  "short_abandon_s (call.abandon).", QC(short_ab), 0 },
	{ "ccmetrics_calls_blocked_total", "Calls the PBX rejected before "
	  "queueing (call.end).", QC(blocked), 0 },
	{ "ccmetrics_calls_timeouts_total", "Unanswered calls the PBX ended "
	  "(call.end).", QC(timeouts), 0 },
	{ "ccmetrics_calls_repeat_total", "Calls from a caller seen within "
	  "repeat_window_s (call.arrive).", QC(repeats), 0 },
	{ "ccmetrics_rona_total", "Agent legs that rang without answer "
	  "(call.end).", QC(rona), 0 },
	{ "ccmetrics_transfers_total", "REFERs accepted (call.transfer).",
	  QC(transfers), 0 },
	{ "ccmetrics_holds_total", "Holds on answered agent legs (call.end).",
	  QC(holds), 0 },
	{ "ccmetrics_handled_total", "Agent segments: answered agent legs "
	  "(call.end agents).", QC(handled), 0 },
	{ "ccmetrics_handle_seconds_total", "Handle time of the agent "
	  "segments (call.end).", QC(handle_s), 1 },
	{ "ccmetrics_talk_seconds_total", "Talk time: handle time less hold "
	  "(call.end).", QC(talk_s), 1 },
	{ "ccmetrics_hold_seconds_total", "Hold time within agent segments "
	  "(call.end).", QC(hold_s), 1 },
};

static void
wm_render_queue_counters(struct wmetrics *m, struct wbuf *b)
{
	const struct wm_qcounter *c;
	struct wm_site		*s;
	struct wm_queue		*q;
	size_t			 i, j, k;
	double			 v;

	for (k = 0; k < nitems(wm_qcounters); k++) {
		c = &wm_qcounters[k];
		wm_family(b, c->name, "counter", c->help);
		for (i = 0; i < m->nsites; i++) {
			s = m->sites[i];
			for (j = 0; j < s->nqueues; j++) {
				q = s->queues[j];
				v = c->seconds ?
				    *(double *)((char *)q + c->off) :
				    (double)*(uint64_t *)((char *)q + c->off);
				wbuf_printf(b, "%s{site=\"%s\",queue=\"%s\"}",
				    c->name, s->name, q->name);
				wm_value(b, v);
			}
		}
	}
}

static void
wm_render_hist(struct wmetrics *m, struct wbuf *b)
{
	static const char name[] = "ccmetrics_wait_seconds";
	struct wm_site	*s;
	struct wm_queue	*q;
	uint64_t	 cum;
	size_t		 i, j, o, e;

	wm_family(b, name, "histogram", "Wait from arrival, by outcome: "
	    "answered (call.answer), abandoned and short_abandoned "
	    "(call.abandon), timeout (call.end).");
	for (i = 0; i < m->nsites; i++) {
		s = m->sites[i];
		for (j = 0; j < s->nqueues; j++) {
			q = s->queues[j];
			for (o = 0; o < WM_NOUT; o++) {
				cum = 0;
				for (e = 0; e < WM_BUCKETS; e++) {
					cum += q->hist[o][e];
					wbuf_printf(b, "%s_bucket{site=\"%s\","
					    "queue=\"%s\",outcome=\"%s\",le=\"",
					    name, s->name, q->name,
					    wm_outcome_names[o]);
					if (e < nitems(wm_edges))
						wbuf_printf(b, "%g\"} %llu\n",
						    wm_edges[e],
						    (unsigned long long)cum);
					else
						wbuf_printf(b, "+Inf\"} %llu\n",
						    (unsigned long long)cum);
				}
				wbuf_printf(b, "%s_sum{site=\"%s\",queue=\"%s\","
				    "outcome=\"%s\"}", name, s->name, q->name,
				    wm_outcome_names[o]);
				wm_value(b, q->hist_sum[o]);
				wbuf_printf(b, "%s_count{site=\"%s\",queue="
				    "\"%s\",outcome=\"%s\"} %llu\n", name,
				    s->name, q->name, wm_outcome_names[o],
				    (unsigned long long)cum);
			}
		}
	}
}

struct wm_qgauge {
	const char	*name;
	const char	*help;
	size_t		 off;
};

static const struct wm_qgauge wm_qgauges[] = {
	{ "ccmetrics_queue_waiting", "Callers waiting now (rt.queue).",
	  QC(waiting) },
	{ "ccmetrics_queue_longest_wait_seconds", "Wait of the oldest caller "
	  "waiting now (rt.queue).", QC(longest_wait_s) },
	{ "ccmetrics_queue_talking", "Answered agent legs up and not on hold "
	  "(rt.queue).", QC(talking) },
	{ "ccmetrics_queue_on_hold", "Answered agent legs on hold now "
	  "(rt.queue).", QC(on_hold) },
};

static void
wm_render_queue_gauges(struct wmetrics *m, struct wbuf *b)
{
	struct wm_site	*s;
	struct wm_queue	*q;
	size_t		 i, j, k;

	for (k = 0; k < nitems(wm_qgauges); k++) {
		wm_family(b, wm_qgauges[k].name, "gauge", wm_qgauges[k].help);
		for (i = 0; i < m->nsites; i++) {
			s = m->sites[i];
			for (j = 0; j < s->nqueues; j++) {
				q = s->queues[j];
				if (!q->have_rt)
					continue;
				wbuf_printf(b, "%s{site=\"%s\",queue=\"%s\"}",
				    wm_qgauges[k].name, s->name, q->name);
				wm_value(b, *(double *)((char *)q +
				    wm_qgauges[k].off));
			}
		}
	}
	wm_family(b, "ccmetrics_queue_agents", "gauge", "Member agents of the "
	    "queue by state now (rt.queue agents_*); staffed is every state "
	    "but logged_out and unknown.");
	for (i = 0; i < m->nsites; i++) {
		s = m->sites[i];
		for (j = 0; j < s->nqueues; j++) {
			q = s->queues[j];
			for (k = 0; q->have_agents && k < WM_NQAGENTS; k++) {
				wbuf_printf(b, "ccmetrics_queue_agents{site="
				    "\"%s\",queue=\"%s\",state=\"%s\"}",
				    s->name, q->name, wm_queue_agents[k]);
				wm_value(b, q->agents[k]);
			}
		}
	}
}

struct wm_sgauge {
	const char	*name;
	const char	*type;
	const char	*help;
	size_t		 off;
};

#define SC(f)	offsetof(struct wm_site, f)
static const struct wm_sgauge wm_sstats[] = {
	{ "ccmetrics_packets_total", "counter", "Packets captured after the "
	  "filter (stats.packets).", SC(packets) },
	{ "ccmetrics_capture_drops_total", "counter", "Packets the kernel "
	  "dropped for want of buffer (stats.pcap_drops).", SC(pcap_drops) },
	{ "ccmetrics_capture_ifdrops_total", "counter", "Packets the interface "
	  "dropped (stats.pcap_ifdrops).", SC(pcap_ifdrops) },
	{ "ccmetrics_parse_errors_total", "counter", "SIP payloads libosip2 "
	  "could not parse (stats.sip.parse_errors).", SC(parse_errors) },
	{ "ccmetrics_legs_evicted_total", "counter", "Legs evicted at "
	  "limits.max_legs (stats.legs.evicted).", SC(legs_evicted) },
	{ "ccmetrics_agent_legs_unmatched_total", "counter", "Agent legs no "
	  "correlation rule tied to a call "
	  "(stats.contacts.agent_unmatched).", SC(agent_unmatched) },
	{ "ccmetrics_publish_dropped_total", "counter", "ZeroMQ messages no "
	  "subscriber received (stats.publish.zmq_dropped).", SC(zmq_dropped) },
	{ "ccmetrics_open_legs", "gauge", "Legs up now (stats.legs.open).",
	  SC(legs_open) },
	{ "ccmetrics_open_contacts", "gauge", "Calls not final now "
	  "(stats.contacts.open).", SC(contacts_open) },
};

static void
wm_render_sites(struct wmetrics *m, struct wbuf *b, int64_t now_ms)
{
	struct wm_site	*s;
	struct wm_agent	*a;
	size_t		 i, k, j;
	int64_t		 age;

	for (k = 0; k < nitems(wm_sstats); k++) {
		wm_family(b, wm_sstats[k].name, wm_sstats[k].type,
		    wm_sstats[k].help);
		for (i = 0; i < m->nsites; i++) {
			s = m->sites[i];
			if (!s->have_stats)
				continue;
			wbuf_printf(b, "%s{site=\"%s\"}", wm_sstats[k].name,
			    s->name);
			wm_value(b, *(double *)((char *)s + wm_sstats[k].off));
		}
	}
	wm_family(b, "ccmetrics_agents", "gauge", "Agents by state now "
	    "(rt.agents counts).");
	for (i = 0; i < m->nsites; i++) {
		s = m->sites[i];
		for (k = 0; s->have_agents && k < WM_NSTATES; k++) {
			wbuf_printf(b, "ccmetrics_agents{site=\"%s\",state="
			    "\"%s\"}", s->name, wm_states[k]);
			wm_value(b, s->agents[k]);
		}
	}
	if (m->wc->per_agent) {
		wm_family(b, "ccmetrics_agent_state", "gauge", "1 for the "
		    "agent's state now, 0 for the others (agent.state, "
		    "rt.agents; metrics.per_agent).");
		for (i = 0; i < m->nsites; i++) {
			s = m->sites[i];
			for (j = 0; j < s->nagents; j++) {
				a = s->agentv[j];
				for (k = 0; k < WM_NSTATES; k++)
					wbuf_printf(b, "ccmetrics_agent_state"
					    "{site=\"%s\",agent=\"%s\",state="
					    "\"%s\"} %d\n", s->name, a->id,
					    wm_states[k], a->state == (int)k);
			}
		}
	}
	wm_family(b, "ccmetrics_feed_up", "gauge", "1 when the site's feed "
	    "sent an object within metrics.feed_timeout_s.");
	for (i = 0; i < m->nsites; i++) {
		s = m->sites[i];
		wbuf_printf(b, "ccmetrics_feed_up{site=\"%s\"} %d\n", s->name,
		    now_ms - s->last_ms <=
		    (int64_t)m->wc->feed_timeout_s * 1000);
	}
	wm_family(b, "ccmetrics_feed_last_message_age_seconds", "gauge",
	    "Seconds since the site's last object.");
	for (i = 0; i < m->nsites; i++) {
		s = m->sites[i];
		age = now_ms - s->last_ms;
		wbuf_printf(b, "ccmetrics_feed_last_message_age_seconds{site="
		    "\"%s\"}", s->name);
		wm_value(b, (double)(age > 0 ? age : 0) / 1000.0);
	}
	wm_family(b, "ccmetrics_feed_messages_total", "counter", "Objects "
	    "received from the site.");
	for (i = 0; i < m->nsites; i++)
		wbuf_printf(b, "ccmetrics_feed_messages_total{site=\"%s\"} "
		    "%llu\n", m->sites[i]->name,
		    (unsigned long long)m->sites[i]->messages);
	wm_family(b, "ccmetrics_feed_sequence_gaps_total", "counter",
	    "Objects the site published that never arrived (gaps in seq).");
	for (i = 0; i < m->nsites; i++)
		wbuf_printf(b, "ccmetrics_feed_sequence_gaps_total{site="
		    "\"%s\"} %llu\n", m->sites[i]->name,
		    (unsigned long long)m->sites[i]->gaps);
	wm_family(b, "ccmetrics_feed_restarts_total", "counter", "Times the "
	    "site's daemon restarted (a new boot id).");
	for (i = 0; i < m->nsites; i++)
		wbuf_printf(b, "ccmetrics_feed_restarts_total{site=\"%s\"} "
		    "%llu\n", m->sites[i]->name,
		    (unsigned long long)m->sites[i]->restarts);
}

static void
wm_self(struct wbuf *b, const char *name, const char *type, const char *help,
    uint64_t v)
{
	wm_family(b, name, type, help);
	wbuf_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

static void
wm_render_self(struct wmetrics *m, const struct wmetrics_self *st,
    struct wbuf *b)
{
	wm_self(b, "ccmetrics_web_messages_total", "counter",
	    "Feed objects received.", st->messages);
	wm_self(b, "ccmetrics_web_bad_messages_total", "counter",
	    "Feed messages that are no topic and ccmetricsd JSON object, "
	    "or too large.", st->bad_messages + st->oversize);
	wm_self(b, "ccmetrics_web_dropped_series_total", "counter",
	    "Sites, queues or agents not tracked: past limits.max_*, or a "
	    "name that is no label value ([A-Za-z0-9_.+-], under 64 bytes).",
	    m->dropped_sites + m->dropped_queues + m->dropped_agents +
	    m->bad_names);
	wm_self(b, "ccmetrics_web_sse_clients", "gauge",
	    "Server-Sent Events clients connected now.", st->sse_clients);
	wm_self(b, "ccmetrics_web_sse_connects_total", "counter",
	    "Server-Sent Events connections accepted.", st->sse_connects);
	wm_self(b, "ccmetrics_web_sse_cut_off_total", "counter",
	    "Server-Sent Events clients cut off: too slow to read "
	    "(limits.client_buffer_bytes).", st->sse_cut);
	wm_self(b, "ccmetrics_web_http_refused_total", "counter",
	    "Connections or requests refused: past limits.max_clients, "
	    "event streams past their share, /metrics bytes in flight.",
	    st->http_refused);
	wm_self(b, "ccmetrics_web_http_idle_closed_total", "counter",
	    "Connections closed while waiting for a request: none whole "
	    "within 10 s, or the oldest such made room for a new one.",
	    st->http_idle_closed);
	wm_self(b, "ccmetrics_web_feed_resets_total", "counter",
	    "Feed connections ZeroMQ gave up (an object larger than "
	    "limits.max_message_bytes, or a bad frame), connected anew.",
	    st->feed_resets);
	wm_self(b, "ccmetrics_web_ring_events", "gauge",
	    "Events kept for reconnecting clients.", st->ring_events);
	wm_self(b, "ccmetrics_web_ring_bytes", "gauge",
	    "Bytes those events hold.", st->ring_bytes);
	wm_self(b, "ccmetrics_web_scrapes_total", "counter",
	    "Scrapes of /metrics served.", st->scrapes);
}

void
wmetrics_render(struct wmetrics *m, const struct wmetrics_self *st,
    struct wbuf *b, int64_t now_ms)
{
	wm_render_queue_counters(m, b);
	wm_render_hist(m, b);
	wm_render_queue_gauges(m, b);
	wm_render_sites(m, b, now_ms);
	wm_render_self(m, st, b);
}

void
wmetrics_free(struct wmetrics *m)
{
	struct wm_site	*s;
	size_t		 i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->nsites; i++) {
		s = m->sites[i];
		for (j = 0; j < s->nqueues; j++)
			free(s->queues[j]);
		for (j = 0; j < s->nagents; j++)
			free(s->agentv[j]);
		free(s->queues);
		free(s->agentv);
		strmap_free(s->qmap);
		strmap_free(s->amap);
		free(s);
	}
	free(m->sites);
	strmap_free(m->smap);
	free(m);
}
