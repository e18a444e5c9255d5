/* SPDX-License-Identifier: BSD-2-Clause */
/* udp-blast.c: send a capture's SIP payloads onto loopback at a fixed rate. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Each IPv4 address a.b.c.d of the capture becomes 127.b.c.d (as
 * tests/udp-replay.py maps it), each port P becomes --port (default 15060),
 * so the traffic never mixes with other SIP on lo. Payloads go out in
 * capture order at --rate messages per second, whatever the capture's own
 * timing, at most --count of them (the capture wraps around if shorter).
 */

#define MAX_SOCKS	4096
#define BATCH		64	/* messages between two clock reads */

struct sock {
	uint32_t	addr;	/* mapped, network order */
	int		fd;
};

struct msg {
	uint32_t	src, dst;	/* mapped, network order */
	uint32_t	off, len;
};

static struct sock	socks[MAX_SOCKS];
static size_t		nsocks;

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static uint32_t
map_addr(const u_char *a)
{
	return (htonl(127u << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 |
	    a[3]));
}

static int
sock_for(uint32_t addr, uint16_t port)
{
	struct sockaddr_in	sin;
	size_t			i;
	int			fd, one = 1, sz = 4 << 20;

	for (i = 0; i < nsocks; i++)
		if (socks[i].addr == addr)
			return (socks[i].fd);
	if (nsocks == MAX_SOCKS) {
		fprintf(stderr, "udp-blast: more than %d source addresses\n",
		    MAX_SOCKS);
		exit(1);
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = addr;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		perror("bind");
		exit(1);
	}
	socks[nsocks].addr = addr;
	socks[nsocks++].fd = fd;
	return (fd);
}

int
main(int argc, char **argv)
{
	char			 err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr	*h;
	struct sockaddr_in	 dst;
	const u_char		*d;
	struct msg		*msgs = NULL;
	char			*buf = NULL;
	size_t			 nmsgs = 0, cap = 0, blen = 0, bcap = 0, i;
	uint64_t		 sent = 0, count = 100000, errors = 0;
	double			 rate = 10000, t0, t, due;
	uint16_t		 port = 15060;
	pcap_t			*p;
	size_t			 ihl, ulen;
	int			 ch;

	while ((ch = getopt(argc, argv, "r:n:p:")) != -1) {
		switch (ch) {
		case 'r': rate = atof(optarg); break;
		case 'n': count = strtoull(optarg, NULL, 10); break;
		case 'p': port = (uint16_t)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: udp-blast [-r RATE] [-n COUNT]"
			    " [-p PORT] FILE.pcap\n");
			return (2);
		}
	}
	if (optind + 1 != argc || rate <= 0) {
		fprintf(stderr, "usage: udp-blast [-r RATE] [-n COUNT] [-p PORT]"
		    " FILE.pcap\n");
		return (2);
	}
	if ((p = pcap_open_offline(argv[optind], err)) == NULL) {
		fprintf(stderr, "udp-blast: %s\n", err);
		return (1);
	}
	/* Ethernet / IPv4 / UDP, unfragmented: what the generator writes. */
	while (nmsgs < count && pcap_next_ex(p, &h, &d) == 1) {
		if (h->caplen < 14 + 20 + 8 || d[12] != 0x08 || d[13] != 0 ||
		    (d[14] >> 4) != 4 || d[14 + 9] != 17)
			continue;
		ihl = (size_t)(d[14] & 0x0f) * 4;
		ulen = (size_t)(d[14 + ihl + 4] << 8 | d[14 + ihl + 5]);
		if (ulen < 8 || 14 + ihl + ulen > h->caplen)
			continue;
		if (nmsgs == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((msgs = realloc(msgs, cap * sizeof *msgs)) == NULL)
				abort();
		}
		while (blen + ulen > bcap) {
			bcap = bcap ? bcap * 2 : 1 << 24;
			if ((buf = realloc(buf, bcap)) == NULL)
				abort();
		}
		memcpy(buf + blen, d + 14 + ihl + 8, ulen - 8);
		msgs[nmsgs].src = map_addr(d + 14 + 12);
		msgs[nmsgs].dst = map_addr(d + 14 + 16);
		msgs[nmsgs].off = (uint32_t)blen;
		msgs[nmsgs].len = (uint32_t)(ulen - 8);
		blen += ulen - 8;
		nmsgs++;
	}
	pcap_close(p);
	if (nmsgs == 0) {
		fprintf(stderr, "udp-blast: no UDP payload in %s\n",
		    argv[optind]);
		return (1);
	}
	for (i = 0; i < nmsgs; i++)
		sock_for(msgs[i].src, port);
	memset(&dst, 0, sizeof dst);
	dst.sin_family = AF_INET;
	dst.sin_port = htons(port);
	t0 = now_s();
	for (sent = 0; sent < count; sent++) {
		const struct msg *m = &msgs[sent % nmsgs];

		/* Paced in batches: sleep until the batch is due. */
		if (sent % BATCH == 0) {
			due = t0 + (double)sent / rate;
			while ((t = now_s()) < due)
				if (due - t > 0.0002)
					usleep((useconds_t)((due - t) * 1e6 / 2));
		}
		dst.sin_addr.s_addr = m->dst;
		while (sendto(sock_for(m->src, port), buf + m->off, m->len, 0,
		    (struct sockaddr *)&dst, sizeof dst) == -1) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				errors++;
				break;
			}
			usleep(50);
		}
	}
	t = now_s() - t0;
	printf("udp-blast sent=%llu errors=%llu seconds=%.3f rate=%.0f"
	    " target=%.0f\n", (unsigned long long)sent,
	    (unsigned long long)errors, t, (double)sent / t, rate);
	return (0);
}
