/* SPDX-License-Identifier: BSD-2-Clause */
/* addr.c: IPv4/IPv6 addresses, CIDR prefixes and the sets the config builds. */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "ccmetrics/addr.h"
#include "ccmetrics/xmalloc.h"

static size_t
addr_len(const struct addr *a)
{
	return (a->family == AF_INET ? 4 : 16);
}

int
addr_parse(const char *s, struct addr *out)
{
	struct addr	a;

	memset(&a, 0, sizeof a);
	if (inet_pton(AF_INET, s, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, s, a.bytes) == 1)
		a.family = AF_INET6;
	else
		return (-1);
	*out = a;
	return (0);
}

/* Clear every bit of a past the first prefix bits. */
static void
addr_mask(struct addr *a, unsigned int prefix)
{
	size_t	i, len = addr_len(a);

	for (i = 0; i < len; i++) {
		if (prefix >= 8)
			prefix -= 8;
		else {
			a->bytes[i] &= (uint8_t)(0xff00 >> prefix);
			prefix = 0;
		}
	}
}

/*
 * "ADDR" (a host: /32 or /128) or "ADDR/PREFIX". Host bits beyond the
 * prefix are allowed, as in "10.1.2.3/16", and masked off.
 */
int
cidr_parse(const char *s, struct cidr *out)
{
	char		 buf[ADDR_STRLEN];
	const char	*slash, *p;
	struct cidr	 c;
	unsigned long	 prefix, max;
	size_t		 len;

	slash = strchr(s, '/');
	len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (len == 0 || len >= sizeof buf)
		return (-1);
	memcpy(buf, s, len);
	buf[len] = '\0';

	memset(&c, 0, sizeof c);
	if (addr_parse(buf, &c.net) != 0)
		return (-1);
	max = c.net.family == AF_INET ? 32 : 128;

	if (slash == NULL)
		prefix = max;
	else {
		/* Digits only: strtoul alone would take " 8", "+8" or "-0". */
		p = slash + 1;
		if (*p == '\0' || strspn(p, "0123456789") != strlen(p) ||
		    strlen(p) > 3)
			return (-1);
		prefix = strtoul(p, NULL, 10);
		if (prefix > max)
			return (-1);
	}
	c.prefix = (uint8_t)prefix;
	addr_mask(&c.net, c.prefix);
	*out = c;
	return (0);
}

int
addr_equal(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return (0);
	return (memcmp(a->bytes, b->bytes, addr_len(a)) == 0);
}

const char *
addr_format(const struct addr *a, char *buf, size_t len)
{
	if (len == 0)
		return (buf);
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    inet_ntop(a->family, a->bytes, buf, (socklen_t)len) == NULL) {
		/* Not an address, or buf too short: say so, never overflow. */
		buf[0] = '\0';
		if (len > 1) {
			buf[0] = '?';
			buf[1] = '\0';
		}
	}
	return (buf);
}

/* Whether a lies inside c. */
static int
cidr_contains(const struct cidr *c, const struct addr *a)
{
	struct addr	masked;

	if (c->net.family != a->family)
		return (0);
	masked = *a;
	addr_mask(&masked, c->prefix);
	return (addr_equal(&masked, &c->net));
}

void
addrset_add(struct addrset *set, const struct cidr *c)
{
	set->v = xreallocarray(set->v, set->n + 1, sizeof *set->v);
	set->v[set->n++] = *c;
}

/* A linear scan: the sets are a handful of PBX, trunk and phone ranges. */
int
addrset_contains(const struct addrset *set, const struct addr *a)
{
	size_t	i;

	for (i = 0; i < set->n; i++) {
		if (cidr_contains(&set->v[i], a))
			return (1);
	}
	return (0);
}

void
addrset_free(struct addrset *set)
{
	free(set->v);
	set->v = NULL;
	set->n = 0;
}
