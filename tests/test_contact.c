/* SPDX-License-Identifier: BSD-2-Clause */
/* test_contact.c: DESIGN.md section 3 held against the published calls. */

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
 * Every expected value below is worked out by hand from DESIGN.md 3 and
 * the message times of the scenario (all in whole milliseconds after
 * T0 = 09:00:00.000Z). A contact is identified by its inbound Call-ID.
 */

#define YAML_QUEUES \
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
	"  - name: support\n" \
	"    dnis: [\"5200\"]\n"

#define YAML_METRICS(caller_window_s, repeat_window_s) \
	YAML_QUEUES \
	"correlation:\n" \
	"  headers: [X-CC-Inbound]\n" \
	"  caller_window_s: " #caller_window_s "\n" \
	"metrics:\n" \
	"  short_abandon_s: 5\n" \
	"  repeat_window_s: " #repeat_window_s "\n"

#define YAML	YAML_METRICS(7200, 86400)

#define CALLER		"+15551230001"
#define IN1_ID		"in-1@192.0.2.1"
#define IN2_ID		"in-2@192.0.2.1"
#define IN3_ID		"in-3@192.0.2.1"

static const struct dlg in1 = {
	IN1_ID, "tf1", "pbx1", TRUNK, PBX, CALLER, "5100", NULL, NULL
};
static const struct dlg in2 = {
	IN2_ID, "tf2", "pbx2", TRUNK, PBX, CALLER, "5100", NULL, NULL
};
static const struct dlg in3 = {
	IN3_ID, "tf3", "pbx3", TRUNK, PBX, CALLER, "5100", NULL, NULL
};
/* Agent legs naming in-1 in X-CC-Inbound (rule 1). */
static const struct dlg ag1 = {
	"ag-1@10.0.0.10", "pf1", "ph1", PBX, AGENT1, CALLER, "1001", IN1_ID,
	NULL
};
static const struct dlg ag2 = {
	"ag-2@10.0.0.10", "pf2", "ph2", PBX, AGENT2, CALLER, "1002", IN1_ID,
	NULL
};
/* An agent leg with no header: only the caller number can tie it. */
static const struct dlg ag_by_number = {
	"ag-n@10.0.0.10", "pfn", "phn", PBX, AGENT2, CALLER, "1002", NULL, NULL
};

/* The caller's INVITE at 0 ms, ringback (180) at 100 ms. */
static void
caller_waits(struct pipe *p, const struct dlg *in, int64_t ts_us)
{
	send_invite(p, in, ts_us);
	send_resp(p, in, SIP_RINGING, ts_us + 100000);
}

/* The caller hangs up at ts, the PBX hangs up the agent 10 ms later. */
static void
caller_hangs_up(struct pipe *p, const struct dlg *in, const struct dlg *ag,
    int64_t ts_us)
{
	send_bye(p, in, true, 2, ts_us);
	send_bye(p, ag, true, 2, ts_us + 10000);
}

static json_t *
call_end(const struct pipe *p, const char *queue, const char *id)
{
	char	topic[64];

	snprintf(topic, sizeof topic, "call.end.%s", queue);
	return (pipe_find(p, topic, "contact_id", id));
}

/* ---- outcomes ---- */

static void
agent_200_while_the_caller_waits_is_answered_with_wait_up_to_the_answer(
    void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_invite(&p, &ag1, AT(2000));
	send_resp(&p, &ag1, SIP_RINGING, AT(2100));
	send_resp(&p, &ag1, SIP_OK, AT(12000));
	caller_hangs_up(&p, &in1, &ag1, AT(72000));
	pipe_done(&p);

	assert_int_equal(pipe_count(&p, "call.end.sales"), 1);
	o = call_end(&p, "sales", IN1_ID);
	expect_str(o, "outcome", "answered");
	expect_num(o, "wait_s", 12.0);
	expect_str(o, "arrival", "2026-11-23T09:00:00.000Z");
	expect_str(o, "answered_at", "2026-11-23T09:00:12.000Z");
	/* Final when its last leg ended: the agent's, 10 ms after. */
	expect_str(o, "ended_at", "2026-11-23T09:01:12.010Z");
	expect_str(o, "ended_by", "caller");
	expect_str(o, "agent", "1001");
	expect_strs(o, "agents", "1001");
	expect_int(o, "attempts", 1);
	expect_int(o, "rona", 0);
	/* Segment 12.000 -> 72.010. */
	expect_num(o, "handle_s", 60.01);
	expect_num(o, "talk_s", 60.01);
	expect_num(o, "hold_s", 0);
	expect_int(o, "holds", 0);
	expect_int(o, "transfers", 0);
	expect_bool(o, "repeat", false);
	expect_strs(o, "legs", IN1_ID, "ag-1@10.0.0.10");
	o = pipe_get(&p, "call.answer.sales", 0);
	expect_num(o, "wait_s", 12.0);
	expect_num(o, "ring_s", 10.0);		/* agent INVITE 2 s -> 12 s */
	assert_int_equal(pipe_count(&p, "call.abandon.sales"), 0);
	pipe_close(&p);
}

static void
cancel_before_200_is_an_abandon_with_wait_up_to_the_cancel(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_cancel(&p, &in1, AT(30000));
	pipe_done(&p);

	o = call_end(&p, "sales", IN1_ID);
	expect_str(o, "outcome", "abandoned");
	expect_num(o, "wait_s", 30.0);
	expect_str(o, "ended_by", "caller");
	expect_null(o, "answered_at");
	expect_null(o, "agent");
	expect_int(o, "attempts", 0);
	o = pipe_get(&p, "call.abandon.sales", 0);
	expect_str(o, "outcome", "abandoned");
	expect_num(o, "wait_s", 30.0);
	expect_str(o, "ts", "2026-11-23T09:00:30.000Z");
	pipe_close(&p);
}

static void
cancel_at_exactly_short_abandon_s_is_an_abandon_not_a_short_one(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_cancel(&p, &in1, AT(5000));	/* wait_s 5.000 = 5 */
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_str(o, "outcome", "abandoned");
	expect_num(o, "wait_s", 5.0);
	expect_str(o, "outcome", "abandoned");
	expect_str(pipe_get(&p, "call.abandon.sales", 0), "outcome",
	    "abandoned");
	pipe_close(&p);
}

static void
cancel_one_ms_before_short_abandon_s_is_a_short_abandon(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_cancel(&p, &in1, AT(4999));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_str(o, "outcome", "short_abandoned");
	expect_num(o, "wait_s", 4.999);
	expect_str(o, "ended_by", "caller");
	expect_str(pipe_get(&p, "call.abandon.sales", 0), "outcome",
	    "short_abandoned");
	pipe_close(&p);
}

static void
caller_bye_after_the_ivr_answered_is_an_abandon(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	send_invite(&p, &in1, AT(0));
	send_resp(&p, &in1, SIP_OK, AT(500));	/* the IVR answers */
	send_bye(&p, &in1, true, 2, AT(40000));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_str(o, "outcome", "abandoned");
	expect_num(o, "wait_s", 40.0);
	expect_str(o, "ended_by", "caller");
	expect_null(o, "answered_at");
	pipe_close(&p);
}

static void
final_non_2xx_before_any_18x_or_attempt_is_blocked(void **state)
{
	static const int	 codes[] = { 486, 480, 503, 603 };
	struct pipe		 p;
	json_t			*o;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		pipe_open(&p, YAML);
		send_invite(&p, &in1, AT(0));
		send_resp(&p, &in1, SIP_TRYING, AT(10));
		send_resp(&p, &in1, codes[i], AT(50));
		pipe_done(&p);
		o = call_end(&p, "sales", IN1_ID);
		expect_str(o, "outcome", "blocked");
		expect_num(o, "wait_s", 0.05);
		expect_str(o, "ended_by", "pbx");
		assert_int_equal(pipe_count(&p, "call.abandon.sales"), 0);
		pipe_close(&p);
	}
}

static void
a_487_is_never_a_block(void **state)
{
	struct pipe	 p;

	(void)state;
	pipe_open(&p, YAML);
	send_invite(&p, &in1, AT(0));
	send_resp(&p, &in1, SIP_REQUEST_TERMINATED, AT(3000));
	pipe_done(&p);
	expect_str(call_end(&p, "sales", IN1_ID), "outcome", "timeout");
	pipe_close(&p);
}

static void
final_non_2xx_after_the_call_queued_with_18x_is_a_timeout(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_resp(&p, &in1, 480, AT(60000));	/* queue timeout */
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_str(o, "outcome", "timeout");
	expect_num(o, "wait_s", 60.0);
	expect_str(o, "ended_by", "pbx");
	pipe_close(&p);
}

static void
final_non_2xx_after_an_agent_attempt_is_a_timeout_not_a_block(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	send_invite(&p, &in1, AT(0));		/* no 18x to the caller */
	send_invite(&p, &ag1, AT(1000));
	send_resp(&p, &ag1, 486, AT(3000));
	send_resp(&p, &in1, 503, AT(5000));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_str(o, "outcome", "timeout");
	expect_int(o, "attempts", 1);
	expect_int(o, "rona", 1);
	pipe_close(&p);
}

static void
pbx_bye_to_a_caller_never_answered_by_an_agent_is_a_timeout(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	send_invite(&p, &in1, AT(0));
	send_resp(&p, &in1, SIP_OK, AT(500));
	send_bye(&p, &in1, false, 1, AT(120000));	/* closed hours */
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_str(o, "outcome", "timeout");
	expect_num(o, "wait_s", 120.0);
	expect_str(o, "ended_by", "pbx");
	pipe_close(&p);
}

static void
agent_200_after_the_caller_left_answers_nothing(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_invite(&p, &ag1, AT(1000));
	send_cancel(&p, &in1, AT(9000));
	send_resp(&p, &ag1, SIP_OK, AT(9001));	/* crossed the CANCEL */
	send_bye(&p, &ag1, true, 2, AT(9100));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_str(o, "outcome", "abandoned");
	expect_null(o, "answered_at");
	expect_null(o, "agent");
	expect_num(o, "handle_s", 0);
	assert_int_equal(pipe_count(&p, "call.answer.sales"), 0);
	pipe_close(&p);
}

/* ---- RONA ---- */

static void
agent_leg_cancelled_before_any_answer_is_a_rona_and_the_next_agent_answers(
    void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_invite(&p, &ag1, AT(1000));
	send_resp(&p, &ag1, SIP_RINGING, AT(1100));
	send_cancel(&p, &ag1, AT(16000));	/* ring timeout */
	send_invite(&p, &ag2, AT(16500));
	send_resp(&p, &ag2, SIP_OK, AT(20000));
	caller_hangs_up(&p, &in1, &ag2, AT(80000));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_str(o, "outcome", "answered");
	expect_num(o, "wait_s", 20.0);
	expect_int(o, "attempts", 2);
	expect_int(o, "rona", 1);
	expect_str(o, "agent", "1002");
	expect_strs(o, "agents", "1002");
	assert_int_equal(pipe_nev(&p, CONTACT_EV_RONA), 1);
	assert_int_equal(pipe_count(&p, "call.ring.sales"), 2);
	pipe_close(&p);
}

static void
agent_declining_with_486_or_603_is_a_rona(void **state)
{
	static const int	 codes[] = { 486, 603 };
	struct pipe		 p;
	size_t			 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		pipe_open(&p, YAML);
		caller_waits(&p, &in1, AT(0));
		send_invite(&p, &ag1, AT(1000));
		send_resp(&p, &ag1, codes[i], AT(4000));
		send_cancel(&p, &in1, AT(30000));
		pipe_done(&p);
		expect_int(call_end(&p, "sales", IN1_ID), "rona", 1);
		pipe_close(&p);
	}
}

static void
ring_all_cancel_completed_elsewhere_after_the_answer_is_no_rona(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_invite(&p, &ag1, AT(1000));
	send_invite(&p, &ag2, AT(1000));
	send_resp(&p, &ag2, SIP_OK, AT(5000));
	send_cancel(&p, &ag1, AT(5020));
	caller_hangs_up(&p, &in1, &ag2, AT(60000));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_int(o, "attempts", 2);
	expect_int(o, "rona", 0);
	expect_strs(o, "agents", "1002");
	assert_int_equal(pipe_nev(&p, CONTACT_EV_RONA), 0);
	pipe_close(&p);
}

static void
agent_leg_ending_in_the_same_ms_as_the_answer_is_no_rona(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_invite(&p, &ag1, AT(1000));
	send_invite(&p, &ag2, AT(1000));
	send_resp(&p, &ag2, SIP_OK, AT(5000));
	send_cancel(&p, &ag1, AT(5000));	/* not before the answer */
	caller_hangs_up(&p, &in1, &ag2, AT(60000));
	pipe_done(&p);
	expect_int(call_end(&p, "sales", IN1_ID), "rona", 0);
	pipe_close(&p);
}

static void
agent_leg_ending_1_ms_before_the_answer_is_a_rona(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_invite(&p, &ag1, AT(1000));
	send_invite(&p, &ag2, AT(1000));
	send_cancel(&p, &ag1, AT(4999));
	send_resp(&p, &ag2, SIP_OK, AT(5000));
	caller_hangs_up(&p, &in1, &ag2, AT(60000));
	pipe_done(&p);
	expect_int(call_end(&p, "sales", IN1_ID), "rona", 1);
	pipe_close(&p);
}

static void
agent_leg_cancelled_when_or_after_the_caller_left_is_no_rona(void **state)
{
	static const int	 after_ms[] = { 0, 2 };
	struct pipe		 p;
	json_t			*o;
	size_t			 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		pipe_open(&p, YAML);
		caller_waits(&p, &in1, AT(0));
		send_invite(&p, &ag1, AT(1000));
		send_resp(&p, &ag1, SIP_RINGING, AT(1100));
		send_cancel(&p, &in1, AT(30000));
		send_cancel(&p, &ag1, AT(30000 + after_ms[i]));
		pipe_done(&p);
		o = call_end(&p, "sales", IN1_ID);
		expect_str(o, "outcome", "abandoned");
		expect_int(o, "attempts", 1);
		expect_int(o, "rona", 0);
		pipe_close(&p);
	}
}

static void
agent_invite_after_the_caller_left_is_no_attempt(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_cancel(&p, &in1, AT(10000));
	send_invite(&p, &ag1, AT(10500));
	send_cancel(&p, &ag1, AT(11000));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_int(o, "attempts", 0);
	expect_int(o, "rona", 0);
	assert_int_equal(pipe_contact_stats(&p)->agent_unmatched, 1);
	o = pipe_get(&p, "leg.end", 0);
	expect_str(o, "call_id", "ag-1@10.0.0.10");
	expect_str(o, "role", "agent");
	pipe_close(&p);
}

/* ---- correlation (DESIGN.md 3.2) ---- */

static void
rule_1_header_naming_the_inbound_call_id_wins_over_the_caller_number(
    void **state)
{
	struct pipe		p;
	const struct dlg	ag = { "ag-h@10.0.0.10", "pfh", "phh", PBX,
				    AGENT1, CALLER, "1001", IN2_ID, NULL };

	(void)state;
	pipe_open(&p, YAML);
	/* Rule 3 alone would pick in-1: unanswered and the oldest. */
	caller_waits(&p, &in1, AT(0));
	caller_waits(&p, &in2, AT(1000));
	send_invite(&p, &ag, AT(2000));
	send_cancel(&p, &ag, AT(3000));
	send_cancel(&p, &in1, AT(10000));
	send_cancel(&p, &in2, AT(10000));
	pipe_done(&p);
	expect_int(call_end(&p, "sales", IN1_ID), "attempts", 0);
	expect_int(call_end(&p, "sales", IN2_ID), "attempts", 1);
	assert_int_equal(pipe_contact_stats(&p)->agent_by_header, 1);
	assert_int_equal(pipe_contact_stats(&p)->agent_by_caller, 0);
	pipe_close(&p);
}

static void
rule_1_header_equal_to_the_same_header_on_the_inbound_leg_correlates(
    void **state)
{
	struct pipe		p;
	const struct dlg	in = { IN1_ID, "tf1", "pbx1", TRUNK, PBX,
				    "+15550000009", "5100", "ucid-42", NULL };
	const struct dlg	ag = { "ag-u@10.0.0.10", "pfu", "phu", PBX,
				    AGENT1, "1999", "1001", "ucid-42", NULL };

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in, AT(0));
	send_answered(&p, &ag, AT(1000), AT(3000));
	caller_hangs_up(&p, &in, &ag, AT(9000));
	pipe_done(&p);
	expect_str(call_end(&p, "sales", IN1_ID), "agent", "1001");
	assert_int_equal(pipe_contact_stats(&p)->agent_by_header, 1);
	pipe_close(&p);
}

static void
header_naming_no_open_call_is_never_guessed_by_number(void **state)
{
	struct pipe		p;
	const struct dlg	ag = { "ag-x@10.0.0.10", "pfx", "phx", PBX,
				    AGENT1, CALLER, "1001", "gone@x", NULL };

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_invite(&p, &ag, AT(1000));
	send_cancel(&p, &ag, AT(2000));
	send_cancel(&p, &in1, AT(9000));
	pipe_done(&p);
	expect_int(call_end(&p, "sales", IN1_ID), "attempts", 0);
	assert_int_equal(pipe_contact_stats(&p)->agent_unmatched, 1);
	assert_int_equal(pipe_contact_stats(&p)->agent_by_caller, 0);
	pipe_close(&p);
}

static void
rule_2_invite_with_replaces_naming_an_agent_leg_joins_its_contact(
    void **state)
{
	struct pipe		 p;
	/* The transfer target: From is the first agent, no header. */
	const struct dlg	 ag3 = { "ag-3@10.0.0.10", "pf3", "ph3", PBX,
				    AGENT3, "1001", "1003", NULL,
				    "ag-1@10.0.0.10" };
	json_t			*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(4000));
	send_answered(&p, &ag3, AT(30000), AT(33000));
	send_bye(&p, &ag1, false, 2, AT(33100));
	caller_hangs_up(&p, &in1, &ag3, AT(90000));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_int(o, "attempts", 2);
	expect_strs(o, "agents", "1001", "1003");
	assert_int_equal(pipe_contact_stats(&p)->agent_by_replaces, 1);
	pipe_close(&p);
}

static void
rule_2_accepted_refer_with_replaces_adopts_the_consult_leg(void **state)
{
	struct pipe		 p;
	/* The consult call agent 1001 made: it matches no contact. */
	const struct dlg	 consult = { "co-1@10.0.0.10", "pfc", "phc",
				    PBX, AGENT2, "1001", "1002", NULL, NULL };
	json_t			*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(4000));
	send_answered(&p, &consult, AT(20000), AT(22000));
	assert_int_equal(pipe_contact_stats(&p)->agent_unmatched, 1);
	send_refer(&p, &ag1, false, 1,
	    "<sip:1002@10.0.0.10?Replaces=co-1%4010.0.0.10>",
	    "co-1@10.0.0.10", SIP_ACCEPTED, AT(40000));
	send_bye(&p, &ag1, false, 2, AT(40100));
	caller_hangs_up(&p, &in1, &consult, AT(90000));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_int(o, "attempts", 2);
	expect_strs(o, "agents", "1001", "1002");
	expect_int(o, "transfers", 1);
	assert_int_equal(pipe_contact_stats(&p)->agent_by_replaces, 1);
	assert_int_equal(pipe_contact_stats(&p)->agent_unmatched, 0);
	expect_str(pipe_get(&p, "call.transfer.sales", 0), "kind",
	    "attended");
	pipe_close(&p);
}

static void
rule_3_caller_number_prefers_unanswered_then_the_oldest(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(500), AT(800));	/* in-1 answered */
	caller_waits(&p, &in2, AT(1000));
	caller_waits(&p, &in3, AT(2000));
	send_invite(&p, &ag_by_number, AT(3000));
	send_cancel(&p, &ag_by_number, AT(4000));
	caller_hangs_up(&p, &in1, &ag1, AT(9000));
	send_cancel(&p, &in2, AT(9000));
	send_cancel(&p, &in3, AT(9000));
	pipe_done(&p);
	expect_int(call_end(&p, "sales", IN1_ID), "attempts", 1);
	expect_int(call_end(&p, "sales", IN2_ID), "attempts", 1);
	expect_int(call_end(&p, "sales", IN3_ID), "attempts", 0);
	assert_int_equal(pipe_contact_stats(&p)->agent_by_caller, 1);
	pipe_close(&p);
}

static void
rule_3_reaches_back_exactly_caller_window_s_and_no_further(void **state)
{
	static const int	 at_ms[] = { 60000, 60001 };
	struct pipe		 p;
	size_t			 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		pipe_open(&p, YAML_METRICS(60, 86400));
		caller_waits(&p, &in1, AT(0));
		send_invite(&p, &ag_by_number, AT(at_ms[i]));
		send_cancel(&p, &ag_by_number, AT(at_ms[i] + 1000));
		send_cancel(&p, &in1, AT(90000));
		pipe_done(&p);
		expect_int(call_end(&p, "sales", IN1_ID), "attempts",
		    i == 0 ? 1 : 0);
		assert_int_equal(pipe_contact_stats(&p)->agent_by_caller,
		    i == 0 ? 1 : 0);
		pipe_close(&p);
	}
}

static void
rule_3_two_equal_candidates_are_counted_ambiguous_not_guessed(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(1000));
	caller_waits(&p, &in2, AT(1000));
	send_invite(&p, &ag_by_number, AT(3000));
	send_cancel(&p, &ag_by_number, AT(4000));
	send_cancel(&p, &in1, AT(9000));
	send_cancel(&p, &in2, AT(9000));
	pipe_done(&p);
	expect_int(call_end(&p, "sales", IN1_ID), "attempts", 0);
	expect_int(call_end(&p, "sales", IN2_ID), "attempts", 0);
	assert_int_equal(pipe_contact_stats(&p)->agent_ambiguous, 1);
	assert_int_equal(pipe_contact_stats(&p)->agent_by_caller, 0);
	pipe_close(&p);
}

static void
anonymous_callers_are_never_matched_by_number(void **state)
{
	struct pipe		p;
	const struct dlg	in = { IN1_ID, "tf1", "pbx1", TRUNK, PBX,
				    "anonymous", "5100", NULL, NULL };
	const struct dlg	ag = { "ag-a@10.0.0.10", "pfa", "pha", PBX,
				    AGENT1, "anonymous", "1001", NULL, NULL };

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in, AT(0));
	send_invite(&p, &ag, AT(1000));
	send_cancel(&p, &ag, AT(2000));
	send_cancel(&p, &in, AT(9000));
	pipe_done(&p);
	expect_int(call_end(&p, "sales", IN1_ID), "attempts", 0);
	assert_int_equal(pipe_contact_stats(&p)->agent_by_caller, 0);
	assert_int_equal(pipe_contact_stats(&p)->agent_unmatched, 1);
	pipe_close(&p);
}

/* ---- repeat ---- */

static void
same_caller_again_within_repeat_window_s_on_any_queue_is_a_repeat(
    void **state)
{
	struct pipe		p;
	const struct dlg	sup = { IN2_ID, "tf2", "pbx2", TRUNK, PBX,
				    CALLER, "5200", NULL, NULL };
	const struct dlg	other = { IN3_ID, "tf3", "pbx3", TRUNK, PBX,
				    "+15559999999", "5100", NULL, NULL };

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_cancel(&p, &in1, AT(20000));
	caller_waits(&p, &sup, ATS(3600));
	send_cancel(&p, &sup, ATS(3620));
	caller_waits(&p, &other, ATS(3700));
	send_cancel(&p, &other, ATS(3720));
	pipe_done(&p);
	expect_bool(call_end(&p, "sales", IN1_ID), "repeat", false);
	expect_bool(call_end(&p, "support", IN2_ID), "repeat", true);
	expect_bool(pipe_find(&p, "call.arrive.support", "contact_id",
	    IN2_ID), "repeat", true);
	expect_bool(call_end(&p, "sales", IN3_ID), "repeat", false);
	pipe_close(&p);
}

static void
repeat_window_s_reaches_back_exactly_that_far_and_no_further(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML_METRICS(7200, 600));
	caller_waits(&p, &in1, AT(0));
	send_cancel(&p, &in1, AT(10000));
	caller_waits(&p, &in2, AT(600000));	/* 600.000 s after in-1 */
	send_cancel(&p, &in2, AT(610000));
	caller_waits(&p, &in3, AT(1200001));	/* 600.001 s after in-2 */
	send_cancel(&p, &in3, AT(1210000));
	pipe_done(&p);
	expect_bool(call_end(&p, "sales", IN1_ID), "repeat", false);
	expect_bool(call_end(&p, "sales", IN2_ID), "repeat", true);
	expect_bool(call_end(&p, "sales", IN3_ID), "repeat", false);
	pipe_close(&p);
}

static void
anonymous_callers_never_repeat(void **state)
{
	struct pipe		p;
	const struct dlg	a1 = { IN1_ID, "tf1", "pbx1", TRUNK, PBX,
				    "anonymous", "5100", NULL, NULL };
	const struct dlg	a2 = { IN2_ID, "tf2", "pbx2", TRUNK, PBX,
				    "anonymous", "5100", NULL, NULL };
	const struct dlg	e1 = { IN3_ID, "tf3", "pbx3", TRUNK, PBX,
				    "", "5100", NULL, NULL };
	const struct dlg	e2 = { "in-4@192.0.2.1", "tf4", "pbx4", TRUNK,
				    PBX, "", "5100", NULL, NULL };

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &a1, AT(0));
	caller_waits(&p, &a2, AT(1000));
	caller_waits(&p, &e1, AT(2000));
	caller_waits(&p, &e2, AT(3000));
	send_cancel(&p, &a1, AT(9000));
	send_cancel(&p, &a2, AT(9000));
	send_cancel(&p, &e1, AT(9000));
	send_cancel(&p, &e2, AT(9000));
	pipe_done(&p);
	expect_bool(call_end(&p, "sales", IN2_ID), "repeat", false);
	expect_bool(call_end(&p, "sales", "in-4@192.0.2.1"), "repeat", false);
	pipe_close(&p);
}

/* ---- transfers ---- */

static void
blind_refer_accepted_with_202_is_a_transfer_and_the_call_goes_on(
    void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(10000));
	/* Rejected: no transfer. */
	send_refer(&p, &ag1, false, 1, "<sip:9999@10.0.0.10>", NULL, 403,
	    AT(30000));
	send_refer(&p, &ag1, false, 2, "<sip:1002@10.0.0.10>", NULL,
	    SIP_ACCEPTED, AT(40000));
	send_bye(&p, &ag1, true, 2, AT(40100));
	send_answered(&p, &ag2, AT(40500), AT(45000));
	caller_hangs_up(&p, &in1, &ag2, AT(100000));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_int(o, "transfers", 1);
	expect_int(o, "attempts", 2);
	expect_str(o, "agent", "1001");
	expect_strs(o, "agents", "1001", "1002");
	expect_num(o, "wait_s", 10.0);
	assert_int_equal(pipe_count(&p, "call.transfer.sales"), 1);
	o = pipe_get(&p, "call.transfer.sales", 0);
	expect_str(o, "kind", "blind");
	expect_str(o, "agent", "1001");
	expect_str(o, "ts", "2026-11-23T09:00:40.020Z");
	pipe_close(&p);
}

/*
 * DESIGN.md 3.3: a segment ends at the 202 to a REFER the agent sent on
 * that leg when that comes before the leg's end (Asterisk never sends a
 * BYE to a blind transferor).
 */
static void
blind_transferor_segment_ends_at_the_202_to_its_refer(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(10000));
	send_refer(&p, &ag1, false, 1, "<sip:1002@10.0.0.10>", NULL,
	    SIP_ACCEPTED, AT(40000));		/* 202 at 40.020 */
	send_answered(&p, &ag2, AT(40500), AT(45000));
	send_bye(&p, &ag1, false, 2, AT(50000));	/* the phone lingers */
	caller_hangs_up(&p, &in1, &ag2, AT(100000));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	/* 10.000 -> 40.020 and 45.000 -> 100.010. */
	expect_num(o, "handle_s", 85.03);
	pipe_close(&p);
}

/*
 * DESIGN.md 3.3: "... unless a NOTIFY on that leg then reports the
 * transfer failed (sipfrag status >= 300): then the segment runs on to
 * the leg's end", and a REFER accepted with 202 stays a transfer. Agent
 * 1001 answers at 10.000 and REFERs (its CSeq 1) at 40.000, 202 at
 * 40.020; the PBX NOTIFYs sipfrag 100 at 40.100 (its CSeq 2, Event
 * id=1) and, unless final is 0, final at 45.000 (CSeq 3); the caller
 * hangs up at 100.000, the PBX BYEs 1001 at 100.010.
 */
static void
blind_transfer_reported(struct pipe *p, int final)
{
	caller_waits(p, &in1, AT(0));
	send_answered(p, &ag1, AT(1000), AT(10000));
	send_refer(p, &ag1, false, 1, "<sip:1002@10.0.0.10>", NULL,
	    SIP_ACCEPTED, AT(40000));
	send_notify(p, &ag1, true, 2, 100, 1, AT(40100));
	if (final != 0)
		send_notify(p, &ag1, true, 3, final, 1, AT(45000));
	send_bye(p, &in1, true, 2, AT(100000));
	send_bye(p, &ag1, true, 4, AT(100010));
}

/* The call and its interval (queue and agent 1001) hold handle_s. */
static void
expect_one_segment(const struct pipe *p, double handle_s)
{
	json_t	*o;

	o = call_end(p, "sales", IN1_ID);
	expect_num(o, "handle_s", handle_s);
	expect_num(o, "talk_s", handle_s);
	expect_num(o, "hold_s", 0);
	expect_int(o, "transfers", 1);
	expect_str(o, "ended_by", "caller");
	o = pipe_interval(p, "sales", T0_US);
	expect_int(o, "handled", 1);
	expect_num(o, "handle_s", handle_s);
	expect_int(o, "transfers", 1);
	expect_int(o, "transfers_blind", 1);
	o = pipe_agent_interval(p, "1001", T0_US);
	expect_int(o, "handled", 1);
	expect_num(o, "handle_s", handle_s);
	expect_num(o, "busy_s", handle_s);
	expect_int(o, "transfers", 1);
}

static void
transfer_failed_notify_runs_the_segment_on_to_the_leg_end(void **state)
{
	static const int	 fail[] = { 486, 503 };
	struct pipe		 p;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof fail / sizeof fail[0]; i++) {
		pipe_open(&p, YAML);
		blind_transfer_reported(&p, fail[i]);
		pipe_flush(&p, ATS(200));
	pipe_done(&p);
		/* 10.000 -> 100.010, the transfer still counted. */
		expect_one_segment(&p, 90.01);
		assert_int_equal(pipe_nev(&p, CONTACT_EV_SEGMENT_REOPEN), 1);
		assert_int_equal(pipe_count(&p, "call.transfer.sales"), 1);
		pipe_close(&p);
	}
}

static void
transfer_notify_200_leaves_the_segment_ended_at_the_202(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML);
	blind_transfer_reported(&p, SIP_OK);
	pipe_flush(&p, ATS(200));
	pipe_done(&p);
	/* 10.000 -> 40.020. */
	expect_one_segment(&p, 30.02);
	assert_int_equal(pipe_nev(&p, CONTACT_EV_SEGMENT_REOPEN), 0);
	pipe_close(&p);
}

static void
transfer_failure_starts_at_sipfrag_300_exactly(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML);
	blind_transfer_reported(&p, 299);
	pipe_flush(&p, ATS(200));
	pipe_done(&p);
	expect_one_segment(&p, 30.02);
	pipe_close(&p);
	pipe_open(&p, YAML);
	blind_transfer_reported(&p, 300);
	pipe_flush(&p, ATS(200));
	pipe_done(&p);
	expect_one_segment(&p, 90.01);
	pipe_close(&p);
}

/*
 * Failure NOTIFYs that report on no accepted REFER of the leg: before
 * any REFER (30.000), after one refused 403 (CSeq 1 at 35.000, NOTIFY
 * 36.000); after the 202 to CSeq 2 (40.020): one sent by the agent's
 * side, one whose Event id names CSeq 1. None reopens the segment, so
 * the 202 ends it: 10.000 -> 40.020.
 */
static void
failure_notify_without_its_accepted_refer_changes_nothing(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(10000));
	send_notify(&p, &ag1, true, 2, 503, -1, AT(30000));
	send_refer(&p, &ag1, false, 1, "<sip:1002@10.0.0.10>", NULL, 403,
	    AT(35000));
	send_notify(&p, &ag1, true, 3, 503, 1, AT(36000));
	send_refer(&p, &ag1, false, 2, "<sip:1002@10.0.0.10>", NULL,
	    SIP_ACCEPTED, AT(40000));
	send_notify(&p, &ag1, false, 3, 503, 2, AT(41000));
	send_notify(&p, &ag1, true, 4, 503, 1, AT(42000));
	send_notify(&p, &ag1, true, 5, SIP_OK, 2, AT(43000));
	send_bye(&p, &in1, true, 2, AT(100000));
	send_bye(&p, &ag1, true, 6, AT(100010));
	pipe_flush(&p, ATS(200));
	pipe_done(&p);
	expect_one_segment(&p, 30.02);
	assert_int_equal(pipe_nev(&p, CONTACT_EV_SEGMENT_REOPEN), 0);
	pipe_close(&p);
}

/*
 * The 202 to REFER 1 (40.020) ends the segment, its NOTIFY reports 200;
 * the phone, still on the leg, sends REFER 2 (50.000, 202 50.020), whose
 * NOTIFY reports 503: not the transfer that ended the segment, which
 * stays ended at 40.020. Both count as transfers.
 */
static void
failure_of_a_later_refer_leaves_the_segment_ended(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(10000));
	send_refer(&p, &ag1, false, 1, "<sip:1002@10.0.0.10>", NULL,
	    SIP_ACCEPTED, AT(40000));
	send_notify(&p, &ag1, true, 2, SIP_OK, 1, AT(41000));
	send_refer(&p, &ag1, false, 2, "<sip:1003@10.0.0.10>", NULL,
	    SIP_ACCEPTED, AT(50000));
	send_notify(&p, &ag1, true, 3, 503, 2, AT(51000));
	send_bye(&p, &in1, true, 2, AT(100000));
	send_bye(&p, &ag1, true, 4, AT(100010));
	pipe_flush(&p, ATS(200));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_num(o, "handle_s", 30.02);
	expect_int(o, "transfers", 2);
	assert_int_equal(pipe_nev(&p, CONTACT_EV_SEGMENT_REOPEN), 0);
	pipe_close(&p);
}

/* A second failure NOTIFY (46.000) and a copy of the first (47.000). */
static void
second_failure_notify_is_idempotent(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(10000));
	send_refer(&p, &ag1, false, 1, "<sip:1002@10.0.0.10>", NULL,
	    SIP_ACCEPTED, AT(40000));
	send_notify(&p, &ag1, true, 2, 503, 1, AT(45000));
	send_notify(&p, &ag1, true, 3, 486, -1, AT(46000));
	send_notify(&p, &ag1, true, 2, 503, 1, AT(47000));
	send_bye(&p, &in1, true, 2, AT(100000));
	send_bye(&p, &ag1, true, 4, AT(100010));
	pipe_flush(&p, ATS(200));
	pipe_done(&p);
	expect_one_segment(&p, 90.01);
	assert_int_equal(pipe_nev(&p, CONTACT_EV_SEGMENT_REOPEN), 1);
	pipe_close(&p);
}

/*
 * A hold the agent takes after the 202 (offer 42.000), resumed at
 * 60.000: with the failure NOTIFY at 45.000 the segment's end is the
 * leg's, so the hold is inside it (docs/decisions.md): held 18.000 of
 * 90.010. With the transfer reported done, it is after the segment's end
 * and does not count.
 */
static void
hold_between_the_202_and_the_failure_counts(void **state)
{
	struct pipe	 p;
	json_t		*o;
	int		 k;

	(void)state;
	for (k = 0; k < 2; k++) {
		pipe_open(&p, YAML);
		caller_waits(&p, &in1, AT(0));
		send_answered(&p, &ag1, AT(1000), AT(10000));
		send_refer(&p, &ag1, false, 1, "<sip:1002@10.0.0.10>", NULL,
		    SIP_ACCEPTED, AT(40000));
		send_offer(&p, &ag1, false, 2, SDP_DIR_SENDONLY, false,
		    AT(42000));
		send_notify(&p, &ag1, true, 2, k == 0 ? 503 : SIP_OK, 1,
		    AT(45000));
		send_offer(&p, &ag1, false, 3, SDP_DIR_SENDRECV, false,
		    AT(60000));
		send_bye(&p, &in1, true, 2, AT(100000));
		send_bye(&p, &ag1, true, 4, AT(100010));
		pipe_flush(&p, ATS(200));
	pipe_done(&p);
		o = call_end(&p, "sales", IN1_ID);
		expect_num(o, "handle_s", k == 0 ? 90.01 : 30.02);
		expect_num(o, "hold_s", k == 0 ? 18.0 : 0);
		expect_num(o, "talk_s", k == 0 ? 72.01 : 30.02);
		expect_int(o, "holds", k == 0 ? 1 : 0);
		o = pipe_interval(&p, "sales", T0_US);
		expect_num(o, "hold_s", k == 0 ? 18.0 : 0);
		expect_num(o, "talk_s", k == 0 ? 72.01 : 30.02);
		expect_int(o, "holds", k == 0 ? 1 : 0);
		/* The hold is published when the segment takes it back. */
		assert_int_equal(pipe_count(&p, "call.hold.sales"), k == 0);
		assert_int_equal(pipe_count(&p, "call.resume.sales"), k == 0);
		if (k == 0)
			expect_str(pipe_get(&p, "call.hold.sales", 0), "ts",
			    "2026-11-23T09:00:45.000Z");
		pipe_close(&p);
	}
}

/*
 * The interval of the segment's end: the 202 at 899.020 (09:00), the
 * failure at 901.000, within the 2 s grace: the 09:00 interval is still
 * open and gives its counts back; the segment ends at 1000.010 (09:15).
 * At 910.000 the 09:00 interval was published at 902: it keeps the
 * segment as it stood at the 202 (889.020 s), 09:15 gets what it gained
 * (990.010 - 889.020 = 100.990) and no second handled; busy time after
 * the 202 counts from 09:15 on (docs/decisions.md).
 */
static void
failure_moves_the_segment_end_to_the_leg_end_interval(void **state)
{
	struct pipe	 p;
	json_t		*o;
	int		 late;

	(void)state;
	for (late = 0; late < 2; late++) {
		pipe_open(&p, YAML);
		caller_waits(&p, &in1, AT(0));
		send_answered(&p, &ag1, AT(1000), AT(10000));
		send_refer(&p, &ag1, false, 1, "<sip:1002@10.0.0.10>", NULL,
		    SIP_ACCEPTED, AT(899000));
		send_notify(&p, &ag1, true, 2, 480, 1,
		    late ? AT(910000) : AT(901000));
		send_bye(&p, &in1, true, 2, AT(1000000));
		send_bye(&p, &ag1, true, 3, AT(1000010));
		pipe_flush(&p, ATS(200));
	pipe_done(&p);
		expect_num(call_end(&p, "sales", IN1_ID), "handle_s", 990.01);
		o = pipe_interval(&p, "sales", T0_US);
		expect_int(o, "handled", late ? 1 : 0);
		expect_num(o, "handle_s", late ? 889.02 : 0);
		expect_int(o, "transfers", 1);
		o = pipe_agent_interval(&p, "1001", T0_US);
		expect_int(o, "handled", late ? 1 : 0);
		expect_num(o, "busy_s", late ? 889.02 : 890.0);
		o = pipe_interval(&p, "sales", ATS(900));
		expect_int(o, "handled", late ? 0 : 1);
		expect_num(o, "handle_s", late ? 100.99 : 990.01);
		expect_int(o, "transfers", 0);
		o = pipe_agent_interval(&p, "1001", ATS(900));
		expect_int(o, "handled", late ? 0 : 1);
		expect_num(o, "handle_s", late ? 100.99 : 990.01);
		expect_num(o, "busy_s", 100.01);
		pipe_close(&p);
	}
}

/* ---- holds and ended_by ---- */

static void
hold_inside_a_segment_counts_in_hold_s_and_talk_s_is_the_rest(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(10000));
	send_offer(&p, &ag1, false, 1, SDP_DIR_SENDONLY, false, AT(20000));
	/* The same hold offered again, then resumed, then a refresh. */
	send_offer(&p, &ag1, false, 2, SDP_DIR_SENDONLY, false, AT(25000));
	send_offer(&p, &ag1, false, 3, SDP_DIR_SENDRECV, false, AT(35000));
	send_offer(&p, &ag1, false, 4, SDP_DIR_SENDRECV, false, AT(50000));
	caller_hangs_up(&p, &in1, &ag1, AT(70000));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	/* Segment 10.000 -> 70.010; held 20.000 -> 35.000. */
	expect_num(o, "handle_s", 60.01);
	expect_num(o, "hold_s", 15.0);
	expect_num(o, "talk_s", 45.01);
	expect_int(o, "holds", 1);
	assert_int_equal(pipe_count(&p, "call.hold.sales"), 1);
	assert_int_equal(pipe_count(&p, "call.resume.sales"), 1);
	pipe_close(&p);
}

static void
hold_open_when_the_agent_hangs_up_ends_with_the_leg_and_ended_by_is_agent(
    void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(10000));
	send_offer(&p, &ag1, false, 1, SDP_DIR_INACTIVE, false, AT(20000));
	send_bye(&p, &ag1, false, 2, AT(50000));	/* the agent */
	send_bye(&p, &in1, false, 1, AT(50050));	/* then the PBX */
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_num(o, "handle_s", 40.0);
	expect_num(o, "hold_s", 30.0);
	expect_num(o, "talk_s", 10.0);
	expect_int(o, "holds", 1);
	expect_str(o, "ended_by", "agent");
	pipe_close(&p);
}

static void
pbx_ending_both_legs_after_an_answer_is_ended_by_pbx(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(10000));
	send_bye(&p, &ag1, true, 2, AT(50000));
	send_bye(&p, &in1, false, 1, AT(50000));
	pipe_done(&p);
	expect_str(call_end(&p, "sales", IN1_ID), "ended_by", "pbx");
	pipe_close(&p);
}

static void
c_zero_offer_is_a_hold(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(10000));
	send_offer(&p, &ag1, true, 2, SDP_DIR_NONE, true, AT(20000));
	send_offer(&p, &ag1, true, 3, SDP_DIR_NONE, false, AT(22500));
	send_bye(&p, &in1, true, 2, AT(30000));
	send_bye(&p, &ag1, true, 4, AT(30010));
	pipe_done(&p);
	expect_num(call_end(&p, "sales", IN1_ID), "hold_s", 2.5);
	expect_int(call_end(&p, "sales", IN1_ID), "holds", 1);
	pipe_close(&p);
}

/*
 * DESIGN.md 3.3: requests for a dialog that ended less than
 * limits.ended_dialog_memory_s (default 300) ago belong to that dead
 * dialog: no new leg, no partial contact.
 */
static void
bye_to_a_dialog_ended_60_s_before_makes_no_new_contact(void **state)
{
	struct pipe	p;
	size_t		ends, legs;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(5000));
	caller_hangs_up(&p, &in1, &ag1, AT(10000));
	/* The PBX's own BYE to the caller, 60 s late, and again. */
	send_bye(&p, &in1, false, 1, AT(70000));
	send_bye(&p, &in1, false, 1, AT(74000));
	pipe_done(&p);
	ends = pipe_count(&p, "call.end.sales");
	legs = pipe_count(&p, "leg.end");
	assert_int_equal(ends, 1);
	assert_int_equal(legs, 0);
	assert_int_equal(pipe_contact_stats(&p)->created, 1);
	pipe_close(&p);
}

static void
unanswered_contact_cut_by_the_end_of_capture_is_a_partial_timeout(
    void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	caller_waits(&p, &in1, AT(0));
	pipe_flush(&p, AT(7000));
	pipe_done(&p);
	o = call_end(&p, "sales", IN1_ID);
	expect_str(o, "outcome", "timeout");
	expect_str(o, "ended_by", "pbx");
	expect_num(o, "wait_s", 7.0);
	expect_bool(o, "partial", true);
	pipe_close(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    agent_200_while_the_caller_waits_is_answered_with_wait_up_to_the_answer),
		cmocka_unit_test(
		    cancel_before_200_is_an_abandon_with_wait_up_to_the_cancel),
		cmocka_unit_test(
		    cancel_at_exactly_short_abandon_s_is_an_abandon_not_a_short_one),
		cmocka_unit_test(
		    cancel_one_ms_before_short_abandon_s_is_a_short_abandon),
		cmocka_unit_test(
		    caller_bye_after_the_ivr_answered_is_an_abandon),
		cmocka_unit_test(
		    final_non_2xx_before_any_18x_or_attempt_is_blocked),
		cmocka_unit_test(a_487_is_never_a_block),
		cmocka_unit_test(
		    final_non_2xx_after_the_call_queued_with_18x_is_a_timeout),
		cmocka_unit_test(
		    final_non_2xx_after_an_agent_attempt_is_a_timeout_not_a_block),
		cmocka_unit_test(
		    pbx_bye_to_a_caller_never_answered_by_an_agent_is_a_timeout),
		cmocka_unit_test(
		    agent_200_after_the_caller_left_answers_nothing),
		cmocka_unit_test(
		    agent_leg_cancelled_before_any_answer_is_a_rona_and_the_next_agent_answers),
		cmocka_unit_test(agent_declining_with_486_or_603_is_a_rona),
		cmocka_unit_test(
		    ring_all_cancel_completed_elsewhere_after_the_answer_is_no_rona),
		cmocka_unit_test(
		    agent_leg_ending_in_the_same_ms_as_the_answer_is_no_rona),
		cmocka_unit_test(
		    agent_leg_ending_1_ms_before_the_answer_is_a_rona),
		cmocka_unit_test(
		    agent_leg_cancelled_when_or_after_the_caller_left_is_no_rona),
		cmocka_unit_test(
		    agent_invite_after_the_caller_left_is_no_attempt),
		cmocka_unit_test(
		    rule_1_header_naming_the_inbound_call_id_wins_over_the_caller_number),
		cmocka_unit_test(
		    rule_1_header_equal_to_the_same_header_on_the_inbound_leg_correlates),
		cmocka_unit_test(
		    header_naming_no_open_call_is_never_guessed_by_number),
		cmocka_unit_test(
		    rule_2_invite_with_replaces_naming_an_agent_leg_joins_its_contact),
		cmocka_unit_test(
		    rule_2_accepted_refer_with_replaces_adopts_the_consult_leg),
		cmocka_unit_test(
		    rule_3_caller_number_prefers_unanswered_then_the_oldest),
		cmocka_unit_test(
		    rule_3_reaches_back_exactly_caller_window_s_and_no_further),
		cmocka_unit_test(
		    rule_3_two_equal_candidates_are_counted_ambiguous_not_guessed),
		cmocka_unit_test(anonymous_callers_are_never_matched_by_number),
		cmocka_unit_test(
		    same_caller_again_within_repeat_window_s_on_any_queue_is_a_repeat),
		cmocka_unit_test(
		    repeat_window_s_reaches_back_exactly_that_far_and_no_further),
		cmocka_unit_test(anonymous_callers_never_repeat),
		cmocka_unit_test(
		    blind_refer_accepted_with_202_is_a_transfer_and_the_call_goes_on),
		cmocka_unit_test(
		    blind_transferor_segment_ends_at_the_202_to_its_refer),
		cmocka_unit_test(
		    transfer_failed_notify_runs_the_segment_on_to_the_leg_end),
		cmocka_unit_test(
		    transfer_notify_200_leaves_the_segment_ended_at_the_202),
		cmocka_unit_test(transfer_failure_starts_at_sipfrag_300_exactly),
		cmocka_unit_test(
		    failure_notify_without_its_accepted_refer_changes_nothing),
		cmocka_unit_test(second_failure_notify_is_idempotent),
		cmocka_unit_test(
		    failure_of_a_later_refer_leaves_the_segment_ended),
		cmocka_unit_test(hold_between_the_202_and_the_failure_counts),
		cmocka_unit_test(
		    failure_moves_the_segment_end_to_the_leg_end_interval),
		cmocka_unit_test(
		    hold_inside_a_segment_counts_in_hold_s_and_talk_s_is_the_rest),
		cmocka_unit_test(
		    hold_open_when_the_agent_hangs_up_ends_with_the_leg_and_ended_by_is_agent),
		cmocka_unit_test(
		    pbx_ending_both_legs_after_an_answer_is_ended_by_pbx),
		cmocka_unit_test(c_zero_offer_is_a_hold),
		cmocka_unit_test(
		    bye_to_a_dialog_ended_60_s_before_makes_no_new_contact),
		cmocka_unit_test(
		    unanswered_contact_cut_by_the_end_of_capture_is_a_partial_timeout),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
