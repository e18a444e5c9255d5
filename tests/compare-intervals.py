#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# compare-intervals.py: ccmetricsd interval and rt.queue records against a generator's truth.
"""Usage: compare-intervals.py TRUTH.jsonl DAEMON_OUTPUT.jsonl [--agents | --rt]

TRUTH is ccmetrics-gen --intervals (interval.queue objects), --agent-intervals with
--agents (interval.agent), or --rt with --rt (rt.queue snapshots). DAEMON_OUTPUT is the
daemon's JSON-lines sink; only the lines of the matching topic kind are read.

Records are matched by (queue, start), (agent, start) or, for --rt, (queue, ts). Every
field of the truth record is compared: counts and durations equal when rounded to 3
decimals (durations to the millisecond), the derived ratios service_level, asa_s,
aht_s, abandon_rate, patience_s, abandon_rate_offered and occupancy within 1e-9 relative, the
staffing figures erlang_c_agents and erlang_a_agents exactly, null only equals null, lists element by
element. A daemon field the truth does not have (other than the envelope: topic, type,
v, seq, ts) is a mismatch too, as is an interval's `ts` other than its `end`, and any
record missing on either side.

Exit status: 0 when every record matches; 1 otherwise; 2 on unreadable input.
"""

import argparse
import json
import sys

MAX_REPORTED = 50
MISSING = object()
RATIOS = ("service_level", "asa_s", "aht_s", "abandon_rate", "patience_s",
          "abandon_rate_offered", "occupancy")
ENVELOPE = ("topic", "type", "v", "seq", "boot", "site", "ts")
# How much of an interval the run observed: not the generator's to know
# (tests/feed-restart.sh checks these).
OBSERVED = ("partial", "observed_from", "observed_to")
# DESIGN.md 7's fields: checked when the truth has them (a generator run
# with agent states), else left alone.
AGENT_STATES = ("staffed_s", "available_s", "ringing_s", "on_call_s",
                "busy_other_s", "wrapup_s", "paused_s", "unknown_s", "occupancy",
                "agents_staffed", "agents_available", "agents_ringing",
                "agents_on_call", "agents_busy_other", "agents_wrapup",
                "agents_paused")
KINDS = {"queue": ("interval.queue", ("queue", "start")),
         "agent": ("interval.agent", ("agent", "start")),
         "rt": ("rt.queue", ("queue", "ts"))}


class InputError(Exception):
    """An input file that cannot be read as JSON lines."""


def read_jsonl(path, keep):
    """Objects of a JSON-lines file for which keep(obj) is true."""
    records = []
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
                    records.append(obj)
    except OSError as e:
        raise InputError(str(e)) from None
    return records


def index(records, key, label, problems):
    """Records by key; duplicates and records without the key fields are problems."""
    out = {}
    for rec in records:
        k = tuple(rec.get(name) for name in key)
        if None in k:
            problems.append("%s record without %s: %s" % (label, "/".join(key),
                                                          json.dumps(rec)[:120]))
        elif k in out:
            problems.append("%s: duplicate %s" % (label, " ".join(k)))
        else:
            out[k] = rec
    return out


def same(expected, got, relative=False):
    """Equality by the rules in the module docstring."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return isinstance(expected, bool) and isinstance(got, bool) and expected == got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        if relative:
            return abs(expected - got) <= 1e-9 * max(abs(expected), abs(got))
        return round(expected, 3) == round(got, 3)
    if isinstance(expected, list) and isinstance(got, list):
        return len(expected) == len(got) and all(map(same, expected, got))
    return type(expected) is type(got) and expected == got


def show(value):
    """A value as JSON, or <missing>."""
    return "<missing>" if value is MISSING else json.dumps(value)


def mismatches(truth, daemon, kind):
    """(field, expected, got) for every field that differs."""
    out = []
    for name, expected in truth.items():
        got = daemon.get(name, MISSING)
        if got is MISSING or not same(expected, got, name in RATIOS):
            out.append((name, expected, got))
    for name, got in daemon.items():
        if name not in truth and name not in ENVELOPE + OBSERVED + AGENT_STATES:
            out.append((name, MISSING, got))
    if kind != "rt" and daemon.get("ts") != truth.get("end"):
        out.append(("ts", truth.get("end"), daemon.get("ts", MISSING)))
    return out


def report(lines, what):
    """Print the first MAX_REPORTED lines and how many more there were."""
    for line in lines[:MAX_REPORTED]:
        print(line)
    if len(lines) > MAX_REPORTED:
        print("... and %d more %s" % (len(lines) - MAX_REPORTED, what))


def compare(truth, daemon, kind):
    """Print the differences; return the number of truth records matching in every field."""
    diffs, missing, matching = [], [], 0
    for key, rec in truth.items():
        name = " ".join(key)
        if key not in daemon:
            missing.append("%s: missing from daemon output" % name)
            continue
        found = mismatches(rec, daemon[key], kind)
        diffs += ["%s %s: expected %s, got %s" % (name, n, show(e), show(g))
                  for n, e, g in found]
        matching += not found
    extra = ["%s: in daemon output, not in truth" % " ".join(k)
             for k in daemon if k not in truth]
    report(diffs, "mismatches")
    report(missing, "records missing from the daemon output")
    report(extra, "extra daemon records")
    return matching, len(missing) + len(extra)


def parse_args(argv):
    """Command line."""
    ap = argparse.ArgumentParser(description="Compare ccmetricsd intervals with truth.")
    ap.add_argument("truth", help="truth JSON lines (ccmetrics-gen --intervals, ...)")
    ap.add_argument("daemon", help="ccmetricsd JSON-lines sink output")
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--agents", action="store_true", help="interval.agent records")
    group.add_argument("--rt", action="store_true", help="rt.queue snapshots")
    return ap.parse_args(argv)


def main(argv):
    """Load both sides, compare, summarise, set the exit status."""
    args = parse_args(argv)
    kind = "agent" if args.agents else "rt" if args.rt else "queue"
    topic, key = KINDS[kind]
    problems = []
    try:
        truth = index(read_jsonl(args.truth, lambda obj: True), key, "truth", problems)
        daemon = index(read_jsonl(args.daemon, lambda obj: str(obj.get("topic", ""))
                                  .startswith(topic + ".")), key, "daemon", problems)
    except InputError as e:
        print("compare-intervals: %s" % e, file=sys.stderr)
        return 2
    report(problems, "input problems")
    matching, unpaired = compare(truth, daemon, kind)
    print("%s: %d truth, %d daemon, %d matching in every field"
          % (topic, len(truth), len(daemon), matching))
    return 0 if matching == len(truth) and not unpaired and not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
