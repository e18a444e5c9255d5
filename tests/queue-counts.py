#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""queue-counts.py: check the daemon's interval.queue counts against a truth.

Usage: queue-counts.py TRUTH.jsonl DAEMON_OUTPUT.jsonl [--expect Q:FIELD=N,...]

Sums each count of every interval.queue record per queue and compares it
with what the truth's call.end records give: offered (calls), blocked,
answered, abandoned, short_abandoned, timeouts (outcomes), rona, transfers
and holds (sums). --expect also checks the truth itself (did the scenario
do what it was written to do), e.g. --expect sales:answered=3,sales:rona=1.
Exit status 0 when everything matches, 1 otherwise, 2 on unreadable input.
"""
import argparse
import collections
import json
import sys

FIELDS = ("offered", "blocked", "answered", "abandoned", "short_abandoned",
          "timeouts", "rona", "transfers", "holds")
OUTCOME_FIELD = {"answered": "answered", "blocked": "blocked",
                 "abandoned": "abandoned", "short_abandoned": "short_abandoned",
                 "timeout": "timeouts"}


def load(path):
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def truth_counts(truth):
    counts = collections.defaultdict(collections.Counter)
    for rec in truth:
        c = counts[rec["queue"]]
        c["offered"] += 1
        c[OUTCOME_FIELD[rec["outcome"]]] += 1
        for f in ("rona", "transfers", "holds"):
            c[f] += rec[f]
    return counts


def daemon_counts(out):
    counts = collections.defaultdict(collections.Counter)
    for rec in out:
        if rec.get("type") != "interval.queue":
            continue
        for f in FIELDS:
            counts[rec["queue"]][f] += rec.get(f, 0)
    return counts


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("truth")
    ap.add_argument("daemon")
    ap.add_argument("--expect", default="")
    args = ap.parse_args(argv)
    try:
        truth, out = load(args.truth), load(args.daemon)
    except (OSError, ValueError) as e:
        print("queue-counts: %s" % e, file=sys.stderr)
        return 2
    want, got = truth_counts(truth), daemon_counts(out)
    bad = 0
    for q in sorted(set(want) | set(got)):
        for f in FIELDS:
            if want[q][f] != got[q][f]:
                print("%s %s: truth %d, daemon %d" % (q, f, want[q][f],
                                                      got[q][f]))
                bad += 1
        print("%s: %s" % (q, " ".join("%s=%d" % (f, got[q][f])
                                      for f in FIELDS if got[q][f])))
    for item in filter(None, args.expect.split(",")):
        key, n = item.split("=")
        q, f = key.split(":")
        if want[q][f] != int(n):
            print("scenario: %s %s expected %s, the truth has %d"
                  % (q, f, n, want[q][f]))
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
