/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * publish.c: ZeroMQ XPUB (with CURVE security) and the JSON-lines sink;
 * owns sequence numbers and the privacy of published numbers.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "ccmetrics/jsonw.h"
#include "ccmetrics/log.h"
#include "ccmetrics/privacy.h"
#include "ccmetrics/publish.h"
#include "ccmetrics/xmalloc.h"
#include "ccmetrics/zap.h"

#define PUBLISH_LINGER_MS	3000
#define PUBLISH_JSON_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(15))

struct publisher {
	void			*zctx;
	void			*zsock;
	struct zap		*zap;		/* curve_allowed_clients */
	struct privacy		*privacy;
	FILE			*jsonl;
	int			 jsonl_owned;
	int			 line_buffered;
	uint64_t		 seq;
	int			 subscriptions;
	struct publish_stats	 st;
	struct jsonw		 out;	/* the object being published */
	struct jsonw		 topic;	/* its topic, quoted (JSON lines) */
};

/*
 * CURVE (ZeroMQ RFC 26): the socket is a server holding the secret key;
 * a subscriber must know its public key. With allowed clients, the ZAP
 * handler, bound first, also checks the subscriber's own key.
 */
static int
publish_curve(struct publisher *pub, const struct config *cfg, char *err,
    size_t errlen)
{
	static const char	domain[] = "ccmetrics";
	char			public[CONFIG_CURVE_KEY_LEN + 1];
	int			one = 1;

	if (cfg->zmq_curve_secret_key == NULL)
		return (0);
	if (!zmq_has("curve")) {
		snprintf(err, errlen, "publish.zmq.curve_secret_key: this "
		    "libzmq was built without CURVE");
		return (-1);
	}
	if (cfg->nzmq_curve_allowed > 0 && (pub->zap = zap_create(pub->zctx,
	    cfg->zmq_curve_allowed, cfg->nzmq_curve_allowed, err,
	    errlen)) == NULL)
		return (-1);
	if (zmq_setsockopt(pub->zsock, ZMQ_CURVE_SERVER, &one,
	    sizeof one) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_CURVE_SECRETKEY,
	    cfg->zmq_curve_secret_key, CONFIG_CURVE_KEY_LEN + 1) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_ZAP_DOMAIN, domain,
	    sizeof domain - 1) != 0) {
		snprintf(err, errlen, "zmq CURVE: %s",
		    zmq_strerror(zmq_errno()));
		return (-1);
	}
	if (zmq_curve_public(public, cfg->zmq_curve_secret_key) == 0)
		log_info("zmq: CURVE on, server public key %s%s", public,
		    pub->zap != NULL ? ", listed client keys only" : "");
	return (0);
}

static int
publish_open_zmq(struct publisher *pub, const struct config *cfg, char *err,
    size_t errlen)
{
	int	hwm = cfg->zmq_sndhwm, one = 1, linger = PUBLISH_LINGER_MS;

	pub->zctx = zmq_ctx_new();
	/* XPUB: we see subscriptions, and NODROP makes HWM drops countable. */
	pub->zsock = zmq_socket(pub->zctx, ZMQ_XPUB);
	if (pub->zsock != NULL && publish_curve(pub, cfg, err, errlen) != 0)
		return (-1);
	if (pub->zsock == NULL ||
	    zmq_setsockopt(pub->zsock, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_XPUB_NODROP, &one, sizeof one) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
	    zmq_bind(pub->zsock, cfg->zmq_endpoint) != 0) {
		snprintf(err, errlen, "zmq %s: %s", cfg->zmq_endpoint,
		    zmq_strerror(zmq_errno()));
		return (-1);
	}
	return (0);
}

struct publisher *
publish_create(const struct config *cfg, int line_buffered, char *err,
    size_t errlen)
{
	struct publisher	*pub;

	pub = xcalloc(1, sizeof *pub);
	pub->line_buffered = line_buffered;
	jsonw_init(&pub->out);
	jsonw_init(&pub->topic);
	pub->privacy = privacy_create(cfg);
	if (cfg->zmq_endpoint != NULL &&
	    publish_open_zmq(pub, cfg, err, errlen) == -1) {
		publish_free(pub);
		return (NULL);
	}
	if (cfg->jsonl_path != NULL) {
		if (strcmp(cfg->jsonl_path, "-") == 0)
			pub->jsonl = stdout;
		else if ((pub->jsonl = fopen(cfg->jsonl_path, "a")) != NULL)
			pub->jsonl_owned = 1;
		else {
			snprintf(err, errlen, "%s: %s", cfg->jsonl_path,
			    strerror(errno));
			publish_free(pub);
			return (NULL);
		}
	}
	return (pub);
}

static void
publish_zmq(struct publisher *pub, const char *topic, const char *json,
    size_t len)
{
	if (zmq_send(pub->zsock, topic, strlen(topic),
	    ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1) {
		pub->st.zmq_dropped++;
		return;
	}
	/* Once the first frame is queued, the second cannot fail on HWM. */
	if (zmq_send(pub->zsock, json, len, 0) == -1)
		pub->st.zmq_dropped++;
}

/* {"topic": ..., then the object's own fields. */
static void
publish_jsonl(struct publisher *pub, const char *topic, const char *json,
    size_t len)
{
	jsonw_reset(&pub->topic);
	jsonw_raw(&pub->topic, "{\"topic\":", 9);
	jsonw_quote(&pub->topic, topic);
	jsonw_raw(&pub->topic, ",", 1);
	if (fwrite(pub->topic.buf, 1, pub->topic.len, pub->jsonl) !=
	    pub->topic.len ||
	    fwrite(json + 1, 1, len - 1, pub->jsonl) != len - 1 ||
	    putc('\n', pub->jsonl) == EOF)
		pub->st.jsonl_errors++;
	if (pub->line_buffered)
		fflush(pub->jsonl);
}

/*
 * The envelope every object starts with (type, v, seq, ts), written
 * straight into the output buffer; the caller appends its members.
 */
struct jsonw *
publish_begin(struct publisher *pub, const char *type, int64_t ts_us)
{
	struct jsonw	*w = &pub->out;

	jsonw_reset(w);
	jsonw_raw(w, "{", 1);
	jsonw_str(w, "type", type);
	jsonw_int(w, "v", PUBLISH_SCHEMA_VERSION);
	jsonw_int(w, "seq", (int64_t)++pub->seq);
	jsonw_time(w, "ts", ts_us);
	return (w);
}

void
publish_end(struct publisher *pub, const char *topic)
{
	struct jsonw	*w = &pub->out;

	jsonw_raw(w, "}", 1);
	if (pub->zsock != NULL)
		publish_zmq(pub, topic, w->buf, w->len);
	if (pub->jsonl != NULL)
		publish_jsonl(pub, topic, w->buf, w->len);
	pub->st.sent++;
}

void
publish_send(struct publisher *pub, const char *topic, const char *type,
    int64_t ts_us, json_t *obj)
{
	struct jsonw	*w;
	char		*json = NULL;
	size_t		 len;

	w = publish_begin(pub, type, ts_us);
	/* A failed json_pack gave NULL: the envelope goes out alone. */
	if (obj != NULL && (json = json_dumps(obj, PUBLISH_JSON_FLAGS)) !=
	    NULL && (len = strlen(json)) > 2) {
		json[len - 1] = '\0';
		jsonw_raw(w, ",", 1);
		jsonw_raw(w, json + 1, len - 2);
	}
	free(json);
	json_decref(obj);
	publish_end(pub, topic);
}

void
publish_set_config(struct publisher *pub, const struct config *cfg)
{
	/* Endpoints and keys stay as bound; privacy follows the file. */
	privacy_free(pub->privacy);
	pub->privacy = privacy_create(cfg);
}

const char *
publish_number(const struct publisher *pub, const char *number, char *buf,
    size_t len)
{
	return (privacy_number(pub->privacy, number, buf, len));
}

const char *
publish_uri(const struct publisher *pub, const char *uri, char *buf,
    size_t len)
{
	return (privacy_uri(pub->privacy, uri, buf, len));
}

void
publish_drain(struct publisher *pub)
{
	zmq_msg_t	msg;

	if (pub->zap != NULL)
		pub->st.zmq_refused += (uint64_t)zap_serve(pub->zap);
	if (pub->zsock == NULL)
		return;
	zmq_msg_init(&msg);
	while (zmq_msg_recv(&msg, pub->zsock, ZMQ_DONTWAIT) >= 0) {
		/* XPUB subscription frames: 1 = subscribe, 0 = unsubscribe. */
		if (zmq_msg_size(&msg) > 0 &&
		    *(unsigned char *)zmq_msg_data(&msg) == 1)
			pub->subscriptions++;
	}
	zmq_msg_close(&msg);
}

int
publish_await_subscribers(struct publisher *pub, int n, int timeout_ms)
{
	zmq_pollitem_t	item[2];
	int		waited = 0, step = 50, nitems = 1;

	if (pub->zsock == NULL || n <= 0)
		return (0);
	memset(item, 0, sizeof item);
	item[0].socket = pub->zsock;
	item[0].events = ZMQ_POLLIN;
	if (pub->zap != NULL) {
		/* Subscribers' handshakes wait for the ZAP handler. */
		item[1].socket = zap_socket(pub->zap);
		item[1].events = ZMQ_POLLIN;
		nitems = 2;
	}
	while (pub->subscriptions < n && waited < timeout_ms) {
		if (zmq_poll(item, nitems, step) > 0)
			publish_drain(pub);
		waited += step;
	}
	return (pub->subscriptions >= n ? 0 : -1);
}

const struct publish_stats *
publish_get_stats(const struct publisher *pub)
{
	return (&pub->st);
}

void
publish_free(struct publisher *pub)
{
	if (pub == NULL)
		return;
	if (pub->jsonl != NULL) {
		fflush(pub->jsonl);
		if (pub->jsonl_owned)
			fclose(pub->jsonl);
	}
	if (pub->zsock != NULL)
		zmq_close(pub->zsock);
	zap_free(pub->zap);
	privacy_free(pub->privacy);
	if (pub->zctx != NULL)
		zmq_ctx_term(pub->zctx);
	jsonw_free(&pub->out);
	jsonw_free(&pub->topic);
	free(pub);
}
