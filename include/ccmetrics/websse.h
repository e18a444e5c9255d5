/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * websse.h: the Server-Sent Events of ccmetrics-web: a bounded ring of the
 * events (rt.*, agent.state, interval.*) and the clients reading it. A
 * client is a cursor into the ring, so memory does not grow with clients.
 */
#ifndef CCMETRICS_WEBSSE_H
#define CCMETRICS_WEBSSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ccmetrics/webconf.h"

#define SSE_MAX_PREFIXES	16
#define SSE_PREFIX_MAX		128

struct sse;
struct sse_client;

/*
 * What the HTTP layer does to a client's connection: wake one that waits
 * for data (resume it), or cut one off (close its socket).
 */
struct sse_hooks {
	void	(*wake)(void *conn);
	void	(*cut)(void *conn);
};

struct sse_stats {
	uint64_t	 clients;	/* now */
	uint64_t	 connects;
	uint64_t	 cut;		/* cut off: too slow, or lost events */
	uint64_t	 ring_events;	/* now */
	uint64_t	 ring_bytes;	/* now */
	uint64_t	 published;
};

struct sse	*sse_create(const struct webconf *, const struct sse_hooks *);
/* Topics that go to the ring: rt.*, agent.state.*, interval.*. */
int		 sse_topic_wanted(const char *topic);
/*
 * Keep one event: topic, the publishing site, the boot id of its daemon's
 * run (NULL: none) and its seq, and the JSON object as received (one
 * line). 0, or -1 when it cannot be an event (a topic or body that could
 * break the stream).
 */
int		 sse_publish(struct sse *, const char *topic, const char *site,
		    const char *boot, uint64_t seq, const char *body,
		    size_t len);
/*
 * A new client of conn, with topic prefixes (none: every event) and the
 * Last-Event-ID it sent (NULL: none; then only events from now on).
 */
struct sse_client *sse_client_open(struct sse *, void *conn,
		    const char *last_event_id, char prefixes[][SSE_PREFIX_MAX],
		    size_t nprefixes);
/*
 * Up to max bytes of what the client reads next: > 0, 0 when there is
 * nothing now (the caller suspends it and sse_wait() marks it waiting),
 * -1 when it was cut off.
 */
ssize_t		 sse_client_read(struct sse *, struct sse_client *, char *buf,
		    size_t max);
void		 sse_client_wait(struct sse_client *);
void		 sse_client_close(struct sse *, struct sse_client *);
/* Once a second or so: keep-alive comments to idle clients. */
void		 sse_tick(struct sse *, int64_t now_ms);
/* Wake every waiting client (before shutting down). */
void		 sse_wake_all(struct sse *);
void		 sse_get_stats(const struct sse *, struct sse_stats *);
void		 sse_free(struct sse *);

#endif
