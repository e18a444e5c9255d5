/* SPDX-License-Identifier: BSD-2-Clause */
/* publish.h: ZeroMQ PUB and JSON-lines output of topics and JSON objects. */
#ifndef CCMETRICS_PUBLISH_H
#define CCMETRICS_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/conf.h"
#include "ccmetrics/jsonw.h"
#include "ccmetrics/natspub.h"

#define PUBLISH_SCHEMA_VERSION	1
#define PUBLISH_BOOT_LEN	16	/* hex digits of a run's boot id */

struct publish_stats {
	uint64_t	sent;		/* objects published */
	uint64_t	zmq_dropped;	/* sent to no subscriber at all */
	uint64_t	zmq_overflows;	/* a subscriber's queue (sndhwm) was
					   full: it began losing messages */
	uint64_t	jsonl_lost;	/* objects the JSON-lines file lacks */
	uint64_t	zmq_refused;	/* subscribers refused: key not allowed,
					   or past max_subscribers */
	uint64_t	zmq_flooded;	/* connections cut: their address
					   sent more than
					   max_subscription_bytes */
	int		nats;		/* publish.nats is on: */
	struct natspub_stats nats_st;	/*   its counters */
};

struct publisher;

/* NULL and a message in err when an endpoint or file cannot be opened. */
struct publisher *publish_create(const struct config *cfg, int line_buffered,
		    char *err, size_t errlen);
/*
 * Publish an object on topic: begin writes the envelope (type, v, seq,
 * ts: the event's packet time, ...) and returns the writer for the
 * object's members (reused, valid until publish_end); publish_end closes
 * and sends the object.
 */
struct jsonw	*publish_begin(struct publisher *pub, const char *type,
		    int64_t ts_us);
void		 publish_end(struct publisher *pub, const char *topic);
/* Wait up to timeout_ms until n subscriptions arrived (offline replay). */
int		 publish_await_subscribers(struct publisher *pub, int n,
		    int timeout_ms);
/* Reopen the JSON-lines file by its path (log rotation). */
void		 publish_reopen(struct publisher *pub);
/* Write what is buffered; the number of objects the JSON-lines file lost. */
uint64_t	 publish_finish(struct publisher *pub);
/*
 * The packet time this run began (from_us, kept once set) and stopped
 * observing (to_us); 0 leaves it. Intervals outside are partial.
 */
void		 publish_observed(struct publisher *pub, int64_t from_us,
		    int64_t to_us);
void		 publish_get_observed(const struct publisher *pub,
		    int64_t *from_us, int64_t *to_us);
/* Reload: the privacy settings; endpoints and keys need a restart. */
void		 publish_set_config(struct publisher *pub,
		    const struct config *cfg);
/*
 * A caller number, or the user part of a SIP URI, as it may leave the
 * daemon under privacy.caller: the input itself or buf (PRIVACY_MAX).
 */
const char	*publish_number(const struct publisher *pub,
		    const char *number, char *buf, size_t len);
const char	*publish_uri(const struct publisher *pub, const char *uri,
		    char *buf, size_t len);
/* Read pending subscription messages so they never pile up; answer the
   ZAP handler's requests. */
void		 publish_drain(struct publisher *pub);
const struct publish_stats *publish_get_stats(struct publisher *pub);
/* Flush and close; queued ZeroMQ messages get a short time to leave. */
void		 publish_free(struct publisher *pub);

#endif
