/* SPDX-License-Identifier: BSD-2-Clause */
/* heplisten.h: the HEPv3 UDP listener of capture.hep_listen. */
#ifndef CCMETRICS_HEPLISTEN_H
#define CCMETRICS_HEPLISTEN_H

#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/addr.h"
#include "ccmetrics/hep.h"

struct hep_listener;

/* Bind a UDP socket; NULL and a message in err. */
struct hep_listener *heplisten_open(const struct addr *addr, uint16_t port,
		    char *err, size_t errlen);
int		 heplisten_fd(const struct hep_listener *hl);
/*
 * Take datagrams only from sources (NULL or empty: any) carrying the auth
 * key password (NULL: none asked); both must outlive the listener's use
 * of them: set again when the configuration holding them is replaced.
 */
void		 heplisten_set_access(struct hep_listener *hl,
		    const struct addrset *sources, const char *password);
/*
 * Read up to max datagrams waiting, each SIP payload to sink. Returns
 * how many were read, -1 on a socket error (logged).
 */
int		 heplisten_read(struct hep_listener *hl, int max,
		    payload_sink sink, void *arg);
const struct hep_stats *heplisten_get_stats(struct hep_listener *hl);
void		 heplisten_close(struct hep_listener *hl);

#endif
