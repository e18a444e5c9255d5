/* SPDX-License-Identifier: BSD-2-Clause */
/* notify-none.c: the notify module when built without libsystemd. */
#include "config.h"

#include "ccmetrics/notify.h"

void
notify_ready(void)
{
}

void
notify_reloading(void)
{
}

void
notify_stopping(void)
{
}
