/* SPDX-License-Identifier: BSD-2-Clause */
/* test_web.c: unit tests of ccmetrics-web's counters (metrics.c) and SSE ring (sse.c). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "ccmetrics/wbuf.h"
#include "ccmetrics/webconf.h"
#include "ccmetrics/webmetrics.h"
#include "ccmetrics/websse.h"

static struct webconf *
conf(const char *yaml)
{
	struct webconf	*wc = webconf_load_string("test.yaml", yaml, stderr);

	assert_non_null(wc);
	return (wc);
}

static void
feed(struct wmetrics *m, const char *topic, const char *json)
{
	json_t	*obj = json_loads(json, 0, NULL);

	assert_non_null(obj);
	assert_int_equal(wmetrics_feed(m, topic, obj, 1000), 0);
	json_decref(obj);
}

/* The value of one series line "name{labels}" of the exposition. */
static char *
series(struct wmetrics *m, const char *name)
{
	static char		 val[64];
	struct wmetrics_self	 self;
	struct wbuf		 b = { NULL, 0, 0 };
	const char		*p;
	size_t			 n = strlen(name);

	memset(&self, 0, sizeof self);
	wmetrics_render(m, &self, &b, 1000);
	val[0] = '\0';
	for (p = b.p; p != NULL && *p != '\0'; p = strchr(p, '\n') + 1) {
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			snprintf(val, sizeof val, "%.*s",
			    (int)strcspn(p + n + 1, "\n"), p + n + 1);
			break;
		}
	}
	wbuf_free(&b);
	return (val);
}

#define ENV	"\"v\":1,\"boot\":\"b1\",\"ts\":\"2026-11-23T09:00:00.000Z\""

static void
answered_within_sl_follows_the_daemons_threshold(void **state)
{
	struct webconf	*wc = conf("");
	struct wmetrics	*m = wmetrics_create(wc);

	(void)state;
	/* Default threshold 20 s until an interval.queue says 30. */
	feed(m, "call.answer.sales", "{\"type\":\"call.answer\"," ENV
	    ",\"seq\":1,\"queue\":\"sales\",\"wait_s\":20.0}");
	feed(m, "call.answer.sales", "{\"type\":\"call.answer\"," ENV
	    ",\"seq\":2,\"queue\":\"sales\",\"wait_s\":25.0}");
	feed(m, "interval.queue.sales", "{\"type\":\"interval.queue\"," ENV
	    ",\"seq\":3,\"queue\":\"sales\",\"sl_threshold_s\":30}");
	feed(m, "call.answer.sales", "{\"type\":\"call.answer\"," ENV
	    ",\"seq\":4,\"queue\":\"sales\",\"wait_s\":25.0}");
	feed(m, "call.answer.sales", "{\"type\":\"call.answer\"," ENV
	    ",\"seq\":5,\"queue\":\"sales\",\"wait_s\":30.001}");
	assert_string_equal(series(m, "ccmetrics_calls_answered_total{"
	    "site=\"default\",queue=\"sales\"}"), "4");
	assert_string_equal(series(m, "ccmetrics_calls_answered_within_sl_total"
	    "{site=\"default\",queue=\"sales\"}"), "2");
	/* Bucket edges are inclusive: 20.0 is in le="20", 25 in le="30". */
	assert_string_equal(series(m, "ccmetrics_wait_seconds_bucket{site="
	    "\"default\",queue=\"sales\",outcome=\"answered\",le=\"20\"}"), "1");
	assert_string_equal(series(m, "ccmetrics_wait_seconds_bucket{site="
	    "\"default\",queue=\"sales\",outcome=\"answered\",le=\"30\"}"), "3");
	assert_string_equal(series(m, "ccmetrics_wait_seconds_bucket{site="
	    "\"default\",queue=\"sales\",outcome=\"answered\",le=\"45\"}"), "4");
	wmetrics_free(m);
	webconf_free(wc);
}

static void
partial_calls_and_outcomes(void **state)
{
	struct webconf	*wc = conf("");
	struct wmetrics	*m = wmetrics_create(wc);

	(void)state;
	feed(m, "call.end.q", "{\"type\":\"call.end\"," ENV ",\"seq\":1,"
	    "\"site\":\"east1\",\"queue\":\"q\",\"outcome\":\"blocked\","
	    "\"wait_s\":0.5,\"rona\":0,\"holds\":0,\"agents\":[],"
	    "\"partial\":false}");
	feed(m, "call.end.q", "{\"type\":\"call.end\"," ENV ",\"seq\":2,"
	    "\"site\":\"east1\",\"queue\":\"q\",\"outcome\":\"timeout\","
	    "\"wait_s\":61.0,\"rona\":2,\"holds\":0,\"agents\":[],"
	    "\"partial\":false}");
	feed(m, "call.end.q", "{\"type\":\"call.end\"," ENV ",\"seq\":3,"
	    "\"site\":\"east1\",\"queue\":\"q\",\"outcome\":\"answered\","
	    "\"wait_s\":3.0,\"rona\":1,\"holds\":2,\"handle_s\":100.5,"
	    "\"talk_s\":90.0,\"hold_s\":10.5,\"agents\":[\"1001\",\"1002\"],"
	    "\"partial\":false}");
	/* Seen mid-dialog: in no count, as in the intervals. */
	feed(m, "call.end.q", "{\"type\":\"call.end\"," ENV ",\"seq\":4,"
	    "\"site\":\"east1\",\"queue\":\"q\",\"outcome\":\"timeout\","
	    "\"wait_s\":1.0,\"rona\":5,\"holds\":0,\"agents\":[],"
	    "\"partial\":true}");
	feed(m, "call.abandon.q", "{\"type\":\"call.abandon\"," ENV
	    ",\"seq\":5,\"site\":\"east1\",\"queue\":\"q\",\"wait_s\":4.9,"
	    "\"outcome\":\"short_abandoned\"}");
	assert_string_equal(series(m, "ccmetrics_calls_blocked_total{site="
	    "\"east1\",queue=\"q\"}"), "1");
	assert_string_equal(series(m, "ccmetrics_calls_timeouts_total{site="
	    "\"east1\",queue=\"q\"}"), "1");
	assert_string_equal(series(m, "ccmetrics_rona_total{site=\"east1\","
	    "queue=\"q\"}"), "3");
	assert_string_equal(series(m, "ccmetrics_handled_total{site=\"east1\","
	    "queue=\"q\"}"), "2");
	assert_string_equal(series(m, "ccmetrics_handle_seconds_total{site="
	    "\"east1\",queue=\"q\"}"), "100.5");
	assert_string_equal(series(m, "ccmetrics_wait_seconds_count{site="
	    "\"east1\",queue=\"q\",outcome=\"timeout\"}"), "1");
	assert_string_equal(series(m, "ccmetrics_wait_seconds_bucket{site="
	    "\"east1\",queue=\"q\",outcome=\"short_abandoned\",le=\"5\"}"), "1");
	assert_string_equal(series(m, "ccmetrics_calls_abandoned_total{site="
	    "\"east1\",queue=\"q\"}"), "0");
	wmetrics_free(m);
	webconf_free(wc);
}

static void
sequence_gaps_and_restarts(void **state)
{
	struct webconf	*wc = conf("");
	struct wmetrics	*m = wmetrics_create(wc);

	(void)state;
	/* seq 7 first: no gap (ccmetrics-web came late); 8, then 11: 2. */
	feed(m, "stats", "{\"type\":\"stats\",\"v\":1,\"boot\":\"a\",\"seq\":7,"
	    "\"site\":\"s\",\"pcap_drops\":3}");
	feed(m, "stats", "{\"type\":\"stats\",\"v\":1,\"boot\":\"a\",\"seq\":8,"
	    "\"site\":\"s\"}");
	feed(m, "stats", "{\"type\":\"stats\",\"v\":1,\"boot\":\"a\","
	    "\"seq\":11,\"site\":\"s\",\"legs\":{\"open\":4}}");
	/* A new run whose first 3 objects were missed: 3 more. */
	feed(m, "stats", "{\"type\":\"stats\",\"v\":1,\"boot\":\"b\",\"seq\":4,"
	    "\"site\":\"s\",\"legs\":{\"open\":1}}");
	assert_string_equal(series(m, "ccmetrics_feed_sequence_gaps_total{"
	    "site=\"s\"}"), "5");
	assert_string_equal(series(m, "ccmetrics_feed_restarts_total{site="
	    "\"s\"}"), "1");
	assert_string_equal(series(m, "ccmetrics_feed_messages_total{site="
	    "\"s\"}"), "4");
	assert_string_equal(series(m, "ccmetrics_open_legs{site=\"s\"}"), "1");
	assert_string_equal(series(m, "ccmetrics_capture_drops_total{site="
	    "\"s\"}"), "0");
	wmetrics_free(m);
	webconf_free(wc);
}

/* ---- SSE ---- */

static int	nwake, ncut;
static void	wake(void *c) { (void)c; nwake++; }
static void	cut(void *c) { (void)c; ncut++; }
static const struct sse_hooks hooks = { wake, cut };

/* An event of site east1, run (boot) b1. */
static void
publish(struct sse *s, const char *topic, uint64_t seq, size_t pad)
{
	char	body[8192];

	assert_true(pad < sizeof body - 64);
	snprintf(body, sizeof body, "{\"seq\":%llu,\"pad\":\"%*s\"}",
	    (unsigned long long)seq, (int)pad, "");
	assert_int_equal(sse_publish(s, topic, "east1", "b1", seq, body,
	    strlen(body)), 0);
}

/* A small event of SITE, run BOOT: {"seq":N} on rt.queue.a. */
static void
publish_run(struct sse *s, const char *site, const char *boot, uint64_t seq)
{
	char	body[64];

	snprintf(body, sizeof body, "{\"seq\":%llu}", (unsigned long long)seq);
	assert_int_equal(sse_publish(s, "rt.queue.a", site, boot, seq, body,
	    strlen(body)), 0);
}

/* Everything a client can read now, as text. */
static char *
read_all(struct sse *s, struct sse_client *c)
{
	static char	out[65536];
	size_t		len = 0;
	ssize_t		n;

	while ((n = sse_client_read(s, c, out + len, 7)) > 0)
		len += (size_t)n;	/* small reads: frames split anywhere */
	out[len] = '\0';
	return (out);
}

static void
last_event_id_replays_exactly_the_missed(void **state)
{
	struct webconf		*wc = conf("");
	struct sse		*s = sse_create(wc, &hooks);
	struct sse_client	*c;
	char			 pre[1][SSE_PREFIX_MAX] = { "rt.queue." };

	(void)state;
	publish(s, "rt.queue.a", 1, 0);
	publish(s, "interval.queue.a", 2, 0);
	publish(s, "rt.queue.a", 3, 0);
	c = sse_client_open(s, NULL, "east1:1", NULL, 0);
	assert_string_equal(read_all(s, c), "retry: 2000\n\n"
	    "id: east1:2\ndata: {\"topic\":\"interval.queue.a\",\"seq\":2,"
	    "\"pad\":\"\"}\n\n"
	    "id: east1:3\ndata: {\"topic\":\"rt.queue.a\",\"seq\":3,"
	    "\"pad\":\"\"}\n\n");
	sse_client_wait(c);
	publish(s, "rt.queue.a", 4, 0);
	assert_int_equal(nwake, 1);
	assert_string_equal(read_all(s, c), "id: east1:4\ndata: {\"topic\":"
	    "\"rt.queue.a\",\"seq\":4,\"pad\":\"\"}\n\n");
	sse_client_close(s, c);
	/* A filter, and an id the ring does not hold: all it has. */
	c = sse_client_open(s, NULL, "east1:99", pre, 1);
	assert_non_null(strstr(read_all(s, c), "events were lost"));
	sse_client_close(s, c);
	c = sse_client_open(s, NULL, "west:3", pre, 1);
	assert_string_equal(read_all(s, c), "retry: 2000\n: Last-Event-ID not "
	    "in the ring: events were lost, replaying all that are kept\n\n"
	    "id: east1:1\ndata: {\"topic\":\"rt.queue.a\",\"seq\":1,"
	    "\"pad\":\"\"}\n\n"
	    "id: east1:3\ndata: {\"topic\":\"rt.queue.a\",\"seq\":3,"
	    "\"pad\":\"\"}\n\n"
	    "id: east1:4\ndata: {\"topic\":\"rt.queue.a\",\"seq\":4,"
	    "\"pad\":\"\"}\n\n");
	sse_client_close(s, c);
	sse_free(s);
	webconf_free(wc);
}

static void
a_client_behind_by_the_bound_is_cut(void **state)
{
	struct webconf		*wc = conf("limits: { client_buffer_bytes: "
	    "4096 }\n");
	struct sse		*s = sse_create(wc, &hooks);
	struct sse_client	*slow, *fast;
	struct sse_stats	 st;
	uint64_t		 seq;

	(void)state;
	ncut = 0;
	slow = sse_client_open(s, NULL, NULL, NULL, 0);
	fast = sse_client_open(s, NULL, NULL, NULL, 0);
	/* Frames of 59 + 1041 = 1100 bytes ("id: east1:N\ndata: " and the
	   JSON around the pad): behind by 3 x 1100 = 3300 before the 4th,
	   4400 before the 5th, over 4096: cut at the 5th, not the 4th. */
	for (seq = 1; seq <= 4; seq++) {
		publish(s, "rt.queue.a", seq, 1041);
		(void)read_all(s, fast);
	}
	assert_int_equal(ncut, 0);
	publish(s, "rt.queue.a", 5, 1041);
	assert_int_equal(ncut, 1);
	assert_int_equal(sse_client_read(s, slow, (char[8]){ 0 }, 8), -1);
	assert_non_null(strstr(read_all(s, fast), "id: east1:5\n"));
	sse_get_stats(s, &st);
	assert_int_equal(st.cut, 1);
	assert_int_equal(st.clients, 2);
	sse_client_close(s, slow);
	sse_client_close(s, fast);
	sse_free(s);
	webconf_free(wc);
}

/* Behind by exactly the bound is not over it. */
static void
the_bound_itself_is_allowed(void **state)
{
	struct webconf		*wc = conf("limits: { client_buffer_bytes: "
	    "4400 }\n");
	struct sse		*s = sse_create(wc, &hooks);
	struct sse_client	*slow;
	uint64_t		 seq;

	(void)state;
	ncut = 0;
	slow = sse_client_open(s, NULL, NULL, NULL, 0);
	for (seq = 1; seq <= 5; seq++)
		publish(s, "rt.queue.a", seq, 1041);
	assert_int_equal(ncut, 0);
	publish(s, "rt.queue.a", 6, 1041);
	assert_int_equal(ncut, 1);
	sse_client_close(s, slow);
	sse_free(s);
	webconf_free(wc);
}

static void
the_ring_keeps_its_bound(void **state)
{
	struct webconf		*wc = conf("events: { ring: 3 }\n");
	struct sse		*s = sse_create(wc, &hooks);
	struct sse_client	*c;
	struct sse_stats	 st;
	uint64_t		 seq;

	(void)state;
	ncut = 0;
	c = sse_client_open(s, NULL, NULL, NULL, 0);
	for (seq = 1; seq <= 5; seq++)
		publish(s, "rt.queue.a", seq, 0);
	sse_get_stats(s, &st);
	assert_int_equal(st.ring_events, 3);
	/* Its next event (1) was dropped: it would miss it, so it is cut. */
	assert_int_equal(ncut, 1);
	sse_client_close(s, c);
	/* Newlines in a body could forge events: refused. */
	assert_int_equal(sse_publish(s, "rt.queue.a", "east1", "b1", 9,
	    "{\"a\":\n1}", 8), -1);
	assert_int_equal(sse_publish(s, "rt.queue.\"", "east1", "b1", 9, "{}",
	    2), -1);
	sse_free(s);
	webconf_free(wc);
}

/* The ids of the events a client reads now, space-separated, after its
   notice comment (if any) as "!lost " or "!repeat ". */
static char *
read_ids(struct sse *s, struct sse_client *c)
{
	static char	 ids[4096];
	const char	*p, *t = read_all(s, c);
	size_t		 len = 0;

	ids[0] = '\0';
	if (strstr(t, "events were lost") != NULL)
		len += (size_t)snprintf(ids + len, sizeof ids - len, "!lost ");
	if (strstr(t, "events may come twice") != NULL)
		len += (size_t)snprintf(ids + len, sizeof ids - len, "!repeat ");
	for (p = t; (p = strstr(p, "id: ")) != NULL; p += 4)
		len += (size_t)snprintf(ids + len, sizeof ids - len, "%.*s ",
		    (int)strcspn(p + 4, "\n"), p + 4);
	if (len > 0 && ids[len - 1] == ' ')
		ids[len - 1] = '\0';
	return (ids);
}

/* Reconnects with ID and reads every id it gets. */
static char *
resume(struct sse *s, const char *id)
{
	struct sse_client	*c = sse_client_open(s, NULL, id, NULL, 0);
	char			*ids = read_ids(s, c);

	sse_client_close(s, c);
	return (ids);
}

/*
 * seq restarts at 1 when a site's daemon restarts (a new boot): an id of
 * the old run must not be resumed at the new run's event of the same seq
 * (that skipped what came between). Events of site west in between are
 * never skipped either.
 */
static void
a_restart_never_makes_a_client_skip(void **state)
{
	struct webconf	*wc = conf("");
	struct sse	*s = sse_create(wc, &hooks);

	(void)state;
	publish_run(s, "east1", "A", 1);
	publish_run(s, "west", "W", 1);
	publish_run(s, "east1", "A", 2);
	publish_run(s, "east1", "A", 3);
	/* One run so far: exact. */
	assert_string_equal(resume(s, "east1:2"), "east1:3");
	assert_string_equal(resume(s, "east1:1"), "west:1 east1:2 east1:3");
	/* East restarts: its new run's seq 1 is already in the ring. */
	publish_run(s, "east1", "B", 1);
	publish_run(s, "west", "W", 2);
	/* Only the old run reached 2 and 3: exact, in the old run. */
	assert_string_equal(resume(s, "east1:2"),
	    "east1:3 east1:1 west:2");
	assert_string_equal(resume(s, "east1:3"), "east1:1 west:2");
	/* east1:1: issued by both runs, the ring holds both copies: after
	   the older, so the newer comes again, nothing is missed. (The
	   newest match, before, gave only west:2.) */
	assert_string_equal(resume(s, "east1:1"), "!repeat west:1 east1:2 "
	    "east1:3 east1:1 west:2");
	publish_run(s, "east1", "B", 2);
	publish_run(s, "east1", "B", 3);
	publish_run(s, "east1", "B", 4);
	/* 2 and 3: both runs. (Before: east1:4 only, from the new run, a
	   client of the old run skipped A's 3 and B's 1 to 3.) */
	assert_string_equal(resume(s, "east1:3"), "!repeat east1:1 west:2 "
	    "east1:2 east1:3 east1:4");
	/* 4: past every seq of the old run, only the new run: exact. */
	assert_string_equal(resume(s, "east1:4"), "");
	publish_run(s, "east1", "B", 5);
	assert_string_equal(resume(s, "east1:4"), "east1:5");
	/* west never restarted: its ids stay exact. */
	assert_string_equal(resume(s, "west:2"),
	    "east1:2 east1:3 east1:4 east1:5");
	/* A seq no run reached, a site never seen: all the ring. */
	assert_string_equal(resume(s, "east1:6"), "!lost east1:1 west:1 "
	    "east1:2 east1:3 east1:1 west:2 east1:2 east1:3 east1:4 east1:5");
	assert_string_equal(resume(s, "north:1"), "!lost east1:1 west:1 "
	    "east1:2 east1:3 east1:1 west:2 east1:2 east1:3 east1:4 east1:5");
	sse_free(s);
	webconf_free(wc);
}

/*
 * When the ring has dropped the old run's copy of an id, the client may
 * have been there: all the ring (over-deliver, never skip).
 */
static void
a_dropped_copy_of_the_old_run_replays_the_ring(void **state)
{
	struct webconf	*wc = conf("events: { ring: 4 }\n");
	struct sse	*s = sse_create(wc, &hooks);

	(void)state;
	publish_run(s, "east1", "A", 1);
	publish_run(s, "east1", "A", 2);
	publish_run(s, "east1", "A", 3);
	publish_run(s, "east1", "B", 1);
	publish_run(s, "east1", "B", 2);
	/* The ring: A:2 A:3 B:1 B:2. A:1 is gone, B:1 is there: a client of
	   the old run at 1 missed A:2 on, one of the new run only B:2. */
	assert_string_equal(resume(s, "east1:1"),
	    "!lost east1:2 east1:3 east1:1 east1:2");
	/* 2: both copies held (the oldest event of the site is A's 2). */
	assert_string_equal(resume(s, "east1:2"),
	    "!repeat east1:3 east1:1 east1:2");
	publish_run(s, "east1", "B", 3);
	/* The ring: A:3 B:1 B:2 B:3; A:2 is gone now. */
	assert_string_equal(resume(s, "east1:2"),
	    "!lost east1:3 east1:1 east1:2 east1:3");
	assert_string_equal(resume(s, "east1:3"), "!repeat east1:1 east1:2 "
	    "east1:3");
	/* A boot that comes back (two daemons misconfigured with one site
	   name) is one more run each time: still never a skip. */
	publish_run(s, "east1", "A", 4);
	assert_string_equal(resume(s, "east1:3"),
	    "!lost east1:1 east1:2 east1:3 east1:4");
	sse_free(s);
	webconf_free(wc);
}

/*
 * limits.max_queues_total holds over all sites (a feed naming many sites
 * cannot multiply max_queues); names that are no label value are counted;
 * an object whose site is none is refused, not counted under "default".
 */
static void
totals_and_names_are_bounded_and_counted(void **state)
{
	struct webconf	*wc = conf("limits: { max_queues_total: 3 }\n");
	struct wmetrics	*m = wmetrics_create(wc);
	json_t		*obj;
	char		 json[256];
	int		 i;

	(void)state;
	/* 2 sites of 2 queues: a0, a1, b0 kept, b1 dropped. */
	for (i = 0; i < 4; i++) {
		snprintf(json, sizeof json, "{\"type\":\"call.arrive\"," ENV
		    ",\"seq\":%d,\"site\":\"%s\",\"queue\":\"q%d\"}", i + 1,
		    i < 2 ? "a" : "b", i % 2);
		feed(m, "call.arrive.q", json);
	}
	/* A queue that is no label value. */
	feed(m, "call.arrive.q", "{\"type\":\"call.arrive\"," ENV ",\"seq\":5,"
	    "\"site\":\"a\",\"queue\":\"q\\\"1\\n\"}");
	/* A site that is none: refused, "default" gets nothing. */
	obj = json_loads("{\"type\":\"call.arrive\"," ENV ",\"seq\":6,"
	    "\"site\":\"e\\\"vil\",\"queue\":\"q0\"}", 0, NULL);
	assert_non_null(obj);
	assert_int_equal(wmetrics_feed(m, "call.arrive.q", obj, 1000), -1);
	json_decref(obj);
	obj = json_loads("{\"type\":\"call.arrive\"," ENV ",\"seq\":7,"
	    "\"site\":7,\"queue\":\"q0\"}", 0, NULL);
	assert_non_null(obj);
	assert_int_equal(wmetrics_feed(m, "call.arrive.q", obj, 1000), -1);
	json_decref(obj);
	assert_string_equal(series(m, "ccmetrics_calls_offered_total{"
	    "site=\"b\",queue=\"q0\"}"), "1");
	assert_string_equal(series(m, "ccmetrics_calls_offered_total{"
	    "site=\"b\",queue=\"q1\"}"), "");
	assert_string_equal(series(m, "ccmetrics_feed_messages_total{"
	    "site=\"default\"}"), "");
	/* b1, the queue name, the two sites. */
	assert_string_equal(series(m, "ccmetrics_web_dropped_series_total"),
	    "4");
	wmetrics_free(m);
	webconf_free(wc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answered_within_sl_follows_the_daemons_threshold),
		cmocka_unit_test(totals_and_names_are_bounded_and_counted),
		cmocka_unit_test(partial_calls_and_outcomes),
		cmocka_unit_test(sequence_gaps_and_restarts),
		cmocka_unit_test(last_event_id_replays_exactly_the_missed),
		cmocka_unit_test(a_client_behind_by_the_bound_is_cut),
		cmocka_unit_test(the_bound_itself_is_allowed),
		cmocka_unit_test(the_ring_keeps_its_bound),
		cmocka_unit_test(a_restart_never_makes_a_client_skip),
		cmocka_unit_test(a_dropped_copy_of_the_old_run_replays_the_ring),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
