/* SPDX-License-Identifier: BSD-2-Clause */
/* pipeline.h: the domain stages wired as main.c wires them, for unit tests. */
#ifndef CCMETRICS_TESTS_PIPELINE_H
#define CCMETRICS_TESTS_PIPELINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/agent.h"
#include "ccmetrics/conf.h"
#include "ccmetrics/contact.h"
#include "ccmetrics/interval.h"
#include "ccmetrics/leg.h"
#include "ccmetrics/publish.h"
#include "ccmetrics/sip.h"

/*
 * The tests drive the stages only through their most stable inputs and
 * outputs: sip_msgs go into the real leg stage, on through contact,
 * interval and record, and the published JSON lines are read back. Only
 * this file and pipeline.c know how the stages are wired.
 */

#define T0_US		1795424400000000LL	/* 2026-11-23T09:00:00Z, a
						   multiple of 900 s and 3600 s */
#define AT(ms)		(T0_US + (int64_t)(ms) * 1000)
#define ATS(s)		AT((int64_t)(s) * 1000)

#define TRUNK		"192.0.2.1"
#define PBX		"10.0.0.10"
#define AGENT1		"10.1.0.5"
#define AGENT2		"10.1.0.6"
#define AGENT3		"10.1.0.7"
#define OFFNET		"198.51.100.7"

struct pipe {
	struct config		*cfg;
	struct publisher	*pub;
	struct leg_table	*legs;
	struct contact_table	*contacts;
	struct agent_table	*agents;
	struct interval_stage	*intervals;
	int64_t			 now_us;	/* packet time, forward only */
	int64_t			 next_tick_us;	/* expiry, as main.c's tick */
	char			 path[64];
	int			 fd;		/* of path, already unlinked */
	json_t			*out;		/* what was published */
	json_t			*raw;		/* the same, the lines as text */
	struct contact_stats	 cstats;	/* as pipe_done() found them */
	struct interval_stats	 istats;
	struct agent_stats	 astats;
	/* Contact events seen, by type. */
	size_t			 nev[CONTACT_EV_NTYPES];
};

/* One dialog: who sent the INVITE to whom, with which identifiers. */
struct dlg {
	const char	*call_id;
	const char	*ftag;		/* the UAC's */
	const char	*ttag;		/* the UAS's */
	const char	*uac;
	const char	*uas;
	const char	*from_user;	/* the caller's number */
	const char	*ruri_user;	/* DNIS, or the agent id */
	const char	*corr0;		/* X-CC-Inbound, NULL none */
	const char	*replaces;	/* Replaces Call-ID, NULL none */
};

/* yaml: the configuration without its publish section. */
void	pipe_open(struct pipe *p, const char *yaml);
/* Free the stages, then read every published object into p->out. */
void	pipe_done(struct pipe *p);
void	pipe_close(struct pipe *p);

/*
 * As main.c: packet time moves forward, intervals advance, once a second
 * of packet time legs and callers expire; then the message.
 */
void	pipe_feed(struct pipe *p, const struct sip_msg *m);
/* Packet time moves to now_us with no message (a quiet period). */
void	pipe_tick(struct pipe *p, int64_t now_us);
/* End of the capture at now_us: legs flushed, intervals closed. */
void	pipe_flush(struct pipe *p, int64_t now_us);
const struct contact_stats *pipe_contact_stats(const struct pipe *p);
const struct interval_stats *pipe_interval_stats(const struct pipe *p);

/* Contact events seen, by type. */
size_t	pipe_nev(const struct pipe *p, enum contact_event_type t);

/* Published objects, after pipe_done(). */
size_t	pipe_count(const struct pipe *p, const char *topic);
json_t	*pipe_get(const struct pipe *p, const char *topic, size_t nth);
/* The line of pipe_get(p, topic, nth), as published. */
const char *pipe_line(const struct pipe *p, const char *topic, size_t nth);
/* The first object on topic whose string member key is value. */
json_t	*pipe_find(const struct pipe *p, const char *topic, const char *key,
	    const char *value);
/* The queue interval of queue starting at start_us. */
json_t	*pipe_interval(const struct pipe *p, const char *queue,
	    int64_t start_us);
json_t	*pipe_agent_interval(const struct pipe *p, const char *agent,
	    int64_t start_us);

/* Checks that print the key with both values when they fail. */
#define expect_int(o, k, v)	pipe_expect_int((o), (k), (v), __FILE__, __LINE__)
#define expect_num(o, k, v)	pipe_expect_num((o), (k), (v), __FILE__, __LINE__)
#define expect_str(o, k, v)	pipe_expect_str((o), (k), (v), __FILE__, __LINE__)
#define expect_null(o, k)	pipe_expect_null((o), (k), __FILE__, __LINE__)
#define expect_bool(o, k, v)	pipe_expect_bool((o), (k), (v), __FILE__, __LINE__)
/* Histogram k holds the INTERVAL_WAIT_BUCKETS counts of w. */
#define expect_hist(o, k, w)	pipe_expect_hist((o), (k), (w), __FILE__, \
				    __LINE__)
void	pipe_expect_int(json_t *o, const char *key, long long want,
	    const char *file, int line);
void	pipe_expect_num(json_t *o, const char *key, double want,
	    const char *file, int line);
void	pipe_expect_str(json_t *o, const char *key, const char *want,
	    const char *file, int line);
void	pipe_expect_null(json_t *o, const char *key, const char *file,
	    int line);
void	pipe_expect_bool(json_t *o, const char *key, bool want,
	    const char *file, int line);
/* An array of strings equal to the NULL-terminated list. */
#define expect_strs(o, k, ...)	pipe_expect_strs((o), (k), __FILE__, \
				    __LINE__, __VA_ARGS__, (const char *)NULL)
void	pipe_expect_strs(json_t *o, const char *key, const char *file,
	    int line, ...);
void	pipe_expect_hist(json_t *o, const char *key, const long long *want,
	    const char *file, int line);

/* SIP messages (users: from_user -> ruri_user of the dialog). */
struct sip_msg	sipm(const struct dlg *d, enum sip_method method, int status,
		    bool by_uac, uint32_t cseq, int64_t ts_us);
void	send_invite(struct pipe *p, const struct dlg *d, int64_t ts_us);
/* A response to the initial INVITE (CSeq 1). */
void	send_resp(struct pipe *p, const struct dlg *d, int status,
	    int64_t ts_us);
/* CANCEL of the initial INVITE, its 200 and the 487 10 ms later. */
void	send_cancel(struct pipe *p, const struct dlg *d, int64_t ts_us);
/* A BYE by the INVITE's sender (by_uac) or its recipient, and its 200. */
void	send_bye(struct pipe *p, const struct dlg *d, bool by_uac,
	    uint32_t cseq, int64_t ts_us);
/* A re-INVITE offer with dir (c=0.0.0.0 when c_zero), answered 200. */
void	send_offer(struct pipe *p, const struct dlg *d, bool by_uac,
	    uint32_t cseq, enum sdp_dir dir, bool c_zero, int64_t ts_us);
/* A REFER answered with status 20 ms later. */
void	send_refer(struct pipe *p, const struct dlg *d, bool by_uac,
	    uint32_t cseq, const char *refer_to, const char *replaces,
	    int status, int64_t ts_us);
/*
 * A NOTIFY of the refer package whose sipfrag reports frag_status (0:
 * none or malformed), Event id event_id (-1: none), answered 200 10 ms
 * later.
 */
void	send_notify(struct pipe *p, const struct dlg *d, bool by_uac,
	    uint32_t cseq, int frag_status, int64_t event_id, int64_t ts_us);
/* INVITE at ts, 180 at +100 ms, 200 at answer_ms after ts, ACK. */
void	send_answered(struct pipe *p, const struct dlg *d, int64_t ts_us,
	    int64_t answer_us);

#endif
