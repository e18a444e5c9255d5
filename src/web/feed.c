/* SPDX-License-Identifier: BSD-2-Clause */
/* feed.c: ccmetrics-web's ZeroMQ SUB sockets, one per daemon, CURVE when keyed. */
/*
 * ZMQ_MAXMSGSIZE bounds what one object may cost, but libzmq treats a
 * larger message as a protocol error and gives the connection up for
 * good (it reconnects only after network errors): one oversized object,
 * or a bad frame, would leave ccmetrics-web deaf to that daemon until a
 * restart. A monitor watches each socket; a connection dropped without
 * a reconnection under way within FEED_RESET_MS has its socket made
 * again, counted (webfeed_resets) and logged.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "ccmetrics/log.h"
#include "ccmetrics/webfeed.h"
#include "ccmetrics/xmalloc.h"

#define FEED_TOPIC_MAX		256
/* As ccmetrics-sub: reconnect at once, back off to 5 s; heartbeats. */
#define FEED_RECONNECT_IVL_MS	100
#define FEED_RECONNECT_MAX_MS	5000
#define FEED_HEARTBEAT_IVL_MS	5000
#define FEED_HEARTBEAT_TTL_MS	15000
#define FEED_RCVHWM		100000
/* A drop with no reconnection under way after this: the socket is made again. */
#define FEED_RESET_MS		1000
#define FEED_MON_EVENTS		(ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_DELAYED | \
				    ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED)

struct webfeed {
	void		*ctx;
	const struct webconf *wc;
	void		**socks;
	void		**mons;		/* the monitor of each, or NULL */
	int64_t		*dropped_ms;	/* dropped, no reconnection yet; or 0 */
	size_t		 nsocks;
	webfeed_sink	 sink;
	void		*arg;
	uint64_t	 bad;
	uint64_t	 resets;
	unsigned	 mon_seq;	/* names of the monitors' endpoints */
};

static int64_t
feed_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static int
feed_opt(void *sock, int option, int value)
{
	return (zmq_setsockopt(sock, option, &value, sizeof value));
}

static int
feed_int64_opt(void *sock, int option, int64_t value)
{
	return (zmq_setsockopt(sock, option, &value, sizeof value));
}

/* CURVE client keys of one feed: its own pair, else a new one. */
static int
feed_curve(void *sock, const struct webconf_feed *f, char *err, size_t errlen)
{
	char	pub[WEBCONF_KEY_LEN + 1], sec[WEBCONF_KEY_LEN + 1];
	int	rc = 0;

	if (!zmq_has("curve")) {
		snprintf(err, errlen, "%s: this libzmq has no CURVE",
		    f->endpoint);
		return (-1);
	}
	if (f->secret_key != NULL) {
		memcpy(sec, f->secret_key, sizeof sec);
		if (f->public_key != NULL)
			memcpy(pub, f->public_key, sizeof pub);
		else if (zmq_curve_public(pub, sec) != 0)
			rc = -1;
	} else if (zmq_curve_keypair(pub, sec) != 0)
		rc = -1;
	if (rc == 0 && (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY,
	    f->server_key, WEBCONF_KEY_LEN + 1) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, pub, sizeof pub) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, sec, sizeof sec) != 0))
		rc = -1;
	memset(sec, 0, sizeof sec);
	if (rc != 0)
		snprintf(err, errlen, "%s: CURVE keys: %s", f->endpoint,
		    zmq_strerror(zmq_errno()));
	return (rc);
}

/* The monitor of feed i's socket: a PAIR reading its events, or NULL. */
static void *
feed_monitor(struct webfeed *wf, void *sock)
{
	char	 ep[64];
	void	*mon;

	snprintf(ep, sizeof ep, "inproc://ccmetrics-web-feed-%u",
	    wf->mon_seq++);
	if (zmq_socket_monitor(sock, ep, FEED_MON_EVENTS) != 0 ||
	    (mon = zmq_socket(wf->ctx, ZMQ_PAIR)) == NULL)
		return (NULL);
	if (feed_opt(mon, ZMQ_LINGER, 0) != 0 || zmq_connect(mon, ep) != 0) {
		zmq_close(mon);
		return (NULL);
	}
	return (mon);
}

/* Feed i's socket, connected and watched; -1 with a message in err. */
static int
feed_open(struct webfeed *wf, size_t i, char *err, size_t errlen)
{
	const struct webconf		*wc = wf->wc;
	const struct webconf_feed	*f = &wc->feeds[i];
	void				*sock;

	if ((sock = zmq_socket(wf->ctx, ZMQ_SUB)) == NULL) {
		snprintf(err, errlen, "zmq: %s", zmq_strerror(zmq_errno()));
		return (-1);
	}
	wf->socks[i] = sock;
	/* A bigger object than the bound drops the connection (and the
	   monitor has the socket made again): memory stays bounded. */
	if (feed_opt(sock, ZMQ_LINGER, 0) != 0 ||
	    feed_opt(sock, ZMQ_RCVHWM, FEED_RCVHWM) != 0 ||
	    feed_int64_opt(sock, ZMQ_MAXMSGSIZE,
	    (int64_t)wc->max_message_bytes) != 0 ||
	    feed_opt(sock, ZMQ_RECONNECT_IVL, FEED_RECONNECT_IVL_MS) != 0 ||
	    feed_opt(sock, ZMQ_RECONNECT_IVL_MAX, FEED_RECONNECT_MAX_MS) != 0 ||
	    feed_opt(sock, ZMQ_HEARTBEAT_IVL, FEED_HEARTBEAT_IVL_MS) != 0 ||
	    feed_opt(sock, ZMQ_HEARTBEAT_TIMEOUT, FEED_HEARTBEAT_TTL_MS) != 0) {
		snprintf(err, errlen, "%s: zmq options: %s", f->endpoint,
		    zmq_strerror(zmq_errno()));
		return (-1);
	}
	if (f->server_key != NULL && feed_curve(sock, f, err, errlen) != 0)
		return (-1);
	/* Watched before it connects, so no drop goes unseen. */
	if ((wf->mons[i] = feed_monitor(wf, sock)) == NULL) {
		snprintf(err, errlen, "%s: zmq monitor: %s", f->endpoint,
		    zmq_strerror(zmq_errno()));
		return (-1);
	}
	/* Everything: seq gaps are only visible on the whole feed. */
	if (zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "", 0) != 0 ||
	    zmq_connect(sock, f->endpoint) != 0) {
		snprintf(err, errlen, "%s: %s", f->endpoint,
		    zmq_strerror(zmq_errno()));
		return (-1);
	}
	wf->dropped_ms[i] = 0;
	return (0);
}

struct webfeed *
webfeed_create(const struct webconf *wc, webfeed_sink sink, void *arg,
    char *err, size_t errlen)
{
	struct webfeed	*wf = xcalloc(1, sizeof *wf);
	const struct webconf_feed *f;
	size_t		 i;

	wf->wc = wc;
	wf->sink = sink;
	wf->arg = arg;
	if ((wf->ctx = zmq_ctx_new()) == NULL) {
		snprintf(err, errlen, "zmq: %s", zmq_strerror(zmq_errno()));
		free(wf);
		return (NULL);
	}
	wf->socks = xcalloc(wc->nfeeds, sizeof *wf->socks);
	wf->mons = xcalloc(wc->nfeeds, sizeof *wf->mons);
	wf->dropped_ms = xcalloc(wc->nfeeds, sizeof *wf->dropped_ms);
	wf->nsocks = wc->nfeeds;
	for (i = 0; i < wc->nfeeds; i++) {
		f = &wc->feeds[i];
		if (feed_open(wf, i, err, errlen) != 0)
			goto fail;
		log_info("feed %s%s", f->endpoint, f->server_key != NULL ?
		    " (CURVE)" : "");
	}
	return (wf);
fail:
	webfeed_free(wf);
	return (NULL);
}

size_t
webfeed_pollitems(struct webfeed *wf, zmq_pollitem_t *items, size_t max)
{
	size_t	i;

	for (i = 0; i < wf->nsocks && i < max; i++) {
		memset(&items[i], 0, sizeof items[i]);
		items[i].socket = wf->socks[i];
		items[i].events = ZMQ_POLLIN;
	}
	return (i);
}

static void
feed_drain(void *sock, int more)
{
	zmq_msg_t	msg;

	while (more) {
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, sock, 0) == -1) {
			zmq_msg_close(&msg);
			return;
		}
		more = zmq_msg_more(&msg);
		zmq_msg_close(&msg);
	}
}

/* One message from sock if one waits: 1, else 0. */
static int
feed_one(struct webfeed *wf, void *sock)
{
	zmq_msg_t	tmsg, bmsg;
	char		topic[FEED_TOPIC_MAX];
	size_t		tn;
	int		more;

	zmq_msg_init(&tmsg);
	if (zmq_msg_recv(&tmsg, sock, ZMQ_DONTWAIT) == -1) {
		zmq_msg_close(&tmsg);
		return (0);
	}
	tn = zmq_msg_size(&tmsg);
	if (tn < sizeof topic) {
		memcpy(topic, zmq_msg_data(&tmsg), tn);
		topic[tn] = '\0';
	}
	more = zmq_msg_more(&tmsg);
	zmq_msg_close(&tmsg);
	if (!more) {
		wf->bad++;
		return (1);
	}
	zmq_msg_init(&bmsg);
	if (zmq_msg_recv(&bmsg, sock, 0) == -1) {
		zmq_msg_close(&bmsg);
		return (0);
	}
	more = zmq_msg_more(&bmsg);
	feed_drain(sock, more);
	if (more || tn == 0 || tn >= sizeof topic ||
	    memchr(topic, '\0', tn) != NULL)
		wf->bad++;
	else
		wf->sink(wf->arg, topic, zmq_msg_data(&bmsg),
		    zmq_msg_size(&bmsg));
	zmq_msg_close(&bmsg);
	return (1);
}

/*
 * Read feed i's monitor: a drop starts the clock, a reconnection under
 * way stops it. 1 when the drop is FEED_RESET_MS old with none.
 */
static int
feed_watch(struct webfeed *wf, size_t i, int64_t now)
{
	zmq_msg_t	 msg;
	uint16_t	 event;
	int		 more;

	while (wf->mons[i] != NULL) {
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, wf->mons[i], ZMQ_DONTWAIT) == -1) {
			zmq_msg_close(&msg);
			break;
		}
		/* Frame 1: the event (16 bits) and a value; 2: the address. */
		event = 0;
		if (zmq_msg_size(&msg) >= sizeof event)
			memcpy(&event, zmq_msg_data(&msg), sizeof event);
		more = zmq_msg_more(&msg);
		zmq_msg_close(&msg);
		feed_drain(wf->mons[i], more);
		if (event == ZMQ_EVENT_DISCONNECTED)
			wf->dropped_ms[i] = now;
		else
			wf->dropped_ms[i] = 0;
	}
	return (wf->dropped_ms[i] != 0 &&
	    now - wf->dropped_ms[i] >= FEED_RESET_MS);
}

/* Feed i's connection was given up: hand on what it holds, start again. */
static void
feed_reset(struct webfeed *wf, size_t i)
{
	const struct webconf_feed	*f = &wf->wc->feeds[i];
	char				 err[256];

	while (feed_one(wf, wf->socks[i]))
		;
	zmq_close(wf->mons[i]);
	zmq_close(wf->socks[i]);
	wf->mons[i] = wf->socks[i] = NULL;
	wf->resets++;
	log_warn("feed %s: the connection was dropped and not taken up again "
	    "(an object larger than limits.max_message_bytes, or a bad "
	    "frame): connecting anew", f->endpoint);
	if (feed_open(wf, i, err, sizeof err) != 0)
		fatalx("%s", err);
}

size_t
webfeed_receive(struct webfeed *wf, size_t budget)
{
	size_t	i, n = 0;
	int	progress = 1;
	int64_t	now = feed_now_ms();

	for (i = 0; i < wf->nsocks; i++)
		if (feed_watch(wf, i, now))
			feed_reset(wf, i);

	/* Round robin, so one busy daemon cannot starve another. */
	while (n < budget && progress) {
		progress = 0;
		for (i = 0; i < wf->nsocks && n < budget; i++) {
			if (feed_one(wf, wf->socks[i])) {
				n++;
				progress = 1;
			}
		}
	}
	return (n);
}

uint64_t
webfeed_bad(const struct webfeed *wf)
{
	return (wf->bad);
}

uint64_t
webfeed_resets(const struct webfeed *wf)
{
	return (wf->resets);
}

void
webfeed_free(struct webfeed *wf)
{
	size_t	i;

	if (wf == NULL)
		return;
	for (i = 0; i < wf->nsocks; i++) {
		if (wf->mons != NULL && wf->mons[i] != NULL)
			zmq_close(wf->mons[i]);
		if (wf->socks[i] != NULL)
			zmq_close(wf->socks[i]);
	}
	free(wf->socks);
	free(wf->mons);
	free(wf->dropped_ms);
	if (wf->ctx != NULL)
		zmq_ctx_term(wf->ctx);
	free(wf);
}
