/* log.c: leveled logging to stderr for the daemon and its tools. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "ccmetrics/log.h"

static const char	*log_progname = "ccmetrics";
static enum log_level	 log_level = LOG_LEVEL_INFO;
static int		 log_to_syslog;

void
log_open(const char *progname, enum log_level level)
{
	log_progname = progname;
	log_level = level;
}

void
log_syslog(void)
{
	openlog(log_progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_to_syslog = 1;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

static void __attribute__((format(printf, 2, 0)))
log_vwrite(enum log_level level, const char *fmt, va_list ap,
    const char *suffix)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char		 msg[1024];

	if (level > log_level)
		return;
	if (log_to_syslog) {
		vsnprintf(msg, sizeof msg, fmt, ap);
		if (suffix != NULL)
			syslog(prio[level], "%s: %s", msg, suffix);
		else
			syslog(prio[level], "%s", msg);
		return;
	}
	fprintf(stderr, "%s: %s: ", log_progname, names[level]);
	vfprintf(stderr, fmt, ap);
	if (suffix != NULL)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
}

#define LOG_FN(name, level)					\
void								\
name(const char *fmt, ...)					\
{								\
	va_list	ap;						\
								\
	va_start(ap, fmt);					\
	log_vwrite(level, fmt, ap, NULL);			\
	va_end(ap);						\
}
LOG_FN(log_err, LOG_LEVEL_ERR)
LOG_FN(log_warn, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	char	 err[128];

	snprintf(err, sizeof err, "%s", strerror(errno));
	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERR, fmt, ap, err);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
