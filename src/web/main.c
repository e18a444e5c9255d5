/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c: ccmetrics-web: subscribe to ccmetricsd feeds and serve /metrics,
 * /events and the wallboard; one poll loop over the ZeroMQ sockets and
 * libmicrohttpd's descriptor, one thread.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zmq.h>

#include "ccmetrics/board.h"
#include "ccmetrics/log.h"
#include "ccmetrics/webconf.h"
#include "ccmetrics/webfeed.h"
#include "ccmetrics/webhttp.h"
#include "ccmetrics/webmetrics.h"
#include "ccmetrics/websse.h"

#define DEFAULT_CONFIG		SYSCONFDIR "/ccmetrics-web.yaml"
#define EXIT_CONFIG		2
#define WEB_POLL_MAX_MS		1000
/* Feed messages handled between two turns of the HTTP server. */
#define WEB_FEED_BUDGET		4096

struct web {
	struct webconf	*wc;
	struct webapp	 app;
	struct webfeed	*feed;
	struct webhttp	*http;
	struct board	*board;
};

static volatile sig_atomic_t	quit_flag;

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: ccmetrics-web [-f] [-c FILE]\n"
	    "       ccmetrics-web [-c FILE] --check-config | --version\n"
	    "  -c FILE          configuration (default " DEFAULT_CONFIG ")\n"
	    "  -f               stay in the foreground, log to stderr\n"
	    "  --check-config   validate the configuration and exit\n"
	    "  --version        print the version and exit\n");
	exit(status);
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

/* Every feed object: counted, kept for SSE, shown on the wallboard. */
static void
on_message(void *arg, const char *topic, const char *body, size_t len)
{
	struct web	*w = arg;
	json_t		*obj;
	json_error_t	 jerr;
	const json_t	*seq;

	if (len > w->wc->max_message_bytes) {
		w->app.self.oversize++;
		return;
	}
	obj = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(obj) ||
	    wmetrics_feed(w->app.metrics, topic, obj, now_ms()) != 0) {
		log_warn("%s: not a ccmetricsd object%s%s", topic,
		    obj == NULL ? ": " : "", obj == NULL ? jerr.text : "");
		w->app.self.bad_messages++;
		json_decref(obj);
		return;
	}
	w->app.self.messages++;
	board_feed(w->board, topic, obj, now_ms());
	seq = json_object_get(obj, "seq");
	if (sse_topic_wanted(topic) && json_is_integer(seq) &&
	    json_integer_value(seq) > 0 &&
	    sse_publish(w->app.sse, topic, wmetrics_site_of(obj),
	    json_string_value(json_object_get(obj, "boot")),
	    (uint64_t)json_integer_value(seq), body, len) != 0)
		w->app.self.bad_messages++;
	json_decref(obj);
}

/* /state.json: the wallboard's state (board.c). */
static char *
state_json(void *arg, int64_t now)
{
	return (board_state_json(arg, now));
}

static void
web_loop(struct web *w)
{
	zmq_pollitem_t	 items[WEBCONF_MAX_FEEDS + 1];
	size_t		 n, got = 0;
	long		 timeout;
	int64_t		 last_tick = 0, now;

	while (!quit_flag) {
		n = webfeed_pollitems(w->feed, items, WEBCONF_MAX_FEEDS);
		memset(&items[n], 0, sizeof items[n]);
		items[n].fd = webhttp_fd(w->http);
		items[n].events = ZMQ_POLLIN;
		n++;
		timeout = webhttp_timeout_ms(w->http);
		if (timeout < 0 || timeout > WEB_POLL_MAX_MS)
			timeout = WEB_POLL_MAX_MS;
		if (got == WEB_FEED_BUDGET)
			timeout = 0;	/* more are waiting */
		if (zmq_poll(items, (int)n, timeout) == -1 &&
		    zmq_errno() != EINTR)
			fatalx("zmq_poll: %s", zmq_strerror(zmq_errno()));
		got = webfeed_receive(w->feed, WEB_FEED_BUDGET);
		w->app.self.feed_resets = webfeed_resets(w->feed);
		webhttp_run(w->http);
		now = now_ms();
		sse_tick(w->app.sse, now);
		if (now - last_tick >= 1000) {
			log_tick();
			last_tick = now;
		}
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*path = DEFAULT_CONFIG;
	struct web		 w;
	struct sigaction	 sa;
	char			 err[512];
	int			 ch, foreground = 0, check = 0;

	log_open("ccmetrics-web", LOG_LEVEL_INFO);
	while ((ch = getopt_long(argc, argv, "c:fh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'f': foreground = 1; break;
		case 'C': check = 1; break;
		case 'V':
			printf("ccmetrics-web %s\n", PACKAGE_VERSION);
			return (0);
		case 'h': usage(0);
		default: usage(EXIT_CONFIG);
		}
	}
	if (optind != argc)
		usage(EXIT_CONFIG);
	memset(&w, 0, sizeof w);
	if ((w.wc = webconf_load(path, stderr)) == NULL)
		return (EXIT_CONFIG);
	if (check) {
		printf("%s: configuration OK\n", path);
		webconf_free(w.wc);
		return (0);
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	w.app.wc = w.wc;
	w.app.now_ms = now_ms;
	w.app.metrics = wmetrics_create(w.wc);
	w.app.sse = sse_create(w.wc, webhttp_sse_hooks());
	w.board = board_create(w.wc);
	w.app.state_json = state_json;
	w.app.state_arg = w.board;
	if ((w.http = webhttp_create(&w.app, err, sizeof err)) == NULL)
		fatalx("%s", err);
	if ((w.feed = webfeed_create(w.wc, on_message, &w, err, sizeof err)) ==
	    NULL)
		fatalx("%s", err);
	log_info("listening on http://%s/ (timezone %s)", w.wc->listen,
	    w.wc->timezone);
	if (!foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_syslog();
	}

	web_loop(&w);

	log_info("stopping");
	webhttp_free(w.http);
	webfeed_free(w.feed);
	sse_free(w.app.sse);
	board_free(w.board);
	wmetrics_free(w.app.metrics);
	webconf_free(w.wc);
	return (0);
}
