#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# feed-rotate.sh: the JSON-lines file rotated (mv, then SIGUSR1 or SIGHUP)
# under traffic: each rotation starts a new file, and the files together
# hold every object of the replay, each line whole, none twice.
. "$(dirname "$0")/lib.sh"

$GEN --seed 31 --duration-s 3600 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>/dev/null ||
    fail "generator"
day_yaml() {
	sed '/^publish:/,$d' "$TMP/gen.yaml"
	printf 'publish:\n  zmq: ~\n  jsonl: { path: "%s" }\n' "$1"
}
day_yaml "$TMP/ref.jsonl" >"$TMP/ref.yaml"
"$CCMETRICSD" -c "$TMP/ref.yaml" -r "$TMP/day.pcap" 2>"$TMP/ref.err" ||
    fail "reference replay: $(cat "$TMP/ref.err")"

day_yaml "$TMP/out.jsonl" >"$TMP/out.yaml"
"$CCMETRICSD" -c "$TMP/out.yaml" -r "$TMP/day.pcap" --replay-speed 400 \
    2>"$TMP/out.err" &
pid=$!
# Four rotations, SIGUSR1 and SIGHUP in turn, each once the file has lines.
r=0
while [ $r -lt 4 ]; do
	i=0
	until [ -s "$TMP/out.jsonl" ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "rotation $r: no new file: $(cat "$TMP/out.err")"
		kill -0 $pid 2>/dev/null || fail "rotation $r: daemon gone"
		sleep 0.05
	done
	mv "$TMP/out.jsonl" "$TMP/out.jsonl.$r"
	if [ $((r % 2)) -eq 0 ]; then
		kill -USR1 $pid
	else
		kill -HUP $pid
	fi
	r=$((r + 1))
done
wait $pid || fail "exit status $?: $(cat "$TMP/out.err")"
expect_eq "reopens logged" 4 "$(grep -c "jsonl: reopened $TMP/out.jsonl" \
    "$TMP/out.err")"
cat "$TMP/out.jsonl.0" "$TMP/out.jsonl.1" "$TMP/out.jsonl.2" \
    "$TMP/out.jsonl.3" "$TMP/out.jsonl" >"$TMP/all.jsonl"
# The same objects as the replay without rotation, in order (but the boot).
sed -E 's/,"boot":"[0-9a-f]{16}"//' "$TMP/ref.jsonl" >"$TMP/ref.noboot"
sed -E 's/,"boot":"[0-9a-f]{16}"//' "$TMP/all.jsonl" >"$TMP/all.noboot"
cmp "$TMP/ref.noboot" "$TMP/all.noboot" ||
    fail "rotated files differ from the replay without rotation"
for f in 0 1 2 3; do
	tail -c 1 "$TMP/out.jsonl.$f" | od -An -c | grep -q '\\n' ||
	    fail "out.jsonl.$f ends inside a line"
done
echo "ok: 5 files, $(wc -l <"$TMP/all.jsonl") lines, as without rotation"
