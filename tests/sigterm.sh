#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sigterm.sh: SIGTERM in the middle of a paced replay: the daemon exits 0
# within seconds, having published every call in progress as a partial
# call.end, the open intervals, and a last stats object; the calls that
# had ended are exactly the truth.
. "$(dirname "$0")/lib.sh"

$GEN --seed 19 --duration-s 3600 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/day.yaml" 2>/dev/null ||
    fail "generator"
"$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" --replay-speed 600 \
    >"$TMP/out.jsonl" 2>"$TMP/err.log" &
pid=$!
sleep 2
start=$(date +%s)
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
took=$(( $(date +%s) - start ))
expect_eq "exit status" 0 "$rc"
[ "$took" -le 5 ] || fail "took $took s to stop"
echo "ok: stopped in $took s"
grep -q "stopping: publishing open calls and intervals" "$TMP/err.log" ||
    fail "no stopping line: $(cat "$TMP/err.log")"

$PYTHON3 - "$TMP/truth.jsonl" "$TMP/out.jsonl" <<'EOT' || fail "checks"
import json, sys
truth = {}
with open(sys.argv[1]) as f:
    for l in f:
        r = json.loads(l)
        truth[r["contact_id"]] = r
with open(sys.argv[2]) as f:
    out = [json.loads(l) for l in f]
assert out[-1]["topic"] == "stats", out[-1]["topic"]
last_ts = out[-1]["ts"]	# the final stats: packet time at the stop
arrived = {r["contact_id"] for r in out if r["topic"].startswith("call.arrive.")}
ends = {r["contact_id"]: r for r in out if r["topic"].startswith("call.end.")}
assert 0 < len(arrived) < len(truth), (len(arrived), len(truth))
assert arrived == set(ends), "arrived calls without call.end: %s" % (
    sorted(arrived - set(ends))[:5])
partial = [r for r in ends.values() if r["partial"]]
assert partial, "no call was open at SIGTERM"
for r in partial:
    assert r["ended_at"] == last_ts, (r["ended_at"], last_ts)
def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and round(a, 3) == round(b, 3)
    return a == b
done = 0
for cid, r in ends.items():
    if r["partial"]:
        continue
    t = truth[cid]
    bad = [k for k in t if not same(t[k], r.get(k))]
    assert not bad, "%s differs in %s" % (cid, bad)
    done += 1
# The intervals open at the stop were closed and published.
open_q = [r for r in out if r["topic"].startswith("interval.queue.")
          and r["start"] <= last_ts < r["end"]]
assert {r["queue"] for r in open_q} == {"sales", "support"}, open_q
print("ok: %d calls ended as in the truth, %d open ones published partial, "
      "%d open queue intervals closed" % (done, len(partial), len(open_q)))
EOT
