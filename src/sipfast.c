/* SPDX-License-Identifier: BSD-2-Clause */
/* sipfast.c: the header-by-header libosip2 parse, with its memo caches. */
#include "config.h"

#include <osipparser2/osip_parser.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ccmetrics/osiparena.h"
#include "ccmetrics/sipfast.h"
#include "ccmetrics/xmalloc.h"

/*
 * From and To values repeat byte for byte through a dialog, and what
 * sipmsg_extract takes from them (the user and the tag) is a function of
 * those bytes alone: a small direct-mapped cache of it spares most of
 * libosip2's name-addr parses. The same for the top Via and its branch,
 * which a request and its responses share.
 */
#define PARTY_SLOTS	2048		/* a power of two */

struct sipfast {
	struct sipfast_party	*parties;	/* PARTY_SLOTS: From, To */
	struct sipfast_party	*vias;		/* PARTY_SLOTS: top Via */
};

struct sipfast *
sipfast_create(void)
{
	struct sipfast	*sf;

	sf = xcalloc(1, sizeof *sf);
	sf->parties = xcalloc(PARTY_SLOTS, sizeof *sf->parties);
	sf->vias = xcalloc(PARTY_SLOTS, sizeof *sf->vias);
	return (sf);
}

void
sipfast_free(struct sipfast *sf)
{
	if (sf == NULL)
		return;
	free(sf->parties);
	free(sf->vias);
	free(sf);
}

/* A NUL-terminated copy of p[0..n) in the arena. */
static char *
fast_str(const char *p, size_t n)
{
	char	*s;

	s = osiparena_alloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	return (s);
}

const char *
sipfast_header(const struct sipfast_scan *sc, const char *name)
{
	size_t	i, n;

	n = strlen(name);
	for (i = 0; i < sc->nother; i++)
		if (sc->other[i].nlen == n &&
		    strncasecmp(sc->other[i].name, name, n) == 0)
			return (fast_str(sc->other[i].v.p, sc->other[i].v.n));
	return (NULL);
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

static const struct sipfast_party *
party_get(const struct sipfast_party *table, const struct sipfast_val *v,
    uint32_t h)
{
	const struct sipfast_party	*e = &table[h & (PARTY_SLOTS - 1)];

	if (e->len != 0 && e->hash == h && e->len == v->n &&
	    memcmp(e->raw, v->p, v->n) == 0)
		return (e);
	return (NULL);
}

/* Copy at most size - 1 bytes of the string src and terminate. */
static void
party_copy(char *dst, size_t size, const char *src)
{
	size_t	n;

	n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
party_put(struct sipfast_party *table, const struct sipfast_val *v,
    uint32_t h, const char *user, const char *tag)
{
	struct sipfast_party	*e = &table[h & (PARTY_SLOTS - 1)];

	if (v->n == 0 || v->n >= sizeof e->raw)
		return;
	e->hash = h;
	e->len = (uint16_t)v->n;
	memcpy(e->raw, v->p, v->n);
	party_copy(e->user, sizeof e->user, user);
	party_copy(e->tag, sizeof e->tag, tag);
}

static int
fast_is_token(int c)
{
	return (isalnum(c) || strchr("-.!%*_+`'~", c) != NULL);
}

/*
 * libosip2's own parsers on the start line's Request-URI and the values of
 * Call-ID, CSeq, From, To, the top Via and Content-Type, as
 * osip_message_parse would call them, without its copy, line folding pass
 * and header tables.
 */
int
sipfast_parse(struct sipfast *sf, const struct sipfast_scan *sc,
    struct sip_parts *pp)
{
	const char	*s = sc->start.p, *e = s + sc->start.n;
	const char	*sp1, *sp2, *c;

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
	if ((pp->party[0] = party_get(sf->parties, &sc->from,
	    pp->party_hash[0])) == NULL && (osip_from_init(&pp->from) != 0 ||
	    osip_from_parse(pp->from, fast_str(sc->from.p, sc->from.n)) != 0))
		return (-1);
	if ((pp->party[1] = party_get(sf->parties, &sc->to,
	    pp->party_hash[1])) == NULL && (osip_to_init(&pp->to) != 0 ||
	    osip_to_parse(pp->to, fast_str(sc->to.p, sc->to.n)) != 0))
		return (-1);
	if (sc->via.p != NULL) {
		pp->via_hash = party_hash(sc->via.p, sc->via.n);
		if ((pp->via_hit = party_get(sf->vias, &sc->via,
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

void
sipfast_remember(struct sipfast *sf, const struct sipfast_scan *sc,
    const struct sip_parts *pp, const struct sip_msg *sm)
{
	if (pp->party[0] == NULL)
		party_put(sf->parties, &sc->from, pp->party_hash[0],
		    sm->from_user, sm->from_tag);
	if (pp->party[1] == NULL)
		party_put(sf->parties, &sc->to, pp->party_hash[1], sm->to_user,
		    sm->to_tag);
	if (pp->via_hit == NULL && pp->via != NULL)
		party_put(sf->vias, &sc->via, pp->via_hash, "", sm->branch);
}
