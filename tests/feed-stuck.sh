#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# feed-stuck.sh: subscribers that never read lose their own messages only:
# a subscriber that reads gets every object of a replay, stats counts the
# drops, and the daemon's memory stays within sndhwm per stuck subscriber.
. "$(dirname "$0")/lib.sh"

PEER="$PYTHON3 $top_srcdir/tests/zmtp-peer.py"
STUCK=10
HWM=100
$GEN --seed 23 --duration-s 7200 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>/dev/null ||
    fail "generator"
sed '/^publish:/,$d' "$TMP/gen.yaml" >"$TMP/base.yaml"

# The reference: what the replay publishes, from the JSON-lines sink.
cp "$TMP/base.yaml" "$TMP/ref.yaml"
printf 'publish:\n  zmq: ~\n  jsonl: { path: "%s" }\n' "$TMP/ref.jsonl" \
    >>"$TMP/ref.yaml"
"$CCMETRICSD" -c "$TMP/ref.yaml" -r "$TMP/day.pcap" 2>"$TMP/ref.err" ||
    fail "reference replay: $(cat "$TMP/ref.err")"
n=$(wc -l <"$TMP/ref.jsonl")
maxline=$(awk '{ if (length($0) > m) m = length($0) } END { print m }' \
    "$TMP/ref.jsonl")

# replay NSTUCK: the replay with NSTUCK subscribers that never read and one
# that reads everything; prints the daemon's peak RSS (VmHWM, KiB).
replay() {
	port=$(free_port)
	cp "$TMP/base.yaml" "$TMP/z.yaml"
	cat >>"$TMP/z.yaml" <<EOT
publish:
  zmq: { endpoint: "tcp://127.0.0.1:$port", sndhwm: $HWM,
         await_subscribers: $(($1 + 1)), await_ms: 60000 }
EOT
	# Paced, so that a subscriber that reads keeps up on a busy machine.
	"$CCMETRICSD" -c "$TMP/z.yaml" -r "$TMP/day.pcap" --replay-speed 600 \
	    2>"$TMP/z.err" &
	dpid=$!
	spids=""
	if [ "$1" -gt 0 ]; then
		$PEER stuck "$port" "$1" --timeout 60 >"$TMP/stuck" &
		spids=$!
	fi
	timeout 120 "$CCMETRICS_SUB" -e "tcp://127.0.0.1:$port" -n "$n" \
	    -w 90 >"$TMP/sub.jsonl" 2>"$TMP/sub.err" &
	sub=$!
	hwm=0
	i=0
	# Sample the peak while the daemon runs (lingers up to 3 s at exit).
	while [ $i -lt 2400 ] && kill -0 $dpid 2>/dev/null; do
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$dpid/status" \
		    2>/dev/null || true)
		[ -n "$v" ] && hwm=$v
		sleep 0.05
		i=$((i + 1))
	done
	rc=0
	wait $dpid || rc=$?
	[ $rc -eq 0 ] || fail "ccmetricsd exit $rc: $(cat "$TMP/z.err")"
	wait $sub || fail "subscriber: $(cat "$TMP/sub.err")"
	for p in $spids; do kill $p 2>/dev/null || true; done
	grep -q "replaying without" "$TMP/z.err" &&
	    fail "subscribers not all awaited: $(cat "$TMP/z.err")"
	echo "$hwm"
}

hwm0=$(replay 0)
hwm=$(replay $STUCK)
expect_eq "objects the reading subscriber got" "$n" "$(wc -l <"$TMP/sub.jsonl")"
$PYTHON3 - "$TMP/sub.jsonl" "$n" <<'EOT' || fail "subscriber stream"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
seqs = [o["seq"] for o in objs]
assert seqs == list(range(1, int(sys.argv[2]) + 1)), "a gap in seq"
last = objs[-1]
assert last["type"] == "stats", last["type"]
# The stuck subscribers' queues filled: counted; nothing was sent to none.
assert last["publish"]["zmq_overflows"] > 0, last["publish"]
assert last["publish"]["zmq_dropped"] == 0, last["publish"]
print("ok: seq 1..%d without a gap, zmq_overflows %d" % (
    len(seqs), last["publish"]["zmq_overflows"]))
EOT
# Bound: per stuck subscriber its sndhwm queue of the longest object, and
# 256 KiB of libzmq buffers (pipe chunks, the encoder's batch).
bound=$((STUCK * (HWM * maxline / 1024 + 256)))
grow=$((hwm - hwm0))
[ "$grow" -le "$bound" ] ||
    fail "peak RSS $hwm KiB, $grow KiB above one subscriber (bound $bound)"
echo "ok: $STUCK stuck subscribers: peak RSS +$grow KiB (bound $bound KiB)"
