/* SPDX-License-Identifier: BSD-2-Clause */
/* sipfast.h: the header-by-header libosip2 parse of a plain SIP message. */
#ifndef CCMETRICS_SIPFAST_H
#define CCMETRICS_SIPFAST_H

#include <osipparser2/osip_parser.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/sip.h"

/* A header value inside the payload: trimmed, not NUL-terminated. */
struct sipfast_val {
	const char	*p;
	size_t		 n;
};

#define SIPFAST_OTHER_MAX	16

/*
 * What the pre-scan (sipmsg.c) hands the header-by-header parse: the start
 * line and the value of each header sipmsg_extract reads. ok is cleared by
 * anything that parse does not mirror exactly (folded lines, a header
 * twice, a Via list, a body whose length is not Content-Length...): such a
 * message goes to osip_message_parse.
 */
struct sipfast_scan {
	bool			 ok;
	struct sipfast_val	 start, from, to, call_id, cseq, via, ctype,
				 body;
	int			 nfrom, nto, ncall_id, ncseq;
	/* Headers read by name: PAI, Refer-To, correlation headers... */
	struct {
		const char		*name;
		size_t			 nlen;
		struct sipfast_val	 v;
	}			 other[SIPFAST_OTHER_MAX];
	size_t			 nother;
	/* A REGISTER or its response (DESIGN.md 7): Contact and Expires. */
	bool			 is_register;
	struct sipfast_val	 contact[SIP_MAX_CONTACTS];
	size_t			 ncontact;
	struct sipfast_val	 expires;	/* p NULL: none */
};

/* What the memo caches keep of a From/To value (or of a top Via). */
struct sipfast_party {
	uint32_t	hash;
	uint16_t	len;		/* of raw; 0: empty slot */
	char		raw[SIP_VALUE_MAX];
	char		user[SIP_USER_MAX];
	char		tag[SIP_TAG_MAX];	/* of a Via: its branch */
};

/*
 * What sipmsg_extract reads, from either parse: osip_message_parse of the
 * whole (reduced) text (m set), or the header-by-header parse of the
 * values the pre-scan found (sc set). Both leave every string in the
 * arena or in m.
 */
struct sip_parts {
	bool			 is_request;
	const char		*method;	/* of the request line */
	int			 status;
	osip_call_id_t		*call_id;
	osip_cseq_t		*cseq;
	osip_from_t		*from;
	osip_to_t		*to;
	osip_uri_t		*req_uri;
	osip_via_t		*via;		/* the top one, or NULL */
	osip_content_type_t	*ctype;
	const char		*body;		/* NULL: none */
	size_t			 body_len;
	const osip_message_t	*m;
	const struct sipfast_scan *sc;
	/* From [0] and To [1]: a cache hit, or NULL (from, to parsed). */
	const struct sipfast_party *party[2];
	uint32_t		 party_hash[2];
	const struct sipfast_party *via_hit;	/* tag: the branch */
	uint32_t		 via_hash;
};

struct sipfast;

struct sipfast	*sipfast_create(void);
void		 sipfast_free(struct sipfast *sf);
/*
 * Parse what sc found into *pp with libosip2's header parsers, inside an
 * open arena (osiparena_begin). 0 when parsed; -1 to let
 * osip_message_parse judge the message.
 */
int		 sipfast_parse(struct sipfast *sf,
		    const struct sipfast_scan *sc, struct sip_parts *pp);
/* Remember what sm took from the From, To and Via values pp parsed. */
void		 sipfast_remember(struct sipfast *sf,
		    const struct sipfast_scan *sc, const struct sip_parts *pp,
		    const struct sip_msg *sm);
/* The first value of header name (any case), copied to the arena; or NULL. */
const char	*sipfast_header(const struct sipfast_scan *sc,
		    const char *name);

#endif
