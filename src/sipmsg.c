/* sipmsg.c: libosip2 parsing of one SIP message into a struct sip_msg. */
#include "config.h"

#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ccmetrics/sip.h"
#include "ccmetrics/xmalloc.h"

#define SIP_HEADER_NAME_MAX	64
#define SIP_STATUS_MIN		100	/* RFC 3261 21: classes 1xx to 6xx */
#define SIP_STATUS_MAX		699

struct sip_parser {
	char		 corr[SIP_MAX_CORR][SIP_HEADER_NAME_MAX];
	size_t		 ncorr;
	sip_sink	 sink;
	void		*sink_arg;
	struct sip_stats st;
	struct sip_msg	 msg;		/* reused: no allocation per message */
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
}

struct sip_parser *
sipmsg_create(char *const *corr_headers, size_t ncorr, sip_sink sink,
    void *arg)
{
	struct sip_parser	*sp;

	sp = xcalloc(1, sizeof *sp);
	sipmsg_set_headers(sp, corr_headers, ncorr);
	sp->sink = sink;
	sp->sink_arg = arg;
	return (sp);
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
sipmsg_refer(struct sip_msg *sm, const osip_message_t *m)
{
	const char	*v, *r;

	if ((v = sipmsg_header(m, "refer-to")) == NULL)
		v = sipmsg_header(m, "r");
	copy(sm->refer_to, sizeof sm->refer_to, v);
	if (v != NULL && (r = strcasestr(v, "replaces=")) != NULL)
		sipmsg_replaces(sm->replaces_call_id,
		    sizeof sm->replaces_call_id, r + strlen("replaces="), 1);
	else if ((v = sipmsg_header(m, "replaces")) != NULL)
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
sipmsg_body(struct sip_msg *sm, osip_message_t *m)
{
	osip_body_t	*body = NULL;
	osip_content_type_t *ct = m->content_type;

	sm->has_sdp = false;
	sm->sdp_dir = SDP_DIR_NONE;
	sm->sdp_c_zero = false;
	if (ct == NULL || ct->type == NULL || ct->subtype == NULL ||
	    strcasecmp(ct->type, "application") != 0 ||
	    strcasecmp(ct->subtype, "sdp") != 0)
		return;
	if (osip_message_get_body(m, 0, &body) < 0 || body == NULL ||
	    body->body == NULL)
		return;
	sm->has_sdp = true;
	sipmsg_parse_sdp(body->body, body->length, &sm->sdp_dir,
	    &sm->sdp_c_zero);
}

static int
sipmsg_extract(struct sip_parser *sp, osip_message_t *m, struct sip_msg *sm)
{
	osip_generic_param_t	*tag;
	osip_via_t		*via = NULL;
	size_t			 i;

	if (m->call_id == NULL || m->call_id->number == NULL ||
	    m->cseq == NULL || m->cseq->number == NULL ||
	    m->cseq->method == NULL || m->from == NULL || m->to == NULL)
		return (-1);
	sm->is_request = MSG_IS_REQUEST(m);
	sm->status = m->status_code;
	sm->method = sipmsg_method(sm->is_request ? m->sip_method :
	    m->cseq->method);
	sm->cseq = (uint32_t)strtoul(m->cseq->number, NULL, 10);
	if (m->call_id->host != NULL)
		snprintf(sm->call_id, sizeof sm->call_id, "%s@%s",
		    m->call_id->number, m->call_id->host);
	else
		copy(sm->call_id, sizeof sm->call_id, m->call_id->number);
	sipmsg_url_user(sm->from_user, sizeof sm->from_user, m->from->url);
	tag = NULL;
	osip_from_get_tag(m->from, &tag);
	copy(sm->from_tag, sizeof sm->from_tag, tag ? tag->gvalue : NULL);
	sipmsg_url_user(sm->to_user, sizeof sm->to_user, m->to->url);
	tag = NULL;
	osip_to_get_tag(m->to, &tag);
	copy(sm->to_tag, sizeof sm->to_tag, tag ? tag->gvalue : NULL);
	sipmsg_url_user(sm->ruri_user, sizeof sm->ruri_user,
	    sm->is_request ? m->req_uri : NULL);
	sipmsg_user_of(sm->pai_user, sizeof sm->pai_user,
	    sipmsg_header(m, "p-asserted-identity"));
	tag = NULL;
	if (osip_message_get_via(m, 0, &via) >= 0 && via != NULL)
		osip_via_param_get_byname(via, "branch", &tag);
	copy(sm->branch, sizeof sm->branch, tag ? tag->gvalue : NULL);
	for (i = 0; i < SIP_MAX_CORR; i++)
		copy(sm->corr[i], sizeof sm->corr[i], i < sp->ncorr ?
		    sipmsg_header(m, sp->corr[i]) : NULL);
	sm->refer_to[0] = sm->replaces_call_id[0] = '\0';
	if (sm->method == SIP_REFER || sm->method == SIP_INVITE)
		sipmsg_refer(sm, m);
	copy(sm->reason, sizeof sm->reason, sipmsg_header(m, "reason"));
	sipmsg_body(sm, m);
	return (0);
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
	struct sip_msg	*sm = &sp->msg;
	const uint8_t	*p = pl->data;
	size_t		 len = pl->len;

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
	if (osip_message_init(&m) != 0)
		return;
	/*
	 * libosip2 reads the status code with atoi(): "2x9" is 2, "999"
	 * passes. RFC 3261 7.2 and 21 allow 1xx-6xx only; any other code
	 * would pass for a final response and end a leg.
	 */
	if (osip_message_parse(m, (const char *)p, len) != 0 ||
	    (!MSG_IS_REQUEST(m) && (m->status_code < SIP_STATUS_MIN ||
	    m->status_code > SIP_STATUS_MAX))) {
		sp->st.parse_errors++;
		osip_message_free(m);
		return;
	}
	if (sipmsg_extract(sp, m, sm) == -1) {
		sp->st.missing_fields++;
		osip_message_free(m);
		return;
	}
	osip_message_free(m);
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
	free(sp);
}
