#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# feed-slow-peer.sh: a subscriber that stops reading under a small sndhwm,
# then reads on, sees its loss as a gap in seq: what it got plus the gap
# is every object published, what it got is exactly what was published
# under those seq, and stats.publish.zmq_overflows counted the overflow.
. "$(dirname "$0")/lib.sh"
own_netns "$0"

PEER="$PYTHON3 $top_srcdir/tests/zmtp-peer.py"
SEND="$PYTHON3 $top_srcdir/tests/hep-send.py"
HWM=50
# A live daemon (HEP in), so that the test, not the machine's load, says
# what is published while the subscriber is stopped (the first 3/4 of a
# 2-hour day, about 2900 objects: far more than its queue, HWM, and the
# kernel's buffers, 256 KiB + 4 KiB, about 600 objects, hold) and what
# after it has read on.
$GEN --seed 23 --duration-s 7200 --encap hep3 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>/dev/null ||
    fail "generator"
hport=$($PYTHON3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
port=$(free_port)
sed -e "s#^capture:#capture:\\n  hep_listen: \"127.0.0.1:$hport\"#" \
    -e '/^publish:/,$d' "$TMP/gen.yaml" >"$TMP/z.yaml"
# The JSON-lines file of the same run is the reference: every object
# published, with the seq the feed carries.
cat >>"$TMP/z.yaml" <<EOT
publish:
  zmq: { endpoint: "tcp://127.0.0.1:$port", sndhwm: $HWM }
  jsonl: { path: "$TMP/all.jsonl" }
EOT
total=$($PYTHON3 - "$TMP/day.pcap" "$top_srcdir/tools" <<'EOT'
import sys
sys.path.insert(0, sys.argv[2])
from ccmgen_wire import PcapReader, udp4_of
with open(sys.argv[1], "rb") as fh:
    print(sum(1 for _, f in PcapReader(fh, sys.argv[1])
              if (udp4_of(f) or (0, 0, 0, 0))[3] == 9060))
EOT
) || fail "counting datagrams"
first=$((total * 3 / 4))

"$CCMETRICSD" -f -c "$TMP/z.yaml" 2>"$TMP/z.err" &
pid=$!
$PEER read "$port" --timeout 50 --ready "$TMP/ready" >"$TMP/sub.jsonl" &
peer=$!
trap 'kill -CONT $peer 2>/dev/null || true; kill $pid $peer 2>/dev/null || true; rm -rf "$TMP"' EXIT
wait_hep_listener "$hport" "$pid" "$TMP/z.err"
i=0
until [ -e "$TMP/ready" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "subscriber not connected: $(cat "$TMP/z.err")"
	sleep 0.1
done
sleep 0.5	# its subscription reaches the daemon

# daemon_sendq: bytes the daemon's side of the feed still has to send.
daemon_sendq() {
	ss -tn state established "( sport = :$port )" |
	    awk 'NR > 1 { n += $2 } END { print n + 0 }'
}
kill -STOP $peer
$SEND --count $first "$TMP/day.pcap" 127.0.0.1 "$hport" >/dev/null ||
    fail "hep-send"
udp_drained "$hport" $pid
kill -CONT $peer
# It reads on until the daemon has nothing left for it: its queue is
# open again.
i=0
until [ "$(daemon_sendq)" = 0 ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the subscriber does not read on"
	sleep 0.1
done
sleep 0.5
$SEND --skip $first "$TMP/day.pcap" 127.0.0.1 "$hport" >/dev/null ||
    fail "hep-send"
udp_drained "$hport" $pid
kill -TERM $pid
rc=0
wait $pid || rc=$?
expect_eq "ccmetricsd exit status" 0 "$rc"
wait $peer || fail "subscriber"

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
