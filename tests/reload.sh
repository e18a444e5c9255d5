#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# reload.sh: SIGHUP while a day is replayed at 900 times its speed. A
# broken file is reported line by line and the running configuration
# kept; a good one takes effect (new service-level threshold) without
# losing a call or an interval: every call.end still matches the truth,
# and the intervals count what a run without reloads counts.
. "$(dirname "$0")/lib.sh"

$GEN --seed 17 --duration-s 3600 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/day.yaml" 2>/dev/null ||
    fail "generator"
cp "$TMP/day.yaml" "$TMP/orig.yaml"
"$CCMETRICSD" -c "$TMP/orig.yaml" -r "$TMP/day.pcap" >"$TMP/plain.jsonl" \
    2>/dev/null || fail "plain run"

"$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" --replay-speed 900 \
    >"$TMP/out.jsonl" 2>"$TMP/err.log" &
pid=$!
sleep 1
# A broken file: two errors, each reported; the daemon goes on.
sed -e 's/sl_threshold_s: 20/sl_threshold_s: twenty/' \
    -e 's/^metrics:/metrics:\n  bogus: 1/' "$TMP/orig.yaml" >"$TMP/day.yaml"
kill -HUP "$pid"
sleep 1
# A good one: sales' threshold 20 -> 30, debug logging.
sed -e '0,/sl_threshold_s: 20/s//sl_threshold_s: 30/' "$TMP/orig.yaml" \
    >"$TMP/day.yaml"
printf 'log:\n  level: debug\n' >>"$TMP/day.yaml"
kill -HUP "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "exit status" 0 "$rc"

grep -q "reload: $TMP/day.yaml:[0-9]*:[0-9]*: queues\[0\]\.sl_threshold_s: must be an integer" \
    "$TMP/err.log" || fail "error not reported: $(cat "$TMP/err.log")"
grep -q "reload: $TMP/day.yaml:[0-9]*:[0-9]*: metrics.bogus: unknown key" \
    "$TMP/err.log" || fail "error not reported: $(cat "$TMP/err.log")"
grep -q "has errors, keeping the running configuration" "$TMP/err.log" ||
    fail "no 'keeping' line: $(cat "$TMP/err.log")"
expect_eq "successful reloads" 1 "$(grep -c "info: reloaded $TMP/day.yaml" \
    "$TMP/err.log")"
echo "ok: broken file reported and refused, good file reloaded"

# No call lost or changed by the reloads.
$COMPARE "$TMP/truth.jsonl" "$TMP/out.jsonl" || fail "records differ"

$PYTHON3 - "$TMP/plain.jsonl" "$TMP/out.jsonl" <<'EOT' || fail "intervals"
import json, sys
SL = {"answered_within_sl", "service_level", "sl_threshold_s",
      "erlang_c_agents", "seq", "boot"}
def intervals(path):
    with open(path) as f:
        return [json.loads(l) for l in f
                if l.startswith('{"topic":"interval.')]
plain, out = intervals(sys.argv[1]), intervals(sys.argv[2])
key = lambda r: (r["topic"], r["start"])
assert sorted(map(key, plain)) == sorted(map(key, out)), "interval sets differ"
p = {key(r): r for r in plain}
for r in out:
    a = {k: v for k, v in r.items() if k not in SL}
    b = {k: v for k, v in p[key(r)].items() if k not in SL}
    assert a == b, "%s\n!= %s" % (a, b)
sales = [r["sl_threshold_s"] for r in out if r["topic"] == "interval.queue.sales"]
support = [r["sl_threshold_s"] for r in out if r["topic"] == "interval.queue.support"]
assert sales[0] == 20 and sales[-1] == 30, sales
assert set(support) == {20}, support
print("ok: %d intervals as without reloads; sales threshold %s" %
      (len(out), sales))
EOT
