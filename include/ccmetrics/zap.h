/* SPDX-License-Identifier: BSD-2-Clause */
/* zap.h: a ZeroMQ ZAP handler (RFC 27) admitting listed CURVE client keys. */
#ifndef CCMETRICS_ZAP_H
#define CCMETRICS_ZAP_H

#include <stddef.h>

struct zap;

/*
 * Bind the handler in zctx before any CURVE socket binds; keys are Z85
 * client public keys. NULL and a message in err on failure.
 */
struct zap	*zap_create(void *zctx, char *const *keys, size_t nkeys,
		    char *err, size_t errlen);
/* Answer every pending request without blocking; returns how many were
   refused. The handshakes wait for these answers: call it often. */
int		 zap_serve(struct zap *z);
void		*zap_socket(struct zap *z);
void		 zap_free(struct zap *z);

#endif
