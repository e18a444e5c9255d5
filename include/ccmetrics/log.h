/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h: one small logging module for the daemon, its tools and tests.
 * Each message is one line; each format string (a call site) writes at
 * most 10 lines in 10 s, then one "N more messages like ... suppressed".
 */
#ifndef CCMETRICS_LOG_H
#define CCMETRICS_LOG_H

#include <stdint.h>
#include <stdio.h>

enum log_level { LOG_LEVEL_ERR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void	log_open(const char *progname, enum log_level level);
void	log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Report classes whose flood ended; call about once a second. */
void	log_tick(void);
/* Tests: write to f (NULL: stderr) on this clock (NULL: monotonic). */
void	log_set_output(FILE *f, int64_t (*clock_us)(void));
/* From now on, log to syslog (LOG_DAEMON) instead of stderr. */
void	log_syslog(void);
void	log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error that no flood control may hide (each reload error). */
void	log_err_unlimited(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* fatal() appends strerror(errno); fatalx() does not. Both exit(1). */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
