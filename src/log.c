/* SPDX-License-Identifier: BSD-2-Clause */
/* log.c: leveled, rate-limited logging to stderr or syslog. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "ccmetrics/log.h"

/*
 * A flood (a broken peer, a full disk) must not drown the log nor slow
 * the capture: each message class, its format string, writes at most
 * LOG_BURST lines per LOG_WINDOW_US, then one line saying how many more
 * were suppressed.
 */
#define LOG_BURST		10
#define LOG_WINDOW_US		(10 * 1000000LL)
#define LOG_CLASSES		64	/* distinct formats tracked */

struct log_class {
	const char	*fmt;		/* NULL: free slot */
	enum log_level	 level;
	int64_t		 window_us;	/* start of the current window */
	unsigned int	 lines;		/* written in it */
	unsigned long	 suppressed;	/* dropped in it */
};

static const char	*log_progname = "ccmetrics";
static enum log_level	 log_level = LOG_LEVEL_INFO;
static int		 log_to_syslog;
static int		 log_journal;	/* stderr is systemd's journal */
static FILE		*log_out;	/* NULL: stderr */
static int64_t		(*log_clock)(void);
static struct log_class	 log_classes[LOG_CLASSES];

static const char *const log_names[] = { "error", "warning", "info", "debug" };
static const int log_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

static int64_t
log_monotonic_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000);
}

/*
 * Whether stderr is the journal: systemd puts its device and inode in
 * JOURNAL_STREAM (systemd.exec(5)); a child with another stderr is not.
 */
static int
log_stderr_is_journal(void)
{
	const char		*v = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;

	if (v == NULL || sscanf(v, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(2, &st) == -1)
		return (0);
	return ((unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino);
}

void
log_open(const char *progname, enum log_level level)
{
	log_progname = progname;
	log_level = level;
	log_journal = log_stderr_is_journal();
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

enum log_level
log_get_level(void)
{
	return (log_level);
}

void
log_set_output(FILE *f, int64_t (*clock_us)(void))
{
	log_out = f;
	log_clock = clock_us;
	memset(log_classes, 0, sizeof log_classes);
}

/* One finished line, to syslog, the journal or the stream. */
static void
log_line(enum log_level level, const char *msg)
{
	FILE	*f = log_out != NULL ? log_out : stderr;

	if (log_to_syslog)
		syslog(log_prio[level], "%s", msg);
	else if (log_journal && log_out == NULL)
		fprintf(f, "<%d>%s: %s\n", log_prio[level], log_names[level],
		    msg);
	else
		fprintf(f, "%s: %s: %s\n", log_progname, log_names[level], msg);
	fflush(f);
}

/* The class of fmt, by address: one per call site in practice. */
static struct log_class *
log_class_of(const char *fmt)
{
	size_t	h = ((uintptr_t)fmt >> 3) % LOG_CLASSES, i;

	for (i = 0; i < LOG_CLASSES; i++) {
		struct log_class *c = &log_classes[(h + i) % LOG_CLASSES];

		if (c->fmt == fmt || c->fmt == NULL) {
			c->fmt = fmt;
			return (c);
		}
	}
	return (&log_classes[h]);	/* full: share a slot */
}

static void
log_report_suppressed(struct log_class *c)
{
	char	msg[256];

	if (c->suppressed == 0)
		return;
	snprintf(msg, sizeof msg, "%lu more messages like \"%.120s\" "
	    "suppressed in %lld s", c->suppressed, c->fmt,
	    LOG_WINDOW_US / 1000000LL);
	log_line(c->level, msg);
	c->suppressed = 0;
}

/* Whether a message of class fmt may be written now. */
static int
log_admit(const char *fmt, enum log_level level)
{
	struct log_class	*c = log_class_of(fmt);
	int64_t			 now = (log_clock != NULL ? log_clock :
				    log_monotonic_us)();

	if (now - c->window_us >= LOG_WINDOW_US || c->lines == 0) {
		log_report_suppressed(c);
		c->window_us = now;
		c->lines = 0;
	}
	if (c->lines >= LOG_BURST) {
		c->suppressed++;
		c->level = level;
		return (0);
	}
	c->lines++;
	return (1);
}

void
log_tick(void)
{
	int64_t	now = (log_clock != NULL ? log_clock : log_monotonic_us)();
	size_t	i;

	for (i = 0; i < LOG_CLASSES; i++) {
		struct log_class *c = &log_classes[i];

		if (c->fmt != NULL && c->suppressed > 0 &&
		    now - c->window_us >= LOG_WINDOW_US) {
			log_report_suppressed(c);
			c->window_us = now;
			c->lines = 0;
		}
	}
}

static void __attribute__((format(printf, 2, 0)))
log_vwrite(enum log_level level, const char *fmt, va_list ap,
    const char *suffix, int limited)
{
	char	msg[1024];
	size_t	len;

	if (level > log_level)
		return;
	if (limited && !log_admit(fmt, level))
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (suffix != NULL) {
		len = strlen(msg);
		snprintf(msg + len, sizeof msg - len, ": %s", suffix);
	}
	log_line(level, msg);
}

#define LOG_FN(name, level)					\
void								\
name(const char *fmt, ...)					\
{								\
	va_list	ap;						\
								\
	va_start(ap, fmt);					\
	log_vwrite(level, fmt, ap, NULL, 1);			\
	va_end(ap);						\
}
LOG_FN(log_err, LOG_LEVEL_ERR)
LOG_FN(log_warn, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

void
log_err_unlimited(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERR, fmt, ap, NULL, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	char	 err[128];

	snprintf(err, sizeof err, "%s", strerror(errno));
	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERR, fmt, ap, err, 0);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERR, fmt, ap, NULL, 0);
	va_end(ap);
	exit(1);
}
