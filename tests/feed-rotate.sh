#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# feed-rotate.sh: the JSON-lines file rotated (mv, then SIGUSR1 or SIGHUP)
# under traffic, then once by logrotate itself with the shipped snippet
# (conf/ccmetricsd.logrotate, its path and signal pointed at this test's
# daemon): each rotation starts a new file, and the files together hold
# every object of the replay, each line whole, none twice.
. "$(dirname "$0")/lib.sh"

command -v logrotate >/dev/null 2>&1 ||
    fail "logrotate is not installed (scripts/install-deps installs it)"

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
	mv "$TMP/out.jsonl" "$TMP/out.jsonl.m$r"
	if [ $((r % 2)) -eq 0 ]; then
		kill -USR1 $pid
	else
		kill -HUP $pid
	fi
	r=$((r + 1))
done
# The fifth by logrotate: out.jsonl moves to out.jsonl.1 (delaycompress
# leaves it plain), then the snippet's postrotate signals the daemon.
sed -e "s|^/var/lib/ccmetrics/\\*\\.jsonl {|$TMP/out.jsonl {|" \
    -e "s|^\\([[:space:]]*\\)systemctl kill .*|\\1kill -USR1 $pid|" \
    "$top_srcdir/conf/ccmetricsd.logrotate" >"$TMP/logrotate.conf"
grep -q "^$TMP/out.jsonl {" "$TMP/logrotate.conf" &&
    grep -q "kill -USR1 $pid" "$TMP/logrotate.conf" ||
    fail "the shipped snippet no longer has the path or signal line expected"
i=0
until [ -s "$TMP/out.jsonl" ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "logrotate: no new file: $(cat "$TMP/out.err")"
	sleep 0.05
done
logrotate -f -s "$TMP/logrotate.state" "$TMP/logrotate.conf" ||
    fail "logrotate failed"
[ -f "$TMP/out.jsonl.1" ] || fail "logrotate did not rotate out.jsonl"
wait $pid || fail "exit status $?: $(cat "$TMP/out.err")"
expect_eq "reopens logged" 5 "$(grep -c "jsonl: reopened $TMP/out.jsonl" \
    "$TMP/out.err")"
cat "$TMP/out.jsonl.m0" "$TMP/out.jsonl.m1" "$TMP/out.jsonl.m2" \
    "$TMP/out.jsonl.m3" "$TMP/out.jsonl.1" "$TMP/out.jsonl" >"$TMP/all.jsonl"
# The same objects as the replay without rotation, in order (but the boot).
sed -E 's/,"boot":"[0-9a-f]{16}"//' "$TMP/ref.jsonl" >"$TMP/ref.noboot"
sed -E 's/,"boot":"[0-9a-f]{16}"//' "$TMP/all.jsonl" >"$TMP/all.noboot"
cmp "$TMP/ref.noboot" "$TMP/all.noboot" ||
    fail "rotated files differ from the replay without rotation"
for f in m0 m1 m2 m3 1; do
	tail -c 1 "$TMP/out.jsonl.$f" | od -An -c | grep -q '\\n' ||
	    fail "out.jsonl.$f ends inside a line"
done
echo "ok: 6 files, $(wc -l <"$TMP/all.jsonl") lines, as without rotation"
