/* SPDX-License-Identifier: BSD-2-Clause */
/* sipscan.h: header lines of SIP text, Content-Length, untracked methods. */
#ifndef CCMETRICS_SIPSCAN_H
#define CCMETRICS_SIPSCAN_H

#include <stdbool.h>
#include <stddef.h>

/* A larger Content-Length is no length a message of ours can have. */
#define SIPSCAN_CLEN_MAX	100000000L

/* One header line, with the continuation lines folded into it. */
struct sipscan_header {
	const char	*name;		/* the line's first byte */
	size_t		 nlen;		/* up to the colon, minus blanks */
	bool		 colon;		/* false: no colon, nlen and value 0 */
	const char	*value;		/* past the colon and blanks */
	size_t		 vlen;		/* up to the end of its last line */
	const char	*next;		/* the line after it */
	bool		 folded;	/* continuation lines joined */
};

/*
 * End of the line at p (a line ends at CRLF, a bare CR or a bare LF, as
 * libosip2 reads it): returns the start of the next line and sets *eol to
 * the line end; NULL when p[0..end) holds no line end.
 */
const char	*sipscan_line_end(const char *p, const char *end,
		    const char **eol);
/*
 * The header line at p, with its continuation lines (RFC 3261 7.3.1).
 * Returns 1 and fills *h; 0 at the empty line that ends the headers (h->next
 * past it); -1 when p[0..end) ends before either is complete.
 */
int		 sipscan_header(const char *p, const char *end,
		    struct sipscan_header *h);
/*
 * Length of the header block at p, its empty line included, in a stream:
 * the first LF followed by LF or CRLF ends it. 0 while incomplete.
 */
size_t		 sipscan_headers_len(const char *p, size_t len);
/* Is name[0..n) Content-Length or its compact form l (RFC 3261 7.3.3)? */
bool		 sipscan_is_content_length(const char *name, size_t n);
/*
 * A Content-Length value (RFC 3261 20.14): digits, then only blanks and line
 * ends. The number, or -1 for anything else or one past SIPSCAN_CLEN_MAX.
 */
long		 sipscan_content_length(const char *v, size_t n);
/*
 * The Content-Length of the header lines p[0..len) (from the first line
 * after the start line, up to and with the empty line): the first one
 * wins; 0 when there is none, -1 when it is no number.
 */
long		 sipscan_headers_content_length(const char *p, size_t len);
/* The first token of v (up to a blank, ';', ',', a line end or n). */
size_t		 sipscan_token_len(const char *v, size_t n);
/* The method of a CSeq value v[0..n) ("1 INVITE"), its length in *mlen. */
const char	*sipscan_cseq_method(const char *v, size_t n, size_t *mlen);
/*
 * Does the message p[0..len) start with the Request-Line of a method no
 * call uses (OPTIONS, SUBSCRIBE, PUBLISH, MESSAGE, INFO)? REGISTER is parsed
 * (agent presence, DESIGN.md 7).
 */
bool		 sipscan_untracked_request(const char *p, size_t len);
/*
 * Is a response with CSeq method m[0..n) one no call uses: those methods
 * and NOTIFY (a response does not tell its event package)? Method names
 * are case-sensitive (RFC 3261 7.1).
 */
bool		 sipscan_untracked_cseq(const char *m, size_t n);

#endif
