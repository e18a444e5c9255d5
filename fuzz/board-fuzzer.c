/* SPDX-License-Identifier: BSD-2-Clause */
/* board-fuzzer.c: feed objects (topic TAB JSON, a line each) through the wallboard's board. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ccmetrics/board.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The bounds the board keeps, whatever came in. */
static void
check_state(struct board *b, const struct webconf *c)
{
	json_error_t	 err;
	json_t		*st;
	char		*text;

	if ((text = board_state_json(b, 0)) == NULL)
		abort();
	if ((st = json_loads(text, 0, &err)) == NULL)
		abort();
	if (json_array_size(json_object_get(st, "sites")) >
	    (size_t)c->max_sites ||
	    json_array_size(json_object_get(st, "queues")) >
	    (size_t)c->max_sites * (size_t)c->max_queues ||
	    json_array_size(json_object_get(st, "agents")) >
	    (size_t)c->max_sites * (size_t)c->max_agents)
		abort();
	json_decref(st);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct webconf	 c;
	struct board		*b;
	const char		*p = (const char *)data, *end = p + size;
	const char		*nl, *tab;
	char			 topic[128];
	json_error_t		 err;
	json_t			*obj;
	int64_t			 now = 0;

	c.timezone = "Europe/Berlin";
	c.threshold_default.sl_amber = 0.8;
	c.max_sites = 2;
	c.max_queues = 3;
	c.max_agents = 4;
	c.feed_timeout_s = 15;
	b = board_create(&c);
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		tab = memchr(p, '\t', (size_t)(nl - p));
		if (tab != NULL && (size_t)(tab - p) < sizeof topic) {
			memcpy(topic, p, (size_t)(tab - p));
			topic[tab - p] = '\0';
			obj = json_loadb(tab + 1, (size_t)(nl - tab - 1), 0,
			    &err);
			if (obj != NULL)
				board_feed(b, topic, obj, now);
			json_decref(obj);
		}
		now += 1000;
		p = nl + 1;
	}
	check_state(b, &c);
	board_free(b);
	return (0);
}
