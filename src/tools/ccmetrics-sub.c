/* ccmetrics-sub.c: subscribe to ccmetricsd daemons and print JSON lines. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "ccmetrics/log.h"

#define SUB_MAX_ENDPOINTS	16
#define SUB_MAX_TOPICS		64
#define SUB_FRAME_MAX		(1024 * 1024)

static volatile sig_atomic_t	quit_flag;

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: ccmetrics-sub [-e ENDPOINT]... [-t PREFIX]... [-n COUNT]"
	    " [-w SECONDS]\n"
	    "  -e ENDPOINT  daemon to connect to (default tcp://127.0.0.1:5556)\n"
	    "  -t PREFIX    topic prefix to subscribe to (default: all)\n"
	    "  -n COUNT     exit after COUNT messages\n"
	    "  -w SECONDS   exit after SECONDS without a message\n");
	exit(status);
}

static void
on_signal(int sig)
{
	(void)sig;
	quit_flag = 1;
}

/* Print one two-frame message as {"topic": ..., ...the object}. */
static int
print_message(void *sock, char *buf, size_t size)
{
	char	topic[512];
	int	tn, n, more;
	size_t	ms = sizeof more;

	if ((tn = zmq_recv(sock, topic, sizeof topic - 1, 0)) == -1)
		return (-1);
	topic[tn < (int)sizeof topic - 1 ? tn : (int)sizeof topic - 1] = '\0';
	if (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ms) == -1 || !more)
		return (0);
	if ((n = zmq_recv(sock, buf, size - 1, 0)) == -1)
		return (-1);
	if (n > (int)size - 1)
		return (0);	/* too large: skipped */
	buf[n] = '\0';
	/* Objects only, and topics that need no JSON escaping. */
	if (n < 2 || buf[0] != '{' || strpbrk(topic, "\"\\") != NULL)
		return (0);
	printf("{\"topic\":\"%s\"%s%s\n", topic, buf[1] == '}' ? "" : ",",
	    buf + 1);
	fflush(stdout);
	return (1);
}

int
main(int argc, char **argv)
{
	const char	*endpoints[SUB_MAX_ENDPOINTS], *topics[SUB_MAX_TOPICS];
	size_t		 nendpoints = 0, ntopics = 0, i;
	long		 count = -1, got = 0;
	int		 ch, wait_s = -1, idle_ms = 0, rc;
	void		*ctx, *sock;
	char		*buf;
	zmq_pollitem_t	 item;

	log_open("ccmetrics-sub", LOG_LEVEL_INFO);
	while ((ch = getopt(argc, argv, "e:t:n:w:h")) != -1) {
		switch (ch) {
		case 'e':
			if (nendpoints == SUB_MAX_ENDPOINTS)
				fatalx("too many endpoints");
			endpoints[nendpoints++] = optarg;
			break;
		case 't':
			if (ntopics == SUB_MAX_TOPICS)
				fatalx("too many topics");
			topics[ntopics++] = optarg;
			break;
		case 'n': count = atol(optarg); break;
		case 'w': wait_s = atoi(optarg); break;
		case 'h': usage(0);
		default: usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (nendpoints == 0)
		endpoints[nendpoints++] = "tcp://127.0.0.1:5556";
	if (ntopics == 0)
		topics[ntopics++] = "";

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_SUB);
	for (i = 0; i < ntopics; i++)
		zmq_setsockopt(sock, ZMQ_SUBSCRIBE, topics[i],
		    strlen(topics[i]));
	/* ZeroMQ reconnects by itself when a daemon restarts. */
	for (i = 0; i < nendpoints; i++)
		if (zmq_connect(sock, endpoints[i]) != 0)
			fatalx("%s: %s", endpoints[i], zmq_strerror(zmq_errno()));
	buf = malloc(SUB_FRAME_MAX);
	if (buf == NULL)
		fatalx("out of memory");
	item.socket = sock;
	item.fd = 0;
	item.events = ZMQ_POLLIN;
	rc = 0;
	while (!quit_flag && (count < 0 || got < count)) {
		if (zmq_poll(&item, 1, 100) <= 0) {
			idle_ms += 100;
			if (wait_s >= 0 && idle_ms >= wait_s * 1000)
				break;
			continue;
		}
		idle_ms = 0;
		if (print_message(sock, buf, SUB_FRAME_MAX) == 1)
			got++;
	}
	free(buf);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return (rc);
}
