/* SPDX-License-Identifier: BSD-2-Clause */
/* web-feed.c: a synthetic ccmetricsd feed of many queues and agents, for bench/web-scrape.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

static const char *const states[] = { "on_call", "busy_other", "ringing",
    "wrapup", "logged_out", "paused", "available", "unknown" };

static unsigned long	seq;
static char		buf[1 << 20];

static void
send_obj(void *pub, const char *topic, const char *fmt, const char *fields)
{
	int	n;

	n = snprintf(buf, sizeof buf, "{\"type\":\"%s\",\"v\":1,\"seq\":%lu,"
	    "\"boot\":\"0123456789abcdef\",\"ts\":\"2026-11-23T09:00:00.000Z\","
	    "\"site\":\"bench\"%s%s}", fmt, ++seq, *fields ? "," : "", fields);
	if (n < 0 || (size_t)n >= sizeof buf) {
		fprintf(stderr, "web-feed: object too large\n");
		exit(1);
	}
	zmq_send(pub, topic, strlen(topic), ZMQ_SNDMORE);
	zmq_send(pub, buf, (size_t)n, 0);
}

int
main(int argc, char **argv)
{
	char	 topic[128], f[4096], *agents;
	void	*ctx, *pub;
	int	 nq, na, q, a, i, hwm = 1000000;
	size_t	 len;

	if (argc != 4) {
		fprintf(stderr, "usage: web-feed ENDPOINT QUEUES AGENTS\n");
		return (2);
	}
	nq = atoi(argv[2]);
	na = atoi(argv[3]);
	ctx = zmq_ctx_new();
	pub = zmq_socket(ctx, ZMQ_PUB);
	zmq_setsockopt(pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
	if (zmq_bind(pub, argv[1]) != 0) {
		fprintf(stderr, "web-feed: %s: %s\n", argv[1],
		    zmq_strerror(zmq_errno()));
		return (1);
	}
	sleep(1);	/* the subscriber connects */
	for (q = 0; q < nq; q++) {
		for (i = 0; i < 20; i++) {
			snprintf(topic, sizeof topic, "call.arrive.q%03d", q);
			snprintf(f, sizeof f, "\"queue\":\"q%03d\",\"repeat\":"
			    "false", q);
			send_obj(pub, topic, "call.arrive", f);
			snprintf(topic, sizeof topic, "call.answer.q%03d", q);
			snprintf(f, sizeof f, "\"queue\":\"q%03d\",\"wait_s\":"
			    "%d.5", q, i * 7);
			send_obj(pub, topic, "call.answer", f);
		}
		snprintf(topic, sizeof topic, "rt.queue.q%03d", q);
		snprintf(f, sizeof f, "\"queue\":\"q%03d\",\"waiting\":3,"
		    "\"longest_wait_s\":12.5,\"talking\":9,\"on_hold\":1,"
		    "\"agents_staffed\":20,\"agents_available\":4,"
		    "\"agents_ringing\":1,\"agents_on_call\":10,"
		    "\"agents_busy_other\":1,\"agents_wrapup\":2,"
		    "\"agents_paused\":2", q);
		send_obj(pub, topic, "rt.queue", f);
	}
	len = (size_t)na * 96 + 512;
	if ((agents = malloc(len)) == NULL)
		return (1);
	i = snprintf(agents, len, "\"agents\":[");
	for (a = 0; a < na; a++) {
		snprintf(topic, sizeof topic, "agent.state.%d", 10000 + a);
		snprintf(f, sizeof f, "\"agent\":\"%d\",\"state\":\"%s\","
		    "\"prev\":null,\"prev_s\":0.0,\"reason\":\"seen\"",
		    10000 + a, states[a % 8]);
		send_obj(pub, topic, "agent.state", f);
		i += snprintf(agents + i, len - (size_t)i, "%s{\"agent\":\"%d\","
		    "\"state\":\"%s\",\"since\":\"2026-11-23T09:00:00.000Z\","
		    "\"queues\":[\"q%03d\"]}", a ? "," : "", 10000 + a,
		    states[a % 8], a % (nq > 0 ? nq : 1));
	}
	snprintf(agents + i, len - (size_t)i, "],\"counts\":{\"on_call\":%d,"
	    "\"available\":%d}", na / 2, na / 2);
	send_obj(pub, "rt.agents", "rt.agents", agents);
	send_obj(pub, "stats", "stats", "\"packets\":1,\"pcap_drops\":0,"
	    "\"sip\":{\"parse_errors\":0},\"legs\":{\"open\":5}");
	free(agents);
	sleep(1);	/* let the last messages out */
	printf("%lu\n", seq);
	zmq_close(pub);
	zmq_ctx_term(ctx);
	return (0);
}
