/* SPDX-License-Identifier: BSD-2-Clause */
/* webhttp.h: ccmetrics-web's HTTP server (libmicrohttpd, driven by main's poll loop). */
#ifndef CCMETRICS_WEBHTTP_H
#define CCMETRICS_WEBHTTP_H

#include <stddef.h>
#include <stdint.h>

#include "ccmetrics/webconf.h"
#include "ccmetrics/webmetrics.h"
#include "ccmetrics/websse.h"

/* What the pages are made of; owned by main. */
struct webapp {
	const struct webconf	*wc;
	struct wmetrics		*metrics;
	struct sse		*sse;
	struct wmetrics_self	 self;
	/* /state.json: the wallboard's state, NULL until it has one. */
	char			*(*state_json)(void *arg, int64_t now_ms);
	void			*state_arg;
	int64_t			(*now_ms)(void);
};

struct webhttp;

/* Listen on wc->listen; NULL with a message in err. */
struct webhttp	*webhttp_create(struct webapp *, char *err, size_t errlen);
/* The one descriptor to poll for reading (libmicrohttpd's epoll set). */
int		 webhttp_fd(struct webhttp *);
/* Longest wait before webhttp_run() is due, milliseconds (-1: none). */
long		 webhttp_timeout_ms(struct webhttp *);
void		 webhttp_run(struct webhttp *);
/* The sse hooks that suspend, resume and cut connections. */
const struct sse_hooks *webhttp_sse_hooks(void);
void		 webhttp_free(struct webhttp *);

/* The wallboard page, embedded at build time (wallboard-html.c). */
extern const unsigned char	 web_wallboard_html[];
extern const size_t		 web_wallboard_html_len;

#endif
