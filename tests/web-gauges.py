#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# web-gauges.py: the generator's truth of ccmetrics-web's gauges at one snapshot, for tests/web-gauges.sh.
"""Subcommands:

pick RT STATES: the snapshot time (of the rt.queue truth) to cut a day at:
  callers waiting, no agent.state change within 1.5 s before it (published
  about 1 s after its ts: at the cut all are out) nor at it, no agent
  ringing or busy_other; the first of those with agents on hold, then the
  most agent states. Prints "TS MS".
cut IN OUT MS: the pcap IN up to the snapshot packet at MS (the records of
  that millisecond included) to OUT.
last RT STATES: the last snapshot of a whole day: no change within 1.5 s
  before it (one at it is after the snapshot, by definition).
expect --site S --rt RT --states ST --members Q=A,B;Q2=... --at TS OUT:
  every gauge series ccmetrics-web must show for site S after the feed
  stopped at snapshot TS, computed from the truth alone, as JSON
  {series: value}; the per-agent states are those at TS, or with --final
  the last of each agent (a whole day: every change is published, the last
  ones after the last snapshot). --offered IQ adds the day's
  calls_offered_total and calls_answered_total per queue (a whole day's
  interval truth). With --flushed (a day cut at TS) the legs still up
  end there (docs/schema.md: end_reason flushed, at the end of the capture
  file): an agent on a call goes to wrap-up (every queue of these days has
  a wrapup_s); a day with an agent ringing or busy_other then is refused.
compare EXPOSITION PER_AGENT EXPECT...: every expected series has its
  value, and the gauge families hold no other series; with PER_AGENT 0 no
  ccmetrics_agent_state series at all.
"""
import datetime
import json
import re
import struct
import sys

STATES = ["on_call", "busy_other", "ringing", "wrapup", "logged_out",
          "paused", "available", "unknown"]
QSTATES = ["available", "ringing", "on_call", "busy_other", "wrapup",
           "paused"]
GAUGES = ("ccmetrics_queue_waiting", "ccmetrics_queue_longest_wait_seconds",
          "ccmetrics_queue_talking", "ccmetrics_queue_on_hold",
          "ccmetrics_queue_agents", "ccmetrics_agents",
          "ccmetrics_agent_state")


def ms(ts):
    d = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ")
    d = d.replace(tzinfo=datetime.timezone.utc)
    return round(d.timestamp() * 1000)


def load(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def snapshots(rt):
    out = {}
    for r in rt:
        out.setdefault(r["ts"], []).append(r)
    return out


def quiet(events, t, after=2):
    """No agent.state change in [t - 1.5 s, t + after ms]."""
    return not any(t - 1500 <= ms(e["ts"]) <= t + after for e in events)


def states_at(events, t):
    """{agent: state} of every agent with a change before t."""
    out = {}
    for e in sorted(events, key=lambda e: ms(e["ts"])):
        if ms(e["ts"]) < t:
            out[e["agent"]] = e["state"]
    return out


def pick(rt, events):
    best = None
    for ts, rows in snapshots(rt).items():
        t = ms(ts)
        if not quiet(events, t):
            continue
        waiting = sum(r["waiting"] for r in rows)
        if waiting == 0:
            continue
        st = states_at(events, t)
        if any(v in ("ringing", "busy_other") for v in st.values()):
            continue        # legs the cut flushes: not modelled (expect)
        # The most varied moment: holds, states present, callers waiting.
        score = (sum(r["on_hold"] for r in rows) > 0, len(set(st.values())),
                 waiting, t)
        if best is None or score > best[0]:
            best = (score, ts, t)
    if best is None:
        sys.exit("no snapshot with callers waiting and no change near it")
    print(best[1], best[2])


def last(rt, events):
    ts = max(snapshots(rt), key=ms)
    if not quiet(events, ms(ts), -1):
        sys.exit("the last snapshot %s has a change within 1.5 s" % ts)
    print(ts, ms(ts))


def cut(src, dst, t):
    head = struct.Struct("<IIII")
    limit = (t + 1) * 1000          # microseconds: the whole millisecond
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        fo.write(fi.read(24))
        n = 0
        while True:
            h = fi.read(16)
            if len(h) < 16:
                break
            sec, usec, caplen, _ = head.unpack(h)
            data = fi.read(caplen)
            if sec * 1000000 + usec >= limit:
                break
            fo.write(h + data)
            n += 1
    print(n)


def expect(a):
    rt, events = load(a.rt), load(a.states)
    rows = snapshots(rt)[a.at]
    t = ms(a.at)
    st = states_at(events, t)
    members = {}
    for part in a.members.split(";"):
        q, _, ids = part.partition("=")
        members[q] = ids.split(",")
    site = a.site
    out = {}
    for r in rows:
        lab = 'site="%s",queue="%s"' % (site, r["queue"])
        out["ccmetrics_queue_waiting{%s}" % lab] = r["waiting"]
        out["ccmetrics_queue_longest_wait_seconds{%s}" % lab] = \
            r["longest_wait_s"]
        out["ccmetrics_queue_talking{%s}" % lab] = r["talking"]
        out["ccmetrics_queue_on_hold{%s}" % lab] = r["on_hold"]
        mine = [st[x] for x in members[r["queue"]] if x in st]
        counts = {s: mine.count(s) for s in QSTATES}
        counts["staffed"] = sum(counts.values())
        for s, n in counts.items():
            out['ccmetrics_queue_agents{%s,state="%s"}' % (lab, s)] = n
    vals = list(st.values())
    for s in STATES:
        out['ccmetrics_agents{site="%s",state="%s"}' % (site, s)] = \
            vals.count(s)
    final = states_at(events, float("inf")) if a.final else dict(st)
    if a.flushed:
        for agent, state in final.items():
            if state in ("ringing", "busy_other"):
                sys.exit("agent %s %s at the cut: not modelled" %
                         (agent, state))
            if state == "on_call":
                final[agent] = "wrapup"
    for agent, state in final.items():
        for s in STATES:
            out['ccmetrics_agent_state{site="%s",agent="%s",state="%s"}'
                % (site, agent, s)] = int(s == state)
    if a.offered:
        for r in load(a.offered):
            for f, name in (("offered", "calls_offered_total"),
                            ("answered", "calls_answered_total")):
                key = 'ccmetrics_%s{site="%s",queue="%s"}' % (
                    name, site, r["queue"])
                out[key] = out.get(key, 0) + r[f]
    json.dump(out, open(a.out, "w"), indent=0, sort_keys=True)
    # What the moment holds, so that a test on it cannot pass on zeros.
    print("agents %d (%s), waiting %d, longest %.3f s, on hold %d" % (
        len(st), " ".join("%s %d" % (s, vals.count(s)) for s in STATES
                          if vals.count(s)),
        sum(r["waiting"] for r in rows),
        max(r["longest_wait_s"] for r in rows),
        sum(r["on_hold"] for r in rows)))


def compare(expo, per_agent, paths):
    got = {}
    for line in open(expo):
        if line.startswith("#") or not line.strip():
            continue
        key, _, val = line.rstrip("\n").rpartition(" ")
        got[key] = float(val)
    want = {}
    for p in paths:
        want.update(json.load(open(p)))
    sites = {re.search(r'site="([^"]*)"', k).group(1) for k in want}
    bad = []
    for k, v in sorted(want.items()):
        if k.startswith("ccmetrics_agent_state{") and not per_agent:
            continue
        if k not in got:
            bad.append("missing %s (expected %s)" % (k, v))
        elif abs(got[k] - v) > 1e-9:
            bad.append("%s: expected %s, got %s" % (k, v, got[k]))
    for k in got:
        fam = k.split("{")[0]
        m = re.search(r'site="([^"]*)"', k)
        if fam in GAUGES and m and m.group(1) in sites and (
                k not in want or (fam == "ccmetrics_agent_state" and
                                  not per_agent)):
            bad.append("unexpected %s %s" % (k, got[k]))
    if not per_agent and any(k.startswith("ccmetrics_agent_state") for k in got):
        bad.append("ccmetrics_agent_state series with metrics.per_agent off")
    if bad:
        print("\n".join(bad))
        sys.exit(1)
    n = sum(1 for k in want if per_agent or
            not k.startswith("ccmetrics_agent_state{"))
    print("%d series as the truth has them" % n)


def main():
    cmd = sys.argv[1]
    if cmd == "pick":
        pick(load(sys.argv[2]), load(sys.argv[3]))
    elif cmd == "last":
        last(load(sys.argv[2]), load(sys.argv[3]))
    elif cmd == "cut":
        cut(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "expect":
        import argparse
        ap = argparse.ArgumentParser()
        ap.add_argument("--site", required=True)
        ap.add_argument("--rt", required=True)
        ap.add_argument("--states", required=True)
        ap.add_argument("--members", required=True)
        ap.add_argument("--at", required=True)
        ap.add_argument("--offered")
        ap.add_argument("--final", action="store_true")
        ap.add_argument("--flushed", action="store_true")
        ap.add_argument("out")
        expect(ap.parse_args(sys.argv[2:]))
    elif cmd == "compare":
        compare(sys.argv[2], sys.argv[3] == "1", sys.argv[4:])
    else:
        sys.exit("unknown subcommand %s" % cmd)


if __name__ == "__main__":
    main()
