#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# feed-await.sh: publish.zmq.await_subscribers counts subscribers, not
# topics: two subscribers to the whole feed satisfy 2, one subscriber to
# two topics does not.
. "$(dirname "$0")/lib.sh"

$GEN --seed 37 --duration-s 900 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>/dev/null ||
    fail "generator"
ncalls=$(wc -l <"$TMP/truth.jsonl")
# day_yaml PORT AWAIT_MS
day_yaml() {
	sed '/^publish:/,$d' "$TMP/gen.yaml"
	printf 'publish:\n  zmq: { endpoint: "tcp://127.0.0.1:%s",\n' "$1"
	printf '         await_subscribers: 2, await_ms: %s }\n' "$2"
}

port=$(free_port)
day_yaml "$port" 60000 >"$TMP/two.yaml"
"$CCMETRICSD" -c "$TMP/two.yaml" -r "$TMP/day.pcap" 2>"$TMP/two.err" &
pid=$!
for s in 1 2; do
	timeout 120 "$CCMETRICS_SUB" -e "tcp://127.0.0.1:$port" -t call.end. \
	    -n "$ncalls" -w 90 >"$TMP/sub$s.jsonl" 2>"$TMP/sub$s.err" &
done
wait $pid || fail "ccmetricsd: $(cat "$TMP/two.err")"
wait
grep -q "replaying without" "$TMP/two.err" &&
    fail "two subscribers not counted: $(cat "$TMP/two.err")"
expect_eq "call.end at subscriber 1" "$ncalls" "$(wc -l <"$TMP/sub1.jsonl")"
expect_eq "call.end at subscriber 2" "$ncalls" "$(wc -l <"$TMP/sub2.jsonl")"

port=$(free_port)
day_yaml "$port" 3000 >"$TMP/one.yaml"
"$CCMETRICSD" -c "$TMP/one.yaml" -r "$TMP/day.pcap" 2>"$TMP/one.err" &
pid=$!
timeout 60 "$CCMETRICS_SUB" -e "tcp://127.0.0.1:$port" -t call.end. \
    -t stats -w 30 -n 1 >/dev/null 2>"$TMP/sub.err" &
wait $pid || fail "ccmetricsd: $(cat "$TMP/one.err")"
wait
grep -q "replaying without the 2 subscriber(s) awaited" "$TMP/one.err" ||
    fail "one subscriber of two topics counted as two"
echo "ok: one subscriber of two topics is one"
