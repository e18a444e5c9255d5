/* SPDX-License-Identifier: BSD-2-Clause */
/* record.h: the JSON objects of DESIGN.md section 5, built from events. */
#ifndef CCMETRICS_RECORD_H
#define CCMETRICS_RECORD_H

#include "ccmetrics/agent.h"
#include "ccmetrics/capture.h"
#include "ccmetrics/contact.h"
#include "ccmetrics/interval.h"
#include "ccmetrics/publish.h"
#include "ccmetrics/timegate.h"

/* Publish the topic of a contact event, if it has one. */
void	record_contact_event(struct publisher *pub,
	    const struct contact_event *ev);
/* Publish agent.state or rt.agents (DESIGN.md 7). */
void	record_agent_event(struct publisher *pub,
	    const struct agent_event *ev);
/* Publish a closed interval or a real-time snapshot. */
void	record_interval(struct publisher *pub, const struct interval_record *r);

/* The daemon's own counters, gathered by main.c for the stats topic. */
struct record_counters {
	struct capture_stats		 capture;
	const struct decode_stats	*decode;
	const struct hep_stats		*hep_listen;	/* NULL: none */
	const struct sip_stats		*sip;
	const struct leg_stats		*leg;
	const struct contact_stats	*contact;
	const struct interval_stats	*interval;
	const struct agent_stats	*agent;		/* NULL: zeros */
	const struct publish_stats	*publish;
	const struct timegate_stats	*time;		/* NULL: zeros */
};

void	record_stats(struct publisher *pub, int64_t ts_us,
	    const struct record_counters *rc);

#endif
