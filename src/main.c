/* SPDX-License-Identifier: BSD-2-Clause */
/* main.c: ccmetricsd: options, signals, capture and the poll loop around the pipeline. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ccmetrics/capture.h"
#include "ccmetrics/conf.h"
#include "ccmetrics/decode.h"
#include "ccmetrics/heplisten.h"
#include "ccmetrics/log.h"
#include "ccmetrics/natspub.h"
#include "ccmetrics/notify.h"
#include "ccmetrics/pipeline.h"
#include "ccmetrics/privdrop.h"
#include "ccmetrics/reload.h"
#include "ccmetrics/sip.h"
#include "ccmetrics/siphash.h"
#include "ccmetrics/timegate.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG		SYSCONFDIR "/ccmetricsd.yaml"
#define US_PER_S		1000000LL
#define DISPATCH_BATCH		256
#define POLL_MS			100
#define EXIT_CONFIG		2

struct daemon {
	struct config		*cfg;
	struct capture		*cap;
	struct hep_listener	*hep;
	struct pipeline		*pl;		/* decode to publish */
	struct reload		*loading;	/* a reload being validated */
	struct timegate		 time;		/* live: bounds time jumps */
	int			 live;
	int64_t			 now_us;	/* packet time */
	int64_t			 wall_at_now_us;	/* live: wall clock at now_us */
	int			 cli_level;	/* -v/-q, -1: log.level */
	double			 replay_speed;	/* --replay-speed, 0: flat out */
	int64_t			 pace_ts0_us;	/* first packet time paced */
	int64_t			 pace_mono0_us;	/* monotonic clock then */
};

static volatile sig_atomic_t	quit_flag, reload_flag, reopen_flag;

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: ccmetricsd [-fqv] [-c FILE] [-i IFACE | -r FILE.pcap]"
	    " [--replay-speed X]\n"
	    "       ccmetricsd [-c FILE] --check-config | --version\n"
	    "  -c FILE          configuration (default " DEFAULT_CONFIG ")\n"
	    "  -i IFACE         capture live on IFACE\n"
	    "  -r FILE          replay a capture file as fast as possible,"
	    " then exit\n"
	    "  -f               stay in the foreground, log to stderr\n"
	    "  -q, -v           log less (twice: errors only), log more\n"
	    "  --replay-speed X with -r: replay at X times capture speed\n"
	    "  --check-config   validate the configuration and exit\n"
	    "  --version        print the version and exit\n");
	exit(status);
}

/* The wall clock: live, the time static agents log in (DESIGN.md 7). */
static int64_t
wall_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * US_PER_S + ts.tv_nsec / 1000);
}

static int64_t
mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * US_PER_S + ts.tv_nsec / 1000);
}

/* --replay-speed: hold a packet back until its time, scaled, has come. */
static void
pace(struct daemon *d, int64_t ts_us)
{
	struct timespec	ts;
	int64_t		due, left;

	if (d->pace_mono0_us == 0) {
		d->pace_ts0_us = ts_us;
		d->pace_mono0_us = mono_us();
		return;
	}
	due = d->pace_mono0_us +
	    (int64_t)((double)(ts_us - d->pace_ts0_us) / d->replay_speed);
	while (!quit_flag && (left = due - mono_us()) > 0) {
		if (left > 100000)
			left = 100000;	/* stay responsive to signals */
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000;
		nanosleep(&ts, NULL);
	}
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else if (sig == SIGUSR1)
		reopen_flag = 1;
	else
		quit_flag = 1;
}

static void
on_packet(const struct capture_packet *pkt, void *arg)
{
	struct daemon		*d = arg;
	struct capture_packet	 p = *pkt;
	int64_t			 before = d->now_us;

	if (d->replay_speed > 0)
		pace(d, pkt->ts_us);
	/*
	 * Packet time only moves forward; reordered packets keep theirs.
	 * Live, one far off does not move it (timegate.c).
	 */
	p.ts_us = timegate_admit(&d->time, &d->now_us, pkt->ts_us);
	if (d->now_us != before)
		d->wall_at_now_us = mono_us();
	pipeline_tick(d->pl, d->now_us);
	pipeline_packet(d->pl, &p);
}

/* A SIP payload from the HEP listener: its HEP timestamp is packet time. */
static void
on_hep(const struct payload *pl, void *arg)
{
	struct daemon	*d = arg;
	struct payload	 p = *pl;
	int64_t		 before = d->now_us;

	/* The sender stamps it: one far off must not move packet time. */
	p.ts_us = timegate_admit(&d->time, &d->now_us, pl->ts_us);
	if (d->now_us != before)
		d->wall_at_now_us = mono_us();
	pipeline_tick(d->pl, d->now_us);
	pipeline_payload(d->pl, &p);
}

static void
apply_log_level(const struct daemon *d)
{
	log_set_level(d->cli_level >= 0 ? (enum log_level)d->cli_level :
	    (enum log_level)d->cfg->log_level);
}

/* A key the running daemon cannot change (config.c's CFG_RESTART). */
static void
reload_needs_restart(const char *key, void *arg)
{
	(void)arg;
	log_warn("reload: %s changed: it takes effect at the next restart",
	    key);
}

/*
 * SIGHUP: load the file again on a thread of its own (reload.c), so the
 * capture keeps draining while it is parsed and validated; reload_apply()
 * swaps it in when it is done. A SIGHUP during a load waits for it.
 */
/* SIGUSR1, and SIGHUP first: the JSON-lines file after a rotation. */
static void
reopen(struct daemon *d)
{
	reopen_flag = 0;
	pipeline_reopen(d->pl);
}

static void
reload_begin(struct daemon *d)
{
	char	err[512];

	if (d->loading != NULL)
		return;
	reload_flag = 0;
	notify_reloading();
	reopen(d);
	if ((d->loading = reload_start(d->cfg->path, err, sizeof err)) ==
	    NULL) {
		log_err_unlimited("reload: %s; keeping the running "
		    "configuration", err);
		notify_ready();
	}
}

/* Every problem of the file, one line each, none held back. */
static void
reload_log_errors(char *msgs)
{
	char	*line, *last;

	for (line = strtok_r(msgs, "\n", &last); line != NULL;
	    line = strtok_r(NULL, "\n", &last))
		log_err_unlimited("reload: %s", line);
}

/* The stages take the new file; open calls and intervals stay. */
static void
reload_apply(struct daemon *d)
{
	struct config	*cfg;
	char		 err[512], *msgs;

	cfg = reload_finish(d->loading, &msgs);
	d->loading = NULL;
	if (msgs != NULL) {
		reload_log_errors(msgs);
		free(msgs);
	}
	if (cfg == NULL) {
		log_err_unlimited("reload: %s has errors, keeping the running "
		    "configuration", d->cfg->path);
		notify_ready();
		return;
	}
	/* What needs a restart keeps running as it is (config.c's table). */
	config_keep_running(cfg, d->cfg, reload_needs_restart, NULL);
	if ((strcmp(cfg->filter, d->cfg->filter) != 0 ||
	    cfg->filter_default != d->cfg->filter_default) && d->cap != NULL &&
	    capture_set_filter(d->cap, cfg->filter, cfg->filter_default, err,
	    sizeof err) == -1) {
		log_err_unlimited("reload: %s; keeping the running "
		    "configuration", err);
		config_free(cfg);
		notify_ready();
		return;
	}
	pipeline_set_config(d->pl, cfg);
	if (d->hep != NULL)
		heplisten_set_access(d->hep, &cfg->hep_sources,
		    cfg->hep_password);
	config_free(d->cfg);
	d->cfg = cfg;
	apply_log_level(d);
	if (d->live)
		d->time.max_jump_us = (int64_t)cfg->max_time_jump_s * US_PER_S;
	log_info("reloaded %s", cfg->path);
	notify_ready();
}

/* Between batches: start a reload asked for, apply one that is done. */
static void
reload_step(struct daemon *d)
{
	if (reload_flag)
		reload_begin(d);
	if (d->loading != NULL && reload_done(d->loading))
		reload_apply(d);
	if (reopen_flag)
		reopen(d);
}

static int
run_offline(struct daemon *d)
{
	int	n;

	while (!quit_flag) {
		/* Paced, one packet at a time, so signals are seen at once. */
		n = capture_dispatch(d->cap, d->replay_speed > 0 ? 1 :
		    DISPATCH_BATCH, on_packet, d);
		if (n == -1)
			break;
		if (n == -2)
			return (-1);
		reload_step(d);
	}
	/* A reload asked for before the end applies before the flush. */
	if (d->loading != NULL)
		reload_apply(d);
	return (0);
}

/* One poll() over the live capture and the HEP listener, either optional. */
static int
run_live(struct daemon *d)
{
	struct pollfd	pfd[3];
	nfds_t		n = 0, nbase;
	int64_t		wall, link_checked = 0;

	if (d->cap != NULL) {
		pfd[n].fd = capture_fd(d->cap);
		pfd[n++].events = POLLIN;
	}
	if (d->hep != NULL) {
		pfd[n].fd = heplisten_fd(d->hep);
		pfd[n++].events = POLLIN;
	}
	nbase = n;
	while (!quit_flag) {
		/* A reload being loaded wakes the loop when it is done. */
		n = nbase;
		if (d->loading != NULL) {
			pfd[n].fd = reload_fd(d->loading);
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, n, POLL_MS) == -1 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			return (-1);
		}
		if (d->cap != NULL &&
		    capture_dispatch(d->cap, -1, on_packet, d) == -2)
			return (-1);
		if (d->hep != NULL &&
		    heplisten_read(d->hep, DISPATCH_BATCH, on_hep, d) == -1)
			return (-1);
		/* Subscriptions and CURVE handshakes, even with no traffic. */
		pipeline_drain(d->pl);
		/*
		 * Quiet periods: the monotonic clock moves packet time on (a
		 * step of the wall clock does not).
		 */
		wall = mono_us();
		if (d->cap != NULL && wall - link_checked >= US_PER_S) {
			capture_check_link(d->cap);
			link_checked = wall;
		}
		if (d->now_us != 0 && wall - d->wall_at_now_us > POLL_MS * 1000) {
			d->now_us += wall - d->wall_at_now_us;
			d->wall_at_now_us = wall;
			pipeline_tick(d->pl, d->now_us);
		}
		reload_step(d);
	}
	return (0);
}

/*
 * Whether the JSON-lines file lost objects: a replay then fails (exit
 * 1), since its output is incomplete; live, it was logged and counted.
 */
static int
publish_lost(struct pipeline *pl, int offline)
{
	uint64_t	lost = pipeline_finish(pl);

	if (lost == 0 || !offline)
		return (0);
	log_err("jsonl: %" PRIu64 " objects lost: the output is incomplete",
	    lost);
	return (-1);
}

static void
install_signals(void)
{
	struct sigaction	sa;

	/* No SA_RESTART: a signal cuts poll() and sleeps short. */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void
daemon_free(struct daemon *d)
{
	char	*msgs;

	if (d->loading != NULL) {
		config_free(reload_finish(d->loading, &msgs));
		free(msgs);
	}
	capture_close(d->cap);
	heplisten_close(d->hep);
	pipeline_free(d->pl);
	config_free(d->cfg);
}

static int
open_capture(struct daemon *d, const char *iface, const char *file)
{
	char	err[512];
	int	lt;

	err[0] = '\0';
	if (file != NULL)
		d->cap = capture_open_offline(file, err, sizeof err);
	else
		d->cap = capture_open_live(iface, err, sizeof err);
	if (d->cap == NULL) {
		log_err("%s", err);
		return (-1);
	}
	lt = capture_linktype(d->cap);
	if (decode_linktype_supported(lt) == -1) {
		log_err("%s: unsupported link type %d", file != NULL ? file :
		    iface, lt);
		return (-1);
	}
	/* Our default filter also looks inside 802.1Q and QinQ tags. */
	if (capture_set_filter(d->cap, d->cfg->filter, d->cfg->filter_default,
	    err, sizeof err) == -1) {
		log_err("%s", err);
		return (-1);
	}
	return (0);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "replay-speed", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon	 d;
	const char	*conf = DEFAULT_CONFIG, *iface = NULL, *file = NULL;
	char		 err[512];
	char		*end;
	int		 ch, foreground = 0, check = 0, rc, verbosity = 0;
	struct privdrop	 pd;

	memset(&d, 0, sizeof d);
	log_open("ccmetricsd", LOG_LEVEL_INFO);
	/* The hash tables' key, drawn before the reload thread can run. */
	siphash_process_init();
	while ((ch = getopt_long(argc, argv, "c:i:r:fqvh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'i': iface = optarg; break;
		case 'r': file = optarg; break;
		case 'f': foreground = 1; break;
		case 'q': verbosity--; break;
		case 'v': verbosity++; break;
		case 'S':
			d.replay_speed = strtod(optarg, &end);
			if (*end != '\0' || !(d.replay_speed > 0) ||
			    d.replay_speed > 1e9) {
				log_err("--replay-speed: \"%s\" is not a "
				    "factor > 0", optarg);
				usage(EXIT_CONFIG);
			}
			break;
		case 'C': check = 1; break;
		case 'V':
			printf("ccmetricsd %s\n", PACKAGE_VERSION);
			return (0);
		case 'h': usage(0);
		default: usage(EXIT_CONFIG);
		}
	}
	if (optind != argc || (iface != NULL && file != NULL))
		usage(EXIT_CONFIG);
	d.cli_level = -1;
	if (verbosity != 0) {
		d.cli_level = LOG_LEVEL_INFO + verbosity;
		if (d.cli_level < LOG_LEVEL_ERR)
			d.cli_level = LOG_LEVEL_ERR;
		if (d.cli_level > LOG_LEVEL_DEBUG)
			d.cli_level = LOG_LEVEL_DEBUG;
	}

	if ((d.cfg = config_load(conf, stderr)) == NULL)
		return (EXIT_CONFIG);
	apply_log_level(&d);
	if (d.cfg->site_default == CONFIG_SITE_HOST_ALTERED)
		log_warn("site: not set, and the host name does not fit "
		    "[A-Za-z0-9_-]+: publishing as site %s", d.cfg->site);
	if (capture_check_filter(d.cfg->filter, err, sizeof err) == -1) {
		fprintf(stderr, "%s: capture.filter: %s\n", conf, err);
		config_free(d.cfg);
		return (EXIT_CONFIG);
	}
	if (d.cfg->daemon_user != NULL && privdrop_resolve(d.cfg->daemon_user,
	    d.cfg->daemon_group, &pd, err, sizeof err) == -1) {
		log_err("%s: %s", conf, err);
		config_free(d.cfg);
		return (EXIT_CONFIG);
	}
	/*
	 * publish.nats's files (CA, certificate, key, credentials) as start-up
	 * reads and checks them; nothing connects.
	 */
	if (check && d.cfg->nats_url != NULL) {
		struct natspub	*np;

		if ((np = natspub_create(d.cfg, d.cfg->site, "check", err,
		    sizeof err)) == NULL) {
			log_err("%s: %s", conf, err);
			config_free(d.cfg);
			return (EXIT_CONFIG);
		}
		natspub_free(np);
	}
	if (check) {
		printf("%s: configuration OK\n", conf);
		config_free(d.cfg);
		return (0);
	}
	if (iface == NULL && file == NULL) {
		iface = d.cfg->interface;
		file = d.cfg->file;
	}
	if (iface == NULL && file == NULL && d.cfg->hep_listen == NULL) {
		log_err("nothing to capture: give -i, -r, capture.interface,"
		    " capture.file or capture.hep_listen");
		config_free(d.cfg);
		return (EXIT_CONFIG);
	}

	sipmsg_global_init();
	if ((d.pl = pipeline_create(d.cfg, file == NULL, err, sizeof err)) ==
	    NULL) {
		log_err("%s", err);
		daemon_free(&d);
		return (1);
	}
	if ((iface != NULL || file != NULL) &&
	    open_capture(&d, iface, file) == -1) {
		daemon_free(&d);
		return (1);
	}
	/* A replay is the capture alone; live, HEP may come in beside it. */
	if (file == NULL && d.cfg->hep_listen != NULL &&
	    (d.hep = heplisten_open(&d.cfg->hep_addr, d.cfg->hep_port, err,
	    sizeof err)) == NULL) {
		log_err("%s", err);
		daemon_free(&d);
		return (1);
	}
	pipeline_set_sources(d.pl, d.cap, d.hep, &d.time.st);
	if (d.hep != NULL)
		heplisten_set_access(d.hep, &d.cfg->hep_sources,
		    d.cfg->hep_password);
	/* Capture open, sockets bound: root is needed no more. */
	if (d.cfg->daemon_user != NULL) {
		err[0] = '\0';
		rc = privdrop_apply(&pd, err, sizeof err);
		if (rc == -1) {
			log_err("dropping privileges: %s", err);
			daemon_free(&d);
			return (1);
		}
		if (rc == 0)
			log_info("running as user %u, group %u",
			    (unsigned int)pd.uid, (unsigned int)pd.gid);
		else if (err[0] != '\0')
			log_warn("daemon.user: %s", err);
	} else if (file == NULL && geteuid() == 0)
		log_warn("capturing as root: set daemon.user to drop privileges "
		    "once the capture is open");
	/* A file is replayed as recorded; live senders may lie (timegate.c). */
	d.live = file == NULL;
	timegate_init(&d.time, d.live ? (int64_t)d.cfg->max_time_jump_s *
	    US_PER_S : 0);
	install_signals();
	if (file == NULL && !foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_syslog();
	}
	if (file != NULL && d.cfg->zmq_await_subscribers > 0 &&
	    pipeline_await_subscribers(d.pl, d.cfg->zmq_await_subscribers,
	    d.cfg->zmq_await_ms) == -1)
		log_warn("replaying without the %d subscriber(s) awaited",
		    d.cfg->zmq_await_subscribers);

	notify_ready();
	if (file == NULL)
		pipeline_start(d.pl, wall_us());
	rc = file != NULL ? run_offline(&d) : run_live(&d);
	notify_stopping();
	if (quit_flag)
		log_info("stopping: publishing open calls and intervals");

	/* Close what is open: TCP held after holes, calls, then counters. */
	pipeline_flush(d.pl, d.now_us);
	if (publish_lost(d.pl, file != NULL) != 0)
		rc = -1;
	daemon_free(&d);
	return (rc == 0 ? 0 : 1);
}
