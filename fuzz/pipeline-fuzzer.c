/* SPDX-License-Identifier: BSD-2-Clause */
/* pipeline-fuzzer.c: a sequence of SIP messages through sip → leg → contact → interval → record. */
#include "config.h"

#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/conf.h"
#include "ccmetrics/contact.h"
#include "ccmetrics/interval.h"
#include "ccmetrics/leg.h"
#include "ccmetrics/publish.h"
#include "ccmetrics/record.h"
#include "ccmetrics/sip.h"

/*
 * Input: messages, each after a line "@DELTA_MS SD" (DELTA_MS: packet
 * time since the previous message in ms, past a day 8 days; S and D: the
 * sending and receiving endpoint, letters below) up to the next line starting with '@'. A line
 * "@R" reloads the configuration, switching to the other one. Input that
 * starts with '!' runs with configuration B, else A. Without any '@'
 * line the whole input is one message from trunk to PBX. Set
 * PIPELINE_FUZZER_PRINT=1 to see the published JSON lines on stdout.
 */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define US_PER_S	1000000LL
#define START_US	1795424400000000LL	/* 2026-11-23T09:00:00Z */
/*
 * A step past a day becomes 8 days: past the 7-day gap that restarts the
 * intervals, without closing (and publishing) thousands of empty ones
 * in between, which would only slow the fuzzing down.
 */
#define DELTA_MS_DAY	86400000LL
#define DELTA_MS_GAP	(8 * DELTA_MS_DAY)

static const struct {
	char		 letter;
	const char	*ip;
} endpoints[] = {
	{ 't', "192.0.2.1" },		/* trunks */
	{ 'u', "192.0.2.2" },
	{ 'p', "10.0.0.10" },		/* the PBX */
	{ 'a', "10.1.0.1" },		/* agent phones */
	{ 'b', "10.1.0.2" },
	{ 'o', "198.51.100.7" },	/* anything else */
};

/* A: header correlation, trunks, unmapped calls ignored, 16 legs, 3 callers. */
static const char config_a[] =
    "pbx: { addresses: [10.0.0.10] }\n"
    "trunks: { addresses: [192.0.2.0/24] }\n"
    "agents: { addresses: [10.1.0.0/16], user_pattern: \"^[0-9]{4}$\" }\n"
    "queues:\n"
    "  - { name: sales, dnis: [\"+18005550100\", \"5100\"] }\n"
    "  - { name: support, dnis: [\"+18005550200\"], sl_threshold_s: 30 }\n"
    "correlation: { headers: [X-CC-Inbound], caller_window_s: 600 }\n"
    "metrics: { interval_s: 900, realtime_s: 5, short_abandon_s: 5,"
    " repeat_window_s: 3600 }\n"
    "limits: { max_legs: 16, max_callers: 3, unanswered_leg_timeout_s: 60,"
    " answered_leg_timeout_s: 600 }\n";
/* B: caller-number correlation, no trunks, a default queue, 2 legs. */
static const char config_b[] =
    "pbx: { addresses: [10.0.0.10] }\n"
    "agents: { addresses: [10.1.0.0/16] }\n"
    "queues:\n"
    "  - { name: sales, dnis: [\"5100\"] }\n"
    "default_queue: sales\n"
    "correlation: { caller_window_s: 7200 }\n"
    "metrics: { interval_s: 300, realtime_s: 1, short_abandon_s: 0,"
    " repeat_window_s: 0 }\n"
    "limits: { max_legs: 2, unanswered_leg_timeout_s: 5,"
    " answered_leg_timeout_s: 10 }\n";

struct pipeline {
	struct config		*cfg;
	int			 which;		/* 0: A, 1: B */
	struct sip_parser	*sip;
	struct leg_table	*legs;
	struct contact_table	*contacts;
	struct interval_stage	*intervals;
	struct publisher	*pub;
	int64_t			 now_us;
	int64_t			 next_tick_us;
	int64_t			 next_stats_us;
	uint64_t		 created_at_reload;
};

static int	print;

static struct config *
load(int which)
{
	char		 text[2048];
	struct config	*cfg;

	snprintf(text, sizeof text, "%spublish: { zmq: ~%s }\n",
	    which ? config_b : config_a,
	    print ? ", jsonl: { path: \"-\" }" : "");
	if ((cfg = config_load_string("pipeline-fuzzer", text, stderr)) ==
	    NULL)
		abort();
	return (cfg);
}

static void
on_interval(const struct interval_record *r, void *arg)
{
	struct pipeline	*p = arg;

	record_interval(p->pub, r);
}

static void
on_contact(const struct contact_event *ev, void *arg)
{
	struct pipeline	*p = arg;

	interval_input(p->intervals, ev);
	record_contact_event(p->pub, ev);
}

static void
on_leg(const struct leg_event *ev, void *arg)
{
	struct pipeline	*p = arg;

	contact_input(p->contacts, ev);
}

static void
on_sip(const struct sip_msg *m, void *arg)
{
	struct pipeline	*p = arg;

	leg_input(p->legs, m);
}

static void
publish_stats(struct pipeline *p)
{
	static const struct decode_stats	no_decode;
	struct record_counters			rc;

	memset(&rc, 0, sizeof rc);
	rc.sip = sipmsg_get_stats(p->sip);
	rc.leg = leg_get_stats(p->legs);
	rc.contact = contact_get_stats(p->contacts);
	rc.interval = interval_get_stats(p->intervals);
	rc.publish = publish_get_stats(p->pub);
	rc.decode = &no_decode;		/* not part of this pipeline */
	record_stats(p->pub, p->now_us, &rc);
}

/* As main.c's tick(): intervals, expiry once a second, stats. */
static void
tick(struct pipeline *p)
{
	int64_t	stats_us = (int64_t)p->cfg->realtime_s * US_PER_S;

	interval_advance(p->intervals, p->now_us);
	if (p->next_tick_us == 0) {
		p->next_tick_us = p->now_us + US_PER_S;
		p->next_stats_us = (p->now_us / stats_us + 1) * stats_us;
		return;
	}
	if (p->now_us < p->next_tick_us)
		return;
	p->next_tick_us = p->now_us + US_PER_S;
	leg_expire(p->legs, p->now_us);
	contact_expire(p->contacts, p->now_us);
	if (p->now_us >= p->next_stats_us) {
		publish_stats(p);
		p->next_stats_us = (p->now_us / stats_us + 1) * stats_us;
	}
}

static void
reload(struct pipeline *p)
{
	struct config	*cfg;

	p->which = !p->which;
	cfg = load(p->which);
	sipmsg_set_headers(p->sip, cfg->corr_headers, cfg->ncorr_headers);
	leg_set_config(p->legs, cfg);
	contact_set_config(p->contacts, cfg);
	interval_set_config(p->intervals, cfg);
	config_free(p->cfg);
	p->cfg = cfg;
	p->created_at_reload = leg_get_stats(p->legs)->created;
}

static void
endpoint(struct endpoint *ep, char letter)
{
	size_t	i, n = sizeof endpoints / sizeof endpoints[0];

	for (i = 0; i < n - 1 && endpoints[i].letter != letter; i++)
		;
	memset(ep, 0, sizeof *ep);
	if (addr_parse(endpoints[i].ip, &ep->ip) == -1)
		abort();
	ep->port = 5060;
}

static void
message(struct pipeline *p, int64_t delta_ms, char src, char dst,
    const uint8_t *data, size_t len)
{
	const struct leg_stats	*st;
	struct payload		 pl;

	p->now_us += delta_ms * 1000;
	tick(p);
	memset(&pl, 0, sizeof pl);
	pl.ts_us = p->now_us;
	endpoint(&pl.src, src);
	endpoint(&pl.dst, dst);
	pl.transport = DECODE_UDP;
	pl.data = data;
	pl.len = len;
	sipmsg_input(p->sip, &pl);
	/*
	 * limits.max_legs bounds the open legs; a reload to a lower limit
	 * takes effect at the next new leg.
	 */
	st = leg_get_stats(p->legs);
	if (st->created > p->created_at_reload && st->open > p->cfg->max_legs)
		abort();
}

/* The next line starting with '@' at or after i, or size. */
static size_t
next_header(const uint8_t *data, size_t size, size_t i)
{
	const uint8_t	*at;

	for (;;) {
		if (i >= size)
			return (size);
		if (data[i] == '@' && (i == 0 || data[i - 1] == '\n'))
			return (i);
		if ((at = memchr(data + i, '\n', size - i)) == NULL)
			return (size);
		i = (size_t)(at - data) + 1;
	}
}

static void
run(struct pipeline *p, const uint8_t *data, size_t size)
{
	size_t		i, eol, body;
	int64_t		delta_ms;
	char		src, dst;

	i = next_header(data, size, 0);
	if (i == size) {
		message(p, 0, 't', 'p', data, size);
		return;
	}
	while (i < size) {
		/* "@DELTA_MS SD" or "@R", then the message to the next '@'. */
		for (eol = i; eol < size && data[eol] != '\n'; eol++)
			;
		body = eol < size ? eol + 1 : size;
		if (eol - i >= 2 && data[i + 1] == 'R') {
			reload(p);
			i = next_header(data, size, body);
			continue;
		}
		delta_ms = 0;
		for (i++; i < eol && data[i] >= '0' && data[i] <= '9'; i++)
			if ((delta_ms = delta_ms * 10 + (data[i] - '0')) >
			    DELTA_MS_DAY)
				delta_ms = DELTA_MS_GAP;
		if (i < eol && data[i] == ' ')
			i++;
		src = i < eol ? (char)data[i] : 't';
		dst = i + 1 < eol ? (char)data[i + 1] : 'p';
		i = next_header(data, size, body);
		message(p, delta_ms, src, dst, data + body, i - body);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 initialised;
	struct pipeline	 p;
	char		 err[256];

	if (!initialised) {
		sipmsg_global_init();
		print = getenv("PIPELINE_FUZZER_PRINT") != NULL;
		initialised = 1;
	}
	memset(&p, 0, sizeof p);
	p.which = size > 0 && data[0] == '!';
	p.cfg = load(p.which);
	if ((p.pub = publish_create(p.cfg, 1, err, sizeof err)) == NULL)
		abort();
	p.intervals = interval_create(p.cfg, on_interval, &p);
	p.contacts = contact_create(p.cfg, on_contact, &p);
	p.legs = leg_create(p.cfg, on_leg, &p);
	p.sip = sipmsg_create(p.cfg->corr_headers, p.cfg->ncorr_headers,
	    on_sip, &p);
	p.now_us = START_US;

	run(&p, data, size);

	/* As main.c at the end of a capture. */
	leg_flush(p.legs, p.now_us);
	interval_flush(p.intervals, p.now_us);
	publish_stats(&p);
	/* Nothing may stay open once everything was flushed. */
	if (leg_get_stats(p.legs)->open != 0 ||
	    contact_get_stats(p.contacts)->open != 0)
		abort();
	sipmsg_free(p.sip);
	leg_free(p.legs);
	contact_free(p.contacts);
	interval_free(p.intervals);
	publish_free(p.pub);
	config_free(p.cfg);
	return (0);
}
