/* SPDX-License-Identifier: BSD-2-Clause */
/* pgrec.c: interval.queue, interval.agent and call.end upserted into PostgreSQL in batched transactions. */
#include "config.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/jsonrow.h"
#include "ccmetrics/log.h"
#include "ccmetrics/pgrec.h"
#include "ccmetrics/xmalloc.h"

#define PGREC_MAX_BODY		(1024 * 1024)
#define PGREC_SITE_MAX		64
#define PGREC_CONNECT_TIMEOUT	"5"

/*
 * The recorded kinds: the topic prefix, the table, and the natural key
 * (DESIGN.md 8), whose fields every object of the kind must carry as
 * strings. site is the first column of every key.
 */
static const struct pgrec_kind {
	const char	*prefix;
	const char	*table;
	const char	*key[2];
} pgrec_kinds[] = {
	{ "interval.queue.", "interval_queue", { "queue", "start" } },
	{ "interval.agent.", "interval_agent", { "agent", "start" } },
	{ "call.end.", "call_end", { "contact_id", "arrival" } },
};
#define PGREC_NKINDS	(sizeof pgrec_kinds / sizeof pgrec_kinds[0])

struct pgrec_entry {
	unsigned	 kind;
	char		*text;		/* the object, site spliced in */
	size_t		 len;
	char		*copy;		/* its COPY text row, or NULL */
	size_t		 copylen;
};

struct pgrec_buf {
	char	*p;
	size_t	 len, cap;
};

struct pgrec {
	char			*conninfo;
	char			*default_site;
	char			 where[256];	/* the server, for messages */
	PGconn			*conn;
	/* Per kind: by JSON (one message alone), from the COPY stage. */
	char			*upsert[PGREC_NKINDS];
	char			*upsert_stage[PGREC_NKINDS];
	char			*copy_cmd[PGREC_NKINDS];
	char			**cols[PGREC_NKINDS];	/* the table's columns */
	size_t			 ncols[PGREC_NKINDS];
	/* The queue: a ring of pending messages, oldest at head. */
	struct pgrec_entry	*ring;
	size_t			 cap, head, n;
	size_t			 bytes;		/* text held in the ring */
	struct jsonrow		*row;		/* the message being added */
	size_t			 inflight;	/* head entries whose upserts and
						   COMMIT are sent, not answered */
	bool			 down;		/* last flush failed: logged */
	uint64_t		 down_count;
	struct pgrec_stats	 st;
};

static void
buf_add(struct pgrec_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap != 0 ? b->cap * 2 : 4096;
		b->p = xreallocarray(b->p, 1, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct pgrec_buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* An SQL identifier, quoted (our own column names: no quotes in them). */
static void
buf_ident(struct pgrec_buf *b, const char *prefix, const char *name)
{
	buf_str(b, prefix);
	buf_add(b, "\"", 1);
	buf_str(b, name);
	buf_add(b, "\"", 1);
}

static bool
site_valid(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= PGREC_SITE_MAX || !(isalnum((unsigned char)s[i]) ||
		    s[i] == '_' || s[i] == '-'))
			return (false);
	return (true);
}

/* "host:port (database db)" of a connection, for every message. */
static void
describe(struct pgrec *pr, PGconn *conn)
{
	const char	*host = PQhost(conn), *port = PQport(conn);
	const char	*db = PQdb(conn);

	if (host == NULL || *host == '\0')
		host = "localhost";
	snprintf(pr->where, sizeof pr->where, "PostgreSQL at %s%s%s%s%s%s",
	    host, host[0] == '/' ? " port " : ":", port != NULL ? port : "",
	    db != NULL ? " (database " : "", db != NULL ? db : "",
	    db != NULL ? ")" : "");
}

/* The first line of libpq's message, without its line end. */
static const char *
first_line(const char *msg, char *out, size_t outlen)
{
	size_t	n = strcspn(msg, "\n");

	snprintf(out, outlen, "%.*s", (int)n, msg);
	return (out);
}

static PGconn *
connect_db(struct pgrec *pr)
{
	const char *const keys[] = { "connect_timeout",
	    "fallback_application_name", "dbname", NULL };
	const char *const values[] = { PGREC_CONNECT_TIMEOUT, "ccmetrics-sub",
	    pr->conninfo, NULL };

	return (PQconnectdbParams(keys, values, 1));
}

/* Is this failure the database's (try again later) or the data's? */
static bool
transient(PGconn *conn, const PGresult *res)
{
	const char	*state;

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
		return (true);
	if (res == NULL ||
	    (state = PQresultErrorField(res, PG_DIAG_SQLSTATE)) == NULL)
		return (true);
	/*
	 * Connection (08), rollback (40), resources such as a full disk (53),
	 * object state (55), operator (57), system (58); and the schema
	 * (42: a table or column gone) is the operator's to mend, not a
	 * message's fault.
	 */
	return (strncmp(state, "08", 2) == 0 || strncmp(state, "40", 2) == 0 ||
	    strncmp(state, "42", 2) == 0 || strncmp(state, "53", 2) == 0 ||
	    strncmp(state, "55", 2) == 0 || strncmp(state, "57", 2) == 0 ||
	    strncmp(state, "58", 2) == 0);
}

/* 0 when the schema is there in our version; else -1 and err. */
static int
check_schema(struct pgrec *pr, PGconn *conn, char *err, size_t errlen)
{
	PGresult	*res;
	const char	*state;
	char		 line[256];
	long		 version;

	res = PQexec(conn, "SELECT max(version) FROM ccmetrics.schema_version");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state != NULL && (strcmp(state, "42P01") == 0 ||
		    strcmp(state, "3F000") == 0))
			snprintf(err, errlen, "%s: no ccmetrics schema: load "
			    "it with psql -f %s/ccmetrics.sql", pr->where,
			    SQLDIR);
		else
			snprintf(err, errlen, "%s: %s", pr->where,
			    first_line(PQerrorMessage(conn), line,
			    sizeof line));
		PQclear(res);
		return (-1);
	}
	version = PQgetisnull(res, 0, 0) ? 0 :
	    strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (version != PGREC_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: ccmetrics schema version %ld, this "
		    "ccmetrics-sub records into version %d", pr->where,
		    version, PGREC_SCHEMA_VERSION);
		return (-1);
	}
	return (0);
}

/* The columns a row is made of, from the table itself. */
static void
free_cols(struct pgrec *pr, unsigned k)
{
	size_t	i;

	for (i = 0; i < pr->ncols[k]; i++)
		free(pr->cols[k][i]);
	free(pr->cols[k]);
	pr->cols[k] = NULL;
	pr->ncols[k] = 0;
}

/*
 * INSERT ... SELECT DISTINCT ON (key) ... FROM <from> ORDER BY key, <ord>
 * DESC ON CONFLICT (key) DO UPDATE ...: the last of several objects with
 * one key in a batch wins; a row already equal is left alone; an absent
 * field is null, or the column's default.
 */
static char *
upsert_sql(const struct pgrec_kind *kd, const char *table, PGresult *res,
    const char *from, const char *ord)
{
	struct pgrec_buf	 cols = { NULL, 0, 0 }, sel = { NULL, 0, 0 };
	struct pgrec_buf	 upd = { NULL, 0, 0 }, exc = { NULL, 0, 0 };
	struct pgrec_buf	 key = { NULL, 0, 0 }, sql = { NULL, 0, 0 };
	struct pgrec_buf	 old = { NULL, 0, 0 };
	int			 i, nupd = 0;

	buf_ident(&key, "", "site");
	buf_ident(&key, ", ", kd->key[0]);
	buf_ident(&key, ", ", kd->key[1]);
	for (i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);

		buf_ident(&cols, i > 0 ? ", " : "", name);
		if (!PQgetisnull(res, i, 1)) {
			buf_ident(&sel, i > 0 ? ", coalesce(r." : "coalesce(r.",
			    name);
			buf_str(&sel, ", ");
			buf_str(&sel, PQgetvalue(res, i, 1));
			buf_str(&sel, ")");
		} else
			buf_ident(&sel, i > 0 ? ", r." : "r.", name);
		if (strcmp(name, "site") == 0 || strcmp(name, kd->key[0]) == 0 ||
		    strcmp(name, kd->key[1]) == 0)
			continue;
		buf_ident(&upd, nupd > 0 ? ", " : "", name);
		buf_ident(&exc, nupd > 0 ? ", EXCLUDED." : "EXCLUDED.", name);
		buf_ident(&old, nupd > 0 ? ", t." : "t.", name);
		nupd++;
	}
	buf_str(&sql, "INSERT INTO ");
	buf_str(&sql, table);
	buf_str(&sql, " AS t (");
	buf_str(&sql, cols.p);
	buf_str(&sql, ") SELECT DISTINCT ON (r.\"site\", r.\"");
	buf_str(&sql, kd->key[0]);
	buf_str(&sql, "\", r.\"");
	buf_str(&sql, kd->key[1]);
	buf_str(&sql, "\") ");
	buf_str(&sql, sel.p);
	buf_str(&sql, " FROM ");
	buf_str(&sql, from);
	buf_str(&sql, " ORDER BY r.\"site\", r.\"");
	buf_str(&sql, kd->key[0]);
	buf_str(&sql, "\", r.\"");
	buf_str(&sql, kd->key[1]);
	buf_str(&sql, "\", ");
	buf_str(&sql, ord);
	buf_str(&sql, " DESC ON CONFLICT (");
	buf_str(&sql, key.p);
	buf_str(&sql, ") DO UPDATE SET (");
	buf_str(&sql, upd.p);
	buf_str(&sql, ") = ROW(");
	buf_str(&sql, exc.p);
	buf_str(&sql, ") WHERE ROW(");
	buf_str(&sql, old.p);
	buf_str(&sql, ") IS DISTINCT FROM ROW(");
	buf_str(&sql, exc.p);
	buf_str(&sql, ")");
	free(cols.p);
	free(sel.p);
	free(upd.p);
	free(exc.p);
	free(old.p);
	free(key.p);
	return (sql.p);
}

/*
 * The statements of one kind, from the table's own columns: the upsert of
 * a JSON array of objects in $1 (fields mapped to columns by name), and
 * the faster path of a batch: rows COPYed into a temporary stage table of
 * the same columns, then upserted from it.
 */
static int
build_upsert(struct pgrec *pr, PGconn *conn, unsigned k, char *err,
    size_t errlen)
{
	const struct pgrec_kind	*kd = &pgrec_kinds[k];
	struct pgrec_buf	 sql = { NULL, 0, 0 }, copy = { NULL, 0, 0 };
	const char		*params[1];
	char			 table[64], stage[64], from[256], line[256];
	PGresult		*res, *res2;
	int			 i;

	snprintf(table, sizeof table, "ccmetrics.%s", kd->table);
	snprintf(stage, sizeof stage, "pgrec_stage_%s", kd->table);
	params[0] = table;
	res = PQexecParams(conn,
	    "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) "
	    "FROM pg_attribute a LEFT JOIN pg_attrdef d "
	    "ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
	    "WHERE a.attrelid = $1::regclass AND a.attnum > 0 "
	    "AND NOT a.attisdropped ORDER BY a.attnum",
	    1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) == 0) {
		snprintf(err, errlen, "%s: table %s: %s", pr->where, table,
		    first_line(PQerrorMessage(conn), line, sizeof line));
		PQclear(res);
		return (-1);
	}
	free(pr->upsert[k]);
	/* Object by object: json_populate_recordset is 3 times slower. */
	snprintf(from, sizeof from, "json_array_elements($1::json) WITH "
	    "ORDINALITY AS e(j, ord), json_populate_record(NULL::%s, e.j) AS r",
	    table);
	pr->upsert[k] = upsert_sql(kd, table, res, from, "e.ord");
	free(pr->upsert_stage[k]);
	snprintf(from, sizeof from, "%s AS r", stage);
	pr->upsert_stage[k] = upsert_sql(kd, table, res, from,
	    "r.pgrec_ord");
	free_cols(pr, k);
	pr->cols[k] = xreallocarray(NULL, (size_t)PQntuples(res),
	    sizeof *pr->cols[k]);
	buf_str(&copy, "COPY ");
	buf_str(&copy, stage);
	buf_str(&copy, " (pgrec_ord");
	for (i = 0; i < PQntuples(res); i++) {
		pr->cols[k][pr->ncols[k]++] = xstrdup(PQgetvalue(res, i, 0));
		buf_ident(&copy, ", ", PQgetvalue(res, i, 0));
	}
	buf_str(&copy, ") FROM STDIN");
	free(pr->copy_cmd[k]);
	pr->copy_cmd[k] = copy.p;
	PQclear(res);
	/*
	 * Emptied at every commit; a connection's own. Without the table's
	 * NOT NULLs: an absent field takes the column's default in the
	 * upsert, and a missing one fails there.
	 */
	buf_str(&sql, "CREATE TEMPORARY TABLE ");
	buf_str(&sql, stage);
	buf_str(&sql, " ON COMMIT DELETE ROWS AS SELECT * FROM ");
	buf_str(&sql, table);
	buf_str(&sql, " WITH NO DATA; ALTER TABLE ");
	buf_str(&sql, stage);
	buf_str(&sql, " ADD COLUMN pgrec_ord integer");
	res2 = PQexec(conn, sql.p);
	free(sql.p);
	if (PQresultStatus(res2) != PGRES_COMMAND_OK) {
		snprintf(err, errlen, "%s: %s: %s", pr->where, stage,
		    first_line(PQerrorMessage(conn), line, sizeof line));
		PQclear(res2);
		return (-1);
	}
	PQclear(res2);
	return (0);
}

/* A new connection with the schema checked and the statements built. */
static PGconn *
open_conn(struct pgrec *pr, char *err, size_t errlen)
{
	PGconn		*conn;
	PGresult	*res;
	char		 line[256];
	unsigned	 k;

	conn = connect_db(pr);
	if (conn == NULL) {
		snprintf(err, errlen, "PostgreSQL: out of memory");
		return (NULL);
	}
	describe(pr, conn);
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(err, errlen, "%s: %s", pr->where,
		    first_line(PQerrorMessage(conn), line, sizeof line));
		PQfinish(conn);
		return (NULL);
	}
	/* Times in and out in UTC, whatever the server's default. */
	res = PQexec(conn, "SET TimeZone = 'UTC'");
	PQclear(res);
	if (check_schema(pr, conn, err, errlen) == -1)
		goto fail;
	for (k = 0; k < PGREC_NKINDS; k++)
		if (build_upsert(pr, conn, k, err, errlen) == -1)
			goto fail;
	return (conn);
fail:
	PQfinish(conn);
	return (NULL);
}

struct pgrec *
pgrec_open(const char *conninfo, const char *default_site, char *err,
    size_t errlen)
{
	struct pgrec	*pr;
	char		*perr = NULL;
	PQconninfoOption *opts;

	if (default_site != NULL && !site_valid(default_site)) {
		snprintf(err, errlen, "site %s: not [A-Za-z0-9_-]+ (at most "
		    "%d characters)", default_site, PGREC_SITE_MAX);
		return (NULL);
	}
	if ((opts = PQconninfoParse(conninfo, &perr)) == NULL) {
		snprintf(err, errlen, "--db: %s", perr != NULL ? perr :
		    "out of memory");
		PQfreemem(perr);
		return (NULL);
	}
	PQconninfoFree(opts);
	pr = xcalloc(1, sizeof *pr);
	pr->row = xmalloc(sizeof *pr->row);
	jsonrow_init(pr->row);
	pr->conninfo = xstrdup(conninfo);
	pr->default_site = xstrdup(default_site != NULL ? default_site : "");
	if ((pr->conn = open_conn(pr, err, errlen)) == NULL) {
		pgrec_close(pr);
		return (NULL);
	}
	log_info("recording into %s", pr->where);
	return (pr);
}

static void
ring_push(struct pgrec *pr, unsigned kind, char *text, size_t len,
    struct pgrec_buf *copy)
{
	struct pgrec_entry	*ring;
	size_t			 i, ncap;

	if (pr->n == pr->cap) {
		ncap = pr->cap != 0 ? pr->cap * 2 : 1024;
		ring = xreallocarray(NULL, ncap, sizeof *ring);
		for (i = 0; i < pr->n; i++)
			ring[i] = pr->ring[(pr->head + i) % pr->cap];
		free(pr->ring);
		pr->ring = ring;
		pr->cap = ncap;
		pr->head = 0;
	}
	ring = &pr->ring[(pr->head + pr->n) % pr->cap];
	ring->kind = kind;
	ring->text = text;
	ring->len = len;
	ring->copy = copy->p;
	ring->copylen = copy->len;
	pr->n++;
	pr->bytes += len + copy->len;
}

static struct pgrec_entry *
ring_at(struct pgrec *pr, size_t i)
{
	return (&pr->ring[(pr->head + i) % pr->cap]);
}

static void
ring_pop(struct pgrec *pr, size_t count)
{
	size_t	i;

	for (i = 0; i < count && pr->n > 0; i++) {
		pr->bytes -= ring_at(pr, 0)->len + ring_at(pr, 0)->copylen;
		free(ring_at(pr, 0)->text);
		free(ring_at(pr, 0)->copy);
		pr->head = (pr->head + 1) % pr->cap;
		pr->n--;
	}
}

/* Text as a field of COPY's text format (backslash escapes). */
static void
copy_escape(struct pgrec_buf *b, const char *s, size_t n)
{
	size_t	i, start = 0;
	char	esc[2] = { '\\', 0 };

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': esc[1] = '\\'; break;
		case '\t': esc[1] = 't'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		default: continue;
		}
		buf_add(b, s + start, i - start);
		buf_add(b, esc, 2);
		start = i + 1;
	}
	buf_add(b, s + start, n - start);
}

/*
 * A JSON scalar as the text PostgreSQL's input functions take, as
 * json_populate_record hands them: strings decoded, numbers as written,
 * t / f; in an array, strings quoted with \ and " escaped, null NULL.
 */
static void
scalar_text(struct pgrec_buf *b, const struct jsonrow_value *v,
    bool in_array)
{
	size_t	i, start;

	switch (v->type) {
	case JSONROW_STRING:
		if (!in_array) {
			buf_add(b, v->text, v->len);
			break;
		}
		buf_add(b, "\"", 1);
		for (i = start = 0; i < v->len; i++) {
			if (v->text[i] != '"' && v->text[i] != '\\')
				continue;
			buf_add(b, v->text + start, i - start);
			buf_add(b, "\\", 1);
			start = i;
		}
		buf_add(b, v->text + start, v->len - start);
		buf_add(b, "\"", 1);
		break;
	case JSONROW_NUMBER:
		buf_add(b, v->text, v->len);
		break;
	case JSONROW_TRUE:
		buf_add(b, "t", 1);
		break;
	case JSONROW_FALSE:
		buf_add(b, "f", 1);
		break;
	default:
		buf_add(b, "NULL", 4);
		break;
	}
}

/*
 * The object as one row of COPY text for the table of kind k (columns in
 * the table's order, the stage's pgrec_ord to come first at the flush):
 * absent fields \N, arrays as array literals. 0, or -1 when a field has
 * no such form (an object; then the message goes the JSON way alone).
 */
static int
copy_row(struct pgrec *pr, unsigned k, const char *site,
    struct pgrec_buf *row)
{
	struct pgrec_buf		 val = { NULL, 0, 0 };
	const struct jsonrow_value	*v;
	size_t				 c, i;

	if (pr->ncols[k] == 0)
		return (-1);
	for (c = 0; c < pr->ncols[k]; c++) {
		if (c > 0)
			buf_add(row, "\t", 1);
		if (strcmp(pr->cols[k][c], "site") == 0) {
			copy_escape(row, site, strlen(site));
			continue;
		}
		v = jsonrow_get(pr->row, pr->cols[k][c]);
		if (v == NULL || v->type == JSONROW_NULL) {
			buf_add(row, "\\N", 2);
			continue;
		}
		if (v->type == JSONROW_OTHER)
			goto fail;
		if (v->type == JSONROW_ARRAY) {
			val.len = 0;
			buf_add(&val, "{", 1);
			for (i = 0; i < v->count; i++) {
				if (i > 0)
					buf_add(&val, ",", 1);
				scalar_text(&val,
				    &pr->row->elements[v->first + i], true);
			}
			buf_add(&val, "}", 1);
			copy_escape(row, val.p, val.len);
		} else if (v->type == JSONROW_STRING)
			copy_escape(row, v->text, v->len);
		else
			scalar_text(row, v, false);
	}
	buf_add(row, "\n", 1);
	free(val.p);
	return (0);
fail:
	free(val.p);
	free(row->p);
	row->p = NULL;
	row->len = row->cap = 0;
	return (-1);
}

static enum pgrec_add
bad(struct pgrec *pr, const char *topic, const char *why)
{
	pr->st.bad++;
	log_warn("message skipped (%.64s): %s", topic, why);
	return (PGREC_BAD);
}

enum pgrec_add
pgrec_add(struct pgrec *pr, const char *topic, const char *body, size_t len,
    const char *site)
{
	const struct jsonrow_value	*v;
	struct pgrec_buf		 copy = { NULL, 0, 0 };
	const char			*osite = NULL, *why;
	char				*text, reason[192];
	size_t				 i, skip, slen;
	unsigned			 k;

	for (k = 0; k < PGREC_NKINDS; k++)
		if (strncmp(topic, pgrec_kinds[k].prefix,
		    strlen(pgrec_kinds[k].prefix)) == 0)
			break;
	if (k == PGREC_NKINDS) {
		pr->st.ignored++;
		return (PGREC_IGNORED);
	}
	if (len > PGREC_MAX_BODY)
		return (bad(pr, topic, "larger than 1 MiB"));
	if (jsonrow_parse(pr->row, body, len, &why) == -1) {
		if (strncmp(why, "not a JSON object", 17) == 0)
			return (bad(pr, topic, why));
		snprintf(reason, sizeof reason, "not a JSON object: %s", why);
		return (bad(pr, topic, reason));
	}
	for (i = 0; i < 2; i++) {
		v = jsonrow_get(pr->row, pgrec_kinds[k].key[i]);
		if (v == NULL || v->type != JSONROW_STRING || v->len == 0) {
			snprintf(reason, sizeof reason, "no %s (a string)",
			    pgrec_kinds[k].key[i]);
			return (bad(pr, topic, reason));
		}
	}
	if ((v = jsonrow_get(pr->row, "site")) != NULL) {
		if (v->type != JSONROW_STRING || v->len == 0 ||
		    strlen(v->text) != v->len || !site_valid(v->text))
			return (bad(pr, topic, "site is not [A-Za-z0-9_-]+"));
		osite = v->text;
	}
	/* No site in the object: the transport's, else the default. */
	if (site == NULL || *site == '\0' || !site_valid(site))
		site = pr->default_site;
	(void)copy_row(pr, k, osite != NULL ? osite : site, &copy);
	for (skip = 0; skip < len && body[skip] != '{'; skip++)
		;
	if (osite != NULL) {
		text = xstrndup(body + skip, len - skip);
		ring_push(pr, k, text, len - skip, &copy);
		return (PGREC_QUEUED);
	}
	slen = strlen(site);
	text = xmalloc(len - skip + slen + 12);
	memcpy(text, "{\"site\":\"", 9);
	memcpy(text + 9, site, slen);
	memcpy(text + 9 + slen, "\",", 2);
	memcpy(text + 11 + slen, body + skip + 1, len - skip - 1);
	text[len - skip + slen + 10] = '\0';
	ring_push(pr, k, text, len - skip + slen + 10, &copy);
	return (PGREC_QUEUED);
}

size_t
pgrec_pending(const struct pgrec *pr)
{
	return (pr->n);
}

size_t
pgrec_pending_bytes(const struct pgrec *pr)
{
	return (pr->bytes);
}

bool
pgrec_connected(const struct pgrec *pr)
{
	return (pr->conn != NULL && PQstatus(pr->conn) == CONNECTION_OK);
}

/* Run one upsert of kind k over the JSON array text. */
static PGresult *
run_upsert(struct pgrec *pr, unsigned k, const char *array)
{
	const char	*params[1] = { array };

	return (PQexecParams(pr->conn, pr->upsert[k], 1, NULL, params, NULL,
	    NULL, 0));
}

static bool
command_ok(PGresult *res, const char *tag)
{
	return (PQresultStatus(res) == PGRES_COMMAND_OK &&
	    (tag == NULL || strcmp(PQcmdStatus(res), tag) == 0));
}

static void
db_down(struct pgrec *pr, const char *what, const char *msg)
{
	char	line[256];

	pr->st.db_failures++;
	pr->down_count++;
	if (!pr->down)
		log_err("%s: %s: %s; keeping messages, trying again",
		    pr->where, what, first_line(msg, line, sizeof line));
	pr->down = true;
}

/* Make sure a connection is up; -1 when it cannot be (logged). */
static int
ensure_conn(struct pgrec *pr)
{
	char	err[512];

	if (pgrec_connected(pr))
		return (0);
	if (pr->conn != NULL) {
		PQfinish(pr->conn);
		pr->conn = NULL;
	}
	if ((pr->conn = open_conn(pr, err, sizeof err)) == NULL) {
		pr->st.db_failures++;
		pr->down_count++;
		if (!pr->down)
			log_err("%s; keeping messages, trying again", err);
		pr->down = true;
		return (-1);
	}
	pr->st.reconnects++;
	return (0);
}

/*
 * One message alone, committed on its own: after a batch failed, to tell
 * the message at fault from the others. 1 stored, 0 bad, -1 database.
 */
static int
store_one(struct pgrec *pr, struct pgrec_entry *e)
{
	struct pgrec_buf	 arr = { NULL, 0, 0 };
	PGresult		*res;
	char			 line[256];
	int			 rc;

	buf_add(&arr, "[", 1);
	buf_add(&arr, e->text, e->len);
	buf_add(&arr, "]", 1);
	res = run_upsert(pr, e->kind, arr.p);
	free(arr.p);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		rc = 1;
	else if (transient(pr->conn, res)) {
		db_down(pr, "storing a row", PQerrorMessage(pr->conn));
		rc = -1;
	} else {
		pr->st.bad++;
		log_warn("%s: a row of %s not stored: %s: %.200s", pr->where,
		    pgrec_kinds[e->kind].table,
		    first_line(PQerrorMessage(pr->conn), line, sizeof line),
		    e->text);
		rc = 0;
	}
	PQclear(res);
	return (rc);
}

/*
 * COPY the rows of kind k into its stage table (the upsert from it is
 * sent later, with the others and the COMMIT).
 * 1 done, 0 the data's fault, -1 the database's (logged).
 */
static int
copy_kind(struct pgrec *pr, unsigned k, const struct pgrec_buf *rows)
{
	PGresult	*res;
	char		 line[256];
	int		 rc;

	res = PQexec(pr->conn, pr->copy_cmd[k]);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = transient(pr->conn, res) ? -1 : 0;
		if (rc == -1)
			db_down(pr, "copy", PQerrorMessage(pr->conn));
		PQclear(res);
		return (rc);
	}
	PQclear(res);
	if (PQputCopyData(pr->conn, rows->p, (int)rows->len) != 1 ||
	    PQputCopyEnd(pr->conn, NULL) != 1) {
		db_down(pr, "copy", PQerrorMessage(pr->conn));
		return (-1);
	}
	rc = 1;
	while ((res = PQgetResult(pr->conn)) != NULL) {
		if (rc == 1 && PQresultStatus(res) != PGRES_COMMAND_OK) {
			rc = transient(pr->conn, res) ? -1 : 0;
			if (rc == -1)
				db_down(pr, "copy", PQerrorMessage(pr->conn));
		}
		PQclear(res);
	}
	/*
	 * The message at fault is logged once, by store_one; this is the
	 * batch's line (one line: libpq's message spans several).
	 */
	if (rc == 0)
		log_debug("%s: a batch of %s failed (%s): storing its messages "
		    "one by one", pr->where, pgrec_kinds[k].table,
		    first_line(PQerrorMessage(pr->conn), line, sizeof line));
	return (rc);
}

/* The n head messages are resolved: counted, popped. */
static long
resolved(struct pgrec *pr, size_t n, uint64_t rows)
{
	pr->st.rows += rows;
	pr->st.commits++;
	if (pr->down)
		log_info("%s: storing again (%llu failed attempts)", pr->where,
		    (unsigned long long)pr->down_count);
	pr->down = false;
	pr->down_count = 0;
	ring_pop(pr, n);
	return ((long)n);
}

/* A batch at fault: each of its n messages alone, the bad ones counted. */
static long
one_by_one(struct pgrec *pr, size_t n)
{
	uint64_t	rows = 0;
	size_t		i;
	int		rc;

	for (i = 0; i < n; i++) {
		if ((rc = store_one(pr, ring_at(pr, i))) == -1)
			return (-1);
		rows += (uint64_t)rc;
	}
	return (resolved(pr, n, rows));
}

static void
rollback(struct pgrec *pr)
{
	PGresult	*res;

	if (pr->conn != NULL && PQstatus(pr->conn) == CONNECTION_OK) {
		res = PQexec(pr->conn, "ROLLBACK");
		PQclear(res);
	}
}

long
pgrec_flush_start(struct pgrec *pr, size_t max)
{
	struct pgrec_buf	 rows[PGREC_NKINDS], sql = { NULL, 0, 0 };
	struct pgrec_entry	*e;
	PGresult		*res;
	size_t			 i, n;
	unsigned		 k;
	bool			 ok = true;
	char			 ord[24];
	int			 rc = 1;

	if (pr->inflight > 0)
		return (-1);	/* pgrec_flush_finish() first */
	n = pr->n < max ? pr->n : max;
	if (n == 0)
		return (0);
	if (ensure_conn(pr) == -1)
		return (-1);
	memset(rows, 0, sizeof rows);
	for (i = 0; i < n && ok; i++) {
		e = ring_at(pr, i);
		if (e->copy == NULL) {
			ok = false;	/* no COPY form: the JSON way */
			break;
		}
		snprintf(ord, sizeof ord, "%zu\t", i);
		buf_str(&rows[e->kind], ord);
		buf_add(&rows[e->kind], e->copy, e->copylen);
	}
	if (ok) {
		res = PQexec(pr->conn, "BEGIN");
		if (!command_ok(res, NULL)) {
			db_down(pr, "begin", PQerrorMessage(pr->conn));
			PQclear(res);
			goto retry_later;
		}
		PQclear(res);
		for (k = 0; rc == 1 && k < PGREC_NKINDS; k++)
			if (rows[k].len > 0)
				rc = copy_kind(pr, k, &rows[k]);
		if (rc == -1)
			goto retry_later;
		if (rc == 1) {
			/*
			 * The upserts and the COMMIT in one query, not waited
			 * for: the caller reads the next messages while the
			 * server works (pgrec_flush_finish()).
			 */
			for (k = 0; k < PGREC_NKINDS; k++)
				if (rows[k].len > 0) {
					buf_str(&sql, pr->upsert_stage[k]);
					buf_str(&sql, ";\n");
				}
			buf_str(&sql, "COMMIT");
			if (PQsendQuery(pr->conn, sql.p) != 1) {
				db_down(pr, "upsert", PQerrorMessage(pr->conn));
				free(sql.p);
				goto retry_later;
			}
			free(sql.p);
			for (k = 0; k < PGREC_NKINDS; k++)
				free(rows[k].p);
			pr->inflight = n;
			return ((long)n);
		}
		rollback(pr);
	}
	for (k = 0; k < PGREC_NKINDS; k++)
		free(rows[k].p);
	return (one_by_one(pr, n));
retry_later:
	for (k = 0; k < PGREC_NKINDS; k++)
		free(rows[k].p);
	rollback(pr);
	return (-1);
}

size_t
pgrec_inflight(const struct pgrec *pr)
{
	return (pr->inflight);
}

long
pgrec_flush_finish(struct pgrec *pr)
{
	PGresult	*res;
	size_t		 n = pr->inflight;
	bool		 committed = false;
	int		 rc = 1;

	if (n == 0)
		return (0);
	pr->inflight = 0;
	while ((res = PQgetResult(pr->conn)) != NULL) {
		if (rc == 1 && PQresultStatus(res) != PGRES_COMMAND_OK) {
			rc = transient(pr->conn, res) ? -1 : 0;
			if (rc == -1)
				db_down(pr, "upsert", PQerrorMessage(pr->conn));
		} else if (rc == 1)
			committed = strcmp(PQcmdStatus(res), "COMMIT") == 0;
		PQclear(res);
	}
	if (rc == 1 && !committed)
		rc = 0;		/* the COMMIT did not: rolled back */
	if (rc == -1) {
		rollback(pr);
		return (-1);
	}
	if (rc == 0) {
		rollback(pr);
		return (one_by_one(pr, n));
	}
	return (resolved(pr, n, n));
}

long
pgrec_flush(struct pgrec *pr, size_t max)
{
	long	n;

	if (pr->inflight > 0 && pgrec_flush_finish(pr) < 0)
		return (-1);
	n = pgrec_flush_start(pr, max);
	if (n <= 0 || pr->inflight == 0)
		return (n);
	return (pgrec_flush_finish(pr));
}

const struct pgrec_stats *
pgrec_get_stats(const struct pgrec *pr)
{
	return (&pr->st);
}

void
pgrec_close(struct pgrec *pr)
{
	unsigned	k;

	if (pr == NULL)
		return;
	ring_pop(pr, pr->n);
	free(pr->ring);
	for (k = 0; k < PGREC_NKINDS; k++) {
		free(pr->upsert[k]);
		free(pr->upsert_stage[k]);
		free(pr->copy_cmd[k]);
		free_cols(pr, k);
	}
	if (pr->conn != NULL)
		PQfinish(pr->conn);
	if (pr->row != NULL) {
		jsonrow_free(pr->row);
		free(pr->row);
	}
	free(pr->conninfo);
	free(pr->default_site);
	free(pr);
}
