/* SPDX-License-Identifier: BSD-2-Clause */
/* heplisten.c: the HEPv3 UDP listener; owns its socket. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

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
	int		 fd;
	uint8_t		 buf[HEPLISTEN_MAX_DGRAM];
	struct hep_stats st;
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
	int			 fd, size = HEPLISTEN_RCVBUF;

	sslen = heplisten_sockaddr(addr, port, &ss);
	if ((fd = socket(ss.ss_family, SOCK_DGRAM, 0)) == -1) {
		snprintf(err, errlen, "HEP listener: socket: %s",
		    strerror(errno));
		return (NULL);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) == -1)
		log_warn("HEP listener: SO_RCVBUF: %s", strerror(errno));
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

int
heplisten_read(struct hep_listener *hl, int max, payload_sink sink,
    void *arg)
{
	ssize_t	n;
	int	count;

	for (count = 0; count < max; count++) {
		n = recv(hl->fd, hl->buf, sizeof hl->buf, 0);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			log_err("HEP listener: recv: %s", strerror(errno));
			return (-1);
		}
		hep_input(hl->buf, (size_t)n, &hl->st, sink, arg);
	}
	return (count);
}

const struct hep_stats *
heplisten_get_stats(const struct hep_listener *hl)
{
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
