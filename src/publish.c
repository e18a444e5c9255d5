/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * publish.c: ZeroMQ XPUB (with CURVE security) and the JSON-lines sink;
 * owns sequence numbers and the privacy of published numbers.
 */
#include "config.h"

#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
#include <netdb.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "ccmetrics/jsonw.h"
#include "ccmetrics/log.h"
#include "ccmetrics/privacy.h"
#include "ccmetrics/publish.h"
#include "ccmetrics/xmalloc.h"
#include "ccmetrics/zap.h"

#define PUBLISH_LINGER_MS	3000
/*
 * Subscribers only ever send subscriptions: a topic prefix and one byte.
 * Anything longer is refused by libzmq before it is allocated in full
 * (a 50 MB frame otherwise aborts the daemon in libzmq's allocator).
 */
#define PUBLISH_MAX_IN_MSG	1024
/*
 * Subscription frames libzmq reads from one connection ahead of us (and
 * enters in its trie) before we can count them against the budget of the
 * connection's address (publish.zmq.max_subscription_bytes).
 */
#define PUBLISH_RCVHWM		16
/* Subscription frames handled per drain: a flood never starves capture. */
#define PUBLISH_DRAIN_MAX	256
/* Dead subscribers are found by ZMTP heartbeats and TCP keepalive. */
#define PUBLISH_HEARTBEAT_MS	10000
#define PUBLISH_HEARTBEAT_TO_MS	30000
#define PUBLISH_KEEPALIVE_S	60
/* Kernel memory per subscriber: fixed, not autotuned up to 4 MiB. */
#define PUBLISH_SNDBUF		262144
#define PUBLISH_MONITOR		"inproc://ccmetrics.publish.monitor"
/* JSON lines are written in whole-line batches of about this size. */
#define PUBLISH_JSONL_BATCH	65536
#define PUBLISH_MODE		0640	/* the file holds caller numbers */

/* A subscriber's connection, and the address libzmq tells it by. */
struct pub_peer {
	int	fd;
	int	cut;			/* shut down: too many subscriptions */
	char	addr[NI_MAXHOST];	/* "Peer-Address", as libzmq has it */
};

/* Subscription bytes held by the connections from one address. */
struct pub_addr {
	char	addr[NI_MAXHOST];
	int	bytes;
};

struct publisher {
	void			*zctx;
	void			*zsock;
	void			*zmon;		/* socket monitor: peers */
	struct zap		*zap;		/* curve_allowed_clients */
	struct natspub		*nats;		/* NULL: no NATS */
	struct privacy		*privacy;
	struct pub_peer		*peers;		/* connected peers */
	int			 npeers;
	int			 max_peers;
	struct pub_addr		*addrs;		/* their addresses */
	int			 naddrs;
	int			 max_sub_bytes;	/* per address */
	int			 trim_due;	/* a flood was cut */
	int			 jsonl_fd;	/* -1: none */
	char			*jsonl_path;	/* NULL: standard output */
	off_t			 jsonl_good;	/* size after the last line */
	int			 jsonl_failing;	/* since the first lost object */
	uint64_t		 jsonl_lost_run;/* objects lost since then */
	size_t			 jsonl_lines;	/* lines in jsonl */
	int			 line_buffered;
	uint64_t		 seq;
	int			 subscriptions;
	int64_t			 observed_from_us;
	int64_t			 observed_to_us;
	char			 boot[PUBLISH_BOOT_LEN + 1];
	char			 site[CONFIG_NAME_MAX];	/* in every object */
	char			 site_member[CONFIG_NAME_MAX + 16];
	size_t			 site_member_len;	/* ',"site":"..."' */
	struct publish_stats	 st;
	struct jsonw		 out;	/* the object being published */
	struct jsonw		 topic;	/* its topic, quoted (JSON lines) */
	struct jsonw		 jsonl;	/* whole lines not yet written */
};

/*
 * CURVE (ZeroMQ RFC 26): the socket is a server holding the secret key;
 * a subscriber must know its public key. With allowed clients, the ZAP
 * handler, bound first, also checks the subscriber's own key.
 */
static int
publish_curve(struct publisher *pub, const struct config *cfg, char *err,
    size_t errlen)
{
	static const char	domain[] = "ccmetrics";
	char			public[CONFIG_CURVE_KEY_LEN + 1];
	int			one = 1;

	if (cfg->zmq_curve_secret_key == NULL)
		return (0);
	if (!zmq_has("curve")) {
		snprintf(err, errlen, "publish.zmq.curve_secret_key: this "
		    "libzmq was built without CURVE");
		return (-1);
	}
	if (cfg->nzmq_curve_allowed > 0 && (pub->zap = zap_create(pub->zctx,
	    cfg->zmq_curve_allowed, cfg->nzmq_curve_allowed, err,
	    errlen)) == NULL)
		return (-1);
	if (zmq_setsockopt(pub->zsock, ZMQ_CURVE_SERVER, &one,
	    sizeof one) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_CURVE_SECRETKEY,
	    cfg->zmq_curve_secret_key, CONFIG_CURVE_KEY_LEN + 1) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_ZAP_DOMAIN, domain,
	    sizeof domain - 1) != 0) {
		snprintf(err, errlen, "zmq CURVE: %s",
		    zmq_strerror(zmq_errno()));
		return (-1);
	}
	if (zmq_curve_public(public, cfg->zmq_curve_secret_key) == 0)
		log_info("zmq: CURVE on, server public key %s%s", public,
		    pub->zap != NULL ? ", listed client keys only" : "");
	return (0);
}

/* A wildcard address ("*", 0.0.0.0, ::) serves every interface. */
static int
publish_wildcard(const char *endpoint)
{
	return (strncmp(endpoint, "tcp://*:", 8) == 0 ||
	    strncmp(endpoint, "tcp://0.0.0.0:", 14) == 0 ||
	    strncmp(endpoint, "tcp://[::]:", 11) == 0);
}

static int
publish_open_zmq(struct publisher *pub, const struct config *cfg, char *err,
    size_t errlen)
{
	int64_t	maxmsg = PUBLISH_MAX_IN_MSG;
	int	hwm = cfg->zmq_sndhwm, one = 1, linger = PUBLISH_LINGER_MS;
	int	rcvhwm = PUBLISH_RCVHWM;
	int	hb = PUBLISH_HEARTBEAT_MS, hbto = PUBLISH_HEARTBEAT_TO_MS;
	int	ka = PUBLISH_KEEPALIVE_S, sndbuf = PUBLISH_SNDBUF;
	char	bound[256];
	size_t	blen = sizeof bound;

	pub->zctx = zmq_ctx_new();
	pub->max_peers = cfg->zmq_max_subscribers;
	pub->peers = xcalloc((size_t)pub->max_peers, sizeof *pub->peers);
	pub->addrs = xcalloc((size_t)pub->max_peers, sizeof *pub->addrs);
	pub->max_sub_bytes = cfg->zmq_max_subscription_bytes;
	/*
	 * XPUB: we see subscriptions (VERBOSE: every one, also a second
	 * subscriber's to the same topic). NODROP is set per message in
	 * publish_zmq(): it only tells us when a subscriber is full.
	 */
	pub->zsock = zmq_socket(pub->zctx, ZMQ_XPUB);
	if (pub->zsock != NULL && publish_curve(pub, cfg, err, errlen) != 0)
		return (-1);
	if (pub->zsock == NULL ||
	    zmq_setsockopt(pub->zsock, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_RCVHWM, &rcvhwm,
	    sizeof rcvhwm) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_SNDBUF, &sndbuf,
	    sizeof sndbuf) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_XPUB_NODROP, &one, sizeof one) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_XPUB_VERBOSE, &one,
	    sizeof one) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_MAXMSGSIZE, &maxmsg,
	    sizeof maxmsg) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_HEARTBEAT_TIMEOUT, &hbto,
	    sizeof hbto) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_TCP_KEEPALIVE, &one,
	    sizeof one) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_TCP_KEEPALIVE_IDLE, &ka,
	    sizeof ka) != 0 ||
	    zmq_setsockopt(pub->zsock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
	    zmq_socket_monitor(pub->zsock, PUBLISH_MONITOR,
	    ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0 ||
	    (pub->zmon = zmq_socket(pub->zctx, ZMQ_PAIR)) == NULL ||
	    zmq_connect(pub->zmon, PUBLISH_MONITOR) != 0 ||
	    zmq_bind(pub->zsock, cfg->zmq_endpoint) != 0) {
		snprintf(err, errlen, "zmq %s: %s", cfg->zmq_endpoint,
		    zmq_strerror(zmq_errno()));
		return (-1);
	}
	if (zmq_getsockopt(pub->zsock, ZMQ_LAST_ENDPOINT, bound, &blen) != 0)
		snprintf(bound, sizeof bound, "%s", cfg->zmq_endpoint);
	log_info("zmq: publishing on %s%s, %s, at most %d subscribers",
	    bound, publish_wildcard(cfg->zmq_endpoint) ?
	    " (every interface)" : "", cfg->zmq_curve_secret_key != NULL ?
	    "CURVE-encrypted" : "NOT encrypted (anyone who reaches it "
	    "reads the feed)", pub->max_peers);
	return (0);
}

/* A random id of this run, in every object: restarts are told apart. */
static void
publish_boot_id(char *buf)
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		r[PUBLISH_BOOT_LEN / 2];
	size_t			i;
	struct timespec		ts;
	uint64_t		t;

	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		/* No entropy yet: the time is still unique per run. */
		clock_gettime(CLOCK_REALTIME, &ts);
		t = ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^
		    ((uint64_t)getpid() << 40);
		for (i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)(t >> (8 * (i % 8)));
	}
	for (i = 0; i < sizeof r; i++) {
		buf[2 * i] = hex[r[i] >> 4];
		buf[2 * i + 1] = hex[r[i] & 0xf];
	}
	buf[2 * i] = '\0';
}

/* Appending, created 0640; the size so far is the last good offset. */
static int
publish_jsonl_open(const char *path, off_t *size)
{
	struct stat	sb;
	int		fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    PUBLISH_MODE)) == -1)
		return (-1);
	*size = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? sb.st_size : -1;
	return (fd);
}

/*
 * Standard output redirected to a file: where a half line would be cut
 * back to. Only when writes land at its end (">>", or ">" as opened);
 * -1 (never cut) for pipes, terminals and anything else.
 */
static off_t
publish_stdout_size(void)
{
	struct stat	sb;
	off_t		pos;
	int		fl;

	if (fstat(STDOUT_FILENO, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (fl = fcntl(STDOUT_FILENO, F_GETFL)) == -1)
		return (-1);
	if (fl & O_APPEND)
		return (sb.st_size);
	pos = lseek(STDOUT_FILENO, 0, SEEK_CUR);
	return (pos == sb.st_size ? pos : -1);
}

struct publisher *
publish_create(const struct config *cfg, int line_buffered, char *err,
    size_t errlen)
{
	struct publisher	*pub;

	pub = xcalloc(1, sizeof *pub);
	pub->line_buffered = line_buffered;
	pub->jsonl_fd = -1;
	publish_boot_id(pub->boot);
	snprintf(pub->site, sizeof pub->site, "%s", cfg->site != NULL ?
	    cfg->site : "unknown");
	/* [A-Za-z0-9_-]+ (config.c): written once, nothing to escape. */
	pub->site_member_len = (size_t)snprintf(pub->site_member,
	    sizeof pub->site_member, ",\"site\":\"%s\"", pub->site);
	jsonw_init(&pub->out);
	jsonw_init(&pub->topic);
	jsonw_init(&pub->jsonl);
	pub->privacy = privacy_create(cfg);
	if (cfg->zmq_endpoint != NULL &&
	    publish_open_zmq(pub, cfg, err, errlen) == -1) {
		publish_free(pub);
		return (NULL);
	}
	if (cfg->jsonl_path != NULL) {
		if (strcmp(cfg->jsonl_path, "-") == 0) {
			pub->jsonl_fd = STDOUT_FILENO;
			pub->jsonl_good = publish_stdout_size();
		} else if ((pub->jsonl_fd = publish_jsonl_open(cfg->jsonl_path,
		    &pub->jsonl_good)) != -1)
			pub->jsonl_path = xstrdup(cfg->jsonl_path);
		else {
			snprintf(err, errlen, "%s: %s", cfg->jsonl_path,
			    strerror(errno));
			publish_free(pub);
			return (NULL);
		}
	}
	if (cfg->nats_url != NULL) {
		if ((pub->nats = natspub_create(cfg, pub->site, pub->boot,
		    err, errlen)) == NULL) {
			publish_free(pub);
			return (NULL);
		}
		log_info("nats: publishing to %s as %s.%s.<topic>",
		    natspub_url(pub->nats), cfg->nats_subject_prefix,
		    pub->site);
	}
	pub->st.nats = pub->nats != NULL;
	log_info("run %s, site %s", pub->boot, pub->site);
	return (pub);
}

static int
publish_nodrop(struct publisher *pub, int on)
{
	return (zmq_setsockopt(pub->zsock, ZMQ_XPUB_NODROP, &on, sizeof on));
}

/*
 * Each subscriber has its own queue of sndhwm messages. NODROP makes a
 * send fail when a subscriber of the topic is full: then the overflow is
 * counted and the object sent again without NODROP, so the full
 * subscriber alone loses it (and sees the gap in seq) while the others
 * get everything. libzmq then skips that subscriber, without failing,
 * until it has read half its queue: what it loses meanwhile is known
 * only to it, by the gap. Hence overflows are counted, not messages.
 */
static void
publish_zmq(struct publisher *pub, const char *topic, const char *json,
    size_t len)
{
	size_t	tlen = strlen(topic);
	int	lossy = 0;

	if (zmq_send(pub->zsock, topic, tlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) ==
	    -1) {
		if (zmq_errno() != EAGAIN) {
			pub->st.zmq_dropped++;
			return;
		}
		pub->st.zmq_overflows++;
		lossy = 1;
		publish_nodrop(pub, 0);
		if (zmq_send(pub->zsock, topic, tlen, ZMQ_SNDMORE |
		    ZMQ_DONTWAIT) == -1) {
			pub->st.zmq_dropped++;
			publish_nodrop(pub, 1);
			return;
		}
	}
	/* Once the first frame is queued, the second cannot fail on HWM. */
	zmq_send(pub->zsock, json, len, ZMQ_DONTWAIT);
	if (lossy)
		publish_nodrop(pub, 1);
}

static const char *
publish_jsonl_name(const struct publisher *pub)
{
	return (pub->jsonl_path != NULL ? pub->jsonl_path : "standard output");
}

/*
 * Write the batch of whole lines with one call. A short write is cut
 * back to the last whole line, so the file never holds half an object
 * (nor, once space is back, two spliced into one line).
 */
static int
publish_jsonl_flush(struct publisher *pub)
{
	ssize_t	n;
	size_t	lines = pub->jsonl_lines;
	int	saved;

	if (pub->jsonl.len == 0)
		return (0);
	n = write(pub->jsonl_fd, pub->jsonl.buf, pub->jsonl.len);
	saved = n == -1 ? errno : ENOSPC;	/* a short write: no space */
	pub->jsonl_lines = 0;
	if (n == (ssize_t)pub->jsonl.len) {
		if (pub->jsonl_good >= 0)
			pub->jsonl_good += n;
		jsonw_reset(&pub->jsonl);
		if (pub->jsonl_failing) {
			log_info("jsonl: %s: writing again, %" PRIu64 " objects "
			    "were lost", publish_jsonl_name(pub),
			    pub->jsonl_lost_run);
			pub->jsonl_failing = 0;
		}
		return (0);
	}
	jsonw_reset(&pub->jsonl);
	/* Without O_APPEND the offset moved on too: back to the line end. */
	if (n > 0 && pub->jsonl_good >= 0 &&
	    (ftruncate(pub->jsonl_fd, pub->jsonl_good) == -1 ||
	    lseek(pub->jsonl_fd, pub->jsonl_good, SEEK_SET) == -1))
		log_err("jsonl: %s: cannot cut a half line: %s",
		    publish_jsonl_name(pub), strerror(errno));
	pub->st.jsonl_lost += lines;
	if (!pub->jsonl_failing) {
		log_err("jsonl: %s: %s: objects are being lost",
		    publish_jsonl_name(pub), strerror(saved));
		pub->jsonl_failing = 1;
		pub->jsonl_lost_run = 0;
	}
	pub->jsonl_lost_run += lines;
	return (-1);
}

/* {"topic": ..., then the object's own fields. */
static void
publish_jsonl(struct publisher *pub, const char *topic, const char *json,
    size_t len)
{
	jsonw_raw(&pub->jsonl, "{\"topic\":", 9);
	jsonw_quote(&pub->jsonl, topic);
	jsonw_raw(&pub->jsonl, ",", 1);
	jsonw_raw(&pub->jsonl, json + 1, len - 1);
	jsonw_raw(&pub->jsonl, "\n", 1);
	pub->jsonl_lines++;
	if (pub->line_buffered || pub->jsonl.len >= PUBLISH_JSONL_BATCH)
		publish_jsonl_flush(pub);
}

/*
 * The envelope every object starts with (type, v, seq, ts), written
 * straight into the output buffer; the caller appends its members.
 */
struct jsonw *
publish_begin(struct publisher *pub, const char *type, int64_t ts_us)
{
	struct jsonw	*w = &pub->out;

	jsonw_reset(w);
	jsonw_raw(w, "{", 1);
	jsonw_str(w, "type", type);
	jsonw_int(w, "v", PUBLISH_SCHEMA_VERSION);
	jsonw_int(w, "seq", (int64_t)++pub->seq);
	jsonw_str(w, "boot", pub->boot);
	jsonw_raw(w, pub->site_member, pub->site_member_len);
	jsonw_time(w, "ts", ts_us);
	return (w);
}

void
publish_end(struct publisher *pub, const char *topic)
{
	struct jsonw	*w = &pub->out;

	jsonw_raw(w, "}", 1);
	if (pub->zsock != NULL)
		publish_zmq(pub, topic, w->buf, w->len);
	if (pub->jsonl_fd != -1)
		publish_jsonl(pub, topic, w->buf, w->len);
	if (pub->nats != NULL)
		natspub_send(pub->nats, topic, pub->seq, w->buf, w->len);
	pub->st.sent++;
}

void
publish_set_config(struct publisher *pub, const struct config *cfg)
{
	/* Endpoints and keys stay as bound; privacy follows the file. */
	privacy_free(pub->privacy);
	pub->privacy = privacy_create(cfg);
}

const char *
publish_number(const struct publisher *pub, const char *number, char *buf,
    size_t len)
{
	return (privacy_number(pub->privacy, number, buf, len));
}

const char *
publish_uri(const struct publisher *pub, const char *uri, char *buf,
    size_t len)
{
	return (privacy_uri(pub->privacy, uri, buf, len));
}

/* Is fd still a TCP connection of ours? A closed one is forgotten. */
static int
publish_peer_alive(int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof ss;

	return (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0);
}

/*
 * The peer's address as libzmq writes "Peer-Address" (getnameinfo,
 * numeric), and its port in serv when serv is not NULL.
 */
static void
publish_peer_addr(int fd, char *host, size_t hlen, char *serv, size_t slen)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof ss;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, host, (socklen_t)hlen,
	    serv, (socklen_t)slen, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(host, hlen, "?");
		if (serv != NULL)
			snprintf(serv, slen, "?");
	}
}

static struct pub_addr *
publish_addr_find(struct publisher *pub, const char *addr)
{
	int	i;

	for (i = 0; i < pub->naddrs; i++) {
		if (strcmp(pub->addrs[i].addr, addr) == 0)
			return (&pub->addrs[i]);
	}
	return (NULL);
}

/* Forget the budgets of addresses no connection comes from any more. */
static void
publish_addr_gc(struct publisher *pub)
{
	int	i, j, k, used;

	for (i = j = 0; i < pub->naddrs; i++) {
		for (used = k = 0; k < pub->npeers && !used; k++)
			used = strcmp(pub->peers[k].addr,
			    pub->addrs[i].addr) == 0;
		if (used)
			pub->addrs[j++] = pub->addrs[i];
	}
	pub->naddrs = j;
}

/*
 * A new connection: counted, or, past publish.zmq.max_subscribers, shut
 * down at once (libzmq then closes it and frees its queue). Only the
 * socket is shut down, never the descriptor closed, so libzmq's own
 * bookkeeping stays right.
 */
static void
publish_peer_accepted(struct publisher *pub, int fd)
{
	char		 host[NI_MAXHOST], port[NI_MAXSERV];
	struct pub_peer	*p;
	int		 i, j;

	for (i = 0; i < pub->npeers; i++) {
		if (pub->peers[i].fd == fd)
			return;		/* a lost disconnect event */
	}
	if (pub->npeers == pub->max_peers) {
		/* Events can be lost under a flood: forget closed peers. */
		for (i = j = 0; i < pub->npeers; i++) {
			if (publish_peer_alive(pub->peers[i].fd))
				pub->peers[j++] = pub->peers[i];
		}
		pub->npeers = j;
		publish_addr_gc(pub);
	}
	if (pub->npeers < pub->max_peers) {
		p = &pub->peers[pub->npeers++];
		p->fd = fd;
		p->cut = 0;
		publish_peer_addr(fd, p->addr, sizeof p->addr, NULL, 0);
		if (publish_addr_find(pub, p->addr) == NULL) {
			/* At most one address per peer: there is room. */
			snprintf(pub->addrs[pub->naddrs].addr,
			    sizeof pub->addrs[0].addr, "%s", p->addr);
			pub->addrs[pub->naddrs++].bytes = 0;
		}
		return;
	}
	publish_peer_addr(fd, host, sizeof host, port, sizeof port);
	shutdown(fd, SHUT_RDWR);
	pub->st.zmq_refused++;
	log_warn("zmq: refused a subscriber from %s:%s: already %d "
	    "(publish.zmq.max_subscribers)", host, port, pub->max_peers);
}

static void
publish_peer_gone(struct publisher *pub, int fd)
{
	int	i;

	for (i = 0; i < pub->npeers; i++) {
		if (pub->peers[i].fd == fd) {
			pub->peers[i] = pub->peers[--pub->npeers];
			publish_addr_gc(pub);
			return;
		}
	}
}

static void	publish_monitor(struct publisher *);

/*
 * Every subscription frame (XPUB_VERBOSE passes them all) is charged to
 * the address it came from; unsubscriptions give the bytes back. An
 * address past publish.zmq.max_subscription_bytes has all its
 * connections shut down: libzmq then frees their subscriptions, and an
 * honest subscriber reconnects and subscribes again. libzmq tells a
 * subscription's address, not its connection, hence the budget per
 * address; an address whose connections are all gone starts afresh.
 * libzmq 4.3 enters a frame in its trie before we read it, and goes on
 * reading while the peer keeps sending, so a fast flood still costs
 * memory until the cut lands (measured: 2 to 180 MiB, freed with the
 * connection); CURVE with curve_allowed_clients is what keeps strangers
 * out altogether.
 */
static void
publish_subscription(struct publisher *pub, zmq_msg_t *msg)
{
	const unsigned char	*d = zmq_msg_data(msg);
	size_t			 n = zmq_msg_size(msg);
	const char		*addr = zmq_msg_gets(msg, "Peer-Address");
	struct pub_addr		*a;
	int			 i, pass, cut = 0;

	if (n == 0 || addr == NULL)
		return;		/* not a peer's own */
	/* Its connection's accept event may still wait on the monitor. */
	if ((a = publish_addr_find(pub, addr)) == NULL) {
		publish_monitor(pub);
		if ((a = publish_addr_find(pub, addr)) == NULL)
			return;		/* its peer is gone */
	}
	if (d[0] == 0) {
		a->bytes -= a->bytes < (int)n ? a->bytes : (int)n;
		return;
	}
	a->bytes += (int)n;
	if (a->bytes <= pub->max_sub_bytes)
		return;
	for (pass = 0; pass < 2 && cut == 0; pass++) {
		if (pass == 1)
			publish_monitor(pub);	/* accepts not yet seen */
		for (i = 0; i < pub->npeers; i++) {
			if (!pub->peers[i].cut &&
			    strcmp(pub->peers[i].addr, addr) == 0) {
				shutdown(pub->peers[i].fd, SHUT_RDWR);
				pub->peers[i].cut = 1;
				cut++;
			}
		}
	}
	a->bytes = 0;
	if (cut == 0)
		return;		/* frames read ahead from those just cut */
	pub->trim_due = 1;
	pub->st.zmq_flooded += (uint64_t)cut;
	log_warn("zmq: cut %d subscriber connection%s from %s: more than %d "
	    "bytes of subscriptions (publish.zmq.max_subscription_bytes)",
	    cut, cut == 1 ? "" : "s", addr, pub->max_sub_bytes);
}

/* Monitor events: two frames, (uint16 event, uint32 value), endpoint. */
static void
publish_monitor(struct publisher *pub)
{
	unsigned char	ev[6];
	uint16_t	event;
	uint32_t	value;
	int		n, more;
	size_t		ms = sizeof more;

	while ((n = zmq_recv(pub->zmon, ev, sizeof ev, ZMQ_DONTWAIT)) >= 0) {
		do {
			more = 0;
			if (zmq_getsockopt(pub->zmon, ZMQ_RCVMORE, &more,
			    &ms) == -1)
				more = 0;
			if (more)
				zmq_recv(pub->zmon, NULL, 0, 0);
		} while (more);
		if (n < (int)sizeof ev)
			continue;
		memcpy(&event, ev, sizeof event);
		memcpy(&value, ev + 2, sizeof value);
		if (event == ZMQ_EVENT_ACCEPTED)
			publish_peer_accepted(pub, (int)value);
		else if (event == ZMQ_EVENT_DISCONNECTED)
			publish_peer_gone(pub, (int)value);
	}
}

/*
 * Once the connections of a cut flood are gone and libzmq has freed
 * their subscriptions (trie nodes, queued frames: up to 180 MiB) and
 * handed us the last of them, give that memory back to the system:
 * freed, it stayed in the allocator's heap, the daemon's RSS stuck at
 * the flood's peak (tests/feed-sub-flood.sh).
 */
static void
publish_trim(struct publisher *pub)
{
	int	i;

	for (i = 0; i < pub->npeers; i++) {
		if (pub->peers[i].cut && publish_peer_alive(pub->peers[i].fd))
			return;
	}
	pub->trim_due = 0;
#ifdef HAVE_MALLOC_TRIM
	malloc_trim(0);
#endif
}

void
publish_drain(struct publisher *pub)
{
	zmq_msg_t	msg;
	int		n = 0;

	if (pub->nats != NULL)
		natspub_drain(pub->nats);
	if (pub->zsock == NULL)
		return;
	publish_monitor(pub);
	if (pub->zap != NULL)
		pub->st.zmq_refused += (uint64_t)zap_serve(pub->zap);
	zmq_msg_init(&msg);
	while (n++ < PUBLISH_DRAIN_MAX &&
	    zmq_msg_recv(&msg, pub->zsock, ZMQ_DONTWAIT) >= 0) {
		/* XPUB subscription frames: 1 = subscribe, 0 = unsubscribe. */
		if (zmq_msg_size(&msg) > 0 &&
		    *(unsigned char *)zmq_msg_data(&msg) == 1)
			pub->subscriptions++;
		publish_subscription(pub, &msg);
	}
	zmq_msg_close(&msg);
	if (pub->trim_due && n == 1)
		publish_trim(pub);
}

/*
 * n subscribers: n connections, and n subscriptions (VERBOSE passes a
 * second subscriber's subscription to a topic already subscribed).
 */
int
publish_await_subscribers(struct publisher *pub, int n, int timeout_ms)
{
	zmq_pollitem_t	item[3];
	int		waited = 0, step = 50, nitems = 2;

	if (pub->zsock == NULL || n <= 0)
		return (0);
	memset(item, 0, sizeof item);
	item[0].socket = pub->zsock;
	item[0].events = ZMQ_POLLIN;
	item[1].socket = pub->zmon;
	item[1].events = ZMQ_POLLIN;
	if (pub->zap != NULL) {
		/* Subscribers' handshakes wait for the ZAP handler. */
		item[2].socket = zap_socket(pub->zap);
		item[2].events = ZMQ_POLLIN;
		nitems = 3;
	}
	while ((pub->subscriptions < n || pub->npeers < n) &&
	    waited < timeout_ms) {
		if (zmq_poll(item, nitems, step) > 0)
			publish_drain(pub);
		waited += step;
	}
	log_debug("zmq: %d connections, %d subscriptions", pub->npeers,
	    pub->subscriptions);
	return (pub->subscriptions >= n && pub->npeers >= n ? 0 : -1);
}

/* SIGHUP, SIGUSR1: after a rotation, append to a new file at path. */
void
publish_reopen(struct publisher *pub)
{
	off_t	size;
	int	fd;

	if (pub->jsonl_path == NULL)
		return;
	publish_jsonl_flush(pub);
	if ((fd = publish_jsonl_open(pub->jsonl_path, &size)) == -1) {
		log_err("jsonl: reopening %s: %s; still writing to the file "
		    "open before", pub->jsonl_path, strerror(errno));
		return;
	}
	close(pub->jsonl_fd);
	pub->jsonl_fd = fd;
	pub->jsonl_good = size;
	log_info("jsonl: reopened %s", pub->jsonl_path);
}

uint64_t
publish_finish(struct publisher *pub)
{
	if (pub->jsonl_fd != -1)
		publish_jsonl_flush(pub);
	return (pub->st.jsonl_lost);
}

void
publish_observed(struct publisher *pub, int64_t from_us, int64_t to_us)
{
	if (from_us != 0 && pub->observed_from_us == 0)
		pub->observed_from_us = from_us;
	if (to_us != 0)
		pub->observed_to_us = to_us;
}

void
publish_get_observed(const struct publisher *pub, int64_t *from_us,
    int64_t *to_us)
{
	*from_us = pub->observed_from_us;
	*to_us = pub->observed_to_us;
}

const struct publish_stats *
publish_get_stats(struct publisher *pub)
{
	if (pub->nats != NULL)
		natspub_get_stats(pub->nats, &pub->st.nats_st);
	return (&pub->st);
}

void
publish_free(struct publisher *pub)
{
	if (pub == NULL)
		return;
	natspub_free(pub->nats);
	if (pub->jsonl_fd != -1) {
		publish_jsonl_flush(pub);
		if (pub->jsonl_path != NULL)
			close(pub->jsonl_fd);
	}
	/*
	 * libzmq's I/O thread sends monitor events blocking, holding the
	 * monitor's lock: read them, stop the monitor, only then close our
	 * end (closed first, the next event would hang the daemon).
	 */
	if (pub->zmon != NULL) {
		publish_monitor(pub);
		zmq_socket_monitor(pub->zsock, NULL, 0);
		zmq_close(pub->zmon);
	}
	if (pub->zsock != NULL)
		zmq_close(pub->zsock);
	zap_free(pub->zap);
	privacy_free(pub->privacy);
	if (pub->zctx != NULL)
		zmq_ctx_term(pub->zctx);
	jsonw_free(&pub->out);
	jsonw_free(&pub->topic);
	jsonw_free(&pub->jsonl);
	free(pub->peers);
	free(pub->addrs);
	free(pub->jsonl_path);
	free(pub);
}
