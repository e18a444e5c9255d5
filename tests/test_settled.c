/* SPDX-License-Identifier: BSD-2-Clause */
/* test_settled.c: DESIGN.md 3.3's settled cases and 4.1's per-call fields, sip_msgs through the leg and contact stages. */

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
#include "ccmetrics/contact.h"
#include "ccmetrics/leg.h"

#define T0_US		1795424400000000LL	/* 2026-11-23T09:00:00Z */
#define AT(ms)		(T0_US + (int64_t)(ms) * 1000)
#define STR_MAX		256
#define ENDS_MAX	8

#define TRUNK		"192.0.2.1"
#define PBX		"10.0.0.10"
#define AGENT1		"10.1.0.5"
#define AGENT2		"10.1.0.6"
#define CALLER		"+15550001111"

#define YAML \
	"pbx:\n" \
	"  addresses: [10.0.0.10]\n" \
	"trunks:\n" \
	"  addresses: [192.0.2.0/24]\n" \
	"agents:\n" \
	"  addresses: [10.1.0.0/16]\n" \
	"queues:\n" \
	"  - name: sales\n" \
	"    dnis: [\"5100\"]\n" \
	"correlation:\n" \
	"  headers: [X-CC-Inbound]\n" \
	"metrics:\n" \
	"  short_abandon_s: 5\n" \
	"  repeat_window_s: 3600\n"

/* A call.end as the contact stage made it: the fields under test. */
struct end {
	char			call_id[STR_MAX];
	enum contact_outcome	outcome;
	enum contact_party	ended_by;
	size_t			attempts;
	int			rona;
	int			transfers;
	int			holds;
	int64_t			hold_ms;
	int			answered;	/* agent legs answered */
	char			agent[STR_MAX];	/* the first to answer */
	bool			repeat;
	char			previous_contact[STR_MAX];	/* "" null */
	enum contact_previous	previous;
	bool			ended_on_hold;
};

struct fixture {
	struct config		*cfg;
	struct leg_table	*lt;
	struct contact_table	*ct;
	size_t			 nev[CONTACT_EV_NTYPES];
	size_t			 nends;
	struct end		 ends[ENDS_MAX];
	bool			 last_transfer_attended;
};

/* One dialog: who sent the INVITE to whom, with which identifiers. */
struct dlg {
	const char	*call_id;
	const char	*ftag;		/* the UAC's */
	const char	*ttag;		/* the UAS's */
	const char	*uac;
	const char	*uas;
	const char	*from_user;
	const char	*ruri_user;
};

static void
scopy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src != NULL ? src : "");
}

static void
on_contact(const struct contact_event *ev, void *arg)
{
	struct fixture		*fx = arg;
	const struct contact	*c = ev->contact;
	struct contact_totals	 t;
	struct end		*e;
	size_t			 i;

	fx->nev[ev->type]++;
	if (ev->type == CONTACT_EV_TRANSFER)
		fx->last_transfer_attended = ev->leg->refer_attended;
	if (ev->type != CONTACT_EV_END)
		return;
	assert_true(fx->nends < ENDS_MAX);
	e = &fx->ends[fx->nends++];
	memset(e, 0, sizeof *e);
	contact_totals(c, &t);
	scopy(e->call_id, sizeof e->call_id, c->call_id);
	e->outcome = c->outcome;
	e->ended_by = c->ended_by;
	e->attempts = c->nattempts;
	e->rona = t.rona;
	e->transfers = c->transfers;
	e->holds = t.holds;
	e->hold_ms = t.hold_ms;
	for (i = 0; i < c->nattempts; i++)
		if (c->attempts[i].answer_us != 0)
			e->answered++;
	if (c->answered_attempt >= 0)
		scopy(e->agent, sizeof e->agent,
		    c->attempts[c->answered_attempt].agent);
	e->repeat = c->repeat;
	scopy(e->previous_contact, sizeof e->previous_contact,
	    c->previous_contact);
	e->previous = c->previous;
	e->ended_on_hold = c->ended_on_hold;
}

static void
on_leg(const struct leg_event *ev, void *arg)
{
	struct fixture	*fx = arg;

	contact_input(fx->ct, ev);
}

static void
fx_open(struct fixture *fx)
{
	memset(fx, 0, sizeof *fx);
	fx->cfg = config_load_string("test_settled.yaml", YAML, stderr);
	assert_non_null(fx->cfg);
	fx->ct = contact_create(fx->cfg, on_contact, fx);
	fx->lt = leg_create(fx->cfg, on_leg, fx);
}

static void
fx_close(struct fixture *fx)
{
	leg_free(fx->lt);
	contact_free(fx->ct);
	config_free(fx->cfg);
}

/* The call.end of call_id; fails when there is none. */
static const struct end *
end_of(const struct fixture *fx, const char *call_id)
{
	size_t	i;

	for (i = 0; i < fx->nends; i++)
		if (strcmp(fx->ends[i].call_id, call_id) == 0)
			return (&fx->ends[i]);
	fail_msg("no call.end for %s", call_id);
	return (NULL);
}

static struct sip_msg
msg(const struct dlg *d, enum sip_method method, int status, bool from_uac,
    bool in_dialog, uint32_t cseq, int64_t ts_us)
{
	struct sip_msg	m;
	bool		req = status == 0;
	/* A request goes from its sender; a response back to it. */
	bool		src_uac = req ? from_uac : !from_uac;

	memset(&m, 0, sizeof m);
	m.ts_us = ts_us;
	assert_int_equal(addr_parse(src_uac ? d->uac : d->uas, &m.src.ip), 0);
	assert_int_equal(addr_parse(src_uac ? d->uas : d->uac, &m.dst.ip), 0);
	m.src.port = m.dst.port = 5060;
	m.transport = DECODE_UDP;
	m.is_request = req;
	m.method = method;
	m.status = status;
	m.cseq = cseq;
	scopy(m.call_id, sizeof m.call_id, d->call_id);
	/* From and To keep the dialog's parties (RFC 3261 12.2.1.1). */
	scopy(m.from_tag, sizeof m.from_tag, from_uac ? d->ftag : d->ttag);
	scopy(m.to_tag, sizeof m.to_tag, !in_dialog ? "" :
	    from_uac ? d->ttag : d->ftag);
	scopy(m.from_user, sizeof m.from_user, from_uac ? d->from_user :
	    d->ruri_user);
	scopy(m.to_user, sizeof m.to_user, from_uac ? d->ruri_user :
	    d->from_user);
	if (req)
		scopy(m.ruri_user, sizeof m.ruri_user, from_uac ?
		    d->ruri_user : d->from_user);
	snprintf(m.branch, sizeof m.branch, "z9hG4bK-%s-%u-%d", d->call_id,
	    (unsigned)cseq, from_uac);
	return (m);
}

static void
feed(struct fixture *fx, struct sip_msg m)
{
	leg_input(fx->lt, &m);
}

/* The initial INVITE of d, with a correlation header value or not. */
static struct sip_msg
invite(const struct dlg *d, const char *corr, int64_t ts_us)
{
	struct sip_msg	m = msg(d, SIP_INVITE, 0, true, false, 1, ts_us);

	scopy(m.corr[0], sizeof m.corr[0], corr);
	return (m);
}

/* A response of the UAS to the initial INVITE. */
static void
respond(struct fixture *fx, const struct dlg *d, int status, int64_t ts_us)
{
	feed(fx, msg(d, SIP_INVITE, status, true, status > SIP_TRYING, 1,
	    ts_us));
}

/* 200 and its ACK. */
static void
answer(struct fixture *fx, const struct dlg *d, int64_t ts_us)
{
	respond(fx, d, SIP_OK, ts_us);
	feed(fx, msg(d, SIP_ACK, 0, true, true, 1, ts_us + 5));
}

/* An in-dialog request and its response (status) 10 ms later. */
static void
request(struct fixture *fx, const struct dlg *d, bool by_uac,
    enum sip_method method, uint32_t cseq, int status, int64_t ts_us)
{
	feed(fx, msg(d, method, 0, by_uac, true, cseq, ts_us));
	feed(fx, msg(d, method, status, by_uac, true, cseq, ts_us + 10));
}

static void
bye(struct fixture *fx, const struct dlg *d, bool by_uac, uint32_t cseq,
    int64_t ts_us)
{
	request(fx, d, by_uac, SIP_BYE, cseq, SIP_OK, ts_us);
}

/* CANCEL by the UAC, its 200, the 487 and its ACK. */
static void
cancel(struct fixture *fx, const struct dlg *d, int64_t ts_us)
{
	feed(fx, msg(d, SIP_CANCEL, 0, true, false, 1, ts_us));
	feed(fx, msg(d, SIP_CANCEL, SIP_OK, true, true, 1, ts_us + 2));
	respond(fx, d, SIP_REQUEST_TERMINATED, ts_us + 4);
	feed(fx, msg(d, SIP_ACK, 0, true, true, 1, ts_us + 6));
}

/* A re-INVITE by the UAS (the agent's phone) offering dir, 200, ACK. */
static void
offer(struct fixture *fx, const struct dlg *d, uint32_t cseq,
    enum sdp_dir dir, int64_t ts_us)
{
	struct sip_msg	m = msg(d, SIP_INVITE, 0, false, true, cseq, ts_us);

	m.has_sdp = true;
	m.sdp_dir = dir;
	feed(fx, m);
	feed(fx, msg(d, SIP_INVITE, SIP_OK, false, true, cseq, ts_us + 10));
	feed(fx, msg(d, SIP_ACK, 0, false, true, cseq, ts_us + 15));
}

/* A REFER by the agent's phone, answered status 10 ms later. */
static void
refer(struct fixture *fx, const struct dlg *d, uint32_t cseq,
    const char *target, const char *replaces, int status, int64_t ts_us)
{
	struct sip_msg	m = msg(d, SIP_REFER, 0, false, true, cseq, ts_us);

	snprintf(m.refer_to, sizeof m.refer_to, "<sip:%s@" PBX ">", target);
	scopy(m.replaces_call_id, sizeof m.replaces_call_id, replaces);
	feed(fx, m);
	feed(fx, msg(d, SIP_REFER, status, false, true, cseq, ts_us + 10));
}

static const struct dlg in1 = {
	"in-1@192.0.2.1", "tf1", "pbx1", TRUNK, PBX, CALLER, "5100"
};
static const struct dlg in2 = {
	"in-2@192.0.2.1", "tf2", "pbx2", TRUNK, PBX, CALLER, "5100"
};
static const struct dlg ag1 = {
	"ag-1@10.0.0.10", "pf1", "ph1", PBX, AGENT1, CALLER, "1001"
};
static const struct dlg ag2 = {
	"ag-2@10.0.0.10", "pf2", "ph2", PBX, AGENT2, CALLER, "1002"
};

/* The caller waits: inbound INVITE at t, 180 at t + 50 ms. */
static void
arrive(struct fixture *fx, const struct dlg *in, int64_t ts_us)
{
	feed(fx, invite(in, NULL, ts_us));
	respond(fx, in, SIP_RINGING, ts_us + 50000);
}

/* An agent leg for in, tied by the header: INVITE at t, 180 at +100 ms. */
static void
offer_agent(struct fixture *fx, const struct dlg *ag, const struct dlg *in,
    int64_t ts_us)
{
	feed(fx, invite(ag, in->call_id, ts_us));
	respond(fx, ag, SIP_RINGING, ts_us + 100000);
}

/* --- DESIGN.md 3.3, settled cases -------------------------------------- */

static void
rona_is_judged_against_the_end_of_the_inbound_leg(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx);
	/* Agent CANCELled 1 ms before the caller's CANCEL: a RONA. */
	arrive(&fx, &in1, AT(0));
	offer_agent(&fx, &ag1, &in1, AT(1000));
	cancel(&fx, &ag1, AT(9999));
	cancel(&fx, &in1, AT(10000));
	/*
	 * Agent CANCELled after the caller left, though the call is not
	 * final until it ends (its "end" as a contact is later): no RONA.
	 */
	arrive(&fx, &in2, AT(20000));
	offer_agent(&fx, &ag2, &in2, AT(21000));
	cancel(&fx, &in2, AT(30000));
	cancel(&fx, &ag2, AT(30003));
	assert_int_equal(fx.nends, 2);
	assert_int_equal(end_of(&fx, in1.call_id)->rona, 1);
	assert_int_equal(end_of(&fx, in2.call_id)->rona, 0);
	assert_int_equal(end_of(&fx, in2.call_id)->attempts, 1);
	assert_int_equal(fx.nev[CONTACT_EV_RONA], 1);
	fx_close(&fx);
}

static void
agent_declining_with_486_or_603_is_a_rona(void **state)
{
	struct fixture		 fx;
	const struct end	*e;
	static const struct dlg	 ag3 = {
		"ag-3@10.0.0.10", "pf3", "ph3", PBX, AGENT1, CALLER, "1001"
	};

	(void)state;
	fx_open(&fx);
	arrive(&fx, &in1, AT(0));
	offer_agent(&fx, &ag1, &in1, AT(1000));
	respond(&fx, &ag1, 486, AT(3000));
	offer_agent(&fx, &ag2, &in1, AT(4000));
	respond(&fx, &ag2, 603, AT(6000));
	offer_agent(&fx, &ag3, &in1, AT(7000));
	answer(&fx, &ag3, AT(9000));
	answer(&fx, &in1, AT(9010));
	bye(&fx, &ag3, false, 2, AT(60000));
	bye(&fx, &in1, false, 2, AT(60010));
	e = end_of(&fx, in1.call_id);
	assert_int_equal(e->outcome, OUTCOME_ANSWERED);
	assert_int_equal(e->attempts, 3);
	assert_int_equal(e->rona, 2);
	assert_string_equal(e->agent, "1001");
	fx_close(&fx);
}

static void
refer_accepted_with_202_is_a_transfer_though_its_notify_fails(void **state)
{
	struct fixture		 fx;
	struct sip_msg		 m;
	const struct end	*e;

	(void)state;
	fx_open(&fx);
	arrive(&fx, &in1, AT(0));
	offer_agent(&fx, &ag1, &in1, AT(1000));
	answer(&fx, &ag1, AT(3000));
	answer(&fx, &in1, AT(3010));
	refer(&fx, &ag1, 2, "1002", NULL, SIP_ACCEPTED, AT(30000));
	/* The PBX reports the transfer failed (sipfrag 503): the agent
	   keeps the caller. */
	m = msg(&ag1, SIP_NOTIFY, 0, true, true, 2, AT(30100));
	m.refer_frag_status = 503;
	m.refer_event_id = 2;
	feed(&fx, m);
	feed(&fx, msg(&ag1, SIP_NOTIFY, SIP_OK, true, true, 2, AT(30110)));
	bye(&fx, &ag1, false, 3, AT(90000));
	bye(&fx, &in1, false, 2, AT(90010));
	e = end_of(&fx, in1.call_id);
	assert_int_equal(e->transfers, 1);
	assert_int_equal(fx.nev[CONTACT_EV_TRANSFER], 1);
	/* The segment runs on to the leg's end (test_contact.c). */
	assert_int_equal(fx.nev[CONTACT_EV_SEGMENT_REOPEN], 1);
	assert_false(fx.last_transfer_attended);
	/* A REFER refused is none. */
	fx_close(&fx);
	fx_open(&fx);
	arrive(&fx, &in1, AT(0));
	offer_agent(&fx, &ag1, &in1, AT(1000));
	answer(&fx, &ag1, AT(3000));
	refer(&fx, &ag1, 2, "1002", NULL, 403, AT(30000));
	bye(&fx, &ag1, false, 3, AT(90000));
	bye(&fx, &in1, false, 2, AT(90010));
	assert_int_equal(end_of(&fx, in1.call_id)->transfers, 0);
	fx_close(&fx);
}

static void
re_offer_of_the_same_hold_direction_is_no_new_hold(void **state)
{
	struct fixture		 fx;
	const struct end	*e;

	(void)state;
	fx_open(&fx);
	arrive(&fx, &in1, AT(0));
	offer_agent(&fx, &ag1, &in1, AT(1000));
	answer(&fx, &ag1, AT(3000));
	answer(&fx, &in1, AT(3010));
	offer(&fx, &ag1, 2, SDP_DIR_SENDONLY, AT(10000));
	offer(&fx, &ag1, 3, SDP_DIR_SENDONLY, AT(15000));	/* re-offer */
	offer(&fx, &ag1, 4, SDP_DIR_INACTIVE, AT(18000));	/* still held */
	offer(&fx, &ag1, 5, SDP_DIR_SENDRECV, AT(25000));
	bye(&fx, &ag1, false, 6, AT(40000));
	bye(&fx, &in1, false, 2, AT(40010));
	e = end_of(&fx, in1.call_id);
	assert_int_equal(e->holds, 1);
	assert_int_equal(e->hold_ms, 15000);
	assert_int_equal(fx.nev[CONTACT_EV_HOLD], 1);
	assert_int_equal(fx.nev[CONTACT_EV_RESUME], 1);
	fx_close(&fx);
}

static void
agent_invite_after_the_caller_left_is_no_attempt(void **state)
{
	struct fixture		 fx;
	struct sip_msg		 m;
	const struct end	*e;
	static const struct dlg	 ag3 = {
		"ag-3@10.0.0.10", "pf3", "ph3", PBX, AGENT2, CALLER, "1002"
	};

	(void)state;
	fx_open(&fx);
	/* By the header, naming a call whose caller has hung up. */
	arrive(&fx, &in1, AT(0));
	cancel(&fx, &in1, AT(8000));
	offer_agent(&fx, &ag1, &in1, AT(8001));
	cancel(&fx, &ag1, AT(9000));
	e = end_of(&fx, in1.call_id);
	assert_int_equal(e->attempts, 0);
	assert_int_equal(e->outcome, OUTCOME_ABANDONED);
	assert_int_equal(fx.nev[CONTACT_EV_RING], 0);
	assert_int_equal(fx.nev[CONTACT_EV_LEG_END], 1);
	assert_int_equal(contact_get_stats(fx.ct)->agent_unmatched, 1);
	/* By number: no open call of that caller. */
	offer_agent(&fx, &ag2, &in2, AT(10000));
	cancel(&fx, &ag2, AT(11000));
	assert_int_equal(fx.nev[CONTACT_EV_RING], 0);
	assert_int_equal(contact_get_stats(fx.ct)->agent_unmatched, 2);
	fx_close(&fx);

	/*
	 * By Replaces naming an agent leg still up after the caller hung up
	 * (the PBX relays the BYE a moment later): no attempt either.
	 */
	fx_open(&fx);
	arrive(&fx, &in1, AT(0));
	offer_agent(&fx, &ag1, &in1, AT(1000));
	answer(&fx, &ag1, AT(3000));
	answer(&fx, &in1, AT(3010));
	bye(&fx, &in1, true, 2, AT(50000));
	m = invite(&ag3, NULL, AT(50005));
	scopy(m.replaces_call_id, sizeof m.replaces_call_id, ag1.call_id);
	feed(&fx, m);
	bye(&fx, &ag1, true, 2, AT(50020));
	cancel(&fx, &ag3, AT(51000));
	e = end_of(&fx, in1.call_id);
	assert_int_equal(e->attempts, 1);
	assert_int_equal(fx.nev[CONTACT_EV_RING], 1);
	assert_int_equal(contact_get_stats(fx.ct)->agent_by_replaces, 0);
	assert_int_equal(contact_get_stats(fx.ct)->agent_unmatched, 1);
	fx_close(&fx);

	/*
	 * Nor by a REFER whose Replaces names a leg that matched no call,
	 * accepted after the caller hung up: that leg is not adopted.
	 */
	fx_open(&fx);
	arrive(&fx, &in1, AT(0));
	offer_agent(&fx, &ag1, &in1, AT(1000));
	answer(&fx, &ag1, AT(3000));
	answer(&fx, &in1, AT(3010));
	m = invite(&ag3, NULL, AT(20000));
	scopy(m.from_user, sizeof m.from_user, "1001");	/* no rule ties it */
	feed(&fx, m);
	answer(&fx, &ag3, AT(22000));
	bye(&fx, &in1, true, 2, AT(50000));
	refer(&fx, &ag1, 2, "1002", ag3.call_id, SIP_ACCEPTED, AT(50003));
	bye(&fx, &ag1, true, 2, AT(50030));
	bye(&fx, &ag3, true, 2, AT(60000));
	e = end_of(&fx, in1.call_id);
	assert_int_equal(e->attempts, 1);
	assert_int_equal(e->transfers, 1);
	assert_int_equal(contact_get_stats(fx.ct)->agent_by_replaces, 0);
	assert_int_equal(contact_get_stats(fx.ct)->agent_unmatched, 1);
	fx_close(&fx);
}

/* An agent leg whose From is the caller, without a correlation header. */
static void
offer_by_number(struct fixture *fx, const struct dlg *ag, int64_t ts_us)
{
	feed(fx, invite(ag, NULL, ts_us));
	respond(fx, ag, SIP_RINGING, ts_us + 100000);
}

static void
anonymous_callers_are_never_matched_by_number_nor_repeat(void **state)
{
	static const char *const froms[] = { "anonymous", "", "Anonymous" };
	struct fixture	 fx;
	struct dlg	 in, ag;
	struct sip_msg	 m;
	size_t		 i;

	(void)state;
	for (i = 0; i < 4; i++) {
		fx_open(&fx);
		in = in1;
		ag = ag1;
		in.from_user = ag.from_user = i < 3 ? froms[i] : CALLER;
		/* Two calls; an agent leg from the same number for the first. */
		m = invite(&in, NULL, AT(0));
		/* The fourth: a number, hidden by Privacy: id, no PAI. */
		m.privacy_id = i == 3;
		feed(&fx, m);
		respond(&fx, &in, SIP_RINGING, AT(50));
		offer_by_number(&fx, &ag, AT(1000));
		cancel(&fx, &in, AT(8000));
		cancel(&fx, &ag, AT(8005));
		in = in2;
		in.from_user = i < 3 ? froms[i] : CALLER;
		m = invite(&in, NULL, AT(20000));
		m.privacy_id = i == 3;
		feed(&fx, m);
		cancel(&fx, &in, AT(30000));
		assert_int_equal(fx.nends, 2);
		if (end_of(&fx, in1.call_id)->attempts != 0)
			fail_msg("caller \"%s\" (%zu) matched by number",
			    in.from_user, i);
		assert_false(end_of(&fx, in2.call_id)->repeat);
		assert_string_equal(end_of(&fx, in2.call_id)->previous_contact,
		    "");
		assert_int_equal(contact_get_stats(fx.ct)->agent_by_caller, 0);
		fx_close(&fx);
	}
}

static void
privacy_id_with_an_asserted_identity_is_a_known_caller(void **state)
{
	struct fixture	fx;
	struct dlg	in = in1, ag = ag1;
	struct sip_msg	m;

	(void)state;
	fx_open(&fx);
	in.from_user = "anonymous";
	m = invite(&in, NULL, AT(0));
	m.privacy_id = true;
	scopy(m.pai_user, sizeof m.pai_user, CALLER);
	feed(&fx, m);
	respond(&fx, &in, SIP_RINGING, AT(50));
	m = invite(&ag, NULL, AT(1000));
	m.privacy_id = true;
	scopy(m.pai_user, sizeof m.pai_user, CALLER);
	feed(&fx, m);
	answer(&fx, &ag, AT(3000));
	answer(&fx, &in, AT(3010));
	bye(&fx, &in, true, 2, AT(30000));
	bye(&fx, &ag, true, 2, AT(30010));
	assert_int_equal(end_of(&fx, in1.call_id)->attempts, 1);
	assert_int_equal(end_of(&fx, in1.call_id)->outcome, OUTCOME_ANSWERED);
	assert_int_equal(contact_get_stats(fx.ct)->agent_by_caller, 1);
	fx_close(&fx);
}

static void
target_of_an_internally_bridged_attended_transfer_is_invisible(void **state)
{
	struct fixture		 fx;
	const struct end	*e;
	/* Agent 1001's phone calls the PBX for agent 1002 (consult)... */
	static const struct dlg	 consult = {
		"consult-1@10.1.0.5", "cf1", "ct1", AGENT1, PBX, "1001", "1002"
	};
	/* ... and the PBX rings 1002 from 1001, with no header. */
	static const struct dlg	 target = {
		"ag-b@10.0.0.10", "pfb", "phb", PBX, AGENT2, "1001", "1002"
	};

	(void)state;
	fx_open(&fx);
	arrive(&fx, &in1, AT(0));
	offer_agent(&fx, &ag1, &in1, AT(1000));
	answer(&fx, &ag1, AT(3000));
	answer(&fx, &in1, AT(3010));
	offer(&fx, &ag1, 2, SDP_DIR_SENDONLY, AT(20000));
	feed(&fx, invite(&consult, NULL, AT(21000)));
	feed(&fx, invite(&target, NULL, AT(21050)));
	respond(&fx, &target, SIP_RINGING, AT(21100));
	answer(&fx, &target, AT(24000));
	answer(&fx, &consult, AT(24005));
	/* Refer-To <sip:1002@pbx?Replaces=consult-1...>: the PBX bridges
	   the caller to 1002 internally; no INVITE with Replaces is seen. */
	refer(&fx, &ag1, 3, "1002", consult.call_id, SIP_ACCEPTED,
	    AT(40000));
	bye(&fx, &consult, false, 2, AT(40100));
	bye(&fx, &ag1, false, 4, AT(40200));
	bye(&fx, &in1, true, 2, AT(100000));
	bye(&fx, &target, true, 2, AT(100010));
	e = end_of(&fx, in1.call_id);
	assert_int_equal(e->attempts, 1);
	assert_int_equal(e->answered, 1);
	assert_string_equal(e->agent, "1001");
	assert_int_equal(e->transfers, 1);
	assert_true(fx.last_transfer_attended);
	/* The target's leg (and the consult leg) end outside any call. */
	assert_int_equal(fx.nev[CONTACT_EV_LEG_END], 2);
	assert_int_equal(contact_get_stats(fx.ct)->agent_unmatched, 1);
	fx_close(&fx);
}

/* --- DESIGN.md 4.1, per call --------------------------------------------- */

/* A caller's first call: answered at 3 s, talk, the agent hangs up. */
static void
first_call_answered(struct fixture *fx, int64_t bye_us)
{
	arrive(fx, &in1, AT(0));
	offer_agent(fx, &ag1, &in1, AT(1000));
	answer(fx, &ag1, AT(3000));
	answer(fx, &in1, AT(3010));
	bye(fx, &ag1, false, 2, bye_us);
	bye(fx, &in1, false, 2, bye_us + 10);
}

static void
previous_outcome_is_how_the_previous_call_stood_at_this_arrival(void **state)
{
	struct fixture		 fx;
	const struct end	*e;

	(void)state;
	/* Still waiting at the redial, answered later: waiting. */
	fx_open(&fx);
	arrive(&fx, &in1, AT(0));
	arrive(&fx, &in2, AT(2000));
	offer_agent(&fx, &ag1, &in1, AT(2500));
	answer(&fx, &ag1, AT(4000));
	answer(&fx, &in1, AT(4010));
	cancel(&fx, &in2, AT(9000));
	bye(&fx, &ag1, false, 2, AT(60000));
	bye(&fx, &in1, false, 2, AT(60010));
	e = end_of(&fx, in2.call_id);
	assert_true(e->repeat);
	assert_string_equal(e->previous_contact, in1.call_id);
	assert_int_equal(e->previous, PREVIOUS_WAITING);
	assert_null(contact_previous_name(PREVIOUS_NONE));
	assert_string_equal(contact_previous_name(e->previous), "waiting");
	e = end_of(&fx, in1.call_id);
	assert_false(e->repeat);
	assert_string_equal(e->previous_contact, "");
	assert_int_equal(e->previous, PREVIOUS_NONE);
	fx_close(&fx);

	/* Answered before the second call, still talking: answered. */
	fx_open(&fx);
	arrive(&fx, &in1, AT(0));
	offer_agent(&fx, &ag1, &in1, AT(1000));
	answer(&fx, &ag1, AT(3000));
	arrive(&fx, &in2, AT(3000));	/* the same millisecond, after */
	cancel(&fx, &in2, AT(9000));
	bye(&fx, &ag1, false, 2, AT(60000));
	bye(&fx, &in1, false, 2, AT(60010));
	assert_int_equal(end_of(&fx, in2.call_id)->previous,
	    PREVIOUS_ANSWERED);
	fx_close(&fx);

	/* Abandoned (short) before, and a third call: the latest counts. */
	fx_open(&fx);
	arrive(&fx, &in1, AT(0));
	cancel(&fx, &in1, AT(4999));
	feed(&fx, invite(&in2, NULL, AT(20000)));
	respond(&fx, &in2, 486, AT(20100));	/* blocked: never queued */
	assert_int_equal(end_of(&fx, in2.call_id)->outcome, OUTCOME_BLOCKED);
	assert_int_equal(end_of(&fx, in2.call_id)->previous,
	    PREVIOUS_SHORT_ABANDONED);
	fx_close(&fx);
}

static void
previous_contact_reaches_back_exactly_repeat_window_s(void **state)
{
	struct fixture	fx;

	(void)state;
	fx_open(&fx);
	first_call_answered(&fx, AT(60000));
	arrive(&fx, &in2, AT(3600000));		/* 3600 s after in-1 */
	cancel(&fx, &in2, AT(3610000));
	assert_int_equal(end_of(&fx, in2.call_id)->previous,
	    PREVIOUS_ANSWERED);
	assert_string_equal(end_of(&fx, in2.call_id)->previous_contact,
	    in1.call_id);
	fx_close(&fx);
	fx_open(&fx);
	first_call_answered(&fx, AT(60000));
	arrive(&fx, &in2, AT(3600001));
	cancel(&fx, &in2, AT(3610000));
	assert_false(end_of(&fx, in2.call_id)->repeat);
	assert_int_equal(end_of(&fx, in2.call_id)->previous, PREVIOUS_NONE);
	fx_close(&fx);
}

/*
 * The caller hangs up at 50 s while agent leg ag-1 is on hold (accepted at
 * 20 s); ag-1 ends at agent_end_us (the PBX relays the BYE), before or
 * after the caller's BYE is seen.
 */
static bool
caller_leaves_held_call(int64_t agent_end_us, bool agent_first, bool resumed)
{
	struct fixture	fx;
	bool		on_hold;

	fx_open(&fx);
	arrive(&fx, &in1, AT(0));
	offer_agent(&fx, &ag1, &in1, AT(1000));
	answer(&fx, &ag1, AT(3000));
	answer(&fx, &in1, AT(3010));
	offer(&fx, &ag1, 2, SDP_DIR_SENDONLY, AT(20000));
	if (resumed)
		offer(&fx, &ag1, 3, SDP_DIR_SENDRECV, AT(40000));
	if (agent_first)
		feed(&fx, msg(&ag1, SIP_BYE, 0, true, true, 2, agent_end_us));
	feed(&fx, msg(&in1, SIP_BYE, 0, true, true, 2, AT(50000)));
	if (!agent_first)
		feed(&fx, msg(&ag1, SIP_BYE, 0, true, true, 2, agent_end_us));
	feed(&fx, msg(&in1, SIP_BYE, SIP_OK, true, true, 2, AT(50100)));
	feed(&fx, msg(&ag1, SIP_BYE, SIP_OK, true, true, 2, AT(50100)));
	assert_int_equal(end_of(&fx, in1.call_id)->ended_by, PARTY_CALLER);
	on_hold = end_of(&fx, in1.call_id)->ended_on_hold;
	fx_close(&fx);
	return (on_hold);
}

static void
ended_on_hold_needs_the_held_leg_up_at_the_callers_bye(void **state)
{
	(void)state;
	assert_true(caller_leaves_held_call(AT(50020), false, false));
	/* Ending in the same millisecond counts as up, seen before the
	   caller's BYE or after it. */
	assert_true(caller_leaves_held_call(AT(50000), true, false));
	assert_true(caller_leaves_held_call(AT(50000) + 999, false, false));
	/* In the millisecond before: the leg was gone. */
	assert_false(caller_leaves_held_call(AT(50000) - 1, true, false));
	/* Resumed (accepted) before: no longer on hold. */
	assert_false(caller_leaves_held_call(AT(50020), false, true));
}

static void
ended_on_hold_needs_the_caller_to_end_the_call(void **state)
{
	struct fixture		 fx;
	const struct end	*e;

	(void)state;
	fx_open(&fx);
	arrive(&fx, &in1, AT(0));
	offer_agent(&fx, &ag1, &in1, AT(1000));
	answer(&fx, &ag1, AT(3000));
	answer(&fx, &in1, AT(3010));
	offer(&fx, &ag1, 2, SDP_DIR_SENDONLY, AT(20000));
	/* The agent hangs up the held call; the PBX ends the caller's leg. */
	bye(&fx, &ag1, false, 3, AT(50000));
	bye(&fx, &in1, false, 2, AT(50010));
	e = end_of(&fx, in1.call_id);
	assert_int_equal(e->ended_by, PARTY_AGENT);
	assert_false(e->ended_on_hold);
	fx_close(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rona_is_judged_against_the_end_of_the_inbound_leg),
		cmocka_unit_test(agent_declining_with_486_or_603_is_a_rona),
		cmocka_unit_test(refer_accepted_with_202_is_a_transfer_though_its_notify_fails),
		cmocka_unit_test(re_offer_of_the_same_hold_direction_is_no_new_hold),
		cmocka_unit_test(agent_invite_after_the_caller_left_is_no_attempt),
		cmocka_unit_test(anonymous_callers_are_never_matched_by_number_nor_repeat),
		cmocka_unit_test(privacy_id_with_an_asserted_identity_is_a_known_caller),
		cmocka_unit_test(target_of_an_internally_bridged_attended_transfer_is_invisible),
		cmocka_unit_test(previous_outcome_is_how_the_previous_call_stood_at_this_arrival),
		cmocka_unit_test(previous_contact_reaches_back_exactly_repeat_window_s),
		cmocka_unit_test(ended_on_hold_needs_the_held_leg_up_at_the_callers_bye),
		cmocka_unit_test(ended_on_hold_needs_the_caller_to_end_the_call),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
