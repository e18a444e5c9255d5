#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# compare-calls.py: compare ccmetricsd call.end records with a generator's truth, call by call.
"""Usage: compare-calls.py TRUTH.jsonl DAEMON_OUTPUT.jsonl [--min-match 1.0] [--fields a,b]
       [--ignore a,b] [--tolerance SECONDS]

TRUTH holds one call.end object per line (ccmetrics-gen --truth). DAEMON_OUTPUT is the
daemon's JSON-lines sink; only lines whose topic starts with "call.end." are read.
Records are matched by contact_id. Numbers are equal when they are equal rounded to 3
decimals (or within --tolerance, for live captures), and so are RFC 3339 times
(within --tolerance seconds), null only equals null, booleans only equal booleans, lists compare in order.
Daemon records with "partial": true that the truth does not list (calls first seen
mid-dialog, e.g. in a capture that starts late) are counted, not compared.

Exit status: 0 when the share of truth records matching in every compared field is at
least --min-match and the daemon reported no call missing from the truth; 1 otherwise;
2 on unreadable input.
"""

import argparse
import calendar
import json
import re
import sys

MAX_REPORTED = 50
MISSING = object()           # a field absent from the daemon's record
TOLERANCE = 0.0              # --tolerance: numbers this close are equal


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


def is_call_end(obj):
    """A daemon line carrying a call.end record."""
    return str(obj.get("topic", "")).startswith("call.end.")


def by_contact(records, label, problems):
    """Index records by contact_id; duplicates and records without one are problems."""
    index = {}
    for rec in records:
        cid = rec.get("contact_id")
        if cid is None:
            problems.append("%s record without contact_id: %s" % (label, json.dumps(rec)[:120]))
        elif cid in index:
            problems.append("%s: duplicate contact_id %s" % (label, cid))
        else:
            index[cid] = rec
    return index


RFC3339 = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$")


def epoch(text):
    """Seconds since the epoch of an RFC 3339 UTC time, or None."""
    m = RFC3339.match(text)
    if m is None:
        return None
    whole = calendar.timegm(tuple(int(x) for x in m.groups()[:6]))
    return whole + float(m.group(7) or 0)


def same(expected, got):
    """Equality by the rules in the module docstring."""
    if TOLERANCE and isinstance(expected, str) and isinstance(got, str):
        te, tg = epoch(expected), epoch(got)
        if te is not None and tg is not None:
            return abs(te - tg) <= TOLERANCE + 1e-9
    if isinstance(expected, bool) or isinstance(got, bool):
        return isinstance(expected, bool) and isinstance(got, bool) and expected == got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return (round(expected, 3) == round(got, 3) or
                abs(expected - got) <= TOLERANCE)
    if isinstance(expected, list) and isinstance(got, list):
        return len(expected) == len(got) and all(map(same, expected, got))
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(same(v, got[k]) for k, v in expected.items())
    return type(expected) is type(got) and expected == got


def show(value):
    """A value as JSON, or <missing>."""
    return "<missing>" if value is MISSING else json.dumps(value)


def mismatches(truth, daemon, fields, ignore=()):
    """(field, expected, got) for every compared field that differs."""
    names = fields if fields is not None else list(truth)
    names = [n for n in names if n not in ignore]
    out = []
    for name in names:
        expected, got = truth.get(name, MISSING), daemon.get(name, MISSING)
        if expected is MISSING or got is MISSING or not same(expected, got):
            out.append((name, expected, got))
    return out


def report(lines, what):
    """Print the first MAX_REPORTED lines and how many more there were."""
    for line in lines[:MAX_REPORTED]:
        print(line)
    if len(lines) > MAX_REPORTED:
        print("... and %d more %s" % (len(lines) - MAX_REPORTED, what))


def compare(truth, daemon, fields, ignore=()):
    """Print the differences; return (records matching in every field, extra daemon ids)."""
    diffs, missing, matching = [], [], 0
    for cid, rec in truth.items():
        if cid not in daemon:
            missing.append("%s: missing from daemon output" % cid)
            continue
        found = mismatches(rec, daemon[cid], fields, ignore)
        diffs += ["%s %s: expected %s, got %s" % (cid, n, show(e), show(g)) for n, e, g in found]
        matching += not found
    extra = [cid for cid in daemon if cid not in truth and daemon[cid].get("partial") is not True]
    partial = sum(1 for cid in daemon if cid not in truth) - len(extra)
    if partial:
        print("%d partial daemon calls not in truth (not compared)" % partial)
    report(diffs, "mismatches")
    report(missing, "calls missing from the daemon output")
    report(["%s: in daemon output, not in truth" % cid for cid in extra], "extra daemon calls")
    return matching, extra


def parse_args(argv):
    """Command line."""
    ap = argparse.ArgumentParser(description="Compare ccmetricsd call.end records with truth.")
    ap.add_argument("truth", help="truth JSON lines (ccmetrics-gen --truth)")
    ap.add_argument("daemon", help="ccmetricsd JSON-lines sink output")
    ap.add_argument("--min-match", type=float, default=1.0,
                    help="share of truth calls that must match in every field (default 1.0)")
    ap.add_argument("--fields", help="compare only these comma-separated fields")
    ap.add_argument("--ignore", default="", help="do not compare these comma-separated fields")
    ap.add_argument("--tolerance", type=float, default=0.0,
                    help="numbers and times differing by at most this much are equal (default 0)")
    return ap.parse_args(argv)


def main(argv):
    """Load both sides, compare, summarise, set the exit status."""
    global TOLERANCE
    args = parse_args(argv)
    TOLERANCE = args.tolerance
    fields = [f for f in args.fields.split(",") if f] if args.fields else None
    problems = []
    try:
        truth = by_contact(read_jsonl(args.truth, lambda obj: True), "truth", problems)
        daemon = by_contact(read_jsonl(args.daemon, is_call_end), "daemon", problems)
    except InputError as e:
        print("compare-calls: %s" % e, file=sys.stderr)
        return 2
    report(problems, "input problems")
    matching, extra = compare(truth, daemon, fields,
                              [f for f in args.ignore.split(",") if f])
    share = matching / len(truth) if truth else 1.0
    print("calls: %d truth, %d daemon, %d matching in every field (%.1f%%)"
          % (len(truth), len(daemon), matching, 100 * share))
    return 0 if share >= args.min_match and not extra and not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
