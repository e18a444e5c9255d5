#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# feed-jsonl-disk.sh: the JSON-lines sink on a small tmpfs that fills:
# whole lines or none, the failure and the recovery logged with the path,
# the loss counted on stats, a replay that lost objects exits 1.
. "$(dirname "$0")/lib.sh"

# In a mount namespace of its own, when one can be made, for a small tmpfs.
if [ -z "${CCM_MNTNS:-}" ] && command -v unshare >/dev/null 2>&1 &&
    unshare -m true 2>/dev/null; then
	rm -rf "$TMP"
	CCM_MNTNS=1 exec unshare -m sh "$0"
fi

mkdir "$TMP/fs"
# Skipped, not passed, where no tmpfs can be mounted (no mount namespace,
# no privilege): it checks nothing then.
[ -n "${CCM_MNTNS:-}" ] || skip "no mount namespace: full-disk checks not run"
mount -t tmpfs -o size=512k tmpfs "$TMP/fs" 2>/dev/null ||
    skip "no tmpfs can be mounted: full-disk checks not run"
trap 'umount "$TMP/fs" 2>/dev/null || true; rm -rf "$TMP"' EXIT

$GEN --seed 29 --duration-s 1800 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>/dev/null ||
    fail "generator"
# day.yaml PATH: the generated config writing JSON lines to PATH.
day_yaml() {
	sed '/^publish:/,$d' "$TMP/gen.yaml"
	printf 'publish:\n  zmq: ~\n  jsonl: { path: "%s" }\n' "$1"
}

# whole_lines FILE: every line a JSON object, the last one ended.
whole_lines() {
	$PYTHON3 - "$1" <<'EOT'
import json, sys
data = open(sys.argv[1], "rb").read()
assert data == b"" or data.endswith(b"\n"), "a half line at the end"
for i, line in enumerate(data.split(b"\n")[:-1]):
    json.loads(line)
EOT
}

# The number of objects a clean replay publishes.
day_yaml "$TMP/clean.jsonl" >"$TMP/clean.yaml"
"$CCMETRICSD" -c "$TMP/clean.yaml" -r "$TMP/day.pcap" 2>"$TMP/clean.err" ||
    fail "replay: $(cat "$TMP/clean.err")"
n=$(wc -l <"$TMP/clean.jsonl")

# 1. 64 KiB left: the disk fills during the replay: whole lines only, exit 1.
dd if=/dev/zero of="$TMP/fs/filler3" bs=1024 count=448 2>/dev/null ||
    fail "filler"
day_yaml "$TMP/fs/small.jsonl" >"$TMP/small.yaml"
rc=0
"$CCMETRICSD" -c "$TMP/small.yaml" -r "$TMP/day.pcap" 2>"$TMP/small.err" ||
    rc=$?
expect_eq "exit status on a full disk" 1 "$rc"
grep -q "jsonl: $TMP/fs/small.jsonl: No space left on device" \
    "$TMP/small.err" || fail "no failure logged: $(cat "$TMP/small.err")"
whole_lines "$TMP/fs/small.jsonl" || fail "a half line on the full disk"
echo "ok: full disk: $(wc -l <"$TMP/fs/small.jsonl") whole lines of $n, exit 1"
rm -f "$TMP/fs/small.jsonl" "$TMP/fs/filler3"

# 2. Live (paced), the disk full then freed: the loss is logged, then the
# recovery; no line is split; the last stats counts exactly the objects
# missing from the file.
dd if=/dev/zero of="$TMP/fs/filler" bs=1024 count=1024 2>/dev/null || true
day_yaml "$TMP/fs/live.jsonl" >"$TMP/live.yaml"
"$CCMETRICSD" -c "$TMP/live.yaml" -r "$TMP/day.pcap" --replay-speed 200 \
    2>"$TMP/live.err" &
pid=$!
i=0
until grep -q "objects are being lost" "$TMP/live.err"; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "no loss logged: $(cat "$TMP/live.err")"
	kill -0 $pid 2>/dev/null || fail "ended before the disk was freed"
	sleep 0.1
done
rm -f "$TMP/fs/filler"
rc=0
wait $pid || rc=$?
expect_eq "exit status after a loss" 1 "$rc"
grep -q "jsonl: $TMP/fs/live.jsonl: writing again, [1-9][0-9]* objects were lost" \
    "$TMP/live.err" || fail "no recovery logged: $(cat "$TMP/live.err")"
whole_lines "$TMP/fs/live.jsonl" || fail "a split line after the recovery"
$PYTHON3 - "$TMP/fs/live.jsonl" "$n" <<'EOT' || fail "loss count"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
last = objs[-1]
assert last["type"] == "stats", last["type"]
lost = last["publish"]["jsonl_lost"]
# The last stats is the last object: every seq up to it is in the file
# or counted as lost, and the replay published what a clean one does.
assert last["seq"] == int(sys.argv[2]), (last["seq"], sys.argv[2])
assert lost > 0 and len(objs) + lost == last["seq"], (len(objs), lost)
seqs = [o["seq"] for o in objs]
assert seqs == sorted(set(seqs)), "seq out of order or repeated"
print("ok: %d lines, %d lost, %d published" % (len(objs), lost, last["seq"]))
EOT
