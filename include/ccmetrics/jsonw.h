/* SPDX-License-Identifier: BSD-2-Clause */
/* jsonw.h: a small JSON writer for the hot publish path (no tree, no printf). */
#ifndef CCMETRICS_JSONW_H
#define CCMETRICS_JSONW_H

#include <stddef.h>
#include <stdint.h>

/*
 * Members are appended to buf as jansson's JSON_COMPACT writes them, so the
 * published text stays byte for byte what json_dumps() gave: strings escaped
 * the same way, seconds as JSON_REAL_PRECISION(15) prints them.
 */
struct jsonw {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 comma;		/* the next member needs a ',' first */
};

void	jsonw_init(struct jsonw *w);
void	jsonw_free(struct jsonw *w);
void	jsonw_reset(struct jsonw *w);
void	jsonw_raw(struct jsonw *w, const char *s, size_t n);
/* Members: key NULL appends an array element; keys are plain ASCII names. */
void	jsonw_str(struct jsonw *w, const char *key, const char *s);
void	jsonw_str_or_null(struct jsonw *w, const char *key, const char *s);
void	jsonw_int(struct jsonw *w, const char *key, int64_t v);
void	jsonw_bool(struct jsonw *w, const char *key, int v);
void	jsonw_null(struct jsonw *w, const char *key);
/* A member whose value json (n bytes) is JSON text already written. */
void	jsonw_member_raw(struct jsonw *w, const char *key, const char *json,
	    size_t n);
/* Seconds given in whole milliseconds, as json_real(ms / 1000.0) dumps. */
void	jsonw_ms(struct jsonw *w, const char *key, int64_t ms);
/* Any finite number, as json_real() dumps with JSON_REAL_PRECISION(15). */
void	jsonw_real(struct jsonw *w, const char *key, double v);
/* Packet time as RFC 3339 UTC with milliseconds; 0 is null. */
void	jsonw_time(struct jsonw *w, const char *key, int64_t us);
void	jsonw_array_begin(struct jsonw *w, const char *key);
void	jsonw_array_end(struct jsonw *w);
/* A nested object: key NULL for an array element. */
void	jsonw_object_begin(struct jsonw *w, const char *key);
void	jsonw_object_end(struct jsonw *w);
/* A quoted, escaped JSON string of s, with no separator. */
void	jsonw_quote(struct jsonw *w, const char *s);
/* RFC 3339 UTC with milliseconds into buf (at least 32 bytes). */
size_t	jsonw_format_time(int64_t ts_us, char *buf, size_t len);

#endif
