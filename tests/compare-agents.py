#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# compare-agents.py: ccmetricsd agent.state and interval.agent records against the generator truth.
"""Usage: compare-agents.py STATES_TRUTH AGENT_INTERVALS_TRUTH DAEMON_OUTPUT.jsonl

STATES_TRUTH is ccmetrics-gen --agent-states (agent.state objects), AGENT_INTERVALS_TRUTH
its --agent-intervals written together with --agent-states (interval.agent objects with
the state times of DESIGN.md 7). DAEMON_OUTPUT is the daemon's JSON-lines sink.

agent.state events are matched by (agent, ts, n), n counting the agent's events of
one published ms in order (changes at different capture timestamps of one ms are
separate changes, published with the same ts). Every field is compared exactly:
state, prev, reason as strings, prev_s to the millisecond (null only equals null), and
queue and contact_id (absent and null are the same: the change concerns no contact).
interval.agent records are matched by (agent, start); every truth field is compared
(counts exactly, durations to the millisecond, occupancy within 1e-9 relative, null
only equals null). A daemon field the truth does not know, other than the envelope
(topic, type, v, seq, boot, ts, site, and partial/observed_* of an interval), is a
mismatch, as is an interval whose ts is not its end, and every record on one side only.

Every difference is listed. Exit status: 0 when all match; 1 otherwise; 2 on
unreadable input.
"""

import json
import sys

ENVELOPE = ("topic", "type", "v", "seq", "boot", "ts", "site")
OBSERVED = ("partial", "observed_from", "observed_to")
STATE_FIELDS = ("state", "prev", "prev_s", "reason", "queue", "contact_id")
RELATIVE = ("occupancy",)
MISSING = object()


class InputError(Exception):
    """An input that cannot be read as JSON lines."""


def read_jsonl(path, keep):
    """Objects of a JSON-lines file for which keep(obj) is true."""
    out = []
    try:
        with open(path) as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError("%s:%d: %s" % (path, number, e)) from None
                if isinstance(obj, dict) and keep(obj):
                    out.append(obj)
    except OSError as e:
        raise InputError(str(e)) from None
    return out


def topic_is(prefix):
    """A filter for daemon objects on topics below prefix."""
    return lambda obj: str(obj.get("topic", "")).startswith(prefix + ".")


def index(records, key, label, problems, number=False):
    """Records by key (number: plus the count of earlier records with the same key);
    a duplicate or a record without the key is a problem."""
    out, seen = {}, {}
    for rec in records:
        k = tuple(rec.get(name) for name in key)
        if number and None not in k:
            seen[k] = seen.get(k, -1) + 1
            k += ("#%d" % seen[k],)
        if None in k:
            problems.append("%s: record without %s: %s" % (label, "/".join(key),
                                                           json.dumps(rec)[:160]))
        elif k in out:
            problems.append("%s: two records for %s" % (label, " ".join(k)))
        else:
            out[k] = rec
    return out


def same(expected, got, relative=False):
    """Equality: numbers to the millisecond (or 1e-9 relative), the rest exactly."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        if relative:
            return abs(expected - got) <= 1e-9 * max(abs(expected), abs(got))
        return round(expected * 1000) == round(got * 1000)
    return type(expected) is type(got) and expected == got


def show(value):
    """A value as JSON, or <missing>."""
    return "<missing>" if value is MISSING else json.dumps(value)


def state_diffs(truth, got):
    """(field, expected, got) of one agent.state event."""
    out = []
    for name in STATE_FIELDS:
        e, g = truth.get(name, MISSING), got.get(name, MISSING)
        if name in ("queue", "contact_id"):
            e = None if e is MISSING else e
            g = None if g is MISSING else g
        if not same(e, g):
            out.append((name, e, g))
    for name in got:
        if name not in STATE_FIELDS and name not in ENVELOPE and name != "agent":
            out.append((name, MISSING, got[name]))
    if got.get("type") not in (None, "agent.state"):
        out.append(("type", "agent.state", got.get("type")))
    if got.get("topic") != "agent.state." + truth["agent"]:
        out.append(("topic", "agent.state." + truth["agent"], got.get("topic", MISSING)))
    return out


def interval_diffs(truth, got):
    """(field, expected, got) of one interval.agent record."""
    out = []
    for name, e in truth.items():
        g = got.get(name, MISSING)
        if g is MISSING or not same(e, g, name in RELATIVE):
            out.append((name, e, g))
    for name, g in got.items():
        if name not in truth and name not in ENVELOPE + OBSERVED:
            out.append((name, MISSING, g))
    if got.get("ts") != truth.get("end"):
        out.append(("ts", truth.get("end"), got.get("ts", MISSING)))
    return out


def compare(label, truth, daemon, diff, lines):
    """Append every difference to lines; return the number of matching records."""
    matching = 0
    for key in sorted(truth):
        name = " ".join(key)
        if key not in daemon:
            lines.append("%s %s: missing from the daemon output: %s"
                         % (label, name, json.dumps(truth[key])))
            continue
        found = diff(truth[key], daemon[key])
        lines += ["%s %s %s: expected %s, got %s" % (label, name, f, show(e), show(g))
                  for f, e, g in found]
        matching += not found
    for key in sorted(k for k in daemon if k not in truth):
        lines.append("%s %s: in the daemon output, not in the truth: %s"
                     % (label, " ".join(key), json.dumps(daemon[key])))
    return matching


def main(argv):
    """Load, compare, list every difference, set the exit status."""
    if len(argv) != 3 or argv[0].startswith("-"):
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    problems, lines = [], []
    try:
        st_truth = index(read_jsonl(argv[0], lambda o: True), ("agent", "ts"), "truth",
                         problems, number=True)
        ia_truth = index(read_jsonl(argv[1], lambda o: True), ("agent", "start"), "truth",
                         problems)
        st_daemon = index(read_jsonl(argv[2], topic_is("agent.state")), ("agent", "ts"),
                          "daemon agent.state", problems, number=True)
        ia_daemon = index(read_jsonl(argv[2], topic_is("interval.agent")),
                          ("agent", "start"), "daemon interval.agent", problems)
    except InputError as e:
        print("compare-agents: %s" % e, file=sys.stderr)
        return 2
    st_match = compare("agent.state", st_truth, st_daemon, state_diffs, lines)
    ia_match = compare("interval.agent", ia_truth, ia_daemon, interval_diffs, lines)
    for line in problems + lines:
        print(line)
    print("agent.state: %d truth, %d daemon, %d matching; interval.agent: %d truth, "
          "%d daemon, %d matching in every field"
          % (len(st_truth), len(st_daemon), st_match, len(ia_truth), len(ia_daemon),
             ia_match))
    ok = not problems and not lines and st_match == len(st_truth) and \
        ia_match == len(ia_truth)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
