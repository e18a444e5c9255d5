/* SPDX-License-Identifier: BSD-2-Clause */
/* recorder.h: batching, back-off and buffering between a source and pgrec, for ccmetrics-sub --db. */
#ifndef CCMETRICS_RECORDER_H
#define CCMETRICS_RECORDER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/natsrc.h"
#include "ccmetrics/pgrec.h"

#define RECORDER_BATCH		5000	/* messages per transaction, at most */
#define RECORDER_LINGER_MS	100	/* a partial batch waits this long */
#define RECORDER_BACKOFF_MIN_MS	250
#define RECORDER_BACKOFF_MAX_MS	8000

struct recorder {
	struct pgrec	*db;
	size_t		 buffer_max;	/* ZeroMQ: messages kept while down */
	size_t		 batch;
	int64_t		 oldest_ms;	/* when the oldest pending came */
	int64_t		 retry_ms;	/* next attempt while down, or 0 */
	int64_t		 backoff_ms;
	uint64_t	 lost;		/* buffer full: dropped */
	bool		 losing;	/* logged */
};

void	recorder_init(struct recorder *r, struct pgrec *db, size_t buffer_max,
	    size_t batch);
int64_t	recorder_now_ms(void);
/*
 * A message from a source that cannot wait (ZeroMQ): queued, or dropped,
 * counted and logged when the buffer is full. Returns what pgrec made of
 * it (PGREC_BAD also for a drop).
 */
enum pgrec_add recorder_offer(struct recorder *r, const char *topic,
	    const char *body, size_t len, const char *site);
/*
 * Flush what is due (a full batch, or a partial one that waited
 * RECORDER_LINGER_MS, or everything when force), unless backing off.
 * Returns the milliseconds the caller may wait before calling again.
 */
int	recorder_service(struct recorder *r, bool force);
/*
 * Store everything pending, retrying with back-off until stored or *quit
 * (then a second time *quit is honoured at once). 0 when all is stored.
 */
int	recorder_drain(struct recorder *r, volatile sig_atomic_t *quit,
	    int max_tries);
/*
 * The JetStream loop: fetch a batch, store it, acknowledge it, until
 * *quit, count messages (count >= 0) or wait_s seconds without any
 * (wait_s >= 0). The next batch is fetched and parsed while the server
 * stores the last (at most two batches held); each is acknowledged once
 * committed.
 */
void	recorder_run_nats(struct recorder *r, struct natsrc *ns,
	    volatile sig_atomic_t *quit, long count, int wait_s);
/* Log the totals; 0, or 1 when something was lost or left unstored. */
int	recorder_report(struct recorder *r);

#endif
