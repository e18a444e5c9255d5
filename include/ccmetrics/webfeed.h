/* SPDX-License-Identifier: BSD-2-Clause */
/* webfeed.h: ccmetrics-web's ZeroMQ subscriptions to the daemons (feeds). */
#ifndef CCMETRICS_WEBFEED_H
#define CCMETRICS_WEBFEED_H

#include <stddef.h>
#include <stdint.h>

#include <zmq.h>

#include "ccmetrics/webconf.h"

/* One message: a topic and the object's bytes (not NUL-terminated). */
typedef void	(*webfeed_sink)(void *arg, const char *topic, const char *body,
		    size_t len);

struct webfeed;

/* Connect a SUB socket to every feed; NULL with a message in err. */
struct webfeed	*webfeed_create(const struct webconf *, webfeed_sink, void *arg,
		    char *err, size_t errlen);
/* The sockets to poll for ZMQ_POLLIN: fills items, returns how many. */
size_t		 webfeed_pollitems(struct webfeed *, zmq_pollitem_t *items,
		    size_t max);
/*
 * Hand waiting messages to the sink, at most budget of them (so HTTP
 * clients are served between bursts); how many were handed on.
 */
size_t		 webfeed_receive(struct webfeed *, size_t budget);
/* Messages that were not a topic and one object frame. */
uint64_t	 webfeed_bad(const struct webfeed *);
/* Connections ZeroMQ gave up (an oversized object, a bad frame), made anew. */
uint64_t	 webfeed_resets(const struct webfeed *);
void		 webfeed_free(struct webfeed *);

#endif
