/* SPDX-License-Identifier: BSD-2-Clause */
/* capture.c: libpcap live and offline capture; owns the pcap handle. */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <net/if.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ccmetrics/capture.h"
#include "ccmetrics/log.h"
#include "ccmetrics/xmalloc.h"

#define CAPTURE_SNAPLEN		65535
#define CAPTURE_BUFFER_BYTES	(64 * 1024 * 1024)
#define CAPTURE_TIMEOUT_MS	100
/* An Ethernet frame with a VLAN tag: a capture cut shorter loses SIP. */
#define CAPTURE_SNAPLEN_MIN	1518

struct capture {
	pcap_t		*pcap;
	char		*name;		/* the file or interface, for messages */
	int		 ifsock;	/* live: asks the interface's flags; -1 */
	int		 link_up;	/* as last seen: 1 up, 0 down */
	int		 live;
	int		 fd;
	uint64_t	 packets;
	capture_sink	 sink;
	void		*sink_arg;
};

static int
capture_compile(pcap_t *p, const char *filter, char *err, size_t errlen)
{
	struct bpf_program	prog;

	if (filter == NULL || *filter == '\0')
		return (0);
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "bad capture filter \"%s\": %s", filter,
		    pcap_geterr(p));
		return (-1);
	}
	if (pcap_setfilter(p, &prog) == -1) {
		snprintf(err, errlen, "cannot set capture filter: %s",
		    pcap_geterr(p));
		pcap_freecode(&prog);
		return (-1);
	}
	pcap_freecode(&prog);
	return (0);
}

static struct capture *
capture_new(pcap_t *p, int live, const char *name)
{
	struct capture	*cap;
	int		 snaplen = pcap_snapshot(p);

	/* Packets were cut at snaplen when captured: SIP past it is lost. */
	if (snaplen > 0 && snaplen < CAPTURE_SNAPLEN_MIN)
		log_warn("%s: snaplen %d is too small for SIP: packets longer "
		    "were cut short and are lost (stats decode.truncated); "
		    "capture with at least %d (tcpdump -s 0)", name, snaplen,
		    CAPTURE_SNAPLEN_MIN);
	cap = xcalloc(1, sizeof *cap);
	cap->name = xstrdup(name);
	cap->ifsock = -1;
	cap->link_up = 1;
	cap->pcap = p;
	cap->live = live;
	cap->fd = live ? pcap_get_selectable_fd(p) : -1;
	return (cap);
}

int
capture_check_filter(const char *filter, char *err, size_t errlen)
{
	struct bpf_program	 prog;
	pcap_t			*p;
	int			 rc = 0;

	if (filter == NULL || *filter == '\0')
		return (0);
	if ((p = pcap_open_dead(DLT_EN10MB, CAPTURE_SNAPLEN)) == NULL) {
		snprintf(err, errlen, "pcap_open_dead failed");
		return (-1);
	}
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "bad capture filter \"%s\": %s", filter,
		    pcap_geterr(p));
		rc = -1;
	} else
		pcap_freecode(&prog);
	pcap_close(p);
	return (rc);
}

/*
 * The one place a filter is set, at start and on reload. Our default
 * (config.c) is also matched inside one or two VLAN tags on Ethernet:
 * each "vlan" moves the offsets of what follows on by 4 bytes
 * (pcap-filter(7)), and matches 0x8100, 0x88a8 and 0x9100. Other link
 * types have no tags; a filter of the operator's own is taken as written.
 */
int
capture_set_filter(struct capture *cap, const char *filter, int is_default,
    char *err, size_t errlen)
{
	char	*tagged;
	size_t	 len;
	int	 rc;

	if (!is_default || filter == NULL || *filter == '\0' ||
	    pcap_datalink(cap->pcap) != DLT_EN10MB)
		return (capture_compile(cap->pcap, filter, err, errlen));
	len = 3 * strlen(filter) + 64;
	tagged = xmalloc(len);
	snprintf(tagged, len, "(%s) or (vlan and ((%s) or (vlan and (%s))))",
	    filter, filter, filter);
	rc = capture_compile(cap->pcap, tagged, err, errlen);
	free(tagged);
	return (rc);
}

struct capture *
capture_open_offline(const char *path, char *err, size_t errlen)
{
	char	 ebuf[PCAP_ERRBUF_SIZE];
	pcap_t	*p;

	p = pcap_open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (p == NULL) {
		/* libpcap names the file for some errors, not all. */
		if (strncmp(ebuf, path, strlen(path)) == 0)
			snprintf(err, errlen, "%s", ebuf);
		else
			snprintf(err, errlen, "%s: %s", path, ebuf);
		return (NULL);
	}
	return (capture_new(p, 0, path));
}

struct capture *
capture_open_live(const char *iface, char *err, size_t errlen)
{
	struct capture	*cap;
	char		 ebuf[PCAP_ERRBUF_SIZE];
	pcap_t		*p;
	int	 rc;

	if ((p = pcap_create(iface, ebuf)) == NULL) {
		snprintf(err, errlen, "%s", ebuf);
		return (NULL);
	}
	/*
	 * Most "missing calls" are capture drops: a large kernel buffer, and
	 * no immediate mode. Immediate mode makes Linux libpcap use a
	 * TPACKET_V2 ring of snaplen-sized slots, about 1000 packets in
	 * 64 MB; without it TPACKET_V3 packs packets into blocks (about 100
	 * times as many fit), handed over when full or after
	 * CAPTURE_TIMEOUT_MS. On lo that moved the first kernel drops from
	 * under 50k to over 125k SIP messages/s (docs/performance.md).
	 */
	pcap_set_snaplen(p, CAPTURE_SNAPLEN);
	pcap_set_promisc(p, 1);
	pcap_set_buffer_size(p, CAPTURE_BUFFER_BYTES);
	pcap_set_timeout(p, CAPTURE_TIMEOUT_MS);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
	if ((rc = pcap_activate(p)) < 0) {
		snprintf(err, errlen, "%s: %s", iface, rc == PCAP_ERROR ?
		    pcap_geterr(p) : pcap_statustostr(rc));
		pcap_close(p);
		return (NULL);
	}
	if (rc > 0)
		log_warn("%s: %s", iface, pcap_statustostr(rc));
	if (pcap_setnonblock(p, 1, ebuf) == -1) {
		snprintf(err, errlen, "%s", ebuf);
		pcap_close(p);
		return (NULL);
	}
	cap = capture_new(p, 1, iface);
	/* "any" has no flags of its own; the others are watched. */
	if (strcmp(iface, "any") != 0)
		cap->ifsock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	log_info("capturing on %s", iface);
	return (cap);
}

int
capture_fd(const struct capture *cap)
{
	return (cap->fd);
}

int
capture_linktype(const struct capture *cap)
{
	return (pcap_datalink(cap->pcap));
}

static void
capture_callback(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
	struct capture		*cap = (struct capture *)arg;
	struct capture_packet	 pkt;

	pkt.ts_us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
	pkt.linktype = pcap_datalink(cap->pcap);
	pkt.data = data;
	pkt.caplen = h->caplen;
	pkt.len = h->len;
	cap->packets++;
	cap->sink(&pkt, cap->sink_arg);
}

int
capture_dispatch(struct capture *cap, int max, capture_sink sink, void *arg)
{
	int	n;

	cap->sink = sink;
	cap->sink_arg = arg;
	n = pcap_dispatch(cap->pcap, max, capture_callback, (u_char *)cap);
	if (n == PCAP_ERROR) {
		log_err("capture: %s: %s", cap->name, pcap_geterr(cap->pcap));
		return (-2);
	}
	if (n == PCAP_ERROR_BREAK)
		return (0);
	if (n == 0 && !cap->live)
		return (-1);
	return (n);
}

void
capture_get_stats(struct capture *cap, struct capture_stats *st)
{
	struct pcap_stat	ps;

	memset(st, 0, sizeof *st);
	st->packets = cap->packets;
	if (cap->live && pcap_stats(cap->pcap, &ps) == 0) {
		st->kernel_drops = ps.ps_drop;
		st->iface_drops = ps.ps_ifdrop;
	}
}

/*
 * An interface taken down (or its carrier lost) gives no packets and no
 * error: say so once when it happens and once when it comes back, so a
 * silent feed has a reason in the log.
 */
void
capture_check_link(struct capture *cap)
{
	struct ifreq	ifr;
	int		up;

	if (!cap->live || cap->ifsock == -1)
		return;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", cap->name);
	if (ioctl(cap->ifsock, SIOCGIFFLAGS, &ifr) == -1)
		up = 0;
	else
		up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	if (up == cap->link_up)
		return;
	cap->link_up = up;
	if (up)
		log_warn("capture: %s is up again", cap->name);
	else
		log_warn("capture: %s is down: no packets until it is up",
		    cap->name);
}

void
capture_close(struct capture *cap)
{
	if (cap == NULL)
		return;
	if (cap->ifsock != -1)
		close(cap->ifsock);
	pcap_close(cap->pcap);
	free(cap->name);
	free(cap);
}
