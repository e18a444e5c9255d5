/* SPDX-License-Identifier: BSD-2-Clause */
/* config-fuzzer.c: YAML text through the configuration loader and its checks. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The bounds a loaded configuration keeps (test_config_bounds.c). */
static void
check_bounds(const struct config *cfg)
{
	size_t	i, j, ndnis = 0;

	if (!cfg->filter_default && strlen(cfg->filter) > CONFIG_FILTER_MAX)
		abort();
	if (cfg->pbx.n > 4096 || cfg->agents.n > 4096 ||
	    cfg->trunks.n > 4096 || cfg->hep_sources.n > 4096 ||
	    cfg->nqueues > 4096 || cfg->nzmq_curve_allowed > 4096)
		abort();
	for (i = 0; i < cfg->nqueues; i++) {
		for (j = 0; j < cfg->queues[i].ndnis; j++) {
			/* Every DNIS routes, by the hash, to its own queue. */
			if (config_queue_by_dnis(cfg, cfg->queues[i].dnis[j]) !=
			    &cfg->queues[i])
				abort();
			ndnis++;
		}
	}
	if (ndnis > CONFIG_MAX_DNIS)
		abort();
}

/*
 * A reload onto a fixed running configuration: what needs a restart
 * keeps the running value (here sip_ports and interface), the rest is
 * the new file's, and the default filter follows the running ports.
 */
static void
check_reload(struct config *cfg)
{
	static struct config	*running;
	int			 hep = cfg->nhep_ports > 0;

	if (running == NULL && (running = config_load_string("running.yaml",
	    "capture: { interface: eth0, sip_ports: [5062] }\n"
	    "pbx: { addresses: [10.0.0.10] }\n"
	    "agents: { addresses: [10.1.0.0/16] }\n", NULL)) == NULL)
		abort();
	config_keep_running(cfg, running, NULL, NULL);
	if (cfg->nsip_ports != 1 || cfg->sip_ports[0] != 5062 ||
	    cfg->interface == NULL || strcmp(cfg->interface, "eth0") != 0 ||
	    cfg->interval_s != running->interval_s)
		abort();
	if (cfg->filter_default && (strstr(cfg->filter, "port 5062 ") ==
	    NULL || (hep && strstr(cfg->filter, "udp port") == NULL)))
		abort();
	if (!config_key_reloadable("capture.hep_ports") ||
	    config_key_reloadable("capture.sip_ports"))
		abort();
}

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
		check_bounds(cfg);
		check_reload(cfg);
		config_free(cfg);
	}
	free(text);
	return (0);
}
