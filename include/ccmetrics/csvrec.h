/* SPDX-License-Identifier: BSD-2-Clause */
/* csvrec.h: interval records appended to CSV files, for ccmetrics-sub -c. */
#ifndef CCMETRICS_CSVREC_H
#define CCMETRICS_CSVREC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct csvrec_stats {
	uint64_t	rows;		/* rows appended */
	uint64_t	write_errors;	/* rows lost: open or write failed */
	uint64_t	missing_fields;	/* cells left empty: field absent */
};

struct csvrec;

/*
 * Record into directory dir: interval.queue.csv, interval.agent.csv and
 * rt.queue.csv. A file that already has rows must start with this version's
 * header; NULL and a message in err when one does not, or dir is no
 * writable directory.
 */
struct csvrec	*csvrec_open(const char *dir, char *err, size_t errlen);
/*
 * Append obj, published on topic, as one row of its kind's file (the
 * header first when the file is new or empty). 1: appended; 0: not a
 * recorded kind; -1: the row could not be written (logged, counted).
 */
int		 csvrec_write(struct csvrec *cr, const char *topic,
		    const json_t *obj);
const struct csvrec_stats *csvrec_get_stats(const struct csvrec *cr);
void		 csvrec_close(struct csvrec *cr);

#endif
