/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * natspub.c: every published object also to NATS JetStream (DESIGN.md 8),
 * subject <prefix>.<site>.<topic>, header Nats-Msg-Id <site>-<boot>-<seq>,
 * through a bounded queue that a thread of its own empties: capture never
 * waits on the network. libnats runs threads of its own anyway (reading,
 * flushing, reconnecting, callbacks); this one owns every call into it
 * after start-up, the main thread only queues under the mutex.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "ccmetrics/log.h"
#include "ccmetrics/natspub.h"
#include "ccmetrics/xmalloc.h"

#define NP_WINDOW		1024	/* publishes awaiting their ack */
#define NP_ACK_WAIT_MS		5000	/* an ack not back by then: again */
#define NP_BACKOFF_MIN_MS	100	/* failed publishes and reconnects */
#define NP_BACKOFF_MAX_MS	2000
#define NP_IDLE_WAIT_MS		100	/* the thread looks again at least */
#define NP_DRAIN_IDLE_MS	5000	/* exit: no ack for this long, or */
#define NP_DRAIN_MAX_MS		60000	/*   this in all: the rest is lost */
#define NP_PING_MS		10000	/* a dead server found in ~30 s */
#define NP_ERR_MAX		160
#define NP_CLOSE_WAIT_MS	5000	/* libnats's own threads to end */
#define NP_PEM_MAX		(1024 * 1024)	/* a PEM file */
#define NP_ID_MAX		(CONFIG_NAME_MAX + 64)

/* One object not yet handed to libnats: subject, NUL, body. */
struct np_entry {
	struct np_entry	*next;
	uint64_t	 seq;
	size_t		 sublen;
	size_t		 len;
	char		 data[];
};

struct natspub {
	pthread_t	 thread;
	int		 started;
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cond;

	/* Under mtx. */
	struct np_entry	*head, *tail;	/* queued, never sent */
	natsMsg		**retry;	/* sent, failed: to be sent again */
	size_t		 nretry, retry_cap;
	int64_t		 retry_at_ms;	/* monotonic; 0: at once */
	int		 backoff_ms;
	size_t		 inflight;	/* in libnats, awaiting an ack */
	int		 stop;
	int64_t		 progress_ms;	/* the last ack */
	struct natspub_stats st;
	uint64_t	 connects, disconnects;
	int		 not_yet;	/* the first connect failed */
	int		 dead;		/* the thread could not start libnats */
	char		 last_err[NP_ERR_MAX];	/* of a failed attempt */
	char		 last_reject[NP_ERR_MAX];

	/* The main thread's view, for its log lines. */
	uint64_t	 seen_connects, seen_disconnects, seen_errors;
	uint64_t	 seen_rejected, seen_dropped;
	int		 dropping;

	/* Set at start-up, read-only after. */
	char		*url;
	char		*cfg_url;
	char		*tls_ca, *tls_cert, *tls_key;	/* PEM text, read at
							   start-up */
	char		*creds, *user, *password, *token;
	char		*prefix;	/* "<subject_prefix>.<site>." */
	char		 id_prefix[NP_ID_MAX];	/* "<site>-<boot>-" */
	size_t		 max_pending;
	natsOptions	*opts;
	natsConnection	*nc;		/* the thread's */
	jsCtx		*js;
};

static int64_t
np_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Wait on the condition up to ms; mtx held. */
static void
np_wait(struct natspub *np, int ms)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&np->cond, &np->mtx, &ts);
}

/* Keep a failed message to send again after the back-off; mtx held. */
static void
np_retry_later(struct natspub *np, natsMsg *m, const char *why)
{
	int64_t	now = np_now_ms();

	if (np->nretry == np->retry_cap) {
		np->retry_cap = np->retry_cap != 0 ? np->retry_cap * 2 : 64;
		np->retry = xreallocarray(np->retry, np->retry_cap,
		    sizeof *np->retry);
	}
	np->retry[np->nretry++] = m;
	np->st.errors++;
	snprintf(np->last_err, sizeof np->last_err, "%s", why);
	if (np->retry_at_ms <= now) {
		np->retry_at_ms = now + np->backoff_ms;
		np->backoff_ms = np->backoff_ms * 2 > NP_BACKOFF_MAX_MS ?
		    NP_BACKOFF_MAX_MS : np->backoff_ms * 2;
	}
}

/*
 * JetStream's answer to one publish, on a libnats thread. Stored (or a
 * duplicate of one stored): done. An error from the stream itself
 * (ErrCode: full, message too large, ...): refused for good, counted.
 * Anything else (no ack in time, no stream listening yet, connection
 * lost): sent again later; the Msg-Id makes that safe.
 */
static void
np_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae,
    void *closure)
{
	struct natspub	*np = closure;
	natsMsg		*done = msg;

	(void)js;
	pthread_mutex_lock(&np->mtx);
	if (np->inflight > 0)
		np->inflight--;
	if (pa != NULL) {
		np->st.published++;
		if (pa->Duplicate)
			np->st.duplicates++;
		np->st.pending--;
		np->backoff_ms = NP_BACKOFF_MIN_MS;
		np->progress_ms = np_now_ms();
	} else if (pae != NULL && pae->ErrCode != 0) {
		np->st.rejected++;
		np->st.pending--;
		snprintf(np->last_reject, sizeof np->last_reject,
		    "%s (JetStream error %d)", pae->ErrText != NULL ?
		    pae->ErrText : natsStatus_GetText(pae->Err),
		    (int)pae->ErrCode);
	} else {
		np_retry_later(np, msg, pae != NULL ?
		    natsStatus_GetText(pae->Err) : "no acknowledgement");
		done = NULL;
	}
	pthread_cond_signal(&np->cond);
	pthread_mutex_unlock(&np->mtx);
	if (done != NULL)
		natsMsg_Destroy(done);
}

static void
np_connected(natsConnection *nc, void *closure)
{
	struct natspub	*np = closure;

	(void)nc;
	pthread_mutex_lock(&np->mtx);
	np->connects++;
	np->st.connected = 1;
	pthread_cond_signal(&np->cond);
	pthread_mutex_unlock(&np->mtx);
}

static void
np_reconnected(natsConnection *nc, void *closure)
{
	struct natspub	*np = closure;

	(void)nc;
	pthread_mutex_lock(&np->mtx);
	np->connects++;
	np->st.connected = 1;
	np->st.reconnects++;
	/* What failed while away goes at once. */
	np->retry_at_ms = 0;
	np->backoff_ms = NP_BACKOFF_MIN_MS;
	pthread_cond_signal(&np->cond);
	pthread_mutex_unlock(&np->mtx);
}

static void
np_disconnected(natsConnection *nc, void *closure)
{
	struct natspub	*np = closure;

	(void)nc;
	pthread_mutex_lock(&np->mtx);
	np->disconnects++;
	np->st.connected = 0;
	pthread_mutex_unlock(&np->mtx);
}

/* Reconnect forever: 100 ms, doubling to 2 s, with some jitter. */
static int64_t
np_reconnect_delay(natsConnection *nc, int attempts, void *closure)
{
	int64_t	d = NP_BACKOFF_MIN_MS;

	(void)nc;
	(void)closure;
	while (attempts-- > 1 && d < NP_BACKOFF_MAX_MS)
		d *= 2;
	if (d > NP_BACKOFF_MAX_MS)
		d = NP_BACKOFF_MAX_MS;
	return (d - d / 8 + (int64_t)(np_now_ms() % (d / 4 + 1)));
}

static int
np_options(struct natspub *np, char *err, size_t errlen)
{
	natsStatus	 s;
	const char	*what = "options";

	if ((s = natsOptions_Create(&np->opts)) != NATS_OK)
		goto fail;
	what = "publish.nats.url";
	if ((s = natsOptions_SetURL(np->opts, np->cfg_url)) != NATS_OK)
		goto fail;
	what = "options";
	if ((s = natsOptions_SetName(np->opts, "ccmetricsd")) != NATS_OK ||
	    (s = natsOptions_SetMaxReconnect(np->opts, -1)) != NATS_OK ||
	    (s = natsOptions_SetCustomReconnectDelay(np->opts,
	    np_reconnect_delay, np)) != NATS_OK ||
	    (s = natsOptions_SetRetryOnFailedConnect(np->opts, true,
	    np_connected, np)) != NATS_OK ||
	    (s = natsOptions_SetReconnectedCB(np->opts, np_reconnected,
	    np)) != NATS_OK ||
	    (s = natsOptions_SetDisconnectedCB(np->opts, np_disconnected,
	    np)) != NATS_OK ||
	    (s = natsOptions_SetPingInterval(np->opts, NP_PING_MS)) !=
	    NATS_OK)
		goto fail;
	if (np->tls_ca != NULL || np->tls_cert != NULL ||
	    strncmp(np->cfg_url, "tls://", 6) == 0) {
		if ((s = natsOptions_SetSecure(np->opts, true)) != NATS_OK)
			goto fail;
	}
	what = "publish.nats.tls_ca";
	if (np->tls_ca != NULL && (s =
	    natsOptions_SetCATrustedCertificates(np->opts,
	    np->tls_ca)) != NATS_OK)
		goto fail;
	what = "publish.nats.tls_cert";
	if (np->tls_cert != NULL && (s =
	    natsOptions_SetCertificatesChain(np->opts, np->tls_cert,
	    np->tls_key)) != NATS_OK)
		goto fail;
	what = "publish.nats.creds";
	if (np->creds != NULL && (s =
	    natsOptions_SetUserCredentialsFromFiles(np->opts, np->creds,
	    NULL)) != NATS_OK)
		goto fail;
	what = "publish.nats.user";
	if (np->user != NULL && (s = natsOptions_SetUserInfo(np->opts,
	    np->user, np->password)) != NATS_OK)
		goto fail;
	what = "publish.nats.token";
	if (np->token != NULL && (s = natsOptions_SetToken(np->opts,
	    np->token)) != NATS_OK)
		goto fail;
	return (0);
fail:
	snprintf(err, errlen, "%s: %s%s%s", what, natsStatus_GetText(s),
	    nats_GetLastError(NULL) != NULL ? ": " : "",
	    nats_GetLastError(NULL) != NULL ? nats_GetLastError(NULL) : "");
	return (-1);
}

/*
 * The topic as subject tokens: NATS subjects end tokens at '.', and a
 * space, control character, '*' or '>' (or an empty token) would make
 * another subject or a broken protocol line. Agent ids come from the
 * wire, so each such byte becomes '_'; the body keeps the id as it was.
 */
void
natspub_subject_topic(char *dst, const char *topic, size_t len)
{
	size_t		i;
	unsigned char	c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)topic[i];
		if (c <= ' ' || c == 0x7f || c == '*' || c == '>' ||
		    (c == '.' && (i == 0 || i + 1 == len || topic[i - 1] ==
		    '.')))
			c = '_';
		dst[i] = (char)c;
	}
	dst[len] = '\0';
}

/* A PEM file's text into *out (NULL path: none); -1 and err. */
static int
np_read_pem(const char *key, const char *path, char **out, char *err,
    size_t errlen)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if (path == NULL)
		return (0);
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s: %s", key, path, strerror(errno));
		return (-1);
	}
	buf = xmalloc(NP_PEM_MAX + 1);
	n = fread(buf, 1, NP_PEM_MAX + 1, f);
	if (ferror(f) || n > NP_PEM_MAX || n == 0) {
		snprintf(err, errlen, "%s: %s: %s", key, path, ferror(f) ?
		    strerror(errno) : n == 0 ? "empty" : "larger than 1 MiB");
		fclose(f);
		free(buf);
		return (-1);
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	return (0);
}

/* The URLs for log lines: user, password or token left out. */
static char *
np_redact(const char *url)
{
	char		*out = xmalloc(strlen(url) + 1), *o = out;
	const char	*p = url, *at, *end;

	while (*p != '\0') {
		end = p + strcspn(p, ",");
		at = memchr(p, '@', (size_t)(end - p));
		if (at != NULL && strstr(p, "://") != NULL &&
		    strstr(p, "://") < at) {
			memcpy(o, p, (size_t)(strstr(p, "://") + 3 - p));
			o += strstr(p, "://") + 3 - p;
			p = at + 1;
		}
		memcpy(o, p, (size_t)(end - p));
		o += end - p;
		p = end;
		if (*p == ',')
			*o++ = *p++;
	}
	*o = '\0';
	return (out);
}

/*
 * libnats starts threads of its own when opened, and the daemon forks
 * after start-up: the options are checked here (certificates, keys) and
 * the library closed again; the publishing thread opens it for good.
 */
struct natspub *
natspub_create(const struct config *cfg, const char *site, const char *boot,
    char *err, size_t errlen)
{
	struct natspub		*np;
	pthread_condattr_t	 ca;
	size_t			 plen;
	int			 rc;

	np = xcalloc(1, sizeof *np);
	pthread_mutex_init(&np->mtx, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&np->cond, &ca);
	pthread_condattr_destroy(&ca);
	np->backoff_ms = NP_BACKOFF_MIN_MS;
	np->max_pending = (size_t)cfg->nats_max_pending;
	np->cfg_url = xstrdup(cfg->nats_url);
	np->url = np_redact(cfg->nats_url);
	/*
	 * The PEM files are read now, as the user that starts the daemon:
	 * the publishing thread may run after daemon.user took over.
	 */
	if (np_read_pem("publish.nats.tls_ca", cfg->nats_tls_ca, &np->tls_ca,
	    err, errlen) == -1 || np_read_pem("publish.nats.tls_cert",
	    cfg->nats_tls_cert, &np->tls_cert, err, errlen) == -1 ||
	    np_read_pem("publish.nats.tls_key", cfg->nats_tls_key,
	    &np->tls_key, err, errlen) == -1) {
		natspub_free(np);
		return (NULL);
	}
	np->creds = cfg->nats_creds != NULL ? xstrdup(cfg->nats_creds) : NULL;
	np->user = cfg->nats_user != NULL ? xstrdup(cfg->nats_user) : NULL;
	np->password = cfg->nats_password != NULL ?
	    xstrdup(cfg->nats_password) : NULL;
	np->token = cfg->nats_token != NULL ? xstrdup(cfg->nats_token) : NULL;
	plen = strlen(cfg->nats_subject_prefix) + strlen(site) + 3;
	np->prefix = xmalloc(plen);
	snprintf(np->prefix, plen, "%s.%s.", cfg->nats_subject_prefix, site);
	snprintf(np->id_prefix, sizeof np->id_prefix, "%s-%s-", site, boot);
	/* libnats reads it at each connect only: fail now, not silently. */
	if (np->creds != NULL && access(np->creds, R_OK) != 0) {
		snprintf(err, errlen, "publish.nats.creds: %s: %s", np->creds,
		    strerror(errno));
		natspub_free(np);
		return (NULL);
	}
	if (nats_Open(-1) != NATS_OK) {
		snprintf(err, errlen, "nats: the library does not start");
		natspub_free(np);
		return (NULL);
	}
	rc = np_options(np, err, errlen);
	natsOptions_Destroy(np->opts);
	np->opts = NULL;
	nats_CloseAndWait(NP_CLOSE_WAIT_MS);
	if (rc == -1) {
		natspub_free(np);
		return (NULL);
	}
	return (np);
}

/* The URL for log lines, without user, password or token. */
const char *
natspub_url(const struct natspub *np)
{
	return (np->url);
}

/* Connect (in the background from the first failure on); 0 or stopped. */
static int
np_connect(struct natspub *np)
{
	jsOptions	jo;
	natsStatus	s;
	int		delay = NP_BACKOFF_MIN_MS;

	for (;;) {
		s = natsConnection_Connect(&np->nc, np->opts);
		if (s == NATS_OK || s == NATS_NOT_YET_CONNECTED)
			break;
		np->nc = NULL;
		pthread_mutex_lock(&np->mtx);
		snprintf(np->last_err, sizeof np->last_err, "connect: %s",
		    natsStatus_GetText(s));
		np->st.errors++;
		if (!np->stop)
			np_wait(np, delay);
		if (np->stop) {
			pthread_mutex_unlock(&np->mtx);
			return (-1);
		}
		pthread_mutex_unlock(&np->mtx);
		delay = delay * 2 > NP_BACKOFF_MAX_MS ? NP_BACKOFF_MAX_MS :
		    delay * 2;
	}
	if (s == NATS_OK)
		np_connected(np->nc, np);
	else {
		pthread_mutex_lock(&np->mtx);
		np->not_yet = 1;
		pthread_mutex_unlock(&np->mtx);
	}
	jsOptions_Init(&jo);
	/* Our window is below libnats's: its publish never stalls. */
	jo.PublishAsync.MaxPending = NP_WINDOW * 2;
	jo.PublishAsync.AckHandler = np_ack;
	jo.PublishAsync.AckHandlerClosure = np;
	jo.PublishAsync.StallWait = 1;
	if ((s = natsConnection_JetStream(&np->js, np->nc, &jo)) != NATS_OK) {
		pthread_mutex_lock(&np->mtx);
		snprintf(np->last_err, sizeof np->last_err, "JetStream: %s",
		    natsStatus_GetText(s));
		pthread_mutex_unlock(&np->mtx);
		return (-1);
	}
	return (0);
}

/* A queued object as a message with its Msg-Id; NULL: refused. */
static natsMsg *
np_message(struct natspub *np, const struct np_entry *e)
{
	natsMsg	*m = NULL;
	char	 id[NP_ID_MAX + 24];

	snprintf(id, sizeof id, "%s%" PRIu64, np->id_prefix, e->seq);
	if (natsMsg_Create(&m, e->data, NULL, e->data + e->sublen + 1,
	    (int)e->len) != NATS_OK)
		return (NULL);
	if (natsMsgHeader_Set(m, "Nats-Msg-Id", id) != NATS_OK) {
		natsMsg_Destroy(m);
		return (NULL);
	}
	return (m);
}

/* Hand one message to libnats; on failure it is kept to send again. */
static void
np_publish(struct natspub *np, natsMsg *m)
{
	jsPubOptions	po;
	natsStatus	s;

	jsPubOptions_Init(&po);
	po.MaxWait = NP_ACK_WAIT_MS;
	if ((s = js_PublishMsgAsync(np->js, &m, &po)) == NATS_OK)
		return;
	pthread_mutex_lock(&np->mtx);
	np->inflight--;
	if (s == NATS_MAX_PAYLOAD) {
		/* Larger than the server takes: never will be. */
		np->st.rejected++;
		np->st.pending--;
		snprintf(np->last_reject, sizeof np->last_reject, "%s",
		    natsStatus_GetText(s));
		natsMsg_Destroy(m);
	} else
		np_retry_later(np, m, natsStatus_GetText(s));
	pthread_mutex_unlock(&np->mtx);
}

static int
np_is_connected(struct natspub *np)
{
	return (natsConnection_Status(np->nc) == NATS_CONN_STATUS_CONNECTED);
}

/* The batch to send now, moved out of the queues; mtx held. */
static size_t
np_take(struct natspub *np, natsMsg **batch, struct np_entry **entries,
    size_t max)
{
	size_t		n = 0, i;
	struct np_entry	*e;

	if (np->nretry > 0 && np_now_ms() >= np->retry_at_ms) {
		for (i = 0; i < np->nretry && n < max; i++)
			batch[n++] = np->retry[i];
		memmove(np->retry, np->retry + i,
		    (np->nretry - i) * sizeof *np->retry);
		np->nretry -= i;
	}
	*entries = NULL;
	if (n < max && np->head != NULL) {
		*entries = e = np->head;
		for (i = n + 1; i < max && e->next != NULL; i++)
			e = e->next;
		np->head = e->next;
		if (np->head == NULL)
			np->tail = NULL;
		e->next = NULL;
	}
	return (n);
}

static int
np_done(struct natspub *np, int64_t stop_ms)
{
	int64_t	now = np_now_ms();

	if (np->st.pending == 0)
		return (1);
	return (now - np->progress_ms > NP_DRAIN_IDLE_MS ||
	    now - stop_ms > NP_DRAIN_MAX_MS);
}

static void *
np_main(void *arg)
{
	struct natspub	*np = arg;
	natsMsg		*batch[NP_WINDOW], *m;
	struct np_entry	*entries, *e;
	size_t		 n, i, room;
	int64_t		 stop_ms = 0;
	int		 up;
	char		 err[NP_ERR_MAX] = "";

	if (nats_Open(-1) != NATS_OK || np_options(np, err, sizeof err) == -1) {
		pthread_mutex_lock(&np->mtx);
		snprintf(np->last_err, sizeof np->last_err, "%s",
		    err[0] != '\0' ? err : "the library does not start");
		np->dead = 1;
		pthread_mutex_unlock(&np->mtx);
		return (NULL);
	}
	if (np_connect(np) == -1)
		return (NULL);
	for (;;) {
		up = np_is_connected(np);
		pthread_mutex_lock(&np->mtx);
		if (np->stop && stop_ms == 0) {
			stop_ms = np_now_ms();
			np->progress_ms = stop_ms;
		}
		if (np->stop && np_done(np, stop_ms)) {
			pthread_mutex_unlock(&np->mtx);
			break;
		}
		room = np->inflight < NP_WINDOW ? NP_WINDOW - np->inflight : 0;
		n = 0;
		entries = NULL;
		if (up && room > 0)
			n = np_take(np, batch, &entries, room);
		if (n == 0 && entries == NULL) {
			np_wait(np, NP_IDLE_WAIT_MS);
			pthread_mutex_unlock(&np->mtx);
			continue;
		}
		for (e = entries; e != NULL; e = e->next)
			np->inflight++;
		np->inflight += n;
		pthread_mutex_unlock(&np->mtx);

		for (i = 0; i < n; i++)
			np_publish(np, batch[i]);
		while ((e = entries) != NULL) {
			entries = e->next;
			if ((m = np_message(np, e)) != NULL)
				np_publish(np, m);
			else {
				pthread_mutex_lock(&np->mtx);
				np->inflight--;
				np->st.rejected++;
				np->st.pending--;
				snprintf(np->last_reject,
				    sizeof np->last_reject, "not a valid "
				    "NATS message (subject %.64s)", e->data);
				pthread_mutex_unlock(&np->mtx);
			}
			free(e);
		}
	}
	return (NULL);
}

void
natspub_send(struct natspub *np, const char *topic, uint64_t seq,
    const char *json, size_t len)
{
	struct np_entry	*e;
	sigset_t	 all, old;
	size_t		 plen = strlen(np->prefix), tlen = strlen(topic);

	/* Room is reserved first: only this thread adds. */
	pthread_mutex_lock(&np->mtx);
	if (np->st.pending >= np->max_pending) {
		np->st.dropped++;
		pthread_mutex_unlock(&np->mtx);
		return;
	}
	np->st.pending++;
	pthread_mutex_unlock(&np->mtx);

	e = xmalloc(sizeof *e + plen + tlen + 1 + len);
	e->next = NULL;
	e->seq = seq;
	e->sublen = plen + tlen;
	e->len = len;
	memcpy(e->data, np->prefix, plen);
	natspub_subject_topic(e->data + plen, topic, tlen);
	memcpy(e->data + e->sublen + 1, json, len);

	pthread_mutex_lock(&np->mtx);
	if (np->tail != NULL)
		np->tail->next = e;
	else
		np->head = e;
	np->tail = e;
	if (!np->started) {
		/*
		 * The thread starts with the first object, after any fork;
		 * signals stay the main thread's (they cut its poll() short),
		 * also in the threads libnats starts from this one.
		 */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		if (pthread_create(&np->thread, NULL, np_main, np) == 0)
			np->started = 1;
		else
			log_err("nats: cannot start the publishing thread");
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	pthread_cond_signal(&np->cond);
	pthread_mutex_unlock(&np->mtx);
}

void
natspub_drain(struct natspub *np)
{
	struct natspub_stats	st;
	uint64_t		c, d, e, r;
	char			err[NP_ERR_MAX], rej[NP_ERR_MAX];
	int			not_yet, dead;

	pthread_mutex_lock(&np->mtx);
	not_yet = np->not_yet;
	np->not_yet = 0;
	dead = np->dead;
	np->dead = 0;
	st = np->st;
	c = np->connects;
	d = np->disconnects;
	e = np->st.errors;
	r = np->st.rejected;
	memcpy(err, np->last_err, sizeof err);
	memcpy(rej, np->last_reject, sizeof rej);
	pthread_mutex_unlock(&np->mtx);

	if (dead)
		log_err("nats: cannot start publishing: %s; objects are "
		    "queued, then dropped", err);
	if (not_yet)
		log_warn("nats: %s: cannot connect; retrying, objects wait in "
		    "the queue (publish.nats.max_pending %zu)", np->url,
		    np->max_pending);
	if (d != np->seen_disconnects)
		log_warn("nats: %s: disconnected; reconnecting, objects wait "
		    "in the queue (publish.nats.max_pending %zu)", np->url,
		    np->max_pending);
	if (c != np->seen_connects)
		log_info("nats: %s: connected", np->url);
	if (e != np->seen_errors)
		log_warn("nats: %" PRIu64 " publish attempts failed, to be "
		    "sent again: %s", e - np->seen_errors, err);
	if (r != np->seen_rejected)
		log_err("nats: JetStream refused %" PRIu64 " objects: %s",
		    r - np->seen_rejected, rej);
	if (st.dropped != np->seen_dropped && !np->dropping) {
		log_warn("nats: queue full (publish.nats.max_pending %zu): "
		    "objects are being dropped", np->max_pending);
		np->dropping = 1;
	} else if (st.dropped == np->seen_dropped && np->dropping) {
		log_info("nats: queue has room again; %" PRIu64 " objects "
		    "dropped in all", st.dropped);
		np->dropping = 0;
	}
	np->seen_connects = c;
	np->seen_disconnects = d;
	np->seen_errors = e;
	np->seen_rejected = r;
	np->seen_dropped = st.dropped;
}

void
natspub_get_stats(struct natspub *np, struct natspub_stats *st)
{
	pthread_mutex_lock(&np->mtx);
	*st = np->st;
	pthread_mutex_unlock(&np->mtx);
}

void
natspub_free(struct natspub *np)
{
	struct np_entry	*e;
	size_t		 i;

	if (np == NULL)
		return;
	if (np->started) {
		pthread_mutex_lock(&np->mtx);
		np->stop = 1;
		pthread_cond_signal(&np->cond);
		pthread_mutex_unlock(&np->mtx);
		pthread_join(np->thread, NULL);
		natspub_drain(np);
		(np->st.dropped + np->st.rejected + np->st.pending > 0 ?
		    log_warn : log_info)("nats: %" PRIu64 " objects published "
		    "(%" PRIu64 " duplicates), %" PRIu64 " dropped (queue "
		    "full), %" PRIu64 " refused, %" PRIu64 " unsent at exit; "
		    "%" PRIu64 " reconnects", np->st.published,
		    np->st.duplicates, np->st.dropped, np->st.rejected,
		    np->st.pending, np->st.reconnects);
	}
	if (np->nc != NULL)
		natsConnection_Close(np->nc);
	if (np->js != NULL)
		jsCtx_Destroy(np->js);
	if (np->nc != NULL)
		natsConnection_Destroy(np->nc);
	if (np->opts != NULL)
		natsOptions_Destroy(np->opts);
	pthread_mutex_lock(&np->mtx);
	for (i = 0; i < np->nretry; i++)
		natsMsg_Destroy(np->retry[i]);
	while ((e = np->head) != NULL) {
		np->head = e->next;
		free(e);
	}
	pthread_mutex_unlock(&np->mtx);
	if (np->started)
		nats_CloseAndWait(NP_CLOSE_WAIT_MS);
	free(np->retry);
	free(np->url);
	free(np->cfg_url);
	free(np->tls_ca);
	free(np->tls_cert);
	if (np->tls_key != NULL)
		explicit_bzero(np->tls_key, strlen(np->tls_key));
	free(np->tls_key);
	free(np->creds);
	free(np->user);
	free(np->password);
	free(np->token);
	free(np->prefix);
	pthread_cond_destroy(&np->cond);
	pthread_mutex_destroy(&np->mtx);
	free(np);
}
