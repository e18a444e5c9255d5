/* SPDX-License-Identifier: BSD-2-Clause */
/* jsonrow.c: one flat JSON object (RFC 8259) split into fields in one pass, numbers kept as written. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/jsonrow.h"
#include "ccmetrics/xmalloc.h"

struct jr_in {
	const char	*p, *end;
	const char	*why;
};

void
jsonrow_init(struct jsonrow *r)
{
	memset(r, 0, sizeof *r);
}

void
jsonrow_free(struct jsonrow *r)
{
	free(r->arena);
	r->arena = NULL;
	r->arena_cap = r->arena_len = 0;
}

static void
ws(struct jr_in *in)
{
	while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' ||
	    *in->p == '\n' || *in->p == '\r'))
		in->p++;
}

static int
fail(struct jr_in *in, const char *why)
{
	if (in->why == NULL)
		in->why = why;
	return (-1);
}

static int
hex4(const char *p, unsigned *v)
{
	unsigned	i, c;

	*v = 0;
	for (i = 0; i < 4; i++) {
		c = (unsigned char)p[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return (-1);
		*v = *v << 4 | c;
	}
	return (0);
}

/* A code point as UTF-8 into out; its length. */
static size_t
utf8(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return (1);
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return (2);
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return (3);
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return (4);
}

/*
 * A string at in->p (its opening quote), decoded into the arena when out
 * is not NULL (*out, *len: the text, NUL-terminated). A decoded string is
 * never longer than its JSON form, so the arena sized for the input holds
 * every string of it.
 */
static int
string(struct jsonrow *r, struct jr_in *in, const char **out, size_t *len)
{
	char		*dst = NULL, *start = NULL;
	unsigned	 cp, lo;
	unsigned char	 c;

	in->p++;
	if (out != NULL)
		start = dst = r->arena + r->arena_len;
	for (;;) {
		if (in->p >= in->end)
			return (fail(in, "unterminated string"));
		c = (unsigned char)*in->p++;
		if (c == '"')
			break;
		if (c < 0x20)
			return (fail(in, "control character in a string"));
		if (c != '\\') {
			if (dst != NULL)
				*dst++ = (char)c;
			continue;
		}
		if (in->p >= in->end)
			return (fail(in, "unterminated string"));
		c = (unsigned char)*in->p++;
		switch (c) {
		case '"': case '\\': case '/': break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (in->end - in->p < 4 || hex4(in->p, &cp) == -1)
				return (fail(in, "bad \\u escape"));
			in->p += 4;
			if (cp == 0)
				return (fail(in, "\\u0000 in a string"));
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return (fail(in, "lone low surrogate"));
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (in->end - in->p < 6 || in->p[0] != '\\' ||
				    in->p[1] != 'u' || hex4(in->p + 2, &lo) ==
				    -1 || lo < 0xdc00 || lo > 0xdfff)
					return (fail(in, "lone high surrogate"));
				in->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (dst != NULL)
				dst += utf8(cp, dst);
			continue;
		default:
			return (fail(in, "bad escape in a string"));
		}
		if (dst != NULL)
			*dst++ = (char)c;
	}
	if (dst != NULL) {
		*dst++ = '\0';
		*out = start;
		*len = (size_t)(dst - start) - 1;
		r->arena_len += (size_t)(dst - start);
	}
	return (0);
}

/* RFC 8259 6: -? int frac? exp? */
static int
number(struct jr_in *in)
{
	const char	*p = in->p, *e = in->end;

	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (p < e && *p >= '1' && *p <= '9')
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	else
		return (fail(in, "bad number"));
	if (p < e && *p == '.') {
		if (++p >= e || *p < '0' || *p > '9')
			return (fail(in, "bad number"));
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || *p < '0' || *p > '9')
			return (fail(in, "bad number"));
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	in->p = p;
	return (0);
}

static int
literal(struct jr_in *in, const char *word)
{
	size_t	n = strlen(word);

	if ((size_t)(in->end - in->p) < n || memcmp(in->p, word, n) != 0)
		return (fail(in, "not JSON"));
	in->p += n;
	return (0);
}

/* A scalar into v (strings decoded when r is not NULL); 1 when none. */
static int
scalar(struct jsonrow *r, struct jr_in *in, struct jsonrow_value *v)
{
	const char	*start = in->p;

	if (in->p >= in->end)
		return (fail(in, "not JSON"));
	memset(v, 0, sizeof *v);
	switch (*in->p) {
	case '"':
		v->type = JSONROW_STRING;
		return (string(r, in, r != NULL ? &v->text : NULL, &v->len));
	case 't':
		v->type = JSONROW_TRUE;
		return (literal(in, "true"));
	case 'f':
		v->type = JSONROW_FALSE;
		return (literal(in, "false"));
	case 'n':
		v->type = JSONROW_NULL;
		return (literal(in, "null"));
	case '[':
	case '{':
		return (1);
	default:
		v->type = JSONROW_NUMBER;
		if (number(in) == -1)
			return (-1);
		v->text = start;
		v->len = (size_t)(in->p - start);
		return (0);
	}
}

/* Any value, checked and passed over (depth-bounded). */
static int
skip(struct jr_in *in, int depth)
{
	struct jsonrow_value	v;
	char			close;
	int			rc;

	if (depth > JSONROW_MAX_DEPTH)
		return (fail(in, "nested too deep"));
	if ((rc = scalar(NULL, in, &v)) != 1)
		return (rc);
	close = *in->p == '[' ? ']' : '}';
	in->p++;
	ws(in);
	if (in->p < in->end && *in->p == close) {
		in->p++;
		return (0);
	}
	for (;;) {
		if (close == '}') {
			if (in->p >= in->end || *in->p != '"' ||
			    string(NULL, in, NULL, NULL) == -1)
				return (fail(in, "bad object key"));
			ws(in);
			if (in->p >= in->end || *in->p++ != ':')
				return (fail(in, "no colon"));
			ws(in);
		}
		if (skip(in, depth + 1) == -1)
			return (-1);
		ws(in);
		if (in->p < in->end && *in->p == ',') {
			in->p++;
			ws(in);
			continue;
		}
		if (in->p < in->end && *in->p == close) {
			in->p++;
			return (0);
		}
		return (fail(in, "unterminated array or object"));
	}
}

/* A member's value: a scalar, an array of scalars, or something else. */
static int
value(struct jsonrow *r, struct jr_in *in, struct jsonrow_value *v)
{
	const char	*start = in->p;
	int		 rc;

	if ((rc = scalar(r, in, v)) != 1)
		return (rc);
	if (*in->p == '{') {
		v->type = JSONROW_OTHER;
		return (skip(in, 1));
	}
	v->type = JSONROW_ARRAY;
	v->first = r->nelements;
	in->p++;
	ws(in);
	if (in->p < in->end && *in->p == ']') {
		in->p++;
		return (0);
	}
	for (;;) {
		if (r->nelements == JSONROW_MAX_ELEMENTS)
			return (fail(in, "too many array elements"));
		rc = scalar(r, in, &r->elements[r->nelements]);
		if (rc == -1)
			return (-1);
		if (rc == 1) {
			/* Not an array of scalars: passed over whole. */
			in->p = start;
			r->nelements = v->first;
			v->type = JSONROW_OTHER;
			v->count = 0;
			return (skip(in, 1));
		}
		r->nelements++;
		v->count++;
		ws(in);
		if (in->p < in->end && *in->p == ',') {
			in->p++;
			ws(in);
			continue;
		}
		if (in->p < in->end && *in->p == ']') {
			in->p++;
			return (0);
		}
		return (fail(in, "unterminated array"));
	}
}

int
jsonrow_parse(struct jsonrow *r, const char *p, size_t n, const char **why)
{
	struct jr_in		 in = { p, p + n, NULL };
	struct jsonrow_field	*f;
	size_t			 i;

	r->nfields = r->nelements = r->arena_len = r->hint = 0;
	if (r->arena_cap < n + 1) {
		free(r->arena);
		r->arena_cap = n + 1;
		r->arena = xmalloc(r->arena_cap);
	}
	ws(&in);
	if (in.p >= in.end || *in.p != '{') {
		*why = "not a JSON object";
		return (-1);
	}
	in.p++;
	ws(&in);
	if (in.p < in.end && *in.p == '}')
		in.p++;
	else {
		for (;;) {
			if (r->nfields == JSONROW_MAX_FIELDS) {
				fail(&in, "too many fields");
				goto bad;
			}
			f = &r->fields[r->nfields];
			if (in.p >= in.end || *in.p != '"' ||
			    string(r, &in, &f->key, &f->keylen) == -1) {
				fail(&in, "bad object key");
				goto bad;
			}
			for (i = 0; i < r->nfields; i++)
				if (r->fields[i].keylen == f->keylen &&
				    memcmp(r->fields[i].key, f->key,
				    f->keylen) == 0) {
					fail(&in, "duplicate key");
					goto bad;
				}
			ws(&in);
			if (in.p >= in.end || *in.p++ != ':') {
				fail(&in, "no colon after a key");
				goto bad;
			}
			ws(&in);
			if (value(r, &in, &f->v) == -1)
				goto bad;
			r->nfields++;
			ws(&in);
			if (in.p < in.end && *in.p == ',') {
				in.p++;
				ws(&in);
				continue;
			}
			if (in.p < in.end && *in.p == '}') {
				in.p++;
				break;
			}
			fail(&in, "unterminated object");
			goto bad;
		}
	}
	ws(&in);
	if (in.p != in.end) {
		*why = "text after the object";
		return (-1);
	}
	return (0);
bad:
	*why = in.why != NULL ? in.why : "not JSON";
	return (-1);
}

const struct jsonrow_value *
jsonrow_get(struct jsonrow *r, const char *key)
{
	size_t	i, j, klen = strlen(key);

	/* Fields come in the order of the columns: look on from the last. */
	for (j = 0; j < r->nfields; j++) {
		i = (r->hint + j) % r->nfields;
		if (r->fields[i].keylen == klen &&
		    memcmp(r->fields[i].key, key, klen) == 0) {
			r->hint = i + 1;
			return (&r->fields[i].v);
		}
	}
	return (NULL);
}
