#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# compare-live-agents.py: ccmetricsd's agent.state, rt.agents, rt.queue agent counts and interval.agent state times against an agent truth.
"""Usage: compare-live-agents.py TRUTH.jsonl DAEMON_OUTPUT.jsonl [--tolerance S]
                                [--reasons a,b,...]

TRUTH holds one agent.state-shaped object per change of an agent's state
(tests/acd-emu.py --agent-truth): agent, state, prev, prev_s, reason, ts,
and queue and contact_id when the change concerns a contact. DAEMON_OUTPUT
is the daemon's JSON-lines sink. Checked (DESIGN.md section 7):

- agent.state: per agent, the daemon's events are the truth's, one for one
  and in order: state, prev, reason, queue and contact_id equal; ts within
  --tolerance seconds; prev_s within twice that (two times each off by up
  to the tolerance). The topic names the agent.
- rt.agents: at each snapshot every agent's state is the truth's at that
  time and `since` the time of its last change (snapshots within the
  tolerance of one of its changes are skipped for that agent); `counts`
  tallies `agents`; `queues` lists the queues that rang the agent so far.
  --rt-lag S: snapshots show the published states, which may lag the
  snapshot time by up to S seconds (docs/decisions.md): then the state and
  `since` must be the truth's at some time in [ts - S, ts].
- rt.queue: agents_* counts over the queue's learned members (the agents
  it rang up to the snapshot), the same way (with --rt-lag, only
  snapshots where no member changed in [ts - S, ts]).
- interval.agent: each state time is the truth's state time clipped to the
  interval (each period of a state within twice the tolerance), occupancy
  as section 7 defines it from the daemon's own fields and within 0.01 of
  the truth's; an agent with staffed time in an interval has a record.
  Every agent ends logged out in the scenario, so time after the last
  change counts nowhere.
--reasons: each of these reasons must occur in the truth (the scenario
covers them). --startup AGENT,...: agents logged in from start-up
(presence static), whose first event is the daemon's start-up, which the
truth cannot know: the daemon's own first time stands for it, once it is
checked to come no later than the truth's.

Exit 0 when all agree, 1 otherwise (each difference on standard error).
"""

import argparse
import calendar
import json
import sys

STATES = ("on_call", "busy_other", "ringing", "wrapup", "logged_out",
          "paused", "available", "unknown")
TIME_FIELDS = {"available_s": ("available",), "ringing_s": ("ringing",),
               "on_call_s": ("on_call",), "busy_other_s": ("busy_other",),
               "wrapup_s": ("wrapup",), "paused_s": ("paused",),
               "unknown_s": ("unknown",),
               "staffed_s": ("available", "ringing", "on_call", "busy_other",
                             "wrapup", "paused")}
QUEUE_COUNTS = {"agents_available": ("available",),
                "agents_ringing": ("ringing",), "agents_on_call": ("on_call",),
                "agents_busy_other": ("busy_other",),
                "agents_wrapup": ("wrapup",), "agents_paused": ("paused",),
                "agents_staffed": TIME_FIELDS["staffed_s"]}
MAX_REPORTED = 40


def epoch(text):
    """Seconds since the epoch of an RFC 3339 UTC time with milliseconds."""
    whole, _, frac = text.rstrip("Z").partition(".")
    secs = calendar.timegm(tuple(int(x) for x in
                                 whole.replace("T", "-").replace(":", "-")
                                 .split("-")) + (0, 0, 0))
    return secs + int((frac or "0").ljust(3, "0")[:3]) / 1000.0


class Checker:
    def __init__(self, tol):
        self.tol = tol
        self.problems = []
        self.checked = {}

    def bad(self, text):
        self.problems.append(text)

    def count(self, what):
        self.checked[what] = self.checked.get(what, 0) + 1


def load(path):
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def timelines(truth):
    """agent -> [(t, state, rec)] in order."""
    out = {}
    for rec in truth:
        out.setdefault(rec["agent"], []).append((epoch(rec["ts"]),
                                                 rec["state"], rec))
    return out


def check_events(c, truth_by_agent, out):
    mine = {}
    for obj in out:
        topic = obj.get("topic", "")
        if not topic.startswith("agent.state."):
            continue
        if obj.get("agent") != topic[len("agent.state."):]:
            c.bad("%s: topic names another agent than %r" % (topic, obj.get("agent")))
        mine.setdefault(obj.get("agent"), []).append(obj)
    for agent in sorted(set(truth_by_agent) | set(mine)):
        want = [r for _t, _s, r in truth_by_agent.get(agent, [])]
        got = mine.get(agent, [])
        if len(want) != len(got):
            c.bad("agent %s: %d agent.state events, the truth has %d" %
                  (agent, len(got), len(want)))
        for i, (w, g) in enumerate(zip(want, got)):
            where = "agent %s event %d (truth %s %s->%s)" % (
                agent, i + 1, w["ts"], w["prev"], w["state"])
            for key in ("state", "prev", "reason", "queue", "contact_id"):
                if w.get(key) != g.get(key):
                    c.bad("%s: %s %r, the truth %r" % (where, key, g.get(key),
                                                       w.get(key)))
            if abs(epoch(g["ts"]) - epoch(w["ts"])) > c.tol + 1e-9:
                c.bad("%s: ts %s" % (where, g["ts"]))
            if w["prev_s"] is not None and (
                    not isinstance(g.get("prev_s"), (int, float)) or
                    abs(g["prev_s"] - w["prev_s"]) > 2 * c.tol + 1e-9):
                c.bad("%s: prev_s %r, the truth %r" % (where, g.get("prev_s"),
                                                       w["prev_s"]))
            c.count("agent.state events")


def state_at(line, t, tol):
    """(state, since) of a timeline at t, or None when a change is within
    tol of t (either side may have seen it) or the agent does not exist."""
    state, since = None, None
    for when, st, _r in line:
        if abs(when - t) <= tol + 1e-9:
            return None
        if when > t:
            break
        state, since = st, when
    return None if state is None else (state, since)


def rang_queues(line, t):
    """The queues that rang the agent up to t (learned membership)."""
    return {r["queue"] for when, _s, r in line
            if r["reason"] == "ring" and r.get("queue") and when <= t}


def states_within(line, t0, t1, tol):
    """[(state, since)] the timeline holds at some time in [t0, t1] (any
    change within tol of either end counts on both sides)."""
    out = []
    for i, (when, st, _r) in enumerate(line):
        until = line[i + 1][0] if i + 1 < len(line) else float("inf")
        if when <= t1 + tol and until >= t0 - tol:
            out.append((st, when))
    return out


def check_rt_agents(c, lines, out, lag):
    for obj in out:
        if obj.get("topic") != "rt.agents":
            continue
        t = epoch(obj["ts"])
        tally = {}
        for a in obj.get("agents", []):
            tally[a["state"]] = tally.get(a["state"], 0) + 1
            line = lines.get(a["agent"])
            if line is None:
                c.bad("rt.agents %s: agent %s is not in the truth" % (obj["ts"], a["agent"]))
                continue
            if lag:
                cands = states_within(line, t - lag, t, c.tol)
                if not any(a["state"] == st and
                           abs(epoch(a["since"]) - since) <= c.tol + 1e-9
                           for st, since in cands):
                    c.bad("rt.agents %s: agent %s %s since %s, the truth "
                          "within %s s before: %s" % (
                              obj["ts"], a["agent"], a["state"], a["since"],
                              lag, cands))
                now = None
            else:
                now = state_at(line, t, c.tol)
            if now is None:
                pass
            elif a["state"] != now[0]:
                c.bad("rt.agents %s: agent %s %s, the truth %s" % (
                    obj["ts"], a["agent"], a["state"], now[0]))
            elif abs(epoch(a["since"]) - now[1]) > c.tol + 1e-9:
                c.bad("rt.agents %s: agent %s since %s" % (obj["ts"], a["agent"], a["since"]))
            if sorted(a.get("queues", [])) != sorted(rang_queues(line, t - c.tol)) and \
                    sorted(a.get("queues", [])) != sorted(rang_queues(line, t + c.tol)):
                c.bad("rt.agents %s: agent %s queues %s, the truth %s" % (
                    obj["ts"], a["agent"], a.get("queues"),
                    sorted(rang_queues(line, t))))
            c.count("rt.agents entries")
        counts = obj.get("counts", {})
        for state in set(tally) | set(counts):
            if counts.get(state, 0) != tally.get(state, 0):
                c.bad("rt.agents %s: counts.%s %s, agents lists %d" % (
                    obj["ts"], state, counts.get(state), tally.get(state, 0)))
        known = {a["agent"] for a in obj.get("agents", [])}
        for agent, line in lines.items():
            if agent not in known and line[0][0] < t - lag - c.tol:
                c.bad("rt.agents %s: agent %s missing" % (obj["ts"], agent))


def check_rt_queue(c, lines, out, lag):
    for obj in out:
        if not obj.get("topic", "").startswith("rt.queue."):
            continue
        t = epoch(obj["ts"])
        members = [a for a, line in lines.items()
                   if obj["queue"] in rang_queues(line, t - c.tol)]
        states = []
        for a, line in lines.items():
            if (a in members) != (obj["queue"] in rang_queues(line, t + c.tol)):
                states = None       # rung within the tolerance of t
                break
        for a in members if states is not None else ():
            now = state_at(lines[a], t, c.tol)
            if now is None or len(states_within(lines[a], t - lag, t, c.tol)) > 1:
                states = None
                break
            states.append(now[0])
        if states is None:
            continue
        for field, wanted in QUEUE_COUNTS.items():
            want = sum(1 for s in states if s in wanted)
            if obj.get(field) != want:
                c.bad("rt.queue %s %s: %s %s, the truth %d" % (
                    obj["queue"], obj["ts"], field, obj.get(field), want))
        c.count("rt.queue snapshots")


def state_time(line, start, end, states):
    """(seconds, periods) the timeline spends in states within [start, end)."""
    total, periods, inside = 0.0, 0, False
    for i, (when, st, _r) in enumerate(line):
        until = line[i + 1][0] if i + 1 < len(line) else when
        a, b = max(when, start), min(until, end)
        if st in states and b > a:
            total += b - a
            if not inside:
                periods += 1
            inside = True
        elif st not in states:
            inside = False
    return total, periods


def check_intervals(c, lines, out):
    seen = set()
    spans = set()
    for obj in out:
        if not obj.get("topic", "").startswith("interval.agent."):
            continue
        start, end = epoch(obj["start"]), epoch(obj["end"])
        spans.add((start, end))
        agent = obj["agent"]
        seen.add((agent, start))
        line = lines.get(agent)
        if line is None:
            c.bad("interval.agent %s %s: agent not in the truth" % (agent, obj["start"]))
            continue
        want = {}
        for field, states in TIME_FIELDS.items():
            secs, periods = state_time(line, start, end, states)
            want[field] = secs
            got = obj.get(field)
            if not isinstance(got, (int, float)) or \
                    abs(got - secs) > 2 * c.tol * max(1, periods) + 1e-9:
                c.bad("interval.agent %s %s: %s %r, the truth %.3f" % (
                    agent, obj["start"], field, got, secs))
        if isinstance(obj.get("on_call_s"), (int, float)) and \
                obj.get("busy_s") != obj["on_call_s"]:
            c.bad("interval.agent %s %s: busy_s %r is not on_call_s %r" % (
                agent, obj["start"], obj.get("busy_s"), obj["on_call_s"]))
        try:
            den = obj["staffed_s"] - obj["paused_s"]
            num = obj["on_call_s"] + obj["busy_other_s"] + obj["ringing_s"] + \
                obj["wrapup_s"]
            own = round(num / den, 3) if den > 0 else None
            wden = want["staffed_s"] - want["paused_s"]
            wnum = sum(want[f] for f in ("on_call_s", "busy_other_s",
                                         "ringing_s", "wrapup_s"))
            truth = wnum / wden if wden > 0 else None
        except (KeyError, TypeError) as e:
            c.bad("interval.agent %s %s: %s" % (agent, obj["start"], e))
            continue
        occ = obj.get("occupancy")
        if (occ is None) != (own is None) or \
                (occ is not None and abs(occ - own) > 0.0015):
            c.bad("interval.agent %s %s: occupancy %r, its own fields give %r" % (
                agent, obj["start"], occ, own))
        if (occ is None) != (truth is None) or \
                (occ is not None and abs(occ - truth) > 0.01):
            c.bad("interval.agent %s %s: occupancy %r, the truth %r" % (
                agent, obj["start"], occ, truth))
        c.count("interval.agent records")
    for start, end in sorted(spans):
        for agent, line in lines.items():
            staffed, _p = state_time(line, start, end, TIME_FIELDS["staffed_s"])
            if staffed > 0 and (agent, start) not in seen:
                c.bad("interval.agent: no record of %s at %s (staffed %.3f s)" % (
                    agent, start, staffed))
    if not spans:
        c.bad("no interval.agent record")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("truth")
    ap.add_argument("out")
    ap.add_argument("--tolerance", type=float, default=0.0)
    ap.add_argument("--reasons", default="")
    ap.add_argument("--startup", default="")
    ap.add_argument("--rt-lag", type=float, default=0.0)
    args = ap.parse_args(argv)
    truth, out = load(args.truth), load(args.out)
    c = Checker(args.tolerance)
    for agent in filter(None, args.startup.split(",")):
        mine = [o for o in out if o.get("topic") == "agent.state." + agent]
        theirs = [r for r in truth if r["agent"] == agent]
        if not mine or not theirs:
            c.bad("agent %s: no first event to take the start-up time from" % agent)
            continue
        if epoch(mine[0]["ts"]) > epoch(theirs[0]["ts"]) + c.tol:
            c.bad("agent %s: first event %s after the emulator started (%s)" % (
                agent, mine[0]["ts"], theirs[0]["ts"]))
        theirs[0]["ts"] = mine[0]["ts"]
        if len(theirs) > 1:
            theirs[1]["prev_s"] = round(
                epoch(theirs[1]["ts"]) - epoch(mine[0]["ts"]), 3)
    reasons = {r["reason"] for r in truth}
    for r in filter(None, args.reasons.split(",")):
        if r not in reasons:
            c.bad("scenario: no change with reason %r in the truth" % r)
    lines = timelines(truth)
    check_events(c, lines, out)
    check_rt_agents(c, lines, out, args.rt_lag)
    check_rt_queue(c, lines, out, args.rt_lag)
    check_intervals(c, lines, out)
    for what, n in sorted(c.checked.items()):
        print("ok: %d %s compared" % (n, what))
    for p in c.problems[:MAX_REPORTED]:
        print("FAIL: " + p, file=sys.stderr)
    if len(c.problems) > MAX_REPORTED:
        print("FAIL: ... and %d more" % (len(c.problems) - MAX_REPORTED), file=sys.stderr)
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
