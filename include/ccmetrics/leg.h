/* SPDX-License-Identifier: BSD-2-Clause */
/* leg.h: one leg per dialog-forming INVITE, its transaction and dialog state. */
#ifndef CCMETRICS_LEG_H
#define CCMETRICS_LEG_H

#include <stdbool.h>
#include <stdint.h>

#include "ccmetrics/conf.h"
#include "ccmetrics/sip.h"

enum leg_role {
	LEG_ROLE_OTHER,		/* outbound, internal, consult, unmatched */
	LEG_ROLE_INBOUND,	/* trunk -> PBX */
	LEG_ROLE_AGENT		/* PBX -> agent phone */
};

enum leg_state {
	LEG_STATE_CALLING,	/* INVITE sent, no 18x yet */
	LEG_STATE_EARLY,	/* 18x seen */
	LEG_STATE_CONFIRMED,	/* 2xx seen */
	LEG_STATE_ENDED
};

/* How a leg ended. UAC is the side that sent the initial INVITE. */
enum leg_end {
	LEG_END_NONE,
	LEG_END_BYE_UAC,	/* BYE from the INVITE's sender */
	LEG_END_BYE_UAS,	/* BYE from the INVITE's recipient */
	LEG_END_CANCEL,
	LEG_END_REJECTED,	/* final 3xx-6xx to the INVITE */
	LEG_END_EXPIRED,	/* no message for limits.*_leg_timeout_s */
	LEG_END_EVICTED,	/* the table was full (limits.max_legs) */
	LEG_END_FLUSHED		/* end of an offline capture, or shutdown */
};

/*
 * A leg as the leg stage owns it: the values it hands down in a leg event.
 * Downstream stages read it during the event and keep no pointer to it
 * (an ended leg is freed when its table needs room or after it lingers);
 * they name a leg by its id. The stage's bookkeeping (transactions in
 * progress, hash chains, expiry lists) lives in leg.c.
 */
struct leg {
	uint64_t	 id;		/* unique for the table's life */
	char		*call_id;
	char		*from_tag;
	enum leg_role	 role;
	enum leg_state	 state;
	enum leg_end	 end_reason;
	struct endpoint	 uac;		/* source of the INVITE */
	struct endpoint	 uas;		/* its destination */
	char		*dialed;	/* Request-URI user, else To user; of
					   an agent leg: its agent id
					   (DESIGN.md 7) */
	char		*placed_by;	/* a leg an agent places (agent ->
					   PBX): its agent id, the From
					   user; else NULL */
	char		*caller;	/* P-Asserted-Identity user, else From */
	bool		 caller_hidden;	/* Privacy: id, no P-Asserted-Identity */
	char		*corr[SIP_MAX_CORR];	/* correlation headers, or NULL */
	char		*replaces;	/* Call-ID in the INVITE's Replaces */

	int64_t		 invite_us;
	int64_t		 ring_us;	/* first 18x, 0 if none */
	int64_t		 answer_us;	/* first 2xx, 0 if none */
	int64_t		 end_us;	/* 0 while open */
	int64_t		 last_us;	/* last message, for expiry */
	int		 final_status;	/* final response to the INVITE */
	bool		 partial;	/* first seen mid-dialog */

	/* Hold (RFC 3264 8.4), on answered legs. */
	bool		 held;
	int		 holds;
	int64_t		 hold_start_us;
	int64_t		 hold_us;	/* closed holds, whole ms (ptime.h);
					   open one excluded */

	/* The last REFER accepted with 2xx. */
	bool		 refer_attended;	/* Refer-To carried Replaces */
	bool		 refer_by_uas;	/* sent by the INVITE's recipient
					   (on an agent leg: the agent) */
	char		*refer_to;
	char		*refer_replaces;	/* its Call-ID, or NULL */
	/* A NOTIFY reported that REFER failed: its sipfrag status (>= 300),
	   else 0 (RFC 3515 2.4.5). */
	int		 refer_failed_status;
};

enum leg_event_type {
	LEG_EV_START,		/* initial INVITE */
	LEG_EV_RING,		/* first 18x */
	LEG_EV_ANSWER,		/* first 2xx to the INVITE */
	LEG_EV_HOLD,		/* accepted hold offer */
	LEG_EV_RESUME,		/* accepted resume offer */
	LEG_EV_REFER,		/* REFER accepted with 2xx */
	LEG_EV_BYE,		/* a BYE with the dialog's tags: END follows
				   at its time unless BYE_REFUSED comes */
	LEG_EV_BYE_REFUSED,	/* that BYE was answered 481 */
	LEG_EV_REFER_FAILED,	/* a NOTIFY from the REFER's recipient reports
				   the last accepted REFER failed (sipfrag
				   status >= 300): once per REFER */
	LEG_EV_END
};

struct leg_table;

struct leg_event {
	enum leg_event_type	 type;
	int64_t			 ts_us;
	const struct leg	*leg;	/* valid during the event only */
	struct leg_table	*table;	/* the sender, for leg_adopt() */
};

struct leg_stats {
	uint64_t	open;
	uint64_t	created;
	uint64_t	retransmissions;
	uint64_t	orphans;	/* message with no leg, not kept */
	uint64_t	orphans_held;	/* responses held for their INVITE */
	uint64_t	orphans_replayed;
	uint64_t	partial;	/* legs first seen mid-dialog */
	uint64_t	rehops;		/* INVITEs taken at a proxy's next hop */
	uint64_t	expired;
	uint64_t	evicted;
	uint64_t	agent_user_mismatch;
	/* DESIGN.md 3.3: BYEs that end no leg, and requests for dialogs
	   that ended less than limits.ended_dialog_memory_s ago. */
	uint64_t	bye_tags_mismatch;	/* tags not the dialog's */
	uint64_t	bye_481;		/* answered 481 */
	uint64_t	ended_dialog_requests;
	uint64_t	partial_unconfirmed;	/* mid-dialog requests no 2xx
						   confirmed: no leg published */
};

typedef void (*leg_sink)(const struct leg_event *, void *);
/*
 * The agent bound at a Request-URI host:port (port 0: none given) by a
 * REGISTER, or NULL (DESIGN.md 7); wired by the pipeline.
 */
typedef const char *(*leg_binding_fn)(const char *host, uint16_t port,
		    void *arg);

struct leg_table *leg_create(const struct config *cfg, leg_sink sink,
		    void *arg);
void		 leg_set_binding(struct leg_table *lt, leg_binding_fn fn,
		    void *arg);
/* Swap the configuration (reload); roles of open legs stay as they are. */
void		 leg_set_config(struct leg_table *lt, const struct config *cfg);
void		 leg_input(struct leg_table *lt, const struct sip_msg *m);
/* End legs silent for too long and free ended ones, on packet time. */
void		 leg_expire(struct leg_table *lt, int64_t now_us);
/*
 * End, at their own time, the legs whose BYE got no response in time
 * (DESIGN.md 3.3). leg_input() does it too; the daemon calls it before
 * closing intervals, so such an end is never a late event.
 */
void		 leg_settle(struct leg_table *lt, int64_t now_us);
/* End every open leg at now_us (end of capture, shutdown). */
void		 leg_flush(struct leg_table *lt, int64_t now_us);
/*
 * The one input the leg stage takes from downstream: a later stage (the
 * contact stage) holds leg leg_id, for the rest of the leg's life. A held
 * inbound leg still ringing is kept as long as an answered one (a caller
 * in a queue hears ringback with nothing on the wire), from its next
 * message on; a held leg is never taken over by a proxy's next hop (see
 * leg_rehop()). May be called from within the sink. Returns -1 when no
 * open leg has that id.
 */
int		 leg_adopt(struct leg_table *lt, uint64_t leg_id);
const struct leg_stats *leg_get_stats(const struct leg_table *lt);
void		 leg_free(struct leg_table *lt);

#endif
