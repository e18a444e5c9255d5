#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# feed-slow-peer.sh: a subscriber that stops reading under a small sndhwm,
# then reads on, sees its loss as a gap in seq: what it got plus the gap
# is every object published, what it got is exactly what was published
# under those seq, and stats.publish.zmq_overflows counted the overflow.
. "$(dirname "$0")/lib.sh"
own_netns "$0"

PEER="$PYTHON3 $top_srcdir/tests/zmtp-peer.py"
HWM=50
# Published while the subscriber is stopped: far more than its queue
# (HWM) and the kernel's buffers (256 KiB + 4 KiB, about 600 objects) hold.
PAUSED=2000
$GEN --seed 23 --duration-s 7200 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>/dev/null ||
    fail "generator"
port=$(free_port)
sed '/^publish:/,$d' "$TMP/gen.yaml" >"$TMP/z.yaml"
# The JSON-lines file of the same run is the reference: every object
# published, with the seq the feed carries.
cat >>"$TMP/z.yaml" <<EOT
publish:
  zmq: { endpoint: "tcp://127.0.0.1:$port", sndhwm: $HWM,
         await_subscribers: 1, await_ms: 30000 }
  jsonl: { path: "$TMP/all.jsonl" }
EOT

$PEER read "$port" --timeout 50 --ready "$TMP/ready" >"$TMP/sub.jsonl" &
peer=$!
"$CCMETRICSD" -c "$TMP/z.yaml" -r "$TMP/day.pcap" --replay-speed 1000 \
    2>"$TMP/z.err" &
pid=$!
trap 'kill -CONT $peer 2>/dev/null || true; kill $pid $peer 2>/dev/null || true; rm -rf "$TMP"' EXIT
i=0
until [ -e "$TMP/ready" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "subscriber not connected: $(cat "$TMP/z.err")"
	sleep 0.1
done
# The subscriber stops reading until PAUSED objects are published.
kill -STOP $peer
i=0
until [ "$(wc -l <"$TMP/all.jsonl" 2>/dev/null || echo 0)" -ge $PAUSED ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || fail "replay too slow: $(cat "$TMP/z.err")"
	kill -0 $pid 2>/dev/null || fail "replay ended while the subscriber was stopped"
	sleep 0.05
done
kill -CONT $peer
rc=0
wait $pid || rc=$?
expect_eq "ccmetricsd exit status" 0 "$rc"
wait $peer || fail "subscriber"
grep -q "replaying without" "$TMP/z.err" &&
    fail "the subscriber was not awaited: $(cat "$TMP/z.err")"

$PYTHON3 - "$TMP/all.jsonl" "$TMP/sub.jsonl" <<'EOT' || fail "slow subscriber"
import json, sys
ref = {}
for line in open(sys.argv[1], "rb"):
    ref[json.loads(line)["seq"]] = line.rstrip(b"\n")
published = max(ref)
assert sorted(ref) == list(range(1, published + 1)), "the file has gaps"
got = [l.rstrip(b"\n") for l in open(sys.argv[2], "rb")]
seqs = [json.loads(l)["seq"] for l in got]
assert seqs == sorted(set(seqs)), "seq out of order or repeated"
# Exactly the objects published under those seq (the file adds the topic).
for s, line in zip(seqs, got):
    want = json.loads(ref[s])
    del want["topic"]
    assert json.loads(line) == want, "seq %d differs from the published " \
        "object" % s
# It read on to the end: the last object (the last stats) arrived.
assert seqs[-1] == published, (seqs[-1], published)
gaps = [(a, b) for a, b in zip([0] + seqs, seqs) if b != a + 1]
missing = sum(b - a - 1 for a, b in gaps)
assert gaps, "no gap in seq: the subscriber lost nothing"
assert len(seqs) + missing == published, (len(seqs), missing, published)
last = json.loads(ref[published])
assert last["type"] == "stats", last["type"]
ovf = last["publish"]["zmq_overflows"]
assert ovf > 0, "stats.publish.zmq_overflows 0"
# Each overflow is a send that found the queue full: the subscriber then
# misses messages until it reads again, so every gap begins with one.
assert ovf >= len(gaps), (ovf, len(gaps))
assert last["publish"]["zmq_dropped"] == 0, last["publish"]
print("ok: got %d of %d objects, %d missing in %d gap(s) %s, "
      "zmq_overflows %d" % (len(seqs), published, missing, len(gaps),
      gaps[:3], ovf))
EOT
