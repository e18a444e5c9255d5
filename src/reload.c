/* SPDX-License-Identifier: BSD-2-Clause */
/* reload.c: loads a configuration file on a thread, so capture keeps draining. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ccmetrics/capture.h"
#include "ccmetrics/reload.h"
#include "ccmetrics/xmalloc.h"

/*
 * The loader shares nothing with the pipeline: it reads the file into a
 * struct config of its own and writes one byte to a pipe when done; the
 * main thread joins it and swaps the configuration in. A 1 MiB file of
 * 100000 DNIS takes about a second to load: on the main thread that is a
 * second of packets left in the kernel's buffer (27 s and 240000 drops
 * before the DNIS checks were made linear).
 */
struct reload {
	pthread_t	 thread;
	int		 pipe[2];	/* [0] polled, [1] written once */
	int		 finished;
	char		*path;
	struct config	*cfg;
	char		*msgs;
	size_t		 msgs_len;
};

static void *
reload_main(void *arg)
{
	struct reload	*r = arg;
	FILE		*f;
	char		 err[512];
	ssize_t		 n;

	if ((f = open_memstream(&r->msgs, &r->msgs_len)) == NULL)
		return (NULL);
	r->cfg = config_load(r->path, f);
	if (r->cfg != NULL && capture_check_filter(r->cfg->filter, err,
	    sizeof err) == -1) {
		fprintf(f, "%s: capture.filter: %s\n", r->path, err);
		config_free(r->cfg);
		r->cfg = NULL;
	}
	fclose(f);
	do {
		n = write(r->pipe[1], "", 1);
	} while (n == -1 && errno == EINTR);
	return (NULL);
}

struct reload *
reload_start(const char *path, char *err, size_t errlen)
{
	struct reload	*r;
	sigset_t	 all, old;
	int		 rc;

	r = xcalloc(1, sizeof *r);
	if (pipe2(r->pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		free(r);
		return (NULL);
	}
	r->path = xstrdup(path);
	/* Signals stay the main thread's: they cut its poll() short. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, reload_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "pthread_create: %s", strerror(rc));
		close(r->pipe[0]);
		close(r->pipe[1]);
		free(r->path);
		free(r);
		return (NULL);
	}
	return (r);
}

int
reload_fd(const struct reload *r)
{
	return (r->pipe[0]);
}

int
reload_done(struct reload *r)
{
	char	c;

	if (!r->finished && read(r->pipe[0], &c, 1) == 1)
		r->finished = 1;
	return (r->finished);
}

struct config *
reload_finish(struct reload *r, char **msgs)
{
	struct config	*cfg;

	pthread_join(r->thread, NULL);
	close(r->pipe[0]);
	close(r->pipe[1]);
	cfg = r->cfg;
	*msgs = r->msgs;
	if (*msgs != NULL && **msgs == '\0') {
		free(*msgs);
		*msgs = NULL;
	}
	free(r->path);
	free(r);
	return (cfg);
}
