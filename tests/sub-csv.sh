#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sub-csv.sh: ccmetrics-sub -c records a live run over ZeroMQ on loopback,
# and the next run of a restarted daemon (ZeroMQ reconnects): one CSV row
# per interval record published, equal to it cell for cell, the header
# once, and per-queue sums equal to the call events.
. "$(dirname "$0")/lib.sh"

$GEN --seed 13 --duration-s 3600 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
port=$(free_port)
endpoint="tcp://127.0.0.1:$port"
sed '/^publish:/,$d' "$TMP/gen.yaml" >"$TMP/day.yaml"
cat >>"$TMP/day.yaml" <<EOT
publish:
  zmq: { endpoint: "$endpoint", await_subscribers: 1, await_ms: 20000 }
  jsonl: { path: "$TMP/daemon.jsonl" }
EOT
mkdir "$TMP/csv"

# The subscriber first: ZeroMQ retries until the daemon binds.
timeout 60 "$CCMETRICS_SUB" -q -c "$TMP/csv" -e "$endpoint" -t interval. \
    2>"$TMP/sub.err" &
sub=$!
# Two runs: the second daemon waits until the subscriber has reconnected.
for run in 1 2; do
	timeout 60 "$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" \
	    2>"$TMP/err.log" ||
	    { kill "$sub"; fail "ccmetricsd run $run: $(cat "$TMP/err.log")"; }
done

# Wait (bounded) until every interval record has its row, then stop it.
want=$(grep -c '^{"topic":"interval\.' "$TMP/daemon.jsonl")
[ "$want" -gt 0 ] || fail "the daemon published no interval record"
rows() {
	cat "$TMP/csv/interval.queue.csv" "$TMP/csv/interval.agent.csv" \
	    2>/dev/null | grep -c '^[0-9]' || true
}
i=0
while [ "$(rows)" -lt "$want" ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM "$sub"
rc=0
wait "$sub" || rc=$?
expect_eq "ccmetrics-sub exit status after SIGTERM" 0 "$rc"
expect_eq "CSV rows" "$want" "$(rows)"

$PYTHON3 - "$TMP/daemon.jsonl" "$TMP/csv" <<'EOT' || fail "CSV differs from the published records"
import collections, csv, json, os, sys

recs = [json.loads(line) for line in open(sys.argv[1])]
EDGES = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300]


def cell_of(rec, column):
    """The JSON value a column holds: a field, or one histogram bucket."""
    for field in ("wait_hist_answered", "wait_hist_abandoned"):
        if column.startswith(field + "_"):
            names = ["le%d" % e for e in EDGES] + ["gt300"]
            return rec[field][names.index(column[len(field) + 1:])]
    return rec[column]


def same(text, value):
    if value is None:
        return text == ""
    if isinstance(value, str):
        return text == value
    if isinstance(value, bool):
        return text == ("true" if value else "false")
    return text != "" and float(text) == value and \
        (not isinstance(value, int) or text == str(value))


for kind in ("interval.queue", "interval.agent"):
    path = os.path.join(sys.argv[2], kind + ".csv")
    with open(path, "rb") as fh:
        raw = fh.read()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""), \
        "%s: lines do not all end in CRLF" % path
    with open(path, newline="") as fh:
        table = list(csv.reader(fh))
    header, rows = table[0], table[1:]
    assert header not in rows, "%s: header written twice" % path
    want = [r for r in recs if r["type"] == kind]
    assert len(rows) == len(want), "%s: %d rows for %d records" % (path, len(rows), len(want))
    # The run (boot) and a partial interval's span have no CSV column
    # (columns are fixed in version 1).
    fields = set().union(*want) - {"topic", "type", "v", "seq", "boot", "ts",
                                   "partial", "observed_from", "observed_to"}
    covered = {c if not c.startswith("wait_hist_") else c.rsplit("_", 1)[0]
               for c in header}
    assert fields == covered, "%s: columns miss %s" % (path, fields - covered)
    for n, (row, rec) in enumerate(zip(rows, want), 2):
        for column, text in zip(header, row):
            assert same(text, cell_of(rec, column)), \
                "%s:%d: %s is %r, the record has %r" % (path, n, column, text,
                                                        cell_of(rec, column))
    print("ok: %s.csv: %d rows equal to the records, cell for cell" % (kind, len(rows)))

# Per-queue sums of the CSV against the call events of the same run.
with open(os.path.join(sys.argv[2], "interval.queue.csv"), newline="") as fh:
    qrows = list(csv.DictReader(fh))
events = collections.Counter((r["type"], r.get("queue")) for r in recs)
for queue in sorted({r["queue"] for r in qrows}):
    for column, event in (("offered", "call.arrive"), ("answered", "call.answer")):
        total = sum(int(r[column]) for r in qrows if r["queue"] == queue)
        assert total == events[(event, queue)], "%s %s: CSV %d, %s events %d" % (
            queue, column, total, event, events[(event, queue)])
        print("ok: %s: %s %d = %s events" % (queue, column, total, event))
    total = sum(int(r["abandoned"]) + int(r["short_abandoned"])
                for r in qrows if r["queue"] == queue)
    assert total == events[("call.abandon", queue)], "%s abandons" % queue
with open(os.path.join(sys.argv[2], "interval.agent.csv"), newline="") as fh:
    arows = list(csv.DictReader(fh))
rings = collections.Counter(r["agent"] for r in recs if r["type"] == "call.ring")
attempts = collections.Counter()
for r in arows:
    attempts[r["agent"]] += int(r["attempts"])
assert attempts == rings, "attempts per agent %s, call.ring %s" % (attempts, rings)
print("ok: attempts per agent = call.ring events")
EOT
