#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# rollup-check.py: the ccmetrics rollup views against the sum of several sites' generator truths.
"""Usage: rollup-check.py [--site SITE] [--states] {queue|agent} {interval|hour|day} TRUTH.jsonl...

Adds the truth records of every TRUTH file (one file per site: ccmetrics-gen
--intervals, or --agent-intervals with "agent") by (queue, period) or (agent,
period), where period is the interval's start, or the UTC hour or day it
starts in; recomputes the derived figures from the sums exactly as DESIGN.md
4 and 4.1 define them (service_level = answered_within_sl / (answered +
abandoned), asa_s = wait_answered_s / answered, aht_s = handle_s / handled,
abandon_rate = abandoned / (answered + abandoned), abandon_rate_offered =
(abandoned + short_abandoned) / offered, patience_s = wait_all_s / (abandoned
+ short_abandoned), occupancy = (on_call_s + busy_other_s + ringing_s +
wrapup_s) / (staffed_s - paused_s); null when the denominator is 0), and
compares every row of the across-sites view (queue_interval_sites,
queue_hour_sites, ...; read with psql, session TimeZone UTC) with it: counts
and histogram buckets exactly, sums of seconds to the millisecond, maxima
exactly, ratios within 1e-9 relative; the number of sites too. Every key
must be on both sides.

--site SITE compares the one site's views instead (queue_hour, queue_day,
agent_hour, agent_day: hour or day only, no "sites" column), its rows only;
give that site's truth alone. --states (agents): every truth record must carry
the state times of DESIGN.md 7 (ccmetrics-gen --agent-states), so that staffed_s
... unknown_s and occupancy are surely compared; without it they are compared
when the truth has them.

Exit status: 0 when all rows match, 1 otherwise.
"""

import json
import os
import subprocess
import sys

QUEUE_SUMS = ("offered", "blocked", "answered", "answered_within_sl", "wait_answered_s",
              "abandoned", "short_abandoned", "abandon_wait_s", "timeouts", "handled",
              "talk_s", "hold_s", "handle_s", "holds", "rona", "transfers", "repeat_calls",
              "wait_all_s", "redials", "reconnects", "ended_on_hold", "agent_ended",
              "transfers_blind", "transfers_attended")
QUEUE_MAX = ("max_wait_s", "max_wait_all_s")
AGENT_SUMS = ("attempts", "answered", "rona", "handled", "talk_s", "hold_s", "handle_s",
              "holds", "transfers", "busy_s")
AGENT_STATE = ("staffed_s", "available_s", "ringing_s", "on_call_s", "busy_other_s",
               "wrapup_s", "paused_s", "unknown_s")
HISTS = ("wait_hist_answered", "wait_hist_abandoned")
VIEWS = {("queue", "interval"): ("queue_interval_sites", "start"),
         ("queue", "hour"): ("queue_hour_sites", "hour"),
         ("queue", "day"): ("queue_day_sites", "day"),
         ("agent", "interval"): ("agent_interval_sites", "start"),
         ("agent", "hour"): ("agent_hour_sites", "hour"),
         ("agent", "day"): ("agent_day_sites", "day")}
SITE_VIEWS = {("queue", "hour"): ("queue_hour", "hour"),
              ("queue", "day"): ("queue_day", "day"),
              ("agent", "hour"): ("agent_hour", "hour"),
              ("agent", "day"): ("agent_day", "day")}


def period(start, granularity):
    """The period key of an interval start (RFC 3339 UTC text)."""
    if granularity == "interval":
        return start[:19]
    if granularity == "hour":
        return start[:13] + ":00:00"
    return start[:10] + "T00:00:00"


def ratio(num, den):
    """num / den, or None when den is 0."""
    return None if den == 0 else num / den


def expected(kind, granularity, paths, states=False, per_site=False):
    """Sums and recomputed ratios per (name, period); states: every agent
    record must have the state times (else SystemExit); per_site: no "sites"."""
    out = {}
    for site, path in enumerate(paths):
        with open(path) as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                key = (rec[kind], period(rec["start"], granularity))
                acc = out.setdefault(key, {"sites": set(), "intervals": 0})
                acc["sites"].add(site)
                acc["intervals"] += 1
                sums = QUEUE_SUMS if kind == "queue" else AGENT_SUMS
                for f in sums:
                    acc[f] = acc.get(f, 0) + rec[f]
                if kind == "agent" and states:
                    absent = [f for f in AGENT_STATE + ("occupancy",) if f not in rec]
                    if absent:
                        raise SystemExit("rollup-check: %s: %s %s has no %s"
                                         % (path, rec["agent"], rec["start"],
                                            ", ".join(absent)))
                if kind == "agent":
                    for f in AGENT_STATE:
                        if f in rec:
                            acc[f] = acc.get(f, 0) + rec[f]
                for f in QUEUE_MAX if kind == "queue" else ():
                    acc[f] = max(acc.get(f, 0), rec[f])
                for f in HISTS if kind == "queue" else ():
                    acc[f] = [a + b for a, b in zip(acc.get(f, [0] * 12), rec[f])]
    for acc in out.values():
        acc["sites"] = len(acc["sites"])
        if per_site:
            del acc["sites"]
        if kind == "queue":
            acc["service_level"] = ratio(acc["answered_within_sl"],
                                         acc["answered"] + acc["abandoned"])
            acc["asa_s"] = ratio(acc["wait_answered_s"], acc["answered"])
            acc["aht_s"] = ratio(acc["handle_s"], acc["handled"])
            acc["abandon_rate"] = ratio(acc["abandoned"], acc["answered"] + acc["abandoned"])
            acc["abandon_rate_offered"] = ratio(acc["abandoned"] + acc["short_abandoned"],
                                                acc["offered"])
            acc["patience_s"] = ratio(acc["wait_all_s"],
                                      acc["abandoned"] + acc["short_abandoned"])
        else:
            acc["aht_s"] = ratio(acc["handle_s"], acc["handled"])
            if "staffed_s" in acc:
                acc["occupancy"] = ratio(acc["on_call_s"] + acc["busy_other_s"]
                                         + acc["ringing_s"] + acc["wrapup_s"],
                                         acc["staffed_s"] - acc["paused_s"])
    return out


def view_rows(kind, granularity, site=None):
    """The view's rows by (name, period): across sites, or of one site."""
    if site is None:
        view, col = VIEWS[(kind, granularity)]
        where = ""
    else:
        view, col = SITE_VIEWS[(kind, granularity)]
        where = " WHERE v.site = '%s'" % site.replace("'", "''")
    sql = ("SET TimeZone = 'UTC'; SELECT row_to_json(v) FROM ccmetrics.%s v%s"
           % (view, where))
    text = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, stdout=subprocess.PIPE, env=os.environ).stdout.decode()
    out = {}
    for line in text.splitlines():
        row = json.loads(line)
        out[(row[kind], row[col][:19])] = row
    return out


RATIOS = ("service_level", "asa_s", "aht_s", "abandon_rate", "abandon_rate_offered",
          "patience_s", "occupancy")


def same(name, want, got):
    """Equality by the module's rules."""
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, list):
        return want == got
    if name in RATIOS:
        return abs(want - got) <= 1e-9 * max(abs(want), abs(got))
    return round(want, 3) == round(got, 3)


def main(argv):
    """Compare; print the differences."""
    site, states = None, False
    while argv and argv[0] in ("--site", "--states"):
        if argv[0] == "--states":
            states, argv = True, argv[1:]
        elif len(argv) > 1:
            site, argv = argv[1], argv[2:]
        else:
            break
    if len(argv) < 3 or argv[0] not in ("queue", "agent") or \
            argv[1] not in ("interval", "hour", "day") or \
            (site is not None and argv[1] == "interval"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, granularity = argv[0], argv[1]
    want = expected(kind, granularity, argv[2:], states, site is not None)
    got = view_rows(kind, granularity, site)
    problems = []
    for key in sorted(set(want) | set(got)):
        if key not in got:
            problems.append("%s %s: missing from the view" % key)
            continue
        if key not in want:
            problems.append("%s %s: in the view, not in the truth" % key)
            continue
        for name, value in want[key].items():
            if not same(name, value, got[key].get(name)):
                problems.append("%s %s %s: expected %s, got %s"
                                % (key + (name, json.dumps(value),
                                          json.dumps(got[key].get(name)))))
    for p in problems[:50]:
        print(p)
    print("%s %s %s: %d rows, %d expected, %d problems"
          % (kind, granularity, "across sites" if site is None else "of site " + site,
             len(got), len(want), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
