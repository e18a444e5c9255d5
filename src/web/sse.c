/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sse.c: the event ring of ccmetrics-web and its Server-Sent Events
 * clients. Each event is formatted once, as its whole SSE frame; a client
 * is a cursor into the ring (and an offset into one frame), so a thousand
 * clients cost no more event memory than one. A client whose unread
 * bytes grow past limits.client_buffer_bytes, or whose next event the
 * ring has already dropped, is cut off and counted. Ids are <site>:<seq>
 * and seq restarts at 1 with each run (boot) of a site's daemon: each
 * event keeps the run it came from, so a Last-Event-ID that more than one
 * run could have issued is never resumed past events the client missed.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "ccmetrics/strmap.h"
#include "ccmetrics/websse.h"
#include "ccmetrics/xmalloc.h"

#define SSE_BOOT_MAX	64

/* The runs (boot ids) of one site's daemon seen since start-up. */
struct sse_site {
	char		 name[WEBCONF_NAME_MAX];
	char		 boot[SSE_BOOT_MAX];
	uint64_t	 run;		/* 1 for the first run seen */
	uint64_t	 prev_max;	/* highest seq of the runs before it */
	uint64_t	 cur_max;	/* highest seq of this run */
};

struct sse_ev {
	uint64_t	 seq;
	uint64_t	 run;		/* its site's run; 0: site not tracked */
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
	char		 intro[224];	/* retry and a notice, sent first */
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
	struct strmap		*sites;		/* name: struct sse_site */
	struct sse_site		**sitev;
	size_t			 nsites;
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
	s->sites = strmap_create();
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

/*
 * The run of site that an event of boot belongs to: a boot other than the
 * last one seen starts a new run. Sites past limits.max_sites are not
 * tracked (run 0): their ids are never resumed, all the ring is replayed.
 */
static uint64_t
sse_site_run(struct sse *s, const char *site, const char *boot, uint64_t seq)
{
	struct sse_site	*st;
	char		 b[SSE_BOOT_MAX];

	snprintf(b, sizeof b, "%s", boot != NULL ? boot : "");
	if ((st = strmap_get(s->sites, site)) == NULL) {
		if (s->nsites >= (size_t)s->wc->max_sites)
			return (0);
		st = xcalloc(1, sizeof *st);
		memcpy(st->name, site, strlen(site) + 1);
		memcpy(st->boot, b, sizeof b);
		st->run = 1;
		s->sitev = xreallocarray(s->sitev, s->nsites + 1,
		    sizeof *s->sitev);
		s->sitev[s->nsites++] = st;
		strmap_put(s->sites, st->name, st);
	} else if (strcmp(st->boot, b) != 0) {
		if (st->cur_max > st->prev_max)
			st->prev_max = st->cur_max;
		st->cur_max = 0;
		st->run++;
		memcpy(st->boot, b, sizeof b);
	}
	if (seq > st->cur_max)
		st->cur_max = seq;
	return (st->run);
}

int
sse_publish(struct sse *s, const char *topic, const char *site,
    const char *boot, uint64_t seq, const char *body, size_t len)
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
	e->run = sse_site_run(s, site, boot, seq);
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

/*
 * The index after the event a Last-Event-ID names, and how it was found:
 * SSE_RESUME_EXACT, SSE_RESUME_REPEAT (several runs of the site's daemon
 * issued that id: resumed after the oldest, so the client may get events
 * twice but misses none) or SSE_RESUME_LOST (the ring's first event).
 *
 * seq restarts with each run, so <site>:<seq> alone does not say which
 * run issued it. When only the site's current run can have (its seq is
 * past every earlier run's), the event is looked up in that run. Else it
 * may come from several runs, and is resumed after its oldest copy in
 * the ring, but only when the ring still holds every copy: its oldest
 * event of the site is of the first run seen, with a seq not past the id's
 * (the ring drops in order, so nothing of any run from there on is gone).
 * Otherwise the client may have been at a copy the ring dropped: all the
 * ring, as for an unknown id.
 */
enum { SSE_RESUME_EXACT, SSE_RESUME_REPEAT, SSE_RESUME_LOST };

static uint64_t
sse_resume_at(const struct sse *s, const char *id, int *how)
{
	const struct sse_ev	*e, *oldest = NULL;
	const struct sse_site	*st;
	const char		*colon = strrchr(id, ':');
	char			*end, name[WEBCONF_NAME_MAX];
	unsigned long long	 seq;
	size_t			 slen, copies = 0;
	uint64_t		 i, at = 0;

	*how = SSE_RESUME_LOST;
	if (colon == NULL || colon[1] == '\0')
		return (s->first);
	slen = (size_t)(colon - id);
	seq = strtoull(colon + 1, &end, 10);
	if (*end != '\0' || slen >= WEBCONF_NAME_MAX)
		return (s->first);
	memcpy(name, id, slen);
	name[slen] = '\0';
	if ((st = strmap_get(s->sites, name)) == NULL)
		return (s->first);
	if (seq <= st->cur_max && (st->run == 1 || seq > st->prev_max)) {
		/* Only the current run issued it. */
		for (i = s->next; i > s->first; i--) {
			e = sse_at(s, i - 1);
			if (e->run == st->run && e->seq == seq &&
			    strcmp(e->site, name) == 0) {
				*how = SSE_RESUME_EXACT;
				return (i);
			}
		}
		return (s->first);
	}
	for (i = s->first; i < s->next; i++) {
		e = sse_at(s, i);
		if (strcmp(e->site, name) != 0)
			continue;
		if (oldest == NULL)
			oldest = e;
		if (e->seq == seq && copies++ == 0)
			at = i + 1;
	}
	if (oldest == NULL || oldest->run != 1 || oldest->seq > seq ||
	    copies == 0)
		return (s->first);
	*how = copies == 1 ? SSE_RESUME_EXACT : SSE_RESUME_REPEAT;
	return (at);
}

struct sse_client *
sse_client_open(struct sse *s, void *conn, const char *last_event_id,
    char prefixes[][SSE_PREFIX_MAX], size_t nprefixes)
{
	struct sse_client	*c = xcalloc(1, sizeof *c);
	int			 how = SSE_RESUME_EXACT, n;
	size_t			 i;

	c->conn = conn;
	for (i = 0; i < nprefixes && i < SSE_MAX_PREFIXES; i++)
		memcpy(c->prefixes[i], prefixes[i], SSE_PREFIX_MAX);
	c->nprefixes = i;
	if (last_event_id != NULL)
		c->cursor = sse_resume_at(s, last_event_id, &how);
	else
		c->cursor = s->next;
	c->joined = s->total;
	/* A reconnecting browser waits 2 s; say when events were lost. */
	n = snprintf(c->intro, sizeof c->intro, "retry: 2000\n%s\n",
	    how == SSE_RESUME_EXACT ? "" : how == SSE_RESUME_REPEAT ?
	    ": Last-Event-ID issued by more than one run of the site's "
	    "daemon (it restarted): resuming after the oldest, events may "
	    "come twice\n" :
	    ": Last-Event-ID not in the ring: events were lost, "
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
	size_t			 i;

	if (s == NULL)
		return;
	while (s->next > s->first)
		sse_drop_oldest(s);
	while ((c = TAILQ_FIRST(&s->clients)) != NULL)
		sse_client_close(s, c);
	for (i = 0; i < s->nsites; i++)
		free(s->sitev[i]);
	free(s->sitev);
	strmap_free(s->sites);
	free(s->ev);
	free(s);
}
