#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# validate-schema.py: check every object of a JSON-lines recording against schema/.
"""Validate ccmetricsd's JSON-lines output against the JSON Schema files.

Usage: validate-schema.py SCHEMA_DIR FILE.jsonl [--not-generated KIND,...]
                          [--no-coverage]

Each line is {"topic": ..., ...the object}. The object (without "topic") is
validated against SCHEMA_DIR/<kind>.schema.json, where <kind> is the topic
itself for `leg.end`, `stats` and `rt.agents`, else its first two parts
(queue names have no dot; agent ids may). Beyond the schema, a few
invariants that JSON Schema cannot state are checked: `type` equals the
kind, the topic's last part equals the object's queue or agent, `seq` runs
1, 2, 3 ..., the histogram totals equal their counts, an interval is
`interval_s` long and aligned, and the agent states add up (DESIGN.md
section 7): staffed time and staffed agents are the sum of their six
states, occupancy follows from the state times, an agent.state event
changes the state, and rt.agents' counts tally its
agents.

Every schema must be seen at least once, except the kinds listed with
--not-generated, which must not be seen (so that list stays true);
--no-coverage turns that check off (captures that are not a whole day).
Exit 0 when all is well, 1 on any failure, 77 (skip) without jsonschema.
"""

import argparse
import datetime
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    sys.stderr.write("SKIP: python3-jsonschema is not installed\n")
    sys.exit(77)

WHOLE_TOPICS = ("leg.end", "stats", "rt.agents")
AGENT_NAMED = ("interval.agent", "agent.state")
STAFFED = ("available", "ringing", "on_call", "busy_other", "wrapup", "paused")
QUEUE_NAMED = ("call.", "interval.queue", "rt.queue")
MAX_REPORTED = 20


def load_schemas(directory):
    """Every SCHEMA_DIR/<kind>.schema.json, checked against its metaschema."""
    schemas = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".schema.json"):
            continue
        with open(os.path.join(directory, name)) as fh:
            schema = json.load(fh)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        kind = name[:-len(".schema.json")]
        if schema.get("properties", {}).get("type", {}).get("const") != kind:
            raise ValueError("%s: properties.type.const is not %r" % (name, kind))
        checker = getattr(cls, "FORMAT_CHECKER", None) or jsonschema.FormatChecker()
        schemas[kind] = cls(schema, format_checker=checker)
    return schemas


def split_topic(topic):
    """(kind, name): name is None for topics published as is."""
    if topic in WHOLE_TOPICS:
        return topic, None
    parts = topic.split(".", 2)
    if len(parts) < 3:
        return topic, None
    return parts[0] + "." + parts[1], parts[2]


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)


def invariants(kind, name, obj):
    """Problems JSON Schema cannot express, as a list of strings."""
    problems = []
    if obj.get("type") != kind:
        problems.append("type %r is not the topic's kind %r" % (obj.get("type"), kind))
    if kind not in WHOLE_TOPICS:
        field = "agent" if kind in AGENT_NAMED else "queue"
        if not kind.startswith(QUEUE_NAMED) and field == "queue":
            problems.append("unknown kind %r" % kind)
        elif name is None:
            problems.append("topic has no %s part" % field)
        elif obj.get(field) != name:
            problems.append("topic names %s %r, the object %r" % (field, name, obj.get(field)))
    if kind == "interval.queue":
        hist = obj.get("wait_hist_answered", [])
        if sum(hist) != obj.get("answered"):
            problems.append("wait_hist_answered sums to %d, answered is %s" %
                            (sum(hist), obj.get("answered")))
        hist = obj.get("wait_hist_abandoned", [])
        want = obj.get("abandoned", 0) + obj.get("short_abandoned", 0)
        if sum(hist) != want:
            problems.append("wait_hist_abandoned sums to %d, abandoned + short_abandoned is %d" %
                            (sum(hist), want))
    problems += agent_invariants(kind, obj)
    if kind in ("interval.queue", "interval.agent"):
        try:
            start, end = parse_time(obj["start"]), parse_time(obj["end"])
            secs = (end - start).total_seconds()
            if secs != obj["interval_s"]:
                problems.append("end - start is %s s, interval_s %s" % (secs, obj["interval_s"]))
            if start.timestamp() % obj["interval_s"] != 0:
                problems.append("start %s is not aligned to interval_s" % obj["start"])
            if obj["ts"] != obj["end"]:
                problems.append("ts %s is not the end %s" % (obj["ts"], obj["end"]))
        except (KeyError, ValueError, TypeError, ZeroDivisionError) as e:
            problems.append("interval times: %s" % e)
    return problems


def agent_invariants(kind, obj):
    """Section 7's sums; only over fields present (the schema says which
    must be)."""
    problems = []
    if kind == "interval.agent" and "staffed_s" in obj:
        try:
            parts = round(sum(obj[s + "_s"] for s in STAFFED), 3)
            if abs(parts - obj["staffed_s"]) > 0.0005 * len(STAFFED):
                problems.append("staffed_s %s is not the sum of its six states %s" %
                                (obj["staffed_s"], parts))
            if obj["staffed_s"] + obj["unknown_s"] > obj["interval_s"] + 0.0005:
                problems.append("staffed_s + unknown_s exceed interval_s")
            den = obj["staffed_s"] - obj["paused_s"]
            num = obj["on_call_s"] + obj["busy_other_s"] + obj["ringing_s"] + obj["wrapup_s"]
            occ = obj["occupancy"]
            if den <= 0.0005:
                if occ is not None:
                    problems.append("occupancy %s without staffed unpaused time" % occ)
            elif occ is None or abs(occ - num / den) > 0.0015:
                problems.append("occupancy %s, the state times give %.4f" % (occ, num / den))
        except (KeyError, TypeError) as e:
            problems.append("agent state times: %s" % e)
    if kind == "rt.queue" and "agents_staffed" in obj:
        try:
            parts = sum(obj["agents_" + s] for s in STAFFED)
            if parts != obj["agents_staffed"]:
                problems.append("agents_staffed %s is not the sum of its six states %s" %
                                (obj["agents_staffed"], parts))
        except (KeyError, TypeError) as e:
            problems.append("agent counts: %s" % e)
    if kind == "agent.state" and obj.get("prev") == obj.get("state"):
        problems.append("a change from %s to itself" % obj.get("state"))
    if kind == "rt.agents":
        tally = {}
        names = [a.get("agent") for a in obj.get("agents", [])]
        for a in obj.get("agents", []):
            tally[a.get("state")] = tally.get(a.get("state"), 0) + 1
        counts = obj.get("counts", {})
        for state in set(tally) | set(counts):
            if tally.get(state, 0) != counts.get(state, 0):
                problems.append("counts.%s is %s, agents lists %d" %
                                (state, counts.get(state), tally.get(state, 0)))
        if len(set(names)) != len(names):
            problems.append("an agent is listed twice")
    return problems


def validate(schemas, path):
    """(counts per kind, failures as 'line N: ...' strings)."""
    counts = {}
    failures = []
    seq = 0
    with open(path) as fh:
        for lineno, line in enumerate(fh, 1):
            where = "%s:%d" % (os.path.basename(path), lineno)
            try:
                pairs = json.loads(line, object_pairs_hook=list)
            except ValueError as e:
                failures.append("%s: not JSON: %s" % (where, e))
                continue
            if not isinstance(pairs, list) or not pairs or pairs[0][0] != "topic" or \
                    not isinstance(pairs[0][1], str):
                failures.append("%s: not an object whose first field is a topic string" % where)
                continue
            topic = pairs[0][1]
            obj = json.loads(line)
            del obj["topic"]
            kind, name = split_topic(topic)
            counts[kind] = counts.get(kind, 0) + 1
            where += " (%s)" % topic
            if obj.get("seq") != seq + 1:
                failures.append("%s: seq %s after %d" % (where, obj.get("seq"), seq))
            if isinstance(obj.get("seq"), int):
                seq = obj["seq"]
            if kind not in schemas:
                failures.append("%s: no schema for kind %r" % (where, kind))
                continue
            for err in sorted(schemas[kind].iter_errors(obj), key=str):
                failures.append("%s: %s: %s" % (where, "/".join(map(str, err.absolute_path))
                                                or "(object)", err.message))
            for problem in invariants(kind, name, obj):
                failures.append("%s: %s" % (where, problem))
    return counts, failures


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("schema_dir")
    ap.add_argument("jsonl")
    ap.add_argument("--not-generated", default="",
                    help="comma-separated kinds the input cannot contain yet")
    ap.add_argument("--no-coverage", action="store_true",
                    help="do not require every kind to be seen")
    args = ap.parse_args(argv)
    schemas = load_schemas(args.schema_dir)
    not_generated = set(filter(None, args.not_generated.split(",")))
    failures = ["--not-generated names %r, which has no schema" % k
                for k in sorted(not_generated - set(schemas))]
    counts, found = validate(schemas, args.jsonl)
    failures += found
    for kind in sorted(schemas):
        n = counts.get(kind, 0)
        if args.no_coverage:
            if n:
                print("ok: %d %s objects" % (n, kind))
        elif kind in not_generated:
            if n:
                failures.append("%s was seen %d times: take it off --not-generated" % (kind, n))
            else:
                print("ok: %s not generated (listed)" % kind)
        elif n == 0:
            failures.append("no %s object was published" % kind)
        else:
            print("ok: %d %s objects" % (n, kind))
    for f in failures[:MAX_REPORTED]:
        print("FAIL: " + f, file=sys.stderr)
    if len(failures) > MAX_REPORTED:
        print("FAIL: ... and %d more" % (len(failures) - MAX_REPORTED), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
