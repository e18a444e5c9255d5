/* SPDX-License-Identifier: BSD-2-Clause */
/* natspub.h: the NATS JetStream output (DESIGN.md 8), a bounded queue and a thread. */
#ifndef CCMETRICS_NATSPUB_H
#define CCMETRICS_NATSPUB_H

#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/conf.h"

struct natspub_stats {
	uint64_t	published;	/* acknowledged by JetStream */
	uint64_t	duplicates;	/* of those, known already (Msg-Id) */
	uint64_t	dropped;	/* not queued: max_pending were */
	uint64_t	rejected;	/* refused by JetStream for good */
	uint64_t	errors;		/* failed attempts, each sent again */
	uint64_t	reconnects;	/* connections made again */
	uint64_t	pending;	/* queued or unacknowledged, now */
	int		connected;	/* now */
};

struct natspub;

/*
 * NULL and a message in err when the options (TLS files, credentials)
 * are refused. Connecting happens in the background, forever.
 */
struct natspub	*natspub_create(const struct config *cfg, const char *site,
		    const char *boot, char *err, size_t errlen);
/* The URL for log lines, without user, password or token. */
const char	*natspub_url(const struct natspub *np);
/*
 * Queue one object (copied) for subject <prefix>.<site>.<topic> with
 * Nats-Msg-Id <site>-<boot>-<seq>; never blocks: past max_pending it is
 * dropped and counted.
 */
void		 natspub_send(struct natspub *np, const char *topic,
		    uint64_t seq, const char *json, size_t len);
/*
 * The len bytes of topic as subject tokens into dst (len + 1 bytes): a
 * space, control character, DEL, '*' or '>', and a dot that would make
 * an empty token, become '_'.
 */
void		 natspub_subject_topic(char *dst, const char *topic, size_t len);
/* Log what the publishing thread saw (connections, errors); main thread. */
void		 natspub_drain(struct natspub *np);
void		 natspub_get_stats(struct natspub *np, struct natspub_stats *st);
/*
 * Wait, bounded, for what is queued to be acknowledged; log the totals;
 * close.
 */
void		 natspub_free(struct natspub *np);

#endif
