/* SPDX-License-Identifier: BSD-2-Clause */
/* jsonw.c: the JSON writer of the hot publish path (see jsonw.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ccmetrics/jsonw.h"
#include "ccmetrics/ptime.h"
#include "ccmetrics/xmalloc.h"

#define JSONW_INITIAL	1024
#define MS_PER_DAY	86400000LL

void
jsonw_init(struct jsonw *w)
{
	w->cap = JSONW_INITIAL;
	w->buf = xmalloc(w->cap);
	w->len = 0;
	w->comma = 0;
}

void
jsonw_free(struct jsonw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

void
jsonw_reset(struct jsonw *w)
{
	w->len = 0;
	w->comma = 0;
}

static void
jsonw_reserve(struct jsonw *w, size_t n)
{
	if (w->len + n <= w->cap)
		return;
	while (w->len + n > w->cap)
		w->cap *= 2;
	w->buf = xreallocarray(w->buf, w->cap, 1);
}

void
jsonw_raw(struct jsonw *w, const char *s, size_t n)
{
	jsonw_reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void
jsonw_char(struct jsonw *w, char c)
{
	jsonw_reserve(w, 1);
	w->buf[w->len++] = c;
}

/* Length of the valid UTF-8 sequence at s (jansson's rules), 0 if none. */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned int	c = s[0], cp;
	size_t		n, i;

	if (c < 0x80)
		return (1);
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and past U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return (0);
	return (n);
}

/*
 * As jansson's dump_string without flags: '"' '\\' and controls escaped,
 * '/' and non-ASCII kept. jansson refuses invalid UTF-8 outright; here
 * each invalid byte becomes U+FFFD so the record still goes out.
 */
void
jsonw_quote(struct jsonw *w, const char *str)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*s = (const unsigned char *)str, *run;
	size_t			 n;

	jsonw_char(w, '"');
	for (;;) {
		for (run = s; *s >= 0x20 && *s < 0x80 && *s != '"' &&
		    *s != '\\'; s++)
			;
		if (s > run)
			jsonw_raw(w, (const char *)run, (size_t)(s - run));
		if (*s == '\0')
			break;
		if (*s >= 0x80) {
			if ((n = utf8_len(s)) == 0) {
				jsonw_raw(w, "\xef\xbf\xbd", 3);
				s++;
			} else {
				jsonw_raw(w, (const char *)s, n);
				s += n;
			}
			continue;
		}
		switch (*s) {
		case '"': jsonw_raw(w, "\\\"", 2); break;
		case '\\': jsonw_raw(w, "\\\\", 2); break;
		case '\b': jsonw_raw(w, "\\b", 2); break;
		case '\f': jsonw_raw(w, "\\f", 2); break;
		case '\n': jsonw_raw(w, "\\n", 2); break;
		case '\r': jsonw_raw(w, "\\r", 2); break;
		case '\t': jsonw_raw(w, "\\t", 2); break;
		default:
			jsonw_raw(w, "\\u00", 4);
			jsonw_char(w, hex[*s >> 4]);
			jsonw_char(w, hex[*s & 0xf]);
			break;
		}
		s++;
	}
	jsonw_char(w, '"');
}

/* Keys are the schema's own names, plain ASCII: written without escaping. */
static void
jsonw_key(struct jsonw *w, const char *key)
{
	size_t	n;
	char	*p;

	n = key != NULL ? strlen(key) : 0;
	jsonw_reserve(w, n + 4);
	p = w->buf + w->len;
	if (w->comma)
		*p++ = ',';
	w->comma = 1;
	if (key != NULL) {
		*p++ = '"';
		memcpy(p, key, n);
		p += n;
		*p++ = '"';
		*p++ = ':';
	}
	w->len = (size_t)(p - w->buf);
}

void
jsonw_str(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_quote(w, s);
}

void
jsonw_str_or_null(struct jsonw *w, const char *key, const char *s)
{
	if (s == NULL)
		jsonw_null(w, key);
	else
		jsonw_str(w, key, s);
}

void
jsonw_member_raw(struct jsonw *w, const char *key, const char *json,
    size_t n)
{
	jsonw_key(w, key);
	jsonw_raw(w, json, n);
}

/* Decimal digits of v into the end of a 24-byte buffer; returns the start. */
static char *
fmt_int(char *end, int64_t v)
{
	uint64_t	u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	char		*p = end;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	return (p);
}

void
jsonw_int(struct jsonw *w, const char *key, int64_t v)
{
	char	buf[24], *p;

	jsonw_key(w, key);
	p = fmt_int(buf + sizeof buf, v);
	jsonw_raw(w, p, (size_t)(buf + sizeof buf - p));
}

void
jsonw_bool(struct jsonw *w, const char *key, int v)
{
	jsonw_key(w, key);
	if (v)
		jsonw_raw(w, "true", 4);
	else
		jsonw_raw(w, "false", 5);
}

void
jsonw_null(struct jsonw *w, const char *key)
{
	jsonw_key(w, key);
	jsonw_raw(w, "null", 4);
}

/*
 * ms / 1000.0 printed "%.15g" plus ".0" when integral (jansson's
 * jsonp_dtostr): below 10^15 ms that is the exact decimal with trailing
 * zeros dropped, which integer arithmetic gives without printf.
 */
void
jsonw_ms(struct jsonw *w, const char *key, int64_t ms)
{
	char		 buf[48], *p;
	uint64_t	 u;
	int		 frac, n;

	if (ms <= -1000000000000000LL || ms >= 1000000000000000LL) {
		jsonw_key(w, key);
		n = snprintf(buf, sizeof buf, "%.15g", (double)ms / 1000.0);
		jsonw_raw(w, buf, (size_t)n);
		if (strpbrk(buf, ".e") == NULL)
			jsonw_raw(w, ".0", 2);
		return;
	}
	u = ms < 0 ? (uint64_t)-ms : (uint64_t)ms;
	frac = (int)(u % 1000);
	p = buf + sizeof buf;
	if (frac == 0)
		*--p = '0';
	else {
		n = 3;
		while (frac % 10 == 0) {
			frac /= 10;
			n--;
		}
		while (n-- > 0) {
			*--p = (char)('0' + frac % 10);
			frac /= 10;
		}
	}
	*--p = '.';
	p = fmt_int(p, (int64_t)(u / 1000));
	if (ms < 0)
		*--p = '-';
	jsonw_key(w, key);
	jsonw_raw(w, p, (size_t)(buf + sizeof buf - p));
}

/*
 * Any other number as jansson's jsonp_dtostr with precision 15 prints it:
 * "%.15g", ".0" added to what looks integral, the exponent without '+'
 * and leading zeros. For the rare objects (intervals), not the hot path.
 */
void
jsonw_real(struct jsonw *w, const char *key, double v)
{
	char	buf[64], *e, *start, *end;
	size_t	n;

	n = (size_t)snprintf(buf, sizeof buf - 3, "%.15g", v);
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(buf, 'e')) != NULL) {
		start = e + 1;
		end = start + 1;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, n - (size_t)(end - buf) + 1);
			n -= (size_t)(end - start);
		}
	}
	jsonw_key(w, key);
	jsonw_raw(w, buf, n);
}

/* Civil date of a day count since 1970-01-01 (H. Hinnant's algorithm). */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t		era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* The same text as gmtime_r + "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ". */
size_t
jsonw_format_time(int64_t ts_us, char *buf, size_t len)
{
	struct tm	tm;
	time_t		secs;
	int64_t		ms, days, rem, y;
	int		mon, mday;

	ms = ptime_ms(ts_us);
	days = ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) /
	    MS_PER_DAY);
	rem = ms - days * MS_PER_DAY;
	civil_from_days(days, &y, &mon, &mday);
	if (y < 0 || y > 9999 || len < 25) {
		secs = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
		gmtime_r(&secs, &tm);
		return ((size_t)snprintf(buf, len,
		    "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    (int)(ms - (int64_t)secs * 1000)));
	}
	put2(buf, (int)(y / 100));
	put2(buf + 2, (int)(y % 100));
	buf[4] = '-';
	put2(buf + 5, mon);
	buf[7] = '-';
	put2(buf + 8, mday);
	buf[10] = 'T';
	put2(buf + 11, (int)(rem / 3600000));
	buf[13] = ':';
	put2(buf + 14, (int)(rem / 60000 % 60));
	buf[16] = ':';
	put2(buf + 17, (int)(rem / 1000 % 60));
	buf[19] = '.';
	buf[20] = (char)('0' + rem % 1000 / 100);
	put2(buf + 21, (int)(rem % 100));
	buf[23] = 'Z';
	buf[24] = '\0';
	return (24);
}

void
jsonw_time(struct jsonw *w, const char *key, int64_t us)
{
	char	buf[64];
	size_t	n;

	if (us == 0) {
		jsonw_null(w, key);
		return;
	}
	n = jsonw_format_time(us, buf, sizeof buf);
	jsonw_key(w, key);
	jsonw_char(w, '"');
	jsonw_raw(w, buf, n);
	jsonw_char(w, '"');
}

void
jsonw_array_begin(struct jsonw *w, const char *key)
{
	jsonw_key(w, key);
	jsonw_char(w, '[');
	w->comma = 0;
}

void
jsonw_array_end(struct jsonw *w)
{
	jsonw_char(w, ']');
	w->comma = 1;
}

void
jsonw_object_begin(struct jsonw *w, const char *key)
{
	jsonw_key(w, key);
	jsonw_char(w, '{');
	w->comma = 0;
}

void
jsonw_object_end(struct jsonw *w)
{
	jsonw_char(w, '}');
	w->comma = 1;
}
