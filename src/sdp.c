/* SPDX-License-Identifier: BSD-2-Clause */
/* sdp.c: the media direction and connection address of an SDP body. */
#include "config.h"

#include <string.h>

#include "ccmetrics/sdp.h"

static enum sdp_dir
sdp_attr_dir(const char *a, size_t len)
{
	static const struct {
		const char	*name;
		enum sdp_dir	 dir;
	} dirs[] = {
		{ "sendrecv", SDP_DIR_SENDRECV }, { "sendonly", SDP_DIR_SENDONLY },
		{ "recvonly", SDP_DIR_RECVONLY }, { "inactive", SDP_DIR_INACTIVE },
	};
	size_t	i;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (len == strlen(dirs[i].name) &&
		    strncmp(a, dirs[i].name, len) == 0)
			return (dirs[i].dir);
	return (SDP_DIR_NONE);
}

static int
sdp_c_is_zero(const char *c, size_t len)
{
	static const char	zero[] = "IN IP4 0.0.0.0";

	return (len >= sizeof zero - 1 && strncmp(c, zero, sizeof zero - 1)
	    == 0 && (len == sizeof zero - 1 || c[sizeof zero - 1] == '/'));
}

/*
 * RFC 4566 5: session-level a= and c= apply unless the first audio media
 * section sets its own (RFC 3264 5.1). Later media sections are ignored.
 */
void
sdp_parse(const char *body, size_t len, enum sdp_dir *dir, bool *c_zero)
{
	const char	*p = body, *end = body + len, *eol;
	enum sdp_dir	 sess_dir = SDP_DIR_NONE, media_dir = SDP_DIR_NONE, d;
	int		 sess_zero = 0, media_zero = -1, section = 0;
	size_t		 n;

	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		n = (size_t)(eol - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n < 2 || p[1] != '=')
			continue;
		if (p[0] == 'm') {
			/* Past the first audio section; skip others before it. */
			if (section == 1)
				break;
			section = n >= 7 && strncmp(p + 2, "audio", 5) == 0 ?
			    1 : 2;
			continue;
		}
		if (section == 2)
			continue;
		if (p[0] == 'a' && (d = sdp_attr_dir(p + 2, n - 2)) !=
		    SDP_DIR_NONE) {
			if (section == 0)
				sess_dir = d;
			else
				media_dir = d;
		} else if (p[0] == 'c') {
			if (section == 0)
				sess_zero = sdp_c_is_zero(p + 2, n - 2);
			else
				media_zero = sdp_c_is_zero(p + 2, n - 2);
		}
	}
	*dir = media_dir != SDP_DIR_NONE ? media_dir : sess_dir;
	*c_zero = media_zero != -1 ? media_zero : sess_zero;
}
