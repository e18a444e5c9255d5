/* SPDX-License-Identifier: BSD-2-Clause */
/* config.c: the YAML configuration: its schema table, loading and validation. */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>
#include <zmq.h>

#include "ccmetrics/conf.h"
#include "ccmetrics/strmap.h"
#include "ccmetrics/xmalloc.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

#define CONFIG_FILE_MAX	(1024 * 1024)	/* a config file is a few KiB */
#define CFG_KEY_MAX	256		/* a dotted key in a message */
#define CFG_MSG_MAX	512
/*
 * What a document may hold, checked on libyaml's events before a tree is
 * built: a configuration needs 4 levels and a few thousand nodes. Aliases
 * are refused: the tree shares an aliased node, but walking it visits it
 * once per alias, so nine levels of nine aliases make 9^9 visits.
 */
#define CFG_DEPTH_MAX	16
#define CFG_NODES_MAX	200000
#define CFG_LIST_MAX	4096		/* addresses, queues, client keys */

enum cfg_type {
	CFG_SECTION,		/* a map of further rows */
	CFG_STRING,
	CFG_INT,		/* int, within [min, max] */
	CFG_UINT64,		/* uint64_t, within [min, max] */
	CFG_FRACTION,		/* double, in (0, 1] */
	CFG_SECONDS,		/* double, in (0, max]; nullable: ~ is 0 */
	CFG_ENDPOINT,		/* a ZeroMQ endpoint, TRANSPORT://ADDRESS */
	CFG_HOSTPORT,		/* ADDRESS:PORT, sets hep_addr and hep_port */
	CFG_REGEX,		/* POSIX ERE, compiled into agent_user_re */
	CFG_PORTS,		/* sequence of ports: sip_ports, hep_ports */
	CFG_ADDRS,		/* sequence of addresses or CIDR prefixes */
	CFG_HEADERS,		/* sequence of SIP header names */
	CFG_QUEUES,		/* sequence of maps of "queues[]." rows */
	CFG_NAME,		/* a queue name, [A-Za-z0-9_-]+ */
	CFG_DNIS,		/* sequence of dialled numbers of one queue */
	CFG_CHOICE,		/* one word of cfg_choices, its index an int */
	CFG_CURVEKEY,		/* a CURVE key, 40 characters of Z85 */
	CFG_CURVEKEYS		/* sequence of CURVE keys */
};

#define CFG_REQUIRED	0x01	/* no default: must be given, not empty */
#define CFG_NULLABLE	0x02	/* ~ means "not set": NULL at off */
#define CFG_OPTIONAL	0x04	/* section: present turns a feature on */
#define CFG_DAYDIV	0x08	/* int: must divide 86400 */
#define CFG_EMPTYOK	0x10	/* string: "" is a value; ports: [] is */
#define CFG_RESTART	0x20	/* not reloadable: a reload keeps the
				   running value and says it needs a restart */
#define CFG_WORD	0x40	/* string: [A-Za-z0-9_-]+ */

/*
 * One row per key. Rows under "queues[]." apply to each struct
 * config_queue, every other row to struct config. A default is written as
 * it would be in YAML (a list of ports as "5060,5080").
 */
struct cfg_row {
	const char	*key;
	enum cfg_type	 type;
	size_t		 off;
	long long	 min;
	long long	 max;
	const char	*def;
	int		 flags;
	const char	*help;
};

/* The words a CFG_CHOICE row accepts, in the order of their values. */
static const struct cfg_choice {
	const char	*key;
	const char	*words[5];
} cfg_choices[] = {
	{ "log.level", { "error", "warning", "info", "debug", NULL } },
	{ "privacy.caller", { "clear", "hash", "mask", NULL } },
};

#define C(f)	offsetof(struct config, f)
#define Q(f)	offsetof(struct config_queue, f)

static const struct cfg_row cfg_rows[] = {
	{ "site", CFG_STRING, C(site), 0, CONFIG_NAME_MAX - 1, NULL,
	  CFG_NULLABLE|CFG_RESTART|CFG_WORD,
	  "this daemon's site in every object, [A-Za-z0-9_-]+; ~: the short "
	  "host name" },
	{ "capture", CFG_SECTION, 0, 0, 0, NULL, 0,
	  "where packets come from" },
	{ "capture.interface", CFG_STRING, C(interface), 0, 0, NULL,
	  CFG_NULLABLE|CFG_RESTART, "interface to capture on (-i overrides)" },
	{ "capture.file", CFG_STRING, C(file), 0, 0, NULL,
	  CFG_NULLABLE|CFG_RESTART, "pcap file to replay (-r overrides)" },
	{ "capture.filter", CFG_STRING, C(filter), 0, CONFIG_FILTER_MAX, NULL,
	  CFG_NULLABLE|CFG_EMPTYOK,
	  "kernel BPF filter; default from sip_ports, with IP fragments" },
	{ "capture.sip_ports", CFG_PORTS, C(sip_ports), 1, 65535, "5060",
	  CFG_RESTART, "UDP and TCP ports that carry SIP" },
	{ "capture.hep_listen", CFG_HOSTPORT, C(hep_listen), 0, 0, NULL,
	  CFG_NULLABLE|CFG_RESTART, "ADDRESS:PORT of a HEPv3 UDP listener" },
	{ "capture.hep_ports", CFG_PORTS, C(hep_ports), 1, 65535, NULL,
	  CFG_EMPTYOK, "UDP ports carrying HEPv3 inside the capture" },
	{ "capture.hep_sources", CFG_ADDRS, C(hep_sources), 0, CFG_LIST_MAX,
	  NULL, 0, "addresses the HEP listener takes datagrams from; none: any" },
	{ "capture.hep_password", CFG_STRING, C(hep_password), 0, 256, NULL,
	  CFG_NULLABLE, "HEP listener: the auth key chunk every datagram "
	  "must carry" },

	{ "pbx", CFG_SECTION, 0, 0, 0, NULL, 0, "the PBX/ACD" },
	{ "pbx.addresses", CFG_ADDRS, C(pbx), 0, CFG_LIST_MAX, NULL,
	  CFG_REQUIRED,
	  "addresses of the PBX/ACD (B2BUA) side" },
	{ "trunks", CFG_SECTION, 0, 0, 0, NULL, 0, "the carriers" },
	{ "trunks.addresses", CFG_ADDRS, C(trunks), 0, CFG_LIST_MAX, NULL, 0,
	  "carrier side; none: any non-PBX, non-agent address" },
	{ "agents", CFG_SECTION, 0, 0, 0, NULL, 0, "the agents' phones" },
	{ "agents.addresses", CFG_ADDRS, C(agents), 0, CFG_LIST_MAX, NULL,
	  CFG_REQUIRED,
	  "addresses of agent phones" },
	{ "agents.user_pattern", CFG_REGEX, C(agent_user_pattern), 0, 0, NULL,
	  CFG_NULLABLE, "POSIX ERE an agent id must match" },

	{ "queues", CFG_QUEUES, C(queues), 0, CFG_LIST_MAX, NULL, 0,
	  "the queues, each a map" },
	{ "queues[].name", CFG_NAME, Q(name), 0, CONFIG_NAME_MAX - 1, NULL,
	  CFG_REQUIRED, "queue name, [A-Za-z0-9_-]+" },
	{ "queues[].dnis", CFG_DNIS, Q(dnis), 0, CONFIG_MAX_DNIS, NULL, 0,
	  "Request-URI users of inbound INVITEs to this queue" },
	{ "queues[].sl_threshold_s", CFG_INT, Q(sl_threshold_s), 0, INT_MAX,
	  "20", 0, "service-level threshold on wait, seconds" },
	{ "queues[].sl_target", CFG_FRACTION, Q(sl_target), 0, 1, "0.80", 0,
	  "service-level target, in (0, 1]" },
	{ "queues[].max_abandon", CFG_FRACTION, Q(max_abandon), 0, 1, "0.05",
	  0, "Erlang A staffing: largest P(abandon), in (0, 1]" },
	{ "queues[].erlang_a_patience_s", CFG_SECONDS, Q(erlang_a_patience_s),
	  0, 86400, NULL, CFG_NULLABLE,
	  "Erlang A mean patience, seconds; ~: the measured patience_s" },
	{ "default_queue", CFG_STRING, C(default_queue), 0, 0, NULL,
	  CFG_NULLABLE, "queue of unmapped inbound calls; ~: ignore them" },

	{ "correlation", CFG_SECTION, 0, 0, 0, NULL, 0,
	  "agent leg to customer call" },
	{ "correlation.headers", CFG_HEADERS, C(corr_headers), 0,
	  CONFIG_MAX_CORR_HEADERS, NULL, 0,
	  "headers on the agent leg carrying the inbound Call-ID" },
	{ "correlation.caller_window_s", CFG_INT, C(caller_window_s), 0,
	  INT_MAX, "7200", 0, "caller-number fallback window; 0: off" },

	{ "metrics", CFG_SECTION, 0, 0, 0, NULL, 0, "intervals and real time" },
	{ "metrics.interval_s", CFG_INT, C(interval_s), 1, 86400, "900",
	  CFG_DAYDIV|CFG_RESTART, "interval length, seconds, divides a day" },
	{ "metrics.realtime_s", CFG_INT, C(realtime_s), 1, INT_MAX, "5", 0,
	  "real-time snapshot period, seconds" },
	{ "metrics.short_abandon_s", CFG_INT, C(short_abandon_s), 0, INT_MAX,
	  "5", 0, "abandons with shorter wait are short abandons" },
	{ "metrics.repeat_window_s", CFG_INT, C(repeat_window_s), 0, INT_MAX,
	  "86400", 0, "a caller's contact within this is a repeat; 0: off" },

	{ "limits", CFG_SECTION, 0, 0, 0, NULL, 0, "memory and time bounds" },
	{ "limits.max_legs", CFG_UINT64, C(max_legs), 1, LLONG_MAX, "1000000",
	  0, "most legs tracked at once; the oldest is evicted" },
	{ "limits.max_callers", CFG_UINT64, C(max_callers), 1, LLONG_MAX,
	  "1000000", 0, "most callers remembered for repeat detection; the "
	  "least recent is forgotten" },
	{ "limits.unanswered_leg_timeout_s", CFG_INT,
	  C(unanswered_leg_timeout_s), 1, INT_MAX, "300", 0,
	  "expiry of a leg never answered, seconds" },
	{ "limits.answered_leg_timeout_s", CFG_INT, C(answered_leg_timeout_s),
	  1, INT_MAX, "14400", 0, "expiry of an answered leg, seconds" },
	{ "limits.ended_dialog_memory_s", CFG_INT, C(ended_dialog_memory_s),
	  32, 86400, "300", 0, "how long an ended dialog is remembered: its "
	  "late requests open nothing, seconds" },
	{ "limits.max_time_jump_s", CFG_INT, C(max_time_jump_s), 0, INT_MAX,
	  "300", 0, "live: a packet further ahead or behind moves no clock "
	  "until 16 in a row agree; 0: off" },

	{ "publish", CFG_SECTION, 0, 0, 0, NULL, 0, "where events go" },
	{ "publish.zmq", CFG_SECTION, C(zmq_endpoint), 0, 0, NULL,
	  CFG_NULLABLE, "ZeroMQ PUB socket; ~: none" },
	{ "publish.zmq.endpoint", CFG_ENDPOINT, C(zmq_endpoint), 0, 0,
	  "tcp://127.0.0.1:5556", CFG_RESTART,
	  "endpoint to bind; every interface only when written so" },
	{ "publish.zmq.sndhwm", CFG_INT, C(zmq_sndhwm), 1, INT_MAX, "100000",
	  CFG_RESTART, "messages queued per subscriber before it alone loses some" },
	{ "publish.zmq.max_subscribers", CFG_INT, C(zmq_max_subscribers), 1,
	  65536, "32", CFG_RESTART, "connections served at once; more are refused" },
	{ "publish.zmq.await_subscribers", CFG_INT, C(zmq_await_subscribers), 0,
	  INT_MAX, "0", CFG_RESTART, "offline replay waits for this many subscribers" },
	{ "publish.zmq.await_ms", CFG_INT, C(zmq_await_ms), 0, INT_MAX, "3000",
	  CFG_RESTART, "longest wait for them, milliseconds" },
	{ "publish.jsonl", CFG_SECTION, C(jsonl_path), 0, 0, NULL,
	  CFG_NULLABLE|CFG_OPTIONAL, "JSON-lines sink; absent or ~: none" },
	{ "publish.jsonl.path", CFG_STRING, C(jsonl_path), 0, 0, NULL,
	  CFG_REQUIRED|CFG_RESTART, "file to append to; \"-\": stdout" },
	{ "publish.zmq.curve_secret_key", CFG_CURVEKEY,
	  C(zmq_curve_secret_key), 0, 0, NULL, CFG_NULLABLE|CFG_RESTART,
	  "CURVE secret key (Z85); set: subscribers need the public key" },
	{ "publish.zmq.curve_public_key", CFG_CURVEKEY,
	  C(zmq_curve_public_key), 0, 0, NULL, CFG_NULLABLE|CFG_RESTART,
	  "CURVE public key (Z85), checked against the secret key" },
	{ "publish.zmq.curve_allowed_clients", CFG_CURVEKEYS,
	  C(zmq_curve_allowed), 0, CFG_LIST_MAX, NULL, CFG_RESTART,
	  "client public keys served; none: any client with the key" },

	{ "publish.nats", CFG_SECTION, C(nats_url), 0, 0, NULL,
	  CFG_NULLABLE|CFG_OPTIONAL, "NATS JetStream output; absent or ~: none" },
	{ "publish.nats.url", CFG_STRING, C(nats_url), 0, 1024, NULL,
	  CFG_REQUIRED|CFG_RESTART, "server URL(s), nats:// or tls://, "
	  "comma-separated" },
	{ "publish.nats.subject_prefix", CFG_STRING, C(nats_subject_prefix), 0,
	  128, "ccmetrics", CFG_RESTART,
	  "subjects are PREFIX.SITE.TOPIC; tokens of [A-Za-z0-9_-]" },
	{ "publish.nats.max_pending", CFG_INT, C(nats_max_pending), 1,
	  10000000, "100000", CFG_RESTART,
	  "objects queued or awaiting their ack; more are dropped" },
	{ "publish.nats.tls_ca", CFG_STRING, C(nats_tls_ca), 0, 0, NULL,
	  CFG_NULLABLE|CFG_RESTART, "PEM file of the CAs the server's "
	  "certificate must chain to (turns TLS on)" },
	{ "publish.nats.tls_cert", CFG_STRING, C(nats_tls_cert), 0, 0, NULL,
	  CFG_NULLABLE|CFG_RESTART, "PEM client certificate (with tls_key)" },
	{ "publish.nats.tls_key", CFG_STRING, C(nats_tls_key), 0, 0, NULL,
	  CFG_NULLABLE|CFG_RESTART, "PEM private key of tls_cert" },
	{ "publish.nats.creds", CFG_STRING, C(nats_creds), 0, 0, NULL,
	  CFG_NULLABLE|CFG_RESTART, "credentials file (user JWT and NKey seed)" },
	{ "publish.nats.user", CFG_STRING, C(nats_user), 0, 256, NULL,
	  CFG_NULLABLE|CFG_RESTART, "user name (with password)" },
	{ "publish.nats.password", CFG_STRING, C(nats_password), 0, 256, NULL,
	  CFG_NULLABLE|CFG_RESTART, "password of user" },
	{ "publish.nats.token", CFG_STRING, C(nats_token), 0, 256, NULL,
	  CFG_NULLABLE|CFG_RESTART, "authentication token" },

	{ "daemon", CFG_SECTION, 0, 0, 0, NULL, 0, "the process" },
	{ "daemon.user", CFG_STRING, C(daemon_user), 0, 0, NULL,
	  CFG_NULLABLE|CFG_RESTART, "started as root: drop to this user once the capture is open" },
	{ "daemon.group", CFG_STRING, C(daemon_group), 0, 0, NULL,
	  CFG_NULLABLE|CFG_RESTART, "... and this group; ~: the user's own group" },

	{ "log", CFG_SECTION, 0, 0, 0, NULL, 0, "messages of the daemon" },
	{ "log.level", CFG_CHOICE, C(log_level), 0, 0, "info", 0,
	  "error, warning, info or debug (-q and -v override)" },

	{ "privacy", CFG_SECTION, 0, 0, 0, NULL, 0,
	  "caller numbers in what is published" },
	{ "privacy.caller", CFG_CHOICE, C(privacy_caller), 0, 0, "clear", 0,
	  "clear, hash (keyed HMAC-SHA256) or mask (last digits kept)" },
	{ "privacy.secret", CFG_STRING, C(privacy_secret), 0, 0, NULL,
	  CFG_NULLABLE, "key of the hash, at least 16 characters" },
	{ "privacy.mask_digits", CFG_INT, C(privacy_mask_digits), 0, 32, "4",
	  0, "digits left clear at the end of a masked number" },
};

#define CFG_QUEUE_PREFIX	"queues[]"
#define CFG_WORD_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789_-"

struct cfg_error {
	size_t		 line;		/* 1-based */
	size_t		 column;	/* 1-based */
	size_t		 seq;		/* order found, breaks ties */
	char		*text;		/* "key: problem" */
};

/* One load: the document walked, the config built, the errors found. */
struct cfg_load {
	const char	*name;
	yaml_document_t	*doc;
	struct config	*cfg;
	yaml_mark_t	 marks[nitems(cfg_rows)];	/* where each row of */
	int		 marked[nitems(cfg_rows)];	/*   struct config was set */
	struct cfg_error *errs;
	size_t		 nerrs;
};

static void	cfg_walk_map(struct cfg_load *, const char *, const char *,
		    yaml_node_t *, void *);

static void __attribute__((format(printf, 4, 5)))
cfg_error(struct cfg_load *cl, const yaml_mark_t *mark, const char *key,
    const char *fmt, ...)
{
	struct cfg_error	*e;
	char			 msg[CFG_MSG_MAX], text[CFG_KEY_MAX + CFG_MSG_MAX];
	char			*p;
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(text, sizeof text, "%s: %s", key, msg);
	/* Keys and values quoted from the file must not break the line. */
	for (p = text; *p != '\0'; p++) {
		if (iscntrl((unsigned char)*p))
			*p = '?';
	}

	cl->errs = xreallocarray(cl->errs, cl->nerrs + 1, sizeof *cl->errs);
	e = &cl->errs[cl->nerrs];
	/* libyaml marks are 0-based; messages are 1-based. */
	e->line = mark != NULL ? mark->line + 1 : 1;
	e->column = mark != NULL ? mark->column + 1 : 1;
	e->seq = cl->nerrs++;
	e->text = xstrdup(text);
}

static int
cfg_error_cmp(const void *a, const void *b)
{
	const struct cfg_error	*ea = a, *eb = b;

	if (ea->line != eb->line)
		return (ea->line < eb->line ? -1 : 1);
	if (ea->column != eb->column)
		return (ea->column < eb->column ? -1 : 1);
	return (ea->seq < eb->seq ? -1 : ea->seq > eb->seq);
}

/* Print every error in file order, then forget them. */
static void
cfg_error_flush(struct cfg_load *cl, FILE *f)
{
	size_t	i;

	qsort(cl->errs, cl->nerrs, sizeof *cl->errs, cfg_error_cmp);
	for (i = 0; i < cl->nerrs; i++) {
		fprintf(f, "%s:%zu:%zu: %s\n", cl->name, cl->errs[i].line,
		    cl->errs[i].column, cl->errs[i].text);
		free(cl->errs[i].text);
	}
	fflush(f);
	free(cl->errs);
	cl->errs = NULL;
	cl->nerrs = 0;
}

/*
 * "a.b" from "a" and "b", just "b" at the top. A key too long for buf
 * (only an unknown one can be) is cut short, ending in "...".
 */
static void
cfg_join(char *buf, size_t len, const char *prefix, const char *leaf)
{
	int	n;

	if (*prefix == '\0')
		n = snprintf(buf, len, "%s", leaf);
	else
		n = snprintf(buf, len, "%s.%s", prefix, leaf);
	if (n < 0 || (size_t)n >= len)
		memcpy(buf + len - 4, "...", 4);
}

/* "key[i]", the key of a sequence item, cut short as cfg_join does. */
static void
cfg_index(char *buf, size_t len, const char *key, size_t i)
{
	int	n;

	n = snprintf(buf, len, "%s[%zu]", key, i);
	if (n < 0 || (size_t)n >= len)
		memcpy(buf + len - 4, "...", 4);
}

/* The last part of key if the row is directly under prefix, else NULL. */
static const char *
cfg_child(const char *key, const char *prefix)
{
	size_t	len = strlen(prefix);

	if (len != 0) {
		if (strncmp(key, prefix, len) != 0 || key[len] != '.')
			return (NULL);
		key += len + 1;
	}
	if (strchr(key, '.') != NULL)
		return (NULL);
	return (key);
}

static const struct cfg_row *
cfg_find(const char *prefix, const char *leaf)
{
	const char	*child;
	size_t		 i;

	for (i = 0; i < nitems(cfg_rows); i++) {
		child = cfg_child(cfg_rows[i].key, prefix);
		if (child != NULL && strcmp(child, leaf) == 0)
			return (&cfg_rows[i]);
	}
	return (NULL);
}

static int
cfg_in_queue(const struct cfg_row *row)
{
	return (strncmp(row->key, CFG_QUEUE_PREFIX ".",
	    sizeof CFG_QUEUE_PREFIX) == 0);
}

/* YAML's null: an empty or "~"/"null" plain scalar, or a !!null tag. */
static int
cfg_is_null(const yaml_node_t *n)
{
	const char	*v;

	if (n->type != YAML_SCALAR_NODE)
		return (0);
	if (n->tag != NULL && strcmp((const char *)n->tag, YAML_NULL_TAG) == 0)
		return (1);
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return (0);
	v = (const char *)n->data.scalar.value;
	return (*v == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	    strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0);
}

/*
 * The text of a string value, or NULL after reporting why not. A plain
 * scalar is taken as written, so 5100 and +18005550100 need no quotes.
 */
static const char *
cfg_text(struct cfg_load *cl, const char *key, yaml_node_t *n, int emptyok)
{
	const char	*v;

	if (n->type != YAML_SCALAR_NODE || cfg_is_null(n)) {
		cfg_error(cl, &n->start_mark, key, "must be a string");
		return (NULL);
	}
	v = (const char *)n->data.scalar.value;
	if (strlen(v) != n->data.scalar.length) {
		cfg_error(cl, &n->start_mark, key, "must not contain NUL");
		return (NULL);
	}
	if (*v == '\0' && !emptyok) {
		cfg_error(cl, &n->start_mark, key, "must not be empty");
		return (NULL);
	}
	return (v);
}

/* A plain decimal integer: 0 ok, -1 not an integer, -2 out of range. */
static int
cfg_integer(const yaml_node_t *n, long long *out)
{
	const char	*v, *p;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return (-1);
	p = v = (const char *)n->data.scalar.value;
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p))
		return (-1);
	errno = 0;
	*out = strtoll(v, NULL, 10);
	if (errno == ERANGE)
		return (-2);
	return (0);
}

/* Report v outside [min, max] of row; the type's own limits go unsaid. */
static int
cfg_range(struct cfg_load *cl, const struct cfg_row *row, const char *key,
    const yaml_node_t *n, int rc, long long v)
{
	long long	tmax = row->type == CFG_UINT64 ? LLONG_MAX : INT_MAX;

	if (rc == 0 && v >= row->min && v <= row->max)
		return (0);
	if (row->max >= tmax) {
		if (rc == 0 && v < row->min)
			cfg_error(cl, &n->start_mark, key,
			    "must be at least %lld", row->min);
		else
			cfg_error(cl, &n->start_mark, key,
			    "must be at most %lld", row->max);
	} else
		cfg_error(cl, &n->start_mark, key,
		    "must be between %lld and %lld", row->min, row->max);
	return (-1);
}

static void
cfg_set_int(struct cfg_load *cl, const struct cfg_row *row, const char *key,
    yaml_node_t *n, void *base)
{
	long long	v = 0;
	int		rc;

	rc = cfg_integer(n, &v);
	if (rc == -1) {
		cfg_error(cl, &n->start_mark, key, "must be an integer");
		return;
	}
	if (row->flags & CFG_DAYDIV) {
		/* Intervals align to the epoch; a day must hold whole ones. */
		if (rc != 0 || v <= 0 || 86400 % v != 0) {
			cfg_error(cl, &n->start_mark, key, "must be > 0 and "
			    "divide 86400 (300, 900, 1800, 3600 ...)");
			return;
		}
	}
	if (cfg_range(cl, row, key, n, rc, v) != 0)
		return;
	if (row->type == CFG_UINT64)
		*(uint64_t *)((char *)base + row->off) = (uint64_t)v;
	else
		*(int *)((char *)base + row->off) = (int)v;
}

static void
cfg_set_fraction(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	const char	*v;
	char		*end;
	double		 d;

	if ((row->flags & CFG_NULLABLE) && cfg_is_null(n)) {
		*(double *)((char *)base + row->off) = 0.0;
		return;
	}
	/* Digits, sign, point and exponent only: no nan, inf or hex. */
	v = n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value :
	    "";
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || *v == '\0' ||
	    strspn(v, "0123456789+-.eE") != strlen(v)) {
		cfg_error(cl, &n->start_mark, key, "must be a number");
		return;
	}
	errno = 0;
	d = strtod(v, &end);
	if (*end != '\0' || end == v) {
		cfg_error(cl, &n->start_mark, key, "must be a number");
		return;
	}
	if (row->type == CFG_SECONDS) {
		if (errno == ERANGE || !isfinite(d) || d <= 0.0 ||
		    d > (double)row->max) {
			cfg_error(cl, &n->start_mark, key, "must be in (0, %lld]",
			    row->max);
			return;
		}
	} else if (errno == ERANGE || !isfinite(d) || d <= 0.0 || d > 1.0) {
		cfg_error(cl, &n->start_mark, key, "must be in (0, 1]");
		return;
	}
	*(double *)((char *)base + row->off) = d;
}

/*
 * The primitives of a BPF filter: one more than its "and", "or", "&&" and
 * "||". pcap_compile()'s optimiser grows much faster than that count
 * (2 KiB of "port N or ..." took 1.7 s, 2000 terms 23.8 GB).
 */
static size_t
cfg_filter_terms(const char *v)
{
	const char	*p = v;
	size_t		 n = 1, w;

	while (*p != '\0') {
		if ((p[0] == '&' && p[1] == '&') ||
		    (p[0] == '|' && p[1] == '|')) {
			n++;
			p += 2;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '_') {
			p++;
			continue;
		}
		w = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_");
		if ((w == 3 && strncasecmp(p, "and", 3) == 0) ||
		    (w == 2 && strncasecmp(p, "or", 2) == 0))
			n++;
		p += w;
	}
	return (n);
}

/*
 * Why zmq_bind() would refuse endpoint v (sep: its "://"), or NULL; so
 * that --check-config fails where start-up would (libzmq's tcp_address.cpp
 * and ipc_address.cpp): tcp is HOST:PORT, HOST "*", an IPv4 address, an
 * interface or host name, or an IPv6 address in brackets; PORT 1 to 65535
 * or "*". A name is not looked up here.
 */
static const char *
cfg_endpoint_refused(const char *v, const char *sep)
{
	static const char	 tcp_shape[] = "tcp needs HOST:PORT, an IPv6 "
				    "address in brackets, e.g. tcp://*:5556 or "
				    "tcp://[::1]:5556";
	static char		 why[96];
	const char		*addr = sep + 3, *colon, *port;
	char			 host[256];
	struct in6_addr		 a6;
	size_t			 tlen = (size_t)(sep - v), hlen;
	long			 p;

	if (tlen == 3 && strncmp(v, "ipc", 3) == 0)
		return (strlen(addr) > 107 ? "ipc path longer than 107 bytes" :
		    NULL);
	if (tlen == 6 && strncmp(v, "inproc", 6) == 0)
		return (NULL);
	if (tlen != 3 || strncmp(v, "tcp", 3) != 0) {
		snprintf(why, sizeof why, "transport %.*s is not one of tcp, "
		    "ipc, inproc", (int)(tlen > 32 ? 32 : tlen), v);
		return (why);
	}
	if ((colon = strrchr(addr, ':')) == NULL || colon == addr)
		return (tcp_shape);
	hlen = (size_t)(colon - addr);
	if (hlen >= sizeof host)
		return (tcp_shape);
	memcpy(host, addr, hlen);
	host[hlen] = '\0';
	if (host[0] == '[') {
		if (hlen < 3 || host[hlen - 1] != ']')
			return (tcp_shape);
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6) != 1)
			return (tcp_shape);
	} else if (strchr(host, ':') != NULL || strchr(host, ']') != NULL ||
	    (strcmp(host, "*") != 0 && strspn(host, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789.-_") != hlen))
		return (tcp_shape);
	port = colon + 1;
	if (strcmp(port, "*") == 0)
		return (NULL);
	if (*port == '\0' || strlen(port) > 5 ||
	    strspn(port, "0123456789") != strlen(port) ||
	    (p = strtol(port, NULL, 10)) < 1 || p > 65535)
		return ("port must be 1 to 65535 or *");
	return (NULL);
}

static void
cfg_set_string(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	char		**field = (char **)((char *)base + row->off);
	const char	 *v;

	if ((row->flags & CFG_NULLABLE) && cfg_is_null(n)) {
		free(*field);
		*field = NULL;
		return;
	}
	if ((v = cfg_text(cl, key, n, row->flags & CFG_EMPTYOK)) == NULL)
		return;
	if (row->max > 0 && strlen(v) > (size_t)row->max) {
		cfg_error(cl, &n->start_mark, key,
		    "longer than %lld characters", row->max);
		return;
	}
	if ((row->flags & CFG_WORD) && strspn(v, CFG_WORD_CHARS) !=
	    strlen(v)) {
		cfg_error(cl, &n->start_mark, key, "must match [A-Za-z0-9_-]+");
		return;
	}
	if (row->off == C(filter) &&
	    cfg_filter_terms(v) > CONFIG_FILTER_TERMS) {
		cfg_error(cl, &n->start_mark, key, "more than %d terms joined "
		    "by \"and\" and \"or\"", CONFIG_FILTER_TERMS);
		return;
	}
	if (row->type == CFG_ENDPOINT) {
		const char	*sep = strstr(v, "://"), *why;

		if (sep == NULL || sep == v || sep[3] == '\0') {
			cfg_error(cl, &n->start_mark, key, "must be "
			    "TRANSPORT://ADDRESS, e.g. tcp://*:5556");
			return;
		}
		if ((why = cfg_endpoint_refused(v, sep)) != NULL) {
			cfg_error(cl, &n->start_mark, key, "%s", why);
			return;
		}
	}
	free(*field);
	*field = xstrdup(v);
}

/* "1.2.3.4:9060" or "[::1]:9060"; 0 or -1. */
static int
cfg_parse_hostport(const char *s, struct addr *a, uint16_t *port)
{
	char		 host[ADDR_STRLEN];
	const char	*p, *colon;
	size_t		 len;
	int		 bracket = (*s == '[');
	long		 v;

	if (bracket) {
		if ((p = strchr(s, ']')) == NULL || p[1] != ':')
			return (-1);
		s++;
		len = (size_t)(p - s);
		colon = p + 1;
	} else {
		/* An IPv6 address needs brackets to tell it from the port. */
		if ((colon = strchr(s, ':')) == NULL ||
		    strchr(colon + 1, ':') != NULL)
			return (-1);
		len = (size_t)(colon - s);
	}
	if (len == 0 || len >= sizeof host)
		return (-1);
	memcpy(host, s, len);
	host[len] = '\0';
	if (addr_parse(host, a) != 0 || (a->family == AF_INET6) != bracket)
		return (-1);

	p = colon + 1;
	if (*p == '\0' || strlen(p) > 5 || strspn(p, "0123456789") != strlen(p))
		return (-1);
	v = strtol(p, NULL, 10);
	if (v < 1 || v > 65535)
		return (-1);
	*port = (uint16_t)v;
	return (0);
}

static void
cfg_set_hostport(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	struct config	*cfg = base;
	const char	*v;

	if (cfg_is_null(n)) {
		free(cfg->hep_listen);
		cfg->hep_listen = NULL;
		return;
	}
	if ((v = cfg_text(cl, key, n, 0)) == NULL)
		return;
	if (cfg_parse_hostport(v, &cfg->hep_addr, &cfg->hep_port) != 0) {
		cfg_error(cl, &n->start_mark, key, "must be ADDRESS:PORT, "
		    "e.g. 0.0.0.0:9060 or [::]:9060");
		return;
	}
	free(cfg->hep_listen);
	cfg->hep_listen = xstrdup(v);
	(void)row;
}

/*
 * glibc's regcomp() copies a sub-expression once for each repetition it
 * unrolls ("x{4}": 4 copies, "x+": 2, "x*" and "x?": 1), so nested
 * repetitions grow its memory geometrically ("((a{20}){20}){20}"), and
 * repetition operators in a row, undefined in POSIX ERE anyway, take it
 * gigabytes ("[0-9]++++++++{4}") or minutes ("[0-9]+++*+++{4}"). Such
 * patterns are refused from their text, before regcomp() sees them.
 */
#define CFG_REGEX_COPIES_MAX	4096
#define CFG_REGEX_DEPTH_MAX	32

struct cfg_regex_scan {
	int	stacked;	/* repetition operators in a row */
	int	deep;		/* groups nested past the limit */
};

/* The copies the repetition operators at *pp make of their atom. */
static double
cfg_regex_repeat(const char **pp, struct cfg_regex_scan *rs)
{
	const char	*p = *pp;
	double		 factor = 1;
	unsigned long	 lo, hi;
	char		*end;
	int		 ops = 0;

	for (;; ops++) {
		if (*p == '*' || *p == '?') {
			p++;
		} else if (*p == '+') {
			factor *= 2;
			p++;
		} else if (*p == '{' && ((p[1] >= '0' && p[1] <= '9') ||
		    p[1] == ',')) {		/* glibc: "x{,m}" is x{0,m} */
			lo = hi = strtoul(p + 1, &end, 10);
			if (*end == ',' && end[1] == '}') {
				hi = lo + 1;	/* "x{n,}": n copies and x* */
				end++;
			} else if (*end == ',')
				hi = strtoul(end + 1, &end, 10);
			if (*end != '}')
				break;		/* regcomp() reports it */
			if (hi < lo)
				hi = lo;
			factor *= hi > 0 ? (double)hi : 1;
			p = end + 1;
		} else
			break;
	}
	if (ops > 1)
		rs->stacked = 1;
	*pp = p;
	return (factor);
}

/* Copies of the alternatives from *pp up to ')' or the end. */
static double
cfg_regex_copies(const char **pp, int depth, struct cfg_regex_scan *rs)
{
	const char	*p = *pp, *q;
	double		 total = 0, atom;

	if (depth > CFG_REGEX_DEPTH_MAX) {
		rs->deep = 1;
		return (0);
	}
	/* An unmatched ')' is an ordinary character (glibc, POSIX ERE). */
	while (*p != '\0' && (*p != ')' || depth == 0) && !rs->deep &&
	    total <= CFG_REGEX_COPIES_MAX) {
		if (*p == '|') {
			p++;
			continue;
		}
		atom = 1;
		if (*p == '(') {
			p++;
			atom = cfg_regex_copies(&p, depth + 1, rs);
			if (*p == ')')
				p++;
		} else if (*p == '[') {
			/* A bracket expression; "]" first is a member. */
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p != '\0' && *p != ']') {
				/* "[:alpha:]", "[.-.]", "[=a=]" hold a ']'. */
				if (*p == '[' && (p[1] == ':' || p[1] == '.' ||
				    p[1] == '=') &&
				    (q = strchr(p + 2, p[1])) != NULL) {
					p = q + 1;
					if (*p == ']')
						p++;
					continue;
				}
				p++;
			}
			if (*p == ']')
				p++;
		} else if (*p == '\\' && p[1] != '\0') {
			p += 2;
		} else
			p++;
		total += atom * cfg_regex_repeat(&p, rs);
	}
	*pp = p;
	return (total);
}

/* Why regcomp() must not see pattern v, or NULL. */
static const char *
cfg_regex_refused(const char *v)
{
	struct cfg_regex_scan	 rs = { 0, 0 };
	const char		*p = v;
	double			 copies;

	copies = cfg_regex_copies(&p, 0, &rs);
	if (rs.deep)
		return ("groups nest deeper than 32");
	if (rs.stacked)
		return ("repetition operators in a row (undefined in POSIX "
		    "ERE)");
	if (copies > CFG_REGEX_COPIES_MAX)
		return ("repetitions unroll to more than 4096 copies");
	return (NULL);
}

static void
cfg_set_regex(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	struct config	*cfg = base;
	const char	*v, *why;
	regex_t		 re;
	char		 msg[CFG_MSG_MAX];
	int		 rc;

	if (cfg->agent_user_pattern != NULL) {
		regfree(&cfg->agent_user_re);
		free(cfg->agent_user_pattern);
		cfg->agent_user_pattern = NULL;
	}
	if (cfg_is_null(n))
		return;
	if ((v = cfg_text(cl, key, n, 0)) == NULL)
		return;
	if ((why = cfg_regex_refused(v)) != NULL) {
		cfg_error(cl, &n->start_mark, key, "regular expression too "
		    "complex: %s", why);
		return;
	}
	if ((rc = regcomp(&re, v, REG_EXTENDED|REG_NOSUB)) != 0) {
		regerror(rc, &re, msg, sizeof msg);
		cfg_error(cl, &n->start_mark, key,
		    "bad regular expression: %s", msg);
		return;
	}
	cfg->agent_user_re = re;
	cfg->agent_user_pattern = xstrdup(v);
	(void)row;
}

/* Report a list longer than row->max at its first item past it. */
static int
cfg_too_many(struct cfg_load *cl, const struct cfg_row *row, const char *key,
    yaml_node_item_t *items, size_t count, const char *what)
{
	char	ikey[CFG_KEY_MAX];

	if (count <= (size_t)row->max)
		return (0);
	cfg_index(ikey, sizeof ikey, key, (size_t)row->max);
	cfg_error(cl, &yaml_document_get_node(cl->doc,
	    items[row->max])->start_mark, ikey, "at most %lld %s", row->max,
	    what);
	return (-1);
}

/*
 * The items of a sequence value, none for null; -1 after reporting a
 * value that is neither.
 */
static int
cfg_items(struct cfg_load *cl, const char *key, yaml_node_t *n,
    yaml_node_item_t **first, size_t *count)
{
	if (cfg_is_null(n)) {
		*first = NULL;
		*count = 0;
		return (0);
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		cfg_error(cl, &n->start_mark, key, "must be a sequence");
		return (-1);
	}
	*first = n->data.sequence.items.start;
	*count = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	return (0);
}

static yaml_node_t *
cfg_node(struct cfg_load *cl, int id)
{
	return (yaml_document_get_node(cl->doc, id));
}

/* The list a CFG_PORTS row fills, and its count. */
static uint16_t *
cfg_port_list(struct config *cfg, const struct cfg_row *row, size_t **np)
{
	if (row->off == C(hep_ports)) {
		*np = &cfg->nhep_ports;
		return (cfg->hep_ports);
	}
	*np = &cfg->nsip_ports;
	return (cfg->sip_ports);
}

static void
cfg_set_ports(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	yaml_node_item_t	*items;
	yaml_node_t		*item;
	char			 ikey[CFG_KEY_MAX];
	uint16_t		*ports;
	size_t			 count, i, j, *np;
	long long		 v = 0;
	int			 rc;

	if (cfg_items(cl, key, n, &items, &count) != 0)
		return;
	ports = cfg_port_list(base, row, &np);
	*np = 0;
	if (count == 0 && !(row->flags & CFG_EMPTYOK)) {
		cfg_error(cl, &n->start_mark, key,
		    "must list at least one port");
		return;
	}
	for (i = 0; i < count; i++) {
		item = cfg_node(cl, items[i]);
		cfg_index(ikey, sizeof ikey, key, i);
		if ((rc = cfg_integer(item, &v)) == -1) {
			cfg_error(cl, &item->start_mark, ikey,
			    "must be an integer");
			continue;
		}
		if (cfg_range(cl, row, ikey, item, rc, v) != 0)
			continue;
		for (j = 0; j < *np; j++) {
			if (ports[j] == v)
				break;
		}
		if (j < *np) {
			cfg_error(cl, &item->start_mark, ikey,
			    "port %lld is listed twice", v);
			continue;
		}
		if (*np == CONFIG_MAX_SIP_PORTS) {
			cfg_error(cl, &item->start_mark, ikey,
			    "at most %d ports", CONFIG_MAX_SIP_PORTS);
			break;
		}
		ports[(*np)++] = (uint16_t)v;
	}
}

static void
cfg_set_addrs(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	struct addrset		*set = (struct addrset *)((char *)base + row->off);
	yaml_node_item_t	*items;
	yaml_node_t		*item;
	struct cidr		 c;
	char			 ikey[CFG_KEY_MAX];
	const char		*v;
	size_t			 count, i;

	if (cfg_items(cl, key, n, &items, &count) != 0)
		return;
	if (count == 0 && (row->flags & CFG_REQUIRED)) {
		cfg_error(cl, &n->start_mark, key,
		    "must list at least one address");
		return;
	}
	if (cfg_too_many(cl, row, key, items, count, "addresses") != 0)
		return;
	for (i = 0; i < count; i++) {
		item = cfg_node(cl, items[i]);
		cfg_index(ikey, sizeof ikey, key, i);
		if ((v = cfg_text(cl, ikey, item, 0)) == NULL)
			continue;
		if (cidr_parse(v, &c) != 0) {
			cfg_error(cl, &item->start_mark, ikey,
			    "\"%s\" is not an address or ADDRESS/PREFIX", v);
			continue;
		}
		addrset_add(set, &c);
	}
}

/* RFC 3261 25.1: a header name is a token. */
static int
cfg_is_token(const char *s)
{
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("-.!%*_+`'~", *p) ==
		    NULL)
			return (0);
	}
	return (p != s);
}

static void
cfg_set_headers(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	struct config		*cfg = base;
	yaml_node_item_t	*items;
	yaml_node_t		*item;
	char			 ikey[CFG_KEY_MAX];
	const char		*v;
	size_t			 count, i, j;

	if (cfg_items(cl, key, n, &items, &count) != 0)
		return;
	for (i = 0; i < count; i++) {
		item = cfg_node(cl, items[i]);
		cfg_index(ikey, sizeof ikey, key, i);
		if ((v = cfg_text(cl, ikey, item, 0)) == NULL)
			continue;
		if (!cfg_is_token(v)) {
			cfg_error(cl, &item->start_mark, ikey,
			    "\"%s\" is not a SIP header name", v);
			continue;
		}
		for (j = 0; j < cfg->ncorr_headers; j++) {
			/* RFC 3261 7.3.1: header names are case-insensitive. */
			if (strcasecmp(cfg->corr_headers[j], v) == 0)
				break;
		}
		if (j < cfg->ncorr_headers) {
			cfg_error(cl, &item->start_mark, ikey,
			    "header %s is listed twice", v);
			continue;
		}
		if (cfg->ncorr_headers == (size_t)row->max) {
			cfg_error(cl, &item->start_mark, ikey,
			    "at most %lld headers", row->max);
			break;
		}
		cfg->corr_headers[cfg->ncorr_headers++] = xstrdup(v);
	}
}

/* Queue j's name for messages, or its place when it has none. */
static const char *
cfg_queue_label(const struct config *cfg, size_t j, char *buf, size_t len)
{
	if (cfg->queues[j].name[0] != '\0')
		snprintf(buf, len, "queue %s", cfg->queues[j].name);
	else
		snprintf(buf, len, "queues[%zu]", j);
	return (buf);
}

static void
cfg_set_name(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	struct config_queue	*q = base;
	const char		*v;
	size_t			 j, len, self;

	if ((v = cfg_text(cl, key, n, 0)) == NULL)
		return;
	len = strlen(v);
	if (strspn(v, CFG_WORD_CHARS) != len) {
		cfg_error(cl, &n->start_mark, key, "must match [A-Za-z0-9_-]+");
		return;
	}
	if (len > (size_t)row->max) {
		cfg_error(cl, &n->start_mark, key,
		    "must be at most %lld characters", row->max);
		return;
	}
	self = (size_t)(q - cl->cfg->queues);
	for (j = 0; j < self; j++) {
		if (strcmp(cl->cfg->queues[j].name, v) == 0) {
			cfg_error(cl, &n->start_mark, key,
			    "duplicate queue name \"%s\" (also queues[%zu])",
			    v, j);
			return;
		}
	}
	memcpy(q->name, v, len + 1);
}

/*
 * Each DNIS leads to one queue: reject one seen before, here or earlier.
 * The map finds repeats in one step (100000 DNIS compared pairwise took
 * 27 s) and is what calls are routed by (config_queue_by_dnis()).
 */
static void
cfg_set_dnis(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	struct config		*cfg = cl->cfg;
	struct config_queue	*q = base, *owner;
	yaml_node_item_t	*items;
	yaml_node_t		*item;
	char			 ikey[CFG_KEY_MAX], label[CFG_KEY_MAX];
	const char		*v;
	size_t			 count, i;

	if (cfg_items(cl, key, n, &items, &count) != 0)
		return;
	if (cfg->dnis_map == NULL)
		cfg->dnis_map = strmap_create();
	if (count > 0)
		q->dnis = xreallocarray(q->dnis, q->ndnis + count,
		    sizeof *q->dnis);
	for (i = 0; i < count; i++) {
		item = cfg_node(cl, items[i]);
		cfg_index(ikey, sizeof ikey, key, i);
		if ((v = cfg_text(cl, ikey, item, 0)) == NULL)
			continue;
		if ((owner = strmap_get(cfg->dnis_map, v)) != NULL) {
			if (owner == q)
				cfg_error(cl, &item->start_mark, ikey,
				    "DNIS \"%s\" is listed twice", v);
			else
				cfg_error(cl, &item->start_mark, ikey,
				    "DNIS \"%s\" already belongs to %s", v,
				    cfg_queue_label(cfg, (size_t)(owner -
				    cfg->queues), label, sizeof label));
			continue;
		}
		if (strmap_count(cfg->dnis_map) == (size_t)row->max) {
			cfg_error(cl, &item->start_mark, ikey,
			    "at most %lld DNIS in all queues", row->max);
			break;
		}
		strmap_put(cfg->dnis_map, v, q);
		q->dnis[q->ndnis++] = xstrdup(v);
	}
}

static const struct cfg_choice *
cfg_choice_of(const struct cfg_row *row)
{
	size_t	i;

	for (i = 0; i < nitems(cfg_choices); i++) {
		if (strcmp(cfg_choices[i].key, row->key) == 0)
			return (&cfg_choices[i]);
	}
	return (NULL);
}

/* The index of word among the row's choices, or -1. */
static int
cfg_choice_index(const struct cfg_row *row, const char *word)
{
	const struct cfg_choice	*ch = cfg_choice_of(row);
	int			 i;

	for (i = 0; ch != NULL && ch->words[i] != NULL; i++) {
		if (strcmp(ch->words[i], word) == 0)
			return (i);
	}
	return (-1);
}

static void
cfg_set_choice(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	const struct cfg_choice	*ch = cfg_choice_of(row);
	char			 list[CFG_MSG_MAX];
	const char		*v;
	size_t			 len = 0;
	int			 i;

	if ((v = cfg_text(cl, key, n, 0)) == NULL)
		return;
	if ((i = cfg_choice_index(row, v)) == -1) {
		list[0] = '\0';
		for (i = 0; ch != NULL && ch->words[i] != NULL; i++)
			len += (size_t)snprintf(list + len, sizeof list - len,
			    "%s%s", i == 0 ? "" : ", ", ch->words[i]);
		cfg_error(cl, &n->start_mark, key, "must be one of %s", list);
		return;
	}
	*(int *)((char *)base + row->off) = i;
}

/* ZeroMQ's Z85 (RFC 32): a 32-byte CURVE key is 40 of these characters. */
static int
cfg_is_curve_key(const char *v)
{
	static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

	return (strlen(v) == CONFIG_CURVE_KEY_LEN &&
	    strspn(v, z85) == CONFIG_CURVE_KEY_LEN);
}

static void
cfg_set_curve_key(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	char		**field = (char **)((char *)base + row->off);
	const char	 *v;

	if (cfg_is_null(n)) {
		free(*field);
		*field = NULL;
		return;
	}
	if ((v = cfg_text(cl, key, n, 0)) == NULL)
		return;
	if (!cfg_is_curve_key(v)) {
		cfg_error(cl, &n->start_mark, key, "must be a CURVE key: %d "
		    "characters of Z85 (ccmetrics-sub --keygen makes one)",
		    CONFIG_CURVE_KEY_LEN);
		return;
	}
	free(*field);
	*field = xstrdup(v);
}

static void
cfg_set_curve_keys(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	struct config		*cfg = base;
	yaml_node_item_t	*items;
	yaml_node_t		*item;
	char			 ikey[CFG_KEY_MAX];
	const char		*v;
	size_t			 count, i, j;

	if (cfg_items(cl, key, n, &items, &count) != 0 ||
	    cfg_too_many(cl, row, key, items, count, "keys") != 0)
		return;
	for (i = 0; i < count; i++) {
		item = cfg_node(cl, items[i]);
		cfg_index(ikey, sizeof ikey, key, i);
		if ((v = cfg_text(cl, ikey, item, 0)) == NULL)
			continue;
		if (!cfg_is_curve_key(v)) {
			cfg_error(cl, &item->start_mark, ikey, "must be a "
			    "CURVE public key: %d characters of Z85",
			    CONFIG_CURVE_KEY_LEN);
			continue;
		}
		for (j = 0; j < cfg->nzmq_curve_allowed; j++) {
			if (strcmp(cfg->zmq_curve_allowed[j], v) == 0)
				break;
		}
		if (j < cfg->nzmq_curve_allowed) {
			cfg_error(cl, &item->start_mark, ikey,
			    "key is listed twice");
			continue;
		}
		cfg->zmq_curve_allowed = xreallocarray(cfg->zmq_curve_allowed,
		    cfg->nzmq_curve_allowed + 1, sizeof *cfg->zmq_curve_allowed);
		cfg->zmq_curve_allowed[cfg->nzmq_curve_allowed++] = xstrdup(v);
	}
	(void)row;
}

/* Set the defaults of the rows of one scope: struct config or a queue. */
static void
cfg_defaults(int queue, void *base)
{
	const struct cfg_row	*row;
	char			*p = base, *s, *tok, *last;
	struct config		*cfg = base;
	size_t			 i;

	for (i = 0; i < nitems(cfg_rows); i++) {
		row = &cfg_rows[i];
		if (row->def == NULL || cfg_in_queue(row) != queue)
			continue;
		switch (row->type) {
		case CFG_INT:
			*(int *)(p + row->off) = (int)strtol(row->def, NULL, 10);
			break;
		case CFG_UINT64:
			*(uint64_t *)(p + row->off) =
			    strtoull(row->def, NULL, 10);
			break;
		case CFG_FRACTION:
			*(double *)(p + row->off) = strtod(row->def, NULL);
			break;
		case CFG_CHOICE:
			*(int *)(p + row->off) = cfg_choice_index(row, row->def);
			break;
		case CFG_STRING:
		case CFG_ENDPOINT:
			*(char **)(p + row->off) = xstrdup(row->def);
			break;
		case CFG_PORTS:
			s = xstrdup(row->def);
			for (tok = strtok_r(s, ",", &last); tok != NULL &&
			    cfg->nsip_ports < CONFIG_MAX_SIP_PORTS;
			    tok = strtok_r(NULL, ",", &last)) {
				cfg->sip_ports[cfg->nsip_ports++] =
				    (uint16_t)strtoul(tok, NULL, 10);
			}
			free(s);
			break;
		default:
			break;
		}
	}
}

static void
cfg_set_queues(struct cfg_load *cl, const struct cfg_row *row,
    const char *key, yaml_node_t *n, void *base)
{
	struct config		*cfg = base;
	struct config_queue	*q;
	yaml_node_item_t	*items;
	yaml_node_t		*item;
	char			 ikey[CFG_KEY_MAX];
	size_t			 count, i;

	if (cfg_items(cl, key, n, &items, &count) != 0 || count == 0 ||
	    cfg_too_many(cl, row, key, items, count, "queues") != 0)
		return;
	/* Allocated whole: queue rows hold pointers into the array. */
	cfg->queues = xcalloc(count, sizeof *cfg->queues);
	for (i = 0; i < count; i++) {
		item = cfg_node(cl, items[i]);
		cfg_index(ikey, sizeof ikey, key, i);
		q = &cfg->queues[cfg->nqueues++];
		cfg_defaults(1, q);
		if (item->type != YAML_MAPPING_NODE) {
			cfg_error(cl, &item->start_mark, ikey, "must be a map");
			continue;
		}
		cfg_walk_map(cl, CFG_QUEUE_PREFIX, ikey, item, q);
	}
}

/* Report the required keys under prefix that the map (or nothing) lacks. */
static void
cfg_check_missing(struct cfg_load *cl, const char *prefix, const char *path,
    yaml_node_t **seen, const yaml_mark_t *mark)
{
	const struct cfg_row	*row;
	const char		*leaf;
	char			 key[CFG_KEY_MAX];
	size_t			 i;

	for (i = 0; i < nitems(cfg_rows); i++) {
		row = &cfg_rows[i];
		if ((leaf = cfg_child(row->key, prefix)) == NULL ||
		    (seen != NULL && seen[i] != NULL))
			continue;
		cfg_join(key, sizeof key, path, leaf);
		if (row->flags & CFG_REQUIRED)
			cfg_error(cl, mark, key, "must be set");
		else if (row->type == CFG_SECTION &&
		    (row->flags & CFG_OPTIONAL) == 0)
			cfg_check_missing(cl, row->key, key, NULL, mark);
	}
}

static void
cfg_apply(struct cfg_load *cl, const struct cfg_row *row, const char *key,
    yaml_node_t *n, void *base)
{
	switch (row->type) {
	case CFG_SECTION:
		if (cfg_is_null(n)) {
			if (row->flags & CFG_NULLABLE) {
				free(*(char **)((char *)base + row->off));
				*(char **)((char *)base + row->off) = NULL;
			}
			if ((row->flags & CFG_OPTIONAL) == 0)
				cfg_check_missing(cl, row->key, key, NULL,
				    &n->start_mark);
		} else if (n->type != YAML_MAPPING_NODE)
			cfg_error(cl, &n->start_mark, key, "must be a map");
		else
			cfg_walk_map(cl, row->key, key, n, base);
		break;
	case CFG_STRING:
	case CFG_ENDPOINT:
		cfg_set_string(cl, row, key, n, base);
		break;
	case CFG_INT:
	case CFG_UINT64:
		cfg_set_int(cl, row, key, n, base);
		break;
	case CFG_FRACTION:
	case CFG_SECONDS:
		cfg_set_fraction(cl, row, key, n, base);
		break;
	case CFG_HOSTPORT:
		cfg_set_hostport(cl, row, key, n, base);
		break;
	case CFG_REGEX:
		cfg_set_regex(cl, row, key, n, base);
		break;
	case CFG_PORTS:
		cfg_set_ports(cl, row, key, n, base);
		break;
	case CFG_ADDRS:
		cfg_set_addrs(cl, row, key, n, base);
		break;
	case CFG_HEADERS:
		cfg_set_headers(cl, row, key, n, base);
		break;
	case CFG_QUEUES:
		cfg_set_queues(cl, row, key, n, base);
		break;
	case CFG_NAME:
		cfg_set_name(cl, row, key, n, base);
		break;
	case CFG_DNIS:
		cfg_set_dnis(cl, row, key, n, base);
		break;
	case CFG_CHOICE:
		cfg_set_choice(cl, row, key, n, base);
		break;
	case CFG_CURVEKEY:
		cfg_set_curve_key(cl, row, key, n, base);
		break;
	case CFG_CURVEKEYS:
		cfg_set_curve_keys(cl, row, key, n, base);
		break;
	}
}

/*
 * Walk one map against the rows directly under prefix (the schema's
 * name, "queues[]" for a queue); path is the key as shown in messages
 * ("queues[1]").
 */
static void
cfg_walk_map(struct cfg_load *cl, const char *prefix, const char *path,
    yaml_node_t *map, void *base)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k, *v, **seen;
	const struct cfg_row	*row;
	const char		*name;
	char			 key[CFG_KEY_MAX];
	size_t			 i;

	seen = xcalloc(nitems(cfg_rows), sizeof *seen);
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = cfg_node(cl, pair->key);
		v = cfg_node(cl, pair->value);
		if (k->type != YAML_SCALAR_NODE) {
			cfg_error(cl, &k->start_mark,
			    *path != '\0' ? path : "(top level)",
			    "keys must be strings");
			continue;
		}
		name = (const char *)k->data.scalar.value;
		cfg_join(key, sizeof key, path, name);
		if ((row = cfg_find(prefix, name)) == NULL) {
			cfg_error(cl, &k->start_mark, key, "unknown key");
			continue;
		}
		i = (size_t)(row - cfg_rows);
		if (seen[i] != NULL) {
			cfg_error(cl, &k->start_mark, key,
			    "duplicate key (first at line %zu, column %zu)",
			    seen[i]->start_mark.line + 1,
			    seen[i]->start_mark.column + 1);
			continue;
		}
		seen[i] = k;
		if (base == cl->cfg) {
			cl->marks[i] = v->start_mark;
			cl->marked[i] = 1;
		}
		cfg_apply(cl, row, key, v, base);
	}
	cfg_check_missing(cl, prefix, path, seen, &map->start_mark);
	free(seen);
}

static const struct cfg_row *
cfg_row_by_key(const char *key)
{
	size_t	i;

	for (i = 0; i < nitems(cfg_rows); i++) {
		if (strcmp(cfg_rows[i].key, key) == 0)
			return (&cfg_rows[i]);
	}
	return (NULL);
}

/*
 * The default filter: SIP ports over UDP and TCP, HEP ports over UDP, and
 * every IP fragment, since a port filter drops all but the first fragment
 * of a large INVITE. On Ethernet, capture.c adds the same inside VLAN tags.
 * IPv6 fragments are recognised when the fragment header comes first.
 */
static char *
cfg_default_filter(const struct config *cfg)
{
	char	buf[CONFIG_MAX_SIP_PORTS * (48 + 24) + 256];
	size_t	i, len = 0;

	for (i = 0; i < cfg->nsip_ports; i++) {
		len += (size_t)snprintf(buf + len, sizeof buf - len,
		    "udp port %u or tcp port %u or ", cfg->sip_ports[i],
		    cfg->sip_ports[i]);
	}
	for (i = 0; i < cfg->nhep_ports; i++) {
		len += (size_t)snprintf(buf + len, sizeof buf - len,
		    "udp port %u or ", cfg->hep_ports[i]);
	}
	/* IP-in-IP (4) and IPv6-in-IP (41) tunnels are decoded too. */
	snprintf(buf + len, sizeof buf - len,
	    "(ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] = 44) or "
	    "ip proto 4 or ip proto 41 or ip6 proto 4 or ip6 proto 41");
	return (xstrdup(buf));
}

/* An error about key found after the walk, at the place it was set. */
static void __attribute__((format(printf, 3, 4)))
cfg_error_at(struct cfg_load *cl, const char *key, const char *fmt, ...)
{
	const struct cfg_row	*row = cfg_row_by_key(key);
	size_t			 i = (size_t)(row - cfg_rows);
	char			 msg[CFG_MSG_MAX];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cfg_error(cl, cl->marked[i] ? &cl->marks[i] : NULL, key, "%s", msg);
}

/* Keys of the daemon, CURVE and privacy that only make sense together. */
static void
cfg_finish_security(struct cfg_load *cl)
{
	struct config	*cfg = cl->cfg;
	char		 derived[CONFIG_CURVE_KEY_LEN + 1];

	if (cfg->daemon_group != NULL && cfg->daemon_user == NULL)
		cfg_error_at(cl, "daemon.group", "needs daemon.user");
	if (cfg->privacy_caller == PRIVACY_HASH &&
	    (cfg->privacy_secret == NULL ||
	    strlen(cfg->privacy_secret) < CONFIG_SECRET_MIN))
		cfg_error_at(cl, cfg->privacy_secret == NULL ?
		    "privacy.caller" : "privacy.secret",
		    "hash needs privacy.secret of at least %d characters",
		    CONFIG_SECRET_MIN);
	if (cfg->zmq_curve_secret_key == NULL) {
		if (cfg->zmq_curve_public_key != NULL)
			cfg_error_at(cl, "publish.zmq.curve_public_key",
			    "needs publish.zmq.curve_secret_key");
		if (cfg->nzmq_curve_allowed > 0)
			cfg_error_at(cl, "publish.zmq.curve_allowed_clients",
			    "needs publish.zmq.curve_secret_key");
		return;
	}
	if (cfg->zmq_endpoint == NULL)
		cfg_error_at(cl, "publish.zmq.curve_secret_key",
		    "needs ZeroMQ (publish.zmq is ~)");
	if (zmq_curve_public(derived, cfg->zmq_curve_secret_key) != 0)
		cfg_error_at(cl, "publish.zmq.curve_secret_key",
		    "not a valid key: %s", zmq_strerror(zmq_errno()));
	else if (cfg->zmq_curve_public_key != NULL &&
	    strcmp(derived, cfg->zmq_curve_public_key) != 0)
		cfg_error_at(cl, "publish.zmq.curve_public_key",
		    "is not the public key of curve_secret_key (that is %s)",
		    derived);
}

/*
 * No site: the short host name (up to the first dot). Should it not fit
 * [A-Za-z0-9_-]+ (an unset "(none)", a name too long), every other byte
 * becomes '_' and it is cut to CONFIG_NAME_MAX - 1; site_default says
 * so, and the daemon warns (docs/decisions.md).
 */
static void
cfg_default_site(struct config *cfg)
{
	char	host[256];
	size_t	i, len;

	if (gethostname(host, sizeof host) != 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	len = strlen(host);
	cfg->site_default = CONFIG_SITE_HOST;
	if (len == 0) {
		snprintf(host, sizeof host, "unknown");
		len = strlen(host);
		cfg->site_default = CONFIG_SITE_HOST_ALTERED;
	}
	if (len > CONFIG_NAME_MAX - 1) {
		host[CONFIG_NAME_MAX - 1] = '\0';
		cfg->site_default = CONFIG_SITE_HOST_ALTERED;
	}
	for (i = 0; host[i] != '\0'; i++) {
		if (strchr(CFG_WORD_CHARS, host[i]) == NULL) {
			host[i] = '_';
			cfg->site_default = CONFIG_SITE_HOST_ALTERED;
		}
	}
	cfg->site = xstrdup(host);
}

/* Is v tokens of [A-Za-z0-9_-] joined by dots (a NATS subject prefix)? */
static int
cfg_is_subject_prefix(const char *v)
{
	size_t	n;

	for (;;) {
		if ((n = strspn(v, CFG_WORD_CHARS)) == 0)
			return (0);
		v += n;
		if (*v == '\0')
			return (1);
		if (*v++ != '.')
			return (0);
	}
}

/* Each comma-separated URL: nats:// or tls:// and a host (libnats). */
static int
cfg_is_nats_url(const char *v)
{
	const char	*end;
	size_t		 len;

	for (;;) {
		end = v + strcspn(v, ",");
		len = (size_t)(end - v);
		if (!((len > 7 && strncmp(v, "nats://", 7) == 0) ||
		    (len > 6 && strncmp(v, "tls://", 6) == 0)) ||
		    memchr(v, ' ', len) != NULL)
			return (0);
		if (*end == '\0')
			return (1);
		v = end + 1;
	}
}

/* publish.nats: keys that only make sense together. */
static void
cfg_finish_nats(struct cfg_load *cl)
{
	struct config	*cfg = cl->cfg;

	if (cfg->nats_url == NULL)
		return;
	if (!cfg_is_nats_url(cfg->nats_url))
		cfg_error_at(cl, "publish.nats.url", "must be nats://HOST:PORT "
		    "or tls://HOST:PORT, several separated by commas");
	if (!cfg_is_subject_prefix(cfg->nats_subject_prefix))
		cfg_error_at(cl, "publish.nats.subject_prefix", "must be "
		    "tokens of [A-Za-z0-9_-] separated by dots");
	if ((cfg->nats_tls_cert == NULL) != (cfg->nats_tls_key == NULL))
		cfg_error_at(cl, cfg->nats_tls_cert == NULL ?
		    "publish.nats.tls_key" : "publish.nats.tls_cert",
		    "tls_cert and tls_key go together");
	if (cfg->nats_password != NULL && cfg->nats_user == NULL)
		cfg_error_at(cl, "publish.nats.password", "needs "
		    "publish.nats.user");
	if (cfg->nats_creds != NULL && (cfg->nats_user != NULL ||
	    cfg->nats_token != NULL))
		cfg_error_at(cl, "publish.nats.creds", "is one way to log in: "
		    "not with user or token");
	else if (cfg->nats_user != NULL && cfg->nats_token != NULL)
		cfg_error_at(cl, "publish.nats.token", "is one way to log in: "
		    "not with user");
}

/* Checks across keys, once the whole document is walked. */
static void
cfg_finish(struct cfg_load *cl)
{
	struct config		*cfg = cl->cfg;
	const struct cfg_row	*row;
	size_t			 i;

	if (cfg->default_queue != NULL &&
	    config_queue_by_name(cfg, cfg->default_queue) == NULL) {
		row = cfg_row_by_key("default_queue");
		i = (size_t)(row - cfg_rows);
		cfg_error(cl, cl->marked[i] ? &cl->marks[i] : NULL,
		    "default_queue", "no queue is named \"%s\"",
		    cfg->default_queue);
	}
	if (cfg->filter == NULL) {
		cfg->filter = cfg_default_filter(cfg);
		cfg->filter_default = 1;
	}
	if (cfg->site == NULL)
		cfg_default_site(cfg);
	cfg_finish_security(cl);
	cfg_finish_nats(cl);
}

/* Line and column of a byte offset, for errors libyaml gives no mark. */
static yaml_mark_t
cfg_offset_mark(const char *text, size_t len, size_t offset)
{
	yaml_mark_t	m;
	size_t		i;

	memset(&m, 0, sizeof m);
	for (i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else
			m.column++;
	}
	m.index = offset;
	return (m);
}

static void
cfg_yaml_error(struct cfg_load *cl, yaml_parser_t *p, const char *text,
    size_t len)
{
	yaml_mark_t	 mark;
	const char	*problem = p->problem != NULL ? p->problem : "error";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		cfg_error(cl, NULL, "syntax error", "out of memory");
		return;
	case YAML_READER_ERROR:
		mark = cfg_offset_mark(text, len, p->problem_offset);
		if (p->problem_value != -1)
			cfg_error(cl, &mark, "syntax error", "%s #%X", problem,
			    (unsigned int)p->problem_value);
		else
			cfg_error(cl, &mark, "syntax error", "%s", problem);
		return;
	default:
		break;
	}
	if (p->context != NULL)
		cfg_error(cl, &p->problem_mark, "syntax error",
		    "%s (%s at line %zu, column %zu)", problem, p->context,
		    p->context_mark.line + 1, p->context_mark.column + 1);
	else
		cfg_error(cl, &p->problem_mark, "syntax error", "%s", problem);
}

/*
 * Walk the document's events before libyaml builds a tree of it: refuse
 * aliases, nesting past CFG_DEPTH_MAX and more than CFG_NODES_MAX nodes,
 * each at the first place it happens, so neither the tree nor the walk
 * can outgrow the file. A syntax error is left to the load that follows
 * (it reports it the same way). 0 when the document may be loaded.
 */
static int
cfg_scan(struct cfg_load *cl, const char *text, size_t len)
{
	yaml_parser_t	 parser;
	yaml_event_t	 ev;
	size_t		 depth = 0, nodes = 0;
	int		 done = 0, rc = 0;

	if (!yaml_parser_initialize(&parser))
		return (0);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev))
			break;
		switch (ev.type) {
		case YAML_ALIAS_EVENT:
			cfg_error(cl, &ev.start_mark, "(document)",
			    "aliases are not allowed");
			rc = -1;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > CFG_DEPTH_MAX) {
				cfg_error(cl, &ev.start_mark, "(document)",
				    "nested deeper than %d levels",
				    CFG_DEPTH_MAX);
				rc = -1;
			}
			/* FALLTHROUGH */
		case YAML_SCALAR_EVENT:
			if (rc == 0 && ++nodes > CFG_NODES_MAX) {
				cfg_error(cl, &ev.start_mark, "(document)",
				    "more than %d YAML nodes", CFG_NODES_MAX);
				rc = -1;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return (rc);
}

static struct config *
cfg_load(const char *name, const char *text, size_t len, FILE *errs)
{
	struct cfg_load	 cl;
	yaml_parser_t	 parser;
	yaml_document_t	 doc, extra;
	yaml_node_t	*root;
	struct config	*cfg;

	if (errs == NULL)
		errs = stderr;
	memset(&cl, 0, sizeof cl);
	cl.name = name;
	cl.doc = &doc;
	cl.cfg = cfg = xcalloc(1, sizeof *cfg);
	cfg->path = xstrdup(name);
	cfg_defaults(0, cfg);

	if (cfg_scan(&cl, text, len) != 0)
		goto out;
	if (!yaml_parser_initialize(&parser)) {
		cfg_error(&cl, NULL, "syntax error", "out of memory");
		goto out;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		cfg_yaml_error(&cl, &parser, text, len);
		yaml_parser_delete(&parser);
		goto out;
	}

	/* An empty document lacks what the file lacks: say so at 1:1. */
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || cfg_is_null(root))
		cfg_check_missing(&cl, "", "", NULL, NULL);
	else if (root->type != YAML_MAPPING_NODE)
		cfg_error(&cl, &root->start_mark, "(top level)",
		    "must be a map");
	else
		cfg_walk_map(&cl, "", "", root, cfg);
	cfg_finish(&cl);

	/* A second document would be silently ignored: refuse it. */
	if (!yaml_parser_load(&parser, &extra))
		cfg_yaml_error(&cl, &parser, text, len);
	else {
		if (yaml_document_get_root_node(&extra) != NULL)
			cfg_error(&cl, &extra.start_mark, "(top level)",
			    "only one YAML document is allowed");
		yaml_document_delete(&extra);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);

out:
	if (cl.nerrs == 0)
		return (cfg);
	cfg_error_flush(&cl, errs);
	config_free(cfg);
	return (NULL);
}

struct config *
config_load_string(const char *name, const char *text, FILE *errs)
{
	return (cfg_load(name, text, strlen(text), errs));
}

struct config *
config_load(const char *path, FILE *errs)
{
	struct config	*cfg;
	FILE		*f;
	char		*text;
	size_t		 len = 0, n;

	if (errs == NULL)
		errs = stderr;
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(errs, "%s: %s\n", path, strerror(errno));
		return (NULL);
	}
	text = xmalloc(CONFIG_FILE_MAX + 1);
	while ((n = fread(text + len, 1, CONFIG_FILE_MAX + 1 - len, f)) > 0) {
		len += n;
		if (len > CONFIG_FILE_MAX)
			break;
	}
	if (ferror(f)) {
		fprintf(errs, "%s: %s\n", path, strerror(errno));
		cfg = NULL;
	} else if (len > CONFIG_FILE_MAX) {
		fprintf(errs, "%s: larger than %d bytes\n", path,
		    CONFIG_FILE_MAX);
		cfg = NULL;
	} else
		cfg = cfg_load(path, text, len, errs);
	fclose(f);
	free(text);
	return (cfg);
}

void
config_free(struct config *cfg)
{
	size_t	i, j;

	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->site);
	free(cfg->interface);
	free(cfg->file);
	free(cfg->filter);
	free(cfg->hep_listen);
	addrset_free(&cfg->hep_sources);
	free(cfg->hep_password);
	addrset_free(&cfg->pbx);
	addrset_free(&cfg->trunks);
	addrset_free(&cfg->agents);
	if (cfg->agent_user_pattern != NULL) {
		regfree(&cfg->agent_user_re);
		free(cfg->agent_user_pattern);
	}
	for (i = 0; i < cfg->nqueues; i++) {
		for (j = 0; j < cfg->queues[i].ndnis; j++)
			free(cfg->queues[i].dnis[j]);
		free(cfg->queues[i].dnis);
	}
	free(cfg->queues);
	strmap_free(cfg->dnis_map);
	free(cfg->default_queue);
	for (i = 0; i < cfg->ncorr_headers; i++)
		free(cfg->corr_headers[i]);
	free(cfg->zmq_endpoint);
	free(cfg->jsonl_path);
	free(cfg->zmq_curve_secret_key);
	free(cfg->zmq_curve_public_key);
	for (i = 0; i < cfg->nzmq_curve_allowed; i++)
		free(cfg->zmq_curve_allowed[i]);
	free(cfg->zmq_curve_allowed);
	free(cfg->nats_url);
	free(cfg->nats_subject_prefix);
	free(cfg->nats_tls_ca);
	free(cfg->nats_tls_cert);
	free(cfg->nats_tls_key);
	free(cfg->nats_creds);
	free(cfg->nats_user);
	free(cfg->nats_password);
	free(cfg->nats_token);
	free(cfg->daemon_user);
	free(cfg->daemon_group);
	free(cfg->privacy_secret);
	free(cfg);
}

const struct config_queue *
config_queue_by_name(const struct config *cfg, const char *name)
{
	size_t	i;

	for (i = 0; i < cfg->nqueues; i++) {
		if (strcmp(cfg->queues[i].name, name) == 0)
			return (&cfg->queues[i]);
	}
	return (NULL);
}

static int
cfg_str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != b);
	return (strcmp(a, b) != 0);
}

/* Does row's value differ between a and b? Then copy a's into b. */
static int
cfg_keep_value(const struct cfg_row *row, const struct config *a,
    struct config *b)
{
	const char	*pa = (const char *)a;
	char		*pb = (char *)b;
	char		**sb;
	size_t		 i, *nb;
	uint16_t	*ports;
	int		 differs;

	switch (row->type) {
	case CFG_STRING:
	case CFG_ENDPOINT:
	case CFG_CURVEKEY:
		sb = (char **)(pb + row->off);
		if (!cfg_str_differs(*(char *const *)(pa + row->off), *sb))
			return (0);
		free(*sb);
		*sb = *(char *const *)(pa + row->off) == NULL ? NULL :
		    xstrdup(*(char *const *)(pa + row->off));
		return (1);
	case CFG_INT:
		if (*(const int *)(pa + row->off) == *(int *)(pb + row->off))
			return (0);
		*(int *)(pb + row->off) = *(const int *)(pa + row->off);
		return (1);
	case CFG_PORTS:
		ports = cfg_port_list(b, row, &nb);
		if (row->off != C(sip_ports))
			return (0);	/* hep_ports: reloadable */
		differs = a->nsip_ports != *nb || memcmp(a->sip_ports, ports,
		    a->nsip_ports * sizeof *ports) != 0;
		memcpy(ports, a->sip_ports, sizeof a->sip_ports);
		*nb = a->nsip_ports;
		return (differs);
	case CFG_HOSTPORT:
		if (!cfg_str_differs(a->hep_listen, b->hep_listen))
			return (0);
		free(b->hep_listen);
		b->hep_listen = a->hep_listen == NULL ? NULL :
		    xstrdup(a->hep_listen);
		b->hep_addr = a->hep_addr;
		b->hep_port = a->hep_port;
		return (1);
	case CFG_CURVEKEYS:
		differs = a->nzmq_curve_allowed != b->nzmq_curve_allowed;
		for (i = 0; !differs && i < a->nzmq_curve_allowed; i++)
			differs = strcmp(a->zmq_curve_allowed[i],
			    b->zmq_curve_allowed[i]) != 0;
		if (!differs)
			return (0);
		for (i = 0; i < b->nzmq_curve_allowed; i++)
			free(b->zmq_curve_allowed[i]);
		free(b->zmq_curve_allowed);
		b->zmq_curve_allowed = NULL;
		b->nzmq_curve_allowed = 0;
		if (a->nzmq_curve_allowed > 0)
			b->zmq_curve_allowed = xreallocarray(NULL,
			    a->nzmq_curve_allowed, sizeof *b->zmq_curve_allowed);
		for (i = 0; i < a->nzmq_curve_allowed; i++)
			b->zmq_curve_allowed[i] =
			    xstrdup(a->zmq_curve_allowed[i]);
		b->nzmq_curve_allowed = a->nzmq_curve_allowed;
		return (1);
	default:
		return (0);
	}
}

void
config_keep_running(struct config *next, const struct config *running,
    void (*changed)(const char *key, void *arg), void *arg)
{
	size_t	i;

	for (i = 0; i < nitems(cfg_rows); i++) {
		if ((cfg_rows[i].flags & CFG_RESTART) == 0 ||
		    cfg_rows[i].type == CFG_SECTION)
			continue;
		if (cfg_keep_value(&cfg_rows[i], running, next) &&
		    changed != NULL)
			changed(cfg_rows[i].key, arg);
	}
	/* The default filter follows the ports that are running. */
	if (next->filter_default) {
		free(next->filter);
		next->filter = cfg_default_filter(next);
	}
}

int
config_key_reloadable(const char *key)
{
	const struct cfg_row	*row = cfg_row_by_key(key);

	return (row != NULL && (row->flags & CFG_RESTART) == 0);
}

const struct config_queue *
config_queue_by_dnis(const struct config *cfg, const char *dnis)
{
	if (cfg->dnis_map == NULL)
		return (NULL);
	return (strmap_get(cfg->dnis_map, dnis));
}

const char *
config_schema_key(size_t i, const char **def, const char **help)
{
	if (i >= nitems(cfg_rows))
		return (NULL);
	if (def != NULL)
		*def = cfg_rows[i].def;
	if (help != NULL)
		*help = cfg_rows[i].help;
	return (cfg_rows[i].key);
}
