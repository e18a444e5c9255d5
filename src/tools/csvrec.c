/* SPDX-License-Identifier: BSD-2-Clause */
/* csvrec.c: interval and real-time records as rows of RFC 4180 CSV files. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ccmetrics/csvrec.h"
#include "ccmetrics/log.h"
#include "ccmetrics/xmalloc.h"

/* A field named with this suffix is an array: one column per element. */
#define CSV_ARRAY_SUFFIX	"[]"
#define CSV_EOL			"\r\n"		/* RFC 4180 2.1 */
#define CSV_REAL_FLAGS		(JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

/*
 * Upper edges of the wait histogram buckets, as src/interval.c counts
 * them (DESIGN.md 4); the last bucket is open. Kept here so that the tool
 * does not link the daemon's stages; the column names are the contract.
 */
static const int csv_wait_edges_s[] = {
	5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300
};
#define CSV_WAIT_BUCKETS \
	(int)(sizeof csv_wait_edges_s / sizeof csv_wait_edges_s[0] + 1)

/*
 * Column order, fixed for schema version 1 and documented in
 * ccmetrics-sub(1): the record's key first (times, then queue or agent),
 * then the fields in the order of DESIGN.md section 4, derived ones after
 * the counts they derive from, histograms; then fields added later within
 * version 1, only ever at the end (DESIGN.md 4.1, then section 8's site:
 * a file begun with the columns of an earlier release keeps them).
 */
static const char *const queue_fields[] = {
	"start", "end", "interval_s", "queue",
	"offered", "blocked", "answered", "answered_within_sl",
	"wait_answered_s", "max_wait_s", "abandoned", "short_abandoned",
	"abandon_wait_s", "timeouts", "handled", "talk_s", "hold_s",
	"handle_s", "holds", "rona", "transfers", "repeat_calls",
	"service_level", "asa_s", "aht_s", "abandon_rate", "erlang_c_agents",
	"sl_threshold_s", "sl_target",
	"wait_hist_answered[]", "wait_hist_abandoned[]",
	/* DESIGN.md 4.1 */
	"wait_all_s", "max_wait_all_s", "redials", "reconnects",
	"ended_on_hold", "agent_ended", "transfers_blind",
	"transfers_attended", "patience_s", "abandon_rate_offered",
	"erlang_a_agents",
	/* DESIGN.md 8 */
	"site",
	NULL
};
static const char *const agent_fields[] = {
	"start", "end", "interval_s", "agent",
	"attempts", "answered", "rona", "handled", "talk_s", "hold_s",
	"handle_s", "holds", "transfers", "busy_s",
	/* DESIGN.md 8 */
	"site",
	NULL
};
static const char *const rt_fields[] = {
	"ts", "queue", "waiting", "longest_wait_s", "talking", "on_hold",
	/* DESIGN.md 8 */
	"site",
	NULL
};

/* Column sets of earlier releases, each a number of leading fields. */
#define CSV_OLDER_MAX	4

static const struct csv_kind_def {
	const char		*kind;
	const char		*topic_prefix;
	const char *const	*fields;
	size_t			 older[CSV_OLDER_MAX];	/* ascending, 0 ends */
} csv_kinds[] = {
	/* Before DESIGN.md 4.1, before section 8's site. */
	{ "interval.queue", "interval.queue.", queue_fields, { 31, 42 } },
	{ "interval.agent", "interval.agent.", agent_fields, { 14 } },
	{ "rt.queue", "rt.queue.", rt_fields, { 6 } },
};
#define CSV_NKINDS	(sizeof csv_kinds / sizeof csv_kinds[0])

struct csv_column {
	char		*name;
	char		*field;
	int		 element;	/* array element, -1 for a scalar */
	bool		 warned;	/* missing field logged once */
};

struct csv_file {
	const struct csv_kind_def *def;
	char			*path;
	char			*header;	/* without its line end */
	char			*old_header[CSV_OLDER_MAX];	/* the older
							   column sets' */
	size_t			 old_ncols[CSV_OLDER_MAX];	/* their cells;
							   0 ends */
	struct csv_column	*cols;
	size_t			 ncols;
	bool			 failing;	/* last append failed: logged */
};

struct csvrec {
	struct csv_file		 files[CSV_NKINDS];
	struct csvrec_stats	 st;
};

struct csv_buf {
	char	*p;
	size_t	 len, cap;
};

static void
buf_add(struct csv_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap != 0 ? b->cap * 2 : 1024;
		b->p = xreallocarray(b->p, 1, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct csv_buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* A cell as RFC 4180 2.6/2.7 wants it: quoted when it must be. */
static void
buf_cell(struct csv_buf *b, const char *s, size_t n)
{
	size_t	i;

	if (memchr(s, ',', n) == NULL && memchr(s, '"', n) == NULL &&
	    memchr(s, '\r', n) == NULL && memchr(s, '\n', n) == NULL) {
		buf_add(b, s, n);
		return;
	}
	buf_add(b, "\"", 1);
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_add(b, "\"", 1);
		buf_add(b, s + i, 1);
	}
	buf_add(b, "\"", 1);
}

static void
column_add(struct csv_file *f, const char *name, const char *field,
    int element)
{
	struct csv_column	*c;

	f->cols = xreallocarray(f->cols, f->ncols + 1, sizeof *f->cols);
	c = &f->cols[f->ncols++];
	c->name = xstrdup(name);
	c->field = xstrdup(field);
	c->element = element;
	c->warned = false;
}

/* Columns and header of one kind; arrays become field_le5 ... field_gt300. */
static void
file_columns(struct csv_file *f)
{
	struct csv_buf	 hdr = { NULL, 0, 0 };
	const char	*fld;
	char		 field[64], name[96];
	size_t		 i, k, len;
	int		 e;

	for (i = 0; (fld = f->def->fields[i]) != NULL; i++) {
		len = strlen(fld);
		if (len > strlen(CSV_ARRAY_SUFFIX) && strcmp(fld + len -
		    strlen(CSV_ARRAY_SUFFIX), CSV_ARRAY_SUFFIX) == 0) {
			snprintf(field, sizeof field, "%.*s",
			    (int)(len - strlen(CSV_ARRAY_SUFFIX)), fld);
			for (e = 0; e < CSV_WAIT_BUCKETS; e++) {
				if (e < CSV_WAIT_BUCKETS - 1)
					snprintf(name, sizeof name, "%s_le%d",
					    field, csv_wait_edges_s[e]);
				else
					snprintf(name, sizeof name, "%s_gt%d",
					    field, csv_wait_edges_s[e - 1]);
				column_add(f, name, field, e);
			}
		} else
			column_add(f, fld, fld, -1);
		for (k = 0; k < CSV_OLDER_MAX && f->def->older[k] != 0; k++) {
			if (i + 1 == f->def->older[k])
				f->old_ncols[k] = f->ncols;
		}
	}
	for (i = 0; i < f->ncols; i++) {
		if (i > 0)
			buf_add(&hdr, ",", 1);
		buf_str(&hdr, f->cols[i].name);
		for (k = 0; k < CSV_OLDER_MAX && f->old_ncols[k] != 0; k++) {
			if (i + 1 == f->old_ncols[k])
				f->old_header[k] = xstrdup(hdr.p);
		}
	}
	f->header = hdr.p;
}

/* Does the file begin with this header line? */
static bool
header_is(int fd, const char *header)
{
	size_t	 hlen = strlen(header);
	char	*line;
	ssize_t	 n;
	bool	 ok;

	line = xmalloc(hlen + 2);
	n = pread(fd, line, hlen + 2, 0);
	ok = n >= (ssize_t)hlen + 1 && memcmp(line, header, hlen) == 0 &&
	    (line[hlen] == '\n' || (n == (ssize_t)hlen + 2 &&
	    line[hlen] == '\r' && line[hlen + 1] == '\n'));
	free(line);
	return (ok);
}

/*
 * A file with rows must begin with our header (our columns, in our order),
 * or with the header of the columns of an earlier release, before fields
 * were added within version 1: such a file goes on with those columns
 * only (*ncols), so that an upgrade never mixes rows of two shapes in one
 * file. *torn is set when its last row lacks a line end (a write cut
 * short).
 */
static int
file_check(const struct csv_file *f, int fd, off_t size, bool *torn,
    size_t *ncols)
{
	size_t	k;
	char	last;

	*torn = false;
	*ncols = f->ncols;
	if (size == 0)
		return (0);
	if (!header_is(fd, f->header)) {
		for (k = 0; k < CSV_OLDER_MAX && f->old_header[k] != NULL; k++) {
			if (header_is(fd, f->old_header[k]))
				break;
		}
		if (k == CSV_OLDER_MAX || f->old_header[k] == NULL)
			return (-1);
		*ncols = f->old_ncols[k];
	}
	if (pread(fd, &last, 1, size - 1) == 1 && last != '\n')
		*torn = true;
	return (0);
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += w;
		n -= (size_t)w;
	}
	return (0);
}

/*
 * Open, append, close: a rotated or removed file is started again with its
 * header, and nothing stays open between intervals. One write(2) with
 * O_APPEND per row; a row cut short (disk full) is truncated away.
 */
static int
file_append(struct csvrec *cr, struct csv_file *f, const struct csv_buf *row,
    const size_t *old_len)
{
	struct csv_buf	 out = { NULL, 0, 0 };
	struct stat	 sb;
	bool		 torn;
	size_t		 ncols, k;
	int		 fd, rc = -1;
	const char	*why = NULL;

	if ((fd = open(f->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644)) == -1 || fstat(fd, &sb) == -1) {
		why = strerror(errno);
		goto done;
	}
	if (file_check(f, fd, sb.st_size, &torn, &ncols) == -1) {
		why = "its first line is not this version's header";
		goto done;
	}
	if (sb.st_size == 0) {
		buf_str(&out, f->header);
		buf_str(&out, CSV_EOL);
	} else if (torn)
		buf_str(&out, CSV_EOL);
	for (k = 0; ncols < f->ncols && k < CSV_OLDER_MAX; k++) {
		if (f->old_ncols[k] == ncols)
			break;
	}
	if (ncols < f->ncols && k < CSV_OLDER_MAX) {
		/* A file of older columns: their cells only. */
		buf_add(&out, row->p, old_len[k]);
		buf_str(&out, CSV_EOL);
	} else
		buf_add(&out, row->p, row->len);
	if (write_all(fd, out.p, out.len) == -1) {
		why = strerror(errno);
		if (ftruncate(fd, sb.st_size) == -1)
			log_warn("%s: cannot cut a partial row: %s", f->path,
			    strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (fd != -1)
		close(fd);
	free(out.p);
	if (rc == 0) {
		if (f->failing)
			log_info("%s: writing again", f->path);
		f->failing = false;
		cr->st.rows++;
		return (0);
	}
	if (!f->failing)
		log_err("%s: row lost: %s", f->path, why);
	f->failing = true;
	cr->st.write_errors++;
	return (-1);
}

/* One cell: null or absent is empty; numbers as the daemon wrote them. */
static void
row_cell(struct csvrec *cr, const struct csv_file *f, struct csv_column *c,
    const json_t *obj, struct csv_buf *row)
{
	const json_t	*v = json_object_get(obj, c->field);
	char		 num[32], *text;

	if (v != NULL && c->element >= 0)
		v = json_is_array(v) ? json_array_get(v, (size_t)c->element) :
		    NULL;
	if (v == NULL) {
		cr->st.missing_fields++;
		if (!c->warned)
			log_warn("%s: no %s in a record: empty cells",
			    f->def->kind, c->name);
		c->warned = true;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_NULL:
		break;
	case JSON_STRING:
		buf_cell(row, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		buf_str(row, num);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		buf_str(row, json_is_true(v) ? "true" : "false");
		break;
	default:
		/* Reals with the daemon's precision; anything else as JSON. */
		if ((text = json_dumps(v, CSV_REAL_FLAGS)) != NULL) {
			buf_cell(row, text, strlen(text));
			free(text);
		}
		break;
	}
}

int
csvrec_write(struct csvrec *cr, const char *topic, const json_t *obj)
{
	struct csv_file	*f = NULL;
	struct csv_buf	 row = { NULL, 0, 0 };
	size_t		 i, k, old_len[CSV_OLDER_MAX] = { 0 };
	int		 rc;

	for (i = 0; i < CSV_NKINDS; i++) {
		if (strncmp(topic, csv_kinds[i].topic_prefix,
		    strlen(csv_kinds[i].topic_prefix)) == 0) {
			f = &cr->files[i];
			break;
		}
	}
	if (f == NULL || !json_is_object(obj))
		return (0);
	for (i = 0; i < f->ncols; i++) {
		if (i > 0)
			buf_add(&row, ",", 1);
		row_cell(cr, f, &f->cols[i], obj, &row);
		for (k = 0; k < CSV_OLDER_MAX; k++) {
			if (i + 1 == f->old_ncols[k])
				old_len[k] = row.len;
		}
	}
	buf_str(&row, CSV_EOL);
	rc = file_append(cr, f, &row, old_len);
	free(row.p);
	return (rc == 0 ? 1 : -1);
}

struct csvrec *
csvrec_open(const char *dir, char *err, size_t errlen)
{
	struct csvrec	*cr;
	struct csv_file	*f;
	struct stat	 sb;
	bool		 torn;
	size_t		 i, plen, ncols;
	int		 fd;

	if (stat(dir, &sb) == -1 || (S_ISDIR(sb.st_mode) &&
	    access(dir, W_OK | X_OK) == -1)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return (NULL);
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return (NULL);
	}
	cr = xcalloc(1, sizeof *cr);
	for (i = 0; i < CSV_NKINDS; i++) {
		f = &cr->files[i];
		f->def = &csv_kinds[i];
		plen = strlen(dir) + strlen(f->def->kind) + 6;
		f->path = xmalloc(plen);
		snprintf(f->path, plen, "%s/%s.csv", dir, f->def->kind);
		file_columns(f);
		/* Refuse now rather than at the first interval. */
		if ((fd = open(f->path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		if (fstat(fd, &sb) == 0 &&
		    file_check(f, fd, sb.st_size, &torn, &ncols) == -1) {
			snprintf(err, errlen, "%s: its first line is not the"
			    " header of these columns; move the file away",
			    f->path);
			close(fd);
			csvrec_close(cr);
			return (NULL);
		}
		close(fd);
	}
	return (cr);
}

const struct csvrec_stats *
csvrec_get_stats(const struct csvrec *cr)
{
	return (&cr->st);
}

void
csvrec_close(struct csvrec *cr)
{
	struct csv_file	*f;
	size_t		 i, j;

	if (cr == NULL)
		return;
	for (i = 0; i < CSV_NKINDS; i++) {
		f = &cr->files[i];
		for (j = 0; j < f->ncols; j++) {
			free(f->cols[j].name);
			free(f->cols[j].field);
		}
		free(f->cols);
		free(f->header);
		for (j = 0; j < CSV_OLDER_MAX; j++)
			free(f->old_header[j]);
		free(f->path);
	}
	free(cr);
}
