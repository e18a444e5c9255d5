/* SPDX-License-Identifier: BSD-2-Clause */
/* notify.h: tell the service manager (systemd) what the daemon is doing. */
#ifndef CCMETRICS_NOTIFY_H
#define CCMETRICS_NOTIFY_H

/*
 * Built with libsystemd these send sd_notify(3) messages (no-ops when not
 * started by systemd); built without, they do nothing.
 */
void	notify_ready(void);		/* READY=1 */
void	notify_reloading(void);		/* RELOADING=1 */
void	notify_stopping(void);		/* STOPPING=1 */

#endif
