/* SPDX-License-Identifier: BSD-2-Clause */
/* pipeline.c: creates the stages downstream-first, wires their sinks, runs their clock. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/agent.h"
#include "ccmetrics/capture.h"
#include "ccmetrics/conf.h"
#include "ccmetrics/contact.h"
#include "ccmetrics/decode.h"
#include "ccmetrics/heplisten.h"
#include "ccmetrics/interval.h"
#include "ccmetrics/leg.h"
#include "ccmetrics/log.h"
#include "ccmetrics/pipeline.h"
#include "ccmetrics/publish.h"
#include "ccmetrics/record.h"
#include "ccmetrics/sip.h"
#include "ccmetrics/xmalloc.h"

#define US_PER_S	1000000LL
#define TICK_US		US_PER_S	/* expiry granularity */

struct pipeline {
	const struct config		*cfg;	/* the caller's */
	struct capture			*cap;	/* the caller's, for stats */
	struct hep_listener		*hep;	/* the caller's, for stats */
	const struct timegate_stats	*time;	/* the caller's, for stats */
	struct decoder			*dec;
	struct sip_parser		*sip;
	struct leg_table		*legs;
	struct contact_table		*contacts;
	struct agent_table		*agents;
	struct interval_stage		*intervals;
	struct publisher		*pub;
	int64_t				 now_us;	/* packet time */
	int64_t				 next_tick_us;
	int64_t				 next_stats_us;
};

static void
on_interval(const struct interval_record *r, void *arg)
{
	struct pipeline	*pl = arg;

	record_interval(pl->pub, r);
}

static void
on_agent(const struct agent_event *ev, void *arg)
{
	struct pipeline	*pl = arg;

	interval_agent_input(pl->intervals, ev);
	record_agent_event(pl->pub, ev);
}

static void
on_counts(void *arg, const char *queue, struct agent_counts *out)
{
	struct pipeline	*pl = arg;

	agent_queue_counts(pl->agents, queue, out);
}

static void
on_contact(const struct contact_event *ev, void *arg)
{
	struct pipeline	*pl = arg;

	agent_contact_input(pl->agents, ev);
	interval_input(pl->intervals, ev);
	record_contact_event(pl->pub, ev);
}

/* The agent stage sees a leg's event before the contact stage acts on it. */
static void
on_leg(const struct leg_event *ev, void *arg)
{
	struct pipeline	*pl = arg;

	agent_leg_input(pl->agents, ev);
	contact_input(pl->contacts, ev);
}

/* REGISTERs and feature codes stop at the agent stage (DESIGN.md 7). */
static void
on_sip(const struct sip_msg *m, void *arg)
{
	struct pipeline	*pl = arg;

	if (agent_sip_input(pl->agents, m))
		return;
	leg_input(pl->legs, m);
}

static void
on_payload(const struct payload *p, void *arg)
{
	struct pipeline	*pl = arg;

	sipmsg_input(pl->sip, p);
}

struct pipeline *
pipeline_create(const struct config *cfg, int line_buffered, char *err,
    size_t errlen)
{
	struct pipeline	*pl;

	pl = xcalloc(1, sizeof *pl);
	pl->cfg = cfg;
	/* Downstream first, so each stage has its sink when it starts. */
	if ((pl->pub = publish_create(cfg, line_buffered, err, errlen)) ==
	    NULL) {
		free(pl);
		return (NULL);
	}
	pl->intervals = interval_create(cfg, on_interval, pl);
	interval_set_agent_counts(pl->intervals, on_counts, pl);
	pl->agents = agent_create(cfg, on_agent, pl);
	pl->contacts = contact_create(cfg, on_contact, pl);
	pl->legs = leg_create(cfg, on_leg, pl);
	leg_set_binding(pl->legs, agent_binding, pl->agents);
	pl->sip = sipmsg_create(cfg->corr_headers, cfg->ncorr_headers, on_sip,
	    pl);
	pl->dec = decode_create(cfg->sip_ports, cfg->nsip_ports, on_payload,
	    pl);
	decode_set_hep_ports(pl->dec, cfg->hep_ports, cfg->nhep_ports);
	return (pl);
}

void
pipeline_set_sources(struct pipeline *pl, struct capture *cap,
    struct hep_listener *hep, const struct timegate_stats *time)
{
	pl->cap = cap;
	pl->hep = hep;
	pl->time = time;
}

void
pipeline_start(struct pipeline *pl, int64_t now_us)
{
	agent_start(pl->agents, now_us);
}

void
pipeline_set_config(struct pipeline *pl, const struct config *cfg)
{
	sipmsg_set_headers(pl->sip, cfg->corr_headers, cfg->ncorr_headers);
	decode_set_hep_ports(pl->dec, cfg->hep_ports, cfg->nhep_ports);
	leg_set_config(pl->legs, cfg);
	contact_set_config(pl->contacts, cfg);
	agent_set_config(pl->agents, cfg);
	interval_set_config(pl->intervals, cfg);
	publish_set_config(pl->pub, cfg);
	pl->cfg = cfg;
}

void
pipeline_get_counters(const struct pipeline *pl, struct record_counters *rc)
{
	memset(rc, 0, sizeof *rc);
	if (pl->cap != NULL)
		capture_get_stats(pl->cap, &rc->capture);
	rc->decode = decode_get_stats(pl->dec);
	rc->hep_listen = pl->hep != NULL ? heplisten_get_stats(pl->hep) : NULL;
	rc->sip = sipmsg_get_stats(pl->sip);
	rc->leg = leg_get_stats(pl->legs);
	rc->contact = contact_get_stats(pl->contacts);
	rc->interval = interval_get_stats(pl->intervals);
	rc->agent = agent_get_stats(pl->agents);
	rc->publish = publish_get_stats(pl->pub);
	rc->time = pl->time;
}

static void
publish_stats(struct pipeline *pl)
{
	struct record_counters	rc;

	pipeline_get_counters(pl, &rc);
	record_stats(pl->pub, pl->now_us, &rc);
}

/* Everything that runs on packet time: intervals, expiry, stats. */
void
pipeline_tick(struct pipeline *pl, int64_t now_us)
{
	int64_t	stats_us = (int64_t)pl->cfg->realtime_s * US_PER_S;

	pl->now_us = now_us;
	/* BYEs that waited in vain for a response end their legs first. */
	leg_settle(pl->legs, now_us);
	/* Agents' changes of earlier times and their timed changes, then
	   intervals past end + grace close, before the packet's events. */
	agent_advance(pl->agents, now_us);
	interval_advance(pl->intervals, now_us);
	if (pl->next_tick_us == 0) {
		publish_observed(pl->pub, now_us, 0);
		pl->next_tick_us = now_us + TICK_US;
		pl->next_stats_us = (now_us / stats_us + 1) * stats_us;
		return;
	}
	if (now_us < pl->next_tick_us)
		return;
	pl->next_tick_us = now_us + TICK_US;
	/* Held TCP messages first, so legs see them before expiring. */
	decode_expire(pl->dec, now_us);
	leg_expire(pl->legs, now_us);
	contact_expire(pl->contacts, now_us);
	log_tick();
	if (now_us >= pl->next_stats_us) {
		publish_stats(pl);
		pl->next_stats_us = (now_us / stats_us + 1) * stats_us;
	}
	publish_drain(pl->pub);
}

void
pipeline_packet(struct pipeline *pl, const struct capture_packet *pkt)
{
	decode_packet(pl->dec, pkt);
}

void
pipeline_payload(struct pipeline *pl, const struct payload *p)
{
	sipmsg_input(pl->sip, p);
}

void
pipeline_drain(struct pipeline *pl)
{
	publish_drain(pl->pub);
}

int
pipeline_await_subscribers(struct pipeline *pl, int n, int timeout_ms)
{
	return (publish_await_subscribers(pl->pub, n, timeout_ms));
}

/* Close what is open: TCP held after holes, calls, then counters. */
void
pipeline_flush(struct pipeline *pl, int64_t now_us)
{
	pl->now_us = now_us;
	decode_flush(pl->dec);
	leg_flush(pl->legs, now_us);
	agent_flush(pl->agents, now_us);
	publish_observed(pl->pub, 0, now_us);
	interval_flush(pl->intervals, now_us);
	publish_stats(pl);
}

void
pipeline_reopen(struct pipeline *pl)
{
	publish_reopen(pl->pub);
}

uint64_t
pipeline_finish(struct pipeline *pl)
{
	return (publish_finish(pl->pub));
}

/* In reverse of creation. */
void
pipeline_free(struct pipeline *pl)
{
	if (pl == NULL)
		return;
	decode_free(pl->dec);
	sipmsg_free(pl->sip);
	leg_free(pl->legs);
	contact_free(pl->contacts);
	agent_free(pl->agents);
	interval_free(pl->intervals);
	publish_free(pl->pub);
	free(pl);
}
