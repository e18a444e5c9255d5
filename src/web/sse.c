/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sse.c: the event ring of ccmetrics-web and its Server-Sent Events
 * clients. Each event is formatted once, as its whole SSE frame; a client
 * is a cursor into the ring (and an offset into one frame), so a thousand
 * clients cost no more event memory than one. A client whose unread
 * bytes grow past limits.client_buffer_bytes, or whose next event the
 * ring has already dropped, is cut off and counted.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "ccmetrics/websse.h"
#include "ccmetrics/xmalloc.h"

struct sse_ev {
	uint64_t	 seq;
	uint64_t	 before;	/* ring bytes published before it */
	char		 site[WEBCONF_NAME_MAX];
	char		 topic[SSE_PREFIX_MAX];
	char		*frame;		/* "id: ...\ndata: ...\n\n" */
	size_t		 len;
};

struct sse_client {
	TAILQ_ENTRY(sse_client) entry;
	void		*conn;
	char		 prefixes[SSE_MAX_PREFIXES][SSE_PREFIX_MAX];
	size_t		 nprefixes;
	uint64_t	 cursor;	/* index of the next event */
	size_t		 off;		/* bytes of it already sent */
	uint64_t	 joined;	/* ring bytes when it connected */
	char		 intro[160];	/* retry and a notice, sent first */
	size_t		 intro_len, intro_off;
	int		 keepalive;	/* a comment is due */
	int		 waiting;	/* suspended until there is data */
	int		 cut;
};

TAILQ_HEAD(sse_clients, sse_client);

struct sse {
	const struct webconf	*wc;
	struct sse_hooks	 hooks;
	struct sse_ev		*ev;		/* ev[i % cap] is event i */
	size_t			 cap;
	uint64_t		 first, next;	/* events [first, next) */
	uint64_t		 bytes;		/* held by those */
	uint64_t		 total;		/* bytes ever published */
	struct sse_clients	 clients;
	struct sse_stats	 st;
	int64_t			 next_keepalive_ms;
};

static int
sse_safe(const char *s, size_t n, const char *allowed)
{
	return (n > 0 && n < SSE_PREFIX_MAX && strspn(s, allowed) == n);
}

#define SSE_NAME_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789_.+-"

int
sse_topic_wanted(const char *topic)
{
	return (strncmp(topic, "rt.", 3) == 0 ||
	    strncmp(topic, "agent.state.", 12) == 0 ||
	    strncmp(topic, "interval.", 9) == 0);
}

struct sse *
sse_create(const struct webconf *wc, const struct sse_hooks *hooks)
{
	struct sse	*s = xcalloc(1, sizeof *s);

	s->wc = wc;
	s->hooks = *hooks;
	TAILQ_INIT(&s->clients);
	return (s);
}

static struct sse_ev *
sse_at(const struct sse *s, uint64_t i)
{
	return (&s->ev[i % s->cap]);
}

static void
sse_drop_oldest(struct sse *s)
{
	struct sse_ev	*e = sse_at(s, s->first);

	s->bytes -= e->len;
	free(e->frame);
	e->frame = NULL;
	s->first++;
}

/* Room for one more event: grow up to events.ring, else drop the oldest. */
static void
sse_make_room(struct sse *s, size_t len)
{
	struct sse_ev	*nev;
	size_t		 ncap;
	uint64_t	 i;

	while (s->next > s->first &&
	    (s->next - s->first >= s->wc->events_ring ||
	    s->bytes + len > s->wc->events_ring_bytes))
		sse_drop_oldest(s);
	if (s->next - s->first < s->cap)
		return;
	ncap = s->cap == 0 ? 64 : s->cap * 2;
	if (ncap > s->wc->events_ring)
		ncap = s->wc->events_ring;
	nev = xcalloc(ncap, sizeof *nev);
	for (i = s->first; i < s->next; i++)
		nev[i % ncap] = *sse_at(s, i);
	free(s->ev);
	s->ev = nev;
	s->cap = ncap;
}

/* Ring bytes the client has not read, counted from when it joined. */
static uint64_t
sse_unread(const struct sse *s, const struct sse_client *c)
{
	uint64_t	at;

	at = c->cursor < s->next ? sse_at(s, c->cursor)->before + c->off :
	    s->total;
	if (at < c->joined)
		at = c->joined;
	return (s->total - at);
}

static void
sse_cut(struct sse *s, struct sse_client *c)
{
	if (c->cut)
		return;
	c->cut = 1;
	s->st.cut++;
	s->hooks.cut(c->conn);
	if (c->waiting) {
		c->waiting = 0;
		s->hooks.wake(c->conn);
	}
}

int
sse_publish(struct sse *s, const char *topic, const char *site, uint64_t seq,
    const char *body, size_t len)
{
	struct sse_client	*c;
	struct sse_ev		*e;
	char			 head[WEBCONF_NAME_MAX + SSE_PREFIX_MAX + 64];
	size_t			 tlen = strlen(topic), hlen, flen;
	int			 n;

	/* Nothing that could end a line or a JSON string early. */
	if (!sse_safe(topic, tlen, SSE_NAME_CHARS) ||
	    !sse_safe(site, strlen(site), SSE_NAME_CHARS) || len < 2 ||
	    body[0] != '{' || body[len - 1] != '}' ||
	    memchr(body, '\n', len) != NULL || memchr(body, '\r', len) != NULL)
		return (-1);
	/* The JSON-lines form of the object: {"topic": ..., ...the object}. */
	n = snprintf(head, sizeof head, "id: %s:%llu\ndata: {\"topic\":\"%s\"%s",
	    site, (unsigned long long)seq, topic, len > 2 ? "," : "");
	if (n < 0 || (size_t)n >= sizeof head)
		return (-1);
	hlen = (size_t)n;
	flen = hlen + (len - 1) + 2;
	if (flen > s->wc->events_ring_bytes)
		return (-1);
	sse_make_room(s, flen);
	e = sse_at(s, s->next);
	memset(e, 0, sizeof *e);
	e->seq = seq;
	e->before = s->total;
	memcpy(e->site, site, strlen(site) + 1);
	memcpy(e->topic, topic, tlen + 1);
	e->frame = xmalloc(flen);
	memcpy(e->frame, head, hlen);
	memcpy(e->frame + hlen, body + 1, len - 1);
	memcpy(e->frame + hlen + len - 1, "\n\n", 2);
	e->len = flen;
	s->next++;
	s->bytes += flen;
	s->total += flen;
	s->st.published++;

	TAILQ_FOREACH(c, &s->clients, entry) {
		if (c->cut)
			continue;
		/* Behind by more than the bound before this event. */
		if (c->cursor < s->first ||
		    sse_unread(s, c) - flen > s->wc->client_buffer_bytes) {
			sse_cut(s, c);
			continue;
		}
		if (c->waiting) {
			c->waiting = 0;
			s->hooks.wake(c->conn);
		}
	}
	return (0);
}

/* The index after the event a Last-Event-ID names; first when unknown. */
static uint64_t
sse_resume_at(const struct sse *s, const char *id, int *found)
{
	const struct sse_ev	*e;
	const char		*colon = strrchr(id, ':');
	char			*end;
	unsigned long long	 seq;
	size_t			 slen;
	uint64_t		 i;

	*found = 0;
	if (colon == NULL || colon[1] == '\0')
		return (s->first);
	slen = (size_t)(colon - id);
	seq = strtoull(colon + 1, &end, 10);
	if (*end != '\0' || slen >= WEBCONF_NAME_MAX)
		return (s->first);
	for (i = s->next; i > s->first; i--) {
		e = sse_at(s, i - 1);
		if (e->seq == seq && strncmp(e->site, id, slen) == 0 &&
		    e->site[slen] == '\0') {
			*found = 1;
			return (i);
		}
	}
	return (s->first);
}

struct sse_client *
sse_client_open(struct sse *s, void *conn, const char *last_event_id,
    char prefixes[][SSE_PREFIX_MAX], size_t nprefixes)
{
	struct sse_client	*c = xcalloc(1, sizeof *c);
	int			 found = 1, n;
	size_t			 i;

	c->conn = conn;
	for (i = 0; i < nprefixes && i < SSE_MAX_PREFIXES; i++)
		memcpy(c->prefixes[i], prefixes[i], SSE_PREFIX_MAX);
	c->nprefixes = i;
	if (last_event_id != NULL)
		c->cursor = sse_resume_at(s, last_event_id, &found);
	else
		c->cursor = s->next;
	c->joined = s->total;
	/* A reconnecting browser waits 2 s; say when events were lost. */
	n = snprintf(c->intro, sizeof c->intro, "retry: 2000\n%s\n",
	    found ? "" : ": Last-Event-ID not in the ring: events were lost, "
	    "replaying all that are kept\n");
	c->intro_len = n > 0 ? (size_t)n : 0;
	TAILQ_INSERT_TAIL(&s->clients, c, entry);
	s->st.clients++;
	s->st.connects++;
	return (c);
}

static int
sse_matches(const struct sse_client *c, const char *topic)
{
	size_t	i;

	if (c->nprefixes == 0)
		return (1);
	for (i = 0; i < c->nprefixes; i++)
		if (strncmp(topic, c->prefixes[i], strlen(c->prefixes[i])) == 0)
			return (1);
	return (0);
}

ssize_t
sse_client_read(struct sse *s, struct sse_client *c, char *buf, size_t max)
{
	const struct sse_ev	*e;
	size_t			 got = 0, n;

	if (c->cut)
		return (-1);
	if (c->cursor < s->first) {
		/* The ring dropped what it was to read next. */
		sse_cut(s, c);
		return (-1);
	}
	c->waiting = 0;
	if (c->intro_off < c->intro_len) {
		n = c->intro_len - c->intro_off;
		n = n < max ? n : max;
		memcpy(buf, c->intro + c->intro_off, n);
		c->intro_off += n;
		got += n;
	}
	while (got < max && c->cursor < s->next) {
		e = sse_at(s, c->cursor);
		if (c->off == 0 && !sse_matches(c, e->topic)) {
			c->cursor++;
			continue;
		}
		n = e->len - c->off;
		n = n < max - got ? n : max - got;
		memcpy(buf + got, e->frame + c->off, n);
		got += n;
		c->off += n;
		if (c->off == e->len) {
			c->off = 0;
			c->cursor++;
		}
	}
	if (got == 0 && c->keepalive && max >= 3) {
		memcpy(buf, ":\n\n", 3);
		got = 3;
	}
	if (got > 0)
		c->keepalive = 0;
	return ((ssize_t)got);
}

void
sse_client_wait(struct sse_client *c)
{
	c->waiting = 1;
}

void
sse_client_close(struct sse *s, struct sse_client *c)
{
	TAILQ_REMOVE(&s->clients, c, entry);
	s->st.clients--;
	free(c);
}

void
sse_tick(struct sse *s, int64_t now_ms)
{
	struct sse_client	*c;

	if (now_ms < s->next_keepalive_ms)
		return;
	s->next_keepalive_ms = now_ms + (int64_t)s->wc->events_keepalive_s *
	    1000;
	TAILQ_FOREACH(c, &s->clients, entry) {
		c->keepalive = 1;
		if (c->waiting) {
			c->waiting = 0;
			s->hooks.wake(c->conn);
		}
	}
}

void
sse_wake_all(struct sse *s)
{
	struct sse_client	*c;

	TAILQ_FOREACH(c, &s->clients, entry) {
		if (c->waiting) {
			c->waiting = 0;
			s->hooks.wake(c->conn);
		}
	}
}

void
sse_get_stats(const struct sse *s, struct sse_stats *st)
{
	*st = s->st;
	st->ring_events = s->next - s->first;
	st->ring_bytes = s->bytes;
}

void
sse_free(struct sse *s)
{
	struct sse_client	*c;

	if (s == NULL)
		return;
	while (s->next > s->first)
		sse_drop_oldest(s);
	while ((c = TAILQ_FIRST(&s->clients)) != NULL)
		sse_client_close(s, c);
	free(s->ev);
	free(s);
}
