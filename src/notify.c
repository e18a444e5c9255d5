/* SPDX-License-Identifier: BSD-2-Clause */
/* notify.c: sd_notify(3) readiness, reload and stop messages to systemd. */
#include "config.h"

#include <time.h>

#include <systemd/sd-daemon.h>

#include "ccmetrics/notify.h"

void
notify_ready(void)
{
	sd_notify(0, "READY=1");
}

void
notify_reloading(void)
{
	struct timespec	ts;

	/* systemd 253+ (Type=notify-reload) wants the time of the request. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
}

void
notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}
