/* SPDX-License-Identifier: BSD-2-Clause */
/* pgrec.h: interval and call records upserted into PostgreSQL, for ccmetrics-sub --db. */
#ifndef CCMETRICS_PGREC_H
#define CCMETRICS_PGREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The version of sql/ccmetrics.sql this recorder writes to. */
#define PGREC_SCHEMA_VERSION	1

struct pgrec_stats {
	uint64_t	rows;		/* rows upserted (committed) */
	uint64_t	ignored;	/* messages of a kind not recorded */
	uint64_t	bad;		/* messages that could not be parsed or stored */
	uint64_t	commits;	/* transactions committed */
	uint64_t	db_failures;	/* flushes the database could not take */
	uint64_t	reconnects;	/* connections made again */
};

/* What pgrec_add() made of a message. */
enum pgrec_add {
	PGREC_QUEUED,		/* pending until pgrec_flush() */
	PGREC_IGNORED,		/* not a recorded kind: nothing to store */
	PGREC_BAD		/* cannot be parsed: counted, logged */
};

struct pgrec;

/*
 * Connect to the database of conninfo (a URL or key=value string), check
 * the schema version and read the tables' columns. NULL and a message
 * naming the server in err when it cannot; the program should exit.
 * default_site is the site of objects that carry none (NULL: "").
 */
struct pgrec	*pgrec_open(const char *conninfo, const char *default_site,
		    char *err, size_t errlen);
/*
 * Queue the object of one message (topic and JSON text as published) for
 * the next flush. The text is copied. site, when not NULL, is the site the
 * transport names (a NATS subject), used when the object carries none.
 */
enum pgrec_add	 pgrec_add(struct pgrec *pr, const char *topic,
		    const char *body, size_t len, const char *site);
/* Messages queued and not yet resolved by a flush. */
size_t		 pgrec_pending(const struct pgrec *pr);
/*
 * Store up to max pending messages (oldest first) in one transaction.
 * Returns how many were resolved (committed, or found bad: counted and
 * logged; either way done with) and removes them from the queue; -1 when
 * the database is unavailable: nothing is resolved, the messages stay
 * queued, and the next call reconnects first.
 */
long		 pgrec_flush(struct pgrec *pr, size_t max);
/*
 * pgrec_flush() in two halves, so that the caller can read more messages
 * while the server works: _start stores up to max pending messages as
 * pgrec_flush() does, but leaves the batch's upserts and COMMIT in flight
 * when it got that far (pgrec_inflight() > 0; the connection is then
 * busy until pgrec_flush_finish(), which waits for them and returns as
 * pgrec_flush() would). When nothing is left in flight, _start's result
 * is final. pgrec_add() may be called in between.
 */
long		 pgrec_flush_start(struct pgrec *pr, size_t max);
long		 pgrec_flush_finish(struct pgrec *pr);
size_t		 pgrec_inflight(const struct pgrec *pr);
/* The bytes of JSON text they hold. */
size_t		 pgrec_pending_bytes(const struct pgrec *pr);
bool		 pgrec_connected(const struct pgrec *pr);
const struct pgrec_stats *pgrec_get_stats(const struct pgrec *pr);
void		 pgrec_close(struct pgrec *pr);

#endif
