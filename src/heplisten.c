/* SPDX-License-Identifier: BSD-2-Clause */
/* heplisten.c: the HEPv3 UDP listener; owns its socket. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#ifdef __linux__
#include <linux/sock_diag.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ccmetrics/heplisten.h"
#include "ccmetrics/log.h"
#include "ccmetrics/xmalloc.h"

/* Agents send in bursts; the kernel may cap this at net.core.rmem_max. */
#define HEPLISTEN_RCVBUF	(8 * 1024 * 1024)
#define HEPLISTEN_MAX_DGRAM	65535

struct hep_listener {
	int			 fd;
	uint8_t			 buf[HEPLISTEN_MAX_DGRAM];
	struct hep_stats	 st;
	const struct addrset	*sources;	/* NULL or empty: any */
	const char		*password;	/* NULL: no auth key asked */
};

static socklen_t
heplisten_sockaddr(const struct addr *addr, uint16_t port,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (addr->family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr->bytes, 16);
		return (sizeof *sin6);
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	memcpy(&sin->sin_addr, addr->bytes, 4);
	return (sizeof *sin);
}

struct hep_listener *
heplisten_open(const struct addr *addr, uint16_t port, char *err,
    size_t errlen)
{
	struct hep_listener	*hl;
	struct sockaddr_storage	 ss;
	char			 name[ADDR_STRLEN];
	socklen_t		 sslen;
	int			 fd, size = HEPLISTEN_RCVBUF, one = 1;

	sslen = heplisten_sockaddr(addr, port, &ss);
	if ((fd = socket(ss.ss_family, SOCK_DGRAM, 0)) == -1) {
		snprintf(err, errlen, "HEP listener: socket: %s",
		    strerror(errno));
		return (NULL);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) == -1)
		log_warn("HEP listener: SO_RCVBUF: %s", strerror(errno));
	/* Each datagram then tells how many the buffer dropped so far. */
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) == -1)
		log_warn("HEP listener: SO_RXQ_OVFL: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&ss, sslen) == -1 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "HEP listener on %s port %u: %s",
		    addr_format(addr, name, sizeof name), port,
		    strerror(errno));
		close(fd);
		return (NULL);
	}
	hl = xcalloc(1, sizeof *hl);
	hl->fd = fd;
	return (hl);
}

int
heplisten_fd(const struct hep_listener *hl)
{
	return (hl->fd);
}

void
heplisten_set_access(struct hep_listener *hl, const struct addrset *sources,
    const char *password)
{
	hl->sources = sources;
	hl->password = password;
}

/* The source in the allowed set? */
static int
heplisten_source_ok(const struct hep_listener *hl,
    const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;
	struct addr			 a;

	if (hl->sources == NULL || hl->sources->n == 0)
		return (1);
	memset(&a, 0, sizeof a);
	if (ss->ss_family == AF_INET) {
		a.family = AF_INET;
		memcpy(a.bytes, &sin->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		a.family = AF_INET6;
		memcpy(a.bytes, &sin6->sin6_addr, 16);
	} else
		return (0);
	return (addrset_contains(hl->sources, &a));
}

/* The auth key chunk is the password: compared in constant time. */
static int
heplisten_key_ok(const struct hep_listener *hl, const uint8_t *buf,
    size_t len)
{
	const uint8_t	*key;
	size_t		 keylen, plen, i;
	unsigned int	 diff;

	if (hl->password == NULL)
		return (1);
	if (hep_auth_key(buf, len, &key, &keylen) == -1)
		return (0);
	plen = strlen(hl->password);
	diff = keylen != plen;
	for (i = 0; i < plen; i++)
		diff |= (unsigned int)(hl->password[i] ^
		    (i < keylen ? key[i] : 0));
	return (diff == 0);
}

int
heplisten_read(struct hep_listener *hl, int max, payload_sink sink,
    void *arg)
{
	struct sockaddr_storage	 ss;
	struct msghdr		 msg;
	struct iovec		 iov;
	struct cmsghdr		*cm;
	union {
		char		buf[CMSG_SPACE(sizeof (uint32_t))];
		struct cmsghdr	align;
	}			 ctl;
	uint32_t		 drops;
	ssize_t			 n;
	int			 count;

	for (count = 0; count < max; count++) {
		iov.iov_base = hl->buf;
		iov.iov_len = sizeof hl->buf;
		memset(&msg, 0, sizeof msg);
		msg.msg_name = &ss;
		msg.msg_namelen = sizeof ss;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof ctl.buf;
		n = recvmsg(hl->fd, &msg, 0);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			log_err("HEP listener: recv: %s", strerror(errno));
			return (-1);
		}
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
		    cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SO_RXQ_OVFL) {
				memcpy(&drops, CMSG_DATA(cm), sizeof drops);
				/* As of when it was queued: maybe older. */
				if (drops > hl->st.kernel_drops)
					hl->st.kernel_drops = drops;
			}
		}
		if (!heplisten_source_ok(hl, &ss) ||
		    !heplisten_key_ok(hl, hl->buf, (size_t)n)) {
			hl->st.refused++;
			continue;
		}
		hep_input(hl->buf, (size_t)n, &hl->st, sink, arg);
	}
	return (count);
}

/*
 * SO_RXQ_OVFL tells the drops only with the next datagram queued: those
 * after the last one read (a burst, then quiet or a stop) would never be
 * counted. The socket's own count, read now, has them all.
 */
const struct hep_stats *
heplisten_get_stats(struct hep_listener *hl)
{
#if defined(__linux__) && defined(SO_MEMINFO)
	uint32_t	mem[SK_MEMINFO_VARS];
	socklen_t	len = sizeof mem;

	if (getsockopt(hl->fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 &&
	    len > SK_MEMINFO_DROPS * sizeof mem[0] &&
	    mem[SK_MEMINFO_DROPS] > hl->st.kernel_drops)
		hl->st.kernel_drops = mem[SK_MEMINFO_DROPS];
#endif
	return (&hl->st);
}

void
heplisten_close(struct hep_listener *hl)
{
	if (hl == NULL)
		return;
	close(hl->fd);
	free(hl);
}
