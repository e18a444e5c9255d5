/* SPDX-License-Identifier: BSD-2-Clause */
/* sipscan.c: header lines of SIP text, Content-Length and untracked methods. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "ccmetrics/sipscan.h"

const char *
sipscan_line_end(const char *p, const char *end, const char **eol)
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

int
sipscan_header(const char *p, const char *end, struct sipscan_header *h)
{
	const char	*next, *eol, *c;
	size_t		 n, i;

	if (p == end)
		return (-1);
	if (*p == '\r' || *p == '\n') {
		h->next = sipscan_line_end(p, end, &eol);
		return (0);
	}
	if ((next = sipscan_line_end(p, end, &eol)) == NULL)
		return (-1);
	h->folded = false;
	while (next < end && (*next == ' ' || *next == '\t')) {
		h->folded = true;
		if ((next = sipscan_line_end(next, end, &eol)) == NULL)
			return (-1);
	}
	h->name = p;
	h->next = next;
	n = (size_t)(eol - p);
	if ((c = memchr(p, ':', n)) == NULL) {
		h->colon = false;
		h->nlen = h->vlen = 0;
		h->value = eol;
		return (1);
	}
	h->colon = true;
	for (i = (size_t)(c - p); i > 0 && (p[i - 1] == ' ' ||
	    p[i - 1] == '\t'); i--)
		;
	h->nlen = i;
	for (c++; c < eol && (*c == ' ' || *c == '\t'); c++)
		;
	h->value = c;
	h->vlen = (size_t)(eol - c);
	return (1);
}

size_t
sipscan_headers_len(const char *p, size_t len)
{
	size_t	i;

	for (i = 0; i + 1 < len; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return (i + 2);
		if (i + 2 < len && p[i + 1] == '\r' && p[i + 2] == '\n')
			return (i + 3);
	}
	return (0);
}

bool
sipscan_is_content_length(const char *name, size_t n)
{
	return ((n == 1 && (*name | 0x20) == 'l') ||
	    (n == 14 && strncasecmp(name, "content-length", 14) == 0));
}

long
sipscan_content_length(const char *v, size_t n)
{
	size_t	k;
	long	x = 0;

	if (n == 0 || v[0] < '0' || v[0] > '9')
		return (-1);
	for (k = 0; k < n && v[k] >= '0' && v[k] <= '9'; k++) {
		x = x * 10 + (v[k] - '0');
		if (x > SIPSCAN_CLEN_MAX)
			return (-1);
	}
	for (; k < n; k++)
		if (v[k] != ' ' && v[k] != '\t' && v[k] != '\r' &&
		    v[k] != '\n')
			return (-1);
	return (x);
}

long
sipscan_headers_content_length(const char *p, size_t len)
{
	struct sipscan_header	 h;
	const char		*end = p + len;

	for (; sipscan_header(p, end, &h) == 1; p = h.next)
		if (h.colon && sipscan_is_content_length(h.name, h.nlen))
			return (sipscan_content_length(h.value, h.vlen));
	return (0);
}

size_t
sipscan_token_len(const char *v, size_t n)
{
	size_t	i = 0;

	while (i < n && v[i] != ' ' && v[i] != '\t' && v[i] != ';' &&
	    v[i] != ',' && v[i] != '\r' && v[i] != '\n')
		i++;
	return (i);
}

const char *
sipscan_cseq_method(const char *v, size_t n, size_t *mlen)
{
	size_t	i;

	/* "CSeq: 1 OPTIONS": the method follows the number. */
	i = sipscan_token_len(v, n);
	v += i;
	n -= i;
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	*mlen = sipscan_token_len(v, n);
	return (v);
}

/* Does p[0..len) start with the string literal s? */
#define STARTS(p, len, s) \
	((len) >= sizeof s - 1 && memcmp((p), s, sizeof s - 1) == 0)

/*
 * One compare at most per message, by the first byte: every message
 * passes here (and in sipscan_untracked_cseq), most of them a call's.
 */
bool
sipscan_untracked_request(const char *p, size_t len)
{
	if (len == 0)
		return (false);
	switch (p[0]) {
	case 'O':
		return (STARTS(p, len, "OPTIONS "));
	case 'S':
		return (STARTS(p, len, "SUBSCRIBE "));
	case 'P':
		return (STARTS(p, len, "PUBLISH "));
	case 'M':
		return (STARTS(p, len, "MESSAGE "));
	case 'I':
		return (STARTS(p, len, "INFO "));
	}
	return (false);
}

/*
 * The methods above without their space (REGISTER is parsed: DESIGN.md
 * 7), and NOTIFY: a response does not
 * tell the event package; the refer NOTIFY it answers was parsed, and
 * leg.c acts on neither.
 */
bool
sipscan_untracked_cseq(const char *m, size_t n)
{
	switch (n) {
	case 4:
		return (memcmp(m, "INFO", 4) == 0);
	case 6:
		return (memcmp(m, "NOTIFY", 6) == 0);
	case 7:
		return (memcmp(m, "OPTIONS", 7) == 0 ||
		    memcmp(m, "PUBLISH", 7) == 0 ||
		    memcmp(m, "MESSAGE", 7) == 0);
	case 9:
		return (memcmp(m, "SUBSCRIBE", 9) == 0);
	}
	return (false);
}
