/* SPDX-License-Identifier: BSD-2-Clause */
/* privdrop.h: leave root for the configured user once the capture is open. */
#ifndef CCMETRICS_PRIVDROP_H
#define CCMETRICS_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

struct privdrop {
	uid_t	uid;
	gid_t	gid;
};

/*
 * Look up user and group (names or numbers; group NULL: the user's
 * primary group). -1 and a message in err when either is unknown.
 */
int	privdrop_resolve(const char *user, const char *group,
	    struct privdrop *pd, char *err, size_t errlen);
/*
 * Become pd for good: supplementary groups, group, then user, each set
 * and checked, and root checked to be out of reach. 0 done, 1 nothing to
 * do (not root and already pd->uid, or not root at all: see err), -1 on
 * failure with a message in err.
 */
int	privdrop_apply(const struct privdrop *pd, char *err, size_t errlen);

#endif
