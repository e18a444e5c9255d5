/* SPDX-License-Identifier: BSD-2-Clause */
/* test_record.c: the published JSON of DESIGN.md section 5, field by field. */

#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/decode.h"
#include "ccmetrics/ptime.h"
#include "ccmetrics/record.h"

#include "pipeline.h"

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
	"  headers: [X-CC-Inbound]\n"

static const struct dlg in1 = {
	"in-1@192.0.2.1", "tf1", "pbx1", TRUNK, PBX, "+15551230001", "5100",
	NULL, NULL
};
static const struct dlg ag1 = {
	"ag-1@10.0.0.10", "pf1", "ph1", PBX, AGENT1, "+15551230001", "1001",
	"in-1@192.0.2.1", NULL
};
static const struct dlg ag2 = {
	"ag-2@10.0.0.10", "pf2", "ph2", PBX, AGENT2, "+15551230001", "1002",
	"in-1@192.0.2.1", NULL
};

/* The members of line appear as keys in the order of the list. */
static void
expect_key_order(const char *line, const char *const *keys, size_t n)
{
	const char	*at = line, *next;
	char		 quoted[64];
	size_t		 i;

	for (i = 0; i < n; i++) {
		snprintf(quoted, sizeof quoted, "\"%s\":", keys[i]);
		if ((next = strstr(at, quoted)) == NULL)
			fail_msg("key %s missing or out of order (after %s) "
			    "in %s", keys[i], i > 0 ? keys[i - 1] : "{", line);
		at = next + strlen(quoted);
	}
}

static void
call_end_has_every_design_field_in_design_order(void **state)
{
	static const char *const keys[] = {
		"topic", "type", "v", "seq", "ts", "contact_id", "queue",
		"caller", "dnis", "arrival", "answered_at", "ended_at",
		"outcome", "ended_by", "wait_s", "talk_s", "hold_s",
		"handle_s", "holds", "transfers", "agent", "agents",
		"attempts", "rona", "repeat", "legs"
	};
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	send_invite(&p, &in1, AT(0));
	send_invite(&p, &ag1, AT(1000));
	send_resp(&p, &ag1, 486, AT(3000));
	send_answered(&p, &ag2, AT(4000), AT(9000));
	send_offer(&p, &ag2, false, 1, SDP_DIR_SENDONLY, false, AT(20000));
	send_offer(&p, &ag2, false, 2, SDP_DIR_SENDRECV, false, AT(24500));
	send_bye(&p, &in1, true, 2, AT(69000));
	send_bye(&p, &ag2, true, 2, AT(69000));
	pipe_done(&p);
	expect_key_order(pipe_line(&p, "call.end.sales", 0), keys,
	    sizeof keys / sizeof keys[0]);
	o = pipe_get(&p, "call.end.sales", 0);
	expect_str(o, "type", "call.end");
	expect_int(o, "v", 1);
	expect_str(o, "ts", "2026-11-23T09:01:09.000Z");
	expect_str(o, "contact_id", "in-1@192.0.2.1");
	expect_str(o, "queue", "sales");
	expect_str(o, "caller", "+15551230001");
	expect_str(o, "dnis", "5100");
	expect_str(o, "arrival", "2026-11-23T09:00:00.000Z");
	expect_str(o, "answered_at", "2026-11-23T09:00:09.000Z");
	expect_str(o, "ended_at", "2026-11-23T09:01:09.000Z");
	expect_str(o, "outcome", "answered");
	expect_str(o, "ended_by", "caller");
	expect_num(o, "wait_s", 9.0);
	expect_num(o, "handle_s", 60.0);
	expect_num(o, "hold_s", 4.5);
	expect_num(o, "talk_s", 55.5);
	expect_int(o, "holds", 1);
	expect_int(o, "transfers", 0);
	expect_str(o, "agent", "1002");
	expect_strs(o, "agents", "1002");
	expect_int(o, "attempts", 2);
	expect_int(o, "rona", 1);
	expect_bool(o, "repeat", false);
	expect_strs(o, "legs", "in-1@192.0.2.1", "ag-1@10.0.0.10",
	    "ag-2@10.0.0.10");
	pipe_close(&p);
}

static void
unanswered_call_end_has_null_answer_and_agent_and_zero_durations(
    void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	send_invite(&p, &in1, AT(0));
	send_resp(&p, &in1, SIP_RINGING, AT(100));
	send_cancel(&p, &in1, AT(42000));
	pipe_done(&p);
	o = pipe_get(&p, "call.end.sales", 0);
	expect_null(o, "answered_at");
	expect_null(o, "agent");
	expect_strs(o, "agents", NULL);
	expect_num(o, "talk_s", 0);
	expect_num(o, "hold_s", 0);
	expect_num(o, "handle_s", 0);
	expect_int(o, "attempts", 0);
	expect_strs(o, "legs", "in-1@192.0.2.1");
	o = pipe_get(&p, "call.abandon.sales", 0);
	expect_str(o, "type", "call.abandon");
	expect_str(o, "ts", "2026-11-23T09:00:42.000Z");
	expect_str(o, "contact_id", "in-1@192.0.2.1");
	expect_str(o, "queue", "sales");
	expect_str(o, "caller", "+15551230001");
	expect_num(o, "wait_s", 42.0);
	expect_str(o, "outcome", "abandoned");
	pipe_close(&p);
}

static void
times_are_truncated_to_the_ms_and_durations_are_their_differences(
    void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	/* 0.000999 s and 12.001000 s: 12.001 apart as printed, though
	   only 12.000001 s apart in microseconds. */
	send_invite(&p, &in1, T0_US + 999);
	send_invite(&p, &ag1, T0_US + 1000);
	send_resp(&p, &ag1, SIP_OK, T0_US + 12001000);
	pipe_done(&p);
	o = pipe_get(&p, "call.arrive.sales", 0);
	expect_str(o, "arrival", "2026-11-23T09:00:00.000Z");
	expect_str(o, "ts", "2026-11-23T09:00:00.000Z");
	o = pipe_get(&p, "call.answer.sales", 0);
	expect_str(o, "ts", "2026-11-23T09:00:12.001Z");
	expect_num(o, "wait_s", 12.001);
	expect_num(o, "ring_s", 12.0);		/* 0.001 -> 12.001 */
	if (ptime_ms_between(T0_US + 999, T0_US + 12001000) != 12001)
		fail_msg("ptime_ms_between: expected 12001, got %lld",
		    (long long)ptime_ms_between(T0_US + 999,
		    T0_US + 12001000));
	pipe_close(&p);
}

static void
envelope_type_is_the_topic_without_its_queue_and_seq_counts_up_by_one(
    void **state)
{
	struct pipe	 p;
	json_t		*o;
	size_t		 i;

	(void)state;
	pipe_open(&p, YAML);
	send_invite(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(2000));
	send_bye(&p, &in1, true, 2, AT(4000));
	send_bye(&p, &ag1, true, 2, AT(4000));
	pipe_done(&p);
	/*
	 * Before the first rt.queue at 5 s: arrive, ring, answer, end: each
	 * once, in that order; between them the agent's state changes at
	 * 1 s (ringing) and 2 s (on_call), published once packet time has
	 * passed them (DESIGN.md 7).
	 */
	assert_int_equal(json_array_size(p.out), 6);
	expect_str(json_array_get(p.out, 0), "topic", "call.arrive.sales");
	expect_str(json_array_get(p.out, 1), "topic", "call.ring.sales");
	expect_str(json_array_get(p.out, 2), "topic", "agent.state.1001");
	expect_str(json_array_get(p.out, 3), "topic", "call.answer.sales");
	expect_str(json_array_get(p.out, 4), "topic", "agent.state.1001");
	expect_str(json_array_get(p.out, 5), "topic", "call.end.sales");
	json_array_foreach(p.out, i, o) {
		expect_int(o, "v", 1);
		expect_int(o, "seq", json_integer_value(json_object_get(
		    json_array_get(p.out, 0), "seq")) + (long long)i);
	}
	expect_str(json_array_get(p.out, 2), "type", "agent.state");
	expect_str(json_array_get(p.out, 1), "type", "call.ring");
	expect_int(json_array_get(p.out, 1), "attempt", 1);
	expect_str(json_array_get(p.out, 1), "agent", "1001");
	expect_str(json_array_get(p.out, 1), "leg", "ag-1@10.0.0.10");
	pipe_close(&p);
}

static void
leg_outside_any_contact_is_published_as_leg_end(void **state)
{
	static const char *const keys[] = {
		"topic", "type", "v", "seq", "ts", "call_id", "role", "caller",
		"dialed", "src", "src_port", "dst", "dst_port", "invite",
		"answered_at", "ended_at", "end_reason", "final_status",
		"partial"
	};
	struct pipe		 p;
	/* A DNIS of no queue, and a call from outside the trunks. */
	const struct dlg	 unmapped = { "un-1@192.0.2.1", "tu", "pu",
				    TRUNK, PBX, "+15550000007", "7777", NULL,
				    NULL };
	const struct dlg	 other = { "ot-1@198.51.100.7", "to", "po",
				    OFFNET, PBX, "bob", "5100", NULL, NULL };
	json_t			*o;

	(void)state;
	pipe_open(&p, YAML);
	send_invite(&p, &unmapped, AT(0));
	send_resp(&p, &unmapped, SIP_RINGING, AT(100));
	send_cancel(&p, &unmapped, AT(7000));
	send_invite(&p, &other, AT(8000));
	send_resp(&p, &other, 404, AT(8050));
	pipe_done(&p);
	assert_int_equal(pipe_count(&p, "leg.end"), 2);
	expect_key_order(pipe_line(&p, "leg.end", 0), keys,
	    sizeof keys / sizeof keys[0]);
	o = pipe_find(&p, "leg.end", "call_id", "un-1@192.0.2.1");
	expect_str(o, "type", "leg.end");
	expect_str(o, "ts", "2026-11-23T09:00:07.000Z");
	expect_str(o, "role", "inbound");
	expect_str(o, "caller", "+15550000007");
	expect_str(o, "dialed", "7777");
	expect_str(o, "src", "192.0.2.1");
	expect_int(o, "src_port", 5060);
	expect_str(o, "dst", "10.0.0.10");
	expect_str(o, "invite", "2026-11-23T09:00:00.000Z");
	expect_null(o, "answered_at");
	expect_str(o, "ended_at", "2026-11-23T09:00:07.000Z");
	expect_str(o, "end_reason", "cancel");
	expect_bool(o, "partial", false);
	o = pipe_find(&p, "leg.end", "call_id", "ot-1@198.51.100.7");
	expect_str(o, "role", "other");
	expect_str(o, "end_reason", "rejected");
	expect_int(o, "final_status", 404);
	expect_str(o, "src", "198.51.100.7");
	assert_int_equal(pipe_count(&p, "call.arrive.sales"), 0);
	pipe_close(&p);
}

static void
hold_resume_and_transfer_events_carry_their_fields(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	send_invite(&p, &in1, AT(0));
	send_answered(&p, &ag1, AT(1000), AT(2000));
	send_offer(&p, &ag1, false, 1, SDP_DIR_SENDONLY, false, AT(3000));
	send_offer(&p, &ag1, false, 2, SDP_DIR_SENDRECV, false, AT(4000));
	send_refer(&p, &ag1, false, 3, "<sip:2000@10.0.0.10>", NULL,
	    SIP_ACCEPTED, AT(5000));
	send_bye(&p, &ag1, false, 4, AT(5100));
	send_bye(&p, &in1, true, 2, AT(6000));
	pipe_done(&p);
	o = pipe_get(&p, "call.hold.sales", 0);
	expect_str(o, "type", "call.hold");
	/* Published at the 200, stamped with the hold's start: the
	   re-INVITE's time (DESIGN.md 3.3). */
	expect_str(o, "ts", "2026-11-23T09:00:03.000Z");
	expect_str(o, "contact_id", "in-1@192.0.2.1");
	expect_str(o, "agent", "1001");
	expect_str(o, "leg", "ag-1@10.0.0.10");
	o = pipe_get(&p, "call.resume.sales", 0);
	expect_str(o, "ts", "2026-11-23T09:00:04.000Z");
	o = pipe_get(&p, "call.transfer.sales", 0);
	expect_str(o, "type", "call.transfer");
	expect_str(o, "agent", "1001");
	expect_str(o, "kind", "blind");
	expect_str(o, "refer_to", "<sip:2000@10.0.0.10>");
	expect_str(o, "leg", "ag-1@10.0.0.10");
	pipe_close(&p);
}

static void
interval_queue_object_is_stamped_at_its_end(void **state)
{
	struct pipe	 p;
	json_t		*o;

	(void)state;
	pipe_open(&p, YAML);
	pipe_tick(&p, ATS(1));
	pipe_flush(&p, ATS(2));
	pipe_done(&p);
	o = pipe_get(&p, "interval.queue.sales", 0);
	expect_str(o, "type", "interval.queue");
	expect_str(o, "ts", "2026-11-23T09:15:00.000Z");
	expect_str(o, "start", "2026-11-23T09:00:00.000Z");
	expect_str(o, "end", "2026-11-23T09:15:00.000Z");
	expect_int(o, "interval_s", 900);
	expect_str(o, "queue", "sales");
	pipe_close(&p);
}

/*
 * stats: every counter, nested objects included, each with its own value
 * (one past 2^32), in the order and with the bytes the jansson tree wrote
 * before jsonw did (this test passed with both); the publish.nats
 * counters only with NATS on; absent stages' counters are zeros.
 */
static void
stats_has_every_counter_in_its_order(void **state)
{
	static const char want_full[] =
	    "\"packets\":5000000001,\"pcap_drops\":2,\"pcap_ifdrops\":3,"
	    "\"decode\":{\"payloads\":11,\"truncated\":12,\"bad_link\":13,"
	    "\"bad_ip\":14,\"not_sip_port\":15,\"other_proto\":16,"
	    "\"ipfrag\":{\"fragments\":21,\"reassembled\":22,"
	    "\"duplicates\":23,\"overlaps\":24,\"bad\":25,\"timeouts\":26,"
	    "\"evicted\":27,\"pending\":28,\"pending_bytes\":29},"
	    "\"tcp\":{\"segments\":31,\"messages\":32,\"keepalives\":33,"
	    "\"retransmitted\":34,\"overlaps\":35,\"out_of_order\":36,"
	    "\"gaps\":37,\"out_of_window\":38,\"oversize\":39,"
	    "\"discarded_bytes\":40,\"evicted\":41,\"expired\":42,"
	    "\"streams\":43,\"buffered_bytes\":44},"
	    "\"hep\":{\"packets\":51,\"payloads\":52,\"bad\":53,"
	    "\"not_sip\":54}},"
	    "\"hep_listen\":{\"packets\":61,\"payloads\":62,\"bad\":63,"
	    "\"not_sip\":64,\"refused\":65,\"kernel_drops\":66},"
	    "\"time\":{\"held\":71,\"jumps\":72,\"steps_back\":73},"
	    "\"sip\":{\"messages\":81,\"keepalives\":82,\"parse_errors\":83,"
	    "\"missing_fields\":84,\"ignored_methods\":85},"
	    "\"legs\":{\"open\":101,\"created\":102,\"retransmissions\":103,"
	    "\"orphans\":104,\"orphans_held\":105,\"orphans_replayed\":106,"
	    "\"partial\":107,\"rehops\":108,\"expired\":109,\"evicted\":110,"
	    "\"agent_user_mismatch\":111,\"bye_tags_mismatch\":112,"
	    "\"bye_481\":113,\"ended_dialog_requests\":114,"
	    "\"partial_unconfirmed\":115},"
	    "\"contacts\":{\"open\":121,\"created\":122,\"unmapped\":123,"
	    "\"agent_by_header\":124,\"agent_by_replaces\":125,"
	    "\"agent_by_caller\":126,\"agent_unmatched\":127,"
	    "\"agent_ambiguous\":128,\"agent_without_header\":129,"
	    "\"callers\":130,\"callers_evicted\":131},"
	    "\"intervals\":{\"late_events\":141,\"queues\":142,"
	    "\"agents\":143},"
	    "\"agents\":{\"agents\":151,\"created\":152,\"evicted\":153,"
	    "\"bindings\":154,\"registers\":155,\"register_ok\":156,"
	    "\"register_challenged\":157,\"register_ignored\":158,"
	    "\"register_unmatched\":159,\"bindings_dropped\":160,"
	    "\"feature_codes\":161,\"feature_codes_ignored\":162,"
	    "\"feature_code_messages\":163},"
	    "\"publish\":{\"sent\":171,\"zmq_dropped\":172,"
	    "\"zmq_overflows\":173,\"zmq_refused\":174,\"jsonl_lost\":175,"
	    "\"zmq_flooded\":176,\"nats_published\":181,"
	    "\"nats_duplicates\":182,\"nats_dropped\":183,"
	    "\"nats_rejected\":184,\"nats_errors\":185,"
	    "\"nats_reconnects\":186,\"nats_pending\":187,"
	    "\"nats_connected\":true}}";
	static const char want_zeros[] =
	    "\"hep_listen\":{\"packets\":0,\"payloads\":0,\"bad\":0,"
	    "\"not_sip\":0,\"refused\":0,\"kernel_drops\":0},"
	    "\"time\":{\"held\":0,\"jumps\":0,\"steps_back\":0},";
	static const char want_publish_off[] =
	    "\"publish\":{\"sent\":171,\"zmq_dropped\":172,"
	    "\"zmq_overflows\":173,\"zmq_refused\":174,\"jsonl_lost\":175,"
	    "\"zmq_flooded\":176}}";
	struct pipe		 p;
	struct record_counters	 rc;
	struct decode_stats	 d;
	struct hep_stats	 hl;
	struct timegate_stats	 t;
	struct sip_stats	 s;
	struct leg_stats	 l;
	struct contact_stats	 c;
	struct interval_stats	 iv;
	struct agent_stats	 a;
	struct publish_stats	 pb;
	const char		*line, *at;

	(void)state;
	memset(&rc, 0, sizeof rc);
	rc.capture = (struct capture_stats){ 5000000001ULL, 2, 3 };
	memset(&d, 0, sizeof d);
	d.payloads = 11; d.truncated = 12; d.bad_link = 13; d.bad_ip = 14;
	d.not_sip_port = 15; d.other_proto = 16;
	d.ipfrag.fragments = 21; d.ipfrag.reassembled = 22;
	d.ipfrag.duplicates = 23; d.ipfrag.overlaps = 24; d.ipfrag.bad = 25;
	d.ipfrag.timeouts = 26; d.ipfrag.evicted = 27; d.ipfrag.pending = 28;
	d.ipfrag.pending_bytes = 29;
	d.tcp.segments = 31; d.tcp.messages = 32; d.tcp.keepalives = 33;
	d.tcp.retransmitted = 34; d.tcp.overlaps = 35;
	d.tcp.out_of_order = 36; d.tcp.gaps = 37; d.tcp.out_of_window = 38;
	d.tcp.oversize = 39; d.tcp.discarded_bytes = 40; d.tcp.evicted = 41;
	d.tcp.expired = 42; d.tcp.streams = 43; d.tcp.buffered_bytes = 44;
	/* The capture's HEP has no listener counters: not written there. */
	d.hep = (struct hep_stats){ 51, 52, 53, 54, 55, 56 };
	hl = (struct hep_stats){ 61, 62, 63, 64, 65, 66 };
	memset(&t, 0, sizeof t);
	t.held = 71; t.jumps = 72; t.steps_back = 73;
	memset(&s, 0, sizeof s);
	s.messages = 81; s.keepalives = 82; s.parse_errors = 83;
	s.missing_fields = 84; s.ignored_methods = 85;
	memset(&l, 0, sizeof l);
	l.open = 101; l.created = 102; l.retransmissions = 103;
	l.orphans = 104; l.orphans_held = 105; l.orphans_replayed = 106;
	l.partial = 107; l.rehops = 108; l.expired = 109; l.evicted = 110;
	l.agent_user_mismatch = 111; l.bye_tags_mismatch = 112;
	l.bye_481 = 113; l.ended_dialog_requests = 114;
	l.partial_unconfirmed = 115;
	memset(&c, 0, sizeof c);
	c.open = 121; c.created = 122; c.unmapped = 123;
	c.agent_by_header = 124; c.agent_by_replaces = 125;
	c.agent_by_caller = 126; c.agent_unmatched = 127;
	c.agent_ambiguous = 128; c.agent_without_header = 129;
	c.callers = 130; c.callers_evicted = 131;
	memset(&iv, 0, sizeof iv);
	iv.late_events = 141; iv.queues = 142; iv.agents = 143;
	memset(&a, 0, sizeof a);
	a.agents = 151; a.created = 152; a.evicted = 153; a.bindings = 154;
	a.registers = 155; a.register_ok = 156; a.register_challenged = 157;
	a.register_ignored = 158; a.register_unmatched = 159;
	a.bindings_dropped = 160; a.feature_codes = 161;
	a.feature_codes_ignored = 162; a.feature_code_messages = 163;
	memset(&pb, 0, sizeof pb);
	pb.sent = 171; pb.zmq_dropped = 172; pb.zmq_overflows = 173;
	pb.zmq_refused = 174; pb.jsonl_lost = 175; pb.zmq_flooded = 176;
	pb.nats = 1;
	pb.nats_st.published = 181; pb.nats_st.duplicates = 182;
	pb.nats_st.dropped = 183; pb.nats_st.rejected = 184;
	pb.nats_st.errors = 185; pb.nats_st.reconnects = 186;
	pb.nats_st.pending = 187; pb.nats_st.connected = 1;
	rc.decode = &d;
	rc.hep_listen = &hl;
	rc.time = &t;
	rc.sip = &s;
	rc.leg = &l;
	rc.contact = &c;
	rc.interval = &iv;
	rc.agent = &a;
	rc.publish = &pb;

	pipe_open(&p, YAML);
	record_stats(p.pub, AT(1), &rc);
	rc.hep_listen = NULL;
	rc.time = NULL;
	rc.agent = NULL;
	pb.nats = 0;
	record_stats(p.pub, AT(2), &rc);
	pipe_done(&p);
	assert_int_equal((int)pipe_count(&p, "stats"), 2);
	/* All of it after the envelope, byte for byte. */
	line = pipe_line(&p, "stats", 0);
	at = strstr(line, "\"ts\":\"2026-11-23T09:00:00.001Z\",");
	assert_non_null(at);
	assert_string_equal(at + strlen("\"ts\":\"2026-11-23T09:00:00.001Z\","),
	    want_full);
	line = pipe_line(&p, "stats", 1);
	assert_non_null(strstr(line, want_zeros));
	assert_non_null(strstr(line, "\"agents\":{\"agents\":0,\"created\":0,"));
	at = strstr(line, "\"publish\":");
	assert_non_null(at);
	assert_string_equal(at, want_publish_off);
	pipe_close(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(call_end_has_every_design_field_in_design_order),
		cmocka_unit_test(
		    unanswered_call_end_has_null_answer_and_agent_and_zero_durations),
		cmocka_unit_test(
		    times_are_truncated_to_the_ms_and_durations_are_their_differences),
		cmocka_unit_test(
		    envelope_type_is_the_topic_without_its_queue_and_seq_counts_up_by_one),
		cmocka_unit_test(leg_outside_any_contact_is_published_as_leg_end),
		cmocka_unit_test(
		    hold_resume_and_transfer_events_carry_their_fields),
		cmocka_unit_test(interval_queue_object_is_stamped_at_its_end),
		cmocka_unit_test(stats_has_every_counter_in_its_order),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
