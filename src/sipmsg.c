/* SPDX-License-Identifier: BSD-2-Clause */
/* sipmsg.c: one SIP message into a struct sip_msg: pre-scan, then libosip2. */
#include "config.h"

#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ccmetrics/osiparena.h"
#include "ccmetrics/sdp.h"
#include "ccmetrics/sip.h"
#include "ccmetrics/sipfast.h"
#include "ccmetrics/sipscan.h"
#include "ccmetrics/xmalloc.h"

#define SIP_HEADER_NAME_MAX	64
#define SIP_STATUS_MIN		100	/* RFC 3261 21: classes 1xx to 6xx */
#define SIP_STATUS_MAX		699
#define REDUCE_CONTENT_MAX	4	/* Content-* lines kept aside */
#define SIPFRAG_STATUS_LEN	11	/* "SIP/2.0 NNN" */

/* A run of bytes of the payload. */
struct span {
	const char	*p;
	size_t		 n;
};

/*
 * What the classify step (sipmsg_classify) chose for libosip2, as spans of
 * the payload; the copy step (sipmsg_copy) writes them out only when the
 * header-by-header parse cannot take the message.
 */
struct reduce_plan {
	struct span	*keep;		/* start line, header lines read */
	size_t		 nkeep;
	size_t		 keep_cap;
	struct span	 content[REDUCE_CONTENT_MAX];	/* Content-* lines */
	size_t		 ncontent;
	struct span	 rest;		/* the empty line and the body */
	/* Contact and Expires lines, kept for a REGISTER only. */
	struct span	 reg[SIP_MAX_CONTACTS + 1];
	size_t		 nreg;
	bool		 with_body;	/* else an empty line, no body */
	bool		 crlf_crlf;	/* the headers end with CRLF CRLF */
};

struct sip_parser {
	char		 corr[SIP_MAX_CORR][SIP_HEADER_NAME_MAX];
	size_t		 ncorr;
	sip_sink	 sink;
	void		*sink_arg;
	struct sip_stats st;
	struct sip_msg	 msg;		/* reused: no allocation per message */
	char		*reduced;	/* what libosip2 parses (sipmsg_copy) */
	size_t		 reduced_cap;
	bool		 fast;		/* the header-by-header parse may run */
	bool		 fast_wanted;	/* sipmsg_set_fast */
	struct sipfast_scan scan;	/* what sipmsg_classify found for it */
	struct reduce_plan plan;	/* and what it chose for libosip2 */
	/* A refer NOTIFY as sipmsg_classify read it (RFC 3515 2.4.5). */
	int		 frag_status;	/* its sipfrag's status code, or 0 */
	int64_t		 frag_id;	/* its Event's id parameter, or -1 */
	struct sipfast	*fastp;		/* the memo caches of that parse */
};

static const struct {
	const char	*name;
	enum sip_method	 method;
} sip_methods[] = {
	{ "INVITE", SIP_INVITE }, { "ACK", SIP_ACK }, { "BYE", SIP_BYE },
	{ "CANCEL", SIP_CANCEL }, { "UPDATE", SIP_UPDATE },
	{ "REFER", SIP_REFER }, { "NOTIFY", SIP_NOTIFY },
	{ "PRACK", SIP_PRACK }, { "OPTIONS", SIP_OPTIONS },
	{ "REGISTER", SIP_REGISTER }, { "SUBSCRIBE", SIP_SUBSCRIBE },
	{ "INFO", SIP_INFO }, { "MESSAGE", SIP_MESSAGE },
};

/* Free what libosip2 allocated for m: nothing to do inside the arena. */
static void
sipmsg_osip_free(osip_message_t *m)
{
	if (!osiparena_active())
		osip_message_free(m);
}

/* libosip2's trace sink: parse errors are counted, not printed. */
static void
sipmsg_trace_discard(const char *fi, int li, osip_trace_level_t level,
    const char *chfr, va_list ap)
{
}

void
sipmsg_global_init(void)
{
	parser_init();
	/*
	 * With no trace sink set, libosip2 5.x initialises its own on the
	 * first trace (ERROR and worse to stdout), undoing any disabled
	 * levels and mixing its lines into a JSON-lines sink on stdout.
	 * Level TRACE_LEVEL0: no level enabled.
	 */
	osip_trace_initialize_func(TRACE_LEVEL0, sipmsg_trace_discard);
	osiparena_install();
}

struct sip_parser *
sipmsg_create(char *const *corr_headers, size_t ncorr, sip_sink sink,
    void *arg)
{
	struct sip_parser	*sp;

	sp = xcalloc(1, sizeof *sp);
	sp->fastp = sipfast_create();
	sp->fast_wanted = true;
	sipmsg_set_headers(sp, corr_headers, ncorr);
	sp->sink = sink;
	sp->sink_arg = arg;
	return (sp);
}

/*
 * Header names the pre-scan knows (RFC 3261 7.3.3 compact forms too); a
 * header of none of these kinds, and no configured correlation header, is
 * left out of the text libosip2 parses: sipmsg_extract never reads it.
 */
enum hdr_kind {
	HDR_KEEP,		/* read by sipmsg_extract, libosip2 knows none */
	HDR_FROM,
	HDR_CALL_ID,
	HDR_TO,			/* kept; a tag tells an in-dialog request */
	HDR_VIA,		/* the top one is kept */
	HDR_CSEQ,		/* kept; its method decides the pre-scan */
	HDR_EVENT,		/* of a NOTIFY: refer or not */
	HDR_CTYPE,		/* Content-Type: only with the body */
	HDR_CLEN,		/* Content-Length: only with the body */
	HDR_CONTACT,		/* only of a REGISTER and its responses */
	HDR_EXPIRES		/* the same */
};

static const struct {
	const char	*name;
	size_t		 len;
	enum hdr_kind	 kind;
} sip_known[] = {
#define H(n, k)	{ n, sizeof n - 1, k }
	H("via", HDR_VIA), H("v", HDR_VIA),
	H("from", HDR_FROM), H("f", HDR_FROM),
	H("to", HDR_TO), H("t", HDR_TO),
	H("call-id", HDR_CALL_ID), H("i", HDR_CALL_ID),
	H("cseq", HDR_CSEQ),
	H("content-type", HDR_CTYPE), H("c", HDR_CTYPE),
	H("content-length", HDR_CLEN), H("l", HDR_CLEN),
	H("p-asserted-identity", HDR_KEEP),
	H("refer-to", HDR_KEEP), H("r", HDR_KEEP),
	H("replaces", HDR_KEEP), H("reason", HDR_KEEP),
	H("privacy", HDR_KEEP),
	H("event", HDR_EVENT), H("o", HDR_EVENT),
	H("contact", HDR_CONTACT), H("m", HDR_CONTACT),
	H("expires", HDR_EXPIRES),
#undef H
};

/* The kind of header name s[0..n), or -1: one compare at most. */
static int
hdr_kind_of(const char *s, size_t n)
{
	size_t	k;
	int	c;

	if (n == 0)
		return (-1);
	c = *s | 0x20;
	for (k = 0; k < sizeof sip_known / sizeof sip_known[0]; k++)
		if (sip_known[k].len == n && sip_known[k].name[0] == c &&
		    strncasecmp(s, sip_known[k].name, n) == 0)
			return ((int)sip_known[k].kind);
	return (-1);
}

/*
 * Header names libosip2 parses into fields of its own (osip_message_t): a
 * correlation header of one of these names is never found by name in the
 * whole parse, so the fast parse, which would find it, stays off.
 */
static const char *const osip_known[] = {
	"accept", "accept-encoding", "accept-language", "alert-info", "allow",
	"authentication-info", "authorization", "c", "call-id", "call-info",
	"contact", "content-encoding", "content-length", "content-type",
	"cseq", "e", "error-info", "f", "from", "i", "k", "l", "m",
	"mime-version", "proxy-authenticate", "proxy-authentication-info",
	"proxy-authorization", "record-route", "route", "s", "subject",
	"supported", "t", "to", "v", "via", "www-authenticate",
};

static void
sipmsg_fast_check(struct sip_parser *sp)
{
	size_t	i, k;

	sp->fast = sp->fast_wanted;
	for (i = 0; i < sp->ncorr; i++)
		for (k = 0; k < sizeof osip_known / sizeof osip_known[0]; k++)
			if (strcasecmp(sp->corr[i], osip_known[k]) == 0)
				sp->fast = false;
}

void
sipmsg_set_headers(struct sip_parser *sp, char *const *names, size_t n)
{
	size_t	i;

	if (n > SIP_MAX_CORR)
		n = SIP_MAX_CORR;
	for (i = 0; i < n; i++)
		snprintf(sp->corr[i], sizeof sp->corr[i], "%s", names[i]);
	sp->ncorr = n;
	sipmsg_fast_check(sp);
}

void
sipmsg_set_fast(struct sip_parser *sp, bool on)
{
	sp->fast_wanted = on;
	sipmsg_fast_check(sp);
}

static enum sip_method
sipmsg_method(const char *name)
{
	size_t	i;

	if (name == NULL)
		return (SIP_METHOD_OTHER);
	for (i = 0; i < sizeof sip_methods / sizeof sip_methods[0]; i++)
		if (strcmp(name, sip_methods[i].name) == 0)
			return (sip_methods[i].method);
	return (SIP_METHOD_OTHER);
}

/* Copy at most size - 1 bytes of src (may be NULL) and terminate. */
static void
copy(char *dst, size_t size, const char *src)
{
	size_t	n;

	if (src == NULL) {
		*dst = '\0';
		return;
	}
	n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static const char *
sipmsg_header(const osip_message_t *m, const char *name)
{
	osip_header_t	*h = NULL;

	if (osip_message_header_get_byname(m, name, 0, &h) < 0 || h == NULL)
		return (NULL);
	return (h->hvalue);
}

/* Is s[0..n) equal to name, ignoring case? */
static int
token_is(const char *s, size_t n, const char *name)
{
	return (strlen(name) == n && strncasecmp(s, name, n) == 0);
}

/* The value of the first header called name (any case), or NULL. */
static const char *
parts_header(const struct sip_parts *pp, const char *name)
{
	if (pp->m != NULL)
		return (sipmsg_header(pp->m, name));
	return (sipfast_header(pp->sc, name));
}

static void
parts_of_message(osip_message_t *m, struct sip_parts *pp)
{
	osip_body_t	*body = NULL;

	memset(pp, 0, sizeof *pp);
	pp->m = m;
	pp->is_request = MSG_IS_REQUEST(m);
	pp->method = m->sip_method;
	pp->status = m->status_code;
	pp->call_id = m->call_id;
	pp->cseq = m->cseq;
	pp->from = m->from;
	pp->to = m->to;
	pp->req_uri = m->req_uri;
	if (osip_message_get_via(m, 0, &pp->via) < 0)
		pp->via = NULL;
	pp->ctype = m->content_type;
	if (osip_message_get_body(m, 0, &body) >= 0 && body != NULL &&
	    body->body != NULL) {
		pp->body = body->body;
		pp->body_len = body->length;
	}
}

/*
 * The user of a URI: the user part of a SIP URI, or the number of a tel
 * URI (RFC 3966; RFC 3325 9.1 allows one in P-Asserted-Identity), which
 * libosip2 keeps whole in url->string.
 */
static void
sipmsg_url_user(char *dst, size_t size, const osip_uri_t *u)
{
	size_t	n;

	*dst = '\0';
	if (u == NULL)
		return;
	if (u->username != NULL) {
		copy(dst, size, u->username);
		return;
	}
	if (u->scheme == NULL || strcasecmp(u->scheme, "tel") != 0 ||
	    u->string == NULL)
		return;
	n = strcspn(u->string, ";");
	if (n > size - 1)
		n = size - 1;
	memcpy(dst, u->string, n);
	dst[n] = '\0';
}

/* The user part of a name-addr header value (P-Asserted-Identity). */
static void
sipmsg_user_of(char *dst, size_t size, const char *value)
{
	osip_from_t	*f;

	*dst = '\0';
	if (value == NULL || osip_from_init(&f) != 0)
		return;
	if (osip_from_parse(f, value) == 0)
		sipmsg_url_user(dst, size, f->url);
	osip_from_free(f);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/*
 * The Call-ID of a Replaces header (RFC 3891 6.1) or of the escaped
 * ?Replaces= parameter of a Refer-To URI: up to the first ';'.
 */
static void
sipmsg_replaces(char *dst, size_t size, const char *v, int escaped)
{
	size_t	n = 0;
	int	hi, lo;

	while (*v != '\0' && *v != ';' && *v != '&' && *v != '>' &&
	    n + 1 < size) {
		if (escaped && v[0] == '%' && (hi = hexval(v[1])) >= 0 &&
		    (lo = hexval(v[2])) >= 0) {
			if (hi * 16 + lo == ';')
				break;
			dst[n++] = (char)(hi * 16 + lo);
			v += 3;
			continue;
		}
		dst[n++] = *v++;
	}
	dst[n] = '\0';
}

static void
sipmsg_refer(struct sip_msg *sm, const struct sip_parts *pp)
{
	const char	*v, *r;

	if ((v = parts_header(pp, "refer-to")) == NULL)
		v = parts_header(pp, "r");
	copy(sm->refer_to, sizeof sm->refer_to, v);
	if (v != NULL && (r = strcasestr(v, "replaces=")) != NULL)
		sipmsg_replaces(sm->replaces_call_id,
		    sizeof sm->replaces_call_id, r + strlen("replaces="), 1);
	else if ((v = parts_header(pp, "replaces")) != NULL)
		sipmsg_replaces(sm->replaces_call_id,
		    sizeof sm->replaces_call_id, v, 0);
}

static void
sipmsg_body(struct sip_msg *sm, const struct sip_parts *pp)
{
	osip_content_type_t *ct = pp->ctype;

	sm->has_sdp = false;
	sm->sdp_dir = SDP_DIR_NONE;
	sm->sdp_c_zero = false;
	if (ct == NULL || ct->type == NULL || ct->subtype == NULL ||
	    strcasecmp(ct->type, "application") != 0 ||
	    strcasecmp(ct->subtype, "sdp") != 0 || pp->body == NULL)
		return;
	sm->has_sdp = true;
	sdp_parse(pp->body, pp->body_len, &sm->sdp_dir,
	    &sm->sdp_c_zero);
}

/*
 * Does a Privacy header value ask for the identity to be withheld? RFC
 * 3323 4.2 (priv-value *(";" priv-value)) with RFC 3325 9.3's "id".
 */
static bool
privacy_asks_id(const char *v)
{
	size_t	n;

	if (v == NULL)
		return (false);
	for (;;) {
		while (*v == ' ' || *v == '\t' || *v == ';')
			v++;
		if (*v == '\0')
			return (false);
		n = strcspn(v, " \t;,");
		if (n == 2 && strncasecmp(v, "id", 2) == 0)
			return (true);
		v += n;
		if (*v == ',')
			v++;
	}
}

/* Lower-case copy of a host, as a binding key compares it. */
static void
copy_host(char *dst, size_t size, const char *src)
{
	size_t	i;

	copy(dst, size, src);
	for (i = 0; dst[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)dst[i]);
}

/* A port or delta-seconds value: digits only, else -1; capped. */
static long
digits_value(const char *v, long max)
{
	long	x = 0;

	if (v == NULL || *v < '0' || *v > '9')
		return (-1);
	for (; *v >= '0' && *v <= '9'; v++)
		if ((x = x * 10 + (*v - '0')) > max)
			x = max;
	while (*v == ' ' || *v == '\t')
		v++;
	return (*v == '\0' ? x : -1);
}

/* One Contact of a REGISTER into sm (RFC 3261 10.2.1, 10.3 step 8). */
static void
sipmsg_contact(struct sip_msg *sm, const osip_contact_t *c)
{
	struct sip_contact	*sc;
	osip_generic_param_t	*e = NULL;
	long			 port;

	if (c->url == NULL) {
		/* libosip2 keeps "*" as the display name, without a URI. */
		if (c->displayname != NULL && strcmp(c->displayname, "*") == 0)
			sm->contact_star = true;
		return;
	}
	if (sm->ncontacts == SIP_MAX_CONTACTS || c->url->host == NULL)
		return;
	sc = &sm->contacts[sm->ncontacts++];
	copy_host(sc->host, sizeof sc->host, c->url->host);
	port = digits_value(c->url->port, 65535);
	sc->port = port > 0 ? (uint16_t)port : 0;
	osip_contact_param_get_byname((osip_contact_t *)c, "expires", &e);
	sc->expires = e != NULL ? (int)digits_value(e->gvalue, INT_MAX) : -1;
}

/* The Contacts of one header value: a list split at commas outside
   quotes and angle brackets (RFC 3261 20.10). */
static void
sipmsg_contact_value(struct sip_msg *sm, const struct sipfast_val *v)
{
	osip_contact_t	*c;
	const char	*p = v->p, *end = v->p + v->n, *start;
	char		*text;
	int		 quoted = 0, angle = 0;

	for (start = p; p <= end; p++) {
		if (p < end && *p == '"' && (p == v->p || p[-1] != '\\'))
			quoted = !quoted;
		else if (p < end && !quoted && *p == '<')
			angle = 1;
		else if (p < end && !quoted && *p == '>')
			angle = 0;
		if (p < end && (quoted || angle || *p != ','))
			continue;
		while (start < p && (*start == ' ' || *start == '\t'))
			start++;
		if (p > start) {
			text = osiparena_alloc((size_t)(p - start) + 1);
			memcpy(text, start, (size_t)(p - start));
			text[p - start] = '\0';
			if (osip_contact_init(&c) == 0 &&
			    osip_contact_parse(c, text) == 0)
				sipmsg_contact(sm, c);
		}
		start = p + 1;
	}
}

static void
sipmsg_register(struct sip_msg *sm, const struct sip_parts *pp)
{
	osip_contact_t	*c;
	size_t		 i;
	int		 pos;

	sm->expires = -1;
	sm->contact_star = false;
	sm->ncontacts = 0;
	if (sm->method != SIP_REGISTER)
		return;
	if (pp->m != NULL) {
		for (pos = 0; osip_message_get_contact(pp->m, pos, &c) >= 0 &&
		    c != NULL; pos++)
			sipmsg_contact(sm, c);
		sm->expires = (int)digits_value(sipmsg_header(pp->m,
		    "expires"), INT_MAX);
		return;
	}
	for (i = 0; i < pp->sc->ncontact; i++)
		sipmsg_contact_value(sm, &pp->sc->contact[i]);
	if (pp->sc->expires.p != NULL) {
		char	*e = osiparena_alloc(pp->sc->expires.n + 1);

		memcpy(e, pp->sc->expires.p, pp->sc->expires.n);
		e[pp->sc->expires.n] = '\0';
		sm->expires = (int)digits_value(e, INT_MAX);
	}
}

/* A decimal digit, whatever the locale. */
static bool
is_digit(char c)
{
	return (c >= '0' && c <= '9');
}

/*
 * The status code of a message/sipfrag body (RFC 3420) whose first line
 * is a status line, as a refer NOTIFY carries (RFC 3515 2.4.5): only the
 * first SIPFRAG_STATUS_LEN + 1 bytes are read. 0: none, or malformed.
 */
static int
sipfrag_status(const char *b, size_t n)
{
	if (b == NULL || n < SIPFRAG_STATUS_LEN ||
	    strncasecmp(b, "SIP/2.0 ", 8) != 0 || b[8] < '1' || b[8] > '6' ||
	    !is_digit(b[9]) || !is_digit(b[10]))
		return (0);
	/* RFC 3261 7.2: the code, then SP and a reason phrase, or the end. */
	if (n > SIPFRAG_STATUS_LEN && b[11] != ' ' && b[11] != '\r' &&
	    b[11] != '\n')
		return (0);
	return ((b[8] - '0') * 100 + (b[9] - '0') * 10 + (b[10] - '0'));
}

/* Is the Content-Type value v[0..n) message/sipfrag (any parameters)? */
static bool
ctype_is_sipfrag(const char *v, size_t n)
{
	static const char	 mt[] = "message/sipfrag";
	size_t			 len = sizeof mt - 1;

	if (v == NULL || n < len || strncasecmp(v, mt, len) != 0)
		return (false);
	return (n == len || v[len] == ';' || v[len] == ' ' || v[len] == '\t');
}

/*
 * The id parameter of an Event header value v[0..n) of the refer package
 * (RFC 3515 2.4.6: the CSeq of the REFER the NOTIFY reports on), or -1.
 */
static int64_t
event_refer_id(const char *v, size_t n)
{
	size_t	i, k;
	int64_t	id;

	i = sipscan_token_len(v, n);
	for (;;) {
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i == n || v[i] != ';')
			return (-1);
		for (i++; i < n && (v[i] == ' ' || v[i] == '\t'); i++)
			;
		k = i;
		while (i < n && v[i] != '=' && v[i] != ';' && v[i] != ' ' &&
		    v[i] != '\t')
			i++;
		if (i - k != 2 || strncasecmp(v + k, "id", 2) != 0) {
			/* Another parameter: on to the next. */
			while (i < n && v[i] != ';')
				i++;
			continue;
		}
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i == n || v[i] != '=')
			return (-1);
		for (i++; i < n && (v[i] == ' ' || v[i] == '\t'); i++)
			;
		if (i == n || !is_digit(v[i]))
			return (-1);
		/* CSeq numbers are below 2**31 (RFC 3261 8.1.1.5). */
		for (id = 0; i < n && is_digit(v[i]); i++)
			if ((id = id * 10 + (v[i] - '0')) > UINT32_MAX)
				return (-1);
		return (id);
	}
}

/*
 * A refer NOTIFY that went whole to libosip2: its Event header, its
 * Content-Type and its body, as libosip2 found them.
 */
static void
sipmsg_refer_notify(const struct sip_parts *pp, int *status, int64_t *id)
{
	const osip_content_type_t	*ct = pp->ctype;
	const char			*ev;

	*status = 0;
	*id = -1;
	if ((ev = sipmsg_header(pp->m, "event")) == NULL &&
	    (ev = sipmsg_header(pp->m, "o")) == NULL)
		return;
	if (!token_is(ev, sipscan_token_len(ev, strlen(ev)), "refer"))
		return;
	*id = event_refer_id(ev, strlen(ev));
	if (ct != NULL && ct->type != NULL && ct->subtype != NULL &&
	    strcasecmp(ct->type, "message") == 0 &&
	    strcasecmp(ct->subtype, "sipfrag") == 0)
		*status = sipfrag_status(pp->body, pp->body_len);
}

static int
sipmsg_extract(struct sip_parser *sp, const struct sip_parts *pp,
    struct sip_msg *sm)
{
	osip_generic_param_t	*tag;
	size_t			 i, n;

	if (pp->call_id == NULL || pp->call_id->number == NULL ||
	    pp->cseq == NULL || pp->cseq->number == NULL ||
	    pp->cseq->method == NULL || (pp->from == NULL &&
	    pp->party[0] == NULL) || (pp->to == NULL && pp->party[1] == NULL))
		return (-1);
	sm->is_request = pp->is_request;
	sm->status = pp->status;
	sm->method = sipmsg_method(sm->is_request ? pp->method :
	    pp->cseq->method);
	sm->cseq = (uint32_t)strtoul(pp->cseq->number, NULL, 10);
	copy(sm->call_id, sizeof sm->call_id, pp->call_id->number);
	if (pp->call_id->host != NULL) {
		/* number@host, cut to the buffer as snprintf would. */
		n = strlen(sm->call_id);
		if (n + 1 < sizeof sm->call_id) {
			sm->call_id[n] = '@';
			copy(sm->call_id + n + 1, sizeof sm->call_id - n - 1,
			    pp->call_id->host);
		}
	}
	if (pp->party[0] != NULL) {
		copy(sm->from_user, sizeof sm->from_user, pp->party[0]->user);
		copy(sm->from_tag, sizeof sm->from_tag, pp->party[0]->tag);
	} else {
		sipmsg_url_user(sm->from_user, sizeof sm->from_user,
		    pp->from->url);
		tag = NULL;
		osip_from_get_tag(pp->from, &tag);
		copy(sm->from_tag, sizeof sm->from_tag, tag ? tag->gvalue :
		    NULL);
	}
	if (pp->party[1] != NULL) {
		copy(sm->to_user, sizeof sm->to_user, pp->party[1]->user);
		copy(sm->to_tag, sizeof sm->to_tag, pp->party[1]->tag);
	} else {
		sipmsg_url_user(sm->to_user, sizeof sm->to_user, pp->to->url);
		tag = NULL;
		osip_to_get_tag(pp->to, &tag);
		copy(sm->to_tag, sizeof sm->to_tag, tag ? tag->gvalue : NULL);
	}
	sipmsg_url_user(sm->ruri_user, sizeof sm->ruri_user,
	    sm->is_request ? pp->req_uri : NULL);
	if (sm->is_request && pp->req_uri != NULL) {
		long	port = digits_value(pp->req_uri->port, 65535);

		copy_host(sm->ruri_host, sizeof sm->ruri_host,
		    pp->req_uri->host);
		sm->ruri_port = port > 0 ? (uint16_t)port : 0;
	} else {
		sm->ruri_host[0] = '\0';
		sm->ruri_port = 0;
	}
	sipmsg_user_of(sm->pai_user, sizeof sm->pai_user,
	    parts_header(pp, "p-asserted-identity"));
	/* Only the INVITE forming a leg says who the caller is. */
	sm->privacy_id = sm->is_request && sm->method == SIP_INVITE &&
	    privacy_asks_id(parts_header(pp, "privacy"));
	tag = NULL;
	if (pp->via_hit != NULL)
		copy(sm->branch, sizeof sm->branch, pp->via_hit->tag);
	else {
		if (pp->via != NULL)
			osip_via_param_get_byname(pp->via, "branch", &tag);
		copy(sm->branch, sizeof sm->branch, tag ? tag->gvalue : NULL);
	}
	for (i = 0; i < SIP_MAX_CORR; i++)
		copy(sm->corr[i], sizeof sm->corr[i], i < sp->ncorr ?
		    parts_header(pp, sp->corr[i]) : NULL);
	sm->refer_to[0] = sm->replaces_call_id[0] = '\0';
	if (sm->method == SIP_REFER || sm->method == SIP_INVITE)
		sipmsg_refer(sm, pp);
	copy(sm->reason, sizeof sm->reason, parts_header(pp, "reason"));
	sipmsg_body(sm, pp);
	sipmsg_register(sm, pp);
	sm->refer_frag_status = 0;
	sm->refer_event_id = -1;
	return (0);
}


static void
plan_grow(struct reduce_plan *pl)
{
	pl->keep_cap = pl->keep_cap == 0 ? 32 : pl->keep_cap * 2;
	pl->keep = xreallocarray(pl->keep, pl->keep_cap, sizeof *pl->keep);
}

/* Add p[0..n) to the spans kept, joining it to the last when adjacent. */
static inline void
plan_keep(struct reduce_plan *pl, const char *p, size_t n)
{
	struct span	*last;

	if (pl->nkeep > 0) {
		last = &pl->keep[pl->nkeep - 1];
		if (last->p + last->n == p) {
			last->n += n;
			return;
		}
	}
	if (pl->nkeep == pl->keep_cap)
		plan_grow(pl);
	pl->keep[pl->nkeep].p = p;
	pl->keep[pl->nkeep++].n = n;
}

/* v minus trailing blanks. */
static struct sipfast_val
fast_trim(const char *v, size_t n)
{
	struct sipfast_val	r;

	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	r.p = v;
	r.n = n;
	return (r);
}

enum reduce_result {
	REDUCE_WHOLE,		/* hand libosip2 the message as it is */
	REDUCE_DONE,		/* sp->scan and sp->plan are set */
	REDUCE_UNTRACKED	/* an untracked method: drop it */
};

/*
 * The classify step: one pass over the header lines, no allocation (but
 * for the span list's growth to the longest message yet). Responses whose CSeq method is untracked and NOTIFYs of
 * another event package than refer (RFC 3515 3) are dropped. Otherwise
 * sp->scan gets the values the header-by-header parse reads, and sp->plan
 * what libosip2 would parse instead: the start line, the header lines
 * sipmsg_extract reads (the top Via line only) and the empty line, byte
 * for byte, and the body only where a leg reads its SDP: INVITE and UPDATE
 * requests in a dialog (offers, RFC 3264). libosip2 then parses every
 * field we use and spends nothing on Contact, Allow, Record-Route, bodies
 * and the like. A line without a colon is kept, so a malformed message
 * still fails the parse; anything else unusual (NUL bytes, no end of the
 * headers, a Content-Length twice or not a number) goes whole.
 */
static enum reduce_result
sipmsg_classify(struct sip_parser *sp, const char *p, size_t len)
{
	const char		*end = p + len, *q, *next, *eol, *v, *t, *m;
	struct sipfast_scan	*sc = &sp->scan;
	struct reduce_plan	*pl = &sp->plan;
	struct sipscan_header	 h;
	size_t			 vlen, k, mlen;
	int			 response, notify, offer, keep, kind, r;
	int			 via_seen = 0, to_tag = 0, multipart = 0;
	int			 refer_event = 0;
	long			 clen = -1;	/* Content-Length, -1 absent */

	if (memchr(p, '\0', len) != NULL)
		return (REDUCE_WHOLE);
	response = len >= 8 && memcmp(p, "SIP/2.0 ", 8) == 0;
	notify = len >= 7 && memcmp(p, "NOTIFY ", 7) == 0;
	offer = (len >= 7 && memcmp(p, "INVITE ", 7) == 0) ||
	    (len >= 7 && memcmp(p, "UPDATE ", 7) == 0);
	sc->is_register = len >= 9 && memcmp(p, "REGISTER ", 9) == 0;
	if ((next = sipscan_line_end(p, end, &eol)) == NULL)
		return (REDUCE_WHOLE);
	memset(sc, 0, offsetof(struct sipfast_scan, other));
	sc->nother = 0;
	sc->ncontact = 0;
	sc->expires.p = NULL;
	pl->nreg = 0;
	sc->ok = sp->fast && osiparena_installed();
	sp->frag_status = 0;
	sp->frag_id = -1;
	sc->start.p = p;
	sc->start.n = (size_t)(eol - p);
	pl->nkeep = pl->ncontent = 0;
	plan_keep(pl, p, (size_t)(next - p));
	for (q = next; (r = sipscan_header(q, end, &h)) == 1; q = h.next) {
		if (!h.colon) {
			/* libosip2 will refuse it. */
			sc->ok = false;
			plan_keep(pl, q, (size_t)(h.next - q));
			continue;
		}
		kind = hdr_kind_of(q, h.nlen);
		keep = kind == HDR_KEEP || kind == HDR_FROM ||
		    kind == HDR_CALL_ID || kind == HDR_TO || kind == HDR_CSEQ;
		v = h.value;
		vlen = h.vlen;
		switch (kind) {
		case HDR_FROM:
			sc->from = fast_trim(v, vlen);
			sc->nfrom++;
			break;
		case HDR_CALL_ID:
			sc->call_id = fast_trim(v, vlen);
			sc->ncall_id++;
			break;
		case HDR_TO:
			sc->to = fast_trim(v, vlen);
			sc->nto++;
			/* Any ";tag" at all: the body stays (safe side). */
			for (t = v; !to_tag && (t = memchr(t, ';',
			    (size_t)(v + vlen - t))) != NULL; ) {
				t++;
				to_tag = v + vlen - t >= 3 &&
				    strncasecmp(t, "tag", 3) == 0;
			}
			break;
		case HDR_VIA:
			keep = !via_seen;
			if (!via_seen) {
				sc->via = fast_trim(v, vlen);
				/* A list or quotes: libosip2 splits it. */
				if (memchr(v, ',', vlen) != NULL ||
				    memchr(v, '"', vlen) != NULL)
					sc->ok = false;
			}
			via_seen = 1;
			break;
		case HDR_CSEQ:
			sc->cseq = fast_trim(v, vlen);
			sc->ncseq++;
			if (response) {
				m = sipscan_cseq_method(v, vlen, &mlen);
				if (sipscan_untracked_cseq(m, mlen))
					return (REDUCE_UNTRACKED);
				sc->is_register = mlen == 8 &&
				    memcmp(m, "REGISTER", 8) == 0;
			}
			break;
		case HDR_CONTACT:
		case HDR_EXPIRES:
			/* Set aside: kept if this is a REGISTER's. */
			if (pl->nreg == SIP_MAX_CONTACTS + 1)
				return (REDUCE_WHOLE);
			pl->reg[pl->nreg].p = q;
			pl->reg[pl->nreg++].n = (size_t)(h.next - q);
			if (h.folded)
				sc->ok = false;
			if (kind == HDR_EXPIRES) {
				if (sc->expires.p != NULL)
					sc->ok = false;
				sc->expires = fast_trim(v, vlen);
			} else if (sc->ncontact < SIP_MAX_CONTACTS)
				sc->contact[sc->ncontact++] =
				    fast_trim(v, vlen);
			break;
		case HDR_EVENT:
			if (!notify)
				break;
			if (!token_is(v, sipscan_token_len(v, vlen), "refer"))
				return (REDUCE_UNTRACKED);
			if (!refer_event)
				sp->frag_id = event_refer_id(v, vlen);
			refer_event = 1;
			break;
		case HDR_CTYPE:
		case HDR_CLEN:
			/* Kept aside: they go only with the body. */
			if (pl->ncontent == REDUCE_CONTENT_MAX)
				return (REDUCE_WHOLE);
			pl->content[pl->ncontent].p = q;
			pl->content[pl->ncontent++].n = (size_t)(h.next - q);
			if (kind == HDR_CLEN) {
				if (clen != -1 || (clen =
				    sipscan_content_length(v, vlen)) < 0)
					return (REDUCE_WHOLE);
			} else {
				if (sc->ctype.p != NULL)
					sc->ok = false;
				sc->ctype = fast_trim(v, vlen);
				if (vlen >= 9 &&
				    strncasecmp(v, "multipart", 9) == 0)
					multipart = 1;
			}
			break;
		default:
			for (k = 0; !keep && k < sp->ncorr; k++)
				keep = token_is(q, h.nlen, sp->corr[k]);
			break;
		}
		if (keep && kind != HDR_FROM && kind != HDR_CALL_ID &&
		    kind != HDR_TO && kind != HDR_CSEQ) {
			/* Read by name: PAI, Refer-To, a correlation header. */
			if (sc->nother == SIPFAST_OTHER_MAX)
				sc->ok = false;
			else {
				sc->other[sc->nother].name = q;
				sc->other[sc->nother].nlen = h.nlen;
				sc->other[sc->nother++].v = fast_trim(v, vlen);
			}
		}
		if (h.folded && (keep || kind == HDR_CTYPE || kind == HDR_CLEN))
			sc->ok = false;
		if (keep)
			plan_keep(pl, q, (size_t)(h.next - q));
	}
	if (r < 0)
		return (REDUCE_WHOLE);		/* no empty line */
	if (sc->is_register)
		for (k = 0; k < pl->nreg; k++)
			plan_keep(pl, pl->reg[k].p, pl->reg[k].n);
	/*
	 * The body only for an offer a leg reads: a re-INVITE or UPDATE
	 * (RFC 3264 8); an initial INVITE's SDP is nobody's concern. A
	 * multipart body, which libosip2 splits itself, stays too.
	 */
	next = h.next;
	pl->crlf_crlf = q - p >= 2 && end - q >= 2 && memcmp(q - 2,
	    "\r\n\r\n", 4) == 0;
	pl->with_body = (offer && to_tag) || multipart;
	if (pl->with_body) {
		pl->rest.p = q;
		pl->rest.n = (size_t)(end - q);
		/* The fast parse takes a body of exactly Content-Length. */
		sc->body.p = next;
		sc->body.n = (size_t)(end - next);
		if (multipart || (clen != -1 && clen != (long)sc->body.n))
			sc->ok = false;
	} else {
		/*
		 * Without the body libosip2 cannot see a truncated one
		 * (RFC 3261 18.3): such a message, or any length it would
		 * judge, goes whole.
		 */
		if (clen != -1 && next != NULL && clen != (long)(end - next))
			return (REDUCE_WHOLE);
	}
	/* A refer NOTIFY's report: the first line of its sipfrag. */
	if (refer_event && next != NULL && ctype_is_sipfrag(sc->ctype.p,
	    sc->ctype.n))
		sp->frag_status = sipfrag_status(next, (size_t)(end - next));
	/* Each once and not empty, as the fast parse needs them. */
	if (sc->nfrom != 1 || sc->nto != 1 || sc->ncall_id != 1 ||
	    sc->ncseq != 1 || sc->from.n == 0 || sc->to.n == 0 ||
	    sc->call_id.n == 0 || sc->cseq.n == 0 ||
	    (sc->via.p != NULL && sc->via.n == 0))
		sc->ok = false;
	for (k = 0; k < sc->nother; k++)
		if (sc->other[k].v.n == 0)
			sc->ok = false;
	return (REDUCE_DONE);
}

/*
 * The copy step: what sipmsg_classify chose, written out for libosip2 as
 * one text in sp->reduced (never longer than the payload plus a CRLF).
 * Returns its length.
 */
static size_t
sipmsg_copy(struct sip_parser *sp, size_t len)
{
	const struct reduce_plan	*pl = &sp->plan;
	char				*out;
	size_t				 k;

	if (sp->reduced_cap < len + 2) {
		free(sp->reduced);
		sp->reduced_cap = len < 4096 ? 4096 : len + 2;
		sp->reduced = xmalloc(sp->reduced_cap);
	}
	out = sp->reduced;
	for (k = 0; k < pl->nkeep; k++) {
		memcpy(out, pl->keep[k].p, pl->keep[k].n);
		out += pl->keep[k].n;
	}
	if (pl->with_body) {
		for (k = 0; k < pl->ncontent; k++) {
			memcpy(out, pl->content[k].p, pl->content[k].n);
			out += pl->content[k].n;
		}
		memcpy(out, pl->rest.p, pl->rest.n);
		out += pl->rest.n;
	} else {
		memcpy(out, "\r\n", 2);
		out += 2;
	}
	return ((size_t)(out - sp->reduced));
}

void
sipmsg_input(struct sip_parser *sp, const struct payload *pl)
{
	osip_message_t	*m;
	struct sip_parts parts;
	struct sip_msg	*sm = &sp->msg;
	const uint8_t	*p = pl->data;
	size_t		 len = pl->len;
	enum reduce_result r;

	/* RFC 5626 CRLF keep-alives; some phones send spaces or NULs. */
	while (len > 0 && (*p == '\r' || *p == '\n' || *p == ' ' ||
	    *p == '\t' || *p == '\0')) {
		p++;
		len--;
	}
	if (len == 0) {
		sp->st.keepalives++;
		return;
	}
	if (sipscan_untracked_request((const char *)p, len)) {
		sp->st.ignored_methods++;
		return;
	}
	r = sipmsg_classify(sp, (const char *)p, len);
	/*
	 * RFC 3261 7: the headers end with an empty line. libosip2 takes
	 * a message cut after any header line for a whole one (and one cut
	 * before Content-Length for one without a body). The classify step
	 * has no side effect, so it may go first: a message it saw end its
	 * headers with CRLF CRLF needs no search for one.
	 */
	if (!(r == REDUCE_DONE && sp->plan.crlf_crlf) &&
	    memmem(p, len, "\r\n\r\n", 4) == NULL) {
		sp->st.parse_errors++;
		return;
	}
	switch (r) {
	case REDUCE_UNTRACKED:
		sp->st.ignored_methods++;
		return;
	case REDUCE_DONE:
		if (sp->scan.ok) {
			osiparena_begin();
			if (sipfast_parse(sp->fastp, &sp->scan, &parts) == 0 &&
			    sipmsg_extract(sp, &parts, sm) == 0) {
				sipfast_remember(sp->fastp, &sp->scan, &parts,
				    sm);
				osiparena_end();
				goto parsed;
			}
			/* Whatever it found odd, the whole parse judges. */
			osiparena_end();
		}
		len = sipmsg_copy(sp, len);
		p = (const uint8_t *)sp->reduced;
		break;
	case REDUCE_WHOLE:
		break;
	}
	osiparena_begin();
	if (osip_message_init(&m) != 0) {
		osiparena_end();
		return;
	}
	/*
	 * libosip2 reads the status code with atoi(): "2x9" is 2, "999"
	 * passes. RFC 3261 7.2 and 21 allow 1xx-6xx only; any other code
	 * would pass for a final response and end a leg. (The fast parse
	 * takes three digits 1xx to 6xx only.)
	 */
	if (osip_message_parse(m, (const char *)p, len) != 0 ||
	    (!MSG_IS_REQUEST(m) && (m->status_code < SIP_STATUS_MIN ||
	    m->status_code > SIP_STATUS_MAX))) {
		sp->st.parse_errors++;
		sipmsg_osip_free(m);
		osiparena_end();
		return;
	}
	parts_of_message(m, &parts);
	if (sipmsg_extract(sp, &parts, sm) == -1) {
		sp->st.missing_fields++;
		sipmsg_osip_free(m);
		osiparena_end();
		return;
	}
	if (r == REDUCE_WHOLE && sm->is_request && sm->method == SIP_NOTIFY)
		sipmsg_refer_notify(&parts, &sp->frag_status, &sp->frag_id);
	sipmsg_osip_free(m);
	osiparena_end();
parsed:
	if (sm->is_request && sm->method == SIP_NOTIFY) {
		sm->refer_frag_status = sp->frag_status;
		sm->refer_event_id = sp->frag_id;
	}
	sm->ts_us = pl->ts_us;
	sm->src = pl->src;
	sm->dst = pl->dst;
	sm->transport = pl->transport;
	sp->st.messages++;
	sp->sink(sm, sp->sink_arg);
}

const struct sip_stats *
sipmsg_get_stats(const struct sip_parser *sp)
{
	return (&sp->st);
}

void
sipmsg_free(struct sip_parser *sp)
{
	if (sp == NULL)
		return;
	free(sp->reduced);
	free(sp->plan.keep);
	sipfast_free(sp->fastp);
	free(sp);
}
