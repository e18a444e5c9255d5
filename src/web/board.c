/* SPDX-License-Identifier: BSD-2-Clause */
/* board.c: the wallboard's state per site, queue and agent (/state.json). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ccmetrics/board.h"
#include "ccmetrics/strmap.h"
#include "ccmetrics/xmalloc.h"

#define BOARD_NAME_MAX		WEBCONF_NAME_MAX
#define BOARD_BOOT_MAX		40
#define BOARD_STATE_MAX		16
#define BOARD_AGENT_QUEUES	256	/* "sales,support": bytes kept */
#define BOARD_TODAY_MAX		1536	/* interval records per queue and day:
					   1440 one-minute ones and restarts */
/*
 * Today's interval records over all queues, at most this many per
 * max_queues_total (one day of 15-minute intervals each): a feed cannot
 * make every queue hold BOARD_TODAY_MAX. Past it a record's sums still
 * count, unkeyed (intervals_unkeyed).
 */
#define BOARD_TODAY_PER_QUEUE	96

/* The rt.queue fields the board keeps; absent ones stay NaN (null). */
static const char *const board_rt_fields[] = {
	"waiting", "longest_wait_s", "talking", "on_hold",
	"agents_staffed", "agents_available", "agents_ringing",
	"agents_on_call", "agents_busy_other", "agents_wrapup",
	"agents_paused",
};
#define BOARD_RT_N	(sizeof board_rt_fields / sizeof board_rt_fields[0])

/* The additive fields of interval.queue (DESIGN 4) the tiles need. */
struct board_sums {
	double	 offered;
	double	 answered;
	double	 answered_within_sl;
	double	 abandoned;
	double	 short_abandoned;
	double	 wait_answered_s;
	double	 abandon_wait_s;
	double	 blocked;
	double	 timeouts;
	double	 max_wait_s;		/* a max, not a sum */
};

/*
 * One interval.queue. Key: start and observed_from, so a replay of the
 * same interval replaces it while the two partial halves around a daemon
 * restart (observed_to / observed_from) add up.
 */
struct board_ival {
	int64_t			 start_ms;
	int64_t			 end_ms;
	int64_t			 from_ms;	/* observed_from, else start */
	int			 sl_threshold_s;
	struct board_sums	 s;
};

struct board_site {
	char		 name[BOARD_NAME_MAX];
	char		 boot[BOARD_BOOT_MAX];
	int64_t		 seq;
	int64_t		 last_wall_ms;
	int64_t		 last_ts_ms;
	uint64_t	 messages;
	uint64_t	 restarts;	/* boot id changes */
	uint64_t	 gen;		/* rt.agents rounds, for pruning */
	int		 nqueues;
	int		 nagents;
};

struct board_queue {
	struct board_site	*site;
	char			 name[BOARD_NAME_MAX];
	size_t			 pos;		/* in board.queues */
	int64_t			 touched_ms;	/* wall clock */
	int64_t			 rt_ts_ms;	/* -1: no rt.queue yet */
	double			 rt[BOARD_RT_N];
	int			 have_last;
	struct board_ival	 last;
	struct board_ival	*today;
	size_t			 ntoday;
	size_t			 today_cap;
	struct board_sums	 today_unkeyed;	/* past BOARD_TODAY_MAX */
};

struct board_agent {
	struct board_site	*site;
	char			 name[BOARD_NAME_MAX];
	char			 state[BOARD_STATE_MAX];
	char			 queues[BOARD_AGENT_QUEUES];
	size_t			 pos;		/* in board.agents */
	int64_t			 since_ms;
	int64_t			 touched_ms;	/* wall clock */
	uint64_t		 gen;
};

struct board {
	const struct webconf	*conf;
	struct board_site	*sites;
	int			 nsites;
	struct board_queue	**queues;
	size_t			 nqueues;
	size_t			 queues_cap;
	struct strmap		*queue_index;	/* "site\037queue" */
	struct board_agent	**agents;
	size_t			 nagents;
	size_t			 agents_cap;
	struct strmap		*agent_index;	/* "site\037agent" */
	size_t			 today_cap;	/* today records allocated */
	int64_t			 packet_ms;	/* newest ts seen, -1 none */
	int64_t			 day_start_ms;
	int64_t			 day_end_ms;
	char			 day[40];	/* YYYY-MM-DD, local */
	struct board_counts	 counts;
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	return (a / b - (a % b != 0 && (a < 0) != (b < 0)));
}

/* RFC 3339 as the daemon writes it: 2026-11-23T09:00:05.279Z. */
static int
board_parse_time(const char *s, int64_t *ms)
{
	struct tm	 tm;
	int		 y, mo, d, h, mi, sec, n = 0, frac = 0, digits = 0;
	const char	*p;
	time_t		 t;

	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d,
	    &h, &mi, &sec, &n) != 6 || n != 19)
		return (-1);
	p = s + n;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (digits < 3) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
		}
		if (digits == 0)
			return (-1);
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if (strcmp(p, "Z") != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60)
		return (-1);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return (-1);
	*ms = (int64_t)t * 1000 + frac;
	return (0);
}

static void
board_format_time(int64_t ms, char *buf, size_t len)
{
	time_t		 t = (time_t)floor_div(ms, 1000);
	struct tm	 tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms - floor_div(ms, 1000) * 1000));
}

/*
 * The local day (TZ is the configured zone) holding ms: [start, end),
 * 23 or 25 hours on a DST change. mktime with tm_isdst -1 settles the
 * offset of each midnight on its own.
 */
static void
board_set_day(struct board *b, int64_t ms)
{
	time_t		 t = (time_t)floor_div(ms, 1000), s, e;
	struct tm	 tm, next;

	localtime_r(&t, &tm);
	snprintf(b->day, sizeof b->day, "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	next = tm;
	next.tm_mday++;
	s = mktime(&tm);
	e = mktime(&next);
	b->day_start_ms = (int64_t)s * 1000;
	b->day_end_ms = (int64_t)e * 1000;
	/* A zone whose midnight falls in a gap: the day still holds ms. */
	if (b->day_start_ms > ms)
		b->day_start_ms = floor_div(ms, 1000) * 1000;
	if (b->day_end_ms <= ms)
		b->day_end_ms = b->day_start_ms + 86400000;
}

/* Today's records start today: drop the rest after a rollover. */
static void
board_queue_rollover(struct board *b, struct board_queue *q)
{
	size_t	 i, n = 0;

	for (i = 0; i < q->ntoday; i++) {
		if (q->today[i].start_ms >= b->day_start_ms &&
		    q->today[i].start_ms < b->day_end_ms)
			q->today[n++] = q->today[i];
	}
	q->ntoday = n;
	memset(&q->today_unkeyed, 0, sizeof q->today_unkeyed);
}

/* Packet time moves on; a new local day empties "today". */
static void
board_advance(struct board *b, int64_t ts_ms)
{
	size_t	 i;

	if (b->packet_ms != -1 && ts_ms <= b->packet_ms)
		return;
	b->packet_ms = ts_ms;
	if (b->day[0] != '\0' && ts_ms < b->day_end_ms)
		return;
	board_set_day(b, ts_ms);
	for (i = 0; i < b->nqueues; i++)
		board_queue_rollover(b, b->queues[i]);
}

static const char *
obj_str(const json_t *obj, const char *key)
{
	return (json_string_value(json_object_get(obj, key)));
}

static int
obj_num(const json_t *obj, const char *key, double *v)
{
	json_t	*j = json_object_get(obj, key);

	if (!json_is_number(j))
		return (-1);
	*v = json_number_value(j);
	return (isfinite(*v) ? 0 : -1);
}

static int
valid_name(const char *s)
{
	return (s != NULL && s[0] != '\0' && strlen(s) < BOARD_NAME_MAX &&
	    strchr(s, '\037') == NULL);
}

static void
board_key(char *key, size_t len, const struct board_site *s,
    const char *name)
{
	snprintf(key, len, "%s\037%s", s->name, name);
}

static void
board_queue_drop(struct board *b, struct board_queue *q)
{
	char	 key[2 * BOARD_NAME_MAX];

	board_key(key, sizeof key, q->site, q->name);
	strmap_del(b->queue_index, key);
	b->queues[q->pos] = b->queues[--b->nqueues];
	b->queues[q->pos]->pos = q->pos;
	q->site->nqueues--;
	b->today_cap -= q->today_cap;
	free(q->today);
	free(q);
}

static void
board_agent_drop(struct board *b, struct board_agent *a)
{
	char	 key[2 * BOARD_NAME_MAX];

	board_key(key, sizeof key, a->site, a->name);
	strmap_del(b->agent_index, key);
	b->agents[a->pos] = b->agents[--b->nagents];
	b->agents[a->pos]->pos = a->pos;
	a->site->nagents--;
	free(a);
}

/* Everything a site held, before its slot is reused. */
static void
board_site_clear(struct board *b, struct board_site *s)
{
	size_t	 i;

	for (i = b->nqueues; i > 0; i--) {
		if (b->queues[i - 1]->site == s)
			board_queue_drop(b, b->queues[i - 1]);
	}
	for (i = b->nagents; i > 0; i--) {
		if (b->agents[i - 1]->site == s)
			board_agent_drop(b, b->agents[i - 1]);
	}
}

static struct board_site *
board_site_get(struct board *b, const char *name, int64_t now_ms)
{
	struct board_site	*s;
	int			 i, oldest = 0;

	for (i = 0; i < b->nsites; i++) {
		if (strcmp(b->sites[i].name, name) == 0)
			return (&b->sites[i]);
	}
	if (b->nsites < b->conf->max_sites) {
		s = &b->sites[b->nsites++];
	} else {
		/* The site quiet longest makes room, with all it held. */
		for (i = 1; i < b->nsites; i++) {
			if (b->sites[i].last_wall_ms <
			    b->sites[oldest].last_wall_ms)
				oldest = i;
		}
		s = &b->sites[oldest];
		board_site_clear(b, s);
		b->counts.sites_evicted++;
	}
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->seq = -1;
	s->last_ts_ms = -1;
	s->last_wall_ms = now_ms;
	return (s);
}

static struct board_queue *
board_queue_get(struct board *b, struct board_site *s, const char *name,
    int64_t now_ms)
{
	struct board_queue	*q, *victim = NULL;
	char			 key[2 * BOARD_NAME_MAX];
	size_t			 i;

	board_key(key, sizeof key, s, name);
	if ((q = strmap_get(b->queue_index, key)) != NULL) {
		q->touched_ms = now_ms;
		return (q);
	}
	/* Past a bound, the site's least recently updated queue goes. */
	if (s->nqueues >= b->conf->max_queues ||
	    (b->conf->max_queues_total > 0 &&
	    b->nqueues >= (size_t)b->conf->max_queues_total)) {
		for (i = 0; i < b->nqueues; i++) {
			if (b->queues[i]->site == s && (victim == NULL ||
			    b->queues[i]->touched_ms < victim->touched_ms))
				victim = b->queues[i];
		}
		if (victim == NULL)
			return (NULL);
		board_queue_drop(b, victim);
		b->counts.queues_evicted++;
	}
	q = xcalloc(1, sizeof *q);
	q->site = s;
	snprintf(q->name, sizeof q->name, "%s", name);
	q->touched_ms = now_ms;
	q->rt_ts_ms = -1;
	for (i = 0; i < BOARD_RT_N; i++)
		q->rt[i] = NAN;
	if (b->nqueues == b->queues_cap) {
		b->queues_cap = b->queues_cap ? b->queues_cap * 2 : 16;
		b->queues = xreallocarray(b->queues, b->queues_cap,
		    sizeof *b->queues);
	}
	q->pos = b->nqueues;
	b->queues[b->nqueues++] = q;
	strmap_put(b->queue_index, key, q);
	s->nqueues++;
	return (q);
}

static struct board_agent *
board_agent_get(struct board *b, struct board_site *s, const char *name,
    int64_t now_ms, int evict)
{
	struct board_agent	*a, *victim = NULL;
	char			 key[2 * BOARD_NAME_MAX];
	size_t			 i;

	board_key(key, sizeof key, s, name);
	if ((a = strmap_get(b->agent_index, key)) != NULL) {
		a->touched_ms = now_ms;
		return (a);
	}
	if (s->nagents >= b->conf->max_agents ||
	    (b->conf->max_agents_total > 0 &&
	    b->nagents >= (size_t)b->conf->max_agents_total)) {
		/* An rt.agents list past the bound: the rest is left out. */
		if (!evict)
			return (NULL);
		/* Least recently reported: the daemon's own order too. */
		for (i = 0; i < b->nagents; i++) {
			if (b->agents[i]->site == s && (victim == NULL ||
			    b->agents[i]->touched_ms < victim->touched_ms))
				victim = b->agents[i];
		}
		if (victim == NULL)
			return (NULL);
		board_agent_drop(b, victim);
		b->counts.agents_evicted++;
	}
	a = xcalloc(1, sizeof *a);
	a->site = s;
	snprintf(a->name, sizeof a->name, "%s", name);
	a->touched_ms = now_ms;
	a->since_ms = -1;
	if (b->nagents == b->agents_cap) {
		b->agents_cap = b->agents_cap ? b->agents_cap * 2 : 64;
		b->agents = xreallocarray(b->agents, b->agents_cap,
		    sizeof *b->agents);
	}
	a->pos = b->nagents;
	b->agents[b->nagents++] = a;
	strmap_put(b->agent_index, key, a);
	s->nagents++;
	return (a);
}

static void
board_rt_queue(struct board *b, struct board_site *s, const json_t *obj,
    int64_t ts_ms, int64_t now_ms)
{
	struct board_queue	*q;
	const char		*name = obj_str(obj, "queue");
	size_t			 i;
	double			 v;

	if (!valid_name(name) || (q = board_queue_get(b, s, name, now_ms)) ==
	    NULL) {
		b->counts.objects_ignored++;
		return;
	}
	/* Snapshots of one run only move forward; a new boot resets. */
	if (ts_ms < q->rt_ts_ms)
		return;
	q->rt_ts_ms = ts_ms;
	for (i = 0; i < BOARD_RT_N; i++)
		q->rt[i] = obj_num(obj, board_rt_fields[i], &v) == 0 ? v : NAN;
}

static int
board_read_sums(const json_t *obj, struct board_sums *s)
{
	struct {
		const char	*key;
		double		*v;
	} f[] = {
		{ "offered", &s->offered },
		{ "answered", &s->answered },
		{ "answered_within_sl", &s->answered_within_sl },
		{ "abandoned", &s->abandoned },
		{ "short_abandoned", &s->short_abandoned },
		{ "wait_answered_s", &s->wait_answered_s },
		{ "abandon_wait_s", &s->abandon_wait_s },
		{ "blocked", &s->blocked },
		{ "timeouts", &s->timeouts },
		{ "max_wait_s", &s->max_wait_s },
	};
	size_t	 i;

	memset(s, 0, sizeof *s);
	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (obj_num(obj, f[i].key, f[i].v) == -1)
			return (-1);
	}
	return (0);
}

static void
sums_add(struct board_sums *to, const struct board_sums *s)
{
	to->offered += s->offered;
	to->answered += s->answered;
	to->answered_within_sl += s->answered_within_sl;
	to->abandoned += s->abandoned;
	to->short_abandoned += s->short_abandoned;
	to->wait_answered_s += s->wait_answered_s;
	to->abandon_wait_s += s->abandon_wait_s;
	to->blocked += s->blocked;
	to->timeouts += s->timeouts;
	if (s->max_wait_s > to->max_wait_s)
		to->max_wait_s = s->max_wait_s;
}

static void
board_interval_queue(struct board *b, struct board_site *s,
    const json_t *obj, int64_t now_ms)
{
	struct board_queue	*q;
	struct board_ival	 iv;
	const char		*name = obj_str(obj, "queue");
	double			 slt = 0;
	size_t			 i, ncap;

	memset(&iv, 0, sizeof iv);
	if (!valid_name(name) ||
	    board_parse_time(obj_str(obj, "start"), &iv.start_ms) == -1 ||
	    board_parse_time(obj_str(obj, "end"), &iv.end_ms) == -1 ||
	    iv.end_ms <= iv.start_ms || board_read_sums(obj, &iv.s) == -1) {
		b->counts.objects_ignored++;
		return;
	}
	if (board_parse_time(obj_str(obj, "observed_from"), &iv.from_ms) == -1)
		iv.from_ms = iv.start_ms;
	if (obj_num(obj, "sl_threshold_s", &slt) == 0)
		iv.sl_threshold_s = (int)slt;
	if ((q = board_queue_get(b, s, name, now_ms)) == NULL) {
		b->counts.objects_ignored++;
		return;
	}
	if (!q->have_last || iv.start_ms >= q->last.start_ms) {
		/* Two halves of one interval (a restart): the last shows both. */
		if (q->have_last && iv.start_ms == q->last.start_ms &&
		    iv.from_ms != q->last.from_ms) {
			sums_add(&q->last.s, &iv.s);
			if (iv.from_ms < q->last.from_ms)
				q->last.from_ms = iv.from_ms;
		} else
			q->last = iv;
		q->have_last = 1;
	}
	/* An interval belongs to the day of its start. */
	if (iv.start_ms < b->day_start_ms || iv.start_ms >= b->day_end_ms)
		return;
	for (i = 0; i < q->ntoday; i++) {
		if (q->today[i].start_ms == iv.start_ms &&
		    q->today[i].from_ms == iv.from_ms) {
			q->today[i] = iv;
			return;
		}
	}
	if (q->ntoday == q->today_cap) {
		ncap = q->today_cap ? q->today_cap * 2 : 32;
		if (ncap > BOARD_TODAY_MAX)
			ncap = BOARD_TODAY_MAX;
		if (ncap == q->today_cap || (b->conf->max_queues_total > 0 &&
		    b->today_cap - q->today_cap + ncap >
		    (size_t)b->conf->max_queues_total *
		    BOARD_TODAY_PER_QUEUE)) {
			sums_add(&q->today_unkeyed, &iv.s);
			b->counts.intervals_unkeyed++;
			return;
		}
		q->today = xreallocarray(q->today, ncap, sizeof *q->today);
		b->today_cap += ncap - q->today_cap;
		q->today_cap = ncap;
	}
	q->today[q->ntoday++] = iv;
}

static void
board_queues_of(struct board_agent *a, const json_t *arr)
{
	size_t		 i, len = 0, n;
	const char	*name;

	a->queues[0] = '\0';
	if (!json_is_array(arr))
		return;
	for (i = 0; i < json_array_size(arr); i++) {
		name = json_string_value(json_array_get(arr, i));
		if (!valid_name(name) || strchr(name, ',') != NULL)
			continue;
		n = strlen(name);
		if (len + n + 2 > sizeof a->queues)
			break;
		if (len > 0)
			a->queues[len++] = ',';
		memcpy(a->queues + len, name, n + 1);
		len += n;
	}
}

static int
valid_state(const char *st)
{
	return (st != NULL && st[0] != '\0' && strlen(st) < BOARD_STATE_MAX);
}

/* agent.state.<agent>: one change, at ts. */
static void
board_agent_state(struct board *b, struct board_site *s, const json_t *obj,
    int64_t ts_ms, int64_t now_ms)
{
	struct board_agent	*a;
	const char		*name = obj_str(obj, "agent");
	const char		*st = obj_str(obj, "state");

	if (!valid_name(name) || !valid_state(st) ||
	    (a = board_agent_get(b, s, name, now_ms, 1)) == NULL) {
		b->counts.objects_ignored++;
		return;
	}
	if (ts_ms < a->since_ms)
		return;
	snprintf(a->state, sizeof a->state, "%s", st);
	a->since_ms = ts_ms;
	a->gen = s->gen;
}

/*
 * rt.agents: the site's whole list; agents missing from it are gone. They
 * go first, so a new list within max_agents never evicts (no scan per
 * agent when the whole list turns over).
 */
static void
board_rt_agents(struct board *b, struct board_site *s, const json_t *obj,
    int64_t now_ms)
{
	json_t			*arr = json_object_get(obj, "agents"), *e;
	struct board_agent	*a;
	const char		*name, *st;
	char			 key[2 * BOARD_NAME_MAX];
	int64_t			 since;
	size_t			 i;

	if (!json_is_array(arr)) {
		b->counts.objects_ignored++;
		return;
	}
	s->gen++;
	json_array_foreach(arr, i, e) {
		name = obj_str(e, "agent");
		if (!valid_name(name))
			continue;
		board_key(key, sizeof key, s, name);
		if ((a = strmap_get(b->agent_index, key)) != NULL)
			a->gen = s->gen;
	}
	for (i = b->nagents; i > 0; i--) {
		a = b->agents[i - 1];
		if (a->site == s && a->gen != s->gen)
			board_agent_drop(b, a);
	}
	json_array_foreach(arr, i, e) {
		name = obj_str(e, "agent");
		st = obj_str(e, "state");
		if (!valid_name(name) || !valid_state(st) ||
		    board_parse_time(obj_str(e, "since"), &since) == -1) {
			b->counts.objects_ignored++;
			continue;
		}
		if ((a = board_agent_get(b, s, name, now_ms, 0)) == NULL) {
			b->counts.objects_ignored++;
			continue;
		}
		snprintf(a->state, sizeof a->state, "%s", st);
		a->since_ms = since;
		a->gen = s->gen;
		board_queues_of(a, json_object_get(e, "queues"));
	}
}

struct board *
board_create(const struct webconf *conf)
{
	struct board	*b;

	if (conf->timezone != NULL && conf->timezone[0] != '\0')
		setenv("TZ", conf->timezone, 1);
	tzset();
	b = xcalloc(1, sizeof *b);
	b->conf = conf;
	b->sites = xcalloc(conf->max_sites > 0 ? (size_t)conf->max_sites : 1,
	    sizeof *b->sites);
	b->queue_index = strmap_create();
	b->agent_index = strmap_create();
	b->packet_ms = -1;
	return (b);
}

void
board_feed(struct board *b, const char *topic, const json_t *obj,
    int64_t now_ms)
{
	struct board_site	*s;
	const char		*site, *boot, *type;
	int64_t			 ts_ms;
	double			 seq;
	size_t			 i;

	if (topic == NULL || !json_is_object(obj) || b->conf->max_sites < 1)
		return;
	if (strncmp(topic, "rt.", 3) != 0 && strncmp(topic, "interval.queue.",
	    15) != 0 && strncmp(topic, "agent.state.", 12) != 0)
		return;
	type = obj_str(obj, "type");
	if (type == NULL || board_parse_time(obj_str(obj, "ts"), &ts_ms) ==
	    -1) {
		b->counts.objects_ignored++;
		return;
	}
	/* Objects of a daemon without a site name: one site, "". */
	if ((site = obj_str(obj, "site")) == NULL)
		site = "";
	if (strlen(site) >= BOARD_NAME_MAX || strchr(site, '\037') != NULL) {
		b->counts.objects_ignored++;
		return;
	}
	s = board_site_get(b, site, now_ms);
	if ((boot = obj_str(obj, "boot")) != NULL &&
	    strcmp(boot, s->boot) != 0) {
		if (s->boot[0] != '\0') {
			/* A new run's snapshots replace the old run's. */
			s->restarts++;
			for (i = 0; i < b->nqueues; i++) {
				if (b->queues[i]->site == s)
					b->queues[i]->rt_ts_ms = -1;
			}
		}
		snprintf(s->boot, sizeof s->boot, "%s", boot);
	}
	if (obj_num(obj, "seq", &seq) == 0)
		s->seq = (int64_t)seq;
	s->messages++;
	s->last_wall_ms = now_ms;
	if (ts_ms > s->last_ts_ms)
		s->last_ts_ms = ts_ms;
	board_advance(b, ts_ms);

	if (strcmp(type, "rt.queue") == 0)
		board_rt_queue(b, s, obj, ts_ms, now_ms);
	else if (strcmp(type, "rt.agents") == 0)
		board_rt_agents(b, s, obj, now_ms);
	else if (strcmp(type, "interval.queue") == 0)
		board_interval_queue(b, s, obj, now_ms);
	else if (strcmp(type, "agent.state") == 0)
		board_agent_state(b, s, obj, ts_ms, now_ms);
}

static json_t *
json_time(int64_t ms)
{
	char	 buf[80];

	if (ms < 0)
		return (json_null());
	board_format_time(ms, buf, sizeof buf);
	return (json_string(buf));
}

/* Counts are whole numbers on the wire; keep them so. */
static json_t *
json_count(double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return (json_integer((json_int_t)v));
	return (json_real(v));
}

static json_t *
json_ratio(double num, double den)
{
	return (den > 0 ? json_real(num / den) : json_null());
}

/* The sums and what DESIGN 4 derives from them (never averaged). */
static json_t *
board_sums_json(const struct board_sums *s)
{
	json_t	*o = json_object();

	json_object_set_new(o, "offered", json_count(s->offered));
	json_object_set_new(o, "answered", json_count(s->answered));
	json_object_set_new(o, "answered_within_sl",
	    json_count(s->answered_within_sl));
	json_object_set_new(o, "abandoned", json_count(s->abandoned));
	json_object_set_new(o, "short_abandoned",
	    json_count(s->short_abandoned));
	json_object_set_new(o, "blocked", json_count(s->blocked));
	json_object_set_new(o, "timeouts", json_count(s->timeouts));
	json_object_set_new(o, "wait_answered_s",
	    json_real(s->wait_answered_s));
	json_object_set_new(o, "abandon_wait_s", json_real(s->abandon_wait_s));
	json_object_set_new(o, "max_wait_s", json_real(s->max_wait_s));
	json_object_set_new(o, "service_level", json_ratio(
	    s->answered_within_sl, s->answered + s->abandoned));
	json_object_set_new(o, "asa_s", json_ratio(s->wait_answered_s,
	    s->answered));
	json_object_set_new(o, "abandon_rate", json_ratio(s->abandoned,
	    s->answered + s->abandoned));
	return (o);
}

static json_t *
board_thresholds_json(const struct board *b, const char *queue)
{
	const struct webconf_threshold	*t = &b->conf->threshold_default;
	json_t				*o;
	size_t				 i;

	for (i = 0; i < b->conf->nthresholds; i++) {
		if (strcmp(b->conf->thresholds[i].queue, queue) == 0) {
			t = &b->conf->thresholds[i];
			break;
		}
	}
	o = json_object();
	json_object_set_new(o, "longest_wait_amber_s",
	    json_real(t->longest_wait_amber_s));
	json_object_set_new(o, "longest_wait_red_s",
	    json_real(t->longest_wait_red_s));
	json_object_set_new(o, "sl_amber", json_real(t->sl_amber));
	json_object_set_new(o, "sl_red", json_real(t->sl_red));
	return (o);
}

static json_t *
board_queue_json(const struct board *b, const struct board_queue *q)
{
	struct board_sums	 today;
	json_t			*o = json_object(), *rt, *iv;
	size_t			 i;

	json_object_set_new(o, "site", json_string(q->site->name));
	json_object_set_new(o, "queue", json_string(q->name));
	json_object_set_new(o, "thresholds", board_thresholds_json(b,
	    q->name));
	if (q->rt_ts_ms >= 0) {
		rt = json_object();
		json_object_set_new(rt, "ts", json_time(q->rt_ts_ms));
		json_object_set_new(rt, "boot", json_string(q->site->boot));
		for (i = 0; i < BOARD_RT_N; i++)
			json_object_set_new(rt, board_rt_fields[i],
			    isnan(q->rt[i]) ? json_null() :
			    strcmp(board_rt_fields[i], "longest_wait_s") == 0 ?
			    json_real(q->rt[i]) : json_count(q->rt[i]));
		json_object_set_new(o, "rt", rt);
	} else
		json_object_set_new(o, "rt", json_null());
	if (q->have_last) {
		iv = board_sums_json(&q->last.s);
		json_object_set_new(iv, "start", json_time(q->last.start_ms));
		json_object_set_new(iv, "end", json_time(q->last.end_ms));
		if (q->last.sl_threshold_s > 0)
			json_object_set_new(iv, "sl_threshold_s",
			    json_integer(q->last.sl_threshold_s));
		json_object_set_new(o, "interval", iv);
	} else
		json_object_set_new(o, "interval", json_null());
	today = q->today_unkeyed;
	for (i = 0; i < q->ntoday; i++)
		sums_add(&today, &q->today[i].s);
	iv = board_sums_json(&today);
	json_object_set_new(iv, "intervals", json_integer((json_int_t)
	    q->ntoday));
	json_object_set_new(o, "today", iv);
	return (o);
}

static json_t *
board_agent_json(const struct board_agent *a)
{
	json_t		*o = json_object(), *qs = json_array();
	const char	*p = a->queues, *c;

	json_object_set_new(o, "site", json_string(a->site->name));
	json_object_set_new(o, "agent", json_string(a->name));
	json_object_set_new(o, "state", json_string(a->state));
	json_object_set_new(o, "since", json_time(a->since_ms));
	while (*p != '\0') {
		c = strchr(p, ',');
		json_array_append_new(qs, json_stringn(p, c != NULL ?
		    (size_t)(c - p) : strlen(p)));
		if (c == NULL)
			break;
		p = c + 1;
	}
	json_object_set_new(o, "queues", qs);
	return (o);
}

static int
queue_cmp(const void *x, const void *y)
{
	const struct board_queue *a = *(struct board_queue *const *)x;
	const struct board_queue *c = *(struct board_queue *const *)y;
	int	 r = strcmp(a->name, c->name);

	return (r != 0 ? r : strcmp(a->site->name, c->site->name));
}

char *
board_state_json(struct board *b, int64_t now_ms)
{
	json_t			*root = json_object(), *arr, *o;
	struct board_queue	**qs;
	char			*text;
	size_t			 i;
	int			 k;

	json_object_set_new(root, "v", json_integer(1));
	json_object_set_new(root, "packet_time", json_time(b->packet_ms));
	json_object_set_new(root, "timezone", json_string(
	    b->conf->timezone != NULL ? b->conf->timezone : "UTC"));
	if (b->day[0] != '\0') {
		json_object_set_new(root, "day", json_string(b->day));
		json_object_set_new(root, "day_start",
		    json_time(b->day_start_ms));
		json_object_set_new(root, "day_end", json_time(b->day_end_ms));
	} else {
		json_object_set_new(root, "day", json_null());
		json_object_set_new(root, "day_start", json_null());
		json_object_set_new(root, "day_end", json_null());
	}
	json_object_set_new(root, "feed_timeout_s",
	    json_integer(b->conf->feed_timeout_s));
	json_object_set_new(root, "thresholds", board_thresholds_json(b, ""));

	arr = json_array();
	for (k = 0; k < b->nsites; k++) {
		const struct board_site *s = &b->sites[k];

		o = json_object();
		json_object_set_new(o, "site", json_string(s->name));
		json_object_set_new(o, "boot", json_string(s->boot));
		json_object_set_new(o, "seq", s->seq >= 0 ?
		    json_integer(s->seq) : json_null());
		json_object_set_new(o, "last_ts", json_time(s->last_ts_ms));
		json_object_set_new(o, "age_s", json_real((double)(now_ms -
		    s->last_wall_ms) / 1000.0));
		json_object_set_new(o, "up", json_boolean(now_ms -
		    s->last_wall_ms <= (int64_t)b->conf->feed_timeout_s *
		    1000));
		json_object_set_new(o, "restarts", json_integer(
		    (json_int_t)s->restarts));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "sites", arr);

	qs = xreallocarray(NULL, b->nqueues ? b->nqueues : 1, sizeof *qs);
	if (b->nqueues > 0)
		memcpy(qs, b->queues, b->nqueues * sizeof *qs);
	qsort(qs, b->nqueues, sizeof *qs, queue_cmp);
	arr = json_array();
	for (i = 0; i < b->nqueues; i++)
		json_array_append_new(arr, board_queue_json(b, qs[i]));
	free(qs);
	json_object_set_new(root, "queues", arr);

	arr = json_array();
	for (i = 0; i < b->nagents; i++)
		json_array_append_new(arr, board_agent_json(b->agents[i]));
	json_object_set_new(root, "agents", arr);

	o = json_object();
	json_object_set_new(o, "sites_evicted",
	    json_integer((json_int_t)b->counts.sites_evicted));
	json_object_set_new(o, "queues_evicted",
	    json_integer((json_int_t)b->counts.queues_evicted));
	json_object_set_new(o, "agents_evicted",
	    json_integer((json_int_t)b->counts.agents_evicted));
	json_object_set_new(o, "intervals_unkeyed",
	    json_integer((json_int_t)b->counts.intervals_unkeyed));
	json_object_set_new(o, "objects_ignored",
	    json_integer((json_int_t)b->counts.objects_ignored));
	json_object_set_new(root, "dropped", o);

	text = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(10));
	json_decref(root);
	return (text);
}

void
board_get_counts(const struct board *b, struct board_counts *out)
{
	*out = b->counts;
}

void
board_free(struct board *b)
{
	size_t	 i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nqueues; i++) {
		free(b->queues[i]->today);
		free(b->queues[i]);
	}
	for (i = 0; i < b->nagents; i++)
		free(b->agents[i]);
	free(b->queues);
	free(b->agents);
	strmap_free(b->queue_index);
	strmap_free(b->agent_index);
	free(b->sites);
	free(b);
}
