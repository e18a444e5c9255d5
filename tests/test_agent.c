/* SPDX-License-Identifier: BSD-2-Clause */
/* test_agent.c: DESIGN.md section 7 held against the published agent states. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/jsonw.h"

#include "pipeline.h"

/*
 * Every expected value is worked out by hand from DESIGN.md 7 and the
 * message times of the scenario (seconds or milliseconds after T0 =
 * 09:00:00.000Z). Agents are 1001 (at AGENT1), 1002 (AGENT2), 1003
 * (AGENT3), 1004 (10.1.0.8).
 */

#define AGENT4		"10.1.0.8"

#define YAML_BASE \
	"pbx:\n" \
	"  addresses: [10.0.0.10]\n" \
	"trunks:\n" \
	"  addresses: [192.0.2.0/24]\n" \
	"correlation:\n" \
	"  headers: [X-CC-Inbound]\n" \
	"queues:\n" \
	"  - name: sales\n" \
	"    dnis: [\"5100\"]\n" \
	"    wrapup_s: 30\n" \
	"  - name: support\n" \
	"    dnis: [\"5200\"]\n" \
	"    wrapup_s: 5\n"

#define CODES \
	"  feature_codes:\n" \
	"    pause: [\"*46\"]\n" \
	"    unpause: [\"*47\"]\n" \
	"    login: [\"*44\"]\n" \
	"    logout: [\"*45\"]\n"

#define YAML \
	YAML_BASE \
	"agents:\n" \
	"  addresses: [10.1.0.0/16]\n" \
	"  user_pattern: \"^[0-9]{4}$\"\n" \
	CODES

#define CALLER		"+15551230001"
#define IN1_ID		"in-1@192.0.2.1"
#define IN2_ID		"in-2@192.0.2.1"

static const struct dlg in1 = {
	IN1_ID, "tf1", "pbx1", TRUNK, PBX, CALLER, "5100", NULL, NULL
};
static const struct dlg in2 = {
	IN2_ID, "tf2", "pbx2", TRUNK, PBX, CALLER, "5200", NULL, NULL
};
static const struct dlg ag1 = {
	"ag-1@10.0.0.10", "pf1", "ph1", PBX, AGENT1, CALLER, "1001", IN1_ID,
	NULL
};
static const struct dlg ag2 = {
	"ag-2@10.0.0.10", "pf2", "ph2", PBX, AGENT1, CALLER, "1001", IN2_ID,
	NULL
};
/* An agent leg of no contact: no header, a number no contact has. */
static const struct dlg agx = {
	"ag-x@10.0.0.10", "pfx", "phx", PBX, AGENT1, "+15559990000", "1001",
	NULL, NULL
};
/* A call agent 1001 places (agent -> PBX: From user 1001). */
static const struct dlg out1 = {
	"out-1@10.1.0.5", "of1", "oh1", AGENT1, PBX, "1001", "5551234", NULL,
	NULL
};

/* A REGISTER of agent at ip (Contact ip:5060), no Expires. */
static struct sip_msg
reg_msg(const char *agent, const char *ip, const char *call_id,
    uint32_t cseq, int64_t ts_us)
{
	struct sip_msg	m;

	memset(&m, 0, sizeof m);
	m.ts_us = ts_us;
	assert_int_equal(addr_parse(ip, &m.src.ip), 0);
	assert_int_equal(addr_parse(PBX, &m.dst.ip), 0);
	m.src.port = m.dst.port = 5060;
	m.transport = DECODE_UDP;
	m.is_request = true;
	m.method = SIP_REGISTER;
	m.cseq = cseq;
	snprintf(m.call_id, sizeof m.call_id, "%s", call_id);
	snprintf(m.from_tag, sizeof m.from_tag, "r-%s", agent);
	snprintf(m.from_user, sizeof m.from_user, "%s", agent);
	snprintf(m.to_user, sizeof m.to_user, "%s", agent);
	snprintf(m.ruri_host, sizeof m.ruri_host, "%s", PBX);
	m.expires = -1;
	m.ncontacts = 1;
	snprintf(m.contacts[0].host, sizeof m.contacts[0].host, "%s", ip);
	m.contacts[0].port = 5060;
	m.contacts[0].expires = -1;
	m.sdp_dir = SDP_DIR_NONE;
	return (m);
}

/* Its response from the PBX, listing the contact with expires (-1: none). */
static struct sip_msg
reg_resp(const struct sip_msg *req, int status, int expires, int64_t ts_us)
{
	struct sip_msg	m = *req;

	m.ts_us = ts_us;
	m.src = req->dst;
	m.dst = req->src;
	m.is_request = false;
	m.status = status;
	snprintf(m.to_tag, sizeof m.to_tag, "pbx-%.32s", req->to_user);
	m.ruri_host[0] = '\0';
	m.contact_star = false;
	m.contacts[0].expires = expires;
	if (status >= 300)
		m.ncontacts = 0;
	return (m);
}

/* REGISTER at ts, 200 10 ms later granting expires (-1: none given). */
static void
reg(struct pipe *p, const char *agent, const char *ip, const char *call_id,
    uint32_t cseq, int expires, int64_t ts_us)
{
	struct sip_msg	q = reg_msg(agent, ip, call_id, cseq, ts_us);
	struct sip_msg	r = reg_resp(&q, SIP_OK, expires, ts_us + 10000);

	pipe_feed(p, &q);
	pipe_feed(p, &r);
}

/* A feature code dialed by agent at ip: INVITE at ts, 200, ACK, BYE. */
static void
code(struct pipe *p, const char *agent, const char *ip, const char *digits,
    const char *call_id, int64_t ts_us)
{
	struct dlg	d = { call_id, "cf", "ch", ip, PBX, agent, digits,
			    NULL, NULL };

	send_invite(p, &d, ts_us);
	send_resp(p, &d, SIP_OK, ts_us + 50000);
	send_bye(p, &d, true, 2, ts_us + 500000);
}

/* The nth agent.state event of agent. */
static json_t *
st(const struct pipe *p, const char *agent, size_t nth)
{
	char	topic[64];

	snprintf(topic, sizeof topic, "agent.state.%s", agent);
	return (pipe_get(p, topic, nth));
}

static size_t
nst(const struct pipe *p, const char *agent)
{
	char	topic[64];
	size_t	i;
	json_t	*o;

	snprintf(topic, sizeof topic, "agent.state.%s", agent);
	/* What was published, to read when a count is off. */
	if (getenv("TEST_AGENT_VERBOSE") != NULL)
		json_array_foreach(p->raw, i, o)
			if (strstr(json_string_value(o), topic) != NULL)
				fprintf(stderr, "%s\n", json_string_value(o));
	return (pipe_count(p, topic));
}

/* An event: its time (ms after T0), state, prev (NULL: first), reason. */
#define expect_change(o, ms, state, prev, prev_ms, reason) \
	expect_change_at((o), (ms), (state), (prev), (prev_ms), (reason), \
	    __FILE__, __LINE__)

static void
expect_change_at(json_t *o, int64_t ms, const char *state, const char *prev,
    int64_t prev_ms, const char *reason, const char *file, int line)
{
	char	ts[32];

	jsonw_format_time(AT(ms), ts, sizeof ts);
	pipe_expect_str(o, "ts", ts, file, line);
	pipe_expect_str(o, "state", state, file, line);
	pipe_expect_str(o, "reason", reason, file, line);
	if (prev == NULL) {
		pipe_expect_null(o, "prev", file, line);
		pipe_expect_null(o, "prev_s", file, line);
	} else {
		pipe_expect_str(o, "prev", prev, file, line);
		pipe_expect_num(o, "prev_s", (double)prev_ms / 1000.0, file,
		    line);
	}
}

/*
 * Register mode: unknown from the first REGISTER (challenged), available
 * at its 2xx, logged out when the binding runs out: at the granted time,
 * not at the packet that moved the clock past it.
 */
static void
register_mode_unknown_until_the_first_2xx(void **state)
{
	struct pipe	p;
	struct sip_msg	q, r;

	(void)state;
	pipe_open(&p, YAML);
	q = reg_msg("1001", AGENT1, "r1@a1", 1, AT(0));
	pipe_feed(&p, &q);
	r = reg_resp(&q, 401, -1, AT(5));
	pipe_feed(&p, &r);
	q = reg_msg("1001", AGENT1, "r1@a1", 2, AT(7));
	pipe_feed(&p, &q);
	r = reg_resp(&q, SIP_OK, 60, AT(10));
	pipe_feed(&p, &r);
	pipe_tick(&p, ATS(100));
	pipe_flush(&p, ATS(100));
	pipe_done(&p);
	assert_int_equal(nst(&p, "1001"), 3);
	expect_change(st(&p, "1001", 0), 0, "unknown", NULL, 0, "seen");
	expect_str(st(&p, "1001", 0), "agent", "1001");
	expect_str(st(&p, "1001", 0), "type", "agent.state");
	expect_null(st(&p, "1001", 0), "queue");
	expect_null(st(&p, "1001", 0), "contact_id");
	expect_change(st(&p, "1001", 1), 10, "available", "unknown", 10,
	    "register");
	expect_change(st(&p, "1001", 2), 60010, "logged_out", "available",
	    60000, "expired");
	assert_int_equal(p.astats.register_challenged, 1);
	assert_int_equal(p.astats.register_ok, 1);
	assert_int_equal(p.astats.bindings, 0);
	pipe_close(&p);
}

/*
 * Expiry: the contact's expires parameter, else Expires, else 3600 s; a
 * refresh 1 ms before the due time keeps the agent bound; one exactly at
 * it is one change with the expiry (no event: the state stays); a packet
 * exactly at the due time expires it then.
 */
static void
binding_expires_exactly_at_the_granted_time(void **state)
{
	struct pipe	p;
	struct sip_msg	q, r;

	(void)state;
	pipe_open(&p, YAML);
	reg(&p, "1001", AGENT1, "r1@a1", 1, 60, AT(0));
	/* 1002: the grant in the Expires header of the 200. */
	q = reg_msg("1002", AGENT2, "r2@a2", 1, AT(0));
	pipe_feed(&p, &q);
	r = reg_resp(&q, SIP_OK, -1, AT(10));
	r.expires = 60;
	pipe_feed(&p, &r);
	reg(&p, "1003", AGENT3, "r3@a3", 1, 60, AT(0));
	reg(&p, "1004", AGENT4, "r4@a4", 1, -1, AT(0));	/* 3600 s */
	/* Due 60.010 for 1001-1003: 1001 refreshes 1 ms before. */
	q = reg_msg("1001", AGENT1, "r1@a1", 2, AT(59990));
	pipe_feed(&p, &q);
	r = reg_resp(&q, SIP_OK, 60, AT(60009));
	pipe_feed(&p, &r);
	/* 1002 exactly at it: expired and registered at one time. */
	q = reg_msg("1002", AGENT2, "r2@a2", 2, AT(59990));
	pipe_feed(&p, &q);
	r = reg_resp(&q, SIP_OK, 60, AT(60010));
	pipe_feed(&p, &r);
	pipe_tick(&p, ATS(3700));
	pipe_flush(&p, ATS(3700));
	pipe_done(&p);
	assert_int_equal(nst(&p, "1001"), 3);
	expect_change(st(&p, "1001", 1), 10, "available", "unknown", 10,
	    "register");
	expect_change(st(&p, "1001", 2), 120009, "logged_out", "available",
	    119999, "expired");
	assert_int_equal(nst(&p, "1002"), 3);
	expect_change(st(&p, "1002", 1), 10, "available", "unknown", 10,
	    "register");
	expect_change(st(&p, "1002", 2), 120010, "logged_out", "available",
	    120000, "expired");
	assert_int_equal(nst(&p, "1003"), 3);
	expect_change(st(&p, "1003", 2), 60010, "logged_out", "available",
	    60000, "expired");
	assert_int_equal(nst(&p, "1004"), 3);
	expect_change(st(&p, "1004", 2), 3600010, "logged_out", "available",
	    3600000, "expired");
	pipe_close(&p);
}

/*
 * Unbinding at once: Contact: * (Expires 0), a contact granted 0, a 2xx
 * listing none of the agent's contacts. Becoming unbound clears a pause.
 */
static void
unregister_unbinds_at_once_and_clears_a_pause(void **state)
{
	struct pipe	p;
	struct sip_msg	q, r;

	(void)state;
	pipe_open(&p, YAML);
	reg(&p, "1001", AGENT1, "r1@a1", 1, 3600, AT(0));
	reg(&p, "1002", AGENT2, "r2@a2", 1, 3600, AT(0));
	reg(&p, "1003", AGENT3, "r3@a3", 1, 3600, AT(0));
	code(&p, "1001", AGENT1, "*46", "c1@a1", ATS(5));
	q = reg_msg("1001", AGENT1, "r1@a1", 2, ATS(10));
	q.ncontacts = 0;
	q.contact_star = true;
	q.expires = 0;
	pipe_feed(&p, &q);
	r = reg_resp(&q, SIP_OK, -1, ATS(10) + 10000);
	r.ncontacts = 0;
	pipe_feed(&p, &r);
	q = reg_msg("1002", AGENT2, "r2@a2", 2, ATS(10));
	q.contacts[0].expires = 0;
	pipe_feed(&p, &q);
	r = reg_resp(&q, SIP_OK, 0, ATS(10) + 10000);
	pipe_feed(&p, &r);
	q = reg_msg("1003", AGENT3, "r3@a3", 2, ATS(10));
	pipe_feed(&p, &q);
	r = reg_resp(&q, SIP_OK, 3600, ATS(10) + 10000);
	snprintf(r.contacts[0].host, sizeof r.contacts[0].host, "10.1.9.9");
	pipe_feed(&p, &r);
	/* 1001 binds again: available, the pause gone with the binding. */
	reg(&p, "1001", AGENT1, "r1@a1", 3, 3600, ATS(20));
	pipe_flush(&p, ATS(30));
	pipe_done(&p);
	assert_int_equal(nst(&p, "1001"), 5);
	expect_change(st(&p, "1001", 2), 5000, "paused", "available", 4990,
	    "pause");
	expect_change(st(&p, "1001", 3), 10010, "logged_out", "paused", 5010,
	    "unregister");
	expect_change(st(&p, "1001", 4), 20010, "available", "logged_out",
	    10000, "register");
	assert_int_equal(nst(&p, "1002"), 3);
	expect_change(st(&p, "1002", 2), 10010, "logged_out", "available",
	    10000, "unregister");
	assert_int_equal(nst(&p, "1003"), 3);
	expect_change(st(&p, "1003", 2), 10010, "logged_out", "available",
	    10000, "unregister");
	/* The feature code's dialog made no leg. */
	assert_int_equal(pipe_count(&p, "leg.end"), 0);
	assert_int_equal(p.astats.feature_codes, 1);
	pipe_close(&p);
}

/*
 * Every state and the priority order on one agent (queue sales:
 * wrapup_s 30). Times in s: 0.010 registered; 10 pause code; 21 an agent
 * leg of contact in-1 rings (ringing beats paused); 25 answered
 * (on_call); 30 an agent leg of no contact rings and 40 the agent dials
 * out (on_call beats both); 50 the agent hangs up the contact (busy_other
 * beats ringing and wrapup); 60 its own call ends (ringing beats wrapup);
 * 70 the ringing leg is cancelled (wrapup to 80); 80 wrapup_end (still
 * paused); 90 unpause; 100 logout; 110 login; end at 120.
 */
static void
every_state_in_priority_order(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	reg(&p, "1001", AGENT1, "r1@a1", 1, 3600, AT(0));
	code(&p, "1001", AGENT1, "*46", "c1@a1", ATS(10));
	send_invite(&p, &in1, ATS(20));
	send_resp(&p, &in1, SIP_RINGING, ATS(20) + 100000);
	send_answered(&p, &ag1, ATS(21), ATS(25));
	send_invite(&p, &agx, ATS(30));
	send_answered(&p, &out1, ATS(40), ATS(41));
	send_bye(&p, &ag1, false, 2, ATS(50));
	send_bye(&p, &in1, false, 2, ATS(50));
	send_bye(&p, &out1, true, 2, ATS(60));
	send_cancel(&p, &agx, ATS(70));
	code(&p, "1001", AGENT1, "*47", "c2@a1", ATS(90));
	code(&p, "1001", AGENT1, "*45", "c3@a1", ATS(100));
	code(&p, "1001", AGENT1, "*44", "c4@a1", ATS(110));
	pipe_flush(&p, ATS(120));
	pipe_done(&p);
	assert_int_equal(nst(&p, "1001"), 12);
	expect_change(st(&p, "1001", 0), 0, "unknown", NULL, 0, "seen");
	expect_change(st(&p, "1001", 1), 10, "available", "unknown", 10,
	    "register");
	expect_change(st(&p, "1001", 2), 10000, "paused", "available", 9990,
	    "pause");
	o = st(&p, "1001", 3);
	expect_change(o, 21000, "ringing", "paused", 11000, "ring");
	expect_str(o, "queue", "sales");
	expect_str(o, "contact_id", IN1_ID);
	o = st(&p, "1001", 4);
	expect_change(o, 25000, "on_call", "ringing", 4000, "answer");
	expect_str(o, "queue", "sales");
	expect_str(o, "contact_id", IN1_ID);
	o = st(&p, "1001", 5);
	expect_change(o, 50000, "busy_other", "on_call", 25000, "end");
	expect_str(o, "queue", "sales");
	expect_change(st(&p, "1001", 6), 60000, "ringing", "busy_other",
	    10000, "end");
	expect_null(st(&p, "1001", 6), "queue");
	expect_change(st(&p, "1001", 7), 70000, "wrapup", "ringing", 10000,
	    "end");
	expect_null(st(&p, "1001", 7), "queue");	/* a leg of no contact */
	o = st(&p, "1001", 8);
	expect_change(o, 80000, "paused", "wrapup", 10000, "wrapup_end");
	expect_str(o, "queue", "sales");
	expect_str(o, "contact_id", IN1_ID);
	expect_change(st(&p, "1001", 9), 90000, "available", "paused", 10000,
	    "unpause");
	expect_change(st(&p, "1001", 10), 100000, "logged_out", "available",
	    10000, "logout");
	expect_change(st(&p, "1001", 11), 110000, "available", "logged_out",
	    10000, "login");

	/* Clipped state times, up to the last packet time (120 s). */
	o = pipe_agent_interval(&p, "1001", T0_US);
	expect_num(o, "unknown_s", 0.01);
	expect_num(o, "available_s", 29.99);	/* 0.01-10, 90-100, 110-120 */
	expect_num(o, "paused_s", 21.0);	/* 10-21, 80-90 */
	expect_num(o, "ringing_s", 14.0);	/* 21-25, 60-70 */
	expect_num(o, "on_call_s", 25.0);
	expect_num(o, "busy_s", 25.0);
	expect_num(o, "busy_other_s", 10.0);
	expect_num(o, "wrapup_s", 10.0);
	expect_num(o, "staffed_s", 109.99);
	expect_num(o, "occupancy", 59.0 / 88.99);
	expect_int(o, "attempts", 1);
	expect_int(o, "handled", 1);
	/* Feature codes are no calls: the two legs of no contact only. */
	assert_int_equal(pipe_count(&p, "leg.end"), 2);
	assert_int_equal(pipe_contact_stats(&p)->created, 1);
	assert_int_equal(p.astats.feature_codes, 4);
	assert_int_equal(p.astats.feature_code_messages, 4 * 5);
	pipe_close(&p);
}

/*
 * DESIGN.md 3.3 and 7: the 202 to 1001's blind REFER (20.020) ends its
 * segment, a change with reason end: the leg, still up, is in no
 * contact (busy_other). A NOTIFY reporting the transfer failed (sipfrag
 * 503 at 25 s) reopens the segment: 1001 is back on_call with reason
 * transfer_failed, until it hangs up at 40 s; the sales wrap-up (30 s)
 * starts there, not at the 202.
 */
static void
transfer_failed_puts_the_agent_back_on_the_call(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	reg(&p, "1001", AGENT1, "r1@a1", 1, 3600, AT(0));
	send_invite(&p, &in1, ATS(9));
	send_answered(&p, &ag1, ATS(10), ATS(12));
	send_refer(&p, &ag1, false, 1, "<sip:1002@10.0.0.10>", NULL,
	    SIP_ACCEPTED, ATS(20));
	send_notify(&p, &ag1, true, 2, 100, 1, AT(20100));
	send_notify(&p, &ag1, true, 3, 503, 1, ATS(25));
	send_bye(&p, &ag1, false, 2, ATS(40));
	send_bye(&p, &in1, false, 2, ATS(40));
	pipe_flush(&p, ATS(100));
	pipe_done(&p);
	assert_int_equal(nst(&p, "1001"), 8);
	expect_change(st(&p, "1001", 3), 12000, "on_call", "ringing", 2000,
	    "answer");
	o = st(&p, "1001", 4);
	expect_change(o, 20020, "busy_other", "on_call", 8020, "end");
	expect_str(o, "queue", "sales");
	o = st(&p, "1001", 5);
	expect_change(o, 25000, "on_call", "busy_other", 4980,
	    "transfer_failed");
	expect_str(o, "queue", "sales");
	expect_str(o, "contact_id", IN1_ID);
	o = st(&p, "1001", 6);
	expect_change(o, 40000, "wrapup", "on_call", 15000, "end");
	expect_str(o, "queue", "sales");
	o = st(&p, "1001", 7);
	expect_change(o, 70000, "available", "wrapup", 30000, "wrapup_end");
	expect_str(o, "contact_id", IN1_ID);

	/* The state stream cannot be revised: on_call_s lacks the 4.98 s
	   busy_other that busy_s, the reopened segment, holds. */
	o = pipe_agent_interval(&p, "1001", T0_US);
	expect_num(o, "on_call_s", 23.02);	/* 12-20.02, 25-40 */
	expect_num(o, "busy_other_s", 4.98);
	expect_num(o, "busy_s", 28.0);
	expect_num(o, "handle_s", 28.0);
	expect_int(o, "handled", 1);
	expect_int(o, "transfers", 1);
	expect_num(o, "wrapup_s", 30.0);
	expect_num(o, "available_s", 39.99);	/* 0.01-10, 70-100 */
	pipe_close(&p);
}

/*
 * Wrap-up cut short by a ring, and the queue of the last ended segment
 * decides: sales (30 s) at 20 s, then a support (5 s) call rings at 30 s,
 * is answered at 32 s and ends at 40 s: wrapup to 45 s, not 50 s.
 */
static void
wrapup_cut_short_by_a_ring_last_queue_decides(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	reg(&p, "1001", AGENT1, "r1@a1", 1, 3600, AT(0));
	send_invite(&p, &in1, ATS(9));
	send_answered(&p, &ag1, ATS(10), ATS(12));
	send_bye(&p, &ag1, false, 2, ATS(20));
	send_bye(&p, &in1, false, 2, ATS(20));
	send_invite(&p, &in2, ATS(29));
	send_answered(&p, &ag2, ATS(30), ATS(32));
	send_bye(&p, &in2, true, 2, ATS(40));
	send_bye(&p, &ag2, true, 2, ATS(40));
	pipe_flush(&p, ATS(60));
	pipe_done(&p);
	assert_int_equal(nst(&p, "1001"), 9);
	expect_change(st(&p, "1001", 2), 10000, "ringing", "available", 9990,
	    "ring");
	expect_change(st(&p, "1001", 3), 12000, "on_call", "ringing", 2000,
	    "answer");
	expect_change(st(&p, "1001", 4), 20000, "wrapup", "on_call", 8000,
	    "end");
	o = st(&p, "1001", 5);
	expect_change(o, 30000, "ringing", "wrapup", 10000, "ring");
	expect_str(o, "queue", "support");
	expect_change(st(&p, "1001", 6), 32000, "on_call", "ringing", 2000,
	    "answer");
	expect_change(st(&p, "1001", 7), 40000, "wrapup", "on_call", 8000,
	    "end");
	o = st(&p, "1001", 8);
	expect_change(o, 45000, "available", "wrapup", 5000, "wrapup_end");
	expect_str(o, "queue", "support");
	expect_str(o, "contact_id", IN2_ID);

	/* rt at 20 s (before the BYE of that time): 1001 on_call, a
	   learned member of sales, none of support yet. */
	o = pipe_find(&p, "rt.queue.sales", "ts", "2026-11-23T09:00:20.000Z");
	expect_int(o, "agents_staffed", 1);
	expect_int(o, "agents_on_call", 1);
	expect_int(o, "agents_available", 0);
	expect_int(o, "agents_wrapup", 0);
	o = pipe_find(&p, "rt.queue.support", "ts", "2026-11-23T09:00:20.000Z");
	expect_int(o, "agents_staffed", 0);
	o = pipe_find(&p, "rt.agents", "ts", "2026-11-23T09:00:20.000Z");
	expect_int(json_object_get(o, "counts"), "on_call", 1);
	expect_int(json_object_get(o, "counts"), "available", 0);
	o = json_array_get(json_object_get(o, "agents"), 0);
	expect_str(o, "agent", "1001");
	expect_str(o, "state", "on_call");
	expect_str(o, "since", "2026-11-23T09:00:12.000Z");
	expect_strs(o, "queues", "sales");
	pipe_close(&p);
}

/*
 * Changes at one capture time are one change with the first reason of
 * DESIGN.md 7's order: a REGISTER 2xx and a ring at 5 s (ring); the
 * answer and a pause code at 8 s (answer); the end of the call (wrapup
 * 0 here) with an unpause code at 9 s (end); the unknown agent named by
 * an INVITE and a REGISTER 2xx at one time: its first event.
 */
static void
coinciding_changes_are_one_change(void **state)
{
	struct pipe	 p;
	struct sip_msg	 q, r;
	const struct dlg a = { "ag-c@10.0.0.10", "pfc", "phc", PBX, AGENT1,
			    "+15559990001", "1001", NULL, NULL };

	(void)state;
	pipe_open(&p,
	    "pbx:\n  addresses: [10.0.0.10]\n"
	    "trunks:\n  addresses: [192.0.2.0/24]\n"
	    "agents:\n  addresses: [10.1.0.0/16]\n"
	    "  user_pattern: \"^[0-9]{4}$\"\n" CODES);
	q = reg_msg("1001", AGENT1, "r1@a1", 1, AT(0));
	pipe_feed(&p, &q);
	r = reg_resp(&q, SIP_OK, 3600, ATS(5));
	pipe_feed(&p, &r);
	send_invite(&p, &a, ATS(5));
	send_resp(&p, &a, SIP_OK, ATS(8));
	code(&p, "1001", AGENT1, "*46", "c1@a1", ATS(8));
	send_bye(&p, &a, true, 2, ATS(9));
	code(&p, "1001", AGENT1, "*47", "c2@a1", ATS(9));
	pipe_flush(&p, ATS(20));
	pipe_done(&p);
	assert_int_equal(nst(&p, "1001"), 4);
	expect_change(st(&p, "1001", 0), 0, "unknown", NULL, 0, "seen");
	expect_change(st(&p, "1001", 1), 5000, "ringing", "unknown", 5000,
	    "ring");
	expect_change(st(&p, "1001", 2), 8000, "busy_other", "ringing", 3000,
	    "answer");
	expect_change(st(&p, "1001", 3), 9000, "available", "busy_other",
	    1000, "end");
	pipe_close(&p);
}

/*
 * Static mode: the listed agents are logged in from the first packet;
 * one not listed exists from the first message naming it, logged out
 * until a login code. REGISTERs log nobody in or out.
 */
static void
static_mode_logs_in_the_listed_agents(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML_BASE
	    "agents:\n  addresses: [10.1.0.0/16]\n"
	    "  user_pattern: \"^[0-9]{4}$\"\n"
	    "  presence: static\n"
	    "  ids: [\"1001\", \"1002\"]\n" CODES);
	send_invite(&p, &in1, ATS(10));
	send_answered(&p, &out1, ATS(10) + 500000, ATS(12));	/* 1001 */
	{
		const struct dlg o3 = { "out-3@10.1.0.7", "o3", "h3", AGENT3,
		    PBX, "1003", "5551234", NULL, NULL };

		send_answered(&p, &o3, ATS(11), ATS(12));
		send_bye(&p, &o3, true, 2, ATS(20));
	}
	send_bye(&p, &out1, true, 2, ATS(20));
	code(&p, "1003", AGENT3, "*44", "c1@a3", ATS(30));
	code(&p, "1002", AGENT2, "*45", "c2@a2", ATS(40));
	reg(&p, "1002", AGENT2, "r2@a2", 1, 60, ATS(50));
	pipe_flush(&p, ATS(200));
	pipe_done(&p);
	assert_int_equal(nst(&p, "1001"), 3);
	expect_change(st(&p, "1001", 0), 10000, "available", NULL, 0, "seen");
	expect_change(st(&p, "1001", 1), 10500, "busy_other", "available",
	    500, "dial");
	expect_change(st(&p, "1001", 2), 20000, "available", "busy_other",
	    9500, "end");
	assert_int_equal(nst(&p, "1002"), 2);
	expect_change(st(&p, "1002", 0), 10000, "available", NULL, 0, "seen");
	expect_change(st(&p, "1002", 1), 40000, "logged_out", "available",
	    30000, "logout");
	assert_int_equal(nst(&p, "1003"), 3);
	expect_change(st(&p, "1003", 0), 11000, "busy_other", NULL, 0, "dial");
	expect_change(st(&p, "1003", 1), 20000, "logged_out", "busy_other",
	    9000, "end");
	expect_change(st(&p, "1003", 2), 30000, "available", "logged_out",
	    10000, "login");
	pipe_close(&p);
}

/*
 * An agent leg whose Request-URI user is no agent id is the agent's
 * bound at its Request-URI host:port (before the To user).
 */
static void
bound_contact_names_the_agent_of_a_leg(void **state)
{
	struct pipe	p;
	struct sip_msg	q, r, m;
	const struct dlg a = { "ag-b@10.0.0.10", "pfb", "phb", PBX, AGENT1,
			    "+15559990002", "phone1", NULL, NULL };

	(void)state;
	pipe_open(&p, YAML);
	q = reg_msg("1001", AGENT1, "r1@a1", 1, AT(0));
	q.contacts[0].port = 5062;
	pipe_feed(&p, &q);
	r = reg_resp(&q, SIP_OK, 3600, AT(10));
	pipe_feed(&p, &r);
	m = sipm(&a, SIP_INVITE, 0, true, 1, ATS(5));
	snprintf(m.to_user, sizeof m.to_user, "1999");
	snprintf(m.ruri_host, sizeof m.ruri_host, "%s", AGENT1);
	m.ruri_port = 5062;
	pipe_feed(&p, &m);
	send_cancel(&p, &a, ATS(6));
	pipe_flush(&p, ATS(10));
	pipe_done(&p);
	assert_int_equal(nst(&p, "1999"), 0);
	assert_int_equal(nst(&p, "1001"), 4);
	expect_change(st(&p, "1001", 2), 5000, "ringing", "available", 4990,
	    "ring");
	expect_str(pipe_get(&p, "leg.end", 0), "dialed", "1001");
	pipe_close(&p);
}

/* limits.max_agents: full at exactly max, the least recently active goes. */
static void
eviction_at_exactly_max_agents(void **state)
{
	struct pipe	p;

	(void)state;
	pipe_open(&p, YAML "limits:\n  max_agents: 3\n");
	reg(&p, "1001", AGENT1, "r1@a1", 1, 3600, ATS(0));
	reg(&p, "1002", AGENT2, "r2@a2", 1, 3600, ATS(1));
	reg(&p, "1003", AGENT3, "r3@a3", 1, 3600, ATS(2));
	reg(&p, "1001", AGENT1, "r1@a1", 2, 3600, ATS(3));
	pipe_tick(&p, ATS(4));
	assert_int_equal(agent_get_stats(p.agents)->evicted, 0);
	assert_int_equal(agent_get_stats(p.agents)->agents, 3);
	/* The fourth: 1002 was least recently active. */
	reg(&p, "1004", AGENT4, "r4@a4", 1, 3600, ATS(5));
	pipe_flush(&p, ATS(6));
	pipe_done(&p);
	assert_int_equal(p.astats.evicted, 1);
	assert_int_equal(p.astats.agents, 3);
	assert_int_equal(p.astats.created, 4);
	assert_int_equal(p.astats.bindings, 3);
	/* What 1002 was before it went is still published. */
	expect_num(pipe_agent_interval(&p, "1002", T0_US), "available_s",
	    3.99);
	expect_num(pipe_agent_interval(&p, "1001", T0_US), "available_s",
	    5.99);
	pipe_close(&p);
}

/*
 * An evicted agent's interval accumulator goes once its interval is
 * published: per-agent interval state is bounded by limits.max_agents.
 */
static void
evicted_agent_interval_state_is_freed(void **state)
{
	struct pipe	p;
	const struct dlg a1 = { "ag-e1@10.0.0.10", "e1", "h1", PBX, AGENT1,
			    CALLER, "1001", IN1_ID, NULL };
	const struct dlg a2 = { "ag-e2@10.0.0.10", "e2", "h2", PBX, AGENT2,
			    CALLER, "1002", IN1_ID, NULL };
	const struct dlg a3 = { "ag-e3@10.0.0.10", "e3", "h3", PBX, AGENT3,
			    CALLER, "1003", IN1_ID, NULL };

	(void)state;
	pipe_open(&p, YAML "limits:\n  max_agents: 2\n");
	send_invite(&p, &in1, ATS(9));
	send_invite(&p, &a1, ATS(10));
	send_cancel(&p, &a1, ATS(10) + 500000);
	send_invite(&p, &a2, ATS(11));
	send_cancel(&p, &a2, ATS(11) + 500000);
	send_invite(&p, &a3, ATS(12));		/* 1001 goes */
	send_cancel(&p, &a3, ATS(12) + 500000);
	send_bye(&p, &in1, true, 2, ATS(20));
	pipe_tick(&p, ATS(903));		/* 09:00-09:15 published */
	assert_int_equal(pipe_interval_stats(&p)->agents, 2);
	assert_int_equal(agent_get_stats(p.agents)->evicted, 1);
	pipe_flush(&p, ATS(910));
	pipe_done(&p);
	expect_int(pipe_agent_interval(&p, "1001", T0_US), "attempts", 1);
	expect_num(pipe_agent_interval(&p, "1001", T0_US), "ringing_s", 0.5);
	expect_int(pipe_agent_interval(&p, "1003", T0_US), "attempts", 1);
	pipe_close(&p);
}

/* REGISTERs from outside agents.addresses or for no agent id are ignored. */
static void
spoofed_and_foreign_registers_are_ignored_and_counted(void **state)
{
	struct pipe	p;
	struct sip_msg	q, r;

	(void)state;
	pipe_open(&p, YAML);
	q = reg_msg("1001", OFFNET, "r1@x", 1, AT(0));
	pipe_feed(&p, &q);
	r = reg_resp(&q, SIP_OK, 3600, AT(10));
	pipe_feed(&p, &r);
	reg(&p, "alice", AGENT1, "r2@a1", 1, 3600, ATS(1));
	/* A 200 from elsewhere than the PBX binds nothing. */
	q = reg_msg("1002", AGENT2, "r3@a2", 1, ATS(2));
	pipe_feed(&p, &q);
	r = reg_resp(&q, SIP_OK, 3600, ATS(2) + 10000);
	assert_int_equal(addr_parse(OFFNET, &r.src.ip), 0);
	pipe_feed(&p, &r);
	pipe_flush(&p, ATS(10));
	pipe_done(&p);
	assert_int_equal(nst(&p, "1001"), 0);
	assert_int_equal(nst(&p, "alice"), 0);
	assert_int_equal(nst(&p, "1002"), 1);	/* named: unknown */
	expect_change(st(&p, "1002", 0), 2000, "unknown", NULL, 0, "seen");
	assert_int_equal(p.astats.register_ignored, 3);
	assert_int_equal(p.astats.register_unmatched, 2);
	assert_int_equal(p.astats.bindings, 0);
	pipe_close(&p);
}

/* Idle staffed agents get an interval too; unknown ones do not. */
static void
idle_staffed_agent_has_an_interval(void **state)
{
	struct pipe	 p;
	struct sip_msg	 q;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	reg(&p, "1001", AGENT1, "r1@a1", 1, 3600, ATS(800));
	q = reg_msg("1002", AGENT2, "r2@a2", 1, ATS(850));
	pipe_feed(&p, &q);
	pipe_tick(&p, ATS(1000));
	pipe_flush(&p, ATS(1000));
	pipe_done(&p);
	o = pipe_agent_interval(&p, "1001", T0_US);
	expect_num(o, "unknown_s", 0.01);
	expect_num(o, "available_s", 99.99);
	expect_num(o, "staffed_s", 99.99);
	expect_num(o, "occupancy", 0.0);
	expect_int(o, "attempts", 0);
	o = pipe_agent_interval(&p, "1001", T0_US + 900000000LL);
	expect_num(o, "available_s", 100.0);
	expect_num(o, "unknown_s", 0.0);
	/* One REGISTER, never answered: unknown only, no interval. */
	assert_int_equal(nst(&p, "1002"), 1);
	assert_int_equal(pipe_count(&p, "interval.agent.1002"), 0);
	pipe_close(&p);
}

/*
 * rt.queue counts a queue's configured members (support: 1001, 1002),
 * or the agents it rang (sales: 1003); a feature code of a From user that
 * is no agent id changes nobody and is still no call.
 */
static void
members_configured_or_learned_in_rt_queue(void **state)
{
	struct pipe	 p;
	json_t		*o, *a;
	const struct dlg ag3 = { "ag-3@10.0.0.10", "pf3", "ph3", PBX, AGENT3,
			    CALLER, "1003", IN1_ID, NULL };

	(void)state;
	pipe_open(&p, YAML_BASE
	    "    agents: [\"1001\", \"1002\"]\n"
	    "agents:\n  addresses: [10.1.0.0/16]\n"
	    "  user_pattern: \"^[0-9]{4}$\"\n" CODES);
	reg(&p, "1001", AGENT1, "r1@a1", 1, 3600, AT(0));
	reg(&p, "1002", AGENT2, "r2@a2", 1, 3600, AT(0));
	reg(&p, "1003", AGENT3, "r3@a3", 1, 3600, AT(0));
	code(&p, "1002", AGENT2, "*46", "c1@a2", ATS(2));
	code(&p, "bob", AGENT1, "*46", "c2@a1", ATS(2));
	send_invite(&p, &in1, ATS(2) + 500000);
	send_invite(&p, &ag3, ATS(3));
	send_resp(&p, &ag3, SIP_RINGING, ATS(3) + 100000);
	pipe_tick(&p, ATS(6));
	/* The PBX takes the call back (a RONA): its end names the contact.
	   The rt of 10 s, 0.49 s later, already shows it (held changes
	   count). */
	send_cancel(&p, &ag3, ATS(9) + 500000);
	pipe_tick(&p, ATS(10));
	pipe_flush(&p, ATS(11));
	pipe_done(&p);
	o = st(&p, "1003", 3);
	expect_change(o, 9500, "available", "ringing", 6500, "end");
	expect_str(o, "queue", "sales");
	expect_str(o, "contact_id", IN1_ID);
	o = pipe_find(&p, "rt.queue.sales", "ts", "2026-11-23T09:00:10.000Z");
	expect_int(o, "agents_available", 1);
	expect_int(o, "agents_ringing", 0);
	o = pipe_find(&p, "rt.agents", "ts", "2026-11-23T09:00:10.000Z");
	o = json_array_get(json_object_get(o, "agents"), 2);
	expect_str(o, "agent", "1003");
	expect_str(o, "state", "available");
	expect_str(o, "since", "2026-11-23T09:00:09.500Z");
	o = pipe_find(&p, "rt.queue.support", "ts", "2026-11-23T09:00:06.000Z");
	expect_int(o, "agents_staffed", 2);
	expect_int(o, "agents_available", 1);
	expect_int(o, "agents_paused", 1);
	expect_int(o, "agents_ringing", 0);
	expect_int(o, "agents_on_call", 0);
	expect_int(o, "agents_busy_other", 0);
	expect_int(o, "agents_wrapup", 0);
	o = pipe_find(&p, "rt.queue.sales", "ts", "2026-11-23T09:00:06.000Z");
	expect_int(o, "agents_staffed", 1);
	expect_int(o, "agents_ringing", 1);
	expect_int(o, "agents_available", 0);
	o = pipe_find(&p, "rt.agents", "ts", "2026-11-23T09:00:06.000Z");
	expect_str(o, "type", "rt.agents");
	a = json_object_get(o, "counts");
	expect_int(a, "available", 1);
	expect_int(a, "paused", 1);
	expect_int(a, "ringing", 1);
	expect_int(a, "on_call", 0);
	expect_int(a, "unknown", 0);
	expect_int(a, "logged_out", 0);
	a = json_object_get(o, "agents");
	assert_int_equal(json_array_size(a), 3);
	expect_str(json_array_get(a, 0), "agent", "1001");
	expect_str(json_array_get(a, 0), "state", "available");
	expect_str(json_array_get(a, 0), "since", "2026-11-23T09:00:00.010Z");
	expect_strs(json_array_get(a, 0), "queues", "support");
	expect_str(json_array_get(a, 1), "state", "paused");
	expect_strs(json_array_get(a, 1), "queues", "support");
	expect_str(json_array_get(a, 2), "agent", "1003");
	expect_strs(json_array_get(a, 2), "queues", "sales");
	assert_int_equal(nst(&p, "bob"), 0);
	assert_int_equal(p.astats.feature_codes, 1);
	assert_int_equal(p.astats.feature_codes_ignored, 1);
	pipe_close(&p);
}

/* Row n of the rt.agents of time ts: agent, state, since (the queues are
   checked by the caller). */
static json_t *
rt_row(const struct pipe *p, const char *ts, size_t nrows, size_t n,
    const char *agent, const char *state, const char *since)
{
	json_t	*o, *a;

	o = pipe_find(p, "rt.agents", "ts", ts);
	assert_non_null(o);
	a = json_object_get(o, "agents");
	assert_int_equal(json_array_size(a), nrows);
	o = json_array_get(a, n);
	expect_str(o, "agent", agent);
	expect_str(o, "state", state);
	expect_str(o, "since", since);
	return (o);
}

/*
 * rt.agents from one snapshot to the next (each row's text is reused
 * while nothing in it changed): rows in id order whatever the order the
 * agents came in or went (1004 first, evicted by 1002 at 1 s); a new
 * since (1001 rung and taken back at 6 s), a new state (1003 pauses at
 * 12 s), a learned queue forgotten with state and since unchanged (1001:
 * window 20 s, rt 25 s still sales, rt 30 s none), a configured queue
 * given by a reload (1002: support from 30 s) each show at once, in the
 * rows and in rt.queue.
 */
static void
rt_agents_rows_follow_every_change(void **state)
{
	struct pipe	 p;
	struct config	*cfg2;
	json_t		*o;
	const char	*t0 = "2026-11-23T09:00:00.110Z";
	const char	*t2 = "2026-11-23T09:00:01.010Z";
	const char	*t3 = "2026-11-23T09:00:00.210Z";

	(void)state;
	pipe_open(&p, YAML_BASE
	    "agents:\n  addresses: [10.1.0.0/16]\n"
	    "  user_pattern: \"^[0-9]{4}$\"\n"
	    "  membership_window_s: 20\n" CODES
	    "limits:\n  max_agents: 3\n");
	cfg2 = config_load_string("unit2.yaml", YAML_BASE
	    "    agents: [\"1002\"]\n"
	    "agents:\n  addresses: [10.1.0.0/16]\n"
	    "  user_pattern: \"^[0-9]{4}$\"\n"
	    "  membership_window_s: 20\n" CODES
	    "limits:\n  max_agents: 3\n"
	    "publish:\n  zmq: ~\n", stderr);
	assert_non_null(cfg2);
	reg(&p, "1004", AGENT4, "r4@a4", 1, 3600, AT(0));
	reg(&p, "1001", AGENT1, "r1@a1", 1, 3600, AT(100));
	reg(&p, "1003", AGENT3, "r3@a3", 1, 3600, AT(200));
	reg(&p, "1002", AGENT2, "r2@a2", 1, 3600, AT(1000));
	pipe_tick(&p, ATS(5));
	send_invite(&p, &in1, ATS(6));
	send_invite(&p, &ag1, ATS(6) + 100000);
	send_resp(&p, &ag1, SIP_RINGING, ATS(6) + 200000);
	send_cancel(&p, &ag1, ATS(6) + 500000);
	pipe_tick(&p, ATS(10));
	code(&p, "1003", AGENT3, "*46", "c1@a3", ATS(12));
	pipe_tick(&p, ATS(15));
	pipe_tick(&p, ATS(20));
	pipe_tick(&p, ATS(25));
	pipe_tick(&p, ATS(30));
	agent_set_config(p.agents, cfg2);
	pipe_tick(&p, ATS(35));
	pipe_flush(&p, ATS(36));
	pipe_done(&p);
	config_free(cfg2);
	assert_int_equal(p.astats.evicted, 1);

	o = rt_row(&p, "2026-11-23T09:00:05.000Z", 3, 0, "1001", "available",
	    t0);
	expect_strs(o, "queues", (const char *)NULL);
	o = rt_row(&p, "2026-11-23T09:00:05.000Z", 3, 1, "1002", "available",
	    t2);
	expect_strs(o, "queues", (const char *)NULL);
	o = rt_row(&p, "2026-11-23T09:00:05.000Z", 3, 2, "1003", "available",
	    t3);
	expect_strs(o, "queues", (const char *)NULL);

	o = rt_row(&p, "2026-11-23T09:00:10.000Z", 3, 0, "1001", "available",
	    "2026-11-23T09:00:06.500Z");
	expect_strs(o, "queues", "sales");
	o = rt_row(&p, "2026-11-23T09:00:10.000Z", 3, 2, "1003", "available",
	    t3);

	o = rt_row(&p, "2026-11-23T09:00:15.000Z", 3, 0, "1001", "available",
	    "2026-11-23T09:00:06.500Z");
	expect_strs(o, "queues", "sales");
	o = rt_row(&p, "2026-11-23T09:00:15.000Z", 3, 2, "1003", "paused",
	    "2026-11-23T09:00:12.000Z");
	expect_strs(o, "queues", (const char *)NULL);

	o = rt_row(&p, "2026-11-23T09:00:25.000Z", 3, 0, "1001", "available",
	    "2026-11-23T09:00:06.500Z");
	expect_strs(o, "queues", "sales");
	o = pipe_find(&p, "rt.queue.sales", "ts", "2026-11-23T09:00:25.000Z");
	expect_int(o, "agents_staffed", 1);
	expect_int(o, "agents_available", 1);

	o = rt_row(&p, "2026-11-23T09:00:30.000Z", 3, 0, "1001", "available",
	    "2026-11-23T09:00:06.500Z");
	expect_strs(o, "queues", (const char *)NULL);
	o = pipe_find(&p, "rt.queue.sales", "ts", "2026-11-23T09:00:30.000Z");
	expect_int(o, "agents_staffed", 0);
	o = rt_row(&p, "2026-11-23T09:00:30.000Z", 3, 1, "1002", "available",
	    t2);
	expect_strs(o, "queues", (const char *)NULL);
	o = pipe_find(&p, "rt.queue.support", "ts",
	    "2026-11-23T09:00:30.000Z");
	expect_int(o, "agents_staffed", 0);

	o = rt_row(&p, "2026-11-23T09:00:35.000Z", 3, 1, "1002", "available",
	    t2);
	expect_strs(o, "queues", "support");
	o = pipe_find(&p, "rt.queue.support", "ts",
	    "2026-11-23T09:00:35.000Z");
	expect_int(o, "agents_staffed", 1);
	expect_int(o, "agents_available", 1);
	o = rt_row(&p, "2026-11-23T09:00:35.000Z", 3, 2, "1003", "paused",
	    "2026-11-23T09:00:12.000Z");
	expect_strs(o, "queues", (const char *)NULL);
	pipe_close(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(register_mode_unknown_until_the_first_2xx),
		cmocka_unit_test(binding_expires_exactly_at_the_granted_time),
		cmocka_unit_test(unregister_unbinds_at_once_and_clears_a_pause),
		cmocka_unit_test(every_state_in_priority_order),
		cmocka_unit_test(transfer_failed_puts_the_agent_back_on_the_call),
		cmocka_unit_test(wrapup_cut_short_by_a_ring_last_queue_decides),
		cmocka_unit_test(coinciding_changes_are_one_change),
		cmocka_unit_test(static_mode_logs_in_the_listed_agents),
		cmocka_unit_test(bound_contact_names_the_agent_of_a_leg),
		cmocka_unit_test(eviction_at_exactly_max_agents),
		cmocka_unit_test(evicted_agent_interval_state_is_freed),
		cmocka_unit_test(
		    spoofed_and_foreign_registers_are_ignored_and_counted),
		cmocka_unit_test(idle_staffed_agent_has_an_interval),
		cmocka_unit_test(members_configured_or_learned_in_rt_queue),
		cmocka_unit_test(rt_agents_rows_follow_every_change),
	};

	sipmsg_global_init();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
