#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# feed-jsonl.sh: the JSON-lines sink on /dev/full: the failure logged with
# the path, a replay that lost objects exits 1; the file is created 0640.
# A disk filling and freed: feed-jsonl-disk.sh.
. "$(dirname "$0")/lib.sh"

$GEN --seed 29 --duration-s 1800 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>/dev/null ||
    fail "generator"
# day.yaml PATH: the generated config writing JSON lines to PATH.
day_yaml() {
	sed '/^publish:/,$d' "$TMP/gen.yaml"
	printf 'publish:\n  zmq: ~\n  jsonl: { path: "%s" }\n' "$1"
}

# 1. /dev/full: every write fails. The replay says so and exits 1.
day_yaml /dev/full >"$TMP/full.yaml"
rc=0
"$CCMETRICSD" -c "$TMP/full.yaml" -r "$TMP/day.pcap" 2>"$TMP/full.err" ||
    rc=$?
expect_eq "exit status on /dev/full" 1 "$rc"
grep -q "jsonl: /dev/full: No space left on device: objects are being lost" \
    "$TMP/full.err" || fail "no failure logged: $(cat "$TMP/full.err")"
grep -q "jsonl: [0-9]* objects lost: the output is incomplete" \
    "$TMP/full.err" || fail "no loss at exit: $(cat "$TMP/full.err")"
echo "ok: /dev/full logged, exit 1"

# 2. Created 0640 (caller numbers), whatever a permissive umask allows.
day_yaml "$TMP/mode.jsonl" >"$TMP/mode.yaml"
(umask 022 && "$CCMETRICSD" -c "$TMP/mode.yaml" -r "$TMP/day.pcap" \
    2>"$TMP/mode.err") || fail "replay: $(cat "$TMP/mode.err")"
expect_eq "mode of a new JSON-lines file" 640 "$(stat -c %a "$TMP/mode.jsonl")"
