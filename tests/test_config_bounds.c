/* SPDX-License-Identifier: BSD-2-Clause */
/* test_config_bounds.c: the bounds a configuration file cannot get past. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ccmetrics/conf.h"

#define NAME	"test.yaml"

/* Lines 1 to 4; 11 YAML nodes (the root map, 6 scalars, 2 maps, 2 lists). */
#define MINIMAL							\
	"pbx:\n"						\
	"  addresses: [10.0.0.10]\n"				\
	"agents:\n"						\
	"  addresses: [10.1.0.0/16]\n"
#define MINIMAL_NODES	11

struct buf {
	char	*p;
	size_t	 len, cap;
};

static void __attribute__((format(printf, 2, 3)))
put(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	while (b->len + (size_t)n + 1 > b->cap) {
		b->cap = b->cap == 0 ? 4096 : 2 * b->cap;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static struct config *
load(const char *text, char **msgs)
{
	struct config	*cfg;
	size_t		 len = 0;
	FILE		*f;

	*msgs = NULL;
	f = open_memstream(msgs, &len);
	assert_non_null(f);
	cfg = config_load_string(NAME, text, f);
	assert_int_equal(fclose(f), 0);
	return (cfg);
}

static void
expect_errors(const char *text, const char *want)
{
	struct config	*cfg;
	char		*msgs;

	cfg = load(text, &msgs);
	if (cfg != NULL) {
		config_free(cfg);
		fail_msg("invalid config accepted; wanted:\n%s", want);
	}
	assert_string_equal(msgs, want);
	free(msgs);
}

static struct config *
load_ok(const char *text)
{
	struct config	*cfg;
	char		*msgs;

	cfg = load(text, &msgs);
	if (cfg == NULL)
		fail_msg("valid config rejected:\n%.2000s", msgs);
	assert_string_equal(msgs, "");
	free(msgs);
	return (cfg);
}

/* An alias is refused where it stands: nothing is expanded. */
static void
aliases_are_refused_where_they_stand(void **state)
{
	(void)state;
	expect_errors(MINIMAL
	    "queues:\n"
	    "  - &q {name: a}\n"
	    "  - *q\n",
	    NAME ":7:5: (document): aliases are not allowed\n");
}

/*
 * The billion laughs: nine levels of nine aliases each, 9^9 scalars when
 * expanded. It took a running daemon past 6 GB on SIGHUP. Only the first
 * alias is reported.
 */
static void
alias_bomb_is_refused_at_its_first_alias(void **state)
{
	struct buf	b = { NULL, 0, 0 };
	int		i, j;

	(void)state;
	put(&b, MINIMAL "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, "
	    "lol]\n");
	for (i = 1; i <= 9; i++) {
		put(&b, "a%d: &a%d [", i, i);
		for (j = 0; j < 9; j++)
			put(&b, "%s*a%d", j == 0 ? "" : ", ", i - 1);
		put(&b, "]\n");
	}
	/* Line 6 "a1: &a1 [*a0, ...": the alias at column 10. */
	expect_errors(b.p, NAME ":6:10: (document): aliases are not allowed\n");
	free(b.p);
}

/* The top-level map is level 1: the 17th level is refused. */
static void
nesting_deeper_than_16_levels_is_refused(void **state)
{
	char	text[256];

	(void)state;
	snprintf(text, sizeof text, MINIMAL "x: %.100s\n",
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
	/* "x: " then brackets: the 16th bracket, level 17, at column 19. */
	expect_errors(text,
	    NAME ":5:19: (document): nested deeper than 16 levels\n");
}

/* 80,000 levels once took 20 s in libyaml; the scan stops at level 17. */
static void
nesting_80000_levels_deep_is_refused_at_level_17(void **state)
{
	struct buf	b = { NULL, 0, 0 };
	int		i;

	(void)state;
	put(&b, MINIMAL "x: ");
	for (i = 0; i < 80000; i++)
		put(&b, "[");
	for (i = 0; i < 80000; i++)
		put(&b, "]");
	put(&b, "\n");
	expect_errors(b.p,
	    NAME ":5:19: (document): nested deeper than 16 levels\n");
	free(b.p);
}

/* At most 200000 nodes: the one past it is named. */
static void
more_than_200000_nodes_are_refused(void **state)
{
	struct buf	b = { NULL, 0, 0 };
	size_t		i, items;

	(void)state;
	/* "x" and its list are nodes 12 and 13; items follow from 14. */
	items = 200000 - (MINIMAL_NODES + 2);
	put(&b, MINIMAL "x: [");
	for (i = 0; i < items; i++)
		put(&b, "0,");
	/* The limit is reached: this one file still loads... */
	put(&b, "]\n");
	expect_errors(b.p, NAME ":5:1: x: unknown key\n");
	/* ... one node more does not, and names where it stands. */
	b.len -= 2;
	put(&b, "0,]\n");
	{
		char	want[128];

		snprintf(want, sizeof want, NAME ":5:%zu: (document): more "
		    "than 200000 YAML nodes\n", 5 + 2 * items);
		expect_errors(b.p, want);
	}
	free(b.p);
}

/* A list of addresses, DNIS, queues or keys has a bound, named at its item. */
static void
lists_longer_than_their_bound_are_refused(void **state)
{
	struct buf	b = { NULL, 0, 0 };
	char		want[256];
	int		i;

	(void)state;
	put(&b, "pbx:\n  addresses: [");
	for (i = 0; i < 4097; i++)
		put(&b, "%s10.0.%d.%d", i == 0 ? "" : ",", i / 256, i % 256);
	put(&b, "]\nagents:\n  addresses: [10.1.0.0/16]\n");
	/* Item 4096 is 10.0.16.0; line 2 starts after "pbx:\n". */
	snprintf(want, sizeof want, NAME ":2:%zu: pbx.addresses[4096]: "
	    "at most 4096 addresses\n",
	    (size_t)(strstr(b.p, ",10.0.16.0]") + 1 - (b.p + 5)) + 1);
	expect_errors(b.p, want);
	free(b.p);
}

/* Every DNIS leads to its queue, by a hash, and a repeat is still caught. */
static void
a_hundred_thousand_dnis_load_and_find_their_queue(void **state)
{
	struct buf			 b = { NULL, 0, 0 };
	struct config			*cfg;
	const struct config_queue	*q;
	char				 want[256];
	int				 i;

	(void)state;
	put(&b, MINIMAL "queues:\n  - name: a\n    dnis: [");
	for (i = 0; i < 50000; i++)
		put(&b, "%s%d", i == 0 ? "" : ",", 1000000 + i);
	put(&b, "]\n  - name: b\n    dnis: [");
	for (i = 0; i < 50000; i++)
		put(&b, "%s%d", i == 0 ? "" : ",", 2000000 + i);
	put(&b, "]\n");
	cfg = load_ok(b.p);
	q = config_queue_by_dnis(cfg, "1000000");
	assert_non_null(q);
	assert_string_equal(q->name, "a");
	q = config_queue_by_dnis(cfg, "2049999");
	assert_non_null(q);
	assert_string_equal(q->name, "b");
	assert_null(config_queue_by_dnis(cfg, "2050000"));
	assert_null(config_queue_by_dnis(cfg, ""));
	config_free(cfg);

	/* Queue b's last DNIS repeats queue a's first: line 9, last item. */
	b.len -= 2;
	b.p[b.len] = '\0';
	put(&b, ",1000000]\n");
	snprintf(want, sizeof want, NAME ":9:%zu: queues[1].dnis[50000]: "
	    "DNIS \"1000000\" already belongs to queue a\n",
	    strlen("    dnis: [") + 50000 * 8 + 1);
	expect_errors(b.p, want);

	/* And more than 100000 in all is refused at the first one past. */
	b.len -= 10;
	b.p[b.len] = '\0';
	put(&b, ",3000000]\n");
	snprintf(want, sizeof want, NAME ":9:%zu: queues[1].dnis[50000]: "
	    "at most 100000 DNIS in all queues\n",
	    strlen("    dnis: [") + 50000 * 8 + 1);
	expect_errors(b.p, want);
	free(b.p);
}

/*
 * pcap_compile() grows faster than the filter: 2000 terms took 23.8 GB,
 * 179 "port N" terms (2 KiB) 1.7 s. At most 1024 characters, 64 terms.
 */
static void
capture_filter_is_bounded_in_length_and_terms(void **state)
{
	struct buf	 b = { NULL, 0, 0 };
	struct config	*cfg;
	int		 i;

	(void)state;
	/* 64 terms (63 "or"): accepted. */
	put(&b, MINIMAL "capture:\n  filter: \"port 1");
	for (i = 2; i <= 64; i++)
		put(&b, " or port %d", i);
	put(&b, "\"\n");
	cfg = load_ok(b.p);
	config_free(cfg);
	/* 65 terms: refused. */
	b.len -= 2;
	put(&b, " and not port 65\"\n");
	expect_errors(b.p, NAME ":6:11: capture.filter: more than 64 terms "
	    "joined by \"and\" and \"or\"\n");
	free(b.p);
	b.p = NULL;
	b.len = b.cap = 0;
	/* 1025 characters: refused. */
	put(&b, MINIMAL "capture:\n  filter: \"(");
	for (i = 0; i < 1023; i++)
		put(&b, " ");
	put(&b, ")\"\n");
	expect_errors(b.p, NAME ":6:11: capture.filter: longer than 1024 "
	    "characters\n");
	free(b.p);
}

/* --check-config refuses what zmq_bind() at start-up would refuse. */
static void
zmq_endpoints_are_checked_as_start_up_binds_them(void **state)
{
	static const char *const good[] = { "tcp://*:5556",
	    "tcp://127.0.0.1:5556", "tcp://[::1]:5556", "tcp://eth0:5556",
	    "tcp://*:*", "ipc:///run/ccmetrics/feed", "inproc://feed" };
	static const struct {
		const char	*endpoint, *why;
	} bad[] = {
		{ "tcp://:::::", "tcp needs HOST:PORT, an IPv6 address in "
		    "brackets, e.g. tcp://*:5556 or tcp://[::1]:5556" },
		{ "tcp://*", "tcp needs HOST:PORT, an IPv6 address in "
		    "brackets, e.g. tcp://*:5556 or tcp://[::1]:5556" },
		{ "tcp://[::1:5556", "tcp needs HOST:PORT, an IPv6 address in "
		    "brackets, e.g. tcp://*:5556 or tcp://[::1]:5556" },
		{ "tcp://[1.2.3.4]:5556", "tcp needs HOST:PORT, an IPv6 "
		    "address in brackets, e.g. tcp://*:5556 or "
		    "tcp://[::1]:5556" },
		{ "tcp://*:65536", "port must be 1 to 65535 or *" },
		{ "tcp://*:55x6", "port must be 1 to 65535 or *" },
		{ "udp://*:5556", "transport udp is not one of tcp, ipc, "
		    "inproc" },
	};
	char		 text[512], want[512];
	struct config	*cfg;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		snprintf(text, sizeof text, MINIMAL "publish:\n  zmq:\n"
		    "    endpoint: \"%s\"\n", good[i]);
		cfg = load_ok(text);
		config_free(cfg);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, MINIMAL "publish:\n  zmq:\n"
		    "    endpoint: \"%s\"\n", bad[i].endpoint);
		snprintf(want, sizeof want, NAME ":7:15: publish.zmq.endpoint: "
		    "%s\n", bad[i].why);
		expect_errors(text, want);
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(aliases_are_refused_where_they_stand),
		cmocka_unit_test(alias_bomb_is_refused_at_its_first_alias),
		cmocka_unit_test(nesting_deeper_than_16_levels_is_refused),
		cmocka_unit_test(
		    nesting_80000_levels_deep_is_refused_at_level_17),
		cmocka_unit_test(more_than_200000_nodes_are_refused),
		cmocka_unit_test(lists_longer_than_their_bound_are_refused),
		cmocka_unit_test(
		    a_hundred_thousand_dnis_load_and_find_their_queue),
		cmocka_unit_test(capture_filter_is_bounded_in_length_and_terms),
		cmocka_unit_test(
		    zmq_endpoints_are_checked_as_start_up_binds_them),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
