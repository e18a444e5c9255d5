/* SPDX-License-Identifier: BSD-2-Clause */
/* web-pub.c: a stand-in daemon for tests: publishes "TOPIC BODY" lines from stdin on ZeroMQ. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

/*
 * Usage: web-pub ENDPOINT < LINES
 *
 * Binds an XPUB socket on ENDPOINT, waits (at most 30 s) for a subscriber,
 * then sends each line of stdin as a two-frame message: the topic (up to
 * the first space) and the body (the rest, as it is: a test may send what
 * no daemon would). Prints the number of messages sent. Exit 1 when no
 * subscriber came or a send failed.
 */
int
main(int argc, char **argv)
{
	void	*ctx, *pub;
	char	*line = NULL, *sp, sub[256];
	size_t	 cap = 0, sent = 0;
	ssize_t	 len;
	int	 hwm = 0, timeout = 30000, linger = 10000;

	if (argc != 2) {
		fprintf(stderr, "usage: web-pub ENDPOINT < LINES\n");
		return (2);
	}
	ctx = zmq_ctx_new();
	pub = zmq_socket(ctx, ZMQ_XPUB);
	/* Never drop: a test counts what arrives (it is bounded itself). */
	zmq_setsockopt(pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(pub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
	zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
	if (zmq_bind(pub, argv[1]) != 0) {
		fprintf(stderr, "web-pub: %s: %s\n", argv[1],
		    zmq_strerror(zmq_errno()));
		return (1);
	}
	/* The subscription message: the subscriber is there. */
	if (zmq_recv(pub, sub, sizeof sub, 0) < 0) {
		fprintf(stderr, "web-pub: no subscriber within 30 s\n");
		return (1);
	}
	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if ((sp = memchr(line, ' ', (size_t)len)) == NULL)
			continue;
		if (zmq_send(pub, line, (size_t)(sp - line), ZMQ_SNDMORE) < 0 ||
		    zmq_send(pub, sp + 1, (size_t)(len - (sp + 1 - line)), 0) <
		    0) {
			fprintf(stderr, "web-pub: send: %s\n",
			    zmq_strerror(zmq_errno()));
			return (1);
		}
		sent++;
	}
	free(line);
	printf("%zu\n", sent);
	fflush(stdout);
	zmq_close(pub);
	zmq_ctx_term(ctx);
	return (0);
}
