/* SPDX-License-Identifier: BSD-2-Clause */
/* sip.h: one parsed SIP message, reduced to what later stages need. */
#ifndef CCMETRICS_SIP_H
#define CCMETRICS_SIP_H

#include <stdbool.h>
#include <stdint.h>

#include "ccmetrics/decode.h"
#include "ccmetrics/sdp.h"

#define SIP_CALLID_MAX		256
#define SIP_TAG_MAX		128
#define SIP_USER_MAX		128
#define SIP_BRANCH_MAX		128
#define SIP_VALUE_MAX		256
#define SIP_MAX_CORR		8
#define SIP_HOST_MAX		128
#define SIP_MAX_CONTACTS	8	/* of a REGISTER; more are dropped */

/* A Contact of a REGISTER or of its response (RFC 3261 10.2.1). */
struct sip_contact {
	char		host[SIP_HOST_MAX];	/* lower case */
	uint16_t	port;		/* 0: none given */
	int		expires;	/* its expires parameter; -1: none */
};

enum sip_method {
	SIP_METHOD_OTHER,
	SIP_INVITE,
	SIP_ACK,
	SIP_BYE,
	SIP_CANCEL,
	SIP_UPDATE,
	SIP_REFER,
	SIP_NOTIFY,
	SIP_PRACK,
	SIP_OPTIONS,
	SIP_REGISTER,
	SIP_SUBSCRIBE,
	SIP_INFO,
	SIP_MESSAGE
};

/* SIP status codes we name (RFC 3261 21). */
#define SIP_TRYING			100
#define SIP_RINGING			180
#define SIP_OK				200
#define SIP_ACCEPTED			202
#define SIP_REQUEST_TERMINATED		487

struct sip_msg {
	int64_t		ts_us;
	struct endpoint	src;
	struct endpoint	dst;
	uint8_t		transport;

	bool		is_request;
	enum sip_method	method;		/* of the request, or of the CSeq */
	int		status;		/* responses only */
	uint32_t	cseq;

	char		call_id[SIP_CALLID_MAX];
	char		from_user[SIP_USER_MAX];
	char		from_tag[SIP_TAG_MAX];
	char		to_user[SIP_USER_MAX];
	char		to_tag[SIP_TAG_MAX];
	char		ruri_user[SIP_USER_MAX];	/* requests only */
	char		ruri_host[SIP_HOST_MAX];	/* lower case */
	uint16_t	ruri_port;			/* 0: none given */
	char		pai_user[SIP_USER_MAX];
	bool		privacy_id;	/* INVITE: Privacy: id (RFC 3325 9.3) */
	char		branch[SIP_BRANCH_MAX];		/* top Via */
	/* Values of the configured correlation headers, by index; "" absent. */
	char		corr[SIP_MAX_CORR][SIP_VALUE_MAX];
	char		refer_to[SIP_VALUE_MAX];
	char		replaces_call_id[SIP_CALLID_MAX];  /* Replaces or
							      Refer-To ?Replaces= */
	char		reason[SIP_VALUE_MAX];

	/*
	 * SDP of INVITE and UPDATE requests in a dialog (offers, RFC 3264
	 * 8), the only ones leg.c reads; other bodies may go unread.
	 */
	bool		has_sdp;
	enum sdp_dir	sdp_dir;	/* of the first audio stream */
	bool		sdp_c_zero;	/* c=IN IP4 0.0.0.0 (RFC 2543 hold) */

	/*
	 * A NOTIFY of the refer event package (RFC 3515 2.4.5) only: the
	 * status code of its message/sipfrag body's first line (RFC 3420),
	 * 0 when there is none or it is malformed; the Event header's id
	 * parameter (the CSeq of the REFER it reports on), -1 when absent.
	 */
	int		refer_frag_status;
	int64_t		refer_event_id;

	/*
	 * REGISTER requests and their responses only (DESIGN.md 7): the
	 * Contacts (Contact: * sets contact_star), the Expires header.
	 */
	int		expires;	/* -1: no Expires header */
	bool		contact_star;
	size_t		ncontacts;
	struct sip_contact contacts[SIP_MAX_CONTACTS];
};

struct sip_stats {
	uint64_t	messages;	/* parsed and handed on */
	uint64_t	keepalives;	/* CRLF, blank or NUL only payloads */
	uint64_t	parse_errors;	/* no empty line after the headers,
					   a status code not 1xx-6xx, or
					   libosip2 refused the message */
	uint64_t	missing_fields;	/* no Call-ID, CSeq, From or To */
	uint64_t	ignored_methods;	/* OPTIONS, SUBSCRIBE,
					   PUBLISH, MESSAGE, INFO requests and
					   responses; NOTIFYs but refer ones,
					   responses to any NOTIFY */
};

typedef void (*sip_sink)(const struct sip_msg *, void *);

struct sip_parser;

/* Call sipmsg_global_init() once per process before this. */
struct sip_parser *sipmsg_create(char *const *corr_headers, size_t ncorr,
		    sip_sink sink, void *arg);
/* Change the correlation header names (reload). */
void		 sipmsg_set_headers(struct sip_parser *sp, char *const *names,
		    size_t n);
/*
 * On by default: plain messages are parsed header by header (libosip2's
 * header parsers), others by osip_message_parse; off, always the latter
 * (also while a correlation header is one libosip2 files by itself).
 * For tests and benchmarks that compare the two.
 */
void		 sipmsg_set_fast(struct sip_parser *sp, bool on);
/* Parse one payload holding exactly one SIP message. */
void		 sipmsg_input(struct sip_parser *sp, const struct payload *pl);
const struct sip_stats *sipmsg_get_stats(const struct sip_parser *sp);
void		 sipmsg_free(struct sip_parser *sp);
/* The library-wide libosip2 set-up: parser_init() and silent traces. */
void		 sipmsg_global_init(void);

#endif
