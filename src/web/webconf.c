/* SPDX-License-Identifier: BSD-2-Clause */
/* webconf.c: the YAML configuration of ccmetrics-web: schema tables, loading, checks. */

#include "config.h"

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
#include <sys/stat.h>

#include <yaml.h>

#include "ccmetrics/webconf.h"
#include "ccmetrics/xmalloc.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

/* The same bounds as the daemon's loader (src/config.c). */
#define WC_FILE_MAX	(1024 * 1024)
#define WC_KEY_MAX	256
#define WC_MSG_MAX	512
#define WC_DEPTH_MAX	16
#define WC_NODES_MAX	200000
/* What a loaded config must leave for the program itself, its libraries,
   /metrics responses in flight (16 MiB, http.c) and its tables of sites,
   queues and agents (bounded by limits.max_*). */
#define WC_FIXED_BYTES	(32UL * 1024 * 1024)
/* What libmicrohttpd holds per connection (its default memory limit). */
#define WC_CONN_BYTES	(32UL * 1024)
/*
 * What one queue and one agent may cost at most, over all that holds
 * them: counters and histograms, the wallboard's state and today's
 * intervals (96 per queue on average, board.c), the lines of a /metrics
 * exposition (some 6.3 KiB a queue, twice while its buffer grows) and of
 * /state.json. Measured in tests/web-hostile.sh.
 */
#define WC_QUEUE_BYTES	(32UL * 1024)
#define WC_AGENT_BYTES	(4UL * 1024)

enum wc_type {
	WC_SECTION,	/* a map of further rows */
	WC_HOSTPORT,	/* listen: ADDRESS:PORT */
	WC_FEEDS,	/* sequence of maps of feed rows */
	WC_ENDPOINT,	/* tcp://HOST:PORT or ipc://PATH */
	WC_CURVEKEY,	/* 40 characters of Z85, or ~ */
	WC_TIMEZONE,	/* an IANA name with a zoneinfo file */
	WC_THRESHOLD,	/* thresholds.default: a map of threshold rows */
	WC_THRESHOLDS,	/* thresholds.queues: sequence of those, each named */
	WC_NAME,	/* a queue name, [A-Za-z0-9_-]+ */
	WC_INT,		/* int within [min, max] */
	WC_SIZE,	/* size_t within [min, max] */
	WC_SECONDS,	/* double within [min, max] */
	WC_FRACTION,	/* double in [0, 1] */
	WC_BOOL		/* true or false */
};

#define WC_REQUIRED	0x01

struct wc_row {
	const char	*key;
	enum wc_type	 type;
	size_t		 off;
	long long	 min;
	long long	 max;
	int		 flags;
};

#define W(f)	offsetof(struct webconf, f)
#define F(f)	offsetof(struct webconf_feed, f)
#define T(f)	offsetof(struct webconf_threshold, f)

static const struct wc_row wc_top[] = {
	{ "listen", WC_HOSTPORT, 0, 0, 0, 0 },
	{ "feeds", WC_FEEDS, 0, 1, WEBCONF_MAX_FEEDS, 0 },
	{ "timezone", WC_TIMEZONE, W(timezone), 0, 0, 0 },
	{ "thresholds", WC_SECTION, 0, 0, 0, 0 },
	{ "thresholds.default", WC_THRESHOLD, W(threshold_default), 0, 0, 0 },
	{ "thresholds.queues", WC_THRESHOLDS, 0, 0, WEBCONF_MAX_THRESHOLDS, 0 },
	{ "events", WC_SECTION, 0, 0, 0, 0 },
	{ "events.ring", WC_SIZE, W(events_ring), 1, 10000000, 0 },
	{ "events.ring_bytes", WC_SIZE, W(events_ring_bytes), 65536,
	  1LL << 32, 0 },
	{ "events.keepalive_s", WC_INT, W(events_keepalive_s), 1, 3600, 0 },
	{ "limits", WC_SECTION, 0, 0, 0, 0 },
	{ "limits.max_clients", WC_INT, W(max_clients), 1, 65536, 0 },
	{ "limits.client_buffer_bytes", WC_SIZE, W(client_buffer_bytes), 4096,
	  1LL << 30, 0 },
	{ "limits.max_message_bytes", WC_SIZE, W(max_message_bytes), 1024,
	  64LL << 20, 0 },
	{ "limits.max_sites", WC_INT, W(max_sites), 1, 4096, 0 },
	{ "limits.max_queues", WC_INT, W(max_queues), 1, 100000, 0 },
	{ "limits.max_agents", WC_INT, W(max_agents), 1, 1000000, 0 },
	{ "limits.max_queues_total", WC_INT, W(max_queues_total), 1, 1000000,
	  0 },
	{ "limits.max_agents_total", WC_INT, W(max_agents_total), 1, 10000000,
	  0 },
	{ "limits.memory_bytes", WC_SIZE, W(memory_bytes), 1LL << 20,
	  1LL << 40, 0 },
	{ "metrics", WC_SECTION, 0, 0, 0, 0 },
	{ "metrics.per_agent", WC_BOOL, W(per_agent), 0, 0, 0 },
	{ "metrics.feed_timeout_s", WC_INT, W(feed_timeout_s), 1, 86400, 0 },
};

static const struct wc_row wc_feed[] = {
	{ "endpoint", WC_ENDPOINT, F(endpoint), 0, 0, WC_REQUIRED },
	{ "server_key", WC_CURVEKEY, F(server_key), 0, 0, 0 },
	{ "public_key", WC_CURVEKEY, F(public_key), 0, 0, 0 },
	{ "secret_key", WC_CURVEKEY, F(secret_key), 0, 0, 0 },
};

static const struct wc_row wc_thr[] = {
	{ "queue", WC_NAME, T(queue), 0, 0, 0 },
	{ "longest_wait_s", WC_SECTION, 0, 0, 0, 0 },
	{ "longest_wait_s.amber", WC_SECONDS, T(longest_wait_amber_s), 0,
	  86400, 0 },
	{ "longest_wait_s.red", WC_SECONDS, T(longest_wait_red_s), 0, 86400, 0 },
	{ "service_level", WC_SECTION, 0, 0, 0, 0 },
	{ "service_level.amber", WC_FRACTION, T(sl_amber), 0, 1, 0 },
	{ "service_level.red", WC_FRACTION, T(sl_red), 0, 1, 0 },
	{ "sl_threshold_s", WC_INT, T(sl_threshold_s), 0, 86400, 0 },
};

struct wc_table {
	const struct wc_row	*rows;
	size_t			 n;
};

static const struct wc_table wc_tables[] = {
	{ wc_top, nitems(wc_top) },
	{ wc_feed, nitems(wc_feed) },
	{ wc_thr, nitems(wc_thr) },
};
#define WC_TOP	(&wc_tables[0])
#define WC_FEED	(&wc_tables[1])
#define WC_THR	(&wc_tables[2])

struct wc_error {
	size_t	 line, column, seq;
	char	*text;
};

struct wc_load {
	const char		*name;
	yaml_document_t		*doc;
	struct webconf		*wc;
	struct wc_error		*errs;
	size_t			 nerrs;
	yaml_mark_t		*thr_marks;	/* where each queue entry began */
	yaml_mark_t		 default_mark;
	yaml_mark_t		 top_marks[nitems(wc_top)];	/* where each */
	int			 top_marked[nitems(wc_top)];	/* was set */
	int			 queue_entry;	/* walking a thresholds.queues item */
};

static void	wc_walk_map(struct wc_load *, const struct wc_table *,
		    const char *, const char *, yaml_node_t *, void *);

static void __attribute__((format(printf, 4, 5)))
wc_error(struct wc_load *cl, const yaml_mark_t *mark, const char *key,
    const char *fmt, ...)
{
	struct wc_error	*e;
	char		 msg[WC_MSG_MAX], text[WC_KEY_MAX + WC_MSG_MAX], *p;
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(text, sizeof text, "%s: %s", key, msg);
	for (p = text; *p != '\0'; p++)
		if (iscntrl((unsigned char)*p))
			*p = '?';
	cl->errs = xreallocarray(cl->errs, cl->nerrs + 1, sizeof *cl->errs);
	e = &cl->errs[cl->nerrs];
	/* libyaml marks are 0-based; messages are 1-based. */
	e->line = mark != NULL ? mark->line + 1 : 1;
	e->column = mark != NULL ? mark->column + 1 : 1;
	e->seq = cl->nerrs++;
	e->text = xstrdup(text);
}

static int
wc_error_cmp(const void *a, const void *b)
{
	const struct wc_error	*ea = a, *eb = b;

	if (ea->line != eb->line)
		return (ea->line < eb->line ? -1 : 1);
	if (ea->column != eb->column)
		return (ea->column < eb->column ? -1 : 1);
	return (ea->seq < eb->seq ? -1 : ea->seq > eb->seq);
}

static void
wc_error_flush(struct wc_load *cl, FILE *f)
{
	size_t	i;

	qsort(cl->errs, cl->nerrs, sizeof *cl->errs, wc_error_cmp);
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

static void
wc_join(char *buf, size_t len, const char *prefix, const char *leaf)
{
	int	n;

	if (*prefix == '\0')
		n = snprintf(buf, len, "%s", leaf);
	else
		n = snprintf(buf, len, "%s.%s", prefix, leaf);
	if (n < 0 || (size_t)n >= len)
		memcpy(buf + len - 4, "...", 4);
}

static void
wc_index(char *buf, size_t len, const char *key, size_t i)
{
	int	n;

	n = snprintf(buf, len, "%s[%zu]", key, i);
	if (n < 0 || (size_t)n >= len)
		memcpy(buf + len - 4, "...", 4);
}

/* The last part of key if the row is directly under prefix, else NULL. */
static const char *
wc_child(const char *key, const char *prefix)
{
	size_t	len = strlen(prefix);

	if (len != 0) {
		if (strncmp(key, prefix, len) != 0 || key[len] != '.')
			return (NULL);
		key += len + 1;
	}
	return (strchr(key, '.') != NULL ? NULL : key);
}

static const struct wc_row *
wc_find(const struct wc_table *t, const char *prefix, const char *leaf)
{
	const char	*child;
	size_t		 i;

	for (i = 0; i < t->n; i++) {
		child = wc_child(t->rows[i].key, prefix);
		if (child != NULL && strcmp(child, leaf) == 0)
			return (&t->rows[i]);
	}
	return (NULL);
}

static yaml_node_t *
wc_node(struct wc_load *cl, int id)
{
	return (yaml_document_get_node(cl->doc, id));
}

static int
wc_is_null(const yaml_node_t *n)
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

static const char *
wc_text(struct wc_load *cl, const char *key, yaml_node_t *n)
{
	const char	*v;

	if (n->type != YAML_SCALAR_NODE || wc_is_null(n)) {
		wc_error(cl, &n->start_mark, key, "must be a string");
		return (NULL);
	}
	v = (const char *)n->data.scalar.value;
	if (strlen(v) != n->data.scalar.length) {
		wc_error(cl, &n->start_mark, key, "must not contain NUL");
		return (NULL);
	}
	if (*v == '\0') {
		wc_error(cl, &n->start_mark, key, "must not be empty");
		return (NULL);
	}
	return (v);
}

static void
wc_set_int(struct wc_load *cl, const struct wc_row *row, const char *key,
    yaml_node_t *n, void *base)
{
	const char	*v, *p;
	long long	 x;

	v = n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value :
	    "";
	p = v;
	if (*p == '+' || *p == '-')
		p++;
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || *p == '\0' ||
	    strspn(p, "0123456789") != strlen(p)) {
		wc_error(cl, &n->start_mark, key, "must be an integer");
		return;
	}
	errno = 0;
	x = strtoll(v, NULL, 10);
	if (errno == ERANGE || x < row->min || x > row->max) {
		wc_error(cl, &n->start_mark, key, "must be between %lld and "
		    "%lld", row->min, row->max);
		return;
	}
	if (row->type == WC_SIZE)
		*(size_t *)((char *)base + row->off) = (size_t)x;
	else
		*(int *)((char *)base + row->off) = (int)x;
}

static void
wc_set_double(struct wc_load *cl, const struct wc_row *row, const char *key,
    yaml_node_t *n, void *base)
{
	const char	*v;
	char		*end;
	double		 d;

	v = n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value :
	    "";
	/* Digits, sign, point and exponent only: no nan, inf or hex. */
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || *v == '\0' ||
	    strspn(v, "0123456789+-.eE") != strlen(v)) {
		wc_error(cl, &n->start_mark, key, "must be a number");
		return;
	}
	errno = 0;
	d = strtod(v, &end);
	if (*end != '\0' || end == v) {
		wc_error(cl, &n->start_mark, key, "must be a number");
		return;
	}
	if (errno == ERANGE || !isfinite(d) || d < (double)row->min ||
	    d > (double)row->max) {
		wc_error(cl, &n->start_mark, key, "must be in [%lld, %lld]",
		    row->min, row->max);
		return;
	}
	*(double *)((char *)base + row->off) = d;
}

static void
wc_set_bool(struct wc_load *cl, const struct wc_row *row, const char *key,
    yaml_node_t *n, void *base)
{
	const char	*v;

	v = n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value :
	    "";
	if (n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)) {
		*(int *)((char *)base + row->off) = strcmp(v, "true") == 0;
		return;
	}
	wc_error(cl, &n->start_mark, key, "must be true or false");
}

/* "1.2.3.4:8080" or "[::1]:8080" into host and port; 0 or -1. */
static int
wc_parse_hostport(const char *s, char *host, size_t hostlen, uint16_t *port)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	const char	*colon, *p;
	size_t		 len;
	long		 v;

	if (*s == '[') {
		if ((p = strchr(s, ']')) == NULL || p[1] != ':')
			return (-1);
		len = (size_t)(p - s - 1);
		if (len == 0 || len >= hostlen)
			return (-1);
		memcpy(host, s + 1, len);
		host[len] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return (-1);
		colon = p + 1;
	} else {
		if ((colon = strchr(s, ':')) == NULL ||
		    strchr(colon + 1, ':') != NULL)
			return (-1);
		len = (size_t)(colon - s);
		if (len == 0 || len >= hostlen)
			return (-1);
		memcpy(host, s, len);
		host[len] = '\0';
		if (inet_pton(AF_INET, host, &a4) != 1)
			return (-1);
	}
	p = colon + 1;
	if (*p == '\0' || strlen(p) > 5 || strspn(p, "0123456789") != strlen(p))
		return (-1);
	v = strtol(p, NULL, 10);
	if (v < 1 || v > 65535)
		return (-1);
	*port = (uint16_t)v;
	return (0);
}

/* Why a subscriber could not connect to endpoint v, or NULL. */
static const char *
wc_endpoint_refused(const char *v)
{
	const char	*sep = strstr(v, "://"), *addr, *colon, *port;
	size_t		 tlen;

	if (sep == NULL || sep == v || sep[3] == '\0')
		return ("must be TRANSPORT://ADDRESS, e.g. tcp://127.0.0.1:5556");
	tlen = (size_t)(sep - v);
	addr = sep + 3;
	if (tlen == 3 && strncmp(v, "ipc", 3) == 0)
		return (strlen(addr) > 107 ? "ipc path longer than 107 bytes" :
		    NULL);
	if (tlen != 3 || strncmp(v, "tcp", 3) != 0)
		return ("transport must be tcp or ipc");
	if ((colon = strrchr(addr, ':')) == NULL || colon == addr ||
	    strcspn(addr, " \t*") != strlen(addr))
		return ("tcp needs HOST:PORT, e.g. tcp://127.0.0.1:5556");
	port = colon + 1;
	if (*port == '\0' || strlen(port) > 5 ||
	    strspn(port, "0123456789") != strlen(port) ||
	    strtol(port, NULL, 10) < 1 || strtol(port, NULL, 10) > 65535)
		return ("port must be 1 to 65535");
	return (NULL);
}

static int
wc_is_curve_key(const char *v)
{
	static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

	return (strlen(v) == WEBCONF_KEY_LEN &&
	    strspn(v, z85) == WEBCONF_KEY_LEN);
}

/* An IANA name (Europe/Paris, UTC) with a file under the zoneinfo root. */
static const char *
wc_timezone_refused(const char *v)
{
	const char	*root = getenv("TZDIR");
	char		 path[512];
	struct stat	 st;

	if (strlen(v) > 128 || *v == '/' || strstr(v, "..") != NULL ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/_+-") != strlen(v))
		return ("must be an IANA time zone name, e.g. Europe/Paris");
	if (root == NULL || *root == '\0')
		root = "/usr/share/zoneinfo";
	snprintf(path, sizeof path, "%s/%s", root, v);
	if (strcmp(v, "UTC") != 0 &&
	    (stat(path, &st) != 0 || !S_ISREG(st.st_mode)))
		return ("unknown time zone (no zoneinfo file for it)");
	return (NULL);
}

static void
wc_set_string(struct wc_load *cl, const struct wc_row *row, const char *key,
    yaml_node_t *n, void *base)
{
	char		**field = (char **)((char *)base + row->off);
	const char	 *v, *why = NULL;

	if (row->type == WC_CURVEKEY && wc_is_null(n)) {
		free(*field);
		*field = NULL;
		return;
	}
	if ((v = wc_text(cl, key, n)) == NULL)
		return;
	switch (row->type) {
	case WC_ENDPOINT:
		why = wc_endpoint_refused(v);
		break;
	case WC_CURVEKEY:
		if (!wc_is_curve_key(v))
			why = "must be a CURVE key: 40 characters of Z85 "
			    "(ccmetrics-sub --keygen makes one)";
		break;
	case WC_TIMEZONE:
		why = wc_timezone_refused(v);
		break;
	default:
		break;
	}
	if (why != NULL) {
		wc_error(cl, &n->start_mark, key, "%s", why);
		return;
	}
	free(*field);
	*field = xstrdup(v);
}

static void
wc_set_name(struct wc_load *cl, const char *key, yaml_node_t *n,
    struct webconf_threshold *t)
{
	const char	*v;

	if (!cl->queue_entry) {
		wc_error(cl, &n->start_mark, key, "unknown key (only entries "
		    "of thresholds.queues name a queue)");
		return;
	}
	if ((v = wc_text(cl, key, n)) == NULL)
		return;
	if (strlen(v) >= WEBCONF_NAME_MAX ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") != strlen(v)) {
		wc_error(cl, &n->start_mark, key, "must be a queue name, "
		    "[A-Za-z0-9_-]+, at most %d characters",
		    WEBCONF_NAME_MAX - 1);
		return;
	}
	memcpy(t->queue, v, strlen(v) + 1);
}

static void
wc_set_hostport(struct wc_load *cl, const char *key, yaml_node_t *n)
{
	struct webconf	*wc = cl->wc;
	const char	*v;

	if ((v = wc_text(cl, key, n)) == NULL)
		return;
	if (wc_parse_hostport(v, wc->listen_host, sizeof wc->listen_host,
	    &wc->listen_port) != 0) {
		wc_error(cl, &n->start_mark, key, "must be ADDRESS:PORT with "
		    "a numeric address, e.g. 127.0.0.1:8080 or [::1]:8080");
		return;
	}
	free(wc->listen);
	wc->listen = xstrdup(v);
}

/* Items of a sequence, or -1 after reporting; at most max of them. */
static int
wc_items(struct wc_load *cl, const char *key, yaml_node_t *n, long long max,
    yaml_node_item_t **items, size_t *count)
{
	if (n->type != YAML_SEQUENCE_NODE) {
		wc_error(cl, &n->start_mark, key, "must be a list");
		return (-1);
	}
	*items = n->data.sequence.items.start;
	*count = (size_t)(n->data.sequence.items.top - *items);
	if (*count > (size_t)max) {
		wc_error(cl, &n->start_mark, key, "more than %lld entries", max);
		return (-1);
	}
	return (0);
}

static void
wc_feed_free(struct webconf_feed *f)
{
	free(f->endpoint);
	free(f->server_key);
	free(f->public_key);
	if (f->secret_key != NULL) {
		memset(f->secret_key, 0, strlen(f->secret_key));
		free(f->secret_key);
	}
}

static void
wc_set_feeds(struct wc_load *cl, const struct wc_row *row, const char *key,
    yaml_node_t *n)
{
	struct webconf		*wc = cl->wc;
	struct webconf_feed	*f;
	yaml_node_item_t	*items;
	yaml_node_t		*item;
	char			 ikey[WC_KEY_MAX];
	size_t			 count, i;

	if (wc_items(cl, key, n, row->max, &items, &count) != 0)
		return;
	if (count == 0) {
		wc_error(cl, &n->start_mark, key, "must list at least one feed");
		return;
	}
	for (i = 0; i < wc->nfeeds; i++)
		wc_feed_free(&wc->feeds[i]);
	free(wc->feeds);
	wc->feeds = xcalloc(count, sizeof *wc->feeds);
	wc->nfeeds = 0;
	for (i = 0; i < count; i++) {
		item = wc_node(cl, items[i]);
		wc_index(ikey, sizeof ikey, key, i);
		if (item->type != YAML_MAPPING_NODE) {
			wc_error(cl, &item->start_mark, ikey, "must be a map");
			continue;
		}
		f = &wc->feeds[wc->nfeeds++];
		wc_walk_map(cl, WC_FEED, "", ikey, item, f);
		if (f->endpoint == NULL)
			continue;
		if (f->secret_key != NULL && f->server_key == NULL)
			wc_error(cl, &item->start_mark, ikey, "secret_key "
			    "without server_key: CURVE needs the daemon's key");
		if (f->public_key != NULL && f->secret_key == NULL)
			wc_error(cl, &item->start_mark, ikey, "public_key "
			    "without secret_key");
	}
}

static void
wc_threshold_unset(struct webconf_threshold *t)
{
	memset(t, 0, sizeof *t);
	t->longest_wait_amber_s = t->longest_wait_red_s = NAN;
	t->sl_amber = t->sl_red = NAN;
	t->sl_threshold_s = -1;
}

static void
wc_set_thresholds(struct wc_load *cl, const struct wc_row *row,
    const char *key, yaml_node_t *n)
{
	struct webconf		*wc = cl->wc;
	struct webconf_threshold *t;
	yaml_node_item_t	*items;
	yaml_node_t		*item;
	char			 ikey[WC_KEY_MAX];
	size_t			 count, i, j;

	if (wc_items(cl, key, n, row->max, &items, &count) != 0 || count == 0)
		return;
	wc->thresholds = xcalloc(count, sizeof *wc->thresholds);
	cl->thr_marks = xcalloc(count, sizeof *cl->thr_marks);
	for (i = 0; i < count; i++) {
		item = wc_node(cl, items[i]);
		wc_index(ikey, sizeof ikey, key, i);
		if (item->type != YAML_MAPPING_NODE) {
			wc_error(cl, &item->start_mark, ikey, "must be a map");
			continue;
		}
		t = &wc->thresholds[wc->nthresholds];
		wc_threshold_unset(t);
		cl->queue_entry = 1;
		wc_walk_map(cl, WC_THR, "", ikey, item, t);
		cl->queue_entry = 0;
		if (t->queue[0] == '\0') {
			wc_error(cl, &item->start_mark, ikey, "queue: must be "
			    "set");
			continue;
		}
		for (j = 0; j < wc->nthresholds; j++)
			if (strcmp(wc->thresholds[j].queue, t->queue) == 0)
				break;
		if (j < wc->nthresholds) {
			wc_error(cl, &item->start_mark, ikey, "queue %s is "
			    "listed twice", t->queue);
			continue;
		}
		cl->thr_marks[wc->nthresholds++] = item->start_mark;
	}
}

static void
wc_apply(struct wc_load *cl, const struct wc_table *t,
    const struct wc_row *row, const char *key, yaml_node_t *n, void *base)
{
	switch (row->type) {
	case WC_SECTION:
		if (wc_is_null(n))
			break;
		if (n->type != YAML_MAPPING_NODE)
			wc_error(cl, &n->start_mark, key, "must be a map");
		else
			wc_walk_map(cl, t, row->key, key, n, base);
		break;
	case WC_THRESHOLD:
		if (n->type != YAML_MAPPING_NODE) {
			wc_error(cl, &n->start_mark, key, "must be a map");
			break;
		}
		cl->default_mark = n->start_mark;
		wc_walk_map(cl, WC_THR, "", key, n,
		    (char *)base + row->off);
		break;
	case WC_THRESHOLDS:
		wc_set_thresholds(cl, row, key, n);
		break;
	case WC_FEEDS:
		wc_set_feeds(cl, row, key, n);
		break;
	case WC_HOSTPORT:
		wc_set_hostport(cl, key, n);
		break;
	case WC_ENDPOINT:
	case WC_CURVEKEY:
	case WC_TIMEZONE:
		wc_set_string(cl, row, key, n, base);
		break;
	case WC_NAME:
		wc_set_name(cl, key, n, base);
		break;
	case WC_INT:
	case WC_SIZE:
		wc_set_int(cl, row, key, n, base);
		break;
	case WC_SECONDS:
	case WC_FRACTION:
		wc_set_double(cl, row, key, n, base);
		break;
	case WC_BOOL:
		wc_set_bool(cl, row, key, n, base);
		break;
	}
}

static void
wc_walk_map(struct wc_load *cl, const struct wc_table *t, const char *prefix,
    const char *path, yaml_node_t *map, void *base)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k, *v, **seen;
	const struct wc_row	*row;
	const char		*name, *leaf;
	char			 key[WC_KEY_MAX];
	size_t			 i;

	seen = xcalloc(t->n, sizeof *seen);
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = wc_node(cl, pair->key);
		v = wc_node(cl, pair->value);
		if (k->type != YAML_SCALAR_NODE) {
			wc_error(cl, &k->start_mark,
			    *path != '\0' ? path : "(top level)",
			    "keys must be strings");
			continue;
		}
		name = (const char *)k->data.scalar.value;
		wc_join(key, sizeof key, path, name);
		if ((row = wc_find(t, prefix, name)) == NULL) {
			wc_error(cl, &k->start_mark, key, "unknown key");
			continue;
		}
		i = (size_t)(row - t->rows);
		if (seen[i] != NULL) {
			wc_error(cl, &k->start_mark, key,
			    "duplicate key (first at line %zu, column %zu)",
			    seen[i]->start_mark.line + 1,
			    seen[i]->start_mark.column + 1);
			continue;
		}
		seen[i] = k;
		if (t == WC_TOP) {
			cl->top_marks[i] = v->start_mark;
			cl->top_marked[i] = 1;
		}
		wc_apply(cl, t, row, key, v, base);
	}
	for (i = 0; i < t->n; i++) {
		row = &t->rows[i];
		if ((leaf = wc_child(row->key, prefix)) == NULL ||
		    seen[i] != NULL || (row->flags & WC_REQUIRED) == 0)
			continue;
		wc_join(key, sizeof key, path, leaf);
		wc_error(cl, &map->start_mark, key, "must be set");
	}
	free(seen);
}

static void
wc_defaults(struct webconf *wc)
{
	wc->listen = xstrdup("127.0.0.1:8080");
	snprintf(wc->listen_host, sizeof wc->listen_host, "127.0.0.1");
	wc->listen_port = 8080;
	wc->timezone = xstrdup("UTC");
	wc_threshold_unset(&wc->threshold_default);
	wc->events_ring = 10000;
	wc->events_ring_bytes = 16UL * 1024 * 1024;
	wc->events_keepalive_s = 15;
	wc->max_clients = 256;
	wc->client_buffer_bytes = 256UL * 1024;
	wc->max_message_bytes = 1024UL * 1024;
	wc->max_sites = 64;
	wc->max_queues = 1000;
	wc->max_agents = 100000;
	wc->max_queues_total = 2000;
	wc->max_agents_total = 10000;
	wc->memory_bytes = 256UL * 1024 * 1024;
	wc->per_agent = 0;
	wc->feed_timeout_s = 15;
}

/* Unset threshold fields from fallback; then check their order. */
static void
wc_threshold_finish(struct wc_load *cl, struct webconf_threshold *t,
    const struct webconf_threshold *fallback, const yaml_mark_t *mark,
    const char *key)
{
	/* A pair taken whole from the default was checked there. */
	int	own_wait = !isnan(t->longest_wait_amber_s) ||
		    !isnan(t->longest_wait_red_s);
	int	own_sl = !isnan(t->sl_amber) || !isnan(t->sl_red);

	if (isnan(t->longest_wait_amber_s))
		t->longest_wait_amber_s = fallback->longest_wait_amber_s;
	if (isnan(t->longest_wait_red_s))
		t->longest_wait_red_s = fallback->longest_wait_red_s;
	if (isnan(t->sl_amber))
		t->sl_amber = fallback->sl_amber;
	if (isnan(t->sl_red))
		t->sl_red = fallback->sl_red;
	if (t->sl_threshold_s < 0)
		t->sl_threshold_s = fallback->sl_threshold_s;
	if (own_wait && t->longest_wait_red_s < t->longest_wait_amber_s)
		wc_error(cl, mark, key, "longest_wait_s: red (%g) must not be "
		    "below amber (%g)", t->longest_wait_red_s,
		    t->longest_wait_amber_s);
	if (own_sl && t->sl_red > t->sl_amber)
		wc_error(cl, mark, key, "service_level: red (%g) must not be "
		    "above amber (%g)", t->sl_red, t->sl_amber);
}

/* Where a top-level key was set, NULL (1:1) when it was not. */
static const yaml_mark_t *
wc_mark(const struct wc_load *cl, const char *key)
{
	size_t	i;

	for (i = 0; i < nitems(wc_top); i++)
		if (strcmp(wc_top[i].key, key) == 0 && cl->top_marked[i])
			return (&cl->top_marks[i]);
	return (NULL);
}

static void
wc_finish(struct wc_load *cl)
{
	static const struct webconf_threshold builtin = {
		"", 30.0, 60.0, 0.80, 0.60, 20
	};
	struct webconf	*wc = cl->wc;
	char		 key[WC_KEY_MAX];
	size_t		 i, need;

	wc_threshold_finish(cl, &wc->threshold_default, &builtin,
	    &cl->default_mark, "thresholds.default");
	for (i = 0; i < wc->nthresholds; i++) {
		wc_index(key, sizeof key, "thresholds.queues", i);
		wc_threshold_finish(cl, &wc->thresholds[i],
		    &wc->threshold_default, &cl->thr_marks[i], key);
	}
	if (wc->nfeeds == 0) {
		free(wc->feeds);	/* a list whose items were all wrong */
		wc->feeds = xcalloc(1, sizeof *wc->feeds);
		wc->feeds[0].endpoint = xstrdup("tcp://127.0.0.1:5556");
		wc->nfeeds = 1;
	}
	/* What the clients, the ring and the series may hold must fit. */
	need = WC_FIXED_BYTES + wc->events_ring_bytes +
	    (size_t)wc->max_clients * (wc->client_buffer_bytes + WC_CONN_BYTES) +
	    (size_t)wc->max_queues_total * WC_QUEUE_BYTES +
	    (size_t)wc->max_agents_total * WC_AGENT_BYTES;
	if (need > wc->memory_bytes)
		wc_error(cl, wc_mark(cl, "limits.memory_bytes"),
		    "limits.memory_bytes", "%zu is less than "
		    "32 MiB + events.ring_bytes + limits.max_clients * "
		    "(limits.client_buffer_bytes + 32 KiB) + "
		    "limits.max_queues_total * 32 KiB + "
		    "limits.max_agents_total * 4 KiB = %zu",
		    wc->memory_bytes, need);
}

static yaml_mark_t
wc_offset_mark(const char *text, size_t len, size_t offset)
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
	return (m);
}

static void
wc_yaml_error(struct wc_load *cl, yaml_parser_t *p, const char *text,
    size_t len)
{
	yaml_mark_t	 mark;
	const char	*problem = p->problem != NULL ? p->problem : "error";

	if (p->error == YAML_MEMORY_ERROR) {
		wc_error(cl, NULL, "syntax error", "out of memory");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		mark = wc_offset_mark(text, len, p->problem_offset);
		wc_error(cl, &mark, "syntax error", "%s", problem);
		return;
	}
	if (p->context != NULL)
		wc_error(cl, &p->problem_mark, "syntax error",
		    "%s (%s at line %zu, column %zu)", problem, p->context,
		    p->context_mark.line + 1, p->context_mark.column + 1);
	else
		wc_error(cl, &p->problem_mark, "syntax error", "%s", problem);
}

/*
 * Walk the events before a tree is built: refuse aliases (a walk would
 * visit an aliased node once per alias), deep nesting and too many nodes.
 */
static int
wc_scan(struct wc_load *cl, const char *text, size_t len)
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
			wc_error(cl, &ev.start_mark, "(document)",
			    "aliases are not allowed");
			rc = -1;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > WC_DEPTH_MAX) {
				wc_error(cl, &ev.start_mark, "(document)",
				    "nested deeper than %d levels",
				    WC_DEPTH_MAX);
				rc = -1;
			}
			/* FALLTHROUGH */
		case YAML_SCALAR_EVENT:
			if (rc == 0 && ++nodes > WC_NODES_MAX) {
				wc_error(cl, &ev.start_mark, "(document)",
				    "more than %d YAML nodes", WC_NODES_MAX);
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

static struct webconf *
wc_load(const char *name, const char *text, size_t len, FILE *errs)
{
	struct wc_load	 cl;
	yaml_parser_t	 parser;
	yaml_document_t	 doc, extra;
	yaml_node_t	*root;
	struct webconf	*wc;

	if (errs == NULL)
		errs = stderr;
	memset(&cl, 0, sizeof cl);
	cl.name = name;
	cl.doc = &doc;
	cl.wc = wc = xcalloc(1, sizeof *wc);
	wc->path = xstrdup(name);
	wc_defaults(wc);

	if (wc_scan(&cl, text, len) != 0)
		goto out;
	if (!yaml_parser_initialize(&parser)) {
		wc_error(&cl, NULL, "syntax error", "out of memory");
		goto out;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		wc_yaml_error(&cl, &parser, text, len);
		yaml_parser_delete(&parser);
		goto out;
	}
	root = yaml_document_get_root_node(&doc);
	if (root != NULL && !wc_is_null(root)) {
		if (root->type != YAML_MAPPING_NODE)
			wc_error(&cl, &root->start_mark, "(top level)",
			    "must be a map");
		else
			wc_walk_map(&cl, WC_TOP, "", "", root, wc);
	}
	wc_finish(&cl);
	/* A second document would be silently ignored: refuse it. */
	if (!yaml_parser_load(&parser, &extra))
		wc_yaml_error(&cl, &parser, text, len);
	else {
		if (yaml_document_get_root_node(&extra) != NULL)
			wc_error(&cl, &extra.start_mark, "(top level)",
			    "only one YAML document is allowed");
		yaml_document_delete(&extra);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
out:
	free(cl.thr_marks);
	if (cl.nerrs == 0)
		return (wc);
	wc_error_flush(&cl, errs);
	webconf_free(wc);
	return (NULL);
}

struct webconf *
webconf_load_string(const char *name, const char *text, FILE *errs)
{
	return (wc_load(name, text, strlen(text), errs));
}

struct webconf *
webconf_load(const char *path, FILE *errs)
{
	struct webconf	*wc = NULL;
	FILE		*f;
	char		*text;
	size_t		 len = 0, n;

	if (errs == NULL)
		errs = stderr;
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(errs, "%s: %s\n", path, strerror(errno));
		return (NULL);
	}
	text = xmalloc(WC_FILE_MAX + 1);
	while ((n = fread(text + len, 1, WC_FILE_MAX + 1 - len, f)) > 0) {
		len += n;
		if (len > WC_FILE_MAX)
			break;
	}
	if (ferror(f))
		fprintf(errs, "%s: %s\n", path, strerror(errno));
	else if (len > WC_FILE_MAX)
		fprintf(errs, "%s: larger than %d bytes\n", path, WC_FILE_MAX);
	else
		wc = wc_load(path, text, len, errs);
	fclose(f);
	free(text);
	return (wc);
}

void
webconf_free(struct webconf *wc)
{
	size_t	i;

	if (wc == NULL)
		return;
	for (i = 0; i < wc->nfeeds; i++)
		wc_feed_free(&wc->feeds[i]);
	free(wc->feeds);
	free(wc->thresholds);
	free(wc->timezone);
	free(wc->listen);
	free(wc->path);
	free(wc);
}

const struct webconf_threshold *
webconf_threshold(const struct webconf *wc, const char *queue)
{
	size_t	i;

	for (i = 0; i < wc->nthresholds; i++)
		if (strcmp(wc->thresholds[i].queue, queue) == 0)
			return (&wc->thresholds[i]);
	return (&wc->threshold_default);
}
