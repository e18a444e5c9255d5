/* SPDX-License-Identifier: BSD-2-Clause */
/* reload.h: a configuration file loaded and validated off the capture's thread. */
#ifndef CCMETRICS_RELOAD_H
#define CCMETRICS_RELOAD_H

#include "ccmetrics/conf.h"

struct reload;

/*
 * Start loading path on a thread of its own: parse, validate, check the
 * capture filter compiles. NULL and err when the thread cannot start.
 */
struct reload	*reload_start(const char *path, char *err, size_t errlen);
/* Readable once the load is done: poll() it beside the capture. */
int		 reload_fd(const struct reload *r);
/* Is it done? Never blocks. */
int		 reload_done(struct reload *r);
/*
 * Wait for the load (at once when reload_done()), free r and return the
 * new configuration, or NULL with each problem found, one a line, in
 * *msgs (to free; NULL when none).
 */
struct config	*reload_finish(struct reload *r, char **msgs);

#endif
