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
};

void
publish_format_time(int64_t ts_us, char *buf, size_t len)
{
	struct tm	tm;
	time_t		secs;
	int64_t		ms;

	ms = ts_us >= 0 ? ts_us / 1000 : -((-ts_us + 999) / 1000);
	secs = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms - (int64_t)secs * 1000));
}

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
publish_zmq(struct publisher *pub, const char *topic, const char *json)
{
	if (zmq_send(pub->zsock, topic, strlen(topic),
	    ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1) {
		pub->st.zmq_dropped++;
		return;
	}
	/* Once the first frame is queued, the second cannot fail on HWM. */
	if (zmq_send(pub->zsock, json, strlen(json), 0) == -1)
		pub->st.zmq_dropped++;
}

static void
publish_jsonl(struct publisher *pub, const char *topic, const char *json)
{
	json_t	*jt;
	char	*t;

	/* {"topic": ..., then the object's own fields. */
	jt = json_string(topic);
	t = json_dumps(jt, JSON_ENCODE_ANY);
	json_decref(jt);
	if (t == NULL)
		return;
	if (fprintf(pub->jsonl, "{\"topic\":%s,%s\n", t, json + 1) < 0)
		pub->st.jsonl_errors++;
	if (pub->line_buffered)
		fflush(pub->jsonl);
	free(t);
}

void
publish_send(struct publisher *pub, const char *topic, const char *type,
    int64_t ts_us, json_t *obj)
{
	json_t	*out;
	char	 ts[32], *json;

	publish_format_time(ts_us, ts, sizeof ts);
	out = json_pack("{s:s, s:i, s:I, s:s}", "type", type,
	    "v", PUBLISH_SCHEMA_VERSION, "seq", (json_int_t)++pub->seq,
	    "ts", ts);
	json_object_update(out, obj);
	json_decref(obj);
	json = json_dumps(out, PUBLISH_JSON_FLAGS);
	json_decref(out);
	if (json == NULL)
		return;
	if (pub->zsock != NULL)
		publish_zmq(pub, topic, json);
	if (pub->jsonl != NULL)
		publish_jsonl(pub, topic, json);
	pub->st.sent++;
	free(json);
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
	free(pub);
}
