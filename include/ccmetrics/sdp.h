/* SPDX-License-Identifier: BSD-2-Clause */
/* sdp.h: the media direction and connection address of an SDP body. */
#ifndef CCMETRICS_SDP_H
#define CCMETRICS_SDP_H

#include <stdbool.h>
#include <stddef.h>

/* SDP media direction (RFC 3264 5.1, 8.4); SDP_DIR_NONE: no attribute. */
enum sdp_dir {
	SDP_DIR_NONE,
	SDP_DIR_SENDRECV,
	SDP_DIR_SENDONLY,
	SDP_DIR_RECVONLY,
	SDP_DIR_INACTIVE
};

/*
 * The direction of the first audio stream of body[0..len), and whether its
 * connection address is IN IP4 0.0.0.0 (RFC 2543 hold).
 */
void	sdp_parse(const char *body, size_t len, enum sdp_dir *dir,
	    bool *c_zero);

#endif
