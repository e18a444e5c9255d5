/* ccmetrics-sub.c: subscribe to ccmetricsd daemons and print JSON lines. */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "ccmetrics/log.h"

#define SUB_MAX_ENDPOINTS	16
#define SUB_MAX_TOPICS		64
#define SUB_FRAME_MAX		(1024 * 1024)
#define SUB_KEY_LEN		40	/* a CURVE key in Z85 */

static volatile sig_atomic_t	quit_flag;

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: ccmetrics-sub [-e ENDPOINT]... [-t PREFIX]... [-n COUNT]"
	    " [-w SECONDS]\n"
	    "                     [-k SERVER_KEY [-K CLIENT_SECRET"
	    " [-P CLIENT_PUBLIC]]]\n"
	    "       ccmetrics-sub --keygen\n"
	    "  -e ENDPOINT  daemon to connect to (default tcp://127.0.0.1:5556)\n"
	    "  -t PREFIX    topic prefix to subscribe to (default: all)\n"
	    "  -n COUNT     exit after COUNT messages\n"
	    "  -w SECONDS   exit after SECONDS without a message\n"
	    "  -k KEY       CURVE: the daemon's public key (Z85)\n"
	    "  -K KEY|FILE  CURVE: this client's secret key (default: a new"
	    " pair)\n"
	    "  -P KEY|FILE  CURVE: this client's public key (default: from -K)\n"
	    "  --keygen     print a new CURVE key pair and exit\n");
	exit(status);
}

static void
on_signal(int sig)
{
	(void)sig;
	quit_flag = 1;
}

/*
 * A Z85 CURVE key given as itself or as a file holding it (which keeps a
 * secret out of the process list); exits on anything else.
 */
static void
read_key(const char *what, const char *arg, char key[SUB_KEY_LEN + 1])
{
	uint8_t	 bin[32];
	char	 buf[256];
	size_t	 n;
	FILE	*f;

	if (strlen(arg) == SUB_KEY_LEN && zmq_z85_decode(bin, arg) != NULL) {
		memcpy(key, arg, SUB_KEY_LEN + 1);
		return;
	}
	if ((f = fopen(arg, "r")) == NULL)
		fatalx("%s: neither a key (40 characters of Z85) nor a "
		    "readable file", what);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	if (n != SUB_KEY_LEN || zmq_z85_decode(bin, buf) == NULL)
		fatalx("%s: %s does not hold a key (40 characters of Z85)",
		    what, arg);
	memcpy(key, buf, SUB_KEY_LEN + 1);
}

static int
keygen(void)
{
	char	public[SUB_KEY_LEN + 1], secret[SUB_KEY_LEN + 1];

	if (zmq_curve_keypair(public, secret) != 0)
		fatalx("zmq_curve_keypair: %s", zmq_strerror(zmq_errno()));
	printf("public: %s\nsecret: %s\n", public, secret);
	return (0);
}

/* Make sock a CURVE client of the server with public key server. */
static void
set_curve(void *sock, const char *server, const char *secret_arg,
    const char *public_arg)
{
	char	skey[SUB_KEY_LEN + 1], pub[SUB_KEY_LEN + 1], sec[SUB_KEY_LEN + 1];

	if (!zmq_has("curve"))
		fatalx("-k: this libzmq was built without CURVE");
	read_key("-k", server, skey);
	if (secret_arg == NULL) {
		if (public_arg != NULL)
			fatalx("-P needs -K");
		if (zmq_curve_keypair(pub, sec) != 0)
			fatalx("zmq_curve_keypair: %s",
			    zmq_strerror(zmq_errno()));
	} else {
		read_key("-K", secret_arg, sec);
		if (public_arg != NULL)
			read_key("-P", public_arg, pub);
		else if (zmq_curve_public(pub, sec) != 0)
			fatalx("-K: %s", zmq_strerror(zmq_errno()));
	}
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, skey, sizeof skey) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, pub, sizeof pub) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, sec, sizeof sec) != 0)
		fatalx("CURVE keys: %s", zmq_strerror(zmq_errno()));
	memset(sec, 0, sizeof sec);
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
	static const struct option longopts[] = {
		{ "keygen", no_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*endpoints[SUB_MAX_ENDPOINTS], *topics[SUB_MAX_TOPICS];
	const char	*server_key = NULL, *client_secret = NULL;
	const char	*client_public = NULL;
	size_t		 nendpoints = 0, ntopics = 0, i;
	long		 count = -1, got = 0;
	int		 ch, wait_s = -1, idle_ms = 0, rc;
	void		*ctx, *sock;
	char		*buf;
	zmq_pollitem_t	 item;

	log_open("ccmetrics-sub", LOG_LEVEL_INFO);
	while ((ch = getopt_long(argc, argv, "e:t:n:w:k:K:P:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'G': return (keygen());
		case 'k': server_key = optarg; break;
		case 'K': client_secret = optarg; break;
		case 'P': client_public = optarg; break;
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
	if (optind != argc || (server_key == NULL && (client_secret != NULL ||
	    client_public != NULL)))
		usage(2);
	if (nendpoints == 0)
		endpoints[nendpoints++] = "tcp://127.0.0.1:5556";
	if (ntopics == 0)
		topics[ntopics++] = "";

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_SUB);
	if (server_key != NULL)
		set_curve(sock, server_key, client_secret, client_public);
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
