/* SPDX-License-Identifier: BSD-2-Clause */
/* test_leg.c: unit tests of the leg stage: sip_msgs in, leg events out. */

#include "config.h"

#include <sys/types.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/conf.h"
#include "ccmetrics/leg.h"

#define T0_US		1795424400000000LL	/* 2026-11-23T09:00:00Z */
#define AT(ms)		(T0_US + (int64_t)(ms) * 1000)
#define S(s)		((int64_t)(s) * 1000000)
#define EV_MAX		32
#define STR_MAX		256

#define TRUNK		"192.0.2.1"
#define PBX		"10.0.0.10"
#define AGENT		"10.1.0.5"
#define ELSEWHERE	"198.51.100.7"

#define YAML_BASE \
	"pbx:\n" \
	"  addresses: [10.0.0.10]\n" \
	"trunks:\n" \
	"  addresses: [192.0.2.0/24]\n" \
	"agents:\n" \
	"  addresses: [10.1.0.0/16]\n" \
	"correlation:\n" \
	"  headers: [X-CC-Inbound]\n"

#define YAML_LIMITS(max_legs) \
	YAML_BASE \
	"limits:\n" \
	"  max_legs: " #max_legs "\n" \
	"  unanswered_leg_timeout_s: 300\n" \
	"  answered_leg_timeout_s: 14400\n"

/* A leg event with the leg as it was when the event was emitted. */
struct ev {
	enum leg_event_type	type;
	int64_t			ts_us;
	uint64_t		id;
	char			call_id[STR_MAX];
	enum leg_role		role;
	enum leg_state		state;
	enum leg_end		end_reason;
	int			final_status;
	int64_t			invite_us, ring_us, answer_us, end_us;
	int			holds;
	int64_t			hold_us;
	bool			held;
	char			caller[STR_MAX];
	char			dialed[STR_MAX];
	char			corr0[STR_MAX];
	char			refer_to[STR_MAX];
	bool			refer_attended;
	bool			partial;
};

struct fixture {
	struct config		*cfg;
	struct leg_table	*lt;
	size_t			 nev;
	struct ev		 ev[EV_MAX];
	bool			 own_inbound;	/* act as the contact stage */
};

/* One side of a dialog: who sent the INVITE to whom, with which tags. */
struct dlg {
	const char	*call_id;
	const char	*ftag;		/* the UAC's */
	const char	*ttag;		/* the UAS's */
	const char	*uac;
	const char	*uas;
};

static void
scopy(char *dst, const char *src)
{
	snprintf(dst, STR_MAX, "%s", src != NULL ? src : "");
}

static void
collect(const struct leg_event *e, void *arg)
{
	struct fixture	*fx = arg;
	struct ev	*v;
	const struct leg *l = e->leg;

	assert_true(fx->nev < EV_MAX);
	if (fx->own_inbound && e->type == LEG_EV_START &&
	    l->role == LEG_ROLE_INBOUND)
		assert_int_equal(leg_adopt(e->table, l->id), 0);
	v = &fx->ev[fx->nev++];
	v->type = e->type;
	v->ts_us = e->ts_us;
	v->id = l->id;
	scopy(v->call_id, l->call_id);
	v->role = l->role;
	v->state = l->state;
	v->end_reason = l->end_reason;
	v->final_status = l->final_status;
	v->invite_us = l->invite_us;
	v->ring_us = l->ring_us;
	v->answer_us = l->answer_us;
	v->end_us = l->end_us;
	v->holds = l->holds;
	v->hold_us = l->hold_us;
	v->held = l->held;
	scopy(v->caller, l->caller);
	scopy(v->dialed, l->dialed);
	scopy(v->corr0, l->corr[0]);
	scopy(v->refer_to, l->refer_to);
	v->refer_attended = l->refer_attended;
	v->partial = l->partial;
}

static void
fx_open(struct fixture *fx, const char *yaml)
{
	memset(fx, 0, sizeof *fx);
	fx->cfg = config_load_string("test_leg.yaml", yaml, stderr);
	assert_non_null(fx->cfg);
	fx->lt = leg_create(fx->cfg, collect, fx);
	assert_non_null(fx->lt);
}

static void
fx_close(struct fixture *fx)
{
	leg_free(fx->lt);
	config_free(fx->cfg);
}

static const struct leg_stats *
stats(const struct fixture *fx)
{
	return (leg_get_stats(fx->lt));
}

/* The one event of type t, by its position among all events. */
static const struct ev *
ev_at(const struct fixture *fx, size_t i, enum leg_event_type t)
{
	assert_true(i < fx->nev);
	assert_int_equal(fx->ev[i].type, t);
	return (&fx->ev[i]);
}

/*
 * A message with the given start line and dialog identifiers, from src
 * to dst at ts_us; users alice -> 5100, branch derived from Call-ID and
 * CSeq (so a copy is a retransmission, a new CSeq a new transaction).
 */
static struct sip_msg
msg(enum sip_method method, int status, const char *call_id,
    const char *ftag, const char *ttag, uint32_t cseq, const char *src,
    const char *dst, int64_t ts_us)
{
	struct sip_msg	m;

	memset(&m, 0, sizeof m);
	m.ts_us = ts_us;
	assert_int_equal(addr_parse(src, &m.src.ip), 0);
	m.src.port = 5060;
	assert_int_equal(addr_parse(dst, &m.dst.ip), 0);
	m.dst.port = 5060;
	m.transport = DECODE_UDP;
	m.is_request = status == 0;
	m.method = method;
	m.status = status;
	m.cseq = cseq;
	snprintf(m.call_id, sizeof m.call_id, "%s", call_id);
	snprintf(m.from_tag, sizeof m.from_tag, "%s", ftag);
	snprintf(m.to_tag, sizeof m.to_tag, "%s", ttag);
	snprintf(m.from_user, sizeof m.from_user, "alice");
	snprintf(m.to_user, sizeof m.to_user, "5100");
	if (m.is_request)
		snprintf(m.ruri_user, sizeof m.ruri_user, "5100");
	snprintf(m.branch, sizeof m.branch, "z9hG4bK-%s-%u", call_id,
	    (unsigned)cseq);
	m.sdp_dir = SDP_DIR_NONE;
	return (m);
}

/* The initial INVITE of d (no To-tag). */
static struct sip_msg
d_invite(const struct dlg *d, uint32_t cseq, int64_t ts_us)
{
	return (msg(SIP_INVITE, 0, d->call_id, d->ftag, "", cseq, d->uac,
	    d->uas, ts_us));
}

/* A response from the UAS to a request the UAC sent (100: no To-tag). */
static struct sip_msg
d_resp(const struct dlg *d, int status, enum sip_method method,
    uint32_t cseq, int64_t ts_us)
{
	return (msg(method, status, d->call_id, d->ftag,
	    status == SIP_TRYING ? "" : d->ttag, cseq, d->uas, d->uac, ts_us));
}

/* An in-dialog request from the UAC side (by_uac) or the UAS side. */
static struct sip_msg
d_req(const struct dlg *d, bool by_uac, enum sip_method method,
    uint32_t cseq, int64_t ts_us)
{
	if (by_uac)
		return (msg(method, 0, d->call_id, d->ftag, d->ttag, cseq,
		    d->uac, d->uas, ts_us));
	return (msg(method, 0, d->call_id, d->ttag, d->ftag, cseq, d->uas,
	    d->uac, ts_us));
}

/* The response to an in-dialog request of d_req(d, by_uac, ...). */
static struct sip_msg
d_reqresp(const struct dlg *d, bool by_uac, int status,
    enum sip_method method, uint32_t cseq, int64_t ts_us)
{
	if (by_uac)
		return (msg(method, status, d->call_id, d->ftag, d->ttag, cseq,
		    d->uas, d->uac, ts_us));
	return (msg(method, status, d->call_id, d->ttag, d->ftag, cseq,
	    d->uac, d->uas, ts_us));
}

static void
feed(struct fixture *fx, struct sip_msg m)
{
	leg_input(fx->lt, &m);
}

/* INVITE at 0 ms, 180 at 100 ms, 200 at 1000 ms: an answered leg. */
static void
answered(struct fixture *fx, const struct dlg *d)
{
	feed(fx, d_invite(d, 1, AT(0)));
	feed(fx, d_resp(d, SIP_RINGING, SIP_INVITE, 1, AT(100)));
	feed(fx, d_resp(d, SIP_OK, SIP_INVITE, 1, AT(1000)));
	feed(fx, d_req(d, true, SIP_ACK, 1, AT(1010)));
}

/* A re-INVITE (or UPDATE) offer with the given direction and c=0.0.0.0. */
static struct sip_msg
offer(const struct dlg *d, bool by_uac, enum sip_method method,
    uint32_t cseq, int64_t ts_us, enum sdp_dir dir, bool c_zero)
{
	struct sip_msg	m = d_req(d, by_uac, method, cseq, ts_us);

	m.has_sdp = true;
	m.sdp_dir = dir;
	m.sdp_c_zero = c_zero;
	return (m);
}

static const struct dlg inbound = {
	"in-1@192.0.2.1", "tf1", "pbx1", TRUNK, PBX
};
static const struct dlg agentleg = {
	"ag-1@10.0.0.10", "pf1", "ph1", PBX, AGENT
};

static void
invite_starts_a_leg_with_its_invite_time_and_fields(void **state)
{
	struct fixture	 fx;
	struct sip_msg	 m;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	m = d_invite(&agentleg, 1, AT(0));
	snprintf(m.corr[0], sizeof m.corr[0], "in-1@192.0.2.1");
	snprintf(m.ruri_user, sizeof m.ruri_user, "1001");
	feed(&fx, m);
	assert_int_equal(fx.nev, 1);
	e = ev_at(&fx, 0, LEG_EV_START);
	assert_int_equal(e->ts_us, AT(0));
	assert_int_equal(e->invite_us, AT(0));
	assert_string_equal(e->call_id, "ag-1@10.0.0.10");
	assert_int_equal(e->state, LEG_STATE_CALLING);
	assert_int_equal(e->role, LEG_ROLE_AGENT);
	assert_string_equal(e->dialed, "1001");
	assert_string_equal(e->caller, "alice");
	assert_string_equal(e->corr0, "in-1@192.0.2.1");
	assert_int_equal(stats(&fx)->created, 1);
	assert_int_equal(stats(&fx)->open, 1);
	fx_close(&fx);
}

static void
invite_retransmission_does_not_start_a_second_leg(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	feed(&fx, d_invite(&inbound, 1, AT(0)));
	feed(&fx, d_invite(&inbound, 1, AT(500)));
	feed(&fx, d_resp(&inbound, SIP_TRYING, SIP_INVITE, 1, AT(510)));
	feed(&fx, d_invite(&inbound, 1, AT(1500)));
	assert_int_equal(fx.nev, 1);
	assert_int_equal(ev_at(&fx, 0, LEG_EV_START)->ts_us, AT(0));
	assert_int_equal(stats(&fx)->created, 1);
	assert_int_equal(stats(&fx)->retransmissions, 2);
	assert_int_equal(stats(&fx)->open, 1);
	fx_close(&fx);
}

static void
first_18x_rings_once_repeated_180_183_do_not(void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	feed(&fx, d_invite(&agentleg, 1, AT(0)));
	feed(&fx, d_resp(&agentleg, SIP_TRYING, SIP_INVITE, 1, AT(5)));
	assert_int_equal(fx.nev, 1);		/* 100 Trying is no ring */
	feed(&fx, d_resp(&agentleg, 183, SIP_INVITE, 1, AT(40)));
	feed(&fx, d_resp(&agentleg, SIP_RINGING, SIP_INVITE, 1, AT(50)));
	feed(&fx, d_resp(&agentleg, SIP_RINGING, SIP_INVITE, 1, AT(550)));
	feed(&fx, d_resp(&agentleg, 183, SIP_INVITE, 1, AT(600)));
	assert_int_equal(fx.nev, 2);
	e = ev_at(&fx, 1, LEG_EV_RING);
	assert_int_equal(e->ts_us, AT(40));
	assert_int_equal(e->ring_us, AT(40));
	assert_int_equal(e->state, LEG_STATE_EARLY);
	fx_close(&fx);
}

static void
first_2xx_answers_a_forked_second_2xx_does_not(void **state)
{
	struct fixture	 fx;
	struct sip_msg	 fork;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	feed(&fx, d_invite(&inbound, 1, AT(0)));
	feed(&fx, d_resp(&inbound, SIP_OK, SIP_INVITE, 1, AT(2000)));
	fork = d_resp(&inbound, SIP_OK, SIP_INVITE, 1, AT(2100));
	snprintf(fork.to_tag, sizeof fork.to_tag, "fork2");
	feed(&fx, fork);
	feed(&fx, d_resp(&inbound, SIP_OK, SIP_INVITE, 1, AT(2500)));
	assert_int_equal(fx.nev, 2);
	e = ev_at(&fx, 1, LEG_EV_ANSWER);
	assert_int_equal(e->ts_us, AT(2000));
	assert_int_equal(e->answer_us, AT(2000));
	assert_int_equal(e->ring_us, 0);
	assert_int_equal(e->state, LEG_STATE_CONFIRMED);
	fx_close(&fx);
}

static void
cancel_ends_an_unanswered_leg_at_the_cancel_time_and_the_487_changes_nothing(
    void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	feed(&fx, d_invite(&inbound, 1, AT(0)));
	feed(&fx, d_resp(&inbound, SIP_RINGING, SIP_INVITE, 1, AT(100)));
	feed(&fx, msg(SIP_CANCEL, 0, inbound.call_id, inbound.ftag, "", 1,
	    TRUNK, PBX, AT(9000)));
	feed(&fx, d_resp(&inbound, SIP_OK, SIP_CANCEL, 1, AT(9010)));
	feed(&fx, d_resp(&inbound, SIP_REQUEST_TERMINATED, SIP_INVITE, 1,
	    AT(9020)));
	feed(&fx, d_req(&inbound, true, SIP_ACK, 1, AT(9030)));
	/* A retransmitted CANCEL and 487 change nothing either. */
	feed(&fx, msg(SIP_CANCEL, 0, inbound.call_id, inbound.ftag, "", 1,
	    TRUNK, PBX, AT(9500)));
	feed(&fx, d_resp(&inbound, SIP_REQUEST_TERMINATED, SIP_INVITE, 1,
	    AT(9520)));
	assert_int_equal(fx.nev, 3);
	e = ev_at(&fx, 2, LEG_EV_END);
	assert_int_equal(e->ts_us, AT(9000));
	assert_int_equal(e->end_us, AT(9000));
	assert_int_equal(e->end_reason, LEG_END_CANCEL);
	assert_int_equal(e->state, LEG_STATE_ENDED);
	assert_int_equal(e->final_status, 0);
	assert_int_equal(stats(&fx)->open, 0);
	assert_int_equal(stats(&fx)->orphans, 0);
	fx_close(&fx);
}

static void
cancel_after_the_answer_changes_nothing(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &inbound);
	feed(&fx, msg(SIP_CANCEL, 0, inbound.call_id, inbound.ftag, "", 1,
	    TRUNK, PBX, AT(1005)));
	assert_int_equal(fx.nev, 3);
	assert_int_equal(stats(&fx)->open, 1);
	fx_close(&fx);
}

static void
bye_from_the_callee_side_ends_as_bye_uas(void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &agentleg);
	feed(&fx, d_req(&agentleg, false, SIP_BYE, 1, AT(60000)));
	/* Decided at the response (DESIGN.md 3.3), dated at the BYE. */
	assert_int_equal(fx.nev, 4);
	assert_int_equal(ev_at(&fx, 3, LEG_EV_BYE)->ts_us, AT(60000));
	feed(&fx, d_reqresp(&agentleg, false, SIP_OK, SIP_BYE, 1, AT(60010)));
	assert_int_equal(fx.nev, 5);
	e = ev_at(&fx, 4, LEG_EV_END);
	assert_int_equal(e->ts_us, AT(60000));
	assert_int_equal(e->end_reason, LEG_END_BYE_UAS);
	assert_int_equal(e->answer_us, AT(1000));
	assert_int_equal(e->final_status, 0);
	fx_close(&fx);
}

static void
bye_from_the_caller_side_ends_as_bye_uac(void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &inbound);
	feed(&fx, d_req(&inbound, true, SIP_BYE, 2, AT(30000)));
	feed(&fx, d_req(&inbound, true, SIP_BYE, 2, AT(30500)));
	feed(&fx, d_reqresp(&inbound, true, SIP_OK, SIP_BYE, 2, AT(30510)));
	assert_int_equal(fx.nev, 5);
	ev_at(&fx, 3, LEG_EV_BYE);
	e = ev_at(&fx, 4, LEG_EV_END);
	assert_int_equal(e->ts_us, AT(30000));
	assert_int_equal(e->end_reason, LEG_END_BYE_UAC);
	assert_int_equal(stats(&fx)->open, 0);
	fx_close(&fx);
}

static void
final_486_ends_the_leg_as_rejected_with_its_status(void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	feed(&fx, d_invite(&agentleg, 1, AT(0)));
	feed(&fx, d_resp(&agentleg, SIP_RINGING, SIP_INVITE, 1, AT(100)));
	feed(&fx, d_resp(&agentleg, 486, SIP_INVITE, 1, AT(4000)));
	feed(&fx, d_req(&agentleg, true, SIP_ACK, 1, AT(4010)));
	feed(&fx, d_resp(&agentleg, 486, SIP_INVITE, 1, AT(4500)));
	feed(&fx, d_resp(&agentleg, SIP_OK, SIP_INVITE, 1, AT(4600)));
	assert_int_equal(fx.nev, 3);
	e = ev_at(&fx, 2, LEG_EV_END);
	assert_int_equal(e->ts_us, AT(4000));
	assert_int_equal(e->end_reason, LEG_END_REJECTED);
	assert_int_equal(e->final_status, 486);
	assert_int_equal(e->answer_us, 0);
	fx_close(&fx);
}

static void
challenge_407_then_invite_with_higher_cseq_continues_the_same_leg(
    void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	feed(&fx, d_invite(&inbound, 1, AT(0)));
	feed(&fx, d_resp(&inbound, 407, SIP_INVITE, 1, AT(10)));
	feed(&fx, d_req(&inbound, true, SIP_ACK, 1, AT(20)));
	feed(&fx, d_invite(&inbound, 2, AT(30)));
	feed(&fx, d_resp(&inbound, 401, SIP_INVITE, 2, AT(40)));
	feed(&fx, d_invite(&inbound, 3, AT(50)));
	feed(&fx, d_invite(&inbound, 3, AT(550)));	/* retransmission */
	feed(&fx, d_resp(&inbound, SIP_RINGING, SIP_INVITE, 3, AT(600)));
	feed(&fx, d_resp(&inbound, SIP_OK, SIP_INVITE, 3, AT(3000)));
	assert_int_equal(fx.nev, 3);
	ev_at(&fx, 0, LEG_EV_START);
	assert_int_equal(ev_at(&fx, 1, LEG_EV_RING)->ts_us, AT(600));
	assert_int_equal(ev_at(&fx, 2, LEG_EV_ANSWER)->ts_us, AT(3000));
	assert_int_equal(fx.ev[2].id, fx.ev[0].id);
	assert_int_equal(fx.ev[2].invite_us, AT(0));
	assert_int_equal(fx.ev[2].final_status, 0);
	assert_int_equal(stats(&fx)->created, 1);
	assert_int_equal(stats(&fx)->retransmissions, 1);
	fx_close(&fx);
}

static void
invite_without_to_tag_reusing_an_ended_call_id_with_a_new_branch_starts_a_new_leg(
    void **state)
{
	struct fixture	fx;
	struct sip_msg	m;

	(void)state;
	fx_open(&fx, YAML_BASE);
	feed(&fx, d_invite(&inbound, 1, AT(0)));
	feed(&fx, d_resp(&inbound, 486, SIP_INVITE, 1, AT(100)));
	/* A late copy of the first INVITE is still a retransmission. */
	feed(&fx, d_invite(&inbound, 1, AT(500)));
	assert_int_equal(fx.nev, 2);
	m = d_invite(&inbound, 1, AT(20000));
	snprintf(m.branch, sizeof m.branch, "z9hG4bK-new");
	feed(&fx, m);
	assert_int_equal(fx.nev, 3);
	ev_at(&fx, 2, LEG_EV_START);
	assert_true(fx.ev[2].id != fx.ev[0].id);
	assert_int_equal(fx.ev[2].invite_us, AT(20000));
	assert_int_equal(stats(&fx)->created, 2);
	assert_int_equal(stats(&fx)->open, 1);
	/* Its responses go to the new leg, not the ended one. */
	feed(&fx, d_resp(&inbound, SIP_OK, SIP_INVITE, 1, AT(21000)));
	assert_int_equal(fx.nev, 4);
	assert_int_equal(ev_at(&fx, 3, LEG_EV_ANSWER)->id, fx.ev[2].id);
	fx_close(&fx);
}

/* The role of a leg whose INVITE went from src to dst. */
static enum leg_role
role_of(struct fixture *fx, const char *src, const char *dst)
{
	char	cid[64];

	snprintf(cid, sizeof cid, "role-%zu", fx->nev);
	feed(fx, msg(SIP_INVITE, 0, cid, "t", "", 1, src, dst, AT(fx->nev)));
	assert_int_equal(fx->ev[fx->nev - 1].type, LEG_EV_START);
	return (fx->ev[fx->nev - 1].role);
}

static void
inbound_leg_is_trunk_to_pbx_agent_leg_is_pbx_to_agent_other_otherwise(
    void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	assert_int_equal(role_of(&fx, TRUNK, PBX), LEG_ROLE_INBOUND);
	assert_int_equal(role_of(&fx, "192.0.2.254", PBX), LEG_ROLE_INBOUND);
	assert_int_equal(role_of(&fx, PBX, AGENT), LEG_ROLE_AGENT);
	assert_int_equal(role_of(&fx, PBX, "10.1.255.1"), LEG_ROLE_AGENT);
	assert_int_equal(role_of(&fx, AGENT, PBX), LEG_ROLE_OTHER);
	assert_int_equal(role_of(&fx, PBX, TRUNK), LEG_ROLE_OTHER);
	assert_int_equal(role_of(&fx, ELSEWHERE, PBX), LEG_ROLE_OTHER);
	assert_int_equal(role_of(&fx, PBX, PBX), LEG_ROLE_OTHER);
	assert_int_equal(role_of(&fx, TRUNK, AGENT), LEG_ROLE_OTHER);
	assert_int_equal(role_of(&fx, PBX, ELSEWHERE), LEG_ROLE_OTHER);
	fx_close(&fx);
}

static void
without_trunks_any_non_pbx_non_agent_source_to_the_pbx_is_inbound(
    void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx,
	    "pbx:\n  addresses: [10.0.0.10]\n"
	    "agents:\n  addresses: [10.1.0.0/16]\n");
	assert_int_equal(role_of(&fx, ELSEWHERE, PBX), LEG_ROLE_INBOUND);
	assert_int_equal(role_of(&fx, TRUNK, PBX), LEG_ROLE_INBOUND);
	assert_int_equal(role_of(&fx, AGENT, PBX), LEG_ROLE_OTHER);
	assert_int_equal(role_of(&fx, PBX, PBX), LEG_ROLE_OTHER);
	assert_int_equal(role_of(&fx, PBX, AGENT), LEG_ROLE_AGENT);
	fx_close(&fx);
}

static void
agent_user_pattern_mismatch_makes_the_leg_other(void **state)
{
	struct fixture	fx;
	struct sip_msg	m;

	(void)state;
	fx_open(&fx,
	    "pbx:\n  addresses: [10.0.0.10]\n"
	    "trunks:\n  addresses: [192.0.2.0/24]\n"
	    "agents:\n  addresses: [10.1.0.0/16]\n"
	    "  user_pattern: \"^[0-9]{4}$\"\n");
	assert_string_equal(fx.cfg->agent_user_pattern, "^[0-9]{4}$");
	m = d_invite(&agentleg, 1, AT(0));
	snprintf(m.ruri_user, sizeof m.ruri_user, "1001");
	feed(&fx, m);
	assert_int_equal(ev_at(&fx, 0, LEG_EV_START)->role, LEG_ROLE_AGENT);

	m = msg(SIP_INVITE, 0, "ag-2", "t2", "", 1, PBX, AGENT, AT(10));
	snprintf(m.ruri_user, sizeof m.ruri_user, "voicemail");
	snprintf(m.to_user, sizeof m.to_user, "vm");
	feed(&fx, m);
	assert_int_equal(ev_at(&fx, 1, LEG_EV_START)->role, LEG_ROLE_OTHER);
	assert_string_equal(fx.ev[1].dialed, "voicemail");
	assert_int_equal(stats(&fx)->agent_user_mismatch, 1);

	/* DESIGN.md 7: a Request-URI user that is no agent id falls back
	   (no binding here) to the To user, when that is one. */
	m = msg(SIP_INVITE, 0, "ag-2b", "t2b", "", 1, PBX, AGENT, AT(15));
	snprintf(m.ruri_user, sizeof m.ruri_user, "voicemail");
	snprintf(m.to_user, sizeof m.to_user, "1003");
	feed(&fx, m);
	assert_int_equal(ev_at(&fx, 2, LEG_EV_START)->role, LEG_ROLE_AGENT);
	assert_string_equal(fx.ev[2].dialed, "1003");
	assert_int_equal(stats(&fx)->agent_user_mismatch, 1);

	/* Without a Request-URI user the To user is the agent id. */
	m = msg(SIP_INVITE, 0, "ag-3", "t3", "", 1, PBX, AGENT, AT(20));
	m.ruri_user[0] = '\0';
	snprintf(m.to_user, sizeof m.to_user, "2002");
	feed(&fx, m);
	assert_int_equal(ev_at(&fx, 3, LEG_EV_START)->role, LEG_ROLE_AGENT);
	assert_string_equal(fx.ev[3].dialed, "2002");
	assert_int_equal(stats(&fx)->agent_user_mismatch, 1);
	fx_close(&fx);
}

static void
caller_is_the_pai_user_when_present(void **state)
{
	struct fixture	fx;
	struct sip_msg	m;

	(void)state;
	fx_open(&fx, YAML_BASE);
	m = d_invite(&inbound, 1, AT(0));
	snprintf(m.from_user, sizeof m.from_user, "anonymous");
	snprintf(m.pai_user, sizeof m.pai_user, "+15551234567");
	snprintf(m.ruri_user, sizeof m.ruri_user, "+18005550100");
	feed(&fx, m);
	assert_string_equal(ev_at(&fx, 0, LEG_EV_START)->caller,
	    "+15551234567");
	assert_string_equal(fx.ev[0].dialed, "+18005550100");

	m = msg(SIP_INVITE, 0, "in-2", "t", "", 1, TRUNK, PBX, AT(5));
	snprintf(m.from_user, sizeof m.from_user, "+15559876543");
	feed(&fx, m);
	assert_string_equal(ev_at(&fx, 1, LEG_EV_START)->caller,
	    "+15559876543");
	fx_close(&fx);
}

static void
reinvite_with_sendonly_answered_200_starts_a_hold_at_the_request_time_sendrecv_resume_ends_it_hold_us_exact(
    void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &agentleg);
	assert_int_equal(fx.nev, 3);
	/* The agent phone (the UAS of the agent leg) holds. */
	feed(&fx, offer(&agentleg, false, SIP_INVITE, 1, AT(20000),
	    SDP_DIR_SENDONLY, false));
	feed(&fx, d_reqresp(&agentleg, false, SIP_TRYING, SIP_INVITE, 1,
	    AT(20010)));
	assert_int_equal(fx.nev, 3);		/* not before the 2xx */
	feed(&fx, d_reqresp(&agentleg, false, SIP_OK, SIP_INVITE, 1,
	    AT(20100)));
	feed(&fx, d_req(&agentleg, false, SIP_ACK, 1, AT(20110)));
	assert_int_equal(fx.nev, 4);
	e = ev_at(&fx, 3, LEG_EV_HOLD);
	assert_int_equal(e->ts_us, AT(20000));
	assert_true(e->held);
	assert_int_equal(e->holds, 1);
	assert_int_equal(e->hold_us, 0);

	feed(&fx, offer(&agentleg, false, SIP_INVITE, 2, AT(50000),
	    SDP_DIR_SENDRECV, false));
	feed(&fx, d_reqresp(&agentleg, false, SIP_OK, SIP_INVITE, 2,
	    AT(50200)));
	assert_int_equal(fx.nev, 5);
	e = ev_at(&fx, 4, LEG_EV_RESUME);
	assert_int_equal(e->ts_us, AT(50000));
	assert_false(e->held);
	assert_int_equal(e->holds, 1);
	assert_int_equal(e->hold_us, S(30));

	feed(&fx, d_req(&agentleg, true, SIP_BYE, 2, AT(60000)));
	feed(&fx, d_reqresp(&agentleg, true, SIP_OK, SIP_BYE, 2, AT(60005)));
	e = ev_at(&fx, 6, LEG_EV_END);
	assert_int_equal(e->holds, 1);
	assert_int_equal(e->hold_us, S(30));
	assert_false(e->held);
	fx_close(&fx);
}

static void
c_zero_is_a_hold_inactive_is_a_hold_a_sendrecv_session_refresh_is_no_hold(
    void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &agentleg);
	/* Session refresh (RFC 4028) keeping sendrecv: nothing. */
	feed(&fx, offer(&agentleg, true, SIP_INVITE, 2, AT(10000),
	    SDP_DIR_SENDRECV, false));
	feed(&fx, d_reqresp(&agentleg, true, SIP_OK, SIP_INVITE, 2,
	    AT(10100)));
	/* A refresh without any direction: nothing either. */
	feed(&fx, offer(&agentleg, true, SIP_UPDATE, 3, AT(11000),
	    SDP_DIR_NONE, false));
	feed(&fx, d_reqresp(&agentleg, true, SIP_OK, SIP_UPDATE, 3,
	    AT(11100)));
	assert_int_equal(fx.nev, 3);

	/* RFC 2543 hold: c=0.0.0.0 with no direction attribute. */
	feed(&fx, offer(&agentleg, false, SIP_INVITE, 1, AT(20000),
	    SDP_DIR_NONE, true));
	feed(&fx, d_reqresp(&agentleg, false, SIP_OK, SIP_INVITE, 1,
	    AT(20100)));
	assert_int_equal(ev_at(&fx, 3, LEG_EV_HOLD)->ts_us, AT(20000));
	/* A refresh repeating the hold while held is no second hold. */
	feed(&fx, offer(&agentleg, false, SIP_INVITE, 2, AT(25000),
	    SDP_DIR_SENDONLY, false));
	feed(&fx, d_reqresp(&agentleg, false, SIP_OK, SIP_INVITE, 2,
	    AT(25100)));
	assert_int_equal(fx.nev, 4);
	feed(&fx, offer(&agentleg, false, SIP_INVITE, 3, AT(30000),
	    SDP_DIR_NONE, false));
	feed(&fx, d_reqresp(&agentleg, false, SIP_OK, SIP_INVITE, 3,
	    AT(30100)));
	assert_int_equal(ev_at(&fx, 4, LEG_EV_RESUME)->hold_us, S(10));

	/* inactive */
	feed(&fx, offer(&agentleg, true, SIP_INVITE, 4, AT(40000),
	    SDP_DIR_INACTIVE, false));
	feed(&fx, d_reqresp(&agentleg, true, SIP_OK, SIP_INVITE, 4,
	    AT(40100)));
	e = ev_at(&fx, 5, LEG_EV_HOLD);
	assert_int_equal(e->ts_us, AT(40000));
	assert_int_equal(e->holds, 2);
	/* recvonly resumes (DESIGN 3.3). */
	feed(&fx, offer(&agentleg, true, SIP_INVITE, 5, AT(45000),
	    SDP_DIR_RECVONLY, false));
	feed(&fx, d_reqresp(&agentleg, true, SIP_OK, SIP_INVITE, 5,
	    AT(45100)));
	e = ev_at(&fx, 6, LEG_EV_RESUME);
	assert_int_equal(e->hold_us, S(15));
	assert_int_equal(e->holds, 2);
	assert_int_equal(fx.nev, 7);
	fx_close(&fx);
}

static void
retransmitted_hold_and_resume_offers_keep_the_time_of_their_first_copy(
    void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &agentleg);
	feed(&fx, offer(&agentleg, false, SIP_INVITE, 1, AT(20000),
	    SDP_DIR_SENDONLY, false));
	feed(&fx, offer(&agentleg, false, SIP_INVITE, 1, AT(20500),
	    SDP_DIR_SENDONLY, false));
	feed(&fx, d_reqresp(&agentleg, false, SIP_OK, SIP_INVITE, 1,
	    AT(20600)));
	assert_int_equal(ev_at(&fx, 3, LEG_EV_HOLD)->ts_us, AT(20000));
	feed(&fx, offer(&agentleg, false, SIP_INVITE, 2, AT(30000),
	    SDP_DIR_SENDRECV, false));
	feed(&fx, offer(&agentleg, false, SIP_INVITE, 2, AT(30500),
	    SDP_DIR_SENDRECV, false));
	feed(&fx, offer(&agentleg, false, SIP_INVITE, 2, AT(31500),
	    SDP_DIR_SENDRECV, false));
	feed(&fx, d_reqresp(&agentleg, false, SIP_OK, SIP_INVITE, 2,
	    AT(31600)));
	assert_int_equal(ev_at(&fx, 4, LEG_EV_RESUME)->ts_us, AT(30000));
	assert_int_equal(fx.ev[4].hold_us, S(10));
	assert_int_equal(fx.nev, 5);
	fx_close(&fx);
}

static void
hold_offer_rejected_with_491_is_no_hold(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &agentleg);
	feed(&fx, offer(&agentleg, false, SIP_INVITE, 1, AT(20000),
	    SDP_DIR_SENDONLY, false));
	feed(&fx, d_reqresp(&agentleg, false, 491, SIP_INVITE, 1, AT(20050)));
	/* A late 200 for the rejected offer does not revive it. */
	feed(&fx, d_reqresp(&agentleg, false, SIP_OK, SIP_INVITE, 1,
	    AT(20060)));
	feed(&fx, d_req(&agentleg, true, SIP_BYE, 2, AT(30000)));
	feed(&fx, d_reqresp(&agentleg, true, SIP_OK, SIP_BYE, 2, AT(30005)));
	assert_int_equal(fx.nev, 5);
	ev_at(&fx, 4, LEG_EV_END);
	assert_int_equal(fx.ev[4].holds, 0);
	assert_int_equal(fx.ev[4].hold_us, 0);
	fx_close(&fx);
}

static void
hold_offer_before_the_answer_is_no_hold(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	feed(&fx, d_invite(&agentleg, 1, AT(0)));
	feed(&fx, d_resp(&agentleg, SIP_RINGING, SIP_INVITE, 1, AT(100)));
	feed(&fx, offer(&agentleg, true, SIP_UPDATE, 2, AT(200),
	    SDP_DIR_SENDONLY, false));
	feed(&fx, d_reqresp(&agentleg, true, SIP_OK, SIP_UPDATE, 2, AT(300)));
	feed(&fx, d_resp(&agentleg, SIP_OK, SIP_INVITE, 1, AT(1000)));
	assert_int_equal(fx.nev, 3);
	ev_at(&fx, 2, LEG_EV_ANSWER);
	assert_int_equal(fx.ev[2].holds, 0);
	fx_close(&fx);
}

static void
update_hold_works_like_reinvite(void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &agentleg);
	feed(&fx, offer(&agentleg, true, SIP_UPDATE, 2, AT(5000),
	    SDP_DIR_SENDONLY, false));
	feed(&fx, d_reqresp(&agentleg, true, SIP_OK, SIP_UPDATE, 2, AT(5050)));
	e = ev_at(&fx, 3, LEG_EV_HOLD);
	assert_int_equal(e->ts_us, AT(5000));
	assert_int_equal(e->holds, 1);
	feed(&fx, offer(&agentleg, true, SIP_UPDATE, 3, AT(12500),
	    SDP_DIR_SENDRECV, false));
	feed(&fx, d_reqresp(&agentleg, true, SIP_OK, SIP_UPDATE, 3, AT(12550)));
	e = ev_at(&fx, 4, LEG_EV_RESUME);
	assert_int_equal(e->ts_us, AT(12500));
	assert_int_equal(e->hold_us, 7500000);
	assert_int_equal(fx.nev, 5);
	fx_close(&fx);
}

static void
hold_open_when_the_leg_ends_is_closed_at_the_end(void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &agentleg);
	feed(&fx, offer(&agentleg, false, SIP_INVITE, 1, AT(20000),
	    SDP_DIR_SENDONLY, false));
	feed(&fx, d_reqresp(&agentleg, false, SIP_OK, SIP_INVITE, 1,
	    AT(20100)));
	feed(&fx, d_req(&agentleg, true, SIP_BYE, 2, AT(45000)));
	feed(&fx, d_reqresp(&agentleg, true, SIP_OK, SIP_BYE, 2, AT(45005)));
	assert_int_equal(fx.nev, 6);
	e = ev_at(&fx, 5, LEG_EV_END);
	assert_int_equal(e->ts_us, AT(45000));
	assert_false(e->held);
	assert_int_equal(e->holds, 1);
	assert_int_equal(e->hold_us, S(25));
	fx_close(&fx);
}

static void
refer_accepted_with_202_emits_a_refer_event_attended_when_replaces_is_present(
    void **state)
{
	struct fixture	 fx;
	struct sip_msg	 m;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &agentleg);

	/* Rejected: no event. */
	m = d_req(&agentleg, false, SIP_REFER, 1, AT(5000));
	snprintf(m.refer_to, sizeof m.refer_to, "<sip:9999@10.0.0.10>");
	feed(&fx, m);
	feed(&fx, d_reqresp(&agentleg, false, 403, SIP_REFER, 1, AT(5010)));
	assert_int_equal(fx.nev, 3);

	/* Blind. */
	m = d_req(&agentleg, false, SIP_REFER, 2, AT(6000));
	snprintf(m.refer_to, sizeof m.refer_to, "<sip:1002@10.0.0.10>");
	feed(&fx, m);
	feed(&fx, d_reqresp(&agentleg, false, SIP_ACCEPTED, SIP_REFER, 2,
	    AT(6020)));
	feed(&fx, d_reqresp(&agentleg, false, SIP_ACCEPTED, SIP_REFER, 2,
	    AT(6520)));			/* retransmitted 202 */
	assert_int_equal(fx.nev, 4);
	e = ev_at(&fx, 3, LEG_EV_REFER);
	assert_int_equal(e->ts_us, AT(6020));
	assert_string_equal(e->refer_to, "<sip:1002@10.0.0.10>");
	assert_false(e->refer_attended);

	/* Attended. */
	m = d_req(&agentleg, false, SIP_REFER, 3, AT(7000));
	snprintf(m.refer_to, sizeof m.refer_to,
	    "<sip:1002@10.0.0.10?Replaces=c2%%40h%%3Bto-tag%%3D1>");
	snprintf(m.replaces_call_id, sizeof m.replaces_call_id, "c2@h");
	feed(&fx, m);
	feed(&fx, d_reqresp(&agentleg, false, SIP_ACCEPTED, SIP_REFER, 3,
	    AT(7030)));
	assert_int_equal(fx.nev, 5);
	e = ev_at(&fx, 4, LEG_EV_REFER);
	assert_int_equal(e->ts_us, AT(7030));
	assert_string_equal(e->refer_to,
	    "<sip:1002@10.0.0.10?Replaces=c2%40h%3Bto-tag%3D1>");
	assert_true(e->refer_attended);
	fx_close(&fx);
}

static void
unanswered_leg_expires_after_unanswered_leg_timeout_s_of_packet_time_ended_at_its_last_message(
    void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_LIMITS(1000));
	feed(&fx, d_invite(&inbound, 1, AT(0)));
	feed(&fx, d_resp(&inbound, SIP_RINGING, SIP_INVITE, 1, AT(2000)));
	leg_expire(fx.lt, AT(2000) + S(300));
	assert_int_equal(fx.nev, 2);
	leg_expire(fx.lt, AT(2000) + S(300) + 1);
	assert_int_equal(fx.nev, 3);
	e = ev_at(&fx, 2, LEG_EV_END);
	assert_int_equal(e->ts_us, AT(2000));
	assert_int_equal(e->end_us, AT(2000));
	assert_int_equal(e->end_reason, LEG_END_EXPIRED);
	assert_int_equal(stats(&fx)->expired, 1);
	assert_int_equal(stats(&fx)->open, 0);
	fx_close(&fx);
}

static void
a_ringing_inbound_leg_of_a_contact_waits_as_long_as_an_answered_one(
    void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_LIMITS(1000));
	fx.own_inbound = true;
	feed(&fx, d_invite(&inbound, 1, AT(0)));
	feed(&fx, d_resp(&inbound, SIP_RINGING, SIP_INVITE, 1, AT(2000)));
	/* Ten minutes of ringback in a queue: still up. */
	leg_expire(fx.lt, AT(2000) + S(600));
	assert_int_equal(fx.nev, 2);
	assert_int_equal(stats(&fx)->open, 1);
	fx_close(&fx);
}

static void
answered_legs_use_answered_leg_timeout_s(void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_LIMITS(1000));
	answered(&fx, &agentleg);		/* last message: ACK at 1010 */
	leg_expire(fx.lt, AT(1010) + S(301));
	leg_expire(fx.lt, AT(1010) + S(14400));
	assert_int_equal(fx.nev, 3);
	leg_expire(fx.lt, AT(1010) + S(14400) + 1);
	assert_int_equal(fx.nev, 4);
	e = ev_at(&fx, 3, LEG_EV_END);
	assert_int_equal(e->ts_us, AT(1010));
	assert_int_equal(e->end_reason, LEG_END_EXPIRED);
	assert_int_equal(stats(&fx)->expired, 1);
	fx_close(&fx);
}

static void
in_dialog_activity_postpones_expiry(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_LIMITS(1000));
	answered(&fx, &agentleg);
	feed(&fx, offer(&agentleg, true, SIP_UPDATE, 2, AT(1010) + S(14000),
	    SDP_DIR_SENDRECV, false));
	leg_expire(fx.lt, AT(1010) + S(14400) + 1);
	assert_int_equal(fx.nev, 3);
	leg_expire(fx.lt, AT(1010) + S(28400) + 1);
	assert_int_equal(ev_at(&fx, 3, LEG_EV_END)->ts_us,
	    AT(1010) + S(14000));
	fx_close(&fx);
}

static void
when_max_legs_is_reached_the_least_recently_active_open_leg_is_evicted_and_counted(
    void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_LIMITS(2));
	feed(&fx, msg(SIP_INVITE, 0, "a", "ta", "", 1, TRUNK, PBX, AT(1000)));
	feed(&fx, msg(SIP_INVITE, 0, "b", "tb", "", 1, TRUNK, PBX, AT(2000)));
	/* a rings after b started: b is now the least recently active. */
	feed(&fx, msg(SIP_INVITE, SIP_RINGING, "a", "ta", "x", 1, PBX, TRUNK,
	    AT(3000)));
	feed(&fx, msg(SIP_INVITE, 0, "c", "tc", "", 1, TRUNK, PBX, AT(4000)));
	assert_int_equal(fx.nev, 5);
	assert_int_equal(ev_at(&fx, 2, LEG_EV_RING)->ts_us, AT(3000));
	e = ev_at(&fx, 3, LEG_EV_END);
	assert_string_equal(e->call_id, "b");
	assert_int_equal(e->ts_us, AT(4000));
	assert_int_equal(e->end_reason, LEG_END_EVICTED);
	assert_string_equal(ev_at(&fx, 4, LEG_EV_START)->call_id, "c");
	assert_int_equal(stats(&fx)->evicted, 1);
	assert_int_equal(stats(&fx)->open, 2);
	/* The evicted leg is gone: its response waits as an orphan now. */
	feed(&fx, msg(SIP_INVITE, SIP_OK, "b", "tb", "y", 1, PBX, TRUNK,
	    AT(5000)));
	assert_int_equal(stats(&fx)->orphans_held, 1);
	assert_int_equal(fx.nev, 5);
	fx_close(&fx);
}

static void
an_ended_leg_makes_room_before_any_open_leg_is_evicted(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_LIMITS(2));
	feed(&fx, msg(SIP_INVITE, 0, "a", "ta", "", 1, TRUNK, PBX, AT(1000)));
	feed(&fx, msg(SIP_INVITE, 0, "b", "tb", "", 1, TRUNK, PBX, AT(2000)));
	feed(&fx, msg(SIP_INVITE, 486, "b", "tb", "x", 1, PBX, TRUNK,
	    AT(2500)));
	feed(&fx, msg(SIP_INVITE, 0, "c", "tc", "", 1, TRUNK, PBX, AT(4000)));
	assert_int_equal(fx.nev, 4);
	ev_at(&fx, 3, LEG_EV_START);
	assert_int_equal(stats(&fx)->evicted, 0);
	assert_int_equal(stats(&fx)->open, 2);
	fx_close(&fx);
}

static void
leg_flush_ends_every_open_leg_as_flushed(void **state)
{
	struct fixture	fx;
	size_t		i;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &agentleg);			/* 3 events */
	feed(&fx, d_invite(&inbound, 1, AT(2000)));	/* 1 */
	feed(&fx, msg(SIP_INVITE, 0, "c", "tc", "", 1, TRUNK, PBX, AT(3000)));
	feed(&fx, msg(SIP_INVITE, 603, "c", "tc", "x", 1, PBX, TRUNK,
	    AT(3100)));					/* 2 */
	assert_int_equal(fx.nev, 6);
	leg_flush(fx.lt, AT(9000));
	assert_int_equal(fx.nev, 8);
	for (i = 6; i < 8; i++) {
		ev_at(&fx, i, LEG_EV_END);
		assert_int_equal(fx.ev[i].ts_us, AT(9000));
		assert_int_equal(fx.ev[i].end_reason, LEG_END_FLUSHED);
	}
	assert_int_equal(stats(&fx)->open, 0);
	leg_flush(fx.lt, AT(10000));
	assert_int_equal(fx.nev, 8);
	fx_close(&fx);
}

static void
an_in_dialog_bye_with_no_leg_opens_nothing(void **state)
{
	struct fixture	 fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	/* The callee (PBX) side hangs up a call whose INVITE was never seen:
	   a lone request publishes nothing (DESIGN.md 3.3). */
	feed(&fx, d_req(&inbound, false, SIP_BYE, 7, AT(0)));
	feed(&fx, d_reqresp(&inbound, false, SIP_OK, SIP_BYE, 7, AT(5)));
	assert_int_equal(fx.nev, 0);
	assert_int_equal(stats(&fx)->partial, 0);
	assert_int_equal(stats(&fx)->created, 0);
	assert_int_equal(stats(&fx)->orphans, 2);
	fx_close(&fx);
}

static void
an_in_dialog_reinvite_with_no_leg_is_published_at_its_2xx_dated_at_the_request(
    void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	feed(&fx, offer(&inbound, false, SIP_INVITE, 7, AT(0),
	    SDP_DIR_SENDRECV, false));
	assert_int_equal(fx.nev, 0);		/* not before a 2xx */
	assert_int_equal(stats(&fx)->open, 1);
	feed(&fx, d_reqresp(&inbound, false, SIP_OK, SIP_INVITE, 7, AT(40)));
	assert_int_equal(fx.nev, 2);
	e = ev_at(&fx, 0, LEG_EV_START);
	assert_int_equal(e->ts_us, AT(0));
	assert_int_equal(e->role, LEG_ROLE_INBOUND);
	assert_true(e->partial);
	assert_int_equal(ev_at(&fx, 1, LEG_EV_ANSWER)->ts_us, AT(0));
	assert_int_equal(stats(&fx)->partial, 1);
	fx_close(&fx);
}

static void
an_in_dialog_reinvite_never_answered_2xx_publishes_nothing(void **state)
{
	struct fixture	 fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	/* A dead peer: re-INVITEs unanswered, then the BYE train. */
	feed(&fx, offer(&inbound, false, SIP_INVITE, 7, AT(0),
	    SDP_DIR_SENDRECV, false));
	feed(&fx, offer(&inbound, false, SIP_INVITE, 7, AT(500),
	    SDP_DIR_SENDRECV, false));
	feed(&fx, d_req(&inbound, false, SIP_BYE, 8, AT(32000)));
	leg_settle(fx.lt, AT(33001));
	assert_int_equal(stats(&fx)->open, 0);
	assert_int_equal(stats(&fx)->partial_unconfirmed, 1);
	assert_int_equal(stats(&fx)->partial, 0);
	assert_int_equal(fx.nev, 0);
	fx_close(&fx);
}

static void
bye_answered_481_ends_nothing_and_a_later_bye_ends_the_leg(void **state)
{
	struct fixture	 fx;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &inbound);
	feed(&fx, d_req(&inbound, true, SIP_BYE, 2, AT(10000)));
	feed(&fx, d_reqresp(&inbound, true, 481, SIP_BYE, 2, AT(10003)));
	assert_int_equal(fx.nev, 5);
	ev_at(&fx, 3, LEG_EV_BYE);
	assert_int_equal(ev_at(&fx, 4, LEG_EV_BYE_REFUSED)->ts_us, AT(10003));
	assert_int_equal(stats(&fx)->bye_481, 1);
	assert_int_equal(stats(&fx)->open, 1);
	/* Well past the wait: the refused BYE ends nothing. */
	leg_settle(fx.lt, AT(20000));
	assert_int_equal(stats(&fx)->open, 1);
	feed(&fx, d_req(&inbound, false, SIP_BYE, 3, AT(30000)));
	feed(&fx, d_reqresp(&inbound, false, SIP_OK, SIP_BYE, 3, AT(30004)));
	assert_int_equal(fx.nev, 7);
	e = ev_at(&fx, 6, LEG_EV_END);
	assert_int_equal(e->ts_us, AT(30000));
	assert_int_equal(e->end_reason, LEG_END_BYE_UAS);
	fx_close(&fx);
}

static void
bye_with_a_to_tag_not_the_dialogs_is_ignored(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &inbound);
	feed(&fx, msg(SIP_BYE, 0, inbound.call_id, inbound.ftag, "stale", 2,
	    TRUNK, PBX, AT(10000)));
	feed(&fx, msg(SIP_BYE, 481, inbound.call_id, inbound.ftag, "stale", 2,
	    PBX, TRUNK, AT(10002)));
	leg_settle(fx.lt, AT(20000));
	assert_int_equal(fx.nev, 3);
	assert_int_equal(stats(&fx)->bye_tags_mismatch, 1);
	assert_int_equal(stats(&fx)->bye_481, 0);
	assert_int_equal(stats(&fx)->open, 1);
	fx_close(&fx);
}

static void
bye_with_no_response_ends_the_leg_at_its_time_after_one_second(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &agentleg);
	feed(&fx, d_req(&agentleg, true, SIP_BYE, 2, AT(30000)));
	leg_settle(fx.lt, AT(31000));		/* the boundary: still waits */
	assert_int_equal(fx.nev, 4);
	leg_settle(fx.lt, AT(31000) + 1);
	assert_int_equal(fx.nev, 5);
	assert_int_equal(ev_at(&fx, 4, LEG_EV_END)->ts_us, AT(30000));
	assert_int_equal(fx.ev[4].end_reason, LEG_END_BYE_UAC);
	fx_close(&fx);
}

static void
bye_awaiting_its_response_at_flush_ends_the_leg_as_a_bye(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	answered(&fx, &agentleg);
	feed(&fx, d_req(&agentleg, false, SIP_BYE, 2, AT(30000)));
	leg_flush(fx.lt, AT(30200));
	assert_int_equal(ev_at(&fx, 4, LEG_EV_END)->ts_us, AT(30000));
	assert_int_equal(fx.ev[4].end_reason, LEG_END_BYE_UAS);
	fx_close(&fx);
}

static void
requests_of_a_dialog_ended_within_the_memory_open_nothing(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_BASE "limits:\n  ended_dialog_memory_s: 60\n");
	answered(&fx, &agentleg);
	feed(&fx, d_req(&agentleg, true, SIP_BYE, 2, AT(10000)));
	feed(&fx, d_reqresp(&agentleg, true, SIP_OK, SIP_BYE, 2, AT(10002)));
	assert_int_equal(fx.nev, 5);
	/* The dead peer's re-INVITE and new BYE transactions, 60 s long. */
	feed(&fx, offer(&agentleg, false, SIP_INVITE, 9, AT(42000),
	    SDP_DIR_SENDRECV, false));
	feed(&fx, d_req(&agentleg, false, SIP_BYE, 10, AT(70000)));
	leg_expire(fx.lt, AT(70000));		/* 60 s after the end: kept */
	feed(&fx, d_req(&agentleg, false, SIP_BYE, 10, AT(70000)));
	assert_int_equal(stats(&fx)->ended_dialog_requests, 3);
	assert_int_equal(stats(&fx)->created, 1);
	assert_int_equal(fx.nev, 5);
	/* Forgotten after 60 s: a lone BYE still opens nothing. */
	leg_expire(fx.lt, AT(70002) + 1);
	feed(&fx, d_req(&agentleg, false, SIP_BYE, 11, AT(80000)));
	assert_int_equal(stats(&fx)->ended_dialog_requests, 3);
	assert_int_equal(stats(&fx)->orphans, 1);
	assert_int_equal(fx.nev, 5);
	fx_close(&fx);
}

static void
same_invite_with_another_branch_while_the_leg_is_open_is_no_new_leg(
    void **state)
{
	struct fixture	fx;
	struct sip_msg	m;

	(void)state;
	fx_open(&fx, YAML_BASE);
	m = msg(SIP_INVITE, 0, "h1", "th", "", 5, TRUNK, PBX, AT(0));
	feed(&fx, m);
	/* The same INVITE forwarded by another hop: another branch. */
	snprintf(m.branch, sizeof m.branch, "z9hG4bK-other-hop");
	m.ts_us = AT(2);
	feed(&fx, m);
	assert_int_equal(fx.nev, 1);
	assert_int_equal(stats(&fx)->created, 1);
	assert_int_equal(stats(&fx)->retransmissions, 1);
	fx_close(&fx);
}

static void
a_proxy_hop_to_the_pbx_gives_a_roleless_leg_its_role(void **state)
{
	struct fixture	 fx;
	struct sip_msg	 m;
	const struct ev	*e;

	(void)state;
	fx_open(&fx, YAML_BASE);
	/* The caller's INVITE to a proxy (not a trunk): no role. */
	m = msg(SIP_INVITE, 0, "p1", "tp", "", 3, ELSEWHERE, TRUNK, AT(0));
	feed(&fx, m);
	assert_int_equal(ev_at(&fx, 0, LEG_EV_START)->role, LEG_ROLE_OTHER);
	/* The proxy (in the trunk range) forwards it to the PBX. */
	m = msg(SIP_INVITE, 0, "p1", "tp", "", 3, TRUNK, PBX, AT(4));
	snprintf(m.branch, sizeof m.branch, "z9hG4bK-proxy-hop");
	feed(&fx, m);
	assert_int_equal(fx.nev, 2);
	e = ev_at(&fx, 1, LEG_EV_START);
	assert_int_equal(e->role, LEG_ROLE_INBOUND);
	assert_int_equal(e->invite_us, AT(4));
	assert_int_equal(stats(&fx)->rehops, 1);
	assert_int_equal(stats(&fx)->created, 1);
	/* A further copy at another hop changes nothing now. */
	snprintf(m.branch, sizeof m.branch, "z9hG4bK-third-hop");
	m.src = m.dst;
	feed(&fx, m);
	assert_int_equal(fx.nev, 2);
	assert_int_equal(stats(&fx)->retransmissions, 1);
	fx_close(&fx);
}

static void
a_response_before_its_invite_is_held_and_replayed(void **state)
{
	struct fixture	 fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	/* Capture reordering: the 180 is captured before its INVITE. */
	feed(&fx, msg(SIP_INVITE, SIP_RINGING, "r1", "tr", "x", 1, PBX, TRUNK,
	    AT(10)));
	assert_int_equal(fx.nev, 0);
	assert_int_equal(stats(&fx)->orphans_held, 1);
	feed(&fx, msg(SIP_INVITE, 0, "r1", "tr", "", 1, TRUNK, PBX, AT(11)));
	assert_int_equal(fx.nev, 2);
	ev_at(&fx, 0, LEG_EV_START);
	assert_int_equal(ev_at(&fx, 1, LEG_EV_RING)->ts_us, AT(10));
	assert_int_equal(stats(&fx)->orphans_replayed, 1);
	/* A response older than the hold time is not replayed. */
	feed(&fx, msg(SIP_INVITE, SIP_RINGING, "r2", "tq", "x", 1, PBX, TRUNK,
	    AT(100)));
	feed(&fx, msg(SIP_INVITE, 0, "r2", "tq", "", 1, TRUNK, PBX,
	    AT(100) + 3000000));
	assert_int_equal(fx.nev, 3);
	assert_int_equal(stats(&fx)->orphans_replayed, 1);
	fx_close(&fx);
}

static void
out_of_dialog_requests_with_no_leg_are_orphans(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx, YAML_BASE);
	feed(&fx, msg(SIP_NOTIFY, 0, "mwi-1", "n1", "", 1, PBX, AGENT, AT(30)));
	feed(&fx, msg(SIP_ACK, 0, "gone-1", "g1", "x", 1, TRUNK, PBX, AT(40)));
	assert_int_equal(stats(&fx)->orphans, 1);
	assert_int_equal(fx.nev, 0);
	assert_int_equal(stats(&fx)->created, 0);
	fx_close(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    invite_starts_a_leg_with_its_invite_time_and_fields),
		cmocka_unit_test(
		    invite_retransmission_does_not_start_a_second_leg),
		cmocka_unit_test(first_18x_rings_once_repeated_180_183_do_not),
		cmocka_unit_test(
		    first_2xx_answers_a_forked_second_2xx_does_not),
		cmocka_unit_test(
		    cancel_ends_an_unanswered_leg_at_the_cancel_time_and_the_487_changes_nothing),
		cmocka_unit_test(cancel_after_the_answer_changes_nothing),
		cmocka_unit_test(bye_from_the_callee_side_ends_as_bye_uas),
		cmocka_unit_test(bye_from_the_caller_side_ends_as_bye_uac),
		cmocka_unit_test(
		    final_486_ends_the_leg_as_rejected_with_its_status),
		cmocka_unit_test(
		    challenge_407_then_invite_with_higher_cseq_continues_the_same_leg),
		cmocka_unit_test(
		    invite_without_to_tag_reusing_an_ended_call_id_with_a_new_branch_starts_a_new_leg),
		cmocka_unit_test(
		    inbound_leg_is_trunk_to_pbx_agent_leg_is_pbx_to_agent_other_otherwise),
		cmocka_unit_test(
		    without_trunks_any_non_pbx_non_agent_source_to_the_pbx_is_inbound),
		cmocka_unit_test(agent_user_pattern_mismatch_makes_the_leg_other),
		cmocka_unit_test(caller_is_the_pai_user_when_present),
		cmocka_unit_test(
		    reinvite_with_sendonly_answered_200_starts_a_hold_at_the_request_time_sendrecv_resume_ends_it_hold_us_exact),
		cmocka_unit_test(
		    c_zero_is_a_hold_inactive_is_a_hold_a_sendrecv_session_refresh_is_no_hold),
		cmocka_unit_test(
		    retransmitted_hold_and_resume_offers_keep_the_time_of_their_first_copy),
		cmocka_unit_test(hold_offer_rejected_with_491_is_no_hold),
		cmocka_unit_test(hold_offer_before_the_answer_is_no_hold),
		cmocka_unit_test(update_hold_works_like_reinvite),
		cmocka_unit_test(
		    hold_open_when_the_leg_ends_is_closed_at_the_end),
		cmocka_unit_test(
		    refer_accepted_with_202_emits_a_refer_event_attended_when_replaces_is_present),
		cmocka_unit_test(
		    unanswered_leg_expires_after_unanswered_leg_timeout_s_of_packet_time_ended_at_its_last_message),
		cmocka_unit_test(
		    a_ringing_inbound_leg_of_a_contact_waits_as_long_as_an_answered_one),
		cmocka_unit_test(answered_legs_use_answered_leg_timeout_s),
		cmocka_unit_test(in_dialog_activity_postpones_expiry),
		cmocka_unit_test(
		    when_max_legs_is_reached_the_least_recently_active_open_leg_is_evicted_and_counted),
		cmocka_unit_test(
		    an_ended_leg_makes_room_before_any_open_leg_is_evicted),
		cmocka_unit_test(leg_flush_ends_every_open_leg_as_flushed),
		cmocka_unit_test(
		    an_in_dialog_bye_with_no_leg_opens_nothing),
		cmocka_unit_test(
		    same_invite_with_another_branch_while_the_leg_is_open_is_no_new_leg),
		cmocka_unit_test(
		    a_proxy_hop_to_the_pbx_gives_a_roleless_leg_its_role),
		cmocka_unit_test(
		    a_response_before_its_invite_is_held_and_replayed),
		cmocka_unit_test(out_of_dialog_requests_with_no_leg_are_orphans),
		cmocka_unit_test(
		    an_in_dialog_reinvite_with_no_leg_is_published_at_its_2xx_dated_at_the_request),
		cmocka_unit_test(
		    an_in_dialog_reinvite_never_answered_2xx_publishes_nothing),
		cmocka_unit_test(
		    bye_answered_481_ends_nothing_and_a_later_bye_ends_the_leg),
		cmocka_unit_test(bye_with_a_to_tag_not_the_dialogs_is_ignored),
		cmocka_unit_test(
		    bye_with_no_response_ends_the_leg_at_its_time_after_one_second),
		cmocka_unit_test(
		    bye_awaiting_its_response_at_flush_ends_the_leg_as_a_bye),
		cmocka_unit_test(
		    requests_of_a_dialog_ended_within_the_memory_open_nothing),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
