/* SPDX-License-Identifier: BSD-2-Clause */
/* osip-parse.c: libosip2 alone: osip_message_parse and free on each UDP payload. */
#include <osipparser2/osip_parser.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct payloads {
	char	*buf;		/* every payload, back to back */
	size_t	 len, cap;
	size_t	*off;		/* n + 1 offsets */
	size_t	 n, ncap;
};

/* Wall or CPU seconds: on a shared machine the CPU time is the fair one. */
static double
now_s(clockid_t clk)
{
	struct timespec	ts;

	clock_gettime(clk, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static void
add(struct payloads *pl, const u_char *p, size_t len)
{
	while (pl->len + len > pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 1 << 24;
		if ((pl->buf = realloc(pl->buf, pl->cap)) == NULL)
			abort();
	}
	if (pl->n + 2 > pl->ncap) {
		pl->ncap = pl->ncap ? pl->ncap * 2 : 1 << 16;
		if ((pl->off = realloc(pl->off, pl->ncap * sizeof *pl->off)) ==
		    NULL)
			abort();
	}
	memcpy(pl->buf + pl->len, p, len);
	pl->off[pl->n++] = pl->len;
	pl->len += len;
	pl->off[pl->n] = pl->len;
}

/* Ethernet (optionally 802.1Q) / IPv4 / UDP only: what the generator writes. */
static void
load(pcap_t *p, struct payloads *pl)
{
	struct pcap_pkthdr	*h;
	const u_char		*d;
	size_t			 off, ihl, ulen;

	while (pcap_next_ex(p, &h, &d) == 1) {
		off = 12;
		while (off + 2 <= h->caplen && d[off] == 0x81 && d[off + 1] == 0)
			off += 4;
		if (off + 2 + 20 > h->caplen || d[off] != 0x08 || d[off + 1] != 0)
			continue;
		off += 2;
		if ((d[off] >> 4) != 4 || d[off + 9] != 17 ||
		    (((d[off + 6] << 8) | d[off + 7]) & 0x3fff) != 0)
			continue;
		ihl = (size_t)(d[off] & 0x0f) * 4;
		off += ihl;
		if (off + 8 > h->caplen)
			continue;
		ulen = (size_t)(d[off + 4] << 8 | d[off + 5]);
		if (ulen < 8 || off + ulen > h->caplen)
			continue;
		add(pl, d + off + 8, ulen - 8);
	}
}

int
main(int argc, char **argv)
{
	char		 err[PCAP_ERRBUF_SIZE];
	struct payloads	 pl;
	osip_message_t	*m;
	pcap_t		*p;
	size_t		 i, errors = 0, skipped = 0, len;
	const char	*s;
	double		 t0, c0, t, c;

	if (argc != 2) {
		fprintf(stderr, "usage: osip-parse FILE.pcap\n");
		return (2);
	}
	if ((p = pcap_open_offline(argv[1], err)) == NULL) {
		fprintf(stderr, "osip-parse: %s\n", err);
		return (1);
	}
	memset(&pl, 0, sizeof pl);
	load(p, &pl);
	pcap_close(p);
	parser_init();
	t0 = now_s(CLOCK_MONOTONIC);
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < pl.n; i++) {
		s = pl.buf + pl.off[i];
		len = pl.off[i + 1] - pl.off[i];
		/* CRLF keep-alives are no message: libosip2 would refuse them. */
		if (len > 0 && (s[0] == '\r' || s[0] == '\n')) {
			skipped++;
			continue;
		}
		if (osip_message_init(&m) != 0)
			abort();
		if (osip_message_parse(m, s, len) != 0)
			errors++;
		osip_message_free(m);
	}
	t = now_s(CLOCK_MONOTONIC) - t0;
	c = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	/* Rates per payload handed in, keep-alives included, as for ccmetricsd. */
	printf("osip-parse packets=%zu keepalives=%zu parse_errors=%zu"
	    " wall_s=%.3f cpu_s=%.3f wall_rate=%.0f cpu_rate=%.0f\n", pl.n,
	    skipped, errors, t, c, (double)pl.n / t, (double)pl.n / c);
	free(pl.buf);
	free(pl.off);
	return (0);
}
