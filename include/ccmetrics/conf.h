/* SPDX-License-Identifier: BSD-2-Clause */
/* conf.h: the daemon's configuration (DESIGN.md section 2), loaded from YAML. */
#ifndef CCMETRICS_CONF_H
#define CCMETRICS_CONF_H

#include <regex.h>
#include <stdint.h>
#include <stdio.h>

#include "ccmetrics/addr.h"

#define CONFIG_MAX_SIP_PORTS	32
#define CONFIG_MAX_CORR_HEADERS	8
#define CONFIG_NAME_MAX		64	/* queue names, incl. NUL */
#define CONFIG_CURVE_KEY_LEN	40	/* a CURVE key in Z85 */
#define CONFIG_SECRET_MIN	16	/* privacy.secret, characters */
#define CONFIG_MAX_DNIS		100000	/* in all queues together */
#define CONFIG_FILTER_MAX	1024	/* capture.filter, characters */
#define CONFIG_FILTER_TERMS	64	/* capture.filter, primitives */

struct strmap;

/* privacy.caller: what published caller numbers show. */
enum config_privacy {
	PRIVACY_CLEAR,		/* the number as seen */
	PRIVACY_HASH,		/* HMAC-SHA256(privacy.secret, number), hex */
	PRIVACY_MASK		/* all but the last mask_digits digits 'x' */
};

/* queues[].max_abandon when a queue has no configuration (DESIGN.md 4.1). */
#define CONFIG_MAX_ABANDON_DEFAULT	0.05

struct config_queue {
	char		  name[CONFIG_NAME_MAX];
	char		**dnis;
	size_t		  ndnis;
	int		  sl_threshold_s;	/* default 20 */
	double		  sl_target;		/* default 0.80, in (0, 1] */
	double		  max_abandon;		/* default 0.05, in (0, 1] */
	double		  erlang_a_patience_s;	/* 0: not set (measured) */
};

/*
 * An immutable configuration: built whole by config_load(), swapped in
 * whole on reload, freed by config_free(). Strings are owned; NULL means
 * "not set".
 */
/* Where struct config's site came from. */
enum config_site_source {
	CONFIG_SITE_SET,		/* the site key */
	CONFIG_SITE_HOST,		/* the short host name */
	CONFIG_SITE_HOST_ALTERED	/* ... made to fit [A-Za-z0-9_-]+ */
};

struct config {
	char		 *path;
	char		 *site;			/* always set (section 8) */
	int		  site_default;		/* enum config_site_source */

	/* capture */
	char		 *interface;
	char		 *file;
	char		 *filter;		/* always set: default built from
					   sip_ports, lets fragments through */
	int		  filter_default;	/* filter is that default */
	uint16_t	  sip_ports[CONFIG_MAX_SIP_PORTS];	/* default {5060} */
	size_t		  nsip_ports;
	char		 *hep_listen;
	struct addr	  hep_addr;		/* hep_listen parsed, valid iff */
	uint16_t	  hep_port;		/*   hep_listen is set */
	uint16_t	  hep_ports[CONFIG_MAX_SIP_PORTS];	/* HEP inside the
							   capture; none */
	size_t		  nhep_ports;
	struct addrset	  hep_sources;		/* listener: empty: anyone */
	char		 *hep_password;		/* listener: HEP auth key chunk */

	struct addrset	  pbx;			/* required, non-empty */
	struct addrset	  trunks;		/* empty: any non-PBX, non-agent */
	struct addrset	  agents;		/* required, non-empty */
	char		 *agent_user_pattern;
	regex_t		  agent_user_re;	/* valid iff agent_user_pattern */

	struct config_queue *queues;
	size_t		  nqueues;
	struct strmap	 *dnis_map;		/* DNIS -> its queue */
	char		 *default_queue;	/* NULL: unmapped calls ignored */

	char		 *corr_headers[CONFIG_MAX_CORR_HEADERS];
	size_t		  ncorr_headers;
	int		  caller_window_s;	/* 7200 */

	int		  interval_s;		/* 900; divides 86400 */
	int		  realtime_s;		/* 5 */
	int		  short_abandon_s;	/* 5 */
	int		  repeat_window_s;	/* 86400 */

	uint64_t	  max_legs;		/* 1000000 */
	uint64_t	  max_callers;		/* 1000000: repeat history */
	int		  unanswered_leg_timeout_s;	/* 300 */
	int		  answered_leg_timeout_s;	/* 14400 */
	int		  ended_dialog_memory_s;	/* 300, >= 32 */
	int		  max_time_jump_s;	/* 300; 0: unbounded */

	char		 *zmq_endpoint;		/* NULL: no ZeroMQ ("zmq: ~") */
	int		  zmq_sndhwm;		/* 100000 */
	int		  zmq_max_subscribers;	/* 32: more are refused */
	int		  zmq_await_subscribers;/* 0: offline replay waits for none */
	int		  zmq_await_ms;		/* 3000 */
	char		 *jsonl_path;		/* NULL: none, "-": stdout */
	char		 *zmq_curve_secret_key;	/* Z85; NULL: no CURVE */
	char		 *zmq_curve_public_key;	/* Z85; matches the secret */
	char		**zmq_curve_allowed;	/* client public keys, Z85; */
	size_t		  nzmq_curve_allowed;	/*   none: any client key */

	char		 *nats_url;		/* NULL: no NATS (section 8) */
	char		 *nats_subject_prefix;	/* "ccmetrics" */
	int		  nats_max_pending;	/* 100000 */
	char		 *nats_tls_ca;		/* PEM files; NULL: none */
	char		 *nats_tls_cert;
	char		 *nats_tls_key;
	char		 *nats_creds;		/* a .creds file (JWT, NKey) */
	char		 *nats_user;		/* or user and password, */
	char		 *nats_password;
	char		 *nats_token;		/*   or a token */

	char		 *daemon_user;		/* root drops to it; NULL: no */
	char		 *daemon_group;		/* NULL: the user's group */
	int		  log_level;		/* enum log_level, "info" */

	int		  privacy_caller;	/* enum config_privacy */
	char		 *privacy_secret;	/* key of PRIVACY_HASH */
	int		  privacy_mask_digits;	/* 4 */
};

/*
 * Load and validate FILE. On any error, print every problem found to errs
 * as "file:line:column: key: problem" (1-based) and return NULL.
 */
struct config	*config_load(const char *path, FILE *errs);
/* The same from a string; name is used in messages. */
struct config	*config_load_string(const char *name, const char *text,
		    FILE *errs);
void		 config_free(struct config *cfg);
/* The queue named name, or NULL. */
const struct config_queue *config_queue_by_name(const struct config *cfg,
		    const char *name);
/*
 * On reload: every key of next that the schema marks as needing a
 * restart takes running's value again, changed(key) told of each that
 * differed; the default filter is rebuilt from what then runs.
 */
void		 config_keep_running(struct config *next,
		    const struct config *running,
		    void (*changed)(const char *key, void *arg), void *arg);
/* Does a reload apply key ("capture.hep_ports")? 0 for unknown keys. */
int		 config_key_reloadable(const char *key);
/* The queue whose dnis lists dnis, or NULL. */
const struct config_queue *config_queue_by_dnis(const struct config *cfg,
		    const char *dnis);
/*
 * The dotted key of schema row i ("capture.filter", "queues[].name"), or
 * NULL past the last; *def (NULL: no default) and *help when not NULL.
 * Lets tests check that the docs cover every key and its default.
 */
const char	*config_schema_key(size_t i, const char **def,
		    const char **help);

#endif
