/* SPDX-License-Identifier: BSD-2-Clause */
/* webconf.h: the configuration of ccmetrics-web (its own YAML file). */
#ifndef CCMETRICS_WEBCONF_H
#define CCMETRICS_WEBCONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WEBCONF_NAME_MAX	64	/* a queue or site name, with its NUL */
#define WEBCONF_MAX_FEEDS	64
#define WEBCONF_MAX_THRESHOLDS	1024
#define WEBCONF_KEY_LEN		40	/* a CURVE key in Z85 */

/*
 * Wallboard colours of one queue (or the default). A tile turns amber
 * when longest_wait_s > longest_wait_amber_s or service_level <
 * sl_amber, red when longest_wait_s > longest_wait_red_s or service_level
 * < sl_red. Checked: amber <= red for waits, red <= amber for levels.
 */
struct webconf_threshold {
	char	 queue[WEBCONF_NAME_MAX];	/* "" for the default */
	double	 longest_wait_amber_s;		/* default 30 */
	double	 longest_wait_red_s;		/* default 60 */
	double	 sl_amber;			/* default 0.80 */
	double	 sl_red;			/* default 0.60 */
	/*
	 * The daemon's queues[].sl_threshold_s, used by /metrics for
	 * answered_within_sl until the queue's first interval.queue
	 * (which carries the daemon's own) arrives. Default 20.
	 */
	int	 sl_threshold_s;
};

/* One daemon to subscribe to. */
struct webconf_feed {
	char	*endpoint;		/* tcp://host:port */
	char	*server_key;		/* the daemon's CURVE public key; NULL: clear */
	char	*public_key;		/* this client's pair; NULL: a new one */
	char	*secret_key;
};

struct webconf {
	char	*path;			/* the file it came from */

	/* listen: ADDRESS:PORT, default 127.0.0.1:8080 */
	char	*listen;		/* as written */
	char	 listen_host[64];	/* numeric IPv4 or IPv6 address */
	uint16_t listen_port;

	struct webconf_feed	*feeds;	/* default: one, tcp://127.0.0.1:5556 */
	size_t			 nfeeds;

	char	*timezone;		/* IANA name for "today", default "UTC" */

	struct webconf_threshold	 threshold_default;
	struct webconf_threshold	*thresholds;	/* per queue */
	size_t				 nthresholds;

	/* events: the ring of SSE events replayed to reconnecting clients */
	size_t	 events_ring;		/* events kept, default 10000 */
	size_t	 events_ring_bytes;	/* and at most these bytes, default 16 MiB */
	int	 events_keepalive_s;	/* comment line to idle clients, default 15 */

	/* limits */
	int	 max_clients;		/* HTTP connections at once, default 256 */
	size_t	 client_buffer_bytes;	/* an SSE client's unsent bytes; past
					   it the client is cut off, 256 KiB */
	size_t	 max_message_bytes;	/* a feed object, default 1 MiB */
	int	 max_sites;		/* default 64 */
	int	 max_queues;		/* per site, default 1000 */
	int	 max_agents;		/* per site, default 100000 */
	/*
	 * Over all sites: what one feed naming many sites (or many feeds)
	 * may make /metrics, /state.json and the tables hold. Default 2000
	 * and 10000; their cost is in the memory_bytes check. 0 (only in a
	 * hand-made webconf): no such bound.
	 */
	int	 max_queues_total;
	int	 max_agents_total;
	size_t	 memory_bytes;		/* the bound the above must fit in,
					   default 256 MiB; checked at load */

	/* metrics */
	int	 per_agent;		/* per-agent series on /metrics, default no */
	int	 feed_timeout_s;	/* a site is down after this without a
					   message, default 15 */
};

/* Load and check a file; NULL after printing file:line:column errors. */
struct webconf	*webconf_load(const char *path, FILE *errs);
struct webconf	*webconf_load_string(const char *name, const char *text,
		    FILE *errs);
void		 webconf_free(struct webconf *);
/* The thresholds of a queue: its own entry, else the default. */
const struct webconf_threshold *webconf_threshold(const struct webconf *,
		    const char *queue);

#endif
