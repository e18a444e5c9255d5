/* SPDX-License-Identifier: BSD-2-Clause */
/* sipmsg.c: libosip2 parsing of one SIP message into a struct sip_msg. */
#include "config.h"

#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ccmetrics/osiparena.h"
#include "ccmetrics/sip.h"
#include "ccmetrics/xmalloc.h"

#define SIP_HEADER_NAME_MAX	64
#define SIP_STATUS_MIN		100	/* RFC 3261 21: classes 1xx to 6xx */
#define SIP_STATUS_MAX		699

/* A header value inside the payload: trimmed, not NUL-terminated. */
struct fast_val {
	const char	*p;
	size_t		 n;
};

#define FAST_OTHER_MAX	16

/*
 * What the pre-scan hands the header-by-header parse (sipmsg_fast): the
 * start line and the value of each header sipmsg_extract reads. ok is
 * cleared by anything that parse does not mirror exactly (folded lines, a
 * header twice, a Via list, a body whose length is not Content-Length...):
 * such a message goes to osip_message_parse as before.
 */
struct fast_scan {
	bool		 ok;
	struct fast_val	 start, from, to, call_id, cseq, via, ctype, body;
	int		 nfrom, nto, ncall_id, ncseq;
	struct {
		const char	*name;
		size_t		 nlen;
		struct fast_val	 v;
	}		 other[FAST_OTHER_MAX];
	size_t		 nother;
};

/*
 * From and To values repeat byte for byte through a dialog, and what
 * sipmsg_extract takes from them (the user and the tag) is a function of
 * those bytes alone: a small direct-mapped cache of it spares most of
 * libosip2's name-addr parses. The same for the top Via and its branch,
 * which a request and its responses share. Only for the header-by-header
 * parse.
 */
#define PARTY_SLOTS	2048		/* a power of two */

struct party {
	uint32_t	hash;
	uint16_t	len;		/* of raw; 0: empty slot */
	char		raw[SIP_VALUE_MAX];
	char		user[SIP_USER_MAX];
	char		tag[SIP_TAG_MAX];
};

struct sip_parser {
	char		 corr[SIP_MAX_CORR][SIP_HEADER_NAME_MAX];
	size_t		 ncorr;
	sip_sink	 sink;
	void		*sink_arg;
	struct sip_stats st;
	struct sip_msg	 msg;		/* reused: no allocation per message */
	char		*reduced;	/* what libosip2 parses (sipmsg_reduce) */
	size_t		 reduced_cap;
	bool		 fast;		/* the header-by-header parse may run */
	bool		 fast_wanted;	/* sipmsg_set_fast */
	struct fast_scan scan;		/* what sipmsg_reduce found for it */
	struct party	*parties;	/* PARTY_SLOTS */
	struct party	*vias;		/* PARTY_SLOTS: top Via -> branch */
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

/* Requests that never touch a call: dropped before the full parse. */
static const char *const sip_untracked[] = {
	"OPTIONS ", "REGISTER ", "SUBSCRIBE ", "PUBLISH ", "MESSAGE ",
	"INFO ",
};

/*
 * CSeq methods of responses dropped before the full parse: those of the
 * requests above, and NOTIFY (a response does not tell the event package;
 * the refer NOTIFY it answers was parsed, and leg.c acts on neither).
 */
static const char *const sip_untracked_cseq[] = {
	"OPTIONS", "REGISTER", "SUBSCRIBE", "PUBLISH", "MESSAGE", "INFO",
	"NOTIFY",
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
	sp->parties = xcalloc(PARTY_SLOTS, sizeof *sp->parties);
	sp->vias = xcalloc(PARTY_SLOTS, sizeof *sp->vias);
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
	HDR_CONTENT		/* Content-Type/-Length: only with the body */
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
	H("content-type", HDR_CONTENT), H("c", HDR_CONTENT),
	H("content-length", HDR_CONTENT), H("l", HDR_CONTENT),
	H("p-asserted-identity", HDR_KEEP),
	H("refer-to", HDR_KEEP), H("r", HDR_KEEP),
	H("replaces", HDR_KEEP), H("reason", HDR_KEEP),
	H("privacy", HDR_KEEP),
	H("event", HDR_EVENT), H("o", HDR_EVENT),
#undef H
};

#define REDUCE_CONTENT_MAX	4	/* Content-* lines kept aside */

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
	const struct fast_scan	*sc;
	/* From [0] and To [1]: a cache hit, or NULL (from, to parsed). */
	const struct party	*party[2];
	uint32_t		 party_hash[2];
	const struct party	*via_hit;	/* tag: the branch */
	uint32_t		 via_hash;
};

/* A NUL-terminated copy of v in the arena. */
static char *
fast_str(const char *p, size_t n)
{
	char	*s;

	s = osiparena_alloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	return (s);
}

/* The value of the first header called name (any case), or NULL. */
static const char *
parts_header(const struct sip_parts *pp, const char *name)
{
	const struct fast_scan	*sc = pp->sc;
	size_t			 i, n;

	if (pp->m != NULL)
		return (sipmsg_header(pp->m, name));
	n = strlen(name);
	for (i = 0; i < sc->nother; i++)
		if (sc->other[i].nlen == n &&
		    strncasecmp(sc->other[i].name, name, n) == 0)
			return (fast_str(sc->other[i].v.p, sc->other[i].v.n));
	return (NULL);
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

static uint32_t
party_hash(const char *p, size_t n)
{
	uint32_t	h = 2166136261u;	/* FNV-1a */

	while (n-- > 0) {
		h ^= (unsigned char)*p++;
		h *= 16777619u;
	}
	return (h);
}

static const struct party *
party_get(const struct party *table, const struct fast_val *v, uint32_t h)
{
	const struct party	*e = &table[h & (PARTY_SLOTS - 1)];

	if (e->len != 0 && e->hash == h && e->len == v->n &&
	    memcmp(e->raw, v->p, v->n) == 0)
		return (e);
	return (NULL);
}

static void
party_put(struct party *table, const struct fast_val *v, uint32_t h,
    const char *user, const char *tag)
{
	struct party	*e = &table[h & (PARTY_SLOTS - 1)];

	if (v->n == 0 || v->n >= sizeof e->raw)
		return;
	e->hash = h;
	e->len = (uint16_t)v->n;
	memcpy(e->raw, v->p, v->n);
	copy(e->user, sizeof e->user, user);
	copy(e->tag, sizeof e->tag, tag);
}

static int
fast_is_token(int c)
{
	return (isalnum(c) || strchr("-.!%*_+`'~", c) != NULL);
}

/*
 * The header-by-header parse: libosip2's own parsers on the start line's
 * Request-URI and the values of Call-ID, CSeq, From, To, the top Via and
 * Content-Type, as osip_message_parse would call them, without its copy,
 * line folding pass and header tables. Only for what the pre-scan found
 * plain (scan.ok); 0 when parsed, -1 to let osip_message_parse decide.
 */
static int
sipmsg_fast(struct sip_parser *sp, struct sip_parts *pp)
{
	const struct fast_scan	*sc = &sp->scan;
	const char		*s = sc->start.p, *e = s + sc->start.n;
	const char		*sp1, *sp2, *c;

	memset(pp, 0, sizeof *pp);
	pp->sc = sc;
	if (sc->start.n >= 12 && memcmp(s, "SIP/2.0 ", 8) == 0) {
		/* Status-Line (RFC 3261 7.2): three digits and a space. */
		if (!isdigit((unsigned char)s[8]) ||
		    !isdigit((unsigned char)s[9]) ||
		    !isdigit((unsigned char)s[10]) || s[11] != ' ' ||
		    s[8] < '1' || s[8] > '6')
			return (-1);
		pp->status = (s[8] - '0') * 100 + (s[9] - '0') * 10 +
		    (s[10] - '0');
	} else {
		/* Request-Line (RFC 3261 7.1): Method SP URI SP SIP/2.0. */
		if ((sp1 = memchr(s, ' ', sc->start.n)) == NULL || sp1 == s)
			return (-1);
		for (c = s; c < sp1; c++)
			if (!fast_is_token((unsigned char)*c))
				return (-1);
		sp2 = memchr(sp1 + 1, ' ', (size_t)(e - sp1 - 1));
		if (sp2 == NULL || sp2 == sp1 + 1 || e - sp2 - 1 != 7 ||
		    memcmp(sp2 + 1, "SIP/2.0", 7) != 0)
			return (-1);
		pp->is_request = true;
		pp->method = fast_str(s, (size_t)(sp1 - s));
		if (osip_uri_init(&pp->req_uri) != 0 ||
		    osip_uri_parse(pp->req_uri, fast_str(sp1 + 1,
		    (size_t)(sp2 - sp1 - 1))) != 0)
			return (-1);
	}
	if (osip_call_id_init(&pp->call_id) != 0 ||
	    osip_call_id_parse(pp->call_id, fast_str(sc->call_id.p,
	    sc->call_id.n)) != 0 ||
	    osip_cseq_init(&pp->cseq) != 0 ||
	    osip_cseq_parse(pp->cseq, fast_str(sc->cseq.p, sc->cseq.n)) != 0)
		return (-1);
	pp->party_hash[0] = party_hash(sc->from.p, sc->from.n);
	pp->party_hash[1] = party_hash(sc->to.p, sc->to.n);
	if ((pp->party[0] = party_get(sp->parties, &sc->from, pp->party_hash[0])) ==
	    NULL && (osip_from_init(&pp->from) != 0 ||
	    osip_from_parse(pp->from, fast_str(sc->from.p, sc->from.n)) != 0))
		return (-1);
	if ((pp->party[1] = party_get(sp->parties, &sc->to, pp->party_hash[1])) ==
	    NULL && (osip_to_init(&pp->to) != 0 ||
	    osip_to_parse(pp->to, fast_str(sc->to.p, sc->to.n)) != 0))
		return (-1);
	if (sc->via.p != NULL) {
		pp->via_hash = party_hash(sc->via.p, sc->via.n);
		if ((pp->via_hit = party_get(sp->vias, &sc->via,
		    pp->via_hash)) == NULL && (osip_via_init(&pp->via) != 0 ||
		    osip_via_parse(pp->via, fast_str(sc->via.p, sc->via.n)) != 0))
			return (-1);
	}
	if (sc->body.p != NULL && sc->body.n > 0) {
		if (sc->ctype.p != NULL && (osip_content_type_init(&pp->ctype)
		    != 0 || osip_content_type_parse(pp->ctype,
		    fast_str(sc->ctype.p, sc->ctype.n)) != 0))
			return (-1);
		pp->body = sc->body.p;
		pp->body_len = sc->body.n;
	}
	return (0);
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

static enum sdp_dir
sdp_attr_dir(const char *a, size_t len)
{
	static const struct {
		const char	*name;
		enum sdp_dir	 dir;
	} dirs[] = {
		{ "sendrecv", SDP_DIR_SENDRECV }, { "sendonly", SDP_DIR_SENDONLY },
		{ "recvonly", SDP_DIR_RECVONLY }, { "inactive", SDP_DIR_INACTIVE },
	};
	size_t	i;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (len == strlen(dirs[i].name) &&
		    strncmp(a, dirs[i].name, len) == 0)
			return (dirs[i].dir);
	return (SDP_DIR_NONE);
}

static int
sdp_c_is_zero(const char *c, size_t len)
{
	static const char	zero[] = "IN IP4 0.0.0.0";

	return (len >= sizeof zero - 1 && strncmp(c, zero, sizeof zero - 1)
	    == 0 && (len == sizeof zero - 1 || c[sizeof zero - 1] == '/'));
}

/*
 * RFC 4566 5: session-level a= and c= apply unless the first audio media
 * section sets its own (RFC 3264 5.1). Later media sections are ignored.
 */
void
sipmsg_parse_sdp(const char *body, size_t len, enum sdp_dir *dir,
    bool *c_zero)
{
	const char	*p = body, *end = body + len, *eol;
	enum sdp_dir	 sess_dir = SDP_DIR_NONE, media_dir = SDP_DIR_NONE, d;
	int		 sess_zero = 0, media_zero = -1, section = 0;
	size_t		 n;

	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		n = (size_t)(eol - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n < 2 || p[1] != '=')
			continue;
		if (p[0] == 'm') {
			/* Past the first audio section; skip others before it. */
			if (section == 1)
				break;
			section = n >= 7 && strncmp(p + 2, "audio", 5) == 0 ?
			    1 : 2;
			continue;
		}
		if (section == 2)
			continue;
		if (p[0] == 'a' && (d = sdp_attr_dir(p + 2, n - 2)) !=
		    SDP_DIR_NONE) {
			if (section == 0)
				sess_dir = d;
			else
				media_dir = d;
		} else if (p[0] == 'c') {
			if (section == 0)
				sess_zero = sdp_c_is_zero(p + 2, n - 2);
			else
				media_zero = sdp_c_is_zero(p + 2, n - 2);
		}
	}
	*dir = media_dir != SDP_DIR_NONE ? media_dir : sess_dir;
	*c_zero = media_zero != -1 ? media_zero : sess_zero;
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
	sipmsg_parse_sdp(pp->body, pp->body_len, &sm->sdp_dir,
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
	return (0);
}

/* Is s[0..n) equal to name, ignoring case? */
static int
token_is(const char *s, size_t n, const char *name)
{
	return (strlen(name) == n && strncasecmp(s, name, n) == 0);
}

/* The value of a header line "name: value" minus leading blanks. */
static void
header_value(const char *line, size_t n, size_t colon, const char **v,
    size_t *vlen)
{
	size_t	i = colon + 1;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	*v = line + i;
	*vlen = n - i;
}

/* The first token of v (up to a blank, ';', ',' or the end). */
static size_t
token_len(const char *v, size_t n)
{
	size_t	i = 0;

	while (i < n && v[i] != ' ' && v[i] != '\t' && v[i] != ';' &&
	    v[i] != ',' && v[i] != '\r' && v[i] != '\n')
		i++;
	return (i);
}

/* End of the line at p (past its CRLF, CR or LF), or NULL without one. */
static const char *
line_end(const char *p, const char *end, const char **eol)
{
	const char	*nl, *cr;

	/* Two vectorised scans beat one byte loop: LF, then a bare CR. */
	nl = memchr(p, '\n', (size_t)(end - p));
	cr = memchr(p, '\r', (size_t)((nl != NULL ? nl : end) - p));
	if (cr != NULL && cr + 1 != nl) {
		*eol = cr;
		return (cr + 1);
	}
	if (cr != NULL) {
		*eol = cr;
		return (nl + 1);
	}
	if (nl == NULL)
		return (NULL);
	*eol = nl;
	return (nl + 1);
}

enum reduce_result {
	REDUCE_WHOLE,		/* hand libosip2 the message as it is */
	REDUCE_DONE,		/* sp->reduced holds what to parse */
	REDUCE_UNTRACKED	/* an untracked method: drop it */
};

/*
 * One pass over the header lines, before any allocation: responses whose
 * CSeq method is untracked and NOTIFYs of another event package than refer
 * (RFC 3515 3) are dropped; otherwise sp->reduced gets the start line, the
 * header lines sipmsg_extract reads (the top Via line only) and the blank
 * line, byte for byte, and the body only where a leg reads its SDP: INVITE
 * and UPDATE requests in a dialog (offers, RFC 3264). libosip2 then parses
 * every field we use and spends nothing on Contact, Allow, Record-Route,
 * bodies and the like. A line without a colon is kept, so a malformed message still
 * fails the parse; anything else unusual (NUL bytes, no end of the
 * headers) goes whole.
 */
/* v minus trailing blanks. */
static struct fast_val
fast_trim(const char *v, size_t n)
{
	struct fast_val	r;

	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	r.p = v;
	r.n = n;
	return (r);
}

static enum reduce_result
sipmsg_reduce(struct sip_parser *sp, const char *p, size_t len,
    size_t *rlen)
{
	const char	*end = p + len, *q, *next, *eol, *v, *t;
	const char	*content[REDUCE_CONTENT_MAX][2];
	struct fast_scan *sc = &sp->scan;
	char		*out;
	size_t		 n, colon, vlen, i, k, ncontent = 0;
	int		 response, notify, offer, keep, kind, via_seen = 0;
	int		 to_tag = 0, multipart = 0, folded;
	long		 clen = -1;	/* Content-Length, -1 absent */

	if (memchr(p, '\0', len) != NULL)
		return (REDUCE_WHOLE);
	if (sp->reduced_cap < len + 2) {
		free(sp->reduced);
		sp->reduced_cap = len < 4096 ? 4096 : len + 2;
		sp->reduced = xmalloc(sp->reduced_cap);
	}
	out = sp->reduced;
	response = len >= 8 && memcmp(p, "SIP/2.0 ", 8) == 0;
	notify = len >= 7 && memcmp(p, "NOTIFY ", 7) == 0;
	offer = (len >= 7 && memcmp(p, "INVITE ", 7) == 0) ||
	    (len >= 7 && memcmp(p, "UPDATE ", 7) == 0);
	if ((next = line_end(p, end, &eol)) == NULL)
		return (REDUCE_WHOLE);
	memset(sc, 0, offsetof(struct fast_scan, other));
	sc->nother = 0;
	sc->ok = sp->fast && osiparena_installed();
	sc->start.p = p;
	sc->start.n = (size_t)(eol - p);
	memcpy(out, p, (size_t)(next - p));
	out += next - p;
	for (q = next; ; q = next) {
		if (q == end)
			return (REDUCE_WHOLE);	/* no blank line */
		if (*q == '\r' || *q == '\n')
			break;			/* end of the headers */
		if ((next = line_end(q, end, &eol)) == NULL)
			return (REDUCE_WHOLE);
		/* Folded continuation lines belong to this header. */
		folded = 0;
		while (next < end && (*next == ' ' || *next == '\t')) {
			folded = 1;
			if ((next = line_end(next, end, &eol)) == NULL)
				return (REDUCE_WHOLE);
		}
		n = (size_t)(eol - q);
		if ((v = memchr(q, ':', n)) == NULL) {
			keep = 1;	/* libosip2 will refuse it */
			sc->ok = false;
			goto copy;
		}
		colon = (size_t)(v - q);
		for (i = colon; i > 0 && (q[i - 1] == ' ' || q[i - 1] == '\t');
		    i--)
			;
		kind = hdr_kind_of(q, i);
		keep = kind == HDR_KEEP || kind == HDR_FROM ||
		    kind == HDR_CALL_ID || kind == HDR_TO || kind == HDR_CSEQ;
		header_value(q, n, colon, &v, &vlen);
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
			/* "CSeq: 1 OPTIONS": the method follows the number. */
			i = token_len(v, vlen);
			v += i;
			vlen -= i;
			while (vlen > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				vlen--;
			}
			vlen = token_len(v, vlen);
			/* Method names are case-sensitive (RFC 3261 7.1). */
			for (i = 0; response && i < sizeof sip_untracked_cseq /
			    sizeof sip_untracked_cseq[0]; i++)
				if (strlen(sip_untracked_cseq[i]) == vlen &&
				    memcmp(v, sip_untracked_cseq[i], vlen) == 0)
					return (REDUCE_UNTRACKED);
			break;
		case HDR_EVENT:
			if (notify && !token_is(v, token_len(v, vlen), "refer"))
				return (REDUCE_UNTRACKED);
			break;
		case HDR_CONTENT:
			/* Kept aside: they go only with the body. */
			if (ncontent == REDUCE_CONTENT_MAX)
				return (REDUCE_WHOLE);
			content[ncontent][0] = q;
			content[ncontent++][1] = next;
			if (i <= 1 ? (*q | 0x20) == 'l' : i == 14) {
				if (clen != -1 || vlen == 0)
					return (REDUCE_WHOLE);
				for (clen = 0, k = 0; k < vlen && clen < 1 << 24 &&
				    v[k] >= '0' && v[k] <= '9'; k++)
					clen = clen * 10 + (v[k] - '0');
				/* Only plain digits and blanks. */
				for (; k < vlen; k++)
					if (v[k] != ' ' && v[k] != '\t')
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
				keep = token_is(q, i, sp->corr[k]);
			break;
		}
		if (keep && kind != HDR_FROM && kind != HDR_CALL_ID &&
		    kind != HDR_TO && kind != HDR_CSEQ) {
			/* Read by name: PAI, Refer-To, a correlation header. */
			if (sc->nother == FAST_OTHER_MAX)
				sc->ok = false;
			else {
				sc->other[sc->nother].name = q;
				sc->other[sc->nother].nlen = i;
				sc->other[sc->nother++].v = fast_trim(v, vlen);
			}
		}
		if (folded && (keep || kind == HDR_CONTENT))
			sc->ok = false;
copy:
		if (keep) {
			memcpy(out, q, (size_t)(next - q));
			out += next - q;
		}
	}
	/*
	 * The body only for an offer a leg reads: a re-INVITE or UPDATE
	 * (RFC 3264 8); an initial INVITE's SDP is nobody's concern. A
	 * multipart body, which libosip2 splits itself, stays too.
	 */
	next = line_end(q, end, &eol);
	if ((offer && to_tag) || multipart) {
		for (k = 0; k < ncontent; k++) {
			memcpy(out, content[k][0], (size_t)(content[k][1] -
			    content[k][0]));
			out += content[k][1] - content[k][0];
		}
		memcpy(out, q, (size_t)(end - q));
		out += end - q;
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
		memcpy(out, "\r\n", 2);
		out += 2;
	}
	/* Each once and not empty, as the fast parse needs them. */
	if (sc->nfrom != 1 || sc->nto != 1 || sc->ncall_id != 1 ||
	    sc->ncseq != 1 || sc->from.n == 0 || sc->to.n == 0 ||
	    sc->call_id.n == 0 || sc->cseq.n == 0 ||
	    (sc->via.p != NULL && sc->via.n == 0))
		sc->ok = false;
	for (k = 0; k < sc->nother; k++)
		if (sc->other[k].v.n == 0)
			sc->ok = false;
	*rlen = (size_t)(out - sp->reduced);
	return (REDUCE_DONE);
}

static int
sipmsg_untracked(const uint8_t *p, size_t len)
{
	size_t	i, n;

	for (i = 0; i < sizeof sip_untracked / sizeof sip_untracked[0]; i++) {
		n = strlen(sip_untracked[i]);
		if (len >= n && memcmp(p, sip_untracked[i], n) == 0)
			return (1);
	}
	return (0);
}

void
sipmsg_input(struct sip_parser *sp, const struct payload *pl)
{
	osip_message_t	*m;
	struct sip_parts parts;
	struct sip_msg	*sm = &sp->msg;
	const uint8_t	*p = pl->data;
	size_t		 len = pl->len, rlen;

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
	if (sipmsg_untracked(p, len)) {
		sp->st.ignored_methods++;
		return;
	}
	/*
	 * RFC 3261 7: the headers end with an empty line. libosip2 takes
	 * a message cut after any header line for a whole one (and one cut
	 * before Content-Length for one without a body).
	 */
	if (memmem(p, len, "\r\n\r\n", 4) == NULL) {
		sp->st.parse_errors++;
		return;
	}
	switch (sipmsg_reduce(sp, (const char *)p, len, &rlen)) {
	case REDUCE_UNTRACKED:
		sp->st.ignored_methods++;
		return;
	case REDUCE_DONE:
		if (sp->scan.ok) {
			osiparena_begin();
			if (sipmsg_fast(sp, &parts) == 0 &&
			    sipmsg_extract(sp, &parts, sm) == 0) {
				if (parts.party[0] == NULL)
					party_put(sp->parties, &sp->scan.from,
					    parts.party_hash[0], sm->from_user,
					    sm->from_tag);
				if (parts.party[1] == NULL)
					party_put(sp->parties, &sp->scan.to,
					    parts.party_hash[1], sm->to_user,
					    sm->to_tag);
				if (parts.via_hit == NULL && parts.via != NULL)
					party_put(sp->vias, &sp->scan.via,
					    parts.via_hash, "", sm->branch);
				osiparena_end();
				goto parsed;
			}
			/* Whatever it found odd, the whole parse judges. */
			osiparena_end();
		}
		p = (const uint8_t *)sp->reduced;
		len = rlen;
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
	sipmsg_osip_free(m);
	osiparena_end();
parsed:
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
	free(sp->parties);
	free(sp->vias);
	free(sp);
}
