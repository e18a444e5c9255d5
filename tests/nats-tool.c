/* SPDX-License-Identifier: BSD-2-Clause */
/* nats-tool.c: the tests' JetStream client (Debian ships no nats CLI): streams, counts, dumps, publishes. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#define TOOL_WAIT_STEP_MS	100

static const char	*url = "nats://127.0.0.1:4222";
static const char	*domain;
static const char	*tls_ca, *tls_cert, *tls_key, *token;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: nats-tool [-s URL] [-d DOMAIN] [-a CA -c CERT -k KEY] "
	    "[-t TOKEN] COMMAND ...\n"
	    "  (user and password: in the URL, nats://USER:PASS@HOST:PORT)\n"
	    "  add-stream NAME SUBJECT       a file stream, 2 min duplicate "
	    "window\n"
	    "  add-source NAME FROM API      a stream sourcing stream FROM of "
	    "API prefix\n"
	    "                                (\"$JS.<domain>.API\")\n"
	    "  count NAME                    messages in the stream\n"
	    "  wait-count NAME N SECONDS     until it holds N (at most "
	    "SECONDS); the count\n"
	    "  dump NAME                     each message: subject TAB "
	    "Nats-Msg-Id TAB body\n"
	    "  publish SUBJECT MSGID BODY    one message, sync: "
	    "\"stored SEQ\" or \"duplicate SEQ\"\n");
	exit(2);
}

static void
die(const char *what, natsStatus s, jsErrCode jerr)
{
	fprintf(stderr, "nats-tool: %s: %s (JetStream error %d)%s%s\n", what,
	    natsStatus_GetText(s), (int)jerr,
	    nats_GetLastError(NULL) != NULL ? ": " : "",
	    nats_GetLastError(NULL) != NULL ? nats_GetLastError(NULL) : "");
	exit(1);
}

static jsCtx *
connect_js(natsConnection **nc)
{
	natsOptions	*opts = NULL;
	jsOptions	 jo;
	jsCtx		*js = NULL;
	natsStatus	 s;

	if ((s = natsOptions_Create(&opts)) != NATS_OK ||
	    (s = natsOptions_SetURL(opts, url)) != NATS_OK ||
	    (s = natsOptions_SetTimeout(opts, 5000)) != NATS_OK)
		die("options", s, 0);
	if (tls_ca != NULL && ((s = natsOptions_SetSecure(opts, true)) !=
	    NATS_OK || (s = natsOptions_LoadCATrustedCertificates(opts,
	    tls_ca)) != NATS_OK))
		die("TLS CA", s, 0);
	if (tls_cert != NULL && (s = natsOptions_LoadCertificatesChain(opts,
	    tls_cert, tls_key)) != NATS_OK)
		die("TLS certificate", s, 0);
	if (token != NULL && (s = natsOptions_SetToken(opts, token)) !=
	    NATS_OK)
		die("token", s, 0);
	if ((s = natsConnection_Connect(nc, opts)) != NATS_OK)
		die(url, s, 0);
	natsOptions_Destroy(opts);
	jsOptions_Init(&jo);
	jo.Domain = domain;
	jo.Wait = 10000;
	if ((s = natsConnection_JetStream(&js, *nc, &jo)) != NATS_OK)
		die("JetStream", s, 0);
	return (js);
}

static void
add_stream(jsCtx *js, const char *name, const char *subject,
    const char *from, const char *api)
{
	jsStreamConfig		 sc;
	jsStreamSource		 src, *srcs[1];
	jsExternalStream	 ext;
	jsStreamInfo		*si = NULL;
	jsErrCode		 jerr = 0;
	natsStatus		 s;
	const char		*subjects[1];

	jsStreamConfig_Init(&sc);
	sc.Name = name;
	sc.Storage = js_FileStorage;
	sc.Duplicates = (int64_t)120 * 1000000000;	/* 2 min, ns */
	if (subject != NULL) {
		subjects[0] = subject;
		sc.Subjects = subjects;
		sc.SubjectsLen = 1;
	}
	if (from != NULL) {
		memset(&src, 0, sizeof src);
		memset(&ext, 0, sizeof ext);
		src.Name = from;
		ext.APIPrefix = api;
		ext.DeliverPrefix = "";	/* libnats 3.4 needs a string */
		src.External = &ext;
		srcs[0] = &src;
		sc.Sources = srcs;
		sc.SourcesLen = 1;
	}
	if ((s = js_AddStream(&si, js, &sc, NULL, &jerr)) != NATS_OK)
		die("add stream", s, jerr);
	jsStreamInfo_Destroy(si);
	printf("added %s\n", name);
}

static uint64_t
count(jsCtx *js, const char *name, uint64_t *first, uint64_t *last)
{
	jsStreamInfo	*si = NULL;
	jsErrCode	 jerr = 0;
	natsStatus	 s;
	uint64_t	 n;

	if ((s = js_GetStreamInfo(&si, js, name, NULL, &jerr)) != NATS_OK)
		die("stream info", s, jerr);
	n = si->State.Msgs;
	if (first != NULL)
		*first = si->State.FirstSeq;
	if (last != NULL)
		*last = si->State.LastSeq;
	jsStreamInfo_Destroy(si);
	return (n);
}

static void
dump(jsCtx *js, const char *name)
{
	natsMsg		*m;
	jsErrCode	 jerr;
	natsStatus	 s;
	const char	*id;
	uint64_t	 first, last, seq;

	if (count(js, name, &first, &last) == 0)
		return;
	for (seq = first; seq <= last; seq++) {
		m = NULL;
		jerr = 0;
		s = js_GetMsg(&m, js, name, seq, NULL, &jerr);
		if (s == NATS_NOT_FOUND)
			continue;	/* deleted */
		if (s != NATS_OK)
			die("get message", s, jerr);
		if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) != NATS_OK)
			id = "";
		printf("%s\t%s\t%.*s\n", natsMsg_GetSubject(m), id,
		    natsMsg_GetDataLength(m), natsMsg_GetData(m));
		natsMsg_Destroy(m);
	}
}

static void
publish(jsCtx *js, const char *subject, const char *id, const char *body)
{
	natsMsg		*m = NULL;
	jsPubAck	*pa = NULL;
	jsErrCode	 jerr = 0;
	natsStatus	 s;

	if ((s = natsMsg_Create(&m, subject, NULL, body,
	    (int)strlen(body))) != NATS_OK ||
	    (s = natsMsgHeader_Set(m, "Nats-Msg-Id", id)) != NATS_OK)
		die("message", s, 0);
	if ((s = js_PublishMsg(&pa, js, m, NULL, &jerr)) != NATS_OK)
		die("publish", s, jerr);
	printf("%s %" PRIu64 "\n", pa->Duplicate ? "duplicate" : "stored",
	    pa->Sequence);
	jsPubAck_Destroy(pa);
	natsMsg_Destroy(m);
}

int
main(int argc, char **argv)
{
	natsConnection	*nc = NULL;
	jsCtx		*js;
	struct timespec	 step = { 0, TOOL_WAIT_STEP_MS * 1000000L };
	uint64_t	 n, want;
	long		 waited, limit;
	int		 ch;

	while ((ch = getopt(argc, argv, "s:d:a:c:k:t:")) != -1) {
		switch (ch) {
		case 'a':
			tls_ca = optarg;
			break;
		case 'c':
			tls_cert = optarg;
			break;
		case 'k':
			tls_key = optarg;
			break;
		case 't':
			token = optarg;
			break;
		case 's':
			url = optarg;
			break;
		case 'd':
			domain = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	js = connect_js(&nc);
	if (strcmp(argv[0], "add-stream") == 0 && argc == 3)
		add_stream(js, argv[1], argv[2], NULL, NULL);
	else if (strcmp(argv[0], "add-source") == 0 && argc == 4)
		add_stream(js, argv[1], NULL, argv[2], argv[3]);
	else if (strcmp(argv[0], "count") == 0 && argc == 2)
		printf("%" PRIu64 "\n", count(js, argv[1], NULL, NULL));
	else if (strcmp(argv[0], "wait-count") == 0 && argc == 4) {
		want = strtoull(argv[2], NULL, 10);
		limit = strtol(argv[3], NULL, 10) * 1000;
		for (waited = 0; (n = count(js, argv[1], NULL, NULL)) < want &&
		    waited < limit; waited += TOOL_WAIT_STEP_MS)
			nanosleep(&step, NULL);
		printf("%" PRIu64 "\n", n);
	} else if (strcmp(argv[0], "dump") == 0 && argc == 2)
		dump(js, argv[1]);
	else if (strcmp(argv[0], "publish") == 0 && argc == 4)
		publish(js, argv[1], argv[2], argv[3]);
	else
		usage();
	fflush(stdout);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	nats_CloseAndWait(2000);
	return (0);
}
