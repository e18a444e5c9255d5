#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# db-rows.py: rows of the ccmetrics PostgreSQL tables as the daemon's JSON lines, for compare-calls.py and compare-intervals.py.
"""Usage: db-rows.py {queue|agent|call|dump} [--site SITE]

Reads the table (interval_queue, interval_agent or call_end) with psql (the
PG* environment names the database) and prints one JSON line per row in the
daemon's JSON-lines form: a "topic" (interval.queue.<queue>, ...), times as
RFC 3339 UTC with milliseconds and "Z", the columns as fields. The site is
left out (--site keeps one site's rows only), as are the envelope columns
(boot, seq), and the columns that a daemon's object leaves out when they do
not apply: partial, observed_from and observed_to of an interval observed
whole, and the state-time fields of interval.agent that no daemon filled
(all null; a row with some filled keeps a null occupancy). An interval's "ts" is its "end", as the daemon publishes it.

"dump" prints every row of the three tables, sorted, site and all (without
boot and seq): two databases are equal when their dumps are.
"""

import datetime
import json
import os
import subprocess
import sys

TABLES = {"queue": ("interval_queue", "interval.queue.", "queue", "start"),
          "agent": ("interval_agent", "interval.agent.", "agent", "start"),
          "call": ("call_end", "call.end.", "queue", "arrival")}
OPTIONAL_NULL = ("observed_from", "observed_to", "staffed_s", "available_s", "ringing_s",
                 "on_call_s", "busy_other_s", "wrapup_s", "paused_s", "unknown_s",
                 "occupancy")
STATE_TIMES = OPTIONAL_NULL[2:]
TIME_FIELDS = ("start", "end", "observed_from", "observed_to", "arrival", "answered_at",
               "ended_at")


def rows(table, site=None):
    """Rows of ccmetrics.TABLE as dicts (by psql, JSON per row)."""
    where = ""
    if site is not None:
        where = " WHERE site = '%s'" % site.replace("'", "''")
    sql = ("SET TimeZone = 'UTC'; SELECT row_to_json(t) FROM ccmetrics.%s t%s"
           % (table, where))
    out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         check=True, stdout=subprocess.PIPE, env=os.environ).stdout
    return [json.loads(line) for line in out.decode().splitlines() if line.strip()]


def rfc3339(text):
    """PostgreSQL's timestamptz JSON text as the daemon writes times."""
    if text is None:
        return None
    t = datetime.datetime.fromisoformat(text)
    t = t.astimezone(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def as_daemon(kind, row):
    """One row as the daemon's JSON line."""
    _, prefix, name, _ = TABLES[kind]
    for f in TIME_FIELDS:
        if f in row:
            row[f] = rfc3339(row[f])
    for f in ("site", "boot", "seq"):
        row.pop(f, None)
    if kind != "call":
        if row.get("partial") is False:
            del row["partial"]
        row["ts"] = row["end"]
    # A daemon that fills DESIGN.md 7's state times fills them all, occupancy
    # null when its denominator is 0: kept then, left out only when all are.
    filled = any(row.get(f) is not None for f in STATE_TIMES)
    for f in OPTIONAL_NULL:
        if f in row and row[f] is None and not (filled and f in STATE_TIMES):
            del row[f]
    out = {"topic": prefix + row[name]}
    out.update(row)
    return out


def main(argv):
    """Print the rows."""
    if not argv or argv[0] not in list(TABLES) + ["dump"]:
        print(__doc__, file=sys.stderr)
        return 2
    site = argv[2] if len(argv) == 3 and argv[1] == "--site" else None
    if argv[0] == "dump":
        lines = []
        for kind, (table, _, _, _) in sorted(TABLES.items()):
            for row in rows(table):
                row.pop("boot", None)
                row.pop("seq", None)
                lines.append(table + " " + json.dumps(row, sort_keys=True))
        for line in sorted(lines):
            print(line)
        return 0
    for row in rows(TABLES[argv[0]][0], site):
        print(json.dumps(as_daemon(argv[0], row)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
