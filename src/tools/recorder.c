/* SPDX-License-Identifier: BSD-2-Clause */
/* recorder.c: batches, back-off and the bounded buffer between ccmetrics-sub's sources and PostgreSQL. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ccmetrics/log.h"
#include "ccmetrics/natsrc.h"
#include "ccmetrics/pgrec.h"
#include "ccmetrics/recorder.h"

#define RECORDER_FETCH_MS	1000
#define RECORDER_FETCH_INFLIGHT_MS 100
/* Memory held while the database is away, whatever the message count. */
#define RECORDER_BUFFER_BYTES	((size_t)256 * 1024 * 1024)

int64_t
recorder_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Sleep ms, or less when a signal comes. */
static void
nap(int ms)
{
	if (ms > 0)
		(void)poll(NULL, 0, ms);
}

void
recorder_init(struct recorder *r, struct pgrec *db, size_t buffer_max,
    size_t batch)
{
	memset(r, 0, sizeof *r);
	r->db = db;
	r->buffer_max = buffer_max;
	r->batch = batch;
	r->backoff_ms = RECORDER_BACKOFF_MIN_MS;
}

enum pgrec_add
recorder_offer(struct recorder *r, const char *topic, const char *body,
    size_t len, const char *site)
{
	size_t	pending = pgrec_pending(r->db);

	if (pending >= r->buffer_max ||
	    pgrec_pending_bytes(r->db) + len > RECORDER_BUFFER_BYTES) {
		r->lost++;
		if (!r->losing)
			log_err("buffer full (%zu messages): dropping what "
			    "comes until the database takes rows again",
			    pending);
		r->losing = true;
		return (PGREC_BAD);
	}
	if (pending == 0)
		r->oldest_ms = recorder_now_ms();
	return (pgrec_add(r->db, topic, body, len, site));
}

/* One flush attempt; back-off bookkeeping. */
static long
flush_once(struct recorder *r)
{
	long	n;

	n = pgrec_flush(r->db, r->batch);
	if (n < 0) {
		r->retry_ms = recorder_now_ms() + r->backoff_ms;
		r->backoff_ms = r->backoff_ms * 2 > RECORDER_BACKOFF_MAX_MS ?
		    RECORDER_BACKOFF_MAX_MS : r->backoff_ms * 2;
		return (-1);
	}
	r->retry_ms = 0;
	r->backoff_ms = RECORDER_BACKOFF_MIN_MS;
	if (r->losing && r->lost > 0)
		log_warn("storing again; %llu messages dropped while the "
		    "buffer was full", (unsigned long long)r->lost);
	r->losing = false;
	r->oldest_ms = recorder_now_ms();
	return (n);
}

int
recorder_service(struct recorder *r, bool force)
{
	int64_t	now = recorder_now_ms();
	size_t	pending;

	while ((pending = pgrec_pending(r->db)) > 0) {
		if (r->retry_ms != 0 && now < r->retry_ms)
			return ((int)(r->retry_ms - now));
		if (!force && pending < r->batch &&
		    now - r->oldest_ms < RECORDER_LINGER_MS)
			return ((int)(r->oldest_ms + RECORDER_LINGER_MS - now));
		if (flush_once(r) < 0)
			return ((int)(r->retry_ms - recorder_now_ms()));
		now = recorder_now_ms();
	}
	return (RECORDER_LINGER_MS);
}

int
recorder_drain(struct recorder *r, volatile sig_atomic_t *quit,
    int max_tries)
{
	int	tries = 0;

	while (pgrec_pending(r->db) > 0) {
		if (flush_once(r) >= 0)
			continue;
		if (++tries >= max_tries || (quit != NULL && *quit))
			return (-1);
		nap((int)(r->retry_ms - recorder_now_ms()));
	}
	return (0);
}

struct nats_batch {
	struct recorder	*r;
	long		 got;
};

static void
on_nats_message(void *arg, const char *topic, const char *site,
    const char *data, size_t len)
{
	struct nats_batch	*b = arg;

	/* Bad and ignored messages are acknowledged with the batch. */
	(void)pgrec_add(b->r->db, topic, data, len, site);
	b->got++;
}

/*
 * Everything pending stored, retried while the database is away, then
 * every held message acknowledged. -1 when told to quit first.
 */
static int
store_all_then_ack(struct recorder *r, struct natsrc *ns,
    volatile sig_atomic_t *quit)
{
	while (pgrec_pending(r->db) > 0) {
		if (recorder_drain(r, quit, 1) == 0)
			break;
		if (*quit)
			return (-1);
		nap((int)(r->retry_ms - recorder_now_ms()));
	}
	natsrc_ack(ns);
	return (0);
}

/*
 * The batch in flight answered: its fetches acknowledged (committed), 0;
 * -1 when the database failed it (nothing acknowledged, its messages
 * still pending).
 */
static int
finish_inflight(struct recorder *r, struct natsrc *ns, size_t *covered)
{
	long	n;

	if (pgrec_inflight(r->db) == 0)
		return (0);
	n = pgrec_flush_finish(r->db);
	if (n < 0) {
		*covered = 0;
		return (-1);
	}
	natsrc_ack_fetches(ns, *covered);
	*covered = 0;
	r->backoff_ms = RECORDER_BACKOFF_MIN_MS;
	return (0);
}

void
recorder_run_nats(struct recorder *r, struct natsrc *ns,
    volatile sig_atomic_t *quit, long count, int wait_s)
{
	struct nats_batch	 b = { r, 0 };
	int64_t			 last = recorder_now_ms();
	size_t			 covered = 0;	/* fetches of the batch in flight */
	long			 started;
	int			 n, want;

	while (!*quit && (count < 0 || b.got < count)) {
		want = (int)r->batch;
		if (count >= 0 && count - b.got < want)
			want = (int)(count - b.got);
		/*
		 * While the server stores the batch in flight; briefly then,
		 * so that an idle stream does not hold its acknowledgement.
		 */
		n = natsrc_fetch(ns, want, pgrec_inflight(r->db) > 0 ?
		    RECORDER_FETCH_INFLIGHT_MS : RECORDER_FETCH_MS,
		    on_nats_message, &b);
		/*
		 * Acknowledged only once committed. When the database fails
		 * the batch, everything is stored the plain way, retried
		 * while the database is away (the batch is held and nothing
		 * more is fetched: the stream keeps it; a message redelivered
		 * meanwhile is upserted again, harmlessly).
		 */
		if (finish_inflight(r, ns, &covered) == -1 &&
		    store_all_then_ack(r, ns, quit) == -1)
			return;
		if (n < 0) {
			nap(RECORDER_BACKOFF_MIN_MS);
			continue;
		}
		if (n == 0) {
			if (wait_s >= 0 &&
			    recorder_now_ms() - last >= wait_s * 1000LL)
				break;
			continue;
		}
		last = recorder_now_ms();
		if (pgrec_pending(r->db) == 0) {
			natsrc_ack(ns);		/* nothing to record in them */
			continue;
		}
		/* Nothing in flight now: every held fetch is in this batch. */
		covered = natsrc_fetches(ns);
		started = pgrec_pending(r->db) <= r->batch ?
		    pgrec_flush_start(r->db, r->batch) : -1;
		if (started >= 0 && pgrec_inflight(r->db) == 0 &&
		    pgrec_pending(r->db) == 0) {
			natsrc_ack(ns);		/* stored at once (one by one) */
			covered = 0;
		} else if (started < 0 || pgrec_inflight(r->db) == 0) {
			covered = 0;
			if (store_all_then_ack(r, ns, quit) == -1)
				return;
		}
	}
	if (finish_inflight(r, ns, &covered) == -1 && !*quit)
		(void)store_all_then_ack(r, ns, quit);
}

int
recorder_report(struct recorder *r)
{
	const struct pgrec_stats *st = pgrec_get_stats(r->db);
	size_t	left = pgrec_pending(r->db);

	log_info("%llu messages stored in %llu transactions, %llu skipped "
	    "(bad), %llu not recorded kinds, %llu lost (buffer full), %zu "
	    "not stored", (unsigned long long)st->rows,
	    (unsigned long long)st->commits, (unsigned long long)st->bad,
	    (unsigned long long)st->ignored, (unsigned long long)r->lost,
	    left);
	return (r->lost > 0 || left > 0 ? 1 : 0);
}
