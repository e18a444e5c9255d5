/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http.c: ccmetrics-web's HTTP server: libmicrohttpd without a thread of
 * its own (MHD_USE_EPOLL: main polls its one descriptor beside the
 * ZeroMQ sockets and calls MHD_run), serving /metrics, /events, / and
 * /state.json. An SSE connection with nothing to send is suspended and
 * resumed when an event or a keep-alive is due; one cut off has its
 * socket shut down, and libmicrohttpd closes it.
 *
 * A connection is only allowed to wait for its request (the request line
 * and headers, first or next on a kept-alive connection) for
 * HTTP_REQUEST_DEADLINE_S: a client sending its headers a byte at a time
 * (slowloris) or sitting idle is shut down then; and when max_clients
 * are open, the one that has waited longest for its request makes room
 * for the newcomer. Event streams may take all but a share of the
 * connections, so /metrics and the wallboard still answer when they are
 * many.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "ccmetrics/log.h"
#include "ccmetrics/wbuf.h"
#include "ccmetrics/webhttp.h"
#include "ccmetrics/xmalloc.h"

#define HTTP_CONN_MEMORY	(32 * 1024)	/* webconf.c's WC_CONN_BYTES */
#define HTTP_TIMEOUT_S		120	/* idle; SSE clients get keep-alives */
#define HTTP_SSE_BLOCK		(16 * 1024)
/*
 * The kernel's send buffer of a connection, fixed (no autotuning up to
 * tcp_wmem's 4 MiB): what a client that stops reading can hold is this,
 * libmicrohttpd's buffer and limits.client_buffer_bytes, not megabytes.
 */
#define HTTP_SNDBUF		(64 * 1024)
/*
 * /metrics expositions still being sent, at most (part of webconf.c's
 * fixed 32 MiB): past it a scrape is refused with 503, so slow scrapers
 * cannot pin one exposition each.
 */
#define HTTP_METRICS_INFLIGHT	(16UL * 1024 * 1024)
/* The request line and headers must be whole within this, seconds. */
#define HTTP_REQUEST_DEADLINE_S	10
/*
 * Connections shut down but not yet closed by libmicrohttpd, at most,
 * beyond max_clients (each holds its 32 KiB for one turn of MHD_run).
 */
#define HTTP_CLOSING_SLACK	64

/* One connection, from accept to close (libmicrohttpd's socket context). */
struct http_conn {
	TAILQ_ENTRY(http_conn)	 entry;
	int			 fd;
	struct sockaddr_storage	 peer;		/* to know fd is still its */
	socklen_t		 peerlen;
	int64_t			 since_ms;	/* waiting for a request since */
	int			 waiting;	/* on the waiting list */
	int			 closing;	/* shut down, not yet closed */
};

TAILQ_HEAD(http_conns, http_conn);

struct webhttp {
	struct webapp		*app;
	struct MHD_Daemon	*mhd;
	unsigned int		 conns;		/* open now */
	unsigned int		 closing;	/* of those, shut down */
	/* Waiting for a request, oldest first; the others. */
	struct http_conns	 waiting, busy;
	size_t			 inflight;	/* /metrics bytes being sent */
	int			 stopping;	/* SSE streams end, none waits */
};

/* One exposition being sent, freed by libmicrohttpd when done. */
struct http_body {
	struct webhttp		*h;
	char			*p;
	size_t			 len;
};

/* One SSE connection: what the sse hooks are given as "conn". */
struct http_sse {
	struct webhttp		*h;
	struct MHD_Connection	*conn;
	struct sse_client	*client;
};

static void
http_sse_wake(void *arg)
{
	struct http_sse	*hs = arg;

	MHD_resume_connection(hs->conn);
}

static void
http_sse_cut(void *arg)
{
	struct http_sse			*hs = arg;
	const union MHD_ConnectionInfo	*ci;

	/* libmicrohttpd sees the socket fail and closes the connection. */
	ci = MHD_get_connection_info(hs->conn,
	    MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci != NULL)
		(void)shutdown(ci->connect_fd, SHUT_RDWR);
}

static const struct sse_hooks http_hooks = { http_sse_wake, http_sse_cut };

const struct sse_hooks *
webhttp_sse_hooks(void)
{
	return (&http_hooks);
}

/* Event streams may hold all connections but this share (1/8). */
static unsigned int
http_sse_max(const struct webconf *wc)
{
	unsigned int	max = (unsigned int)wc->max_clients;

	return (max < 2 ? max : max - (max / 8 > 0 ? max / 8 : 1));
}

/*
 * Shut a waiting connection down: libmicrohttpd then closes it. Its
 * descriptor is only touched while it still is this peer's (one that
 * libmicrohttpd closed, not yet reported, could be a new connection's).
 */
static void
http_close_waiting(struct webhttp *h, struct http_conn *hc)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;

	TAILQ_REMOVE(&h->waiting, hc, entry);
	TAILQ_INSERT_TAIL(&h->busy, hc, entry);
	hc->waiting = 0;
	hc->closing = 1;
	h->closing++;
	h->app->self.http_idle_closed++;
	memset(&ss, 0, sizeof ss);
	if (hc->fd >= 0 && hc->peerlen > 0 &&
	    getpeername(hc->fd, (struct sockaddr *)&ss, &len) == 0 &&
	    len == hc->peerlen && memcmp(&ss, &hc->peer, len) == 0)
		(void)shutdown(hc->fd, SHUT_RDWR);
}

static void
http_set_waiting(struct webhttp *h, struct http_conn *hc, int waiting)
{
	if (hc->closing || hc->waiting == waiting)
		return;
	TAILQ_REMOVE(waiting ? &h->busy : &h->waiting, hc, entry);
	TAILQ_INSERT_TAIL(waiting ? &h->waiting : &h->busy, hc, entry);
	hc->waiting = waiting;
	hc->since_ms = h->app->now_ms();
}

static enum MHD_Result
http_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct webhttp	*h = cls;
	unsigned int	 max = (unsigned int)h->app->wc->max_clients;

	(void)addr;
	(void)len;
	/* At the limit, the longest wait for a request makes room. */
	if (h->conns - h->closing >= max && !TAILQ_EMPTY(&h->waiting) &&
	    h->closing < HTTP_CLOSING_SLACK)
		http_close_waiting(h, TAILQ_FIRST(&h->waiting));
	if (h->conns - h->closing >= max ||
	    h->conns >= max + HTTP_CLOSING_SLACK) {
		h->app->self.http_refused++;
		return (MHD_NO);
	}
	return (MHD_YES);
}

static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct webhttp			*h = cls;
	const union MHD_ConnectionInfo	*ci;

	(void)con_cls;
	/* Kept alive: it waits for its next request from now on. */
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && ci != NULL &&
	    ci->socket_context != NULL)
		http_set_waiting(h, ci->socket_context, 1);
}

static void
http_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct webhttp			*h = cls;
	struct http_conn		*hc;
	const union MHD_ConnectionInfo	*ci;
	int				 sndbuf = HTTP_SNDBUF;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		h->conns++;
		hc = xcalloc(1, sizeof *hc);
		hc->fd = -1;
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci != NULL) {
			hc->fd = ci->connect_fd;
			(void)setsockopt(ci->connect_fd, SOL_SOCKET, SO_SNDBUF,
			    &sndbuf, sizeof sndbuf);
			hc->peerlen = sizeof hc->peer;
			if (getpeername(hc->fd, (struct sockaddr *)&hc->peer,
			    &hc->peerlen) != 0 || hc->peerlen > sizeof hc->peer)
				hc->peerlen = 0;
		}
		hc->waiting = 1;
		hc->since_ms = h->app->now_ms();
		TAILQ_INSERT_TAIL(&h->waiting, hc, entry);
		*socket_context = hc;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (h->conns > 0)
			h->conns--;
		if ((hc = *socket_context) != NULL) {
			TAILQ_REMOVE(hc->waiting ? &h->waiting : &h->busy, hc,
			    entry);
			if (hc->closing && h->closing > 0)
				h->closing--;
			free(hc);
			*socket_context = NULL;
		}
	}
}

static enum MHD_Result
http_send(struct MHD_Connection *conn, unsigned int status, const char *type,
    struct MHD_Response *r)
{
	enum MHD_Result	rc;

	if (r == NULL)
		return (MHD_NO);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return (rc);
}

static enum MHD_Result
http_text(struct MHD_Connection *conn, unsigned int status, const char *text)
{
	return (http_send(conn, status, "text/plain; charset=utf-8",
	    MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_PERSISTENT)));
}

static void
http_body_free(void *cls)
{
	struct http_body	*body = cls;

	body->h->inflight -= body->len;
	free(body->p);
	free(body);
}

static enum MHD_Result
http_metrics(struct webhttp *h, struct MHD_Connection *conn)
{
	struct webapp		*app = h->app;
	struct sse_stats	 st;
	struct wbuf		 b = { NULL, 0, 0 };
	struct http_body	*body;
	struct MHD_Response	*r;

	sse_get_stats(app->sse, &st);
	app->self.sse_clients = st.clients;
	app->self.sse_connects = st.connects;
	app->self.sse_cut = st.cut;
	app->self.ring_events = st.ring_events;
	app->self.ring_bytes = st.ring_bytes;
	app->self.scrapes++;
	if (h->inflight >= HTTP_METRICS_INFLIGHT) {
		app->self.http_refused++;
		return (http_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "too many /metrics responses in flight\n"));
	}
	wmetrics_render(app->metrics, &app->self, &b, app->now_ms());
	body = xcalloc(1, sizeof *body);
	body->h = h;
	body->p = wbuf_take(&b, &body->len);
	h->inflight += body->len;
	r = MHD_create_response_from_buffer_with_free_callback_cls(body->len,
	    body->p, http_body_free, body);
	if (r == NULL) {
		http_body_free(body);
		return (MHD_NO);
	}
	return (http_send(conn, MHD_HTTP_OK,
	    "text/plain; version=0.0.4; charset=utf-8", r));
}

static ssize_t
http_sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_sse	*hs = cls;
	ssize_t		 n;

	(void)pos;
	/* Stopping: libmicrohttpd must not be left a suspended connection. */
	if (hs->h->stopping)
		return (MHD_CONTENT_READER_END_OF_STREAM);
	n = sse_client_read(hs->h->app->sse, hs->client, buf, max);
	if (n < 0)
		return (MHD_CONTENT_READER_END_WITH_ERROR);
	if (n == 0) {
		MHD_suspend_connection(hs->conn);
		sse_client_wait(hs->client);
	}
	return (n);
}

static void
http_sse_free(void *cls)
{
	struct http_sse	*hs = cls;

	sse_client_close(hs->h->app->sse, hs->client);
	free(hs);
}

struct http_topics {
	char	 prefixes[SSE_MAX_PREFIXES][SSE_PREFIX_MAX];
	size_t	 n;
	int	 bad;
};

/* topic=PREFIX, repeated or comma-separated. */
static enum MHD_Result
http_topic_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct http_topics	*t = cls;
	const char		*p;
	size_t			 len;

	(void)kind;
	if (strcmp(key, "topic") != 0 || value == NULL)
		return (MHD_YES);
	for (p = value; *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (len == 0)
			continue;
		if (t->n == SSE_MAX_PREFIXES || len >= SSE_PREFIX_MAX) {
			t->bad = 1;
			return (MHD_NO);
		}
		memcpy(t->prefixes[t->n], p, len);
		t->prefixes[t->n++][len] = '\0';
	}
	return (MHD_YES);
}

static const char http_sse_full[] = "too many event streams: the rest of "
    "limits.max_clients is kept for /metrics and the page\n";

static enum MHD_Result
http_events(struct webhttp *h, struct MHD_Connection *conn)
{
	struct http_topics	 t;
	struct http_sse		*hs;
	struct MHD_Response	*r;
	struct sse_stats	 st;
	const char		*last;

	sse_get_stats(h->app->sse, &st);
	if (st.clients >= http_sse_max(h->app->wc)) {
		h->app->self.http_refused++;
		r = MHD_create_response_from_buffer(strlen(http_sse_full),
		    (void *)http_sse_full, MHD_RESPMEM_PERSISTENT);
		if (r != NULL)
			MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER,
			    "5");
		return (http_send(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "text/plain; charset=utf-8", r));
	}
	memset(&t, 0, sizeof t);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, http_topic_arg,
	    &t);
	if (t.bad)
		return (http_text(conn, MHD_HTTP_BAD_REQUEST, "at most 16 topic "
		    "prefixes of at most 127 bytes\n"));
	last = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Last-Event-ID");
	hs = xcalloc(1, sizeof *hs);
	hs->h = h;
	hs->conn = conn;
	hs->client = sse_client_open(h->app->sse, hs, last, t.prefixes, t.n);
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HTTP_SSE_BLOCK,
	    http_sse_read, hs, http_sse_free);
	if (r == NULL) {
		http_sse_free(hs);
		return (MHD_NO);
	}
	return (http_send(conn, MHD_HTTP_OK, "text/event-stream", r));
}

static enum MHD_Result
http_page(struct MHD_Connection *conn)
{
	struct MHD_Response	*r;

	r = MHD_create_response_from_buffer(web_wallboard_html_len,
	    (void *)web_wallboard_html, MHD_RESPMEM_PERSISTENT);
	if (r != NULL)
		MHD_add_response_header(r, "Content-Security-Policy",
		    "default-src 'none'; style-src 'unsafe-inline'; "
		    "script-src 'unsafe-inline'; connect-src 'self'; "
		    "img-src data:");
	return (http_send(conn, MHD_HTTP_OK, "text/html; charset=utf-8", r));
}

static enum MHD_Result
http_state(struct webhttp *h, struct MHD_Connection *conn)
{
	struct webapp	*app = h->app;
	char		*p;

	if (app->state_json == NULL ||
	    (p = app->state_json(app->state_arg, app->now_ms())) == NULL)
		return (http_text(conn, MHD_HTTP_NOT_FOUND, "no wallboard "
		    "state\n"));
	return (http_send(conn, MHD_HTTP_OK, "application/json",
	    MHD_create_response_from_buffer(strlen(p), p,
	    MHD_RESPMEM_MUST_FREE)));
}

static enum MHD_Result
http_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct webhttp			*h = cls;
	const union MHD_ConnectionInfo	*ci;

	(void)version;
	(void)upload_data;
	(void)con_cls;
	/* Its headers are whole: no longer waiting for a request. */
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL && ci->socket_context != NULL)
		http_set_waiting(h, ci->socket_context, 0);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return (http_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "GET only\n"));
	if (*upload_data_size != 0)
		return (MHD_NO);
	if (strcmp(url, "/metrics") == 0)
		return (http_metrics(h, conn));
	if (strcmp(url, "/events") == 0)
		return (http_events(h, conn));
	if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
		return (http_page(conn));
	if (strcmp(url, "/state.json") == 0)
		return (http_state(h, conn));
	return (http_text(conn, MHD_HTTP_NOT_FOUND, "not found: try /, "
	    "/metrics, /events or /state.json\n"));
}

static void __attribute__((format(printf, 2, 0)))
http_log(void *cls, const char *fmt, va_list ap)
{
	char	msg[512];

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", msg);
}

struct webhttp *
webhttp_create(struct webapp *app, char *err, size_t errlen)
{
	const struct webconf	*wc = app->wc;
	struct webhttp		*h = xcalloc(1, sizeof *h);
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	unsigned int		 flags = MHD_USE_EPOLL |
				    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;

	h->app = app;
	TAILQ_INIT(&h->waiting);
	TAILQ_INIT(&h->busy);
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, wc->listen_host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(wc->listen_port);
	} else if (inet_pton(AF_INET6, wc->listen_host, &sin6->sin6_addr)
	    == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(wc->listen_port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "listen: %s: not an address",
		    wc->listen_host);
		free(h);
		return (NULL);
	}
	/* libmicrohttpd's own limit sits above ours, so we count refusals. */
	h->mhd = MHD_start_daemon(flags, wc->listen_port, http_accept, h,
	    http_request, h,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)wc->max_clients + HTTP_CLOSING_SLACK + 8,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
	    MHD_OPTION_NOTIFY_CONNECTION, http_notify, h,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, h,
	    MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 256U,
	    MHD_OPTION_END);
	if (h->mhd == NULL) {
		snprintf(err, errlen, "listen %s: cannot start the HTTP server "
		    "(address in use?)", wc->listen);
		free(h);
		return (NULL);
	}
	return (h);
}

int
webhttp_fd(struct webhttp *h)
{
	const union MHD_DaemonInfo	*di;

	di = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	return (di != NULL ? di->epoll_fd : -1);
}

long
webhttp_timeout_ms(struct webhttp *h)
{
	MHD_UNSIGNED_LONG_LONG	t;

	if (MHD_get_timeout(h->mhd, &t) != MHD_YES)
		return (-1);
	return (t > 60000 ? 60000 : (long)t);
}

void
webhttp_run(struct webhttp *h)
{
	struct http_conn	*hc;
	int64_t			 now;

	(void)MHD_run(h->mhd);
	now = h->app->now_ms();
	while ((hc = TAILQ_FIRST(&h->waiting)) != NULL &&
	    now - hc->since_ms >= (int64_t)HTTP_REQUEST_DEADLINE_S * 1000)
		http_close_waiting(h, hc);
}

void
webhttp_free(struct webhttp *h)
{
	if (h == NULL)
		return;
	/*
	 * Suspended connections must be resumed before the stop, and not
	 * suspend again when their reader runs (it ends their stream).
	 */
	h->stopping = 1;
	sse_wake_all(h->app->sse);
	MHD_run(h->mhd);
	MHD_stop_daemon(h->mhd);
	free(h);
}
