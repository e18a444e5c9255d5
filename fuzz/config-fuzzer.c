/* SPDX-License-Identifier: BSD-2-Clause */
/* config-fuzzer.c: YAML text through the configuration loader and its checks. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE	*errs;
	struct config	*cfg;
	char		*text;
	size_t		 i;

	/* Messages are written (their formatting is under test), unread. */
	if (errs == NULL && (errs = fopen("/dev/null", "w")) == NULL)
		abort();
	text = malloc(size + 1);
	if (text == NULL)
		return (0);
	memcpy(text, data, size);
	text[size] = '\0';
	if ((cfg = config_load_string("fuzz.yaml", text, errs)) != NULL) {
		/* A loaded configuration keeps the promises config.h makes. */
		if (cfg->filter == NULL || cfg->nsip_ports == 0 ||
		    cfg->pbx.n == 0 || cfg->agents.n == 0 ||
		    cfg->interval_s <= 0 || 86400 % cfg->interval_s != 0 ||
		    cfg->max_legs == 0)
			abort();
		for (i = 0; i < cfg->nqueues; i++)
			if (config_queue_by_name(cfg, cfg->queues[i].name) ==
			    NULL)
				abort();
		config_free(cfg);
	}
	free(text);
	return (0);
}
