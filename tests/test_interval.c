/* SPDX-License-Identifier: BSD-2-Clause */
/* test_interval.c: DESIGN.md section 4 held against published intervals. */

#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline.h"

/*
 * Expected values are worked out by hand from DESIGN.md 4 (interval
 * [start, end), event-time attribution, wait_s <= sl_threshold_s, the
 * histogram's upper edges) and docs/decisions.md (upper-inclusive
 * buckets, late events, configured queues always published).
 * T0 = 09:00:00Z starts an interval of 900 s and of 3600 s.
 */

#define YAML_HEAD(interval_s) \
	"pbx:\n" \
	"  addresses: [10.0.0.10]\n" \
	"trunks:\n" \
	"  addresses: [192.0.2.0/24]\n" \
	"agents:\n" \
	"  addresses: [10.1.0.0/16]\n" \
	"queues:\n" \
	"  - name: sales\n" \
	"    dnis: [\"5100\"]\n" \
	"    sl_threshold_s: 20\n" \
	"    sl_target: 0.80\n" \
	"  - name: support\n" \
	"    dnis: [\"5200\"]\n" \
	"    sl_threshold_s: 15\n" \
	"  - name: idle\n" \
	"    dnis: [\"5300\"]\n" \
	"correlation:\n" \
	"  headers: [X-CC-Inbound]\n" \
	"metrics:\n" \
	"  interval_s: " #interval_s "\n" \
	"  realtime_s: 5\n" \
	"  short_abandon_s: 5\n"

#define YAML	YAML_HEAD(900)
#define I0	T0_US			/* the first interval */
#define I1	ATS(900)
#define I2	ATS(1800)

/* One customer call: its inbound leg and one agent leg tied by header. */
struct call {
	char		in_id[64];
	char		ag_id[64];
	char		caller[32];
	struct dlg	in;
	struct dlg	ag;
};

static void
call_init(struct call *c, int n, const char *dnis, const char *agent)
{
	snprintf(c->in_id, sizeof c->in_id, "in-%d@192.0.2.1", n);
	snprintf(c->ag_id, sizeof c->ag_id, "ag-%d@10.0.0.10", n);
	snprintf(c->caller, sizeof c->caller, "+1555000%04d", n);
	c->in = (struct dlg){ c->in_id, "tf", "pb", TRUNK, PBX, c->caller,
	    dnis, NULL, NULL };
	c->ag = (struct dlg){ c->ag_id, "pf", "ph", PBX, AGENT1, c->caller,
	    agent, c->in_id, NULL };
}

/* Arrival at arrive, agent INVITE 1 ms later, answered at answer. */
static void
call_answered(struct pipe *p, struct call *c, int n, const char *dnis,
    int64_t arrive_us, int64_t answer_us)
{
	call_init(c, n, dnis, "1001");
	send_invite(p, &c->in, arrive_us);
	send_invite(p, &c->ag, arrive_us + 1000);
	send_resp(p, &c->ag, SIP_OK, answer_us);
}

/* The caller hangs up at ts, the PBX ends the agent leg in the same ms. */
static void
call_hangup(struct pipe *p, const struct call *c, int64_t ts_us)
{
	send_bye(p, &c->in, true, 2, ts_us);
	send_bye(p, &c->ag, true, 2, ts_us);
}

/* Arrival at arrive, ringback, CANCEL at cancel. */
static void
call_abandoned(struct pipe *p, struct call *c, int n, const char *dnis,
    int64_t arrive_us, int64_t cancel_us)
{
	call_init(c, n, dnis, "1001");
	send_invite(p, &c->in, arrive_us);
	send_resp(p, &c->in, SIP_RINGING, arrive_us + 1000);
	send_cancel(p, &c->in, cancel_us);
}

static void
a_wait_of_exactly_sl_threshold_s_is_within_sl_one_ms_more_is_not(
    void **state)
{
	struct pipe	 p;
	struct call	 c[4];
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	call_answered(&p, &c[0], 1, "5100", ATS(10), ATS(30));	/* 20.000 */
	call_answered(&p, &c[1], 2, "5100", ATS(11), AT(31001));	/* 20.001 */
	/* support: sl_threshold_s 15. */
	call_answered(&p, &c[2], 3, "5200", ATS(12), ATS(27));	/* 15.000 */
	call_answered(&p, &c[3], 4, "5200", ATS(13), AT(28001));	/* 15.001 */
	pipe_flush(&p, ATS(100));
	pipe_done(&p);
	o = pipe_interval(&p, "sales", I0);
	expect_int(o, "answered", 2);
	expect_int(o, "answered_within_sl", 1);
	expect_num(o, "service_level", 0.5);
	expect_num(o, "wait_answered_s", 40.001);
	expect_num(o, "max_wait_s", 20.001);
	expect_int(o, "sl_threshold_s", 20);
	o = pipe_interval(&p, "support", I0);
	expect_int(o, "answered", 2);
	expect_int(o, "answered_within_sl", 1);
	expect_int(o, "sl_threshold_s", 15);
	pipe_close(&p);
}

static void
answered_waits_fall_in_upper_inclusive_buckets_at_every_edge(void **state)
{
	static const int	 edges[] = { 5, 10, 15, 20, 30, 45, 60, 90,
				    120, 180, 300 };
	/* e.000 s in bucket i, e.001 s in bucket i + 1; plus 1 ms. */
	static const long long	 want[INTERVAL_WAIT_BUCKETS] = {
		2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1
	};
	struct pipe		 p;
	struct call		 c[2 * 11 + 1];
	int64_t			 answer[2 * 11 + 1], t;
	json_t			*o;
	size_t			 i, j, n, order[2 * 11 + 1], k;

	(void)state;
	pipe_open(&p, YAML);
	for (i = 0; i < 11; i++) {
		answer[2 * i] = (int64_t)edges[i] * 1000000;
		answer[2 * i + 1] = (int64_t)edges[i] * 1000000 + 1000;
	}
	answer[22] = 1000;
	/* Packet time in order: every arrival (with ringback), then the
	   answers by time. */
	for (n = 0; n < 23; n++) {
		call_init(&c[n], (int)n, "5100", "1001");
		send_invite(&p, &c[n].in, ATS(n));
		send_resp(&p, &c[n].in, SIP_RINGING, ATS(n) + 1000);
		send_invite(&p, &c[n].ag, ATS(n) + 2000);
		answer[n] += ATS(n);
		order[n] = n;
	}
	for (i = 1; i < 23; i++)
		for (j = i; j > 0 && answer[order[j]] < answer[order[j - 1]];
		    j--) {
			k = order[j];
			order[j] = order[j - 1];
			order[j - 1] = k;
		}
	for (i = 0; i < 23; i++) {
		t = answer[order[i]];
		send_resp(&p, &c[order[i]].ag, SIP_OK, t);
	}
	pipe_flush(&p, ATS(600));
	pipe_done(&p);
	o = pipe_interval(&p, "sales", I0);
	expect_int(o, "answered", 23);
	expect_hist(o, "wait_hist_answered", want);
	pipe_close(&p);
}

static void
abandons_fill_their_histogram_short_ones_included_and_split_the_counts(
    void **state)
{
	static const long long	 want[INTERVAL_WAIT_BUCKETS] = {
		2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1
	};
	static const long long	 none[INTERVAL_WAIT_BUCKETS];
	struct pipe		 p;
	struct call		 c[5];
	json_t			*o;

	(void)state;
	pipe_open(&p, YAML);
	call_abandoned(&p, &c[0], 1, "5100", ATS(1), ATS(1) + 4999000);
	call_abandoned(&p, &c[1], 2, "5100", ATS(2), ATS(2) + 5000000);
	call_abandoned(&p, &c[2], 3, "5100", ATS(3), ATS(3) + 5001000);
	call_abandoned(&p, &c[3], 4, "5100", ATS(4), ATS(304));
	call_abandoned(&p, &c[4], 5, "5100", ATS(5), ATS(305) + 1000);
	pipe_flush(&p, ATS(600));
	pipe_done(&p);
	o = pipe_interval(&p, "sales", I0);
	expect_int(o, "offered", 5);
	expect_int(o, "abandoned", 4);
	expect_int(o, "short_abandoned", 1);
	/* 5.000 + 5.001 + 300.000 + 300.001, the short one left out. */
	expect_num(o, "abandon_wait_s", 610.002);
	expect_hist(o, "wait_hist_abandoned", want);
	expect_hist(o, "wait_hist_answered", none);
	expect_num(o, "abandon_rate", 1.0);
	expect_num(o, "service_level", 0.0);
	pipe_close(&p);
}

static void
each_count_goes_to_the_interval_of_its_own_event(void **state)
{
	struct pipe	 p;
	struct call	 c, d;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	/* Arrives in I0, answered at I1's first instant, ends at I2's. */
	call_init(&c, 1, "5100", "1001");
	send_invite(&p, &c.in, AT(899999));
	send_invite(&p, &c.ag, AT(899999));
	send_resp(&p, &c.ag, SIP_OK, ATS(900));
	/* Arrives in I0, abandons in I1. */
	call_abandoned(&p, &d, 2, "5100", ATS(890), ATS(905));
	call_hangup(&p, &c, ATS(1800));
	pipe_flush(&p, ATS(1900));
	pipe_done(&p);

	o = pipe_interval(&p, "sales", I0);
	expect_str(o, "end", "2026-11-23T09:15:00.000Z");
	expect_int(o, "interval_s", 900);
	expect_int(o, "offered", 2);
	expect_int(o, "answered", 0);
	expect_int(o, "abandoned", 0);
	expect_int(o, "handled", 0);
	o = pipe_interval(&p, "sales", I1);
	expect_int(o, "offered", 0);
	expect_int(o, "answered", 1);
	expect_num(o, "wait_answered_s", 0.001);
	expect_int(o, "abandoned", 1);
	expect_num(o, "abandon_wait_s", 15.0);
	expect_int(o, "handled", 0);
	o = pipe_interval(&p, "sales", I2);
	expect_int(o, "answered", 0);
	expect_int(o, "handled", 1);
	expect_num(o, "handle_s", 900.0);
	expect_num(o, "aht_s", 900.0);
	/* The agent: rung in I0, busy the whole of I1, none of I2. */
	o = pipe_agent_interval(&p, "1001", I0);
	expect_int(o, "attempts", 1);
	expect_num(o, "busy_s", 0);
	o = pipe_agent_interval(&p, "1001", I1);
	expect_int(o, "answered", 1);
	expect_num(o, "busy_s", 900.0);
	o = pipe_agent_interval(&p, "1001", I2);
	expect_int(o, "handled", 1);
	expect_num(o, "busy_s", 0);
	pipe_close(&p);
}

static void
agent_busy_time_is_clipped_to_each_interval(void **state)
{
	struct pipe	 p;
	struct call	 c;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	call_answered(&p, &c, 1, "5100", ATS(790), ATS(800));
	send_offer(&p, &c.ag, false, 1, SDP_DIR_SENDONLY, false, ATS(850));
	send_offer(&p, &c.ag, false, 2, SDP_DIR_SENDRECV, false, ATS(950));
	call_hangup(&p, &c, ATS(1000));
	pipe_flush(&p, ATS(1100));
	pipe_done(&p);
	o = pipe_agent_interval(&p, "1001", I0);
	expect_num(o, "busy_s", 100.0);
	expect_int(o, "handled", 0);
	o = pipe_agent_interval(&p, "1001", I1);
	expect_num(o, "busy_s", 100.0);
	expect_int(o, "handled", 1);
	expect_num(o, "handle_s", 200.0);
	expect_num(o, "hold_s", 100.0);
	expect_num(o, "talk_s", 100.0);
	expect_int(o, "holds", 1);
	o = pipe_interval(&p, "sales", I1);
	expect_num(o, "hold_s", 100.0);
	expect_num(o, "talk_s", 100.0);
	expect_int(o, "holds", 1);
	pipe_close(&p);
}

static void
segment_ending_within_the_grace_splits_its_busy_time_at_the_edge(
    void **state)
{
	struct pipe	 p;
	struct call	 c;

	(void)state;
	pipe_open(&p, YAML);
	call_answered(&p, &c, 1, "5100", ATS(790), ATS(800));
	/* Ends at 901 s: I0 is still open (it closes at 902 s). */
	call_hangup(&p, &c, ATS(901));
	pipe_flush(&p, ATS(1000));
	pipe_done(&p);
	expect_num(pipe_agent_interval(&p, "1001", I0), "busy_s", 100.0);
	expect_num(pipe_agent_interval(&p, "1001", I1), "busy_s", 1.0);
	expect_int(pipe_agent_interval(&p, "1001", I1), "handled", 1);
	pipe_close(&p);
}

static void
an_interval_stays_open_for_2_s_of_grace_after_its_end(void **state)
{
	struct pipe	 p;
	struct call	 c;

	(void)state;
	pipe_open(&p, YAML);
	call_init(&c, 1, "5100", "1001");
	send_invite(&p, &c.in, ATS(200));
	send_resp(&p, &c.in, SIP_RINGING, ATS(201));
	pipe_tick(&p, AT(901999));
	/* A CANCEL captured late by another probe, within the grace. */
	send_cancel(&p, &c.in, ATS(899));
	pipe_flush(&p, ATS(1000));
	pipe_done(&p);
	expect_int(pipe_interval(&p, "sales", I0), "abandoned", 1);
	expect_num(pipe_interval(&p, "sales", I0), "abandon_wait_s", 699.0);
	expect_int(pipe_interval(&p, "sales", I1), "abandoned", 0);
	assert_int_equal(pipe_interval_stats(&p)->late_events, 0);
	pipe_close(&p);
}

static void
an_event_for_a_closed_interval_counts_late_in_the_oldest_open_one(
    void **state)
{
	struct pipe	 p;
	struct call	 c;

	(void)state;
	pipe_open(&p, YAML);
	call_init(&c, 1, "5100", "1001");
	send_invite(&p, &c.in, ATS(200));
	send_resp(&p, &c.in, SIP_RINGING, ATS(201));
	pipe_tick(&p, ATS(902));		/* I0 closes */
	send_cancel(&p, &c.in, ATS(899));
	pipe_flush(&p, ATS(1000));
	pipe_done(&p);
	expect_int(pipe_interval(&p, "sales", I0), "offered", 1);
	expect_int(pipe_interval(&p, "sales", I0), "abandoned", 0);
	expect_int(pipe_interval(&p, "sales", I1), "abandoned", 1);
	expect_num(pipe_interval(&p, "sales", I1), "abandon_wait_s", 699.0);
	/* Three events at 899 s reach the stage late: the abandon, the
	   inbound leg's end and the contact's end. */
	assert_int_equal(pipe_interval_stats(&p)->late_events, 3);
	pipe_close(&p);
}

static void
configured_queues_without_calls_publish_zeros_and_null_ratios(void **state)
{
	static const long long	 none[INTERVAL_WAIT_BUCKETS];
	static const char *const counts[] = {
		"offered", "blocked", "answered", "answered_within_sl",
		"abandoned", "short_abandoned", "timeouts", "handled",
		"holds", "rona", "transfers", "repeat_calls"
	};
	static const char *const secs[] = {
		"wait_answered_s", "max_wait_s", "abandon_wait_s", "talk_s",
		"hold_s", "handle_s"
	};
	static const char *const ratios[] = {
		"service_level", "asa_s", "aht_s", "abandon_rate",
		"erlang_c_agents"
	};
	struct pipe		 p;
	json_t			*o;
	size_t			 i;

	(void)state;
	pipe_open(&p, YAML);
	pipe_tick(&p, ATS(10));
	pipe_flush(&p, ATS(20));
	pipe_done(&p);
	assert_int_equal(pipe_count(&p, "interval.queue.sales"), 1);
	assert_int_equal(pipe_count(&p, "interval.queue.support"), 1);
	assert_int_equal(pipe_count(&p, "interval.queue.idle"), 1);
	o = pipe_interval(&p, "idle", I0);
	expect_str(o, "end", "2026-11-23T09:15:00.000Z");
	for (i = 0; i < sizeof counts / sizeof counts[0]; i++)
		expect_int(o, counts[i], 0);
	for (i = 0; i < sizeof secs / sizeof secs[0]; i++)
		expect_num(o, secs[i], 0);
	for (i = 0; i < sizeof ratios / sizeof ratios[0]; i++)
		expect_null(o, ratios[i]);
	expect_hist(o, "wait_hist_answered", none);
	expect_hist(o, "wait_hist_abandoned", none);
	pipe_close(&p);
}

static void
service_level_and_abandon_rate_count_over_answered_plus_abandoned_not_short(
    void **state)
{
	struct pipe	 p;
	struct call	 c[7];
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	call_answered(&p, &c[0], 1, "5100", ATS(0), ATS(10));
	call_answered(&p, &c[1], 2, "5100", ATS(1), ATS(21));
	call_answered(&p, &c[2], 3, "5100", ATS(2), ATS(32));
	call_abandoned(&p, &c[3], 4, "5100", ATS(3), ATS(63));
	call_abandoned(&p, &c[4], 5, "5100", ATS(4), ATS(5));
	/* Blocked (486 at once), and a queue timeout (480 after 18x). */
	call_init(&c[5], 6, "5100", "1001");
	send_invite(&p, &c[5].in, ATS(5));
	send_resp(&p, &c[5].in, 486, ATS(5) + 20000);
	call_init(&c[6], 7, "5100", "1001");
	send_invite(&p, &c[6].in, ATS(6));
	send_resp(&p, &c[6].in, SIP_RINGING, ATS(7));
	send_resp(&p, &c[6].in, 480, ATS(126));
	call_hangup(&p, &c[0], ATS(70));
	call_hangup(&p, &c[1], ATS(81));
	call_hangup(&p, &c[2], ATS(92));
	pipe_flush(&p, ATS(200));
	pipe_done(&p);
	o = pipe_interval(&p, "sales", I0);
	expect_int(o, "offered", 7);
	expect_int(o, "answered", 3);
	expect_int(o, "answered_within_sl", 2);	/* 10 and 20 s */
	expect_int(o, "abandoned", 1);
	expect_int(o, "short_abandoned", 1);
	expect_int(o, "blocked", 1);
	expect_int(o, "timeouts", 1);
	expect_num(o, "service_level", 0.5);	/* 2 / (3 + 1) */
	expect_num(o, "abandon_rate", 0.25);	/* 1 / (3 + 1) */
	expect_num(o, "asa_s", 20.0);		/* (10 + 20 + 30) / 3 */
	expect_num(o, "max_wait_s", 30.0);
	expect_int(o, "handled", 3);
	expect_num(o, "handle_s", 180.0);	/* 60 s each */
	expect_num(o, "aht_s", 60.0);
	pipe_close(&p);
}

static void
rona_transfer_and_repeat_counts_land_at_their_events(void **state)
{
	struct pipe		 p;
	struct call		 c;
	const struct dlg	 again = { "in-9@192.0.2.1", "tf", "pb", TRUNK,
				    PBX, "+15550000001", "5100", NULL, NULL };
	const struct dlg	 ag2 = { "ag-r@10.0.0.10", "pf", "ph", PBX,
				    AGENT2, "+15550000001", "1002",
				    "in-1@192.0.2.1", NULL };
	json_t			*o;

	(void)state;
	pipe_open(&p, YAML);
	call_init(&c, 1, "5100", "1001");
	send_invite(&p, &c.in, ATS(10));
	send_invite(&p, &ag2, ATS(11));
	send_resp(&p, &ag2, 486, ATS(14));	/* RONA for 1002 in I0 */
	send_invite(&p, &c.ag, ATS(20));
	send_resp(&p, &c.ag, SIP_OK, ATS(25));
	send_refer(&p, &c.ag, false, 1, "<sip:2000@10.0.0.10>", NULL,
	    SIP_ACCEPTED, AT(899979));		/* 202 at 899.999 */
	call_hangup(&p, &c, ATS(920));
	send_invite(&p, &again, ATS(930));	/* the same caller: repeat */
	send_cancel(&p, &again, ATS(940));
	pipe_flush(&p, ATS(1000));
	pipe_done(&p);
	o = pipe_interval(&p, "sales", I0);
	expect_int(o, "rona", 1);
	expect_int(o, "transfers", 1);
	expect_int(o, "repeat_calls", 0);
	o = pipe_interval(&p, "sales", I1);
	expect_int(o, "rona", 0);
	expect_int(o, "transfers", 0);
	expect_int(o, "repeat_calls", 1);
	o = pipe_agent_interval(&p, "1002", I0);
	expect_int(o, "attempts", 1);
	expect_int(o, "rona", 1);
	o = pipe_agent_interval(&p, "1001", I0);
	expect_int(o, "transfers", 1);
	pipe_close(&p);
}

static void
realtime_snapshot_shows_waiting_longest_wait_talking_and_on_hold(
    void **state)
{
	struct pipe	 p;
	struct call	 c1, c2;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	call_init(&c1, 1, "5100", "1001");
	call_init(&c2, 2, "5100", "1001");
	send_invite(&p, &c1.in, ATS(1));
	send_invite(&p, &c2.in, ATS(2));
	send_invite(&p, &c1.ag, AT(2500));
	send_resp(&p, &c1.ag, SIP_OK, ATS(3));
	pipe_tick(&p, ATS(10));			/* snapshot 1 */
	send_offer(&p, &c1.ag, false, 1, SDP_DIR_SENDONLY, false, ATS(11));
	pipe_tick(&p, ATS(15));			/* snapshot 2 */
	pipe_done(&p);
	assert_int_equal(pipe_count(&p, "rt.queue.sales"), 2);
	o = pipe_get(&p, "rt.queue.sales", 0);
	expect_str(o, "ts", "2026-11-23T09:00:10.000Z");
	expect_int(o, "waiting", 1);
	expect_num(o, "longest_wait_s", 8.0);
	expect_int(o, "talking", 1);
	expect_int(o, "on_hold", 0);
	o = pipe_get(&p, "rt.queue.sales", 1);
	expect_int(o, "waiting", 1);
	expect_num(o, "longest_wait_s", 13.0);
	expect_int(o, "talking", 0);
	expect_int(o, "on_hold", 1);
	o = pipe_get(&p, "rt.queue.idle", 1);
	expect_int(o, "waiting", 0);
	expect_num(o, "longest_wait_s", 0);
	pipe_close(&p);
}

/*
 * DESIGN.md 4: 1000 calls / h, AHT 120 s, t = 20 s, target 0.80 -> 38.
 * 1000 arrivals in an hour's interval and one segment of 120 s.
 */
static void
erlang_c_agents_of_an_interval_is_the_design_vector(void **state)
{
	struct pipe	 p;
	struct call	 c;
	json_t		*o;
	int		 i;

	(void)state;
	pipe_open(&p, YAML_HEAD(3600));
	call_answered(&p, &c, 0, "5100", ATS(0), ATS(5));
	call_hangup(&p, &c, ATS(125));
	for (i = 1; i < 1000; i++) {
		call_init(&c, i, "5100", "1001");
		send_invite(&p, &c.in, AT(3 * 1000 * i));
	}
	pipe_flush(&p, ATS(3500));
	pipe_done(&p);
	o = pipe_interval(&p, "sales", I0);
	expect_int(o, "interval_s", 3600);
	expect_int(o, "offered", 1000);
	expect_int(o, "handled", 1);
	expect_num(o, "aht_s", 120.0);
	expect_int(o, "erlang_c_agents", 38);
	/* Without handled calls there is no AHT: null. */
	expect_null(pipe_interval(&p, "support", I0), "erlang_c_agents");
	pipe_close(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    a_wait_of_exactly_sl_threshold_s_is_within_sl_one_ms_more_is_not),
		cmocka_unit_test(
		    answered_waits_fall_in_upper_inclusive_buckets_at_every_edge),
		cmocka_unit_test(
		    abandons_fill_their_histogram_short_ones_included_and_split_the_counts),
		cmocka_unit_test(each_count_goes_to_the_interval_of_its_own_event),
		cmocka_unit_test(agent_busy_time_is_clipped_to_each_interval),
		cmocka_unit_test(
		    segment_ending_within_the_grace_splits_its_busy_time_at_the_edge),
		cmocka_unit_test(
		    an_interval_stays_open_for_2_s_of_grace_after_its_end),
		cmocka_unit_test(
		    an_event_for_a_closed_interval_counts_late_in_the_oldest_open_one),
		cmocka_unit_test(
		    configured_queues_without_calls_publish_zeros_and_null_ratios),
		cmocka_unit_test(
		    service_level_and_abandon_rate_count_over_answered_plus_abandoned_not_short),
		cmocka_unit_test(
		    rona_transfer_and_repeat_counts_land_at_their_events),
		cmocka_unit_test(
		    realtime_snapshot_shows_waiting_longest_wait_talking_and_on_hold),
		cmocka_unit_test(erlang_c_agents_of_an_interval_is_the_design_vector),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
