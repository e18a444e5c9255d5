/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * webfeed-fuzzer.c: feed objects through ccmetrics-web: its counters,
 * the SSE ring and a client reading it, and the /metrics exposition.
 * Input: lines "TOPIC<TAB>JSON"; a line "@ID" opens an SSE client with
 * that Last-Event-ID (a line "@" one without), which reads what it can.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ccmetrics/wbuf.h"
#include "ccmetrics/webconf.h"
#include "ccmetrics/webmetrics.h"
#include "ccmetrics/websse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	nop(void *conn) { (void)conn; }
static const struct sse_hooks hooks = { nop, nop };

/* The exposition: every line a comment or "name{labels} value". */
static void
check_exposition(const struct wbuf *b)
{
	const char	*p = b->p, *end = b->p + b->len, *nl;

	if (b->len == 0 || b->p[b->len - 1] != '\n')
		abort();
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL || nl == p)
			abort();
		if (*p != '#' && (strncmp(p, "ccmetrics_", 10) != 0 ||
		    memchr(p, ' ', (size_t)(nl - p)) == NULL))
			abort();
	}
}

static void
drain(struct sse *s, struct sse_client *c)
{
	char	buf[4096];
	ssize_t	n;
	int	i;

	for (i = 0; i < 64; i++) {
		n = sse_client_read(s, c, buf, sizeof buf);
		if (n <= 0)
			break;
		if ((size_t)n > sizeof buf)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct webconf	*wc;
	static FILE		*devnull;
	struct wmetrics		*m;
	struct wmetrics_self	 self;
	struct sse		*s;
	struct sse_client	*clients[8];
	struct wbuf		 b = { NULL, 0, 0 };
	json_t			*obj, *seq;
	char			*text, *line, *next, *tab;
	size_t			 nclients = 0, i;

	if (wc == NULL) {
		devnull = fopen("/dev/null", "w");
		wc = webconf_load_string("fuzz.yaml", "events: { ring: 64, "
		    "ring_bytes: 65536 }\nlimits: { max_sites: 4, max_queues: "
		    "8, max_agents: 16, client_buffer_bytes: 8192 }\n"
		    "metrics: { per_agent: true }\n", devnull);
		if (wc == NULL)
			abort();
	}
	if ((text = malloc(size + 1)) == NULL)
		return (0);
	memcpy(text, data, size);
	text[size] = '\0';
	m = wmetrics_create(wc);
	s = sse_create(wc, &hooks);
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '@') {
			if (nclients < 8)
				clients[nclients++] = sse_client_open(s, NULL,
				    line[1] != '\0' ? line + 1 : NULL, NULL, 0);
			continue;
		}
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab++ = '\0';
		obj = json_loads(tab, JSON_REJECT_DUPLICATES, NULL);
		if (json_is_object(obj) &&
		    wmetrics_feed(m, line, obj, 1000) == 0 &&
		    sse_topic_wanted(line)) {
			seq = json_object_get(obj, "seq");
			(void)sse_publish(s, line, wmetrics_site_of(obj),
			    json_string_value(json_object_get(obj, "boot")),
			    json_is_integer(seq) ?
			    (uint64_t)json_integer_value(seq) : 0, tab,
			    strlen(tab));
		}
		json_decref(obj);
		for (i = 0; i < nclients; i++)
			drain(s, clients[i]);
	}
	memset(&self, 0, sizeof self);
	wmetrics_render(m, &self, &b, 2000);
	check_exposition(&b);
	wbuf_free(&b);
	for (i = 0; i < nclients; i++)
		sse_client_close(s, clients[i]);
	sse_free(s);
	wmetrics_free(m);
	free(text);
	return (0);
}
