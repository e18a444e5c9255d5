/* SPDX-License-Identifier: BSD-2-Clause */
/* test_natspub.c: topics as NATS subject tokens, whatever an agent id holds. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/natspub.h"

static void
expect_subject(const char *topic, size_t len, const char *want)
{
	char	buf[128];

	memset(buf, 'Z', sizeof buf);
	natspub_subject_topic(buf, topic, len);
	assert_int_equal(strlen(buf), len);
	assert_string_equal(buf, want);
}

static void
topics_of_queues_and_plain_agents_are_kept(void **state)
{
	(void)state;
	expect_subject("call.end.sales", 14, "call.end.sales");
	expect_subject("interval.agent.1001", 19, "interval.agent.1001");
	expect_subject("stats", 5, "stats");
	expect_subject("leg.end", 7, "leg.end");
	/* A dot inside an agent id spans tokens, as in the ZeroMQ topic. */
	expect_subject("interval.agent.a.b", 18, "interval.agent.a.b");
	/* UTF-8 is a subject's too. */
	expect_subject("interval.agent.Zo\xc3\xab", 19,
	    "interval.agent.Zo\xc3\xab");
	expect_subject("interval.agent.+1-555_x", 23,
	    "interval.agent.+1-555_x");
}

static void
bytes_a_subject_cannot_hold_become_underscores(void **state)
{
	(void)state;
	/* A space would split the PUB line; wildcards would match. */
	expect_subject("interval.agent.a b", 18, "interval.agent.a_b");
	expect_subject("interval.agent.*", 16, "interval.agent._");
	expect_subject("interval.agent.>", 16, "interval.agent._");
	expect_subject("interval.agent.x\r\nPUB y 1", 25,
	    "interval.agent.x__PUB_y_1");
	expect_subject("interval.agent.\t\x01\x7f", 18,
	    "interval.agent.___");
	/* A NUL inside the given length too. */
	expect_subject("interval.agent.a\0b", 18, "interval.agent.a_b");
}

static void
no_token_is_empty(void **state)
{
	(void)state;
	expect_subject("interval.agent.", 15, "interval.agent_");
	expect_subject("interval.agent..x", 17, "interval.agent._x");
	expect_subject("interval.agent...", 17, "interval.agent.__");
	expect_subject(".x", 2, "_x");
	expect_subject(".", 1, "_");
	expect_subject("", 0, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(topics_of_queues_and_plain_agents_are_kept),
		cmocka_unit_test(bytes_a_subject_cannot_hold_become_underscores),
		cmocka_unit_test(no_token_is_empty),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
