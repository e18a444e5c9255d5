/* SPDX-License-Identifier: BSD-2-Clause */
/* sipmsg-fuzzer.c: one UDP payload through the SIP parser (libosip2 and our extraction). */
#include "config.h"

#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ccmetrics/sip.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	corr_inbound[] = "X-CC-Inbound", corr_other[] = "X-Genesys-CallUUID";
static char *const corr[] = { corr_inbound, corr_other };

/* A field is a terminated string inside its buffer. */
#define CHECK_STR(f)	do {						\
	if (memchr((f), '\0', sizeof (f)) == NULL)			\
		abort();						\
} while (0)

static void
on_sip(const struct sip_msg *m, void *arg)
{
	size_t	i;

	CHECK_STR(m->call_id);
	CHECK_STR(m->from_user);
	CHECK_STR(m->from_tag);
	CHECK_STR(m->to_user);
	CHECK_STR(m->to_tag);
	CHECK_STR(m->ruri_user);
	CHECK_STR(m->pai_user);
	CHECK_STR(m->branch);
	CHECK_STR(m->refer_to);
	CHECK_STR(m->replaces_call_id);
	CHECK_STR(m->reason);
	for (i = 0; i < SIP_MAX_CORR; i++)
		CHECK_STR(m->corr[i]);
	if (m->sdp_dir > SDP_DIR_INACTIVE || m->method > SIP_MESSAGE)
		abort();
	(*(int *)arg)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 initialised;
	struct sip_parser	*sp;
	const struct sip_stats	*st;
	struct payload		 pl;
	int			 handed = 0;

	if (!initialised) {
		sipmsg_global_init();
		initialised = 1;
	}
	sp = sipmsg_create(corr, sizeof corr / sizeof corr[0], on_sip,
	    &handed);
	memset(&pl, 0, sizeof pl);
	pl.ts_us = 1795424400000000LL;
	pl.src.ip.family = pl.dst.ip.family = AF_INET;
	pl.src.port = pl.dst.port = 5060;
	pl.transport = DECODE_UDP;
	pl.data = data;
	pl.len = size;
	sipmsg_input(sp, &pl);
	st = sipmsg_get_stats(sp);
	/* One payload, one message: handed on or dropped for one reason. */
	if (st->messages != (uint64_t)handed || st->messages + st->keepalives +
	    st->parse_errors + st->missing_fields + st->ignored_methods != 1)
		abort();
	sipmsg_free(sp);
	return (0);
}
