/* SPDX-License-Identifier: BSD-2-Clause */
/* test_config.c: unit tests of configuration loading, defaults and errors. */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <regex.h>
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

#include "ccmetrics/conf.h"

#define NAME	"test.yaml"

/* The smallest valid file; it takes lines 1 to 4 of the tests using it. */
#define MINIMAL							\
	"pbx:\n"						\
	"  addresses: [10.0.0.10]\n"				\
	"agents:\n"						\
	"  addresses: [10.1.0.0/16]\n"

/* Fragments and IP-in-IP tunnels, after the ports. */
#define FILTER_TAIL							\
	"(ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] = 44) or "		\
	"ip proto 4 or ip proto 41 or ip6 proto 4 or ip6 proto 41"
#define DEFAULT_FILTER							\
	"udp port 5060 or tcp port 5060 or " FILTER_TAIL

/* Load text; *msgs gets what was written to the error stream. */
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

/* Load text that must be valid; it must print nothing. */
static struct config *
load_ok(const char *text)
{
	struct config	*cfg;
	char		*msgs;

	cfg = load(text, &msgs);
	if (cfg == NULL)
		print_error("valid config rejected:\n%s", msgs);
	assert_non_null(cfg);
	assert_string_equal(msgs, "");
	free(msgs);
	return (cfg);
}

/* Load text that must be refused with exactly the messages want. */
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

static struct addr
addr_of(const char *s)
{
	struct addr	a;

	assert_int_equal(addr_parse(s, &a), 0);
	return (a);
}

static int
set_has(const struct addrset *set, const char *s)
{
	struct addr	a = addr_of(s);

	return (addrset_contains(set, &a));
}

static void
full_config_sets_every_key(void **state)
{
	struct config			*cfg;
	const struct config_queue	*q;

	(void)state;
	cfg = load_ok(
	    "capture:\n"
	    "  interface: eth1\n"
	    "  file: calls.pcap\n"
	    "  filter: \"udp port 5060\"\n"
	    "  sip_ports: [5060, 5080]\n"
	    "  hep_listen: \"[::]:9060\"\n"
	    "  hep_ports: [9060, 19060]\n"
	    "pbx:\n"
	    "  addresses: [10.0.0.10, \"2001:db8::10\"]\n"
	    "trunks:\n"
	    "  addresses: [192.0.2.0/24]\n"
	    "agents:\n"
	    "  addresses:\n"
	    "    - 10.1.0.0/16\n"
	    "    - 2001:db8:1::/48\n"
	    "  user_pattern: \"^[0-9]{4}$\"\n"
	    "queues:\n"
	    "  - name: sales\n"
	    "    dnis: [\"+18005550100\", 5100]\n"
	    "    sl_threshold_s: 30\n"
	    "    sl_target: 0.9\n"
	    "  - name: support\n"
	    "    dnis: [\"+18005550200\"]\n"
	    "default_queue: support\n"
	    "correlation:\n"
	    "  headers: [X-CC-Inbound, X-Other]\n"
	    "  caller_window_s: 3600\n"
	    "metrics:\n"
	    "  interval_s: 1800\n"
	    "  realtime_s: 10\n"
	    "  short_abandon_s: 3\n"
	    "  repeat_window_s: 3600\n"
	    "limits:\n"
	    "  max_legs: 5000000000\n"
	    "  unanswered_leg_timeout_s: 120\n"
	    "  answered_leg_timeout_s: 7200\n"
	    "publish:\n"
	    "  zmq: { endpoint: \"tcp://127.0.0.1:7000\", sndhwm: 5000,\n"
	    "         await_subscribers: 2, await_ms: 100 }\n"
	    "  jsonl: { path: /var/lib/ccmetrics/events.jsonl }\n");

	assert_string_equal(cfg->path, NAME);
	assert_string_equal(cfg->interface, "eth1");
	assert_string_equal(cfg->file, "calls.pcap");
	assert_string_equal(cfg->filter, "udp port 5060");
	assert_false(cfg->filter_default);
	assert_int_equal(cfg->nsip_ports, 2);
	assert_int_equal(cfg->sip_ports[0], 5060);
	assert_int_equal(cfg->sip_ports[1], 5080);
	assert_string_equal(cfg->hep_listen, "[::]:9060");
	assert_int_equal(cfg->hep_addr.family, AF_INET6);
	assert_int_equal(cfg->hep_port, 9060);
	assert_int_equal(cfg->nhep_ports, 2);
	assert_int_equal(cfg->hep_ports[0], 9060);
	assert_int_equal(cfg->hep_ports[1], 19060);

	assert_int_equal(cfg->pbx.n, 2);
	assert_true(set_has(&cfg->pbx, "10.0.0.10"));
	assert_true(set_has(&cfg->pbx, "2001:db8::10"));
	assert_false(set_has(&cfg->pbx, "10.0.0.11"));
	assert_int_equal(cfg->trunks.n, 1);
	assert_true(set_has(&cfg->trunks, "192.0.2.200"));
	assert_int_equal(cfg->agents.n, 2);
	assert_true(set_has(&cfg->agents, "10.1.44.5"));
	assert_true(set_has(&cfg->agents, "2001:db8:1:7::5"));
	assert_false(set_has(&cfg->agents, "2001:db8:2::5"));
	assert_string_equal(cfg->agent_user_pattern, "^[0-9]{4}$");
	assert_int_equal(regexec(&cfg->agent_user_re, "1234", 0, NULL, 0), 0);
	assert_int_equal(regexec(&cfg->agent_user_re, "12345", 0, NULL, 0),
	    REG_NOMATCH);

	assert_int_equal(cfg->nqueues, 2);
	q = &cfg->queues[0];
	assert_string_equal(q->name, "sales");
	assert_int_equal(q->ndnis, 2);
	assert_string_equal(q->dnis[0], "+18005550100");
	assert_string_equal(q->dnis[1], "5100");
	assert_int_equal(q->sl_threshold_s, 30);
	assert_true(q->sl_target == 0.9);
	q = &cfg->queues[1];
	assert_string_equal(q->name, "support");
	assert_int_equal(q->ndnis, 1);
	assert_string_equal(q->dnis[0], "+18005550200");
	assert_int_equal(q->sl_threshold_s, 20);
	assert_true(q->sl_target == 0.80);
	assert_string_equal(cfg->default_queue, "support");

	assert_int_equal(cfg->ncorr_headers, 2);
	assert_string_equal(cfg->corr_headers[0], "X-CC-Inbound");
	assert_string_equal(cfg->corr_headers[1], "X-Other");
	assert_int_equal(cfg->caller_window_s, 3600);

	assert_int_equal(cfg->interval_s, 1800);
	assert_int_equal(cfg->realtime_s, 10);
	assert_int_equal(cfg->short_abandon_s, 3);
	assert_int_equal(cfg->repeat_window_s, 3600);

	assert_true(cfg->max_legs == 5000000000ULL);
	assert_int_equal(cfg->unanswered_leg_timeout_s, 120);
	assert_int_equal(cfg->answered_leg_timeout_s, 7200);

	assert_string_equal(cfg->zmq_endpoint, "tcp://127.0.0.1:7000");
	assert_int_equal(cfg->zmq_sndhwm, 5000);
	assert_int_equal(cfg->zmq_await_subscribers, 2);
	assert_int_equal(cfg->zmq_await_ms, 100);
	assert_string_equal(cfg->jsonl_path, "/var/lib/ccmetrics/events.jsonl");
	config_free(cfg);
}

static void
minimal_config_gets_every_default(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL);
	assert_null(cfg->interface);
	assert_null(cfg->file);
	assert_string_equal(cfg->filter, DEFAULT_FILTER);
	assert_true(cfg->filter_default);
	assert_int_equal(cfg->nsip_ports, 1);
	assert_int_equal(cfg->sip_ports[0], 5060);
	assert_null(cfg->hep_listen);
	assert_int_equal(cfg->nhep_ports, 0);
	assert_int_equal(cfg->pbx.n, 1);
	assert_int_equal(cfg->trunks.n, 0);
	assert_int_equal(cfg->agents.n, 1);
	assert_null(cfg->agent_user_pattern);
	assert_int_equal(cfg->nqueues, 0);
	assert_null(cfg->queues);
	assert_null(cfg->default_queue);
	assert_int_equal(cfg->ncorr_headers, 0);
	assert_int_equal(cfg->caller_window_s, 7200);
	assert_int_equal(cfg->interval_s, 900);
	assert_int_equal(cfg->realtime_s, 5);
	assert_int_equal(cfg->short_abandon_s, 5);
	assert_int_equal(cfg->repeat_window_s, 86400);
	assert_true(cfg->max_legs == 1000000);
	assert_true(cfg->max_callers == 1000000);
	assert_int_equal(cfg->unanswered_leg_timeout_s, 300);
	assert_int_equal(cfg->answered_leg_timeout_s, 14400);
	assert_string_equal(cfg->zmq_endpoint, "tcp://127.0.0.1:5556");
	assert_int_equal(cfg->zmq_sndhwm, 100000);
	assert_int_equal(cfg->zmq_max_subscribers, 32);
	assert_int_equal(cfg->zmq_await_subscribers, 0);
	assert_int_equal(cfg->zmq_await_ms, 3000);
	assert_null(cfg->jsonl_path);
	config_free(cfg);
}

static void
queue_keys_left_out_get_their_defaults(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL "queues:\n  - name: overflow\n");
	assert_int_equal(cfg->nqueues, 1);
	assert_string_equal(cfg->queues[0].name, "overflow");
	assert_int_equal(cfg->queues[0].ndnis, 0);
	assert_int_equal(cfg->queues[0].sl_threshold_s, 20);
	assert_true(cfg->queues[0].sl_target == 0.80);
	config_free(cfg);
}

static void
default_filter_covers_every_sip_port_and_ip_fragments(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL "capture:\n  sip_ports: [5060, 5080]\n");
	assert_string_equal(cfg->filter,
	    "udp port 5060 or tcp port 5060 or udp port 5080 or "
	    "tcp port 5080 or " FILTER_TAIL);
	config_free(cfg);

	/* HEP mirrored to a collector inside the capture: UDP only. */
	cfg = load_ok(MINIMAL "capture:\n  hep_ports: [9060, 9061]\n");
	assert_string_equal(cfg->filter,
	    "udp port 5060 or tcp port 5060 or udp port 9060 or "
	    "udp port 9061 or " FILTER_TAIL);
	config_free(cfg);

	cfg = load_ok(MINIMAL "capture:\n  filter: ~\n");
	assert_string_equal(cfg->filter, DEFAULT_FILTER);
	config_free(cfg);
}

static void
configured_filter_is_kept_as_written_even_empty(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL "capture:\n  filter: \"port 5060\"\n");
	assert_string_equal(cfg->filter, "port 5060");
	assert_false(cfg->filter_default);
	config_free(cfg);
	cfg = load_ok(MINIMAL "capture:\n  filter: \"\"\n");
	assert_string_equal(cfg->filter, "");
	config_free(cfg);
}

static void
zmq_null_disables_zeromq(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL "publish:\n  zmq: ~\n  jsonl: {path: \"-\"}\n");
	assert_null(cfg->zmq_endpoint);
	assert_string_equal(cfg->jsonl_path, "-");
	config_free(cfg);
}

static void
zmq_absent_or_without_endpoint_binds_the_default(void **state)
{
	static const char *texts[] = {
		MINIMAL,
		MINIMAL "publish:\n",
		MINIMAL "publish:\n  jsonl: ~\n",
		MINIMAL "publish:\n  zmq: {}\n",
		MINIMAL "publish:\n  zmq:\n    sndhwm: 10\n",
	};
	struct config	*cfg;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		cfg = load_ok(texts[i]);
		assert_string_equal(cfg->zmq_endpoint, "tcp://127.0.0.1:5556");
		assert_null(cfg->jsonl_path);
		config_free(cfg);
	}
}

static void
default_queue_null_means_unmapped_calls_are_ignored(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL "queues:\n  - name: sales\ndefault_queue: ~\n");
	assert_null(cfg->default_queue);
	config_free(cfg);
	cfg = load_ok(MINIMAL "default_queue: sales\nqueues:\n  - name: sales\n");
	assert_string_equal(cfg->default_queue, "sales");
	config_free(cfg);
}

static void
null_and_empty_sections_keep_defaults(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL "capture:\ntrunks: ~\nqueues: []\n"
	    "correlation: {}\nmetrics:\nlimits:\n");
	assert_int_equal(cfg->nsip_ports, 1);
	assert_int_equal(cfg->trunks.n, 0);
	assert_int_equal(cfg->nqueues, 0);
	assert_int_equal(cfg->interval_s, 900);
	config_free(cfg);
}

static void
plain_numbers_are_taken_as_written_where_strings_are_due(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL
	    "queues:\n  - name: 42\n    dnis: [5100, +18005550100, 0123]\n");
	assert_string_equal(cfg->queues[0].name, "42");
	assert_string_equal(cfg->queues[0].dnis[0], "5100");
	assert_string_equal(cfg->queues[0].dnis[1], "+18005550100");
	assert_string_equal(cfg->queues[0].dnis[2], "0123");
	assert_non_null(config_queue_by_name(cfg, "42"));
	config_free(cfg);
}

static void
interface_and_file_may_both_be_set(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL "capture:\n  interface: eth1\n  file: a.pcap\n");
	assert_string_equal(cfg->interface, "eth1");
	assert_string_equal(cfg->file, "a.pcap");
	config_free(cfg);
}

static void
hep_listen_takes_ipv4_and_bracketed_ipv6(void **state)
{
	struct config	*cfg;
	char		 buf[ADDR_STRLEN];

	(void)state;
	cfg = load_ok(MINIMAL "capture:\n  hep_listen: 0.0.0.0:9060\n");
	assert_int_equal(cfg->hep_addr.family, AF_INET);
	assert_string_equal(addr_format(&cfg->hep_addr, buf, sizeof buf),
	    "0.0.0.0");
	assert_int_equal(cfg->hep_port, 9060);
	config_free(cfg);
	cfg = load_ok(MINIMAL "capture:\n  hep_listen: \"[2001:db8::1]:19060\"\n");
	assert_int_equal(cfg->hep_addr.family, AF_INET6);
	assert_string_equal(addr_format(&cfg->hep_addr, buf, sizeof buf),
	    "2001:db8::1");
	assert_int_equal(cfg->hep_port, 19060);
	config_free(cfg);
}

static void
sl_target_of_exactly_one_is_accepted(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL "queues:\n  - name: a\n    sl_target: 1\n"
	    "  - name: b\n    sl_target: .5\n");
	assert_true(cfg->queues[0].sl_target == 1.0);
	assert_true(cfg->queues[1].sl_target == 0.5);
	config_free(cfg);
}

static void
queue_by_name_finds_only_configured_queues(void **state)
{
	struct config			*cfg;
	const struct config_queue	*q;

	(void)state;
	cfg = load_ok(MINIMAL "queues:\n  - name: sales\n  - name: support\n");
	q = config_queue_by_name(cfg, "support");
	assert_ptr_equal(q, &cfg->queues[1]);
	assert_null(config_queue_by_name(cfg, "Support"));
	assert_null(config_queue_by_name(cfg, ""));
	config_free(cfg);
}

static void
empty_file_is_missing_both_required_address_lists(void **state)
{
	static const char *want =
	    NAME ":1:1: pbx.addresses: must be set\n"
	    NAME ":1:1: agents.addresses: must be set\n";

	(void)state;
	expect_errors("", want);
	expect_errors("# nothing but\n\n   # comments\n", want);
	expect_errors("---\n...\n", want);
	expect_errors("~\n", want);
}

static void
missing_required_addresses_point_at_their_map(void **state)
{
	(void)state;
	expect_errors(
	    "metrics:\n  interval_s: 900\npbx:\n  addresses: [10.0.0.10]\n",
	    NAME ":1:1: agents.addresses: must be set\n");
	expect_errors(
	    "pbx:\n  addresses: [10.0.0.10]\nagents:\n  user_pattern: x\n",
	    NAME ":4:3: agents.addresses: must be set\n");
	expect_errors(
	    "pbx: ~\nagents:\n  addresses: [10.1.0.0/16]\n",
	    NAME ":1:6: pbx.addresses: must be set\n");
}

static void
empty_required_address_list_is_an_error(void **state)
{
	(void)state;
	expect_errors("pbx:\n  addresses: []\nagents:\n  addresses:\n",
	    NAME ":2:14: pbx.addresses: must list at least one address\n"
	    NAME ":4:13: agents.addresses: must list at least one address\n");
}

static void
document_that_is_not_a_map_is_an_error(void **state)
{
	(void)state;
	expect_errors("- pbx\n", NAME ":1:1: (top level): must be a map\n");
	expect_errors("just text\n",
	    NAME ":1:1: (top level): must be a map\n");
}

static void
yaml_syntax_errors_point_at_the_problem(void **state)
{
	(void)state;
	expect_errors(MINIMAL "metrics:\n\tinterval_s: 900\n",
	    NAME ":6:1: syntax error: found character that cannot start any "
	    "token (while scanning for the next token at line 6, column 1)\n");
	expect_errors(MINIMAL "capture:\n  interface: \"eth1\n",
	    NAME ":7:1: syntax error: found unexpected end of stream "
	    "(while scanning a quoted scalar at line 6, column 14)\n");
	expect_errors(MINIMAL "capture:\n  sip_ports: [5060\n",
	    NAME ":7:1: syntax error: did not find expected ',' or ']' "
	    "(while parsing a flow sequence at line 6, column 14)\n");
	expect_errors(MINIMAL "trunks:\n  addresses: *nets\n",
	    NAME ":6:14: (document): aliases are not allowed\n");
	expect_errors("pbx: \xff\n",
	    NAME ":1:6: syntax error: invalid leading UTF-8 octet #FF\n");
}

static void
second_yaml_document_is_an_error(void **state)
{
	(void)state;
	expect_errors(MINIMAL "---\nmetrics:\n  interval_s: 300\n",
	    NAME ":5:1: (top level): only one YAML document is allowed\n");
}

static void
unknown_keys_are_errors_at_every_level(void **state)
{
	(void)state;
	expect_errors(MINIMAL
	    "captur:\n  interface: eth1\n"
	    "capture:\n  interfase: eth1\n"
	    "queues:\n  - name: a\n    sl_targett: 0.8\n"
	    "publish:\n  zmq: {endpont: \"tcp://*:1\"}\n"
	    "pbx.addresses: [10.0.0.1]\n",
	    NAME ":5:1: captur: unknown key\n"
	    NAME ":8:3: capture.interfase: unknown key\n"
	    NAME ":11:5: queues[0].sl_targett: unknown key\n"
	    NAME ":13:9: publish.zmq.endpont: unknown key\n"
	    NAME ":14:1: pbx.addresses: unknown key\n");
}

static void
overlong_unknown_key_is_cut_short_in_its_message(void **state)
{
	char	text[512], want[512], key[301];

	(void)state;
	memset(key, 'k', 300);
	key[300] = '\0';
	snprintf(text, sizeof text, MINIMAL "%s: 1\n", key);
	snprintf(want, sizeof want, NAME ":5:1: %.252s...: unknown key\n", key);
	expect_errors(text, want);
}

static void
control_characters_quoted_from_the_file_stay_on_one_line(void **state)
{
	(void)state;
	expect_errors(MINIMAL "\"a\\nb\\tc\": 1\ntrunks:\n"
	    "  addresses: [\"10.0.0.1\\r\"]\n",
	    NAME ":5:1: a?b?c: unknown key\n"
	    NAME ":7:15: trunks.addresses[0]: \"10.0.0.1?\" is not an address "
	    "or ADDRESS/PREFIX\n");
}

static void
duplicate_keys_are_errors(void **state)
{
	(void)state;
	expect_errors(MINIMAL "metrics:\n  interval_s: 900\n  interval_s: 300\n"
	    "pbx:\n  addresses: [10.0.0.1]\n",
	    NAME ":7:3: metrics.interval_s: duplicate key (first at line 6, "
	    "column 3)\n"
	    NAME ":8:1: pbx: duplicate key (first at line 1, column 1)\n");
}

static void
non_scalar_keys_are_errors(void **state)
{
	(void)state;
	expect_errors(MINIMAL "[a]: 1\nmetrics:\n  {b: 1}: 2\n",
	    NAME ":5:1: (top level): keys must be strings\n"
	    NAME ":7:3: metrics: keys must be strings\n");
}

static void
string_where_an_integer_is_due_is_an_error(void **state)
{
	(void)state;
	expect_errors(MINIMAL "metrics:\n"
	    "  interval_s: \"900\"\n"
	    "  realtime_s: fast\n"
	    "  short_abandon_s: 2.5\n"
	    "  repeat_window_s:\n"
	    "limits:\n"
	    "  max_legs: [1]\n",
	    NAME ":6:15: metrics.interval_s: must be an integer\n"
	    NAME ":7:15: metrics.realtime_s: must be an integer\n"
	    NAME ":8:20: metrics.short_abandon_s: must be an integer\n"
	    NAME ":9:19: metrics.repeat_window_s: must be an integer\n"
	    NAME ":11:13: limits.max_legs: must be an integer\n");
}

static void
sequence_where_a_map_is_due_is_an_error(void **state)
{
	(void)state;
	expect_errors(MINIMAL "capture: [eth1]\nmetrics: 5\n"
	    "publish:\n  zmq: [tcp]\n  jsonl: \"-\"\n",
	    NAME ":5:10: capture: must be a map\n"
	    NAME ":6:10: metrics: must be a map\n"
	    NAME ":8:8: publish.zmq: must be a map\n"
	    NAME ":9:10: publish.jsonl: must be a map\n");
}

static void
map_or_scalar_where_a_sequence_is_due_is_an_error(void **state)
{
	(void)state;
	expect_errors("pbx:\n  addresses: {a: 1}\n"
	    "agents:\n  addresses: 10.1.0.0/16\n"
	    "queues:\n  name: sales\n",
	    NAME ":2:14: pbx.addresses: must be a sequence\n"
	    NAME ":4:14: agents.addresses: must be a sequence\n"
	    NAME ":6:3: queues: must be a sequence\n");
}

static void
non_string_where_a_string_is_due_is_an_error(void **state)
{
	(void)state;
	expect_errors(MINIMAL "capture:\n  interface: [eth1]\n  file: \"\"\n"
	    "publish:\n  jsonl: {path: ~}\n",
	    NAME ":6:14: capture.interface: must be a string\n"
	    NAME ":7:9: capture.file: must not be empty\n"
	    NAME ":9:17: publish.jsonl.path: must be a string\n");
}

static void
ports_outside_1_to_65535_are_errors(void **state)
{
	(void)state;
	expect_errors(MINIMAL "capture:\n  sip_ports: [0, 5060, 65536, -1, "
	    "99999999999999999999]\n",
	    NAME ":6:15: capture.sip_ports[0]: must be between 1 and 65535\n"
	    NAME ":6:24: capture.sip_ports[2]: must be between 1 and 65535\n"
	    NAME ":6:31: capture.sip_ports[3]: must be between 1 and 65535\n"
	    NAME ":6:35: capture.sip_ports[4]: must be between 1 and 65535\n");
}

static void
sip_ports_must_be_a_nonempty_list_without_repeats(void **state)
{
	(void)state;
	expect_errors(MINIMAL "capture:\n  sip_ports: []\n",
	    NAME ":6:14: capture.sip_ports: must list at least one port\n");
	expect_errors(MINIMAL "capture:\n  sip_ports: [5060, 5080, 5060]\n",
	    NAME ":6:27: capture.sip_ports[2]: port 5060 is listed twice\n");
	expect_errors(MINIMAL "capture:\n  sip_ports: [1, 2, 3, 4, 5, 6, 7, 8, "
	    "9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, "
	    "25, 26, 27, 28, 29, 30, 31, 32, 33, 34]\n",
	    NAME ":6:134: capture.sip_ports[32]: at most 32 ports\n");
}

static void
hep_ports_may_be_empty_but_not_repeat_or_leave_range(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL "capture:\n  hep_ports: []\n");
	assert_int_equal(cfg->nhep_ports, 0);
	assert_string_equal(cfg->filter, DEFAULT_FILTER);
	config_free(cfg);
	expect_errors(MINIMAL "capture:\n  hep_ports: [9060, 9060, 0]\n",
	    NAME ":6:21: capture.hep_ports[1]: port 9060 is listed twice\n"
	    NAME ":6:27: capture.hep_ports[2]: must be between 1 and 65535\n");
}

static void
interval_must_be_positive_and_divide_a_day(void **state)
{
	static const char *want = ": metrics.interval_s: must be > 0 and "
	    "divide 86400 (300, 900, 1800, 3600 ...)\n";
	char	text[256], expect[256];
	static const char *bad[] = { "7", "0", "-900", "172800", "1000" };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, MINIMAL "metrics:\n  interval_s: %s\n",
		    bad[i]);
		snprintf(expect, sizeof expect, NAME ":6:15%s", want);
		expect_errors(text, expect);
	}
}

static void
time_values_out_of_range_are_errors(void **state)
{
	(void)state;
	expect_errors(MINIMAL
	    "metrics:\n"
	    "  realtime_s: 0\n"
	    "  short_abandon_s: -1\n"
	    "  repeat_window_s: 3000000000\n"
	    "limits:\n"
	    "  max_legs: 0\n"
	    "  unanswered_leg_timeout_s: 0\n"
	    "  answered_leg_timeout_s: -5\n"
	    "correlation:\n"
	    "  caller_window_s: -1\n"
	    "queues:\n"
	    "  - name: a\n"
	    "    sl_threshold_s: -1\n"
	    "publish:\n"
	    "  zmq: {sndhwm: 0, await_subscribers: -1, await_ms: -1}\n",
	    NAME ":6:15: metrics.realtime_s: must be at least 1\n"
	    NAME ":7:20: metrics.short_abandon_s: must be at least 0\n"
	    NAME ":8:20: metrics.repeat_window_s: must be at most 2147483647\n"
	    NAME ":10:13: limits.max_legs: must be at least 1\n"
	    NAME ":11:29: limits.unanswered_leg_timeout_s: must be at least 1\n"
	    NAME ":12:27: limits.answered_leg_timeout_s: must be at least 1\n"
	    NAME ":14:20: correlation.caller_window_s: must be at least 0\n"
	    NAME ":17:21: queues[0].sl_threshold_s: must be at least 0\n"
	    NAME ":19:17: publish.zmq.sndhwm: must be at least 1\n"
	    NAME ":19:39: publish.zmq.await_subscribers: must be at least 0\n"
	    NAME ":19:53: publish.zmq.await_ms: must be at least 0\n");
}

static void
sl_target_outside_0_to_1_is_an_error(void **state)
{
	(void)state;
	expect_errors(MINIMAL "queues:\n"
	    "  - name: a\n    sl_target: 0\n"
	    "  - name: b\n    sl_target: 1.5\n"
	    "  - name: c\n    sl_target: -0.1\n"
	    "  - name: d\n    sl_target: \"0.8\"\n"
	    "  - name: e\n    sl_target: nan\n"
	    "  - name: f\n    sl_target: 80%\n",
	    NAME ":7:16: queues[0].sl_target: must be in (0, 1]\n"
	    NAME ":9:16: queues[1].sl_target: must be in (0, 1]\n"
	    NAME ":11:16: queues[2].sl_target: must be in (0, 1]\n"
	    NAME ":13:16: queues[3].sl_target: must be a number\n"
	    NAME ":15:16: queues[4].sl_target: must be a number\n"
	    NAME ":17:16: queues[5].sl_target: must be a number\n");
}

static void
erlang_a_keys_default_to_measured_patience_and_five_percent(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL "queues:\n  - name: a\n"
	    "  - name: b\n    max_abandon: 1\n    erlang_a_patience_s: 86400\n"
	    "  - name: c\n    max_abandon: .1\n    erlang_a_patience_s: 0.5\n"
	    "  - name: d\n    erlang_a_patience_s: ~\n");
	assert_true(cfg->queues[0].max_abandon == 0.05);
	assert_true(cfg->queues[0].erlang_a_patience_s == 0.0);
	assert_true(cfg->queues[1].max_abandon == 1.0);
	assert_true(cfg->queues[1].erlang_a_patience_s == 86400.0);
	assert_true(cfg->queues[2].max_abandon == 0.1);
	assert_true(cfg->queues[2].erlang_a_patience_s == 0.5);
	assert_true(cfg->queues[3].erlang_a_patience_s == 0.0);
	config_free(cfg);
}

static void
erlang_a_keys_out_of_range_are_errors(void **state)
{
	(void)state;
	expect_errors(MINIMAL "queues:\n"
	    "  - name: a\n    max_abandon: 0\n"
	    "  - name: b\n    max_abandon: 1.01\n"
	    "  - name: c\n    erlang_a_patience_s: 0\n"
	    "  - name: d\n    erlang_a_patience_s: 86400.5\n"
	    "  - name: e\n    erlang_a_patience_s: -3\n"
	    "  - name: f\n    erlang_a_patience_s: inf\n",
	    NAME ":7:18: queues[0].max_abandon: must be in (0, 1]\n"
	    NAME ":9:18: queues[1].max_abandon: must be in (0, 1]\n"
	    NAME ":11:26: queues[2].erlang_a_patience_s: must be in (0, 86400]\n"
	    NAME ":13:26: queues[3].erlang_a_patience_s: must be in (0, 86400]\n"
	    NAME ":15:26: queues[4].erlang_a_patience_s: must be in (0, 86400]\n"
	    NAME ":17:26: queues[5].erlang_a_patience_s: must be a number\n");
}

static void
bad_addresses_and_prefixes_are_errors(void **state)
{
	(void)state;
	expect_errors("pbx:\n"
	    "  addresses: [10.0.0.0/33, 10.0.0.300, \"::/129\", pbx.local]\n"
	    "agents:\n"
	    "  addresses:\n"
	    "    - 10.1.0.0/16\n"
	    "    - 10.2.0.0/\n"
	    "    - [10.3.0.0/16]\n",
	    NAME ":2:15: pbx.addresses[0]: \"10.0.0.0/33\" is not an address "
	    "or ADDRESS/PREFIX\n"
	    NAME ":2:28: pbx.addresses[1]: \"10.0.0.300\" is not an address "
	    "or ADDRESS/PREFIX\n"
	    NAME ":2:40: pbx.addresses[2]: \"::/129\" is not an address "
	    "or ADDRESS/PREFIX\n"
	    NAME ":2:50: pbx.addresses[3]: \"pbx.local\" is not an address "
	    "or ADDRESS/PREFIX\n"
	    NAME ":6:7: agents.addresses[1]: \"10.2.0.0/\" is not an address "
	    "or ADDRESS/PREFIX\n"
	    NAME ":7:7: agents.addresses[2]: must be a string\n");
}

static void
bad_regex_is_an_error_with_regerror_text(void **state)
{
	regex_t	re;
	char	why[256], want[512];
	int	rc;

	(void)state;
	rc = regcomp(&re, "^[0-9", REG_EXTENDED|REG_NOSUB);
	assert_int_not_equal(rc, 0);
	regerror(rc, &re, why, sizeof why);
	snprintf(want, sizeof want, NAME ":4:17: agents.user_pattern: "
	    "bad regular expression: %s\n", why);
	expect_errors("pbx:\n  addresses: [10.0.0.10]\nagents:\n"
	    "  user_pattern: \"^[0-9\"\n  addresses: [10.1.0.0/16]\n", want);
}

/* Found by fuzz/config-fuzzer: glibc's regcomp() took gigabytes or minutes. */
static void
regex_too_complex_for_regcomp_is_an_error(void **state)
{
	static const struct {
		const char	*pattern;
		const char	*why;
	} bad[] = {
		{ "^[0-9]++++++++++++++++++++++++++++++++++++{4}$",
		  "repetition operators in a row (undefined in POSIX ERE)" },
		{ "^[0-9++++++]+++*+++{4}$",
		  "repetition operators in a row (undefined in POSIX ERE)" },
		{ "x{2}{2}", "repetition operators in a row (undefined in POSIX "
		  "ERE)" },
		{ "((a{20}){20}){20}",
		  "repetitions unroll to more than 4096 copies" },
		{ "((a{,100}){,100})",
		  "repetitions unroll to more than 4096 copies" },
		{ "x{4097}", "repetitions unroll to more than 4096 copies" },
		{ "(((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))"
		  "))))))))))", "groups nest deeper than 32" },
	};
	static const char *const good[] = {
		"^[0-9]{4}$", "^(1[0-9]{3}|agent-[a-z]+)$", "^[[:digit:]]{4,6}$",
		"x{4096}", "^[]{}+*]{64}$", "a)b{99}", "^(sip|tel)[0-9]+(-[a-z]+)*$",
		"((((a+)+)+)+){4}", "a\\\\+\\\\*",
	};
	char		 text[512], want[512];
	struct config	*cfg;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "pbx:\n  addresses: [10.0.0.10]\n"
		    "agents:\n  addresses: [10.1.0.0/16]\n"
		    "  user_pattern: \"%s\"\n", bad[i].pattern);
		snprintf(want, sizeof want, NAME ":5:17: agents.user_pattern: "
		    "regular expression too complex: %s\n", bad[i].why);
		expect_errors(text, want);
	}
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		snprintf(text, sizeof text, "pbx:\n  addresses: [10.0.0.10]\n"
		    "agents:\n  addresses: [10.1.0.0/16]\n"
		    "  user_pattern: \"%s\"\n", good[i]);
		cfg = load_ok(text);
		config_free(cfg);
	}
}

static void
queue_names_must_be_unique_words(void **state)
{
	(void)state;
	expect_errors(MINIMAL "queues:\n"
	    "  - name: sales\n"
	    "  - name: sales\n"
	    "  - name: sales desk\n"
	    "  - name: \"\"\n"
	    "  - name: "
	    "a123456789b123456789c123456789d123456789e123456789f123456789g123\n"
	    "  - name: "
	    "a123456789b123456789c123456789d123456789e123456789f123456789g12\n",
	    NAME ":7:11: queues[1].name: duplicate queue name \"sales\" "
	    "(also queues[0])\n"
	    NAME ":8:11: queues[2].name: must match [A-Za-z0-9_-]+\n"
	    NAME ":9:11: queues[3].name: must not be empty\n"
	    NAME ":10:11: queues[4].name: must be at most 63 characters\n");
}

static void
queue_without_name_or_not_a_map_is_an_error(void **state)
{
	(void)state;
	expect_errors(MINIMAL "queues:\n"
	    "  - dnis: [\"5100\"]\n"
	    "  - sales\n"
	    "  -\n",
	    NAME ":6:5: queues[0].name: must be set\n"
	    NAME ":7:5: queues[1]: must be a map\n"
	    NAME ":8:4: queues[2]: must be a map\n");
}

static void
same_dnis_in_two_queues_is_an_error(void **state)
{
	(void)state;
	expect_errors(MINIMAL "queues:\n"
	    "  - name: sales\n"
	    "    dnis: [\"+18005550100\", \"5100\"]\n"
	    "  - name: support\n"
	    "    dnis: [\"+18005550200\", 5100]\n"
	    "  - dnis: [\"+18005550200\"]\n"
	    "    name: billing\n"
	    "  - name: vip\n"
	    "    dnis: [\"7000\", \"7000\"]\n",
	    NAME ":9:28: queues[1].dnis[1]: DNIS \"5100\" already belongs to "
	    "queue sales\n"
	    NAME ":10:12: queues[2].dnis[0]: DNIS \"+18005550200\" already "
	    "belongs to queue support\n"
	    NAME ":13:20: queues[3].dnis[1]: DNIS \"7000\" is listed twice\n");
}

static void
default_queue_must_name_a_queue(void **state)
{
	(void)state;
	expect_errors(MINIMAL "default_queue: sale\n"
	    "queues:\n  - name: sales\n",
	    NAME ":5:16: default_queue: no queue is named \"sale\"\n");
	expect_errors(MINIMAL "default_queue: other\n",
	    NAME ":5:16: default_queue: no queue is named \"other\"\n");
}

static void
bad_hep_listen_is_an_error(void **state)
{
	static const char *bad[] = {
		"9060", "0.0.0.0", "\"::1:9060\"", "\"[::1]9060\"",
		"0.0.0.0:0", "0.0.0.0:70000", "localhost:9060",
		"\"[10.0.0.1]:9060\"", "0.0.0.0:90a",
	};
	char	text[256], want[256];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, MINIMAL "capture:\n  hep_listen: %s\n",
		    bad[i]);
		snprintf(want, sizeof want, NAME ":6:15: capture.hep_listen: "
		    "must be ADDRESS:PORT, e.g. 0.0.0.0:9060 or [::]:9060\n");
		expect_errors(text, want);
	}
}

static void
bad_zmq_endpoint_is_an_error(void **state)
{
	(void)state;
	expect_errors(MINIMAL "publish:\n  zmq:\n    endpoint: \"*:5556\"\n",
	    NAME ":7:15: publish.zmq.endpoint: must be TRANSPORT://ADDRESS, "
	    "e.g. tcp://*:5556\n");
}

static void
bad_correlation_headers_are_errors(void **state)
{
	(void)state;
	expect_errors(MINIMAL "correlation:\n"
	    "  headers: [X-CC-Inbound, \"X CC\", \"X-Tag:\", x-cc-inbound]\n",
	    NAME ":6:27: correlation.headers[1]: \"X CC\" is not a SIP "
	    "header name\n"
	    NAME ":6:35: correlation.headers[2]: \"X-Tag:\" is not a SIP "
	    "header name\n"
	    NAME ":6:45: correlation.headers[3]: header x-cc-inbound is "
	    "listed twice\n");
	expect_errors(MINIMAL "correlation:\n"
	    "  headers: [A, B, C, D, E, F, G, H, I]\n",
	    NAME ":6:37: correlation.headers[8]: at most 8 headers\n");
}

static void
jsonl_without_path_is_an_error(void **state)
{
	(void)state;
	expect_errors(MINIMAL "publish:\n  jsonl: {}\n",
	    NAME ":6:10: publish.jsonl.path: must be set\n");
	expect_errors(MINIMAL "publish:\n  jsonl:\n    pth: out.jsonl\n",
	    NAME ":7:5: publish.jsonl.pth: unknown key\n"
	    NAME ":7:5: publish.jsonl.path: must be set\n");
}

static void
every_error_in_a_file_is_reported_in_file_order(void **state)
{
	(void)state;
	expect_errors(
	    "capture:\n"
	    "  sip_ports: [5060, 0]\n"
	    "pbx:\n"
	    "  addresses: [10.0.0.300]\n"
	    "default_queue: nowhere\n"
	    "queues:\n"
	    "  - name: sales\n"
	    "    sl_target: 2\n"
	    "  - name: sales\n"
	    "metrics:\n"
	    "  interval_s: 7\n"
	    "  colour: blue\n",
	    NAME ":1:1: agents.addresses: must be set\n"
	    NAME ":2:21: capture.sip_ports[1]: must be between 1 and 65535\n"
	    NAME ":4:15: pbx.addresses[0]: \"10.0.0.300\" is not an address "
	    "or ADDRESS/PREFIX\n"
	    NAME ":5:16: default_queue: no queue is named \"nowhere\"\n"
	    NAME ":8:16: queues[0].sl_target: must be in (0, 1]\n"
	    NAME ":9:11: queues[1].name: duplicate queue name \"sales\" "
	    "(also queues[0])\n"
	    NAME ":11:15: metrics.interval_s: must be > 0 and divide 86400 "
	    "(300, 900, 1800, 3600 ...)\n"
	    NAME ":12:3: metrics.colour: unknown key\n");
}

static void
valid_config_prints_nothing_and_null_errs_is_stderr(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = config_load_string(NAME, MINIMAL, NULL);
	assert_non_null(cfg);
	config_free(cfg);
	config_free(NULL);
}

/* Read a file of the source tree, found through $srcdir as automake sets it. */
static char *
read_source(const char *rel)
{
	static const char	*up[] = { "", "../" };
	const char		*srcdir = getenv("srcdir");
	char			 path[4096], *text;
	size_t			 i, len;
	FILE			*f = NULL;
	long			 size;

	if (srcdir == NULL)
		srcdir = ".";
	for (i = 0; i < sizeof up / sizeof up[0] && f == NULL; i++) {
		snprintf(path, sizeof path, "%s/%s%s", srcdir, up[i], rel);
		f = fopen(path, "r");
	}
	if (f == NULL)
		fail_msg("%s not found under srcdir=%s", rel, srcdir);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	text = malloc((size_t)size + 1);
	assert_non_null(text);
	len = fread(text, 1, (size_t)size, f);
	assert_int_equal(len, (size_t)size);
	text[len] = '\0';
	fclose(f);
	return (text);
}

static void
example_config_loads_with_the_design_values(void **state)
{
	struct config	*cfg;
	char		*text, *msgs;

	(void)state;
	text = read_source("conf/ccmetricsd.yaml");
	cfg = load(text, &msgs);
	free(text);
	if (cfg == NULL) {
		print_error("conf/ccmetricsd.yaml rejected:\n%s", msgs);
		free(msgs);
		fail();
		return;		/* not reached; the analyzer cannot know */
	}
	assert_string_equal(msgs, "");
	free(msgs);
	assert_string_equal(cfg->interface, "eth1");
	assert_int_equal(cfg->nsip_ports, 2);
	assert_int_equal(cfg->sip_ports[1], 5080);
	assert_string_equal(cfg->filter, "udp port 5060 or tcp port 5060 or "
	    "udp port 5080 or tcp port 5080 or " FILTER_TAIL);
	assert_true(set_has(&cfg->pbx, "10.0.0.10"));
	assert_true(set_has(&cfg->trunks, "192.0.2.1"));
	assert_true(set_has(&cfg->agents, "10.1.2.3"));
	assert_string_equal(cfg->agent_user_pattern, "^[0-9]{4}$");
	assert_int_equal(cfg->nqueues, 2);
	assert_string_equal(cfg->queues[0].name, "sales");
	assert_string_equal(cfg->queues[0].dnis[1], "5100");
	assert_string_equal(cfg->queues[1].name, "support");
	assert_null(cfg->default_queue);
	assert_string_equal(cfg->corr_headers[0], "X-CC-Inbound");
	assert_int_equal(cfg->interval_s, 900);
	assert_true(cfg->max_legs == 1000000);
	assert_string_equal(cfg->zmq_endpoint, "tcp://127.0.0.1:5556");
	assert_int_equal(cfg->zmq_sndhwm, 100000);
	config_free(cfg);
}

static void
config_load_reads_a_file_and_reports_a_missing_one(void **state)
{
	char		 path[] = "/tmp/test_config.XXXXXX", want[512];
	struct config	*cfg;
	char		*msgs;
	size_t		 len;
	FILE		*errs;
	int		 fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(write(fd, MINIMAL "metrics: {interval_s: 7}\n",
	    sizeof MINIMAL "metrics: {interval_s: 7}\n" - 1),
	    (ssize_t)(sizeof MINIMAL "metrics: {interval_s: 7}\n" - 1));
	close(fd);

	errs = open_memstream(&msgs, &len);
	assert_non_null(errs);
	assert_null(config_load(path, errs));
	fclose(errs);
	snprintf(want, sizeof want, "%s:5:23: metrics.interval_s: must be "
	    "> 0 and divide 86400 (300, 900, 1800, 3600 ...)\n", path);
	assert_string_equal(msgs, want);
	free(msgs);

	errs = open_memstream(&msgs, &len);
	assert_non_null(errs);
	assert_int_equal(unlink(path), 0);
	assert_null(config_load(path, errs));
	fclose(errs);
	snprintf(want, sizeof want, "%s: %s\n", path, strerror(ENOENT));
	assert_string_equal(msgs, want);
	free(msgs);

	errs = open_memstream(&msgs, &len);
	assert_non_null(errs);
	cfg = config_load("/dev/null", errs);
	fclose(errs);
	assert_null(cfg);
	assert_string_equal(msgs, "/dev/null:1:1: pbx.addresses: must be set\n"
	    "/dev/null:1:1: agents.addresses: must be set\n");
	free(msgs);
}

/* Two CURVE key pairs made by zmq_curve_keypair(). */
#define PUB_A	"di@4p8D%.@SadAZ.Ps%Z%0?T*-<+0?.5#d9sNY-/"
#define SEC_A	"4nS)^Uhu?+Ms1:]UAVI:c5@-lN<q:[0^qoq=LpJf"
#define PUB_B	"epqWTzy^K30FLPpZjr>l4>wR<&c:L0d7.w4dWo3$"

static void
daemon_log_privacy_and_curve_default_to_off(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL);
	assert_null(cfg->daemon_user);
	assert_null(cfg->daemon_group);
	assert_int_equal(cfg->log_level, 2);	/* info */
	assert_int_equal(cfg->privacy_caller, PRIVACY_CLEAR);
	assert_null(cfg->privacy_secret);
	assert_int_equal(cfg->privacy_mask_digits, 4);
	assert_null(cfg->zmq_curve_secret_key);
	assert_null(cfg->zmq_curve_public_key);
	assert_int_equal(cfg->nzmq_curve_allowed, 0);
	config_free(cfg);
}

static void
daemon_log_privacy_and_curve_keys_are_read(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL
	    "daemon: { user: nobody, group: nogroup }\n"
	    "log: { level: debug }\n"
	    "privacy: { caller: hash, secret: 0123456789abcdef, "
	    "mask_digits: 2 }\n"
	    "publish:\n"
	    "  zmq:\n"
	    "    curve_secret_key: \"" SEC_A "\"\n"
	    "    curve_public_key: \"" PUB_A "\"\n"
	    "    curve_allowed_clients: [\"" PUB_A "\", \"" PUB_B "\"]\n");
	assert_string_equal(cfg->daemon_user, "nobody");
	assert_string_equal(cfg->daemon_group, "nogroup");
	assert_int_equal(cfg->log_level, 3);
	assert_int_equal(cfg->privacy_caller, PRIVACY_HASH);
	assert_string_equal(cfg->privacy_secret, "0123456789abcdef");
	assert_int_equal(cfg->privacy_mask_digits, 2);
	assert_string_equal(cfg->zmq_curve_secret_key, SEC_A);
	assert_string_equal(cfg->zmq_curve_public_key, PUB_A);
	assert_int_equal(cfg->nzmq_curve_allowed, 2);
	assert_string_equal(cfg->zmq_curve_allowed[1], PUB_B);
	config_free(cfg);

	cfg = load_ok(MINIMAL "privacy: { caller: mask }\n"
	    "log: { level: error }\n");
	assert_int_equal(cfg->privacy_caller, PRIVACY_MASK);
	assert_int_equal(cfg->log_level, 0);
	config_free(cfg);
}

static void
words_outside_a_choice_are_errors_listing_the_choices(void **state)
{
	(void)state;
	expect_errors(MINIMAL "log: { level: loud }\n"
	    "privacy: { caller: scramble }\n",
	    NAME ":5:15: log.level: must be one of error, warning, info, "
	    "debug\n"
	    NAME ":6:20: privacy.caller: must be one of clear, hash, mask\n");
}

static void
hash_needs_a_secret_of_sixteen_characters(void **state)
{
	(void)state;
	expect_errors(MINIMAL "privacy: { caller: hash }\n",
	    NAME ":5:20: privacy.caller: hash needs privacy.secret of at "
	    "least 16 characters\n");
	expect_errors(MINIMAL "privacy: { caller: hash, secret: short }\n",
	    NAME ":5:34: privacy.secret: hash needs privacy.secret of at "
	    "least 16 characters\n");
	expect_errors(MINIMAL "privacy: { mask_digits: 33 }\n",
	    NAME ":5:25: privacy.mask_digits: must be between 0 and 32\n");
}

static void
group_without_user_is_an_error(void **state)
{
	(void)state;
	expect_errors(MINIMAL "daemon: { group: nogroup }\n",
	    NAME ":5:18: daemon.group: needs daemon.user\n");
}

static void
curve_keys_must_be_z85_and_a_matching_pair(void **state)
{
	(void)state;
	expect_errors(MINIMAL "publish:\n  zmq:\n"
	    "    curve_secret_key: tooshort\n"
	    "    curve_allowed_clients: [\"" PUB_A "\", \"" PUB_A "\", x]\n",
	    NAME ":7:23: publish.zmq.curve_secret_key: must be a CURVE key: "
	    "40 characters of Z85 (ccmetrics-sub --keygen makes one)\n"
	    NAME ":8:28: publish.zmq.curve_allowed_clients: needs "
	    "publish.zmq.curve_secret_key\n"
	    NAME ":8:73: publish.zmq.curve_allowed_clients[1]: key is listed "
	    "twice\n"
	    NAME ":8:117: publish.zmq.curve_allowed_clients[2]: must be a "
	    "CURVE public key: 40 characters of Z85\n");
	expect_errors(MINIMAL "publish:\n  zmq:\n"
	    "    curve_secret_key: \"" SEC_A "\"\n"
	    "    curve_public_key: \"" PUB_B "\"\n",
	    NAME ":8:23: publish.zmq.curve_public_key: is not the public key "
	    "of curve_secret_key (that is " PUB_A ")\n");
	expect_errors(MINIMAL "publish:\n  zmq:\n"
	    "    curve_public_key: \"" PUB_B "\"\n",
	    NAME ":7:23: publish.zmq.curve_public_key: needs "
	    "publish.zmq.curve_secret_key\n");
}

/*
 * Whether a line of text, past indentation, "#" and "- ", starts with
 * "leaf:" (commented-out keys document too).
 */
static int
mentions_key(const char *text, const char *leaf)
{
	const char	*p = text;
	size_t		 len = strlen(leaf);

	while (p != NULL && *p != '\0') {
		p += strspn(p, " ");
		if (*p == '#')
			p += 1 + strspn(p + 1, " ");
		if (p[0] == '-' && p[1] == ' ')
			p += 2;
		if (strncmp(p, leaf, len) == 0 && p[len] == ':')
			return (1);
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return (0);
}

/* The host name up to its first dot, as the default site must be. */
static void
short_host_name(char *buf, size_t len)
{
	assert_int_equal(gethostname(buf, len), 0);
	buf[len - 1] = '\0';
	buf[strcspn(buf, ".")] = '\0';
}

static void
site_defaults_to_the_short_host_name(void **state)
{
	struct config	*cfg;
	char		 host[256];

	(void)state;
	short_host_name(host, sizeof host);
	/* A host name of letters, digits and '-' is taken as it is. */
	assert_true(host[0] != '\0' && strspn(host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == strlen(host) &&
	    strlen(host) <= 63);
	cfg = load_ok(MINIMAL);
	assert_string_equal(cfg->site, host);
	assert_int_equal(cfg->site_default, CONFIG_SITE_HOST);
	config_free(cfg);
	cfg = load_ok(MINIMAL "site: ~\n");
	assert_string_equal(cfg->site, host);
	config_free(cfg);
	cfg = load_ok("site: east_1-B\n" MINIMAL);
	assert_string_equal(cfg->site, "east_1-B");
	assert_int_equal(cfg->site_default, CONFIG_SITE_SET);
	config_free(cfg);
	/* 63 characters: the longest site. */
	cfg = load_ok(MINIMAL "site: "
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc\n");
	assert_int_equal(strlen(cfg->site), 63);
	config_free(cfg);
	assert_false(config_key_reloadable("site"));
}

static void
site_must_be_a_word_of_at_most_63_characters(void **state)
{
	(void)state;
	expect_errors(MINIMAL "site: east.1\n",
	    NAME ":5:7: site: must match [A-Za-z0-9_-]+\n");
	expect_errors("site: \"\"\n" MINIMAL,
	    NAME ":1:7: site: must not be empty\n");
	expect_errors("site: \"a b\"\n" MINIMAL,
	    NAME ":1:7: site: must match [A-Za-z0-9_-]+\n");
	expect_errors("site: [east1]\n" MINIMAL,
	    NAME ":1:7: site: must be a string\n");
	expect_errors("site: Zo\xc3\xab\n" MINIMAL,
	    NAME ":1:7: site: must match [A-Za-z0-9_-]+\n");
	expect_errors("site: "
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd\n"
	    MINIMAL, NAME ":1:7: site: longer than 63 characters\n");
}

static void
nats_is_off_unless_given_and_gets_its_defaults(void **state)
{
	struct config	*cfg;

	(void)state;
	cfg = load_ok(MINIMAL);
	assert_null(cfg->nats_url);
	config_free(cfg);
	cfg = load_ok(MINIMAL "publish:\n  nats: ~\n");
	assert_null(cfg->nats_url);
	config_free(cfg);
	cfg = load_ok(MINIMAL "publish:\n  nats: { url: nats://127.0.0.1:4222 }\n");
	assert_string_equal(cfg->nats_url, "nats://127.0.0.1:4222");
	assert_string_equal(cfg->nats_subject_prefix, "ccmetrics");
	assert_int_equal(cfg->nats_max_pending, 100000);
	assert_null(cfg->nats_tls_ca);
	assert_null(cfg->nats_creds);
	assert_null(cfg->nats_user);
	assert_null(cfg->nats_token);
	config_free(cfg);
	cfg = load_ok(MINIMAL "publish:\n  nats:\n"
	    "    url: \"tls://a:4222,tls://u:p@b:4222\"\n"
	    "    subject_prefix: cc.metrics-1\n    max_pending: 1\n"
	    "    tls_ca: ca.pem\n    tls_cert: c.pem\n    tls_key: k.pem\n"
	    "    user: u\n    password: p\n");
	assert_string_equal(cfg->nats_subject_prefix, "cc.metrics-1");
	assert_int_equal(cfg->nats_max_pending, 1);
	assert_string_equal(cfg->nats_tls_key, "k.pem");
	assert_string_equal(cfg->nats_password, "p");
	config_free(cfg);
	assert_false(config_key_reloadable("publish.nats.url"));
	assert_false(config_key_reloadable("publish.nats.max_pending"));
}

static void
nats_keys_are_checked_at_their_place(void **state)
{
	(void)state;
	expect_errors(MINIMAL "publish:\n  nats: {}\n",
	    NAME ":6:9: publish.nats.url: must be set\n");
	expect_errors(MINIMAL "publish:\n  nats:\n    url: 127.0.0.1:4222\n",
	    NAME ":7:10: publish.nats.url: must be nats://HOST:PORT or "
	    "tls://HOST:PORT, several separated by commas\n");
	expect_errors(MINIMAL "publish:\n  nats:\n"
	    "    url: \"nats://a:1,\"\n",
	    NAME ":7:10: publish.nats.url: must be nats://HOST:PORT or "
	    "tls://HOST:PORT, several separated by commas\n");
	expect_errors(MINIMAL "publish:\n  nats:\n    url: nats://a:1\n"
	    "    subject_prefix: \"a.*\"\n",
	    NAME ":8:21: publish.nats.subject_prefix: must be tokens of "
	    "[A-Za-z0-9_-] separated by dots\n");
	expect_errors(MINIMAL "publish:\n  nats:\n    url: nats://a:1\n"
	    "    subject_prefix: a..b\n",
	    NAME ":8:21: publish.nats.subject_prefix: must be tokens of "
	    "[A-Za-z0-9_-] separated by dots\n");
	expect_errors(MINIMAL "publish:\n  nats:\n    url: nats://a:1\n"
	    "    max_pending: 0\n",
	    NAME ":8:18: publish.nats.max_pending: must be between 1 and "
	    "10000000\n");
	expect_errors(MINIMAL "publish:\n  nats:\n    url: nats://a:1\n"
	    "    tls_cert: c.pem\n",
	    NAME ":8:15: publish.nats.tls_cert: tls_cert and tls_key go "
	    "together\n");
	expect_errors(MINIMAL "publish:\n  nats:\n    url: nats://a:1\n"
	    "    password: p\n",
	    NAME ":8:15: publish.nats.password: needs publish.nats.user\n");
	expect_errors(MINIMAL "publish:\n  nats:\n    url: nats://a:1\n"
	    "    creds: x.creds\n    token: t\n",
	    NAME ":8:12: publish.nats.creds: is one way to log in: not with "
	    "user or token\n");
	expect_errors(MINIMAL "publish:\n  nats:\n    url: nats://a:1\n"
	    "    user: u\n    token: t\n",
	    NAME ":9:12: publish.nats.token: is one way to log in: not with "
	    "user\n");
}

/* A key of the table under which other keys are. */
static bool
is_section(const char *key)
{
	const char	*k;
	size_t		 i, len = strlen(key);

	for (i = 0; (k = config_schema_key(i, NULL, NULL)) != NULL; i++)
		if (strncmp(k, key, len) == 0 && k[len] == '.')
			return (true);
	return (false);
}

/* docs/operations.md names every key a reload does not apply. */
static void
every_restart_key_is_in_the_operations_guide(void **state)
{
	char		*doc, *start, *end, name[160];
	const char	*key;
	size_t		 i, n = 0;

	(void)state;
	doc = read_source("docs/operations.md");
	start = strstr(doc, "The keys that need a restart");
	assert_non_null(start);
	end = strstr(start, "\n\n");
	assert_non_null(end);
	*end = '\0';
	for (i = 0; (key = config_schema_key(i, NULL, NULL)) != NULL; i++) {
		if (config_key_reloadable(key))
			continue;
		n++;
		snprintf(name, sizeof name, "`%s`", key);
		if (strstr(start, name) == NULL)
			fail_msg("docs/operations.md: the restart keys lack %s",
			    key);
	}
	/*
	 * Each named key needs a restart (none reloadable named; a section
	 * such as publish.nats may be named for its keys).
	 */
	for (i = 0; (key = config_schema_key(i, NULL, NULL)) != NULL; i++) {
		snprintf(name, sizeof name, "`%s`", key);
		if (config_key_reloadable(key) && !is_section(key) &&
		    strstr(start, name) != NULL)
			fail_msg("docs/operations.md: %s is named as needing a "
			    "restart but reloads", key);
	}
	assert_true(n >= 30);
	free(doc);
}

static void
every_key_is_in_the_man_page_and_the_example(void **state)
{
	char		*man, *conf, item[128], *start, *end;
	const char	*key, *leaf, *def, *help;
	size_t		 i;

	(void)state;
	man = read_source("man/ccmetricsd.yaml.5");
	conf = read_source("conf/ccmetricsd.yaml");
	for (i = 0; (key = config_schema_key(i, &def, &help)) != NULL; i++) {
		assert_true(help != NULL && *help != '\0');
		leaf = strrchr(key, '.') != NULL ? strrchr(key, '.') + 1 : key;
		if (!mentions_key(conf, leaf))
			fail_msg("example config lacks %s", key);

		/* Sections are headings (.Ss), their keys items (.It). */
		snprintf(item, sizeof item, ".It Ic %s ", key);
		if ((start = strstr(man, item)) == NULL) {
			if (strchr(key, '.') != NULL || strstr(man, key) == NULL)
				fail_msg("man page lacks \"%s\"", item);
			continue;
		}
		if (def == NULL)
			continue;
		/* The item, up to the next one, states the default. */
		if ((end = strstr(start + 1, ".It ")) != NULL)
			*end = '\0';
		if (strstr(start, def) == NULL)
			fail_msg("man page item %s lacks default %s", key, def);
		if (end != NULL)
			*end = '.';
	}
	assert_true(i > 30);
	assert_null(config_schema_key(i, NULL, NULL));
	free(man);
	free(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_config_sets_every_key),
		cmocka_unit_test(minimal_config_gets_every_default),
		cmocka_unit_test(queue_keys_left_out_get_their_defaults),
		cmocka_unit_test(
		    default_filter_covers_every_sip_port_and_ip_fragments),
		cmocka_unit_test(configured_filter_is_kept_as_written_even_empty),
		cmocka_unit_test(zmq_null_disables_zeromq),
		cmocka_unit_test(
		    zmq_absent_or_without_endpoint_binds_the_default),
		cmocka_unit_test(
		    default_queue_null_means_unmapped_calls_are_ignored),
		cmocka_unit_test(null_and_empty_sections_keep_defaults),
		cmocka_unit_test(
		    plain_numbers_are_taken_as_written_where_strings_are_due),
		cmocka_unit_test(interface_and_file_may_both_be_set),
		cmocka_unit_test(hep_listen_takes_ipv4_and_bracketed_ipv6),
		cmocka_unit_test(sl_target_of_exactly_one_is_accepted),
		cmocka_unit_test(queue_by_name_finds_only_configured_queues),
		cmocka_unit_test(empty_file_is_missing_both_required_address_lists),
		cmocka_unit_test(missing_required_addresses_point_at_their_map),
		cmocka_unit_test(empty_required_address_list_is_an_error),
		cmocka_unit_test(document_that_is_not_a_map_is_an_error),
		cmocka_unit_test(yaml_syntax_errors_point_at_the_problem),
		cmocka_unit_test(second_yaml_document_is_an_error),
		cmocka_unit_test(unknown_keys_are_errors_at_every_level),
		cmocka_unit_test(
		    overlong_unknown_key_is_cut_short_in_its_message),
		cmocka_unit_test(
		    control_characters_quoted_from_the_file_stay_on_one_line),
		cmocka_unit_test(duplicate_keys_are_errors),
		cmocka_unit_test(non_scalar_keys_are_errors),
		cmocka_unit_test(string_where_an_integer_is_due_is_an_error),
		cmocka_unit_test(sequence_where_a_map_is_due_is_an_error),
		cmocka_unit_test(map_or_scalar_where_a_sequence_is_due_is_an_error),
		cmocka_unit_test(non_string_where_a_string_is_due_is_an_error),
		cmocka_unit_test(ports_outside_1_to_65535_are_errors),
		cmocka_unit_test(sip_ports_must_be_a_nonempty_list_without_repeats),
		cmocka_unit_test(
		    hep_ports_may_be_empty_but_not_repeat_or_leave_range),
		cmocka_unit_test(interval_must_be_positive_and_divide_a_day),
		cmocka_unit_test(time_values_out_of_range_are_errors),
		cmocka_unit_test(sl_target_outside_0_to_1_is_an_error),
		cmocka_unit_test(erlang_a_keys_default_to_measured_patience_and_five_percent),
		cmocka_unit_test(erlang_a_keys_out_of_range_are_errors),
		cmocka_unit_test(bad_addresses_and_prefixes_are_errors),
		cmocka_unit_test(bad_regex_is_an_error_with_regerror_text),
		cmocka_unit_test(regex_too_complex_for_regcomp_is_an_error),
		cmocka_unit_test(queue_names_must_be_unique_words),
		cmocka_unit_test(queue_without_name_or_not_a_map_is_an_error),
		cmocka_unit_test(same_dnis_in_two_queues_is_an_error),
		cmocka_unit_test(default_queue_must_name_a_queue),
		cmocka_unit_test(bad_hep_listen_is_an_error),
		cmocka_unit_test(bad_zmq_endpoint_is_an_error),
		cmocka_unit_test(bad_correlation_headers_are_errors),
		cmocka_unit_test(jsonl_without_path_is_an_error),
		cmocka_unit_test(every_error_in_a_file_is_reported_in_file_order),
		cmocka_unit_test(valid_config_prints_nothing_and_null_errs_is_stderr),
		cmocka_unit_test(example_config_loads_with_the_design_values),
		cmocka_unit_test(config_load_reads_a_file_and_reports_a_missing_one),
		cmocka_unit_test(daemon_log_privacy_and_curve_default_to_off),
		cmocka_unit_test(daemon_log_privacy_and_curve_keys_are_read),
		cmocka_unit_test(
		    words_outside_a_choice_are_errors_listing_the_choices),
		cmocka_unit_test(hash_needs_a_secret_of_sixteen_characters),
		cmocka_unit_test(group_without_user_is_an_error),
		cmocka_unit_test(curve_keys_must_be_z85_and_a_matching_pair),
		cmocka_unit_test(site_defaults_to_the_short_host_name),
		cmocka_unit_test(site_must_be_a_word_of_at_most_63_characters),
		cmocka_unit_test(nats_is_off_unless_given_and_gets_its_defaults),
		cmocka_unit_test(nats_keys_are_checked_at_their_place),
		cmocka_unit_test(every_key_is_in_the_man_page_and_the_example),
		cmocka_unit_test(every_restart_key_is_in_the_operations_guide),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
