/* SPDX-License-Identifier: BSD-2-Clause */
/* ccmetrics-sub.c: subscribe to ccmetricsd daemons; print JSON lines, record CSV or into PostgreSQL. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "ccmetrics/csvrec.h"
#include "ccmetrics/log.h"
#include "ccmetrics/natsrc.h"
#include "ccmetrics/pgrec.h"
#include "ccmetrics/recorder.h"

#define SUB_MAX_ENDPOINTS	16
#define SUB_MAX_TOPICS		64
#define SUB_FRAME_MAX		(1024 * 1024)
#define SUB_TOPIC_MAX		512
#define SUB_POLL_MS		100
#define SUB_DEFAULT_ENDPOINT	"tcp://127.0.0.1:5556"
/* With -c and no -t: what the CSV files hold, nothing else. */
#define SUB_CSV_DEFAULT_TOPIC	"interval."
/* With --db and no -t: the recorded kinds. */
#define SUB_DB_TOPIC_CALLS	"call.end."
#define SUB_DB_BUFFER		100000	/* --buffer default */
#define SUB_DB_RCVHWM		100000
#define SUB_BURST		10000	/* messages read between flushes */
#define SUB_NATS_PREFIX		"ccmetrics"
#define SUB_ACK_WAIT_S		30
#define SUB_DRAIN_TRIES		5	/* at exit, database away: ~4 s */
/*
 * Reconnection is ZeroMQ's own: a lost or refused connection is retried
 * after 100 ms, backing off up to 5 s while the daemon stays away.
 * Heartbeats notice a daemon gone without closing its connections (host
 * down, cable cut) within 15 s, instead of TCP's hours.
 */
#define SUB_RECONNECT_IVL_MS	100
#define SUB_RECONNECT_MAX_MS	5000
#define SUB_HEARTBEAT_IVL_MS	5000
#define SUB_HEARTBEAT_TTL_MS	15000
#define SUB_KEY_LEN		40	/* a CURVE key in Z85 */

struct sub {
	const char	*topics[SUB_MAX_TOPICS];
	size_t		 ntopics;
	bool		 quiet;		/* -q: no JSON lines on stdout */
	struct csvrec	*csv;		/* -c */
	struct recorder	*rec;		/* --db */
	long		 count;		/* -n; -1: no limit */
	long		 got;
	uint64_t	 bad;		/* input that is no topic + object */
};

/* -k, -K, -P: the keys of a CURVE client, in Z85. */
struct sub_curve {
	char	server[SUB_KEY_LEN + 1];
	char	public[SUB_KEY_LEN + 1];
	char	secret[SUB_KEY_LEN + 1];
};

static volatile sig_atomic_t	quit_flag;

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: ccmetrics-sub [-q] [-c DIR] [-e ENDPOINT]... [-t PREFIX]..."
	    " [-n COUNT] [-w SECONDS]\n"
	    "                     [-k SERVER_KEY [-K CLIENT_SECRET"
	    " [-P CLIENT_PUBLIC]]]\n"
	    "       ccmetrics-sub [-q] [-c DIR] [-t PREFIX]... [-n COUNT]"
	    " -r FILE\n"
	    "       ccmetrics-sub --db URL [-q] [-e ENDPOINT]... [-t PREFIX]..."
	    " [--buffer N] [--batch N]\n"
	    "                     [--site SITE]\n"
	    "       ccmetrics-sub --db URL --nats URL --stream NAME --durable"
	    " NAME\n"
	    "                     [--subject-prefix PREFIX] [--ack-wait S]"
	    " [--site SITE]\n"
	    "       ccmetrics-sub --db URL -r FILE [--site SITE]\n"
	    "       ccmetrics-sub --keygen | --version\n"
	    "  -c DIR       append interval records to CSV files in DIR\n"
	    "  -e ENDPOINT  daemon to connect to (default "
	    SUB_DEFAULT_ENDPOINT ")\n"
	    "  -k KEY|FILE  CURVE: the daemon's public key (Z85)\n"
	    "  -K KEY|FILE  CURVE: this client's secret key (default: a new"
	    " pair)\n"
	    "  -n COUNT     exit after COUNT messages\n"
	    "  -P KEY|FILE  CURVE: this client's public key (default: from"
	    " -K)\n"
	    "  -q           print no JSON lines (with -c: record only)\n"
	    "  -r FILE      read JSON lines from FILE (- for stdin), not"
	    " ZeroMQ\n"
	    "  -t PREFIX    topic prefix to subscribe to (default: all; with"
	    " -c: " SUB_CSV_DEFAULT_TOPIC ")\n"
	    "  -w SECONDS   exit after SECONDS without a message\n"
	    "  --keygen     print a new CURVE key pair and exit\n"
	    "  --version    print the version and exit\n"
	    "  --db URL     record interval.queue, interval.agent and call.end"
	    " into\n"
	    "               PostgreSQL (schema ccmetrics.sql)\n"
	    "  --buffer N   ZeroMQ: messages kept while the database is away"
	    " (default 100000)\n"
	    "  --site SITE  site of objects that carry none\n"
	    "  --nats URL   read a JetStream durable consumer instead of"
	    " ZeroMQ\n"
	    "  --stream NAME, --durable NAME  its stream and consumer\n"
	    "  --subject-prefix PREFIX  subjects are PREFIX.SITE.TOPIC"
	    " (default ccmetrics)\n"
	    "  --ack-wait S  a consumer created here: redelivery after S"
	    " seconds (default 30)\n"
	    "  --batch N    messages per transaction, at most (default 5000)\n");
	exit(status);
}

static long
number_arg(const char *what, const char *arg, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < min || v > max)
		fatalx("%s %s: not a number from %ld to %ld", what, arg, min,
		    max);
	return (v);
}

static void
on_signal(int sig)
{
	(void)sig;
	quit_flag = 1;
}

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
flush_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		fatal("standard output");
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
	memset(buf, 0, sizeof buf);
}

static int
keygen(void)
{
	char	public[SUB_KEY_LEN + 1], secret[SUB_KEY_LEN + 1];

	if (zmq_curve_keypair(public, secret) != 0)
		fatalx("zmq_curve_keypair: %s", zmq_strerror(zmq_errno()));
	printf("public: %s\nsecret: %s\n", public, secret);
	flush_stdout();
	memset(secret, 0, sizeof secret);
	return (0);
}

/*
 * The keys of -k, -K and -P, read before anything is opened so that a bad
 * one stops the run at once; without -K, a new client pair for the run.
 */
static void
curve_load(struct sub_curve *c, const char *server, const char *secret_arg,
    const char *public_arg)
{
	if (!zmq_has("curve"))
		fatalx("-k: this libzmq was built without CURVE");
	read_key("-k", server, c->server);
	if (secret_arg == NULL) {
		if (zmq_curve_keypair(c->public, c->secret) != 0)
			fatalx("zmq_curve_keypair: %s",
			    zmq_strerror(zmq_errno()));
	} else {
		read_key("-K", secret_arg, c->secret);
		if (public_arg != NULL)
			read_key("-P", public_arg, c->public);
		else if (zmq_curve_public(c->public, c->secret) != 0)
			fatalx("-K: %s", zmq_strerror(zmq_errno()));
	}
}

/* Make sock a CURVE client of the daemon; the secret is wiped after. */
static void
curve_apply(void *sock, struct sub_curve *c)
{
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, c->server,
	    sizeof c->server) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, c->public,
	    sizeof c->public) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, c->secret,
	    sizeof c->secret) != 0)
		fatalx("CURVE keys: %s", zmq_strerror(zmq_errno()));
	memset(c->secret, 0, sizeof c->secret);
}

/* One message as {"topic": ..., ...the object}: the daemon's JSON lines. */
static int
print_message(const char *topic, const char *body, size_t n)
{
	json_t	*jt;
	char	*t;

	if ((jt = json_string(topic)) == NULL)
		return (-1);		/* not UTF-8 */
	t = json_dumps(jt, JSON_ENCODE_ANY);
	json_decref(jt);
	if (t == NULL)
		return (-1);
	printf("{\"topic\":%s%s", t, n > 2 ? "," : "");
	fwrite(body + 1, 1, n - 1, stdout);
	putchar('\n');
	free(t);
	flush_stdout();
	return (0);
}

static void
record_csv(struct sub *s, const char *topic, const json_t *obj)
{
	if (s->csv != NULL)
		(void)csvrec_write(s->csv, topic, obj);
}

/* A two-frame message from a daemon: topic, JSON object. */
static void
handle_frames(struct sub *s, const char *topic, const char *body, size_t n)
{
	json_t		*obj = NULL;
	json_error_t	 jerr;

	if (n < 2 || body[0] != '{' || body[n - 1] != '}') {
		s->bad++;
		return;
	}
	if (s->rec != NULL)
		(void)recorder_offer(s->rec, topic, body, n, NULL);
	if (s->csv != NULL) {
		obj = json_loadb(body, n, 0, &jerr);
		if (!json_is_object(obj)) {
			log_warn("%s: not a JSON object: %s", topic, jerr.text);
			json_decref(obj);
			s->bad++;
			return;
		}
	}
	if (!s->quiet && print_message(topic, body, n) == -1) {
		json_decref(obj);
		s->bad++;
		return;
	}
	record_csv(s, topic, obj);
	json_decref(obj);
	s->got++;
}

static bool
topic_wanted(const struct sub *s, const char *topic)
{
	size_t	i;

	for (i = 0; i < s->ntopics; i++)
		if (strncmp(topic, s->topics[i], strlen(s->topics[i])) == 0)
			return (true);
	return (false);
}

/* A line of JSON lines input: {"topic": ..., ...the object}. */
static void
handle_line(struct sub *s, const char *name, long lineno, char *line,
    size_t n)
{
	json_t		*obj, *jt;
	json_error_t	 jerr;
	const char	*topic;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n == 0)
		return;
	obj = json_loadb(line, n, 0, &jerr);
	if (!json_is_object(obj) || (jt = json_object_get(obj, "topic")) ==
	    NULL || !json_is_string(jt)) {
		log_warn("%s:%ld: not a JSON object with a topic%s%s", name,
		    lineno, obj == NULL ? ": " : "", obj == NULL ? jerr.text :
		    "");
		json_decref(obj);
		s->bad++;
		return;
	}
	topic = json_string_value(jt);
	if (topic_wanted(s, topic)) {
		if (!s->quiet) {
			printf("%s\n", line);
			flush_stdout();
		}
		record_csv(s, topic, obj);
		if (s->rec != NULL) {
			(void)pgrec_add(s->rec->db, topic, line, n, NULL);
			/* A file can wait: a batch is stored before reading on. */
			if (pgrec_pending(s->rec->db) >= s->rec->batch)
				(void)recorder_drain(s->rec, &quit_flag, INT_MAX);
		}
		s->got++;
	}
	json_decref(obj);
}

static void
run_file(struct sub *s, const char *path)
{
	FILE	*fp;
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	long	 lineno = 0;

	if (strcmp(path, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(path, "r")) == NULL)
		fatal("%s", path);
	while (!quit_flag && (s->count < 0 || s->got < s->count) &&
	    (n = getline(&line, &cap, fp)) != -1)
		handle_line(s, path, ++lineno, line, (size_t)n);
	if (ferror(fp) && !quit_flag)
		fatal("%s", path);
	free(line);
	if (fp != stdin)
		fclose(fp);
}

/* Skip what is left of a message with more frames than two. */
static void
drain_frames(void *sock, int more)
{
	zmq_msg_t	msg;

	while (more) {
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, sock, 0) == -1) {
			zmq_msg_close(&msg);
			return;
		}
		more = zmq_msg_more(&msg);
		zmq_msg_close(&msg);
	}
}

/* Receive one message if one is waiting; 0 when none (or interrupted). */
static int
receive_one(struct sub *s, void *sock)
{
	zmq_msg_t	tmsg, bmsg;
	char		topic[SUB_TOPIC_MAX];
	size_t		tn;
	int		more;

	zmq_msg_init(&tmsg);
	if (zmq_msg_recv(&tmsg, sock, ZMQ_DONTWAIT) == -1) {
		zmq_msg_close(&tmsg);
		return (0);
	}
	tn = zmq_msg_size(&tmsg);
	if (tn < sizeof topic) {
		memcpy(topic, zmq_msg_data(&tmsg), tn);
		topic[tn] = '\0';
	}
	more = zmq_msg_more(&tmsg);
	zmq_msg_close(&tmsg);
	if (!more) {
		s->bad++;
		return (1);
	}
	zmq_msg_init(&bmsg);
	if (zmq_msg_recv(&bmsg, sock, 0) == -1) {
		zmq_msg_close(&bmsg);
		return (0);
	}
	drain_frames(sock, zmq_msg_more(&bmsg));
	if (tn >= sizeof topic || memchr(topic, '\0', tn) != NULL ||
	    zmq_msg_size(&bmsg) > SUB_FRAME_MAX)
		s->bad++;
	else
		handle_frames(s, topic, zmq_msg_data(&bmsg),
		    zmq_msg_size(&bmsg));
	zmq_msg_close(&bmsg);
	return (1);
}

static void
set_int_option(void *sock, int option, int value, const char *name)
{
	if (zmq_setsockopt(sock, option, &value, sizeof value) != 0)
		log_warn("zmq %s: %s", name, zmq_strerror(zmq_errno()));
}

static void
run_zmq(struct sub *s, const char *const *endpoints, size_t nendpoints,
    int wait_s, struct sub_curve *curve)
{
	zmq_pollitem_t	 item;
	void		*ctx, *sock;
	int64_t		 last = now_ms();
	size_t		 i;
	int		 timeout, t, burst;

	ctx = zmq_ctx_new();
	if (ctx == NULL || (sock = zmq_socket(ctx, ZMQ_SUB)) == NULL)
		fatalx("zmq: %s", zmq_strerror(zmq_errno()));
	set_int_option(sock, ZMQ_LINGER, 0, "ZMQ_LINGER");
	/* Ours is the buffer that counts what it drops (--buffer). */
	if (s->rec != NULL)
		set_int_option(sock, ZMQ_RCVHWM, SUB_DB_RCVHWM, "ZMQ_RCVHWM");
	set_int_option(sock, ZMQ_RECONNECT_IVL, SUB_RECONNECT_IVL_MS,
	    "ZMQ_RECONNECT_IVL");
	set_int_option(sock, ZMQ_RECONNECT_IVL_MAX, SUB_RECONNECT_MAX_MS,
	    "ZMQ_RECONNECT_IVL_MAX");
#ifdef ZMQ_HEARTBEAT_IVL
	set_int_option(sock, ZMQ_HEARTBEAT_IVL, SUB_HEARTBEAT_IVL_MS,
	    "ZMQ_HEARTBEAT_IVL");
	set_int_option(sock, ZMQ_HEARTBEAT_TIMEOUT, SUB_HEARTBEAT_TTL_MS,
	    "ZMQ_HEARTBEAT_TIMEOUT");
#endif
	if (curve != NULL)
		curve_apply(sock, curve);
	for (i = 0; i < s->ntopics; i++)
		if (zmq_setsockopt(sock, ZMQ_SUBSCRIBE, s->topics[i],
		    strlen(s->topics[i])) != 0)
			fatalx("subscribe %s: %s", s->topics[i],
			    zmq_strerror(zmq_errno()));
	/* A daemon not up yet is no error: ZeroMQ connects when it is. */
	for (i = 0; i < nendpoints; i++)
		if (zmq_connect(sock, endpoints[i]) != 0)
			fatalx("%s: %s", endpoints[i], zmq_strerror(zmq_errno()));
	item.socket = sock;
	item.fd = 0;
	item.events = ZMQ_POLLIN;
	item.revents = 0;
	while (!quit_flag && (s->count < 0 || s->got < s->count)) {
		timeout = SUB_POLL_MS;
		if (s->rec != NULL && (t = recorder_service(s->rec, false)) <
		    timeout)
			timeout = t > 0 ? t : 0;
		if (zmq_poll(&item, 1, timeout) <= 0) {
			if (wait_s >= 0 && now_ms() - last >= wait_s * 1000LL)
				break;
			continue;
		}
		burst = 0;
		while (!quit_flag && (s->count < 0 || s->got < s->count) &&
		    burst++ < SUB_BURST && receive_one(s, sock))
			;
		last = now_ms();
	}
	zmq_close(sock);
	zmq_ctx_term(ctx);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "keygen", no_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "db", required_argument, NULL, 'D' },
		{ "nats", required_argument, NULL, 'N' },
		{ "stream", required_argument, NULL, 'S' },
		{ "durable", required_argument, NULL, 'U' },
		{ "site", required_argument, NULL, 'I' },
		{ "buffer", required_argument, NULL, 'B' },
		{ "subject-prefix", required_argument, NULL, 'X' },
		{ "ack-wait", required_argument, NULL, 'A' },
		{ "batch", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*endpoints[SUB_MAX_ENDPOINTS];
	const char		*csv_dir = NULL, *file = NULL;
	const char		*server_key = NULL, *client_secret = NULL;
	const char		*client_public = NULL;
	const char		*db_url = NULL, *nats_url = NULL;
	const char		*stream = NULL, *durable = NULL, *site = NULL;
	const char		*prefix = SUB_NATS_PREFIX;
	struct pgrec		*db = NULL;
	struct natsrc		*ns = NULL;
	struct recorder		 rec;
	long			 buffer = SUB_DB_BUFFER;
	long			 batch = RECORDER_BATCH;
	int			 ack_wait = SUB_ACK_WAIT_S;
	const struct csvrec_stats *cst;
	struct sub		 s;
	struct sub_curve	 curve;
	struct sigaction	 sa;
	size_t			 nendpoints = 0;
	int			 ch, wait_s = -1, rc = 0;
	char			 err[512];

	log_open("ccmetrics-sub", LOG_LEVEL_INFO);
	memset(&s, 0, sizeof s);
	s.count = -1;
	while ((ch = getopt_long(argc, argv, "c:e:hk:K:n:P:qr:t:w:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c': csv_dir = optarg; break;
		case 'e':
			if (nendpoints == SUB_MAX_ENDPOINTS)
				fatalx("too many endpoints");
			endpoints[nendpoints++] = optarg;
			break;
		case 'G': return (keygen());
		case 'h': usage(0);
		case 'k': server_key = optarg; break;
		case 'K': client_secret = optarg; break;
		case 'n': s.count = number_arg("-n", optarg, 1, LONG_MAX);
			break;
		case 'P': client_public = optarg; break;
		case 'q': s.quiet = true; break;
		case 'r': file = optarg; break;
		case 't':
			if (s.ntopics == SUB_MAX_TOPICS)
				fatalx("too many topics");
			s.topics[s.ntopics++] = optarg;
			break;
		case 'w': wait_s = (int)number_arg("-w", optarg, 0, 86400);
			break;
		case 'V':
			printf("ccmetrics-sub %s\n", PACKAGE_VERSION);
			return (0);
		case 'A': ack_wait = number_arg("--ack-wait", optarg, 1, 86400);
			break;
		case 'B': buffer = number_arg("--buffer", optarg, 1, 10000000);
			break;
		case 'D': db_url = optarg; break;
		case 'T': batch = number_arg("--batch", optarg, 1, 100000);
			break;
		case 'I': site = optarg; break;
		case 'N': nats_url = optarg; break;
		case 'S': stream = optarg; break;
		case 'U': durable = optarg; break;
		case 'X': prefix = optarg; break;
		default: usage(2);
		}
	}
	if (optind != argc || (s.quiet && csv_dir == NULL && db_url == NULL))
		usage(2);
	/* JetStream: a recorder only, from its stream alone. */
	if ((nats_url != NULL || stream != NULL || durable != NULL) &&
	    (nats_url == NULL || stream == NULL || durable == NULL ||
	    db_url == NULL || csv_dir != NULL || file != NULL ||
	    nendpoints > 0 || server_key != NULL || s.ntopics > 0))
		usage(2);
	if (db_url == NULL && site != NULL)
		usage(2);
	/* -r reads a file: no daemon to connect to, wait for or trust. */
	if (file != NULL && (nendpoints > 0 || wait_s >= 0 ||
	    server_key != NULL))
		usage(2);
	if ((client_secret != NULL && server_key == NULL) ||
	    (client_public != NULL && client_secret == NULL))
		usage(2);
	if (nendpoints == 0)
		endpoints[nendpoints++] = SUB_DEFAULT_ENDPOINT;
	if (s.ntopics == 0 && db_url != NULL) {
		s.topics[s.ntopics++] = SUB_CSV_DEFAULT_TOPIC;
		s.topics[s.ntopics++] = SUB_DB_TOPIC_CALLS;
	} else if (s.ntopics == 0)
		s.topics[s.ntopics++] = csv_dir != NULL ?
		    SUB_CSV_DEFAULT_TOPIC : "";
	if (server_key != NULL)
		curve_load(&curve, server_key, client_secret, client_public);
	if (csv_dir != NULL &&
	    (s.csv = csvrec_open(csv_dir, err, sizeof err)) == NULL)
		fatalx("%s", err);
	/* Unreachable at start is an error: nothing was taken yet. */
	if (db_url != NULL) {
		if ((db = pgrec_open(db_url, site, err, sizeof err)) == NULL)
			fatalx("%s", err);
		recorder_init(&rec, db, (size_t)buffer, (size_t)batch);
		s.rec = &rec;
	}
	if (nats_url != NULL && (ns = natsrc_open(nats_url, stream, durable,
	    prefix, ack_wait, err, sizeof err)) == NULL)
		fatalx("%s", err);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: reads return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (ns != NULL)
		recorder_run_nats(&rec, ns, &quit_flag, s.count, wait_s);
	else if (file != NULL)
		run_file(&s, file);
	else
		run_zmq(&s, endpoints, nendpoints, wait_s,
		    server_key != NULL ? &curve : NULL);
	if (s.rec != NULL) {
		/* What is left: stored now, or reported lost. */
		if (ns == NULL)
			(void)recorder_drain(&rec, &quit_flag,
			    SUB_DRAIN_TRIES);
		if (recorder_report(&rec) != 0 ||
		    (file != NULL && pgrec_get_stats(db)->bad > 0))
			rc = 1;
		natsrc_close(ns);
		pgrec_close(db);
	}

	if (s.bad > 0)
		log_warn("%llu messages skipped: no topic and JSON object",
		    (unsigned long long)s.bad);
	if (file != NULL && s.bad > 0)
		rc = 1;
	if (s.csv != NULL) {
		cst = csvrec_get_stats(s.csv);
		if (cst->write_errors > 0) {
			log_err("%llu CSV rows could not be written",
			    (unsigned long long)cst->write_errors);
			rc = 1;
		}
		csvrec_close(s.csv);
	}
	return (rc);
}
