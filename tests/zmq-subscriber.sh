#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# zmq-subscriber.sh: a real ZeroMQ subscriber on tcp://127.0.0.1 receives
# every call.end of a replayed day, equal to the generator's truth.
. "$(dirname "$0")/lib.sh"

$GEN --seed 11 --duration-s 1800 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>/dev/null ||
    fail "generator"
port=$(free_port)
# The generated config with our own publish section.
sed '/^publish:/,$d' "$TMP/gen.yaml" >"$TMP/day.yaml"
cat >>"$TMP/day.yaml" <<EOT
publish:
  zmq: { endpoint: "tcp://127.0.0.1:$port", await_subscribers: 1, await_ms: 10000 }
  jsonl: { path: "$TMP/daemon.jsonl" }
EOT
ncalls=$(wc -l <"$TMP/truth.jsonl")

timeout 60 "$CCMETRICS_SUB" -e "tcp://127.0.0.1:$port" -t call.end. \
    -n "$ncalls" -w 20 >"$TMP/sub.jsonl" 2>"$TMP/sub.err" &
sub=$!
timeout 60 "$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" \
    2>"$TMP/err.log" || fail "ccmetricsd: $(cat "$TMP/err.log")"
wait "$sub" || fail "subscriber: $(cat "$TMP/sub.err")"

expect_eq "call.end received" "$ncalls" "$(wc -l <"$TMP/sub.jsonl")"
$COMPARE "$TMP/truth.jsonl" "$TMP/sub.jsonl" ||
    fail "subscriber records differ from the truth"
# What went over ZeroMQ is what the JSON-lines sink wrote, byte for byte.
grep '"topic":"call.end\.' "$TMP/daemon.jsonl" >"$TMP/sink-calls.jsonl"
cmp "$TMP/sink-calls.jsonl" "$TMP/sub.jsonl" ||
    fail "ZeroMQ and JSON-lines records differ"
echo "ok: ZeroMQ and JSON-lines agree"
