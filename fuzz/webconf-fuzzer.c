/* SPDX-License-Identifier: BSD-2-Clause */
/* webconf-fuzzer.c: YAML text through ccmetrics-web's configuration loader and its checks. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/webconf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What a loaded configuration promises its users. */
static void
check(const struct webconf *wc)
{
	const struct webconf_threshold	*t;
	size_t				 i;

	if (wc->nfeeds < 1 || wc->nfeeds > WEBCONF_MAX_FEEDS ||
	    wc->nthresholds > WEBCONF_MAX_THRESHOLDS || wc->listen_port == 0)
		abort();
	for (i = 0; i < wc->nfeeds; i++)
		if (wc->feeds[i].endpoint == NULL ||
		    (wc->feeds[i].secret_key != NULL &&
		    wc->feeds[i].server_key == NULL))
			abort();
	for (i = 0; i <= wc->nthresholds; i++) {
		t = i < wc->nthresholds ? &wc->thresholds[i] :
		    &wc->threshold_default;
		if (isnan(t->sl_amber) || isnan(t->sl_red) ||
		    isnan(t->longest_wait_amber_s) ||
		    isnan(t->longest_wait_red_s) || t->sl_threshold_s < 0 ||
		    strlen(t->queue) >= WEBCONF_NAME_MAX)
			abort();
		if (i < wc->nthresholds &&
		    webconf_threshold(wc, t->queue) != t)
			abort();
	}
	if (wc->max_clients < 1 || wc->memory_bytes < wc->events_ring_bytes)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE	*devnull;
	struct webconf	*wc;
	char		*text;

	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	text = malloc(size + 1);
	if (text == NULL)
		return (0);
	memcpy(text, data, size);
	text[size] = '\0';
	if ((wc = webconf_load_string("fuzz.yaml", text, devnull)) != NULL) {
		check(wc);
		webconf_free(wc);
	}
	free(text);
	return (0);
}
