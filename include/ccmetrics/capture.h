/* SPDX-License-Identifier: BSD-2-Clause */
/* capture.h: packets from libpcap, live or offline, with their capture time. */
#ifndef CCMETRICS_CAPTURE_H
#define CCMETRICS_CAPTURE_H

#include <stdint.h>

struct capture_packet {
	int64_t		 ts_us;		/* capture time, µs since the epoch */
	int		 linktype;	/* DLT_* */
	const uint8_t	*data;
	uint32_t	 caplen;
	uint32_t	 len;		/* length on the wire */
};

struct capture_stats {
	uint64_t	packets;	/* handed to the sink */
	uint64_t	kernel_drops;	/* pcap_stats ps_drop */
	uint64_t	iface_drops;	/* pcap_stats ps_ifdrop */
};

typedef void (*capture_sink)(const struct capture_packet *, void *);

struct capture;

/* Open a file (offline) or an interface (live); NULL and a message in err. */
struct capture	*capture_open_offline(const char *path, char *err,
		    size_t errlen);
struct capture	*capture_open_live(const char *iface, char *err,
		    size_t errlen);
/* Does filter compile (for Ethernet)? -1 and err if not. */
int		 capture_check_filter(const char *filter, char *err,
		    size_t errlen);
/*
 * Set the kernel BPF filter ("" or NULL: none); is_default (config's
 * filter_default): on Ethernet, also inside 802.1Q/QinQ tags. -1 and err
 * on failure.
 */
int		 capture_set_filter(struct capture *cap, const char *filter,
		    int is_default, char *err, size_t errlen);
/* The descriptor to poll in live mode, -1 offline. */
int		 capture_fd(const struct capture *cap);
int		 capture_linktype(const struct capture *cap);
/*
 * Hand up to max packets to sink. Returns the number handled, 0 when
 * none was ready (live), -1 at the end of a file, -2 on error (logged).
 */
int		 capture_dispatch(struct capture *cap, int max,
		    capture_sink sink, void *arg);
void		 capture_get_stats(struct capture *cap,
		    struct capture_stats *st);
/* Live: log the interface going down or coming up (call about 1/s). */
void		 capture_check_link(struct capture *cap);
void		 capture_close(struct capture *cap);

#endif
