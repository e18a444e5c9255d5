/* SPDX-License-Identifier: BSD-2-Clause */
/* test_board.c: the wallboard's sums, derived values, day and agent table. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "ccmetrics/board.h"

/* 2026-11-23T09:00:00Z, a Monday: Berlin is UTC+1 (no DST in November). */
#define T0_MS	1795424400000LL
#define MIN_MS	60000LL

static struct webconf_threshold	 sales_threshold;

static void
conf_init(struct webconf *c, const char *tz)
{
	memset(c, 0, sizeof *c);
	c->timezone = (char *)tz;
	c->threshold_default.longest_wait_amber_s = 30;
	c->threshold_default.longest_wait_red_s = 60;
	c->threshold_default.sl_amber = 0.80;
	c->threshold_default.sl_red = 0.60;
	memset(&sales_threshold, 0, sizeof sales_threshold);
	snprintf(sales_threshold.queue, sizeof sales_threshold.queue, "sales");
	sales_threshold.longest_wait_amber_s = 15;
	sales_threshold.longest_wait_red_s = 45;
	sales_threshold.sl_amber = 0.90;
	sales_threshold.sl_red = 0.75;
	c->thresholds = &sales_threshold;
	c->nthresholds = 1;
	c->max_sites = 4;
	c->max_queues = 8;
	c->max_agents = 100;
	c->feed_timeout_s = 15;
}

static void
iso(int64_t ms, char *buf, size_t len)
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* Feed one object given as JSON text, its ts set to ts_ms. */
static void
feed(struct board *b, const char *topic, int64_t ts_ms, const char *text)
{
	json_error_t	 err;
	json_t		*o = json_loads(text, 0, &err);
	char		 ts[80];

	assert_non_null(o);
	iso(ts_ms, ts, sizeof ts);
	json_object_set_new(o, "ts", json_string(ts));
	board_feed(b, topic, o, ts_ms);
	json_decref(o);
}

/* An interval.queue of queue q at [start, start + 15 min). */
static void
feed_interval(struct board *b, const char *q, int64_t start_ms,
    const char *observed_from, int offered, int answered, int within,
    int abandoned, int short_ab, double wait_ans, double ab_wait)
{
	char	 text[1024], start[80], end[80], from[120] = "";

	iso(start_ms, start, sizeof start);
	iso(start_ms + 15 * MIN_MS, end, sizeof end);
	if (observed_from != NULL)
		snprintf(from, sizeof from, ",\"partial\":true,"
		    "\"observed_from\":\"%s\"", observed_from);
	snprintf(text, sizeof text, "{\"type\":\"interval.queue\",\"v\":1,"
	    "\"seq\":1,\"site\":\"east1\",\"boot\":\"b1\",\"queue\":\"%s\","
	    "\"start\":\"%s\",\"end\":\"%s\",\"interval_s\":900,"
	    "\"offered\":%d,\"answered\":%d,\"answered_within_sl\":%d,"
	    "\"abandoned\":%d,\"short_abandoned\":%d,\"blocked\":0,"
	    "\"timeouts\":0,\"wait_answered_s\":%.3f,\"max_wait_s\":9.5,"
	    "\"abandon_wait_s\":%.3f,\"sl_threshold_s\":20%s}", q, start, end,
	    offered, answered, within, abandoned, short_ab, wait_ans, ab_wait,
	    from);
	/* Published 2 s after the interval's end (DESIGN 4's grace). */
	feed(b, "interval.queue.x", start_ms + 15 * MIN_MS + 2000, text);
}

static json_t *
state(struct board *b)
{
	char		*text = board_state_json(b, T0_MS);
	json_error_t	 err;
	json_t		*o;

	assert_non_null(text);
	o = json_loads(text, 0, &err);
	free(text);
	assert_non_null(o);
	return (o);
}

static json_t *
find(json_t *arr, const char *field, const char *value)
{
	size_t	 i;
	json_t	*e;

	json_array_foreach(arr, i, e) {
		if (strcmp(json_string_value(json_object_get(e, field)),
		    value) == 0)
			return (e);
	}
	fail_msg("no %s %s", field, value);
	return (NULL);
}

static double
num(json_t *o, const char *path)
{
	char	 buf[128], *p, *save = NULL;
	json_t	*cur = o;

	snprintf(buf, sizeof buf, "%s", path);
	for (p = strtok_r(buf, ".", &save); p != NULL;
	    p = strtok_r(NULL, ".", &save))
		cur = json_object_get(cur, p);
	if (!json_is_number(cur))
		fail_msg("%s is not a number", path);
	return (json_number_value(cur));
}

static const char *
str(json_t *o, const char *key)
{
	return (json_string_value(json_object_get(o, key)));
}

static void
today_sums_sl_and_asa_from_sums(void **unused)
{
	struct webconf	 c;
	struct board	*b;
	json_t		*st, *q;

	(void)unused;
	conf_init(&c, "Europe/Berlin");
	b = board_create(&c);
	/* 09:00: 10 offered, 8 answered (6 within SL), 1 abandoned, 1 short. */
	feed_interval(b, "sales", T0_MS, NULL, 10, 8, 6, 1, 1, 80.0, 30.0);
	/* 09:15: 5 offered, 4 answered, all within SL, 20 s of waiting. */
	feed_interval(b, "sales", T0_MS + 15 * MIN_MS, NULL, 5, 4, 4, 0, 0,
	    20.0, 0.0);
	st = state(b);
	q = find(json_object_get(st, "queues"), "queue", "sales");
	assert_string_equal(str(q, "site"), "east1");
	assert_int_equal((int)num(q, "today.offered"), 15);
	assert_int_equal((int)num(q, "today.answered"), 12);
	assert_int_equal((int)num(q, "today.answered_within_sl"), 10);
	assert_int_equal((int)num(q, "today.abandoned"), 1);
	assert_int_equal((int)num(q, "today.short_abandoned"), 1);
	/* SL = 10 / (12 + 1); ASA = 100 / 12: from the sums, not 6/9, 4/4. */
	assert_float_equal(num(q, "today.service_level"), 10.0 / 13.0, 1e-9);
	assert_float_equal(num(q, "today.asa_s"), 100.0 / 12.0, 1e-6);
	assert_float_equal(num(q, "today.abandon_rate"), 1.0 / 13.0, 1e-9);
	/* The last closed interval: 09:15, SL 4/4, ASA 5 s. */
	assert_string_equal(str(json_object_get(q, "interval"), "start"),
	    "2026-11-23T09:15:00.000Z");
	assert_float_equal(num(q, "interval.service_level"), 1.0, 1e-12);
	assert_float_equal(num(q, "interval.asa_s"), 5.0, 1e-9);
	assert_int_equal((int)num(q, "interval.sl_threshold_s"), 20);
	/* The queue's own thresholds go out with it, the default beside. */
	assert_float_equal(num(q, "thresholds.sl_amber"), 0.90, 1e-12);
	assert_float_equal(num(q, "thresholds.longest_wait_red_s"), 45, 0);
	assert_float_equal(num(st, "thresholds.sl_amber"), 0.80, 1e-12);
	assert_string_equal(str(st, "timezone"), "Europe/Berlin");
	assert_string_equal(str(st, "day"), "2026-11-23");
	assert_string_equal(str(st, "day_start"), "2026-11-22T23:00:00.000Z");
	assert_string_equal(str(st, "day_end"), "2026-11-23T23:00:00.000Z");
	json_decref(st);
	board_free(b);
}

static void
no_answer_no_abandon_gives_null_sl_and_asa(void **unused)
{
	struct webconf	 c;
	struct board	*b;
	json_t		*st, *q;

	(void)unused;
	conf_init(&c, "UTC");
	b = board_create(&c);
	feed_interval(b, "support", T0_MS, NULL, 2, 0, 0, 0, 2, 0.0, 0.0);
	st = state(b);
	q = find(json_object_get(st, "queues"), "queue", "support");
	assert_true(json_is_null(json_object_get(json_object_get(q, "today"),
	    "service_level")));
	assert_true(json_is_null(json_object_get(json_object_get(q, "today"),
	    "asa_s")));
	/* support has no entry of its own: the default thresholds. */
	assert_float_equal(num(q, "thresholds.sl_red"), 0.60, 1e-12);
	json_decref(st);
	board_free(b);
}

static void
same_interval_twice_replaces_halves_add(void **unused)
{
	struct webconf	 c;
	struct board	*b;
	json_t		*st, *q;

	(void)unused;
	conf_init(&c, "Europe/Berlin");
	b = board_create(&c);
	feed_interval(b, "sales", T0_MS, NULL, 10, 8, 6, 1, 1, 80.0, 30.0);
	/* A replay of the same interval (same start, whole): replaces. */
	feed_interval(b, "sales", T0_MS, NULL, 10, 8, 6, 1, 1, 80.0, 30.0);
	st = state(b);
	q = find(json_object_get(st, "queues"), "queue", "sales");
	assert_int_equal((int)num(q, "today.offered"), 10);
	assert_int_equal((int)num(q, "today.intervals"), 1);
	json_decref(st);
	/*
	 * 09:15 split by a daemon restart at 09:20: the first run's part
	 * (observed from the start) and the second's (observed_from 09:20)
	 * add up, in today and in the last interval.
	 */
	feed_interval(b, "sales", T0_MS + 15 * MIN_MS, NULL, 3, 2, 2, 0, 0,
	    10.0, 0.0);
	feed_interval(b, "sales", T0_MS + 15 * MIN_MS,
	    "2026-11-23T09:20:00.000Z", 4, 3, 1, 1, 0, 60.0, 25.0);
	st = state(b);
	q = find(json_object_get(st, "queues"), "queue", "sales");
	assert_int_equal((int)num(q, "today.offered"), 17);
	assert_int_equal((int)num(q, "today.answered"), 13);
	assert_int_equal((int)num(q, "today.intervals"), 3);
	/* 9 within of 13 answered + 2 abandoned; 150 s over 13 answered. */
	assert_float_equal(num(q, "today.service_level"), 9.0 / 15.0, 1e-9);
	assert_float_equal(num(q, "today.asa_s"), 150.0 / 13.0, 1e-6);
	assert_int_equal((int)num(q, "interval.offered"), 7);
	assert_float_equal(num(q, "interval.service_level"), 3.0 / 6.0, 1e-9);
	assert_float_equal(num(q, "interval.asa_s"), 70.0 / 5.0, 1e-9);
	json_decref(st);
	board_free(b);
}

/*
 * Berlin's midnight is 23:00Z in November. The 23:45 local interval
 * (22:45Z), published at 23:00:02Z, belongs to the day it started in:
 * it is the last interval, not part of the new today.
 */
static void
today_rolls_over_at_local_midnight(void **unused)
{
	struct webconf	 c;
	struct board	*b;
	json_t		*st, *q;
	int64_t		 midnight = T0_MS + 14 * 60 * MIN_MS;	/* 23:00Z */

	(void)unused;
	conf_init(&c, "Europe/Berlin");
	b = board_create(&c);
	feed_interval(b, "sales", T0_MS, NULL, 10, 8, 6, 1, 1, 80.0, 30.0);
	feed_interval(b, "sales", midnight - 30 * MIN_MS, NULL, 4, 4, 3, 0, 0,
	    12.0, 0.0);
	st = state(b);
	q = find(json_object_get(st, "queues"), "queue", "sales");
	assert_int_equal((int)num(q, "today.offered"), 14);
	json_decref(st);

	/* 22:45Z is 23:45 local: still the 23rd, published after midnight. */
	feed_interval(b, "sales", midnight - 15 * MIN_MS, NULL, 2, 1, 1, 1, 0,
	    4.0, 40.0);
	st = state(b);
	assert_string_equal(str(st, "day"), "2026-11-24");
	assert_string_equal(str(st, "day_start"), "2026-11-23T23:00:00.000Z");
	assert_string_equal(str(st, "day_end"), "2026-11-24T23:00:00.000Z");
	q = find(json_object_get(st, "queues"), "queue", "sales");
	assert_int_equal((int)num(q, "today.offered"), 0);
	assert_int_equal((int)num(q, "today.intervals"), 0);
	assert_true(json_is_null(json_object_get(json_object_get(q, "today"),
	    "service_level")));
	assert_string_equal(str(json_object_get(q, "interval"), "start"),
	    "2026-11-23T22:45:00.000Z");
	assert_int_equal((int)num(q, "interval.offered"), 2);
	json_decref(st);

	/* 23:00Z is 00:00 local on the 24th: the new day's first interval. */
	feed_interval(b, "sales", midnight, NULL, 3, 2, 1, 1, 0, 30.0, 12.0);
	st = state(b);
	q = find(json_object_get(st, "queues"), "queue", "sales");
	assert_int_equal((int)num(q, "today.offered"), 3);
	assert_float_equal(num(q, "today.service_level"), 1.0 / 3.0, 1e-9);
	assert_float_equal(num(q, "today.asa_s"), 15.0, 1e-9);
	json_decref(st);
	/* Time going back (an old replay) never brings the old day back. */
	feed_interval(b, "sales", T0_MS + 15 * MIN_MS, NULL, 9, 9, 9, 0, 0,
	    9.0, 0.0);
	st = state(b);
	assert_string_equal(str(st, "day"), "2026-11-24");
	q = find(json_object_get(st, "queues"), "queue", "sales");
	assert_int_equal((int)num(q, "today.offered"), 3);
	json_decref(st);
	board_free(b);
}

/* New York leaves DST on 2026-11-01: that local day lasts 25 hours. */
static void
day_of_a_dst_change_lasts_25_hours(void **unused)
{
	struct webconf	 c;
	struct board	*b;
	json_t		*st;
	/* 2026-11-01T12:00:00Z */
	int64_t		 noon = 1793534400000LL;

	(void)unused;
	conf_init(&c, "America/New_York");
	b = board_create(&c);
	feed(b, "rt.queue.sales", noon, "{\"type\":\"rt.queue\",\"v\":1,"
	    "\"seq\":1,\"queue\":\"sales\",\"waiting\":0,"
	    "\"longest_wait_s\":0.0,\"talking\":0,\"on_hold\":0}");
	st = state(b);
	assert_string_equal(str(st, "day"), "2026-11-01");
	assert_string_equal(str(st, "day_start"), "2026-11-01T04:00:00.000Z");
	assert_string_equal(str(st, "day_end"), "2026-11-02T05:00:00.000Z");
	json_decref(st);
	/* 04:59:59.999Z on the 2nd is 23:59:59.999 EST: still the 1st. */
	feed(b, "rt.queue.sales", 1793595599999LL, "{\"type\":\"rt.queue\","
	    "\"v\":1,\"seq\":2,\"queue\":\"sales\",\"waiting\":0,"
	    "\"longest_wait_s\":0.0,\"talking\":0,\"on_hold\":0}");
	st = state(b);
	assert_string_equal(str(st, "day"), "2026-11-01");
	json_decref(st);
	feed(b, "rt.queue.sales", 1793595600000LL, "{\"type\":\"rt.queue\","
	    "\"v\":1,\"seq\":3,\"queue\":\"sales\",\"waiting\":0,"
	    "\"longest_wait_s\":0.0,\"talking\":0,\"on_hold\":0}");
	st = state(b);
	assert_string_equal(str(st, "day"), "2026-11-02");
	json_decref(st);
	board_free(b);
}

static void
rt_queue_latest_wins_and_agent_counts_pass_through(void **unused)
{
	struct webconf	 c;
	struct board	*b;
	json_t		*st, *q, *a;

	(void)unused;
	conf_init(&c, "UTC");
	b = board_create(&c);
	feed(b, "rt.queue.sales", T0_MS + 5000, "{\"type\":\"rt.queue\","
	    "\"v\":1,\"seq\":7,\"site\":\"east1\",\"boot\":\"b1\","
	    "\"queue\":\"sales\",\"waiting\":3,\"longest_wait_s\":42.5,"
	    "\"talking\":4,\"on_hold\":1,\"agents_staffed\":9,"
	    "\"agents_available\":0,\"agents_ringing\":1,"
	    "\"agents_on_call\":5,\"agents_busy_other\":0,"
	    "\"agents_wrapup\":2,\"agents_paused\":1}");
	/* An older snapshot of the same run arriving late changes nothing. */
	feed(b, "rt.queue.sales", T0_MS, "{\"type\":\"rt.queue\",\"v\":1,"
	    "\"seq\":6,\"site\":\"east1\",\"boot\":\"b1\",\"queue\":\"sales\","
	    "\"waiting\":9,\"longest_wait_s\":1.0,\"talking\":0,"
	    "\"on_hold\":0}");
	st = state(b);
	q = find(json_object_get(st, "queues"), "queue", "sales");
	assert_int_equal((int)num(q, "rt.waiting"), 3);
	assert_float_equal(num(q, "rt.longest_wait_s"), 42.5, 0);
	assert_int_equal((int)num(q, "rt.agents_available"), 0);
	assert_int_equal((int)num(q, "rt.agents_on_call"), 5);
	assert_int_equal((int)num(q, "rt.agents_wrapup"), 2);
	assert_int_equal((int)num(q, "rt.agents_paused"), 1);
	assert_string_equal(str(json_object_get(q, "rt"), "ts"),
	    "2026-11-23T09:00:05.000Z");
	assert_int_equal((int)num(find(json_object_get(st, "sites"), "site",
	    "east1"), "seq"), 6);
	/* The first snapshot without an interval yet: today all zero. */
	assert_int_equal((int)num(q, "today.offered"), 0);
	assert_true(json_is_null(json_object_get(q, "interval")));
	json_decref(st);
	/* A restarted daemon (new boot): its snapshot wins, whatever its ts. */
	feed(b, "rt.queue.sales", T0_MS + 1000, "{\"type\":\"rt.queue\","
	    "\"v\":1,\"seq\":1,\"site\":\"east1\",\"boot\":\"b2\","
	    "\"queue\":\"sales\",\"waiting\":1,\"longest_wait_s\":2.0,"
	    "\"talking\":0,\"on_hold\":0}");
	st = state(b);
	q = find(json_object_get(st, "queues"), "queue", "sales");
	assert_int_equal((int)num(q, "rt.waiting"), 1);
	assert_true(json_is_null(json_object_get(json_object_get(q, "rt"),
	    "agents_available")));
	a = find(json_object_get(st, "sites"), "site", "east1");
	assert_string_equal(str(a, "boot"), "b2");
	assert_int_equal((int)num(a, "seq"), 1);
	assert_int_equal((int)num(a, "restarts"), 1);
	json_decref(st);
	board_free(b);
}

static const char *
agent_state_of(json_t *st, const char *agent)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(st, "agents"), i, e) {
		if (strcmp(str(e, "agent"), agent) == 0)
			return (str(e, "state"));
	}
	return (NULL);
}

static void
agents_follow_rt_agents_and_agent_state(void **unused)
{
	struct webconf	 c;
	struct board	*b;
	json_t		*st, *a;

	(void)unused;
	conf_init(&c, "UTC");
	b = board_create(&c);
	feed(b, "rt.agents", T0_MS, "{\"type\":\"rt.agents\",\"v\":1,"
	    "\"seq\":1,\"site\":\"east1\",\"agents\":["
	    "{\"agent\":\"1001\",\"state\":\"available\","
	    "\"since\":\"2026-11-23T08:55:00.000Z\",\"queues\":[\"sales\"]},"
	    "{\"agent\":\"1002\",\"state\":\"on_call\","
	    "\"since\":\"2026-11-23T08:59:00.000Z\","
	    "\"queues\":[\"sales\",\"support\"]},"
	    "{\"agent\":\"1003\",\"state\":\"paused\","
	    "\"since\":\"2026-11-23T08:30:00.000Z\",\"queues\":[]}],"
	    "\"counts\":{\"available\":1,\"on_call\":1,\"paused\":1}}");
	feed(b, "agent.state.1001", T0_MS + 1500, "{\"type\":\"agent.state\","
	    "\"v\":1,\"seq\":2,\"site\":\"east1\",\"agent\":\"1001\","
	    "\"state\":\"ringing\",\"prev\":\"available\",\"prev_s\":301.5,"
	    "\"reason\":\"ring\",\"queue\":\"sales\"}");
	st = state(b);
	assert_int_equal(json_array_size(json_object_get(st, "agents")), 3);
	assert_string_equal(agent_state_of(st, "1001"), "ringing");
	a = find(json_object_get(st, "agents"), "agent", "1001");
	assert_string_equal(str(a, "since"), "2026-11-23T09:00:01.500Z");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(a, "queues"), 0)), "sales");
	a = find(json_object_get(st, "agents"), "agent", "1002");
	assert_int_equal(json_array_size(json_object_get(a, "queues")), 2);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(a, "queues"), 1)), "support");
	json_decref(st);
	/* 1003 no longer listed (the daemon evicted it): pruned. */
	feed(b, "rt.agents", T0_MS + 5000, "{\"type\":\"rt.agents\",\"v\":1,"
	    "\"seq\":3,\"site\":\"east1\",\"agents\":["
	    "{\"agent\":\"1001\",\"state\":\"on_call\","
	    "\"since\":\"2026-11-23T09:00:03.000Z\",\"queues\":[\"sales\"]},"
	    "{\"agent\":\"1002\",\"state\":\"wrapup\","
	    "\"since\":\"2026-11-23T09:00:04.000Z\",\"queues\":[\"sales\"]}]}");
	st = state(b);
	assert_int_equal(json_array_size(json_object_get(st, "agents")), 2);
	assert_null(agent_state_of(st, "1003"));
	assert_string_equal(agent_state_of(st, "1002"), "wrapup");
	json_decref(st);
	board_free(b);
}

static void
bounds_evict_and_count(void **unused)
{
	struct webconf		 c;
	struct board		*b;
	struct board_counts	 n;
	json_t			*st;
	char			 text[256], topic[64];
	int			 i;

	(void)unused;
	conf_init(&c, "UTC");
	c.max_queues = 2;
	c.max_agents = 3;
	b = board_create(&c);
	for (i = 0; i < 5; i++) {
		snprintf(topic, sizeof topic, "rt.queue.q%d", i);
		snprintf(text, sizeof text, "{\"type\":\"rt.queue\",\"v\":1,"
		    "\"seq\":%d,\"queue\":\"q%d\",\"waiting\":%d,"
		    "\"longest_wait_s\":0.0,\"talking\":0,\"on_hold\":0}",
		    i + 1, i, i);
		feed(b, topic, T0_MS + i * 1000, text);
	}
	for (i = 0; i < 7; i++) {
		snprintf(topic, sizeof topic, "agent.state.%d", 2000 + i);
		snprintf(text, sizeof text, "{\"type\":\"agent.state\",\"v\":1,"
		    "\"seq\":%d,\"agent\":\"%d\",\"state\":\"available\","
		    "\"prev\":null,\"prev_s\":null,\"reason\":\"register\"}",
		    10 + i, 2000 + i);
		feed(b, topic, T0_MS + 10000 + i * 1000, text);
	}
	/* Not an object the board can use: counted, nothing added. */
	feed(b, "rt.queue.bad", T0_MS + 20000, "{\"type\":\"rt.queue\","
	    "\"v\":1,\"seq\":30,\"queue\":\"\"}");
	board_get_counts(b, &n);
	assert_int_equal(n.queues_evicted, 3);
	assert_int_equal(n.agents_evicted, 4);
	assert_int_equal(n.objects_ignored, 1);
	st = state(b);
	assert_int_equal(json_array_size(json_object_get(st, "queues")), 2);
	/* The most recently active stay: q3, q4 and agents 2004..2006. */
	find(json_object_get(st, "queues"), "queue", "q3");
	find(json_object_get(st, "queues"), "queue", "q4");
	assert_int_equal(json_array_size(json_object_get(st, "agents")), 3);
	assert_string_equal(agent_state_of(st, "2006"), "available");
	assert_null(agent_state_of(st, "2003"));
	assert_int_equal((int)num(st, "dropped.agents_evicted"), 4);
	json_decref(st);
	board_free(b);
}

/* A whole new list within max_agents replaces the old one, evicting none. */
static void
rt_agents_turnover_evicts_nothing(void **unused)
{
	struct webconf		 c;
	struct board		*b;
	struct board_counts	 n;
	json_t			*st;

	(void)unused;
	conf_init(&c, "UTC");
	c.max_agents = 2;
	b = board_create(&c);
	feed(b, "rt.agents", T0_MS, "{\"type\":\"rt.agents\",\"v\":1,"
	    "\"seq\":1,\"agents\":["
	    "{\"agent\":\"1001\",\"state\":\"available\","
	    "\"since\":\"2026-11-23T08:55:00.000Z\",\"queues\":[]},"
	    "{\"agent\":\"1002\",\"state\":\"available\","
	    "\"since\":\"2026-11-23T08:55:00.000Z\",\"queues\":[]}]}");
	feed(b, "rt.agents", T0_MS + 5000, "{\"type\":\"rt.agents\",\"v\":1,"
	    "\"seq\":2,\"agents\":["
	    "{\"agent\":\"2001\",\"state\":\"on_call\","
	    "\"since\":\"2026-11-23T08:59:00.000Z\",\"queues\":[]},"
	    "{\"agent\":\"1002\",\"state\":\"paused\","
	    "\"since\":\"2026-11-23T08:58:00.000Z\",\"queues\":[]}]}");
	board_get_counts(b, &n);
	assert_int_equal(n.agents_evicted, 0);
	st = state(b);
	assert_int_equal(json_array_size(json_object_get(st, "agents")), 2);
	assert_null(agent_state_of(st, "1001"));
	assert_string_equal(agent_state_of(st, "2001"), "on_call");
	assert_string_equal(agent_state_of(st, "1002"), "paused");
	json_decref(st);
	board_free(b);
}

/*
 * Today's keyed intervals over all queues share 96 records per
 * max_queues_total: a queue's table doubles from 32, so with a total of 1
 * (96) it stops at 64 records, with 2 (192) at 128. Past it an interval
 * still adds to today's sums, unkeyed and counted.
 */
static void
today_records_share_a_budget(void **unused)
{
	struct webconf		 c;
	struct board		*b;
	struct board_counts	 n;
	json_t			*st, *q;
	int			 total, i;

	(void)unused;
	for (total = 1; total <= 2; total++) {
		conf_init(&c, "UTC");
		c.max_queues_total = total;
		b = board_create(&c);
		/* 100 intervals a minute apart from 09:00: one offered each. */
		for (i = 0; i < 100; i++)
			feed_interval(b, "sales", T0_MS + i * MIN_MS, NULL, 1,
			    0, 0, 0, 0, 0.0, 0.0);
		board_get_counts(b, &n);
		assert_int_equal(n.intervals_unkeyed, total == 1 ? 36 : 0);
		st = state(b);
		q = find(json_object_get(st, "queues"), "queue", "sales");
		assert_int_equal((int)num(q, "today.offered"), 100);
		json_decref(st);
		board_free(b);
	}
}

/*
 * max_queues_total and max_agents_total hold over all sites: past them a
 * site gives up its own least recently updated entry, and one with none
 * to give has the object ignored; an rt.agents list past the bound leaves
 * the rest out rather than evicting within itself.
 */
static void
totals_bound_all_sites(void **unused)
{
	struct webconf		 c;
	struct board		*b;
	struct board_counts	 n;
	json_t			*st;
	char			 text[256], topic[64];
	int			 i;

	(void)unused;
	conf_init(&c, "UTC");
	c.max_queues_total = 3;
	c.max_agents_total = 2;
	b = board_create(&c);
	/* east1 q0, q1, then west q0 (3 in all), west q1 (west's q0 goes),
	 * north q0 (north has none to give: ignored). */
	for (i = 0; i < 5; i++) {
		snprintf(topic, sizeof topic, "rt.queue.q%d", i % 2);
		snprintf(text, sizeof text, "{\"type\":\"rt.queue\",\"v\":1,"
		    "\"seq\":%d,\"site\":\"%s\",\"queue\":\"q%d\","
		    "\"waiting\":1}", i + 1, i < 2 ? "east1" : i < 4 ? "west" :
		    "north", i == 4 ? 0 : i % 2);
		feed(b, topic, T0_MS + i * 1000, text);
	}
	/* Three agents in one list for a total of 2: the third left out. */
	feed(b, "rt.agents", T0_MS + 10000, "{\"type\":\"rt.agents\","
	    "\"v\":1,\"seq\":9,\"site\":\"east1\",\"agents\":["
	    "{\"agent\":\"1001\",\"state\":\"available\","
	    "\"since\":\"2026-11-23T08:55:00.000Z\",\"queues\":[]},"
	    "{\"agent\":\"1002\",\"state\":\"available\","
	    "\"since\":\"2026-11-23T08:55:00.000Z\",\"queues\":[]},"
	    "{\"agent\":\"1003\",\"state\":\"available\","
	    "\"since\":\"2026-11-23T08:55:00.000Z\",\"queues\":[]}]}");
	board_get_counts(b, &n);
	assert_int_equal(n.queues_evicted, 1);
	assert_int_equal(n.agents_evicted, 0);
	assert_int_equal(n.objects_ignored, 2);
	st = state(b);
	assert_int_equal(json_array_size(json_object_get(st, "queues")), 3);
	assert_int_equal(json_array_size(json_object_get(st, "agents")), 2);
	assert_null(agent_state_of(st, "1003"));
	assert_string_equal(agent_state_of(st, "1002"), "available");
	json_decref(st);
	board_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(today_sums_sl_and_asa_from_sums),
		cmocka_unit_test(no_answer_no_abandon_gives_null_sl_and_asa),
		cmocka_unit_test(same_interval_twice_replaces_halves_add),
		cmocka_unit_test(today_rolls_over_at_local_midnight),
		cmocka_unit_test(day_of_a_dst_change_lasts_25_hours),
		cmocka_unit_test(rt_queue_latest_wins_and_agent_counts_pass_through),
		cmocka_unit_test(agents_follow_rt_agents_and_agent_state),
		cmocka_unit_test(bounds_evict_and_count),
		cmocka_unit_test(rt_agents_turnover_evicts_nothing),
		cmocka_unit_test(today_records_share_a_budget),
		cmocka_unit_test(totals_bound_all_sites),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
