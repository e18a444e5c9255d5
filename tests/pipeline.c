/* SPDX-License-Identifier: BSD-2-Clause */
/* pipeline.c: the leg, contact, agent, interval and record stages wired for tests. */

#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ccmetrics/jsonw.h"
#include "ccmetrics/record.h"

#include "pipeline.h"

static void
on_interval(const struct interval_record *r, void *arg)
{
	struct pipe	*p = arg;

	record_interval(p->pub, r);
}

static void
on_agent(const struct agent_event *ev, void *arg)
{
	struct pipe	*p = arg;

	interval_agent_input(p->intervals, ev);
	record_agent_event(p->pub, ev);
}

static void
on_counts(void *arg, const char *queue, struct agent_counts *out)
{
	struct pipe	*p = arg;

	agent_queue_counts(p->agents, queue, out);
}

static void
on_contact(const struct contact_event *ev, void *arg)
{
	struct pipe	*p = arg;

	assert_true(ev->type < CONTACT_EV_NTYPES);
	p->nev[ev->type]++;
	agent_contact_input(p->agents, ev);
	interval_input(p->intervals, ev);
	record_contact_event(p->pub, ev);
}

static void
on_leg(const struct leg_event *ev, void *arg)
{
	struct pipe	*p = arg;

	agent_leg_input(p->agents, ev);
	contact_input(p->contacts, ev);
}

void
pipe_open(struct pipe *p, const char *yaml)
{
	char	*text, err[256];
	int	 fd;
	size_t	 len;

	memset(p, 0, sizeof *p);
	snprintf(p->path, sizeof p->path, "/tmp/ccm-unit-XXXXXX");
	fd = mkstemp(p->path);
	assert_true(fd >= 0);
	close(fd);
	len = strlen(yaml) + strlen(p->path) + 64;
	text = malloc(len);
	assert_non_null(text);
	snprintf(text, len, "%spublish:\n  zmq: ~\n  jsonl: { path: \"%s\" }\n",
	    yaml, p->path);
	p->cfg = config_load_string("unit.yaml", text, stderr);
	free(text);
	assert_non_null(p->cfg);
	p->pub = publish_create(p->cfg, 0, err, sizeof err);
	if (p->pub == NULL)
		fail_msg("publish_create: %s", err);
	/* Nothing is left behind in /tmp, even by a failing test. */
	p->fd = open(p->path, O_RDONLY);
	assert_true(p->fd >= 0);
	unlink(p->path);
	p->intervals = interval_create(p->cfg, on_interval, p);
	interval_set_agent_counts(p->intervals, on_counts, p);
	p->agents = agent_create(p->cfg, on_agent, p);
	p->contacts = contact_create(p->cfg, on_contact, p);
	p->legs = leg_create(p->cfg, on_leg, p);
	leg_set_binding(p->legs, agent_binding, p->agents);
}

void
pipe_tick(struct pipe *p, int64_t now_us)
{
	if (now_us > p->now_us)
		p->now_us = now_us;
	/* As pipeline.c: BYEs unanswered for 1 s end their legs first. */
	leg_settle(p->legs, p->now_us);
	agent_advance(p->agents, p->now_us);
	interval_advance(p->intervals, p->now_us);
	if (p->next_tick_us == 0 || p->now_us < p->next_tick_us) {
		if (p->next_tick_us == 0)
			p->next_tick_us = p->now_us + 1000000;
		return;
	}
	p->next_tick_us = p->now_us + 1000000;
	leg_expire(p->legs, p->now_us);
	contact_expire(p->contacts, p->now_us);
}

void
pipe_feed(struct pipe *p, const struct sip_msg *m)
{
	pipe_tick(p, m->ts_us);
	if (agent_sip_input(p->agents, m))
		return;
	leg_input(p->legs, m);
}

void
pipe_flush(struct pipe *p, int64_t now_us)
{
	pipe_tick(p, now_us);
	leg_flush(p->legs, p->now_us);
	agent_flush(p->agents, p->now_us);
	interval_flush(p->intervals, p->now_us);
}

const struct contact_stats *
pipe_contact_stats(const struct pipe *p)
{
	return (p->contacts != NULL ? contact_get_stats(p->contacts) :
	    &p->cstats);
}

const struct interval_stats *
pipe_interval_stats(const struct pipe *p)
{
	return (p->intervals != NULL ? interval_get_stats(p->intervals) :
	    &p->istats);
}

size_t
pipe_nev(const struct pipe *p, enum contact_event_type t)
{
	return (p->nev[t]);
}

void
pipe_done(struct pipe *p)
{
	json_error_t	 jerr;
	json_t		*o;
	FILE		*f;
	char		 line[65536];

	p->cstats = *contact_get_stats(p->contacts);
	p->istats = *interval_get_stats(p->intervals);
	p->astats = *agent_get_stats(p->agents);
	leg_free(p->legs);
	contact_free(p->contacts);
	agent_free(p->agents);
	p->agents = NULL;
	interval_free(p->intervals);
	publish_free(p->pub);
	p->legs = NULL;
	p->contacts = NULL;
	p->intervals = NULL;
	p->pub = NULL;
	p->out = json_array();
	p->raw = json_array();
	f = fdopen(p->fd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		if ((o = json_loads(line, 0, &jerr)) == NULL)
			fail_msg("bad JSON line: %s: %s", jerr.text, line);
		json_array_append_new(p->out, o);
		line[strcspn(line, "\n")] = '\0';
		json_array_append_new(p->raw, json_string(line));
	}
	fclose(f);
}

void
pipe_close(struct pipe *p)
{
	if (p->out == NULL)
		pipe_done(p);
	json_decref(p->out);
	json_decref(p->raw);
	config_free(p->cfg);
}

size_t
pipe_count(const struct pipe *p, const char *topic)
{
	size_t	 i, n = 0;
	json_t	*o;

	json_array_foreach(p->out, i, o)
		if (strcmp(json_string_value(json_object_get(o, "topic")),
		    topic) == 0)
			n++;
	return (n);
}

json_t *
pipe_get(const struct pipe *p, const char *topic, size_t nth)
{
	size_t	 i;
	json_t	*o;

	json_array_foreach(p->out, i, o)
		if (strcmp(json_string_value(json_object_get(o, "topic")),
		    topic) == 0 && nth-- == 0)
			return (o);
	fail_msg("no %s number %zu among %zu published objects", topic, nth,
	    json_array_size(p->out));
	return (NULL);
}

const char *
pipe_line(const struct pipe *p, const char *topic, size_t nth)
{
	size_t	 i;
	json_t	*o;

	json_array_foreach(p->out, i, o)
		if (strcmp(json_string_value(json_object_get(o, "topic")),
		    topic) == 0 && nth-- == 0)
			return (json_string_value(json_array_get(p->raw, i)));
	fail_msg("no %s line", topic);
	return (NULL);
}

json_t *
pipe_find(const struct pipe *p, const char *topic, const char *key,
    const char *value)
{
	size_t	 i;
	json_t	*o, *v;

	json_array_foreach(p->out, i, o) {
		v = json_object_get(o, key);
		if (strcmp(json_string_value(json_object_get(o, "topic")),
		    topic) == 0 && json_is_string(v) &&
		    strcmp(json_string_value(v), value) == 0)
			return (o);
	}
	fail_msg("no %s with %s \"%s\"", topic, key, value);
	return (NULL);
}

static json_t *
pipe_find_interval(const struct pipe *p, const char *kind, const char *key,
    const char *name, int64_t start_us)
{
	char	 topic[256], start[64];
	size_t	 i;
	json_t	*o;

	snprintf(topic, sizeof topic, "%s.%s", kind, name);
	jsonw_format_time(start_us, start, sizeof start);
	json_array_foreach(p->out, i, o)
		if (strcmp(json_string_value(json_object_get(o, "topic")),
		    topic) == 0 && strcmp(json_string_value(json_object_get(o,
		    "start")), start) == 0 && strcmp(json_string_value(
		    json_object_get(o, key)), name) == 0)
			return (o);
	fail_msg("no %s starting %s", topic, start);
	return (NULL);
}

json_t *
pipe_interval(const struct pipe *p, const char *queue, int64_t start_us)
{
	return (pipe_find_interval(p, "interval.queue", "queue", queue,
	    start_us));
}

json_t *
pipe_agent_interval(const struct pipe *p, const char *agent, int64_t start_us)
{
	return (pipe_find_interval(p, "interval.agent", "agent", agent,
	    start_us));
}

static json_t *
member(json_t *o, const char *key, const char *file, int line)
{
	json_t	*v;

	if (o == NULL)
		_fail(file, line);
	if ((v = json_object_get(o, key)) == NULL) {
		print_error("%s: no such key\n", key);
		_fail(file, line);
	}
	return (v);
}

void
pipe_expect_int(json_t *o, const char *key, long long want, const char *file,
    int line)
{
	json_t	*v = member(o, key, file, line);

	if (!json_is_integer(v)) {
		print_error("%s: expected %lld, got a non-integer\n", key, want);
		_fail(file, line);
	}
	if (json_integer_value(v) != want) {
		print_error("%s: expected %lld, got %lld\n", key, want,
		    (long long)json_integer_value(v));
		_fail(file, line);
	}
}

void
pipe_expect_num(json_t *o, const char *key, double want, const char *file,
    int line)
{
	json_t	*v = member(o, key, file, line);
	double	 got;

	if (!json_is_number(v)) {
		print_error("%s: expected %.6f, got a non-number\n", key, want);
		_fail(file, line);
	}
	got = json_number_value(v);
	if (got - want > 1e-9 || want - got > 1e-9) {
		print_error("%s: expected %.6f, got %.6f\n", key, want, got);
		_fail(file, line);
	}
}

void
pipe_expect_str(json_t *o, const char *key, const char *want,
    const char *file, int line)
{
	json_t	*v = member(o, key, file, line);

	if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0) {
		print_error("%s: expected \"%s\", got %s%s%s\n", key, want,
		    json_is_string(v) ? "\"" : "a non-string",
		    json_is_string(v) ? json_string_value(v) : "",
		    json_is_string(v) ? "\"" : "");
		_fail(file, line);
	}
}

void
pipe_expect_null(json_t *o, const char *key, const char *file, int line)
{
	json_t	*v = member(o, key, file, line);
	char	*s;

	if (!json_is_null(v)) {
		s = json_dumps(v, JSON_ENCODE_ANY);
		print_error("%s: expected null, got %s\n", key, s);
		free(s);
		_fail(file, line);
	}
}

void
pipe_expect_bool(json_t *o, const char *key, bool want, const char *file,
    int line)
{
	json_t	*v = member(o, key, file, line);

	if (!json_is_boolean(v) || json_is_true(v) != want) {
		print_error("%s: expected %s, got %s\n", key,
		    want ? "true" : "false", json_is_true(v) ? "true" :
		    json_is_false(v) ? "false" : "a non-boolean");
		_fail(file, line);
	}
}

void
pipe_expect_strs(json_t *o, const char *key, const char *file, int line, ...)
{
	json_t		*v = member(o, key, file, line), *e;
	const char	*want;
	va_list		 ap;
	size_t		 i = 0;
	char		*s;
	bool		 ok = json_is_array(v);

	va_start(ap, line);
	while (ok && (want = va_arg(ap, const char *)) != NULL) {
		e = json_array_get(v, i++);
		ok = json_is_string(e) && strcmp(json_string_value(e),
		    want) == 0;
	}
	va_end(ap);
	if (ok && i == json_array_size(v))
		return;
	s = json_dumps(v, JSON_ENCODE_ANY);
	print_error("%s: expected [", key);
	va_start(ap, line);
	while ((want = va_arg(ap, const char *)) != NULL)
		print_error(" \"%s\"", want);
	va_end(ap);
	print_error(" ], got %s\n", s);
	free(s);
	_fail(file, line);
}

void
pipe_expect_hist(json_t *o, const char *key, const long long *want,
    const char *file, int line)
{
	json_t	*v = member(o, key, file, line), *e;
	size_t	 i;
	char	*s;

	if (json_array_size(v) != INTERVAL_WAIT_BUCKETS)
		goto bad;
	json_array_foreach(v, i, e)
		if (!json_is_integer(e) || json_integer_value(e) != want[i])
			goto bad;
	return;
bad:
	s = json_dumps(v, JSON_ENCODE_ANY);
	print_error("%s: expected [", key);
	for (i = 0; i < INTERVAL_WAIT_BUCKETS; i++)
		print_error("%s%lld", i > 0 ? "," : "", want[i]);
	print_error("], got %s\n", s);
	free(s);
	_fail(file, line);
}

struct sip_msg
sipm(const struct dlg *d, enum sip_method method, int status, bool by_uac,
    uint32_t cseq, int64_t ts_us)
{
	struct sip_msg	 m;
	bool		 req = status == 0;
	/* Requests go from the sender's side, responses back to it. */
	bool		 from_uac = req ? by_uac : !by_uac;
	const char	*ttag;

	memset(&m, 0, sizeof m);
	m.ts_us = ts_us;
	assert_int_equal(addr_parse(from_uac ? d->uac : d->uas, &m.src.ip), 0);
	assert_int_equal(addr_parse(from_uac ? d->uas : d->uac, &m.dst.ip), 0);
	m.src.port = m.dst.port = 5060;
	m.transport = DECODE_UDP;
	m.is_request = req;
	m.method = method;
	m.status = status;
	m.cseq = cseq;
	snprintf(m.call_id, sizeof m.call_id, "%s", d->call_id);
	/* No To-tag on the initial INVITE, its CANCEL and a 100. */
	ttag = (method == SIP_INVITE && cseq == 1 && (req ||
	    status == SIP_TRYING)) || (method == SIP_CANCEL && req) ? "" :
	    d->ttag;
	if (by_uac) {
		snprintf(m.from_tag, sizeof m.from_tag, "%s", d->ftag);
		snprintf(m.to_tag, sizeof m.to_tag, "%s", ttag);
		snprintf(m.from_user, sizeof m.from_user, "%s", d->from_user);
		snprintf(m.to_user, sizeof m.to_user, "%s", d->ruri_user);
	} else {
		snprintf(m.from_tag, sizeof m.from_tag, "%s", d->ttag);
		snprintf(m.to_tag, sizeof m.to_tag, "%s", d->ftag);
		snprintf(m.from_user, sizeof m.from_user, "%s", d->ruri_user);
		snprintf(m.to_user, sizeof m.to_user, "%s", d->from_user);
	}
	if (req)
		snprintf(m.ruri_user, sizeof m.ruri_user, "%s",
		    by_uac ? d->ruri_user : d->from_user);
	snprintf(m.branch, sizeof m.branch, "z9hG4bK-%s-%u-%d", d->call_id,
	    (unsigned)cseq, (int)method == SIP_CANCEL ? SIP_INVITE :
	    (int)method);
	if (method == SIP_INVITE && cseq == 1) {
		if (d->corr0 != NULL)
			snprintf(m.corr[0], sizeof m.corr[0], "%s", d->corr0);
		if (d->replaces != NULL && req)
			snprintf(m.replaces_call_id,
			    sizeof m.replaces_call_id, "%s", d->replaces);
	}
	m.sdp_dir = SDP_DIR_NONE;
	m.refer_event_id = -1;
	return (m);
}

void
send_invite(struct pipe *p, const struct dlg *d, int64_t ts_us)
{
	struct sip_msg	m = sipm(d, SIP_INVITE, 0, true, 1, ts_us);

	pipe_feed(p, &m);
}

void
send_resp(struct pipe *p, const struct dlg *d, int status, int64_t ts_us)
{
	struct sip_msg	m = sipm(d, SIP_INVITE, status, true, 1, ts_us);

	pipe_feed(p, &m);
	if (status >= 200) {
		m = sipm(d, SIP_ACK, 0, true, 1, ts_us + 5000);
		pipe_feed(p, &m);
	}
}

void
send_cancel(struct pipe *p, const struct dlg *d, int64_t ts_us)
{
	struct sip_msg	m = sipm(d, SIP_CANCEL, 0, true, 1, ts_us);

	pipe_feed(p, &m);
	m = sipm(d, SIP_CANCEL, SIP_OK, true, 1, ts_us + 5000);
	pipe_feed(p, &m);
	send_resp(p, d, SIP_REQUEST_TERMINATED, ts_us + 10000);
}

void
send_bye(struct pipe *p, const struct dlg *d, bool by_uac, uint32_t cseq,
    int64_t ts_us)
{
	struct sip_msg	m = sipm(d, SIP_BYE, 0, by_uac, cseq, ts_us);

	pipe_feed(p, &m);
	m = sipm(d, SIP_BYE, SIP_OK, by_uac, cseq, ts_us + 10000);
	pipe_feed(p, &m);
}

void
send_offer(struct pipe *p, const struct dlg *d, bool by_uac, uint32_t cseq,
    enum sdp_dir dir, bool c_zero, int64_t ts_us)
{
	struct sip_msg	m = sipm(d, SIP_INVITE, 0, by_uac, cseq, ts_us);

	m.has_sdp = true;
	m.sdp_dir = dir;
	m.sdp_c_zero = c_zero;
	pipe_feed(p, &m);
	m = sipm(d, SIP_INVITE, SIP_OK, by_uac, cseq, ts_us + 20000);
	pipe_feed(p, &m);
	m = sipm(d, SIP_ACK, 0, by_uac, cseq, ts_us + 25000);
	pipe_feed(p, &m);
}

void
send_refer(struct pipe *p, const struct dlg *d, bool by_uac, uint32_t cseq,
    const char *refer_to, const char *replaces, int status, int64_t ts_us)
{
	struct sip_msg	m = sipm(d, SIP_REFER, 0, by_uac, cseq, ts_us);

	snprintf(m.refer_to, sizeof m.refer_to, "%s", refer_to);
	if (replaces != NULL)
		snprintf(m.replaces_call_id, sizeof m.replaces_call_id, "%s",
		    replaces);
	pipe_feed(p, &m);
	m = sipm(d, SIP_REFER, status, by_uac, cseq, ts_us + 20000);
	pipe_feed(p, &m);
}

void
send_notify(struct pipe *p, const struct dlg *d, bool by_uac, uint32_t cseq,
    int frag_status, int64_t event_id, int64_t ts_us)
{
	struct sip_msg	m = sipm(d, SIP_NOTIFY, 0, by_uac, cseq, ts_us);

	m.refer_frag_status = frag_status;
	m.refer_event_id = event_id;
	pipe_feed(p, &m);
	m = sipm(d, SIP_NOTIFY, SIP_OK, by_uac, cseq, ts_us + 10000);
	pipe_feed(p, &m);
}

void
send_answered(struct pipe *p, const struct dlg *d, int64_t ts_us,
    int64_t answer_us)
{
	send_invite(p, d, ts_us);
	send_resp(p, d, SIP_RINGING, ts_us + 100000);
	send_resp(p, d, SIP_OK, answer_us);
}
