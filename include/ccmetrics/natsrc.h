/* SPDX-License-Identifier: BSD-2-Clause */
/* natsrc.h: a JetStream durable pull consumer as the recorder's source, for ccmetrics-sub --nats. */
#ifndef CCMETRICS_NATSRC_H
#define CCMETRICS_NATSRC_H

#include <stddef.h>
#include <stdint.h>

struct natsrc_stats {
	uint64_t	messages;	/* fetched (redeliveries included) */
	uint64_t	acked;
	uint64_t	fetch_errors;	/* fetches that failed: server away */
};

/*
 * Handed each fetched message: its topic (the subject without
 * "<prefix>.<site>."), the site the subject names (NULL when the subject
 * does not start with the prefix) and the payload.
 */
typedef void	(*natsrc_sink)(void *arg, const char *topic, const char *site,
		    const char *data, size_t len);

struct natsrc;

/*
 * Connect to url and bind to the durable pull consumer durable of stream,
 * creating it (deliver all, explicit acks, ack_wait_s) when it does not
 * exist. NULL and a message in err when the server, the stream or the
 * consumer cannot be had.
 */
struct natsrc	*natsrc_open(const char *url, const char *stream,
		    const char *durable, const char *prefix, int ack_wait_s,
		    char *err, size_t errlen);
/*
 * Fetch up to batch messages, waiting up to timeout_ms; each goes to sink
 * and is held, unacknowledged, until natsrc_ack(). Returns the number
 * fetched (0: none in time), -1 when the server cannot be reached (logged
 * once until a fetch works again).
 */
int		 natsrc_fetch(struct natsrc *ns, int batch, int timeout_ms,
		    natsrc_sink sink, void *arg);
/* Messages fetched and not yet acknowledged. */
size_t		 natsrc_held(const struct natsrc *ns);
/* Acknowledge every held message (their rows are committed). */
void		 natsrc_ack(struct natsrc *ns);
/* The fetches held (each one natsrc_fetch() that returned more than 0). */
size_t		 natsrc_fetches(const struct natsrc *ns);
/* Acknowledge the messages of the oldest count fetches held. */
void		 natsrc_ack_fetches(struct natsrc *ns, size_t count);
const struct natsrc_stats *natsrc_get_stats(const struct natsrc *ns);
void		 natsrc_close(struct natsrc *ns);

#endif
