/* SPDX-License-Identifier: BSD-2-Clause */
/* privdrop.c: leave root for daemon.user/daemon.group, for good, checked. */
#include "config.h"

#include <sys/prctl.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ccmetrics/privdrop.h"

/* A plain decimal id, or -1. */
static long long
privdrop_number(const char *s)
{
	char		*end;
	long long	 v;

	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > (long long)UINT_MAX - 1)
		return (-1);
	return (v);
}

int
privdrop_resolve(const char *user, const char *group, struct privdrop *pd,
    char *err, size_t errlen)
{
	struct passwd	*pw;
	struct group	*gr;
	long long	 n;

	n = privdrop_number(user);
	if ((pw = getpwnam(user)) != NULL ||
	    (n >= 0 && (pw = getpwuid((uid_t)n)) != NULL)) {
		pd->uid = pw->pw_uid;
		pd->gid = pw->pw_gid;
	} else if (n >= 0 && group != NULL) {
		pd->uid = (uid_t)n;	/* an id without a passwd entry */
	} else {
		snprintf(err, errlen, "daemon.user: no user \"%s\"%s", user,
		    privdrop_number(user) >= 0 ? " (a number needs "
		    "daemon.group)" : "");
		return (-1);
	}
	if (group == NULL)
		return (0);
	if ((gr = getgrnam(group)) != NULL)
		pd->gid = gr->gr_gid;
	else if ((n = privdrop_number(group)) >= 0)
		pd->gid = (gid_t)n;
	else {
		snprintf(err, errlen, "daemon.group: no group \"%s\"", group);
		return (-1);
	}
	return (0);
}

int
privdrop_apply(const struct privdrop *pd, char *err, size_t errlen)
{
	gid_t	groups[2];
	uid_t	ruid, euid, suid;
	gid_t	rgid, egid, sgid;
	int	n, cap;

	if (geteuid() != 0) {
		if (getuid() == pd->uid && geteuid() == pd->uid)
			return (1);
		snprintf(err, errlen, "not started as root: staying user %u",
		    (unsigned int)geteuid());
		return (1);
	}
	if (pd->uid == 0) {
		snprintf(err, errlen, "daemon.user is root: nothing to drop");
		return (1);
	}
	/*
	 * Empty the bounding set while CAP_SETPCAP is still held, so no
	 * setuid program or file capability can give any back; PR_CAPBSET_DROP
	 * fails with EINVAL past the kernel's last capability.
	 */
	for (cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1) {
			if (errno == EINVAL)
				break;
			snprintf(err, errlen, "dropping capability %d from the "
			    "bounding set: %s", cap, strerror(errno));
			return (-1);
		}
	}
	/* Groups first: once the user changes, they cannot be changed. */
	if (setgroups(1, &pd->gid) == -1) {
		snprintf(err, errlen, "setgroups: %s", strerror(errno));
		return (-1);
	}
	if (setresgid(pd->gid, pd->gid, pd->gid) == -1) {
		snprintf(err, errlen, "setresgid %u: %s",
		    (unsigned int)pd->gid, strerror(errno));
		return (-1);
	}
	if (setresuid(pd->uid, pd->uid, pd->uid) == -1) {
		snprintf(err, errlen, "setresuid %u: %s",
		    (unsigned int)pd->uid, strerror(errno));
		return (-1);
	}

	/* Trust, but verify: every id changed, and root is out of reach. */
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1 ||
	    ruid != pd->uid || euid != pd->uid || suid != pd->uid ||
	    rgid != pd->gid || egid != pd->gid || sgid != pd->gid) {
		snprintf(err, errlen, "user or group ids did not all change");
		return (-1);
	}
	n = getgroups(2, groups);
	if (n < 0 || n > 1 || (n == 1 && groups[0] != pd->gid)) {
		snprintf(err, errlen, "supplementary groups were kept");
		return (-1);
	}
	if (setuid(0) != -1 || seteuid(0) != -1) {
		snprintf(err, errlen, "root could be regained");
		return (-1);
	}
	/* And execve() can never grant more (setuid bits, file caps). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return (-1);
	}
	for (cap = 0; cap < 64; cap++) {
		if ((n = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) == -1)
			break;
		if (n == 1) {
			snprintf(err, errlen, "capability %d is still in the "
			    "bounding set", cap);
			return (-1);
		}
	}
	return (0);
}
