/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * webmetrics.h: what ccmetrics-web counts from the feeds and serves on
 * /metrics in the Prometheus text exposition format (docs/web.md).
 */
#ifndef CCMETRICS_WEBMETRICS_H
#define CCMETRICS_WEBMETRICS_H

#include <stdint.h>

#include <jansson.h>

#include "ccmetrics/wbuf.h"
#include "ccmetrics/webconf.h"

/* The site of an object that carries none (a daemon before DESIGN 8). */
#define WMETRICS_DEFAULT_SITE	"default"

/* ccmetrics-web's own numbers, rendered with the rest. */
struct wmetrics_self {
	uint64_t	 messages;	/* feed objects taken */
	uint64_t	 bad_messages;	/* not a topic and a JSON object */
	uint64_t	 oversize;	/* over limits.max_message_bytes */
	uint64_t	 sse_clients;	/* now */
	uint64_t	 sse_connects;
	uint64_t	 sse_cut;	/* slow clients cut off */
	uint64_t	 http_refused;	/* past limits.max_clients */
	uint64_t	 http_idle_closed; /* no request in time, or room made */
	uint64_t	 feed_resets;	/* connections ZeroMQ gave up, made anew */
	uint64_t	 ring_events;	/* now */
	uint64_t	 ring_bytes;	/* now */
	uint64_t	 scrapes;
};

struct wmetrics;

struct wmetrics	*wmetrics_create(const struct webconf *);
/*
 * One feed object: its topic and parsed body, at now_ms (monotonic
 * milliseconds, for the feed health gauges). 0, or -1 when it is not a
 * ccmetricsd object (counted in self->bad_messages by the caller).
 */
int		 wmetrics_feed(struct wmetrics *, const char *topic,
		    const json_t *obj, int64_t now_ms);
/* The whole exposition, appended to out. */
void		 wmetrics_render(struct wmetrics *, const struct wmetrics_self *,
		    struct wbuf *out, int64_t now_ms);
/* The site of an object: its "site", else WMETRICS_DEFAULT_SITE. */
const char	*wmetrics_site_of(const json_t *obj);
void		 wmetrics_free(struct wmetrics *);

#endif
