/* SPDX-License-Identifier: BSD-2-Clause */
/* test_sipmsg.c: unit tests of the SIP stage: a payload in, a sip_msg out. */

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
#include <unistd.h>

#include <cmocka.h>

#include "ccmetrics/sip.h"

#define TS_US		1795424400123456LL	/* 2026-11-23T09:00:00.123456Z */
#define MSG_MAX		4096
#define SINK_MAX	8

/* What the sink saw: copies, since the stage reuses its sip_msg. */
struct sink {
	size_t		n;
	struct sip_msg	msgs[SINK_MAX];
};

struct fixture {
	struct sip_parser	*sp;
	struct sink		 sink;
};

/* Every test runs twice: header-by-header parse on, then off. */
static bool	fast_parse = true;

static void
collect(const struct sip_msg *m, void *arg)
{
	struct sink	*s = arg;

	assert_true(s->n < SINK_MAX);
	s->msgs[s->n++] = *m;
}

static int
setup(void **state)
{
	static char	*headers[] = { "X-CC-Inbound", "X-CC-Queue" };
	struct fixture	*fx;

	fx = calloc(1, sizeof *fx);
	if (fx == NULL)
		return (-1);
	fx->sp = sipmsg_create(headers, 2, collect, &fx->sink);
	sipmsg_set_fast(fx->sp, fast_parse);
	*state = fx;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	sipmsg_free(fx->sp);
	free(fx);
	return (0);
}

/* Hand len bytes of text to the stage as one UDP payload 192.0.2.1 -> .10. */
static void
feed_len(struct fixture *fx, const char *text, size_t len)
{
	struct payload	pl;

	memset(&pl, 0, sizeof pl);
	pl.ts_us = TS_US;
	assert_int_equal(addr_parse("192.0.2.1", &pl.src.ip), 0);
	pl.src.port = 5060;
	assert_int_equal(addr_parse("10.0.0.10", &pl.dst.ip), 0);
	pl.dst.port = 5080;
	pl.transport = DECODE_UDP;
	pl.data = (const uint8_t *)text;
	pl.len = len;
	sipmsg_input(fx->sp, &pl);
}

static void
feed(struct fixture *fx, const char *text)
{
	feed_len(fx, text, strlen(text));
}

/* Feed text and return the one message it must have produced. */
static const struct sip_msg *
parse(struct fixture *fx, const char *text)
{
	size_t	before = fx->sink.n;

	feed(fx, text);
	assert_int_equal(fx->sink.n, before + 1);
	return (&fx->sink.msgs[before]);
}

/* headers (CRLF-terminated lines) + Content-Type/Length + body, into buf. */
static const char *
with_body(char *buf, size_t size, const char *headers, const char *ctype,
    const char *body)
{
	int	n;

	n = snprintf(buf, size, "%sContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "\r\n%s", headers, ctype, strlen(body), body);
	assert_true(n > 0 && (size_t)n < size);
	return (buf);
}

/* A re-INVITE carrying body as SDP. */
static const struct sip_msg *
parse_sdp_invite(struct fixture *fx, const char *body)
{
	char	buf[MSG_MAX];

	return (parse(fx, with_body(buf, sizeof buf,
	    "INVITE sip:1001@10.1.0.5:5060 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-re1\r\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "Call-ID: agentleg-1@10.0.0.10\r\n"
	    "CSeq: 2 INVITE\r\n",
	    "application/sdp", body)));
}

#define INVITE \
	"INVITE sip:+18005550100@10.0.0.10:5060;user=phone SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-top;rport\r\n" \
	"Via: SIP/2.0/UDP 192.0.2.200:5060;branch=z9hG4bK-second\r\n" \
	"Max-Forwards: 70\r\n" \
	"From: \"Alice\" <sip:+15551234567@192.0.2.1>;tag=from-1\r\n" \
	"To: <sip:+18005550100@10.0.0.10>\r\n" \
	"Call-ID: 3848276298220188511@192.0.2.1\r\n" \
	"CSeq: 101 INVITE\r\n" \
	"Contact: <sip:+15551234567@192.0.2.1:5060>\r\n" \
	"P-Asserted-Identity: \"Alice A\" <sip:+15550001111@carrier.example>\r\n" \
	"Content-Length: 0\r\n" \
	"\r\n"

#define RINGING \
	"SIP/2.0 180 Ringing\r\n" \
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-top\r\n" \
	"From: <sip:+15551234567@192.0.2.1>;tag=from-1\r\n" \
	"To: <sip:+18005550100@10.0.0.10>;tag=to-9\r\n" \
	"Call-ID: 3848276298220188511@192.0.2.1\r\n" \
	"CSeq: 101 INVITE\r\n" \
	"Content-Length: 0\r\n" \
	"\r\n"

static void
invite_gives_method_cseq_and_no_status(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m = parse(fx, INVITE);

	assert_true(m->is_request);
	assert_int_equal(m->method, SIP_INVITE);
	assert_int_equal(m->status, 0);
	assert_int_equal(m->cseq, 101);
	assert_int_equal(sipmsg_get_stats(fx->sp)->messages, 1);
}

static void
payload_time_addresses_and_transport_are_carried_over(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m = parse(fx, INVITE);
	struct addr		 src, dst;

	assert_int_equal(addr_parse("192.0.2.1", &src), 0);
	assert_int_equal(addr_parse("10.0.0.10", &dst), 0);
	assert_int_equal(m->ts_us, TS_US);
	assert_true(addr_equal(&m->src.ip, &src));
	assert_int_equal(m->src.port, 5060);
	assert_true(addr_equal(&m->dst.ip, &dst));
	assert_int_equal(m->dst.port, 5080);
	assert_int_equal(m->transport, DECODE_UDP);
}

static void
response_takes_its_method_from_cseq(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;

	m = parse(fx, RINGING);
	assert_false(m->is_request);
	assert_int_equal(m->status, 180);
	assert_int_equal(m->method, SIP_INVITE);
	assert_int_equal(m->cseq, 101);

	m = parse(fx,
	    "SIP/2.0 202 Accepted\r\n"
	    "Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-ref\r\n"
	    "From: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "To: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "Call-ID: agentleg-1@10.0.0.10\r\n"
	    "CSeq: 7 REFER\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_false(m->is_request);
	assert_int_equal(m->status, 202);
	assert_int_equal(m->method, SIP_REFER);
	assert_int_equal(m->cseq, 7);

	m = parse(fx,
	    "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-upd\r\n"
	    "From: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "To: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "Call-ID: agentleg-1@10.0.0.10\r\n"
	    "CSeq: 4294967295 UPDATE\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_int_equal(m->status, 200);
	assert_int_equal(m->method, SIP_UPDATE);
	assert_int_equal(m->cseq, 4294967295U);
}

static void
every_tracked_request_method_is_named(void **state)
{
	static const struct {
		const char	*name;
		enum sip_method	 method;
	} methods[] = {
		{ "INVITE", SIP_INVITE }, { "ACK", SIP_ACK },
		{ "BYE", SIP_BYE }, { "CANCEL", SIP_CANCEL },
		{ "UPDATE", SIP_UPDATE }, { "REFER", SIP_REFER },
		{ "NOTIFY", SIP_NOTIFY }, { "PRACK", SIP_PRACK },
		{ "FOO", SIP_METHOD_OTHER },
	};
	struct fixture		*fx = *state;
	const struct sip_msg	*m;
	char			 buf[MSG_MAX];
	size_t			 i;

	for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		fx->sink.n = 0;
		snprintf(buf, sizeof buf,
		    "%s sip:1001@10.1.0.5 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-%zu\r\n"
		    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
		    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
		    "Call-ID: agentleg-1@10.0.0.10\r\n"
		    "CSeq: %zu %s\r\n"
		    "Content-Length: 0\r\n"
		    "\r\n", methods[i].name, i, i + 1, methods[i].name);
		m = parse(fx, buf);
		assert_string_equal(m->call_id, "agentleg-1@10.0.0.10");
		assert_int_equal(m->method, methods[i].method);
		assert_int_equal(m->cseq, i + 1);
	}
}

static void
call_id_keeps_its_host_after_the_at_sign(void **state)
{
	struct fixture	*fx = *state;

	assert_string_equal(parse(fx, INVITE)->call_id,
	    "3848276298220188511@192.0.2.1");
}

static void
call_id_without_host_is_kept_whole(void **state)
{
	struct fixture	*fx = *state;

	assert_string_equal(parse(fx,
	    "BYE sip:+15551234567@192.0.2.1:5060 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-bye\r\n"
	    "From: <sip:+18005550100@10.0.0.10>;tag=to-9\r\n"
	    "To: <sip:+15551234567@192.0.2.1>;tag=from-1\r\n"
	    "Call-ID: a84b4c76e66710-no-host\r\n"
	    "CSeq: 1 BYE\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n")->call_id, "a84b4c76e66710-no-host");
}

static void
from_and_to_users_and_tags_are_extracted(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;

	m = parse(fx, INVITE);
	assert_string_equal(m->from_user, "+15551234567");
	assert_string_equal(m->from_tag, "from-1");
	assert_string_equal(m->to_user, "+18005550100");
	assert_string_equal(m->to_tag, "");

	m = parse(fx, RINGING);
	assert_string_equal(m->from_tag, "from-1");
	assert_string_equal(m->to_tag, "to-9");
}

static void
request_uri_user_is_extracted_and_empty_in_responses(void **state)
{
	struct fixture	*fx = *state;

	assert_string_equal(parse(fx, INVITE)->ruri_user, "+18005550100");
	assert_string_equal(parse(fx, RINGING)->ruri_user, "");
}

static void
p_asserted_identity_user_is_extracted(void **state)
{
	struct fixture	*fx = *state;

	assert_string_equal(parse(fx, INVITE)->pai_user, "+15550001111");
	assert_string_equal(parse(fx, RINGING)->pai_user, "");
}

static void
privacy_id_is_found_among_the_privacy_values(void **state)
{
	struct fixture	*fx = *state;
	static const struct {
		const char	*header;
		bool		 id;
	} cases[] = {
		{ "Privacy: id\r\n", true },
		{ "Privacy: header;id\r\n", true },
		{ "Privacy: user ; ID ; critical\r\n", true },
		{ "privacy: none\r\n", false },
		{ "Privacy: idx;header\r\n", false },
		{ "Privacy: history\r\n", false },
		{ "", false },
	};
	char		buf[MSG_MAX];
	size_t		i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(buf, sizeof buf,
		    "INVITE sip:+18005550100@10.0.0.10 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-pr%zu\r\n"
		    "From: \"Anonymous\" <sip:anonymous@anonymous.invalid>"
		    ";tag=f%zu\r\n"
		    "To: <sip:+18005550100@10.0.0.10>\r\n"
		    "Call-ID: privacy-%zu@192.0.2.1\r\n"
		    "CSeq: 1 INVITE\r\n"
		    "%s"
		    "Content-Length: 0\r\n"
		    "\r\n", i, i, i, cases[i].header);
		fx->sink.n = 0;		/* the sink holds SINK_MAX */
		if (parse(fx, buf)->privacy_id != cases[i].id)
			fail_msg("\"%s\": privacy_id %d", cases[i].header,
			    !cases[i].id);
	}
}

static void
tel_uris_give_their_number_as_user(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;

	/* RFC 3325 9.1: a tel URI in P-Asserted-Identity is common. */
	m = parse(fx,
	    "INVITE tel:+18005550100 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-tel\r\n"
	    "From: <tel:+15551234567;phone-context=example.com>;tag=f\r\n"
	    "To: <tel:+18005550100>\r\n"
	    "Call-ID: tel-1@192.0.2.1\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "P-Asserted-Identity: <tel:+15550001111>\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_string_equal(m->ruri_user, "+18005550100");
	assert_string_equal(m->from_user, "+15551234567");
	assert_string_equal(m->from_tag, "f");
	assert_string_equal(m->to_user, "+18005550100");
	assert_string_equal(m->pai_user, "+15550001111");
}

static void
top_via_branch_is_extracted(void **state)
{
	struct fixture	*fx = *state;

	assert_string_equal(parse(fx, INVITE)->branch, "z9hG4bK-top");
	/* Two Via values in one header line: the first is the top one. */
	assert_string_equal(parse(fx,
	    "ACK sip:+18005550100@10.0.0.10 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-a1, "
	    "SIP/2.0/UDP 192.0.2.200;branch=z9hG4bK-a2\r\n"
	    "From: <sip:+15551234567@192.0.2.1>;tag=from-1\r\n"
	    "To: <sip:+18005550100@10.0.0.10>;tag=to-9\r\n"
	    "Call-ID: 3848276298220188511@192.0.2.1\r\n"
	    "CSeq: 101 ACK\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n")->branch, "z9hG4bK-a1");
}

static void
correlation_headers_by_index_with_case_insensitive_names(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;
	size_t			 i;

	m = parse(fx,
	    "INVITE sip:1001@10.1.0.5:5060 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-ag\r\n"
	    "From: <sip:+15551234567@10.0.0.10>;tag=pbx7\r\n"
	    "To: <sip:1001@10.1.0.5>\r\n"
	    "Call-ID: agentleg-7@10.0.0.10\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "x-cc-queue: sales\r\n"
	    "X-CC-INBOUND: 3848276298220188511@192.0.2.1\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_string_equal(m->corr[0], "3848276298220188511@192.0.2.1");
	assert_string_equal(m->corr[1], "sales");
	for (i = 2; i < SIP_MAX_CORR; i++)
		assert_string_equal(m->corr[i], "");
}

static void
absent_correlation_header_is_empty(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m = parse(fx, INVITE);

	assert_string_equal(m->corr[0], "");
	assert_string_equal(m->corr[1], "");
}

static void
reloaded_correlation_header_names_take_effect(void **state)
{
	static char		*names[] = { "X-Genesys-Inbound" };
	struct fixture		*fx = *state;
	const struct sip_msg	*m;

	sipmsg_set_headers(fx->sp, names, 1);
	m = parse(fx,
	    "INVITE sip:1001@10.1.0.5:5060 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-ag\r\n"
	    "From: <sip:+15551234567@10.0.0.10>;tag=pbx7\r\n"
	    "To: <sip:1001@10.1.0.5>\r\n"
	    "Call-ID: agentleg-7@10.0.0.10\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "X-CC-Inbound: old-name@192.0.2.1\r\n"
	    "X-CC-Queue: sales\r\n"
	    "X-Genesys-Inbound: new-name@192.0.2.1\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_string_equal(m->corr[0], "new-name@192.0.2.1");
	assert_string_equal(m->corr[1], "");
}

static void
refer_to_with_escaped_replaces_gives_its_call_id(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;

	m = parse(fx,
	    "REFER sip:5100@10.0.0.10 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-ref\r\n"
	    "From: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "To: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "Call-ID: agentleg-1@10.0.0.10\r\n"
	    "CSeq: 7 REFER\r\n"
	    "Refer-To: <sip:1002@10.0.0.10?Replaces=abc%40host%3Bto-tag%3D1"
	    "%3Bfrom-tag%3D2>\r\n"
	    "Referred-By: <sip:1001@10.1.0.5>\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_int_equal(m->method, SIP_REFER);
	assert_string_equal(m->refer_to, "<sip:1002@10.0.0.10?Replaces="
	    "abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>");
	assert_string_equal(m->replaces_call_id, "abc@host");
}

static void
blind_refer_to_has_no_replaces(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;

	/* Compact Refer-To (r, RFC 3515 7.1). */
	m = parse(fx,
	    "REFER sip:5100@10.0.0.10 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-ref2\r\n"
	    "From: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "To: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "Call-ID: agentleg-1@10.0.0.10\r\n"
	    "CSeq: 8 REFER\r\n"
	    "r: <sip:1002@10.0.0.10>\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_string_equal(m->refer_to, "<sip:1002@10.0.0.10>");
	assert_string_equal(m->replaces_call_id, "");
}

static void
replaces_header_on_an_invite_gives_its_call_id(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;

	m = parse(fx,
	    "INVITE sip:1002@10.0.0.10 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-rep\r\n"
	    "From: <sip:1001@10.1.0.5>;tag=ph9\r\n"
	    "To: <sip:1002@10.0.0.10>\r\n"
	    "Call-ID: consult-2@10.1.0.5\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "Replaces: 425928@bobster.example.org;to-tag=7743;"
	    "from-tag=6472\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_string_equal(m->replaces_call_id, "425928@bobster.example.org");
	assert_string_equal(m->refer_to, "");
}

static void
reason_header_is_copied_whole(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;

	m = parse(fx,
	    "CANCEL sip:1001@10.1.0.5:5060 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-ag\r\n"
	    "From: <sip:+15551234567@10.0.0.10>;tag=pbx7\r\n"
	    "To: <sip:1001@10.1.0.5>\r\n"
	    "Call-ID: agentleg-7@10.0.0.10\r\n"
	    "CSeq: 1 CANCEL\r\n"
	    "Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_int_equal(m->method, SIP_CANCEL);
	assert_string_equal(m->reason,
	    "SIP;cause=200;text=\"Call completed elsewhere\"");
	assert_string_equal(parse(fx, INVITE)->reason, "");
}

static void
compact_headers_are_understood(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;
	const char		 sdp[] = "v=0\r\no=- 1 2 IN IP4 10.1.0.5\r\n"
				    "s=-\r\nc=IN IP4 10.1.0.5\r\nt=0 0\r\n"
				    "m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n";
	char			 buf[MSG_MAX];

	snprintf(buf, sizeof buf,
	    "INVITE sip:5100@10.0.0.10 SIP/2.0\r\n"
	    "v: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-cmp\r\n"
	    "f: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "t: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "i: compact-1@10.1.0.5\r\n"
	    "CSeq: 3 INVITE\r\n"
	    "c: application/sdp\r\n"
	    "l: %zu\r\n"
	    "\r\n%s", strlen(sdp), sdp);
	m = parse(fx, buf);
	assert_string_equal(m->call_id, "compact-1@10.1.0.5");
	assert_string_equal(m->from_user, "1001");
	assert_string_equal(m->from_tag, "ph1");
	assert_string_equal(m->to_user, "5100");
	assert_string_equal(m->to_tag, "pbx1");
	assert_string_equal(m->branch, "z9hG4bK-cmp");
	assert_true(m->has_sdp);
	assert_int_equal(m->sdp_dir, SDP_DIR_SENDONLY);
}

static void
sdp_session_level_direction_applies_to_the_audio_stream(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;

	m = parse_sdp_invite(fx,
	    "v=0\r\no=- 1 2 IN IP4 10.0.0.10\r\ns=-\r\n"
	    "c=IN IP4 10.0.0.10\r\nt=0 0\r\na=sendonly\r\n"
	    "m=audio 10000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n");
	assert_true(m->has_sdp);
	assert_int_equal(m->sdp_dir, SDP_DIR_SENDONLY);
	assert_false(m->sdp_c_zero);
}

static void
sdp_media_level_direction_overrides_the_session_level(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;

	m = parse_sdp_invite(fx,
	    "v=0\r\no=- 1 2 IN IP4 10.0.0.10\r\ns=-\r\n"
	    "c=IN IP4 10.0.0.10\r\nt=0 0\r\na=sendonly\r\n"
	    "m=audio 10000 RTP/AVP 0\r\na=sendrecv\r\n");
	assert_int_equal(m->sdp_dir, SDP_DIR_SENDRECV);

	m = parse_sdp_invite(fx,
	    "v=0\r\no=- 1 2 IN IP4 10.0.0.10\r\ns=-\r\n"
	    "c=IN IP4 10.0.0.10\r\nt=0 0\r\na=sendrecv\r\n"
	    "m=audio 10000 RTP/AVP 0\r\na=inactive\r\n");
	assert_int_equal(m->sdp_dir, SDP_DIR_INACTIVE);
}

static void
sdp_each_direction_and_none_are_told_apart(void **state)
{
	static const struct {
		const char	*attr;
		enum sdp_dir	 dir;
	} cases[] = {
		{ "a=sendonly\r\n", SDP_DIR_SENDONLY },
		{ "a=recvonly\r\n", SDP_DIR_RECVONLY },
		{ "a=inactive\r\n", SDP_DIR_INACTIVE },
		{ "a=sendrecv\r\n", SDP_DIR_SENDRECV },
		{ "a=ptime:20\r\n", SDP_DIR_NONE },
		{ "", SDP_DIR_NONE },
	};
	struct fixture		*fx = *state;
	const struct sip_msg	*m;
	char			 body[512];
	size_t			 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fx->sink.n = 0;
		snprintf(body, sizeof body,
		    "v=0\r\no=- 1 2 IN IP4 10.0.0.10\r\ns=-\r\n"
		    "c=IN IP4 10.0.0.10\r\nt=0 0\r\n"
		    "m=audio 10000 RTP/AVP 0\r\n%s", cases[i].attr);
		m = parse_sdp_invite(fx, body);
		assert_true(m->has_sdp);
		assert_int_equal(m->sdp_dir, cases[i].dir);
		assert_false(m->sdp_c_zero);
	}
}

static void
sdp_connection_0_0_0_0_is_the_rfc_2543_hold(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;

	m = parse_sdp_invite(fx,
	    "v=0\r\no=- 1 2 IN IP4 10.0.0.10\r\ns=-\r\n"
	    "c=IN IP4 0.0.0.0\r\nt=0 0\r\n"
	    "m=audio 10000 RTP/AVP 0\r\n");
	assert_true(m->sdp_c_zero);
	assert_int_equal(m->sdp_dir, SDP_DIR_NONE);

	/* The media-level c= overrides the session-level one, both ways. */
	m = parse_sdp_invite(fx,
	    "v=0\r\no=- 1 2 IN IP4 10.0.0.10\r\ns=-\r\n"
	    "c=IN IP4 10.0.0.10\r\nt=0 0\r\n"
	    "m=audio 10000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n");
	assert_true(m->sdp_c_zero);
	m = parse_sdp_invite(fx,
	    "v=0\r\no=- 1 2 IN IP4 10.0.0.10\r\ns=-\r\n"
	    "c=IN IP4 0.0.0.0\r\nt=0 0\r\n"
	    "m=audio 10000 RTP/AVP 0\r\nc=IN IP4 10.0.0.10\r\n");
	assert_false(m->sdp_c_zero);
}

static void
body_that_is_not_sdp_is_no_sdp(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;
	char			 buf[MSG_MAX];

	m = parse(fx, with_body(buf, sizeof buf,
	    "NOTIFY sip:1001@10.1.0.5 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-n\r\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "Call-ID: agentleg-1@10.0.0.10\r\n"
	    "CSeq: 9 NOTIFY\r\n"
	    "Event: refer\r\n",
	    "message/sipfrag;version=2.0", "SIP/2.0 200 OK\r\n"));
	assert_int_equal(m->method, SIP_NOTIFY);
	assert_false(m->has_sdp);
	assert_int_equal(m->sdp_dir, SDP_DIR_NONE);
	assert_false(parse(fx, INVITE)->has_sdp);
}

static void
fields_of_one_message_do_not_leak_into_the_next(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;
	char			 buf[MSG_MAX];

	parse(fx, with_body(buf, sizeof buf,
	    "INVITE sip:1001@10.1.0.5 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-l1\r\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "Call-ID: agentleg-1@10.0.0.10\r\n"
	    "CSeq: 2 INVITE\r\n"
	    "X-CC-Inbound: in-1\r\n"
	    "Reason: Q.850;cause=16\r\n"
	    "Replaces: old-1;to-tag=a;from-tag=b\r\n"
	    "P-Asserted-Identity: <sip:+15550001111@x>\r\n",
	    "application/sdp", "v=0\r\nc=IN IP4 0.0.0.0\r\n"
	    "m=audio 1 RTP/AVP 0\r\na=inactive\r\n"));
	m = parse(fx, RINGING);
	assert_string_equal(m->corr[0], "");
	assert_string_equal(m->reason, "");
	assert_string_equal(m->replaces_call_id, "");
	assert_string_equal(m->pai_user, "");
	assert_string_equal(m->ruri_user, "");
	assert_false(m->has_sdp);
	assert_int_equal(m->sdp_dir, SDP_DIR_NONE);
	assert_false(m->sdp_c_zero);
}

static void
crlf_keepalives_are_counted_and_dropped(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_stats	*st = sipmsg_get_stats(fx->sp);

	feed(fx, "\r\n\r\n");		/* RFC 5626 4.4.1 ping */
	feed(fx, "\r\n");		/* pong */
	feed(fx, "\n");
	feed(fx, "     ");		/* some phones send spaces */
	assert_int_equal(st->keepalives, 4);
	assert_int_equal(st->messages, 0);
	assert_int_equal(st->parse_errors, 0);
	assert_int_equal(fx->sink.n, 0);

	/* Leading CRLFs before a message do not hide it. */
	feed(fx, "\r\n\r\n" INVITE);
	assert_int_equal(fx->sink.n, 1);
	assert_int_equal(st->keepalives, 4);
}

static void
untracked_methods_are_dropped_before_parsing(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_stats	*st = sipmsg_get_stats(fx->sp);

	feed(fx,
	    "OPTIONS sip:10.0.0.10 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-o\r\n"
	    "From: <sip:ping@192.0.2.1>;tag=o1\r\n"
	    "To: <sip:10.0.0.10>\r\n"
	    "Call-ID: options-1@192.0.2.1\r\n"
	    "CSeq: 1 OPTIONS\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	feed(fx,
	    "REGISTER sip:10.0.0.10 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-r\r\n"
	    "From: <sip:1001@10.0.0.10>;tag=r1\r\n"
	    "To: <sip:1001@10.0.0.10>\r\n"
	    "Call-ID: register-1@10.1.0.5\r\n"
	    "CSeq: 1 REGISTER\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	/* Not parsed at all: an unparseable one is no parse error. */
	feed(fx, "OPTIONS \x01\x02 not SIP");
	/* REGISTER is parsed (agent presence, DESIGN.md 7). */
	assert_int_equal(st->ignored_methods, 2);
	assert_int_equal(st->parse_errors, 0);
	assert_int_equal(st->messages, 1);
	assert_int_equal(fx->sink.n, 1);
	assert_int_equal(fx->sink.msgs[0].method, SIP_REGISTER);
}

/* A response to req (CSeq "1 METHOD"), with the given extra headers. */
static void
feed_response(struct fixture *fx, const char *method, const char *extra)
{
	char	buf[MSG_MAX];

	snprintf(buf, sizeof buf,
	    "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-r\r\n"
	    "From: <sip:ping@192.0.2.1>;tag=o1\r\n"
	    "To: <sip:10.0.0.10>;tag=o2\r\n"
	    "Call-ID: resp-1@192.0.2.1\r\n"
	    "CSeq: 1 %s\r\n"
	    "%s"
	    "Content-Length: 0\r\n"
	    "\r\n", method, extra);
	feed(fx, buf);
}

static void
responses_to_untracked_methods_are_dropped_by_their_cseq(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_stats	*st = sipmsg_get_stats(fx->sp);

	feed_response(fx, "OPTIONS", "");
	feed_response(fx, "SUBSCRIBE", "Expires: 3600\r\n");
	feed_response(fx, "NOTIFY", "");
	feed_response(fx, "INFO", "");
	feed_response(fx, "MESSAGE", "");
	feed_response(fx, "PUBLISH", "");
	assert_int_equal(st->ignored_methods, 6);
	assert_int_equal(fx->sink.n, 0);
	/* Tracked ones go on; method names are case-sensitive. REGISTER's
	   responses are parsed (DESIGN.md 7). */
	feed_response(fx, "BYE", "");
	feed_response(fx, "options", "");
	feed_response(fx, "REGISTER", "");
	assert_int_equal(fx->sink.n, 3);
	assert_int_equal(fx->sink.msgs[0].method, SIP_BYE);
	assert_int_equal(fx->sink.msgs[1].method, SIP_METHOD_OTHER);
	assert_int_equal(fx->sink.msgs[2].method, SIP_REGISTER);
	assert_int_equal(st->ignored_methods, 6);
	assert_int_equal(st->parse_errors, 0);
}

/*
 * DESIGN.md 7: a REGISTER gives its Contacts (host lower-cased, port, the
 * expires parameter), its Expires header and Contact: *; an INVITE its
 * Request-URI host and port.
 */
static void
register_contacts_and_expires_are_extracted(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;

	feed(fx,
	    "REGISTER sip:10.0.0.10 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-r2\r\n"
	    "From: <sip:1001@10.0.0.10>;tag=r1\r\n"
	    "To: <sip:1001@10.0.0.10>\r\n"
	    "Call-ID: register-2@10.1.0.5\r\n"
	    "CSeq: 2 REGISTER\r\n"
	    "Contact: \"Desk, one\" <sip:1001@PHONE1.example:5062;ob>;"
	    "expires=600, <sip:1001@10.1.0.5>\r\n"
	    "m: <sip:1001@10.1.0.9:5070;transport=udp>;expires=0\r\n"
	    "Expires: 1800\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_int_equal(fx->sink.n, 1);
	m = &fx->sink.msgs[0];
	assert_int_equal(m->method, SIP_REGISTER);
	assert_string_equal(m->to_user, "1001");
	assert_int_equal(m->expires, 1800);
	assert_false(m->contact_star);
	assert_int_equal(m->ncontacts, 3);
	assert_string_equal(m->contacts[0].host, "phone1.example");
	assert_int_equal(m->contacts[0].port, 5062);
	assert_int_equal(m->contacts[0].expires, 600);
	assert_string_equal(m->contacts[1].host, "10.1.0.5");
	assert_int_equal(m->contacts[1].port, 0);
	assert_int_equal(m->contacts[1].expires, -1);
	assert_string_equal(m->contacts[2].host, "10.1.0.9");
	assert_int_equal(m->contacts[2].port, 5070);
	assert_int_equal(m->contacts[2].expires, 0);

	feed(fx,
	    "REGISTER sip:10.0.0.10 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-r3\r\n"
	    "From: <sip:1001@10.0.0.10>;tag=r1\r\n"
	    "To: <sip:1001@10.0.0.10>\r\n"
	    "Call-ID: register-2@10.1.0.5\r\n"
	    "CSeq: 3 REGISTER\r\n"
	    "Contact: *\r\n"
	    "Expires: 0\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_int_equal(fx->sink.n, 2);
	m = &fx->sink.msgs[1];
	assert_true(m->contact_star);
	assert_int_equal(m->ncontacts, 0);
	assert_int_equal(m->expires, 0);

	/* The 200 lists the binding with what it grants. */
	feed_response(fx, "REGISTER",
	    "Contact: <sip:1001@10.1.0.5:5060>;expires=3599\r\n");
	assert_int_equal(fx->sink.n, 3);
	m = &fx->sink.msgs[2];
	assert_int_equal(m->status, 200);
	assert_int_equal(m->expires, -1);
	assert_int_equal(m->ncontacts, 1);
	assert_int_equal(m->contacts[0].port, 5060);
	assert_int_equal(m->contacts[0].expires, 3599);

	/* An INVITE's Contact is nobody's concern; its Request-URI is. */
	feed(fx,
	    "INVITE sip:1001@10.1.0.5:5062;transport=udp SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-i9\r\n"
	    "From: <sip:+15550001@10.0.0.10>;tag=i1\r\n"
	    "To: <sip:1001@10.1.0.5>\r\n"
	    "Call-ID: inv-9@10.0.0.10\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "Contact: <sip:x@10.0.0.10>;expires=5\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_int_equal(fx->sink.n, 4);
	m = &fx->sink.msgs[3];
	assert_string_equal(m->ruri_host, "10.1.0.5");
	assert_int_equal(m->ruri_port, 5062);
	assert_int_equal(m->ncontacts, 0);
	assert_int_equal(m->expires, -1);
}

static void
notify_is_kept_only_for_the_refer_event_package(void **state)
{
	static const char	*const events[] = { "Event: dialog\r\n",
	    "Event: presence;id=1\r\n", "o: message-summary\r\n" };
	struct fixture		*fx = *state;
	const struct sip_stats	*st = sipmsg_get_stats(fx->sp);
	const struct sip_msg	*m;
	char			 buf[MSG_MAX];
	size_t			 i;

	for (i = 0; i < 5; i++) {
		snprintf(buf, sizeof buf,
		    "NOTIFY sip:1001@10.1.0.5 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-n\r\n"
		    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
		    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
		    "Call-ID: agentleg-1@10.0.0.10\r\n"
		    "CSeq: 9 NOTIFY\r\n"
		    "%s"
		    "Content-Length: 0\r\n"
		    "\r\n", i < 3 ? events[i] : i == 3 ? "Event: refer;id=9\r\n" :
		    "o:  REFER\r\n");
		feed(fx, buf);
	}
	assert_int_equal(st->ignored_methods, 3);
	assert_int_equal(fx->sink.n, 2);
	m = &fx->sink.msgs[0];
	assert_int_equal(m->method, SIP_NOTIFY);
	assert_string_equal(m->call_id, "agentleg-1@10.0.0.10");
}

/* A refer NOTIFY with an Event header line, a Content-Type and a body. */
static const struct sip_msg *
parse_refer_notify(struct fixture *fx, const char *event, const char *ctype,
    const char *body)
{
	char	hdr[MSG_MAX], buf[MSG_MAX];

	snprintf(hdr, sizeof hdr,
	    "NOTIFY sip:1001@10.1.0.5 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-n\r\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "Call-ID: agentleg-1@10.0.0.10\r\n"
	    "CSeq: 9 NOTIFY\r\n"
	    "Subscription-State: terminated;reason=noresource\r\n"
	    "%s", event);
	return (parse(fx, with_body(buf, sizeof buf, hdr, ctype, body)));
}

/*
 * RFC 3515 2.4.5: the status line of a refer NOTIFY's message/sipfrag
 * body, three digits 1xx-6xx then SP, CR, LF or the end, else 0; RFC
 * 3515 2.4.6: the Event header's id parameter, else -1.
 */
static void
refer_notify_gives_its_sipfrag_status_and_event_id(void **state)
{
	static const struct {
		const char	*event;
		const char	*ctype;
		const char	*body;
		int		 status;
		int64_t		 id;
	} cases[] = {
		{ "Event: refer;id=93809824\r\n", "message/sipfrag;version=2.0",
		    "SIP/2.0 503 Service Unavailable\r\n", 503, 93809824 },
		{ "Event: refer\r\n", "message/sipfrag",
		    "SIP/2.0 100 Trying\r\n", 100, -1 },
		{ "o: REFER ; ID = 7\r\n", "Message/SipFrag",
		    "sip/2.0 299 Odd\r\n", 299, 7 },
		{ "Event: refer;foo=1;id=12\r\n", "message/sipfrag",
		    "SIP/2.0 300 Multiple Choices\r\nContact: <sip:x@y>\r\n",
		    300, 12 },
		{ "Event: refer;id=12abc\r\n", "message/sipfrag",
		    "SIP/2.0 486", 486, 12 },
		{ "Event: refer;id=abc\r\n", "message/sipfrag",
		    "SIP/2.0 603 Decline\r\n", 603, -1 },
		{ "Event: refer;id=99999999999\r\n", "message/sipfrag",
		    "SIP/2.0 480 Temporarily Unavailable\r\n", 480, -1 },
		{ "Event: refer;idx=3\r\n", "message/sipfrag",
		    "SIP/2.0 200 OK\r\n", 200, -1 },
		/* Malformed: no status; another type: none either. */
		{ "Event: refer;id=1\r\n", "message/sipfrag",
		    "SIP/2.0 4x6 Busy Here\r\n", 0, 1 },
		{ "Event: refer;id=1\r\n", "message/sipfrag",
		    "SIP/2.0 4866 Busy Here\r\n", 0, 1 },
		{ "Event: refer;id=1\r\n", "message/sipfrag",
		    "SIP/2.0 703 Beyond\r\n", 0, 1 },
		{ "Event: refer;id=1\r\n", "message/sipfrag",
		    "SIP/2.0 50", 0, 1 },
		{ "Event: refer;id=1\r\n", "message/sipfrag",
		    " SIP/2.0 503 Service Unavailable\r\n", 0, 1 },
		{ "Event: refer;id=1\r\n", "message/sipfrag",
		    "HTTP/1.1 503 Service Unavailable\r\n", 0, 1 },
		{ "Event: refer;id=1\r\n", "message/sipfrag", "", 0, 1 },
		{ "Event: refer;id=1\r\n", "text/plain",
		    "SIP/2.0 503 Service Unavailable\r\n", 0, 1 },
		{ "Event: refer;id=1\r\n", "message/sipfragment",
		    "SIP/2.0 503 Service Unavailable\r\n", 0, 1 },
		/* Without an Event header the package is unknown: none. */
		{ "", "message/sipfrag", "SIP/2.0 503 Service Unavailable\r\n",
		    0, -1 },
	};
	struct fixture		*fx = *state;
	const struct sip_msg	*m;
	size_t			 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fx->sink.n = 0;		/* the sink holds SINK_MAX */
		m = parse_refer_notify(fx, cases[i].event, cases[i].ctype,
		    cases[i].body);
		assert_int_equal(m->method, SIP_NOTIFY);
		if (m->refer_frag_status != cases[i].status ||
		    m->refer_event_id != cases[i].id)
			fail_msg("case %zu: status %d id %lld", i,
			    m->refer_frag_status, (long long)m->refer_event_id);
	}
	/* Other messages carry none, whatever their body. */
	m = parse(fx, INVITE);
	assert_int_equal(m->refer_frag_status, 0);
	assert_int_equal(m->refer_event_id, -1);
}

/*
 * A refer NOTIFY that goes to libosip2 whole (a NUL byte in its body):
 * the same fields from libosip2's own parse.
 */
static void
refer_notify_parsed_whole_gives_the_same_fields(void **state)
{
	static const char	 text[] =
	    "NOTIFY sip:1001@10.1.0.5 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-n\r\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "Call-ID: agentleg-1@10.0.0.10\r\n"
	    "CSeq: 9 NOTIFY\r\n"
	    "Event: refer;id=4\r\n"
	    "Content-Type: message/sipfrag\r\n"
	    "Content-Length: 20\r\n"
	    "\r\n"
	    "SIP/2.0 486 Busy\r\n\0x";
	struct fixture		*fx = *state;
	const struct sip_msg	*m;
	size_t			 before = fx->sink.n;

	feed_len(fx, text, sizeof text - 1);
	assert_int_equal(fx->sink.n, before + 1);
	m = &fx->sink.msgs[before];
	assert_int_equal(m->method, SIP_NOTIFY);
	assert_int_equal(m->refer_frag_status, 486);
	assert_int_equal(m->refer_event_id, 4);
}

static void
headers_nobody_reads_are_never_parsed(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_stats	*st = sipmsg_get_stats(fx->sp);
	const struct sip_msg	*m;

	/* A broken Contact and a broken second Via hurt no field we use. */
	m = parse(fx,
	    "INVITE sip:5100@10.0.0.10 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-top\r\n"
	    "Via: ???\r\n"
	    "Contact: <<<not a uri\r\n"
	    "Record-Route: <sip:192.0.2.9;lr>\r\n"
	    "From: <sip:+15550001111@192.0.2.1>;tag=c1\r\n"
	    "To: <sip:5100@10.0.0.10>\r\n"
	    "Call-ID: reduced-1@192.0.2.1\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "X-CC-Queue:\r\n"
	    "  sales\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_int_equal(st->parse_errors, 0);
	assert_string_equal(m->branch, "z9hG4bK-top");
	assert_string_equal(m->from_user, "+15550001111");
	assert_string_equal(m->from_tag, "c1");
	assert_string_equal(m->ruri_user, "5100");
	assert_string_equal(m->call_id, "reduced-1@192.0.2.1");
	/* A folded header line is one header. */
	assert_string_equal(m->corr[1], "sales");

	/* A line without a colon still makes the message unparseable. */
	feed(fx,
	    "INVITE sip:5100@10.0.0.10 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-x\r\n"
	    "this is no header\r\n"
	    "From: <sip:1@192.0.2.1>;tag=c1\r\n"
	    "To: <sip:5100@10.0.0.10>\r\n"
	    "Call-ID: reduced-2@192.0.2.1\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "\r\n");
	assert_int_equal(st->parse_errors, 1);
}

static void
sdp_is_read_from_offers_only(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_msg	*m;
	char			 buf[MSG_MAX];

	/* An answer in a 200 OK: no leg reads it, so it is not parsed. */
	m = parse(fx, with_body(buf, sizeof buf,
	    "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-a\r\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "Call-ID: agentleg-1@10.0.0.10\r\n"
	    "CSeq: 2 INVITE\r\n",
	    "application/sdp", "v=0\r\nc=IN IP4 10.1.0.5\r\n"
	    "m=audio 1 RTP/AVP 0\r\na=sendonly\r\n"));
	assert_int_equal(m->status, 200);
	assert_false(m->has_sdp);
	m = parse(fx, with_body(buf, sizeof buf,
	    "UPDATE sip:1001@10.1.0.5 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-u\r\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "Call-ID: agentleg-1@10.0.0.10\r\n"
	    "CSeq: 3 UPDATE\r\n",
	    "application/sdp", "v=0\r\nc=IN IP4 10.0.0.10\r\n"
	    "m=audio 1 RTP/AVP 0\r\na=inactive\r\n"));
	assert_true(m->has_sdp);
	assert_int_equal(m->sdp_dir, SDP_DIR_INACTIVE);
}

static void
messages_larger_than_the_arena_chunk_parse(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_stats	*st = sipmsg_get_stats(fx->sp);
	const struct sip_msg	*m;
	static char		 buf[70000], body[65000];
	size_t			 i, n;

	/* An SDP offer of ~64 KB: libosip2 copies it, past one chunk. */
	n = (size_t)snprintf(body, sizeof body, "v=0\r\nc=IN IP4 10.0.0.10\r\n"
	    "m=audio 1 RTP/AVP 0\r\na=sendonly\r\n");
	for (i = 0; n + 20 < sizeof body - 1000; i++)
		n += (size_t)snprintf(body + n, sizeof body - n,
		    "a=x-pad:%012zu\r\n", i);
	for (i = 0; i < 3; i++) {
		m = parse(fx, with_body(buf, sizeof buf,
		    "INVITE sip:1001@10.1.0.5 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-big\r\n"
		    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
		    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
		    "Call-ID: big-1@10.0.0.10\r\n"
		    "CSeq: 3 INVITE\r\n",
		    "application/sdp", body));
		assert_string_equal(m->call_id, "big-1@10.0.0.10");
		assert_int_equal(m->sdp_dir, SDP_DIR_SENDONLY);
		fx->sink.n = 0;
	}
	assert_int_equal(st->parse_errors, 0);
}

/* The two parses of one text give the same sip_msg, field by field. */
static void
assert_same_parse(const char *text)
{
	static char		*headers[] = { "X-CC-Inbound", "X-CC-Queue" };
	struct sink		 a, b;
	struct sip_parser	*fast, *whole;
	struct payload		 pl;
	const struct sip_msg	*x, *y;
	size_t			 i;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	fast = sipmsg_create(headers, 2, collect, &a);
	whole = sipmsg_create(headers, 2, collect, &b);
	sipmsg_set_fast(whole, false);
	memset(&pl, 0, sizeof pl);
	pl.data = (const uint8_t *)text;
	pl.len = strlen(text);
	/* Twice: the second time From and To come from the cache. */
	sipmsg_input(fast, &pl);
	sipmsg_input(fast, &pl);
	sipmsg_input(whole, &pl);
	sipmsg_input(whole, &pl);
	assert_int_equal(a.n, b.n);
	assert_memory_equal(sipmsg_get_stats(fast), sipmsg_get_stats(whole),
	    sizeof (struct sip_stats));
	for (i = 0; i < a.n; i++) {
		x = &a.msgs[i];
		y = &b.msgs[i];
		assert_int_equal(x->is_request, y->is_request);
		assert_int_equal(x->method, y->method);
		assert_int_equal(x->status, y->status);
		assert_int_equal(x->cseq, y->cseq);
		assert_string_equal(x->call_id, y->call_id);
		assert_string_equal(x->from_user, y->from_user);
		assert_string_equal(x->from_tag, y->from_tag);
		assert_string_equal(x->to_user, y->to_user);
		assert_string_equal(x->to_tag, y->to_tag);
		assert_string_equal(x->ruri_user, y->ruri_user);
		assert_string_equal(x->pai_user, y->pai_user);
		assert_int_equal(x->privacy_id, y->privacy_id);
		assert_string_equal(x->branch, y->branch);
		assert_string_equal(x->corr[0], y->corr[0]);
		assert_string_equal(x->corr[1], y->corr[1]);
		assert_string_equal(x->refer_to, y->refer_to);
		assert_string_equal(x->replaces_call_id, y->replaces_call_id);
		assert_string_equal(x->reason, y->reason);
		assert_int_equal(x->has_sdp, y->has_sdp);
		assert_int_equal(x->sdp_dir, y->sdp_dir);
		assert_int_equal(x->sdp_c_zero, y->sdp_c_zero);
		assert_int_equal(x->refer_frag_status, y->refer_frag_status);
		assert_int_equal(x->refer_event_id, y->refer_event_id);
	}
	sipmsg_free(fast);
	sipmsg_free(whole);
}

static void
header_by_header_parse_agrees_with_osip_message_parse(void **state)
{
	static const char *const texts[] = {
		INVITE, RINGING,
		/* A refer NOTIFY reporting a failed transfer. */
		"NOTIFY sip:1001@10.1.0.5 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-n1\r\n"
		"From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
		"To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
		"Call-ID: agentleg-1@10.0.0.10\r\n"
		"CSeq: 9 NOTIFY\r\n"
		"Event: refer;id=3\r\n"
		"Content-Type: message/sipfrag;version=2.0\r\n"
		"Content-Length: 21\r\n"
		"\r\n"
		"SIP/2.0 486 Busy Here",
		/* tel: PAI, correlation headers in odd case, Reason. */
		"INVITE sip:+18005550100@10.0.0.10:5060;user=phone SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-d1;rport\r\n"
		"From: \"Bob, Jr.\" <sip:+15550001111@192.0.2.1>;tag=d1\r\n"
		"To: <sip:+18005550100@10.0.0.10>\r\n"
		"Call-ID: d1\r\n"
		"CSeq: 10 INVITE\r\n"
		"P-Asserted-Identity: <tel:+15550002222;phone-context=x>\r\n"
		"x-cc-inbound:  in-9@10.0.0.10  \r\n"
		"X-CC-QUEUE: sales\r\n"
		"Reason: Q.850;cause=16;text=\"Normal\"\r\n"
		"Content-Length: 0\r\n\r\n",
		/* REFER with an escaped Replaces, compact Refer-To. */
		"REFER sip:1001@10.1.0.5 SIP/2.0\r\n"
		"v: SIP/2.0/UDP 10.0.0.10;branch=z9hG4bK-d2\r\n"
		"f: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
		"t: <sip:1001@10.1.0.5>;tag=ph1\r\n"
		"i: d2@10.0.0.10\r\n"
		"CSeq: 3 REFER\r\n"
		"r: <sip:1002@10.0.0.10?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n"
		"l: 0\r\n\r\n",
		/* A re-INVITE on hold, LF line ends, Via list. */
		"INVITE sip:1001@10.1.0.5 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.10;branch=z9hG4bK-d3, SIP/2.0/UDP x\n"
		"From: <sip:5100@10.0.0.10>;tag=pbx1\n"
		"To: <sip:1001@10.1.0.5>;tag=ph1\n"
		"Call-ID: d3\n"
		"CSeq: 4 INVITE\n"
		"Content-Type: application/sdp\n"
		"Content-Length: 50\n\n"
		"v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 1 RTP/AVP 0\r\na=sendonly\r\n",
		/* UPDATE with SDP whose length is right. */
		"UPDATE sip:1001@10.1.0.5 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 10.0.0.10;branch=z9hG4bK-d4\r\n"
		"From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
		"To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
		"Call-ID: d4@h\r\n"
		"CSeq: 5 UPDATE\r\n"
		"Content-Type: application/SDP\r\n"
		"Content-Length: 35\r\n\r\n"
		"v=0\r\nm=audio 1 RTP/AVP 0\r\na=inactive\r\n",
		/* Responses: a 487, a 200 to BYE, a 183 with a folded Reason. */
		"SIP/2.0 487 Request Terminated\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-d5\r\n"
		"From: <sip:+15550001111@192.0.2.1>;tag=d5\r\n"
		"To: <sip:5100@10.0.0.10>;tag=x\r\n"
		"Call-ID: d5\r\nCSeq: 1 INVITE\r\n\r\n",
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-d6\r\n"
		"From: sip:a@b;tag=d6\r\n"
		"To: sip:c@d;tag=e\r\n"
		"Call-ID: d6\r\nCSeq: 2 BYE\r\n\r\n",
		"SIP/2.0 183 Session Progress\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-d7\r\n"
		"From: <sip:a@b>;tag=d7\r\n"
		"To: <sip:c@d>;tag=e\r\n"
		"Reason: SIP;cause=200;\r\n text=\"folded\"\r\n"
		"Call-ID: d7\r\nCSeq: 1 INVITE\r\n\r\n",
		/* Odd start lines and headers the whole parse judges. */
		"SIP/2.0 2000 OK\r\nVia: SIP/2.0/UDP h;branch=z\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
		"Call-ID: d8\r\nCSeq: 1 INVITE\r\n\r\n",
		"INVITE  sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
		"Call-ID: d9\r\nCSeq: 1 INVITE\r\n\r\n",
		"BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z\r\n"
		"From: <sip:a@b>;tag=1\r\nFrom: <sip:x@b>;tag=2\r\n"
		"To: <sip:c@d>;tag=3\r\nCall-ID: d10\r\nCSeq: 1 BYE\r\n\r\n",
		"BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z\r\n"
		"From: <<sip:a@b>;tag=1\r\n"
		"To: <sip:c@d>;tag=3\r\nCall-ID: d11\r\nCSeq: 1 BYE\r\n\r\n",
		"BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z\r\n"
		"From: <sip:a@b>;tag=1\r\n"
		"To: <sip:c@d>;tag=3\r\nCSeq: 1 BYE\r\n\r\n",
		"ACK sip:a@b SIP/2.0\r\nVia: \r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=3\r\n"
		"Call-ID: d12\r\nCSeq: x ACK\r\n\r\n",
		"CANCEL sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
		"Call-ID: d13\r\nCSeq: 1 CANCEL\r\nX-CC-Inbound:\r\n\r\n",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
		assert_same_parse(texts[i]);
}

static void
garbage_is_counted_as_a_parse_error(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_stats	*st = sipmsg_get_stats(fx->sp);
	const char		 bin[] = { 0x16, 0x03, 0x01, 0x00, 0x2f, 0x01 };

	feed(fx, "hello world\r\n\r\n");
	feed_len(fx, bin, sizeof bin);	/* a TLS ClientHello */
	feed(fx, "SIP/2.0 abc Bad\r\n\r\n");
	assert_int_equal(st->parse_errors, 3);
	assert_int_equal(st->messages, 0);
	assert_int_equal(fx->sink.n, 0);
}

static void
parse_errors_print_nothing_on_stdout(void **state)
{
	struct fixture	*fx = *state;
	FILE		*tmp;
	int		 saved;
	long		 size;

	/* stdout may be the JSON-lines sink: libosip2 must not write there. */
	assert_int_equal(fflush(stdout), 0);
	assert_non_null(tmp = tmpfile());
	assert_true((saved = dup(STDOUT_FILENO)) >= 0);
	assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	feed(fx, "hello world\r\n\r\n");
	feed_len(fx, INVITE, 200);
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	assert_int_equal(fseek(tmp, 0, SEEK_END), 0);
	size = ftell(tmp);
	fclose(tmp);
	assert_int_equal(sipmsg_get_stats(fx->sp)->parse_errors, 2);
	assert_int_equal(size, 0);
}

static void
truncated_message_is_counted_as_a_parse_error(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_stats	*st = sipmsg_get_stats(fx->sp);

	/* Cut inside the headers. */
	feed_len(fx, INVITE, 200);
	/* Cut inside the body: 10 bytes of the 120 announced. */
	feed(fx,
	    "INVITE sip:1001@10.1.0.5 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-t\r\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "To: <sip:1001@10.1.0.5>\r\n"
	    "Call-ID: trunc-1@10.0.0.10\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "Content-Type: application/sdp\r\n"
	    "Content-Length: 120\r\n"
	    "\r\n"
	    "v=0\r\no=- 1");
	/* A response's body is not parsed, but its cut is still seen. */
	feed(fx,
	    "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-t\r\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "Call-ID: trunc-1@10.0.0.10\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "Content-Type: application/sdp\r\n"
	    "l: 120\r\n"
	    "\r\n"
	    "v=0\r\no=- 1");
	/* Cut after a whole header line, before the empty line. */
	feed(fx,
	    "BYE sip:1001@10.1.0.5 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-t2\r\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "Call-ID: trunc-2@10.0.0.10\r\n"
	    "CSeq: 3 BYE\r\n");
	assert_int_equal(st->parse_errors, 4);
	assert_int_equal(st->messages, 0);
	assert_int_equal(fx->sink.n, 0);
}

static void
status_code_outside_1xx_to_6xx_is_a_parse_error(void **state)
{
	static const char *const lines[] = {
		"SIP/2.0 999 Whatever", "SIP/2.0 2x9 OK", "SIP/2.0 099 Early",
		"SIP/2.0 700 Seven", "SIP/2.0 20 OK",
	};
	struct fixture		*fx = *state;
	const struct sip_stats	*st = sipmsg_get_stats(fx->sp);
	char			 buf[MSG_MAX];
	size_t			 i;

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		snprintf(buf, sizeof buf, "%s\r\n"
		    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-s\r\n"
		    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
		    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
		    "Call-ID: status-1@10.0.0.10\r\n"
		    "CSeq: 1 INVITE\r\n"
		    "Content-Length: 0\r\n"
		    "\r\n", lines[i]);
		feed(fx, buf);
		assert_int_equal(st->parse_errors, i + 1);
	}
	assert_int_equal(st->messages, 0);
	assert_int_equal(fx->sink.n, 0);
	/* The edges of the range are responses like any other. */
	feed(fx, "SIP/2.0 100 Trying\r\nVia: SIP/2.0/UDP 10.0.0.10\r\n"
	    "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: e\r\n"
	    "CSeq: 1 INVITE\r\n\r\n");
	feed(fx, "SIP/2.0 699 Last\r\nVia: SIP/2.0/UDP 10.0.0.10\r\n"
	    "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: e\r\n"
	    "CSeq: 1 INVITE\r\n\r\n");
	assert_int_equal(fx->sink.n, 2);
	assert_int_equal(fx->sink.msgs[0].status, 100);
	assert_int_equal(fx->sink.msgs[1].status, 699);
}

#define OPTIONS_200_HEADERS						\
	"SIP/2.0 200 OK\r\n"						\
	"Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-o\r\n"		\
	"From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"			\
	"To: <sip:1001@10.1.0.5>;tag=ph1\r\n"				\
	"Call-ID: opt-1@10.0.0.10\r\n"					\
	"CSeq: 1 OPTIONS\r\n"

static void
headers_without_crlf_crlf_count_as_parse_errors_first(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_stats	*st = sipmsg_get_stats(fx->sp);

	/* Bare LF line ends (RFC 3261 7 wants CRLF): counted, not parsed. */
	feed(fx,
	    "BYE sip:1001@10.1.0.5 SIP/2.0\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-lf\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\n"
	    "To: <sip:1001@10.1.0.5>;tag=ph1\n"
	    "Call-ID: lf-1@10.0.0.10\n"
	    "CSeq: 3 BYE\n"
	    "\n");
	assert_int_equal(st->parse_errors, 1);
	/* A response to OPTIONS cut before its empty line: an error first. */
	feed(fx, OPTIONS_200_HEADERS);
	assert_int_equal(st->parse_errors, 2);
	assert_int_equal(st->ignored_methods, 0);
	/* Whole, the same response is only ignored. */
	feed(fx, OPTIONS_200_HEADERS "\r\n");
	assert_int_equal(st->parse_errors, 2);
	assert_int_equal(st->ignored_methods, 1);
	assert_int_equal(st->messages, 0);
	assert_int_equal(fx->sink.n, 0);
}

static void
message_without_call_id_or_cseq_counts_in_missing_fields(void **state)
{
	struct fixture		*fx = *state;
	const struct sip_stats	*st = sipmsg_get_stats(fx->sp);

	feed(fx,
	    "BYE sip:1001@10.1.0.5 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-m1\r\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "CSeq: 3 BYE\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	feed(fx,
	    "BYE sip:1001@10.1.0.5 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK-m2\r\n"
	    "From: <sip:5100@10.0.0.10>;tag=pbx1\r\n"
	    "To: <sip:1001@10.1.0.5>;tag=ph1\r\n"
	    "Call-ID: agentleg-1@10.0.0.10\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n");
	assert_int_equal(st->missing_fields, 2);
	assert_int_equal(st->parse_errors, 0);
	assert_int_equal(st->messages, 0);
	assert_int_equal(fx->sink.n, 0);
}

/* sdp_parse() on body, with a check that it neither reads nor
 * depends on anything past len (a copy without a terminating NUL). */
static void
sdp(const char *body, enum sdp_dir *dir, bool *c_zero)
{
	size_t	len = strlen(body);
	char	*copy = malloc(len > 0 ? len : 1);

	assert_non_null(copy);
	memcpy(copy, body, len);
	*dir = (enum sdp_dir)-1;
	*c_zero = true;
	sdp_parse(copy, len, dir, c_zero);
	free(copy);
}

static void
parse_sdp_finds_direction_and_hold_address(void **state)
{
	static const struct {
		const char	*body;
		enum sdp_dir	 dir;
		bool		 c_zero;
	} cases[] = {
		{ "", SDP_DIR_NONE, false },
		{ "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 1 RTP/AVP 0\r\n",
		  SDP_DIR_NONE, false },
		{ "v=0\r\na=recvonly\r\nm=audio 1 RTP/AVP 0\r\n",
		  SDP_DIR_RECVONLY, false },
		{ "v=0\r\na=recvonly\r\nm=audio 1 RTP/AVP 0\r\na=sendonly\r\n",
		  SDP_DIR_SENDONLY, false },
		/* LF-only line ends. */
		{ "v=0\nc=IN IP4 0.0.0.0\nm=audio 1 RTP/AVP 0\na=inactive\n",
		  SDP_DIR_INACTIVE, true },
		/* No final line end. */
		{ "v=0\r\nm=audio 1 RTP/AVP 0\r\na=sendonly",
		  SDP_DIR_SENDONLY, false },
		/* Only the first audio stream counts. */
		{ "v=0\r\nm=audio 1 RTP/AVP 0\r\na=sendrecv\r\n"
		  "m=audio 2 RTP/AVP 0\r\na=inactive\r\nc=IN IP4 0.0.0.0\r\n",
		  SDP_DIR_SENDRECV, false },
		/* A video stream before the audio one is skipped. */
		{ "v=0\r\nc=IN IP4 10.0.0.1\r\nm=video 2 RTP/AVP 31\r\n"
		  "a=inactive\r\nc=IN IP4 0.0.0.0\r\n"
		  "m=audio 1 RTP/AVP 0\r\na=sendonly\r\n",
		  SDP_DIR_SENDONLY, false },
		/* Not 0.0.0.0, nor an attribute named like a direction. */
		{ "v=0\r\nc=IN IP4 0.0.0.01\r\nm=audio 1 RTP/AVP 0\r\n"
		  "a=sendonlyx\r\n", SDP_DIR_NONE, false },
		{ "v=0\r\nc=IN IP4 10.0.0.0\r\nm=audio 1 RTP/AVP 0\r\n",
		  SDP_DIR_NONE, false },
		/* Truncated at a media line. */
		{ "v=0\r\na=sendonly\r\nm=au", SDP_DIR_SENDONLY, false },
	};
	enum sdp_dir	dir;
	bool		c_zero;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sdp(cases[i].body, &dir, &c_zero);
		assert_int_equal(dir, cases[i].dir);
		assert_int_equal(c_zero, cases[i].c_zero);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(invite_gives_method_cseq_and_no_status),
		T(payload_time_addresses_and_transport_are_carried_over),
		T(response_takes_its_method_from_cseq),
		T(every_tracked_request_method_is_named),
		T(call_id_keeps_its_host_after_the_at_sign),
		T(call_id_without_host_is_kept_whole),
		T(from_and_to_users_and_tags_are_extracted),
		T(request_uri_user_is_extracted_and_empty_in_responses),
		T(p_asserted_identity_user_is_extracted),
		T(privacy_id_is_found_among_the_privacy_values),
		T(tel_uris_give_their_number_as_user),
		T(top_via_branch_is_extracted),
		T(correlation_headers_by_index_with_case_insensitive_names),
		T(absent_correlation_header_is_empty),
		T(reloaded_correlation_header_names_take_effect),
		T(refer_to_with_escaped_replaces_gives_its_call_id),
		T(blind_refer_to_has_no_replaces),
		T(replaces_header_on_an_invite_gives_its_call_id),
		T(reason_header_is_copied_whole),
		T(compact_headers_are_understood),
		T(sdp_session_level_direction_applies_to_the_audio_stream),
		T(sdp_media_level_direction_overrides_the_session_level),
		T(sdp_each_direction_and_none_are_told_apart),
		T(sdp_connection_0_0_0_0_is_the_rfc_2543_hold),
		T(body_that_is_not_sdp_is_no_sdp),
		T(fields_of_one_message_do_not_leak_into_the_next),
		T(crlf_keepalives_are_counted_and_dropped),
		T(untracked_methods_are_dropped_before_parsing),
		T(responses_to_untracked_methods_are_dropped_by_their_cseq),
		T(notify_is_kept_only_for_the_refer_event_package),
		T(refer_notify_gives_its_sipfrag_status_and_event_id),
		T(refer_notify_parsed_whole_gives_the_same_fields),
		T(register_contacts_and_expires_are_extracted),
		T(headers_nobody_reads_are_never_parsed),
		T(sdp_is_read_from_offers_only),
		T(messages_larger_than_the_arena_chunk_parse),
		T(garbage_is_counted_as_a_parse_error),
		T(parse_errors_print_nothing_on_stdout),
		T(truncated_message_is_counted_as_a_parse_error),
		T(headers_without_crlf_crlf_count_as_parse_errors_first),
		T(message_without_call_id_or_cseq_counts_in_missing_fields),
		T(status_code_outside_1xx_to_6xx_is_a_parse_error),
		cmocka_unit_test(parse_sdp_finds_direction_and_hold_address),
		cmocka_unit_test(
		    header_by_header_parse_agrees_with_osip_message_parse),
#undef T
	};
	int	failed;

	sipmsg_global_init();
	failed = cmocka_run_group_tests_name("header-by-header parse", tests,
	    NULL, NULL);
	fast_parse = false;
	failed += cmocka_run_group_tests_name("osip_message_parse only", tests,
	    NULL, NULL);
	return (failed);
}
