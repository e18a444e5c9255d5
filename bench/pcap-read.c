/* SPDX-License-Identifier: BSD-2-Clause */
/* pcap-read.c: the physical limit: read a capture with libpcap, touch every byte. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Wall or CPU seconds: on a shared machine the CPU time is the fair one. */
static double
now_s(clockid_t clk)
{
	struct timespec	ts;

	clock_gettime(clk, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

int
main(int argc, char **argv)
{
	char			 err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr	*h;
	const u_char		*data;
	pcap_t			*p;
	uint64_t		 packets = 0, bytes = 0, sum = 0;
	uint32_t		 i;
	double			 t0, c0, t, c;
	int			 rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap-read FILE.pcap\n");
		return (2);
	}
	t0 = now_s(CLOCK_MONOTONIC);
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	if ((p = pcap_open_offline(argv[1], err)) == NULL) {
		fprintf(stderr, "pcap-read: %s\n", err);
		return (1);
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		/* Every cache line of the packet is read once. */
		for (i = 0; i < h->caplen; i += 64)
			sum += data[i];
		if (h->caplen > 0)
			sum += data[h->caplen - 1];
		packets++;
		bytes += h->caplen;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcap-read: %s\n", pcap_geterr(p));
		return (1);
	}
	pcap_close(p);
	t = now_s(CLOCK_MONOTONIC) - t0;
	c = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	/* One line a script can read: packets, wall s, CPU s. */
	printf("pcap-read packets=%llu bytes=%llu wall_s=%.3f cpu_s=%.3f"
	    " wall_rate=%.0f cpu_rate=%.0f checksum=%llu\n",
	    (unsigned long long)packets, (unsigned long long)bytes, t, c,
	    (double)packets / t, (double)packets / c, (unsigned long long)sum);
	return (0);
}
