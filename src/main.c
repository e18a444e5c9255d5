/* SPDX-License-Identifier: BSD-2-Clause */
/* main.c: ccmetricsd: wires the pipeline stages and runs the poll loop. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ccmetrics/capture.h"
#include "ccmetrics/conf.h"
#include "ccmetrics/contact.h"
#include "ccmetrics/decode.h"
#include "ccmetrics/heplisten.h"
#include "ccmetrics/interval.h"
#include "ccmetrics/leg.h"
#include "ccmetrics/log.h"
#include "ccmetrics/notify.h"
#include "ccmetrics/privdrop.h"
#include "ccmetrics/publish.h"
#include "ccmetrics/record.h"
#include "ccmetrics/sip.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG		SYSCONFDIR "/ccmetricsd.yaml"
#define US_PER_S		1000000LL
#define TICK_US			US_PER_S	/* expiry granularity */
#define DISPATCH_BATCH		256
#define POLL_MS			100
#define EXIT_CONFIG		2

struct daemon {
	struct config		*cfg;
	struct capture		*cap;
	struct hep_listener	*hep;
	struct decoder		*dec;
	struct sip_parser	*sip;
	struct leg_table	*legs;
	struct contact_table	*contacts;
	struct interval_stage	*intervals;
	struct publisher	*pub;
	int64_t			 now_us;	/* packet time */
	int64_t			 next_tick_us;
	int64_t			 next_stats_us;
	int64_t			 wall_at_now_us;	/* live: wall clock at now_us */
	int			 cli_level;	/* -v/-q, -1: log.level */
	double			 replay_speed;	/* --replay-speed, 0: flat out */
	int64_t			 pace_ts0_us;	/* first packet time paced */
	int64_t			 pace_mono0_us;	/* monotonic clock then */
};

static volatile sig_atomic_t	quit_flag, reload_flag;

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
	else
		quit_flag = 1;
}

static void
on_interval(const struct interval_record *r, void *arg)
{
	struct daemon	*d = arg;

	record_interval(d->pub, r);
}

static void
on_contact(const struct contact_event *ev, void *arg)
{
	struct daemon	*d = arg;

	interval_input(d->intervals, ev);
	record_contact_event(d->pub, ev);
}

static void
on_leg(const struct leg_event *ev, void *arg)
{
	struct daemon	*d = arg;

	contact_input(d->contacts, ev);
}

static void
on_sip(const struct sip_msg *m, void *arg)
{
	struct daemon	*d = arg;

	leg_input(d->legs, m);
}

static void
on_payload(const struct payload *pl, void *arg)
{
	struct daemon	*d = arg;

	sipmsg_input(d->sip, pl);
}

static void
publish_stats(struct daemon *d)
{
	struct record_counters	rc;

	memset(&rc, 0, sizeof rc);
	if (d->cap != NULL)
		capture_get_stats(d->cap, &rc.capture);
	rc.decode = decode_get_stats(d->dec);
	rc.hep_listen = d->hep != NULL ? heplisten_get_stats(d->hep) : NULL;
	rc.sip = sipmsg_get_stats(d->sip);
	rc.leg = leg_get_stats(d->legs);
	rc.contact = contact_get_stats(d->contacts);
	rc.interval = interval_get_stats(d->intervals);
	rc.publish = publish_get_stats(d->pub);
	record_stats(d->pub, d->now_us, &rc);
}

/* Everything that runs on packet time: intervals, expiry, stats. */
static void
tick(struct daemon *d)
{
	int64_t	stats_us = (int64_t)d->cfg->realtime_s * US_PER_S;

	/* BYEs that waited in vain for a response end their legs first. */
	leg_settle(d->legs, d->now_us);
	/* Before the packet's own events: intervals past end + grace close. */
	interval_advance(d->intervals, d->now_us);
	if (d->next_tick_us == 0) {
		d->next_tick_us = d->now_us + TICK_US;
		d->next_stats_us = (d->now_us / stats_us + 1) * stats_us;
		return;
	}
	if (d->now_us < d->next_tick_us)
		return;
	d->next_tick_us = d->now_us + TICK_US;
	/* Held TCP messages first, so legs see them before expiring. */
	decode_expire(d->dec, d->now_us);
	leg_expire(d->legs, d->now_us);
	contact_expire(d->contacts, d->now_us);
	log_tick();
	if (d->now_us >= d->next_stats_us) {
		publish_stats(d);
		d->next_stats_us = (d->now_us / stats_us + 1) * stats_us;
	}
	publish_drain(d->pub);
}

static void
on_packet(const struct capture_packet *pkt, void *arg)
{
	struct daemon	*d = arg;

	if (d->replay_speed > 0)
		pace(d, pkt->ts_us);
	/* Packet time only moves forward; reordered packets keep theirs. */
	if (pkt->ts_us > d->now_us) {
		d->now_us = pkt->ts_us;
		d->wall_at_now_us = wall_us();
	}
	tick(d);
	decode_packet(d->dec, pkt);
}

/* A SIP payload from the HEP listener: its HEP timestamp is packet time. */
static void
on_hep(const struct payload *pl, void *arg)
{
	struct daemon	*d = arg;

	if (pl->ts_us > d->now_us) {
		d->now_us = pl->ts_us;
		d->wall_at_now_us = wall_us();
	}
	tick(d);
	sipmsg_input(d->sip, pl);
}

static void
apply_log_level(const struct daemon *d)
{
	log_set_level(d->cli_level >= 0 ? (enum log_level)d->cli_level :
	    (enum log_level)d->cfg->log_level);
}

/*
 * Load path with every problem logged, one line each (a daemon's stderr
 * may go nowhere); NULL when it has errors.
 */
static struct config *
load_logged(const char *path)
{
	struct config	*cfg;
	char		*text = NULL, *line, *last;
	size_t		 len = 0;
	FILE		*f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return (config_load(path, stderr));
	cfg = config_load(path, f);
	fclose(f);
	for (line = strtok_r(text, "\n", &last); line != NULL;
	    line = strtok_r(NULL, "\n", &last))
		log_err("reload: %s", line);
	free(text);
	return (cfg);
}

static int
str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != b);
	return (strcmp(a, b) != 0);
}

/* Warn about keys the running daemon cannot change: they need a restart. */
#define RESTART_FMT	"reload: %s changed: it takes effect at the next restart"
static void
reload_check_restart(const struct config *o, const struct config *n)
{
	size_t			 i;
	int			 allowed = o->nzmq_curve_allowed !=
				    n->nzmq_curve_allowed;

	for (i = 0; !allowed && i < n->nzmq_curve_allowed; i++)
		allowed = strcmp(o->zmq_curve_allowed[i],
		    n->zmq_curve_allowed[i]) != 0;
	if (str_differs(o->interface, n->interface) ||
	    str_differs(o->file, n->file))
		log_warn(RESTART_FMT, "capture.interface or capture.file");
	if (o->nsip_ports != n->nsip_ports || memcmp(o->sip_ports,
	    n->sip_ports, n->nsip_ports * sizeof n->sip_ports[0]) != 0)
		log_warn(RESTART_FMT, "capture.sip_ports");
	if (str_differs(o->hep_listen, n->hep_listen))
		log_warn(RESTART_FMT, "capture.hep_listen");
	if (o->interval_s != n->interval_s)
		log_warn(RESTART_FMT, "metrics.interval_s");
	if (str_differs(o->zmq_endpoint, n->zmq_endpoint) ||
	    o->zmq_sndhwm != n->zmq_sndhwm ||
	    str_differs(o->jsonl_path, n->jsonl_path))
		log_warn(RESTART_FMT, "publish");
	if (str_differs(o->zmq_curve_secret_key, n->zmq_curve_secret_key) ||
	    allowed)
		log_warn(RESTART_FMT, "publish.zmq CURVE keys");
	if (str_differs(o->daemon_user, n->daemon_user) ||
	    str_differs(o->daemon_group, n->daemon_group))
		log_warn(RESTART_FMT, "daemon.user or daemon.group");
}

/* Reload: the stages take the new file; open calls and intervals stay. */
static void
reload(struct daemon *d)
{
	struct config	*cfg;
	char		 err[512];

	reload_flag = 0;
	notify_reloading();
	if ((cfg = load_logged(d->cfg->path)) == NULL) {
		log_err("reload: %s has errors, keeping the running "
		    "configuration", d->cfg->path);
		notify_ready();
		return;
	}
	reload_check_restart(d->cfg, cfg);
	if (strcmp(cfg->filter, d->cfg->filter) != 0 && d->cap != NULL &&
	    capture_set_filter(d->cap, cfg->filter, err, sizeof err) == -1) {
		log_err("reload: %s; keeping the running configuration", err);
		config_free(cfg);
		notify_ready();
		return;
	}
	sipmsg_set_headers(d->sip, cfg->corr_headers, cfg->ncorr_headers);
	leg_set_config(d->legs, cfg);
	contact_set_config(d->contacts, cfg);
	interval_set_config(d->intervals, cfg);
	publish_set_config(d->pub, cfg);
	config_free(d->cfg);
	d->cfg = cfg;
	apply_log_level(d);
	log_info("reloaded %s", cfg->path);
	notify_ready();
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
			return (0);
		if (n == -2)
			return (-1);
		if (reload_flag)
			reload(d);
	}
	return (0);
}

/* One poll() over the live capture and the HEP listener, either optional. */
static int
run_live(struct daemon *d)
{
	struct pollfd	pfd[2];
	nfds_t		n = 0;
	int64_t		wall;

	if (d->cap != NULL) {
		pfd[n].fd = capture_fd(d->cap);
		pfd[n++].events = POLLIN;
	}
	if (d->hep != NULL) {
		pfd[n].fd = heplisten_fd(d->hep);
		pfd[n++].events = POLLIN;
	}
	while (!quit_flag) {
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
		publish_drain(d->pub);
		/* Quiet periods: the wall clock moves packet time on. */
		wall = wall_us();
		if (d->now_us != 0 && wall - d->wall_at_now_us > POLL_MS * 1000) {
			d->now_us += wall - d->wall_at_now_us;
			d->wall_at_now_us = wall;
			tick(d);
		}
		if (reload_flag)
			reload(d);
	}
	return (0);
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
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void
daemon_free(struct daemon *d)
{
	capture_close(d->cap);
	heplisten_close(d->hep);
	decode_free(d->dec);
	sipmsg_free(d->sip);
	leg_free(d->legs);
	contact_free(d->contacts);
	interval_free(d->intervals);
	publish_free(d->pub);
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
	if ((d->cfg->filter_default ? capture_set_filter_tagged(d->cap,
	    d->cfg->filter, err, sizeof err) : capture_set_filter(d->cap,
	    d->cfg->filter, err, sizeof err)) == -1) {
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
	/* Downstream first, so each stage has its sink when it starts. */
	if ((d.pub = publish_create(d.cfg, file == NULL, err, sizeof err)) ==
	    NULL) {
		log_err("%s", err);
		daemon_free(&d);
		return (1);
	}
	d.intervals = interval_create(d.cfg, on_interval, &d);
	d.contacts = contact_create(d.cfg, on_contact, &d);
	d.legs = leg_create(d.cfg, on_leg, &d);
	d.sip = sipmsg_create(d.cfg->corr_headers, d.cfg->ncorr_headers,
	    on_sip, &d);
	d.dec = decode_create(d.cfg->sip_ports, d.cfg->nsip_ports, on_payload,
	    &d);
	decode_set_hep_ports(d.dec, d.cfg->hep_ports, d.cfg->nhep_ports);
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
	install_signals();
	if (file == NULL && !foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_syslog();
	}
	if (file != NULL && d.cfg->zmq_await_subscribers > 0 &&
	    publish_await_subscribers(d.pub, d.cfg->zmq_await_subscribers,
	    d.cfg->zmq_await_ms) == -1)
		log_warn("replaying without the %d subscriber(s) awaited",
		    d.cfg->zmq_await_subscribers);

	notify_ready();
	rc = file != NULL ? run_offline(&d) : run_live(&d);
	notify_stopping();
	if (quit_flag)
		log_info("stopping: publishing open calls and intervals");

	/* Close what is open: TCP held after holes, calls, then counters. */
	decode_flush(d.dec);
	leg_flush(d.legs, d.now_us);
	interval_flush(d.intervals, d.now_us);
	publish_stats(&d);
	daemon_free(&d);
	return (rc == 0 ? 0 : 1);
}
