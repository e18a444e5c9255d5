/* SPDX-License-Identifier: BSD-2-Clause */
/* pipeline-fuzzer.c: a sequence of SIP messages through the daemon's pipeline, sip to record. */
#include "config.h"

#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/conf.h"
#include "ccmetrics/pipeline.h"
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

struct run {
	struct config		*cfg;
	int			 which;		/* 0: A, 1: B */
	struct pipeline		*pl;		/* as main.c's, no capture */
	int64_t			 now_us;
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
reload(struct run *r)
{
	struct record_counters	 rc;
	struct config		*cfg;

	r->which = !r->which;
	cfg = load(r->which);
	pipeline_set_config(r->pl, cfg);
	config_free(r->cfg);
	r->cfg = cfg;
	pipeline_get_counters(r->pl, &rc);
	r->created_at_reload = rc.leg->created;
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
message(struct run *r, int64_t delta_ms, char src, char dst,
    const uint8_t *data, size_t len)
{
	struct record_counters	rc;
	struct payload		pl;

	r->now_us += delta_ms * 1000;
	pipeline_tick(r->pl, r->now_us);
	memset(&pl, 0, sizeof pl);
	pl.ts_us = r->now_us;
	endpoint(&pl.src, src);
	endpoint(&pl.dst, dst);
	pl.transport = DECODE_UDP;
	pl.data = data;
	pl.len = len;
	pipeline_payload(r->pl, &pl);
	/*
	 * limits.max_legs bounds the open legs; a reload to a lower limit
	 * takes effect at the next new leg.
	 */
	pipeline_get_counters(r->pl, &rc);
	if (rc.leg->created > r->created_at_reload &&
	    rc.leg->open > r->cfg->max_legs)
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
run(struct run *r, const uint8_t *data, size_t size)
{
	size_t		i, eol, body;
	int64_t		delta_ms;
	char		src, dst;

	i = next_header(data, size, 0);
	if (i == size) {
		message(r, 0, 't', 'p', data, size);
		return;
	}
	while (i < size) {
		/* "@DELTA_MS SD" or "@R", then the message to the next '@'. */
		for (eol = i; eol < size && data[eol] != '\n'; eol++)
			;
		body = eol < size ? eol + 1 : size;
		if (eol - i >= 2 && data[i + 1] == 'R') {
			reload(r);
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
		message(r, delta_ms, src, dst, data + body, i - body);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 initialised;
	struct record_counters	 rc;
	struct run		 r;
	char			 err[256];

	if (!initialised) {
		sipmsg_global_init();
		print = getenv("PIPELINE_FUZZER_PRINT") != NULL;
		initialised = 1;
	}
	memset(&r, 0, sizeof r);
	r.which = size > 0 && data[0] == '!';
	r.cfg = load(r.which);
	if ((r.pl = pipeline_create(r.cfg, 1, err, sizeof err)) == NULL)
		abort();
	r.now_us = START_US;

	run(&r, data, size);

	/* As main.c at the end of a capture. */
	pipeline_flush(r.pl, r.now_us);
	/* Nothing may stay open once everything was flushed. */
	pipeline_get_counters(r.pl, &rc);
	if (rc.leg->open != 0 || rc.contact->open != 0)
		abort();
	pipeline_free(r.pl);
	config_free(r.cfg);
	return (0);
}
