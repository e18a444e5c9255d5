/* SPDX-License-Identifier: BSD-2-Clause */
/* zap.c: ZAP handler (ZeroMQ RFC 27): CURVE clients by allowed public key. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "ccmetrics/log.h"
#include "ccmetrics/xmalloc.h"
#include "ccmetrics/zap.h"

#define ZAP_ENDPOINT	"inproc://zeromq.zap.01"
#define ZAP_KEY_LEN	32
#define ZAP_FRAMES	8	/* a request has 7 frames with CURVE */
#define ZAP_FRAME_MAX	256

struct zap {
	void		*sock;
	uint8_t		(*keys)[ZAP_KEY_LEN];
	size_t		  nkeys;
};

struct zap *
zap_create(void *zctx, char *const *keys, size_t nkeys, char *err,
    size_t errlen)
{
	struct zap	*z;
	size_t		 i;

	z = xcalloc(1, sizeof *z);
	z->keys = xcalloc(nkeys > 0 ? nkeys : 1, sizeof *z->keys);
	for (i = 0; i < nkeys; i++) {
		if (zmq_z85_decode(z->keys[i], keys[i]) == NULL) {
			snprintf(err, errlen, "curve_allowed_clients[%zu]: "
			    "not a Z85 key", i);
			zap_free(z);
			return (NULL);
		}
	}
	z->nkeys = nkeys;
	if ((z->sock = zmq_socket(zctx, ZMQ_REP)) == NULL ||
	    zmq_bind(z->sock, ZAP_ENDPOINT) != 0) {
		snprintf(err, errlen, "ZAP handler: %s",
		    zmq_strerror(zmq_errno()));
		zap_free(z);
		return (NULL);
	}
	return (z);
}

void *
zap_socket(struct zap *z)
{
	return (z->sock);
}

static int
zap_allowed(const struct zap *z, const uint8_t *key, size_t len)
{
	size_t	i;

	if (len != ZAP_KEY_LEN)
		return (0);
	for (i = 0; i < z->nkeys; i++) {
		if (memcmp(z->keys[i], key, ZAP_KEY_LEN) == 0)
			return (1);
	}
	return (0);
}

static void
zap_reply(struct zap *z, const char *id, size_t idlen, int ok)
{
	zmq_send(z->sock, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(z->sock, id, idlen, ZMQ_SNDMORE);
	zmq_send(z->sock, ok ? "200" : "400", 3, ZMQ_SNDMORE);
	zmq_send(z->sock, ok ? "OK" : "client key not allowed",
	    ok ? 2 : 22, ZMQ_SNDMORE);
	zmq_send(z->sock, "", 0, ZMQ_SNDMORE);	/* user id */
	zmq_send(z->sock, "", 0, 0);		/* metadata */
}

/* One request: version, id, domain, address, routing id, mechanism, key. */
static int
zap_one(struct zap *z)
{
	char	f[ZAP_FRAMES][ZAP_FRAME_MAX];
	int	len[ZAP_FRAMES], n = 0, more = 1, ok;
	size_t	ms = sizeof more;

	while (more) {
		int	i = n < ZAP_FRAMES ? n : ZAP_FRAMES - 1;

		len[i] = zmq_recv(z->sock, f[i], sizeof f[i] - 1,
		    n == 0 ? ZMQ_DONTWAIT : 0);
		if (len[i] == -1)
			return (-1);
		if (len[i] > (int)sizeof f[i] - 1)
			len[i] = (int)sizeof f[i] - 1;
		f[i][len[i]] = '\0';
		n++;
		if (zmq_getsockopt(z->sock, ZMQ_RCVMORE, &more, &ms) == -1)
			more = 0;
	}
	if (n < 6) {
		/* Not a request we understand: a REP socket must still answer. */
		zap_reply(z, n > 1 ? f[1] : "", n > 1 ? (size_t)len[1] : 0, 0);
		return (1);
	}
	ok = strcmp(f[5], "CURVE") == 0 && n >= 7 &&
	    zap_allowed(z, (const uint8_t *)f[6], (size_t)len[6]);
	zap_reply(z, f[1], (size_t)len[1], ok);
	if (!ok) {
		log_warn("zmq: refused a subscriber from %s: its key is not in "
		    "publish.zmq.curve_allowed_clients", f[3]);
		return (1);
	}
	log_debug("zmq: admitted a subscriber from %s", f[3]);
	return (0);
}

int
zap_serve(struct zap *z)
{
	int	refused = 0, rc;

	while ((rc = zap_one(z)) != -1)
		refused += rc;
	return (refused);
}

void
zap_free(struct zap *z)
{
	if (z == NULL)
		return;
	if (z->sock != NULL)
		zmq_close(z->sock);
	free(z->keys);
	free(z);
}
