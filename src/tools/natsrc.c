/* SPDX-License-Identifier: BSD-2-Clause */
/* natsrc.c: the recorder's JetStream source: a durable pull consumer, acknowledged after commit. */
#include "config.h"

#include <nats/nats.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/log.h"
#include "ccmetrics/natsrc.h"
#include "ccmetrics/xmalloc.h"

#define NATSRC_TOPIC_MAX	512
#define NATSRC_SITE_MAX		128
#define NATSRC_RECONNECT_MS	1000
#define NATSRC_MAX_ACK_PENDING	20000
#define NATSRC_ACK_FLUSH_MS	5000

struct natsrc {
	natsConnection		*nc;
	jsCtx			*js;
	natsSubscription	*sub;
	char			*prefix;
	char			*where;		/* url stream/durable */
	/* Fetched lists whose messages are not acknowledged yet. */
	natsMsgList		*lists;
	size_t			 nlists, held;
	bool			 away;		/* fetches failing: logged */
	struct natsrc_stats	 st;
};

static void
set_err(char *err, size_t errlen, const char *what, natsStatus s,
    jsErrCode jerr)
{
	const char	*last = nats_GetLastError(NULL);

	snprintf(err, errlen, "%s: %s%s%s", what, natsStatus_GetText(s),
	    last != NULL && *last != '\0' ? ": " : "",
	    last != NULL ? last : "");
	if (jerr != 0)
		snprintf(err + strlen(err), errlen - strlen(err),
		    " (JetStream error %d)", (int)jerr);
}

/* The durable, created when missing: every message, explicit acks. */
static natsStatus
ensure_consumer(struct natsrc *ns, const char *stream, const char *durable,
    int ack_wait_s, jsErrCode *jerr)
{
	jsConsumerInfo		*ci = NULL;
	jsConsumerConfig	 cc;
	natsStatus		 s;

	s = js_GetConsumerInfo(&ci, ns->js, stream, durable, NULL, jerr);
	if (s == NATS_OK) {
		jsConsumerInfo_Destroy(ci);
		return (NATS_OK);
	}
	if (s != NATS_NOT_FOUND)
		return (s);
	jsConsumerConfig_Init(&cc);
	cc.Durable = durable;
	cc.DeliverPolicy = js_DeliverAll;
	cc.AckPolicy = js_AckExplicit;
	cc.AckWait = (int64_t)ack_wait_s * 1000000000LL;
	cc.MaxAckPending = NATSRC_MAX_ACK_PENDING;
	s = js_AddConsumer(&ci, ns->js, stream, &cc, NULL, jerr);
	if (s == NATS_OK) {
		log_info("created the durable consumer %s of stream %s",
		    durable, stream);
		jsConsumerInfo_Destroy(ci);
	}
	return (s);
}

struct natsrc *
natsrc_open(const char *url, const char *stream, const char *durable,
    const char *prefix, int ack_wait_s, char *err, size_t errlen)
{
	struct natsrc	*ns;
	natsOptions	*opts = NULL;
	jsSubOptions	 so;
	jsErrCode	 jerr = 0;
	natsStatus	 s;
	size_t		 wlen;

	ns = xcalloc(1, sizeof *ns);
	ns->prefix = xstrdup(prefix);
	wlen = strlen(url) + strlen(stream) + strlen(durable) + 32;
	ns->where = xmalloc(wlen);
	snprintf(ns->where, wlen, "NATS %s stream %s consumer %s", url,
	    stream, durable);
	if ((s = natsOptions_Create(&opts)) != NATS_OK ||
	    (s = natsOptions_SetURL(opts, url)) != NATS_OK ||
	    (s = natsOptions_SetName(opts, "ccmetrics-sub")) != NATS_OK ||
	    /* Once connected, reconnect for ever: the stream keeps messages. */
	    (s = natsOptions_SetMaxReconnect(opts, -1)) != NATS_OK ||
	    (s = natsOptions_SetReconnectWait(opts, NATSRC_RECONNECT_MS)) !=
	    NATS_OK) {
		set_err(err, errlen, url, s, 0);
		goto fail;
	}
	if ((s = natsConnection_Connect(&ns->nc, opts)) != NATS_OK) {
		set_err(err, errlen, url, s, 0);
		goto fail;
	}
	if ((s = natsConnection_JetStream(&ns->js, ns->nc, NULL)) != NATS_OK) {
		set_err(err, errlen, url, s, 0);
		goto fail;
	}
	if ((s = ensure_consumer(ns, stream, durable, ack_wait_s, &jerr)) !=
	    NATS_OK) {
		set_err(err, errlen, ns->where, s, jerr);
		goto fail;
	}
	jsSubOptions_Init(&so);
	so.Stream = stream;
	so.Consumer = durable;
	if ((s = js_PullSubscribe(&ns->sub, ns->js, NULL, durable, NULL, &so,
	    &jerr)) != NATS_OK) {
		set_err(err, errlen, ns->where, s, jerr);
		goto fail;
	}
	natsOptions_Destroy(opts);
	log_info("reading %s", ns->where);
	return (ns);
fail:
	natsOptions_Destroy(opts);
	natsrc_close(ns);
	return (NULL);
}

/* "<prefix>.<site>.<topic>": topic and site; else the subject as topic. */
static void
split_subject(const struct natsrc *ns, const char *subject, char *topic,
    size_t tlen, char *site, size_t slen, bool *has_site)
{
	size_t		 plen = strlen(ns->prefix);
	const char	*rest, *dot;

	*has_site = false;
	if (strncmp(subject, ns->prefix, plen) == 0 && subject[plen] == '.' &&
	    (dot = strchr(subject + plen + 1, '.')) != NULL &&
	    (size_t)(dot - (subject + plen + 1)) < slen) {
		rest = subject + plen + 1;
		snprintf(site, slen, "%.*s", (int)(dot - rest), rest);
		snprintf(topic, tlen, "%s", dot + 1);
		*has_site = true;
		return;
	}
	snprintf(topic, tlen, "%s", subject);
}

int
natsrc_fetch(struct natsrc *ns, int batch, int timeout_ms, natsrc_sink sink,
    void *arg)
{
	natsMsgList	 list;
	jsErrCode	 jerr = 0;
	natsStatus	 s;
	char		 topic[NATSRC_TOPIC_MAX], site[NATSRC_SITE_MAX];
	bool		 has_site;
	int		 i;

	memset(&list, 0, sizeof list);
	s = natsSubscription_Fetch(&list, ns->sub, batch, timeout_ms, &jerr);
	/*
	 * libnats 3.4 can count more messages than the batch it allocated
	 * (seen under ASan after a fetch error and a reconnect): never read
	 * past the batch, and skip empty slots.
	 */
	if (list.Count > batch)
		list.Count = batch;
	if (list.Msgs == NULL)
		list.Count = 0;
	if (s == NATS_TIMEOUT && list.Count == 0) {
		if (ns->away)
			log_info("%s: fetching again", ns->where);
		ns->away = false;
		return (0);
	}
	if (s != NATS_OK && list.Count == 0) {
		ns->st.fetch_errors++;
		if (!ns->away)
			log_err("%s: fetch: %s; trying again", ns->where,
			    natsStatus_GetText(s));
		ns->away = true;
		natsMsgList_Destroy(&list);
		return (-1);
	}
	if (ns->away)
		log_info("%s: fetching again", ns->where);
	ns->away = false;
	for (i = 0; i < list.Count; i++) {
		natsMsg *m = list.Msgs[i];

		if (m == NULL)
			continue;
		split_subject(ns, natsMsg_GetSubject(m), topic, sizeof topic,
		    site, sizeof site, &has_site);
		sink(arg, topic, has_site ? site : NULL, natsMsg_GetData(m),
		    (size_t)natsMsg_GetDataLength(m));
	}
	ns->st.messages += (uint64_t)list.Count;
	ns->lists = xreallocarray(ns->lists, ns->nlists + 1,
	    sizeof *ns->lists);
	ns->lists[ns->nlists++] = list;
	ns->held += (size_t)list.Count;
	return (list.Count);
}

size_t
natsrc_held(const struct natsrc *ns)
{
	return (ns->held);
}

size_t
natsrc_fetches(const struct natsrc *ns)
{
	return (ns->nlists);
}

void
natsrc_ack_fetches(struct natsrc *ns, size_t count)
{
	size_t	i;
	int	j;

	if (count > ns->nlists)
		count = ns->nlists;
	for (i = 0; i < count; i++) {
		for (j = 0; j < ns->lists[i].Count; j++)
			if (ns->lists[i].Msgs[j] != NULL &&
			    natsMsg_Ack(ns->lists[i].Msgs[j], NULL) == NATS_OK)
				ns->st.acked++;
		ns->held -= (size_t)ns->lists[i].Count;
		natsMsgList_Destroy(&ns->lists[i]);
	}
	/*
	 * An ack lost on the way only brings the message again, which the
	 * upsert makes harmless; flushing makes that rare.
	 */
	if (count == 0)
		return;
	(void)natsConnection_FlushTimeout(ns->nc, NATSRC_ACK_FLUSH_MS);
	memmove(ns->lists, ns->lists + count,
	    (ns->nlists - count) * sizeof *ns->lists);
	ns->nlists -= count;
}

void
natsrc_ack(struct natsrc *ns)
{
	natsrc_ack_fetches(ns, ns->nlists);
}

const struct natsrc_stats *
natsrc_get_stats(const struct natsrc *ns)
{
	return (&ns->st);
}

void
natsrc_close(struct natsrc *ns)
{
	size_t	i;

	if (ns == NULL)
		return;
	for (i = 0; i < ns->nlists; i++)
		natsMsgList_Destroy(&ns->lists[i]);
	free(ns->lists);
	if (ns->sub != NULL)
		natsSubscription_Destroy(ns->sub);
	if (ns->js != NULL)
		jsCtx_Destroy(ns->js);
	if (ns->nc != NULL)
		natsConnection_Destroy(ns->nc);
	free(ns->prefix);
	free(ns->where);
	free(ns);
}
