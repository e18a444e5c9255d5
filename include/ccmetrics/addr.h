/* SPDX-License-Identifier: BSD-2-Clause */
/* addr.h: IPv4/IPv6 addresses, CIDR prefixes and sets of them. */
#ifndef CCMETRICS_ADDR_H
#define CCMETRICS_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_STRLEN 46		/* INET6_ADDRSTRLEN */

/* An IPv4 address is kept in bytes[0..3], family AF_INET. */
struct addr {
	uint8_t		family;
	uint8_t		bytes[16];
};

struct cidr {
	struct addr	net;
	uint8_t		prefix;
};

struct addrset {
	struct cidr	*v;
	size_t		 n;
};

int		 addr_parse(const char *s, struct addr *out);
int		 cidr_parse(const char *s, struct cidr *out);
int		 addr_equal(const struct addr *a, const struct addr *b);
const char	*addr_format(const struct addr *a, char *buf, size_t len);
void		 addrset_add(struct addrset *set, const struct cidr *c);
int		 addrset_contains(const struct addrset *set, const struct addr *a);
void		 addrset_free(struct addrset *set);

#endif
