/* SPDX-License-Identifier: BSD-2-Clause */
/* pipeline.h: the stages from decode to publish, created and wired as one. */
#ifndef CCMETRICS_PIPELINE_H
#define CCMETRICS_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/capture.h"
#include "ccmetrics/conf.h"
#include "ccmetrics/heplisten.h"
#include "ccmetrics/payload.h"
#include "ccmetrics/record.h"
#include "ccmetrics/timegate.h"

/*
 * decode -> sip -> leg -> contact -> interval -> record/publish, each
 * stage's sink wired to the next. The caller owns the configuration (it
 * must outlive the pipeline or be replaced by pipeline_set_config()), the
 * capture and the HEP listener, and the packet clock: it passes packet
 * time to pipeline_tick() before each input.
 */
struct pipeline;

/* Downstream first; NULL and a message in err if the publisher fails. */
struct pipeline	*pipeline_create(const struct config *cfg, int line_buffered,
		    char *err, size_t errlen);
/*
 * Where the stats topic takes its capture, HEP and packet-time counters;
 * NULL: none.
 */
void		 pipeline_set_sources(struct pipeline *pl, struct capture *cap,
		    struct hep_listener *hep,
		    const struct timegate_stats *time);
/*
 * Live start-up at wall time now_us: static agents are logged in from it
 * (DESIGN.md 7); a replay starts at its first packet instead.
 */
void		 pipeline_start(struct pipeline *pl, int64_t now_us);
/* Reload: each stage takes what it can change of cfg; open state stays. */
void		 pipeline_set_config(struct pipeline *pl,
		    const struct config *cfg);
/*
 * Packet time has reached now_us: close intervals due and, once a
 * second, expire held TCP data, legs and contacts; publish the stats
 * topic every metrics.realtime_s.
 */
void		 pipeline_tick(struct pipeline *pl, int64_t now_us);
/* A captured frame, into decode. */
void		 pipeline_packet(struct pipeline *pl,
		    const struct capture_packet *pkt);
/* A SIP payload (from decode's peers: the HEP listener, a fuzzer). */
void		 pipeline_payload(struct pipeline *pl, const struct payload *p);
/* Serve ZeroMQ subscriptions and CURVE handshakes. */
void		 pipeline_drain(struct pipeline *pl);
int		 pipeline_await_subscribers(struct pipeline *pl, int n,
		    int timeout_ms);
/* End of input: publish what is still open, then the stats topic. */
void		 pipeline_flush(struct pipeline *pl, int64_t now_us);
/* Every stage's counters, as the stats topic shows them. */
void		 pipeline_get_counters(const struct pipeline *pl,
		    struct record_counters *rc);
/* SIGUSR1 / SIGHUP: reopen the JSON-lines file (log rotation). */
void		 pipeline_reopen(struct pipeline *pl);
/* After the flush: objects the JSON-lines file lost in this run. */
uint64_t	 pipeline_finish(struct pipeline *pl);
void		 pipeline_free(struct pipeline *pl);

#endif
