#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# reload-load.sh: SIGHUPs that load a large file (99,000 DNIS) while HEP
# arrives at full pace: the file is read on a thread, so the listener keeps
# draining: no datagram lost in the kernel, the reloads applied, and the
# same call records as the offline replay. The control: the daemon stopped
# for as long as that file takes to load (what a load on the main thread
# did) at the same pace loses datagrams in the kernel.
. "$(dirname "$0")/lib.sh"

$GEN --mode full --seed 41 --duration-s 43200 --encap hep3 \
    --out "$TMP/hep.pcap" --truth "$TMP/truth.jsonl" \
    --config "$TMP/gen.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
port=$($PYTHON3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
sed -e "s#^capture:#capture:\\n  hep_listen: \"127.0.0.1:$port\"#" \
    -e '/^publish:/,$d' "$TMP/gen.yaml" >"$TMP/small.yaml"
cat >>"$TMP/small.yaml" <<EOT
publish:
  zmq: ~
  jsonl: { path: "$TMP/out.jsonl" }
EOT
# The large file: one more queue with 99000 numbers the day never dials.
$PYTHON3 - "$TMP/small.yaml" "$TMP/large.yaml" <<'EOT' || fail "large file"
import sys
src, dst = sys.argv[1], sys.argv[2]
text = open(src).read()
bulk = ", ".join("7%06d" % i for i in range(99000))
entry = "  - { name: bulk, dnis: [%s] }\n" % bulk
lines = text.splitlines(True)
i = lines.index("queues:\n") + 1
open(dst, "w").write("".join(lines[:i]) + entry + "".join(lines[i:]))
EOT
grep -q '^queues:$' "$TMP/small.yaml" || fail "generated config has no block queues list"
"$CCMETRICSD" --check-config -c "$TMP/large.yaml" >/dev/null 2>"$TMP/check.log" ||
    fail "large file invalid: $(cat "$TMP/check.log")"
"$CCMETRICSD" -c "$TMP/gen.yaml" -r "$TMP/hep.pcap" >"$TMP/offline.jsonl" \
    2>"$TMP/err.log" || fail "offline replay: $(cat "$TMP/err.log")"

# How long the four files take to load one after the other, in
# milliseconds: the stall of a load on the main thread (at least 1 s).
t0=$(date +%s%N)
for f in large small large small; do
	"$CCMETRICSD" --check-config -c "$TMP/$f.yaml" >/dev/null 2>&1
done
stall=$((($(date +%s%N) - t0) / 1000000))
[ "$stall" -ge 1000 ] || stall=1000

# live MODE: the capture sent to a live daemon; MODE reload: four SIGHUPs
# (large, small, large, small) during a send at up to 12,500 datagrams a
# second; MODE stop: the daemon stopped once for $stall ms during a send
# at up to 25,000 a second (twice the pace: the control must overflow the
# socket's 8 MiB even where the loads are quick).
live() {
	cp "$TMP/small.yaml" "$TMP/live.yaml"
	rm -f "$TMP/out.jsonl"
	"$CCMETRICSD" -f -c "$TMP/live.yaml" 2>"$TMP/err.log" &
	daemon=$!
	wait_hep_listener "$port" "$daemon" "$TMP/err.log"
	# About 50,000 datagrams, read beforehand.
	pause=4
	[ "$1" = stop ] && pause=2
	rm -f "$TMP/ready"
	timeout 120 $PYTHON3 "$top_srcdir/tests/hep-send.py" --preload \
	    --ready "$TMP/ready" --burst 50 --pause-ms $pause "$TMP/hep.pcap" \
	    127.0.0.1 "$port" >"$TMP/sent" &
	sender=$!
	i=0
	until [ -e "$TMP/ready" ]; do
		i=$((i + 1))
		[ "$i" -lt 300 ] || fail "hep-send never got ready"
		sleep 0.1
	done
	sleep 0.1
	if [ "$1" = stop ]; then
		kill -STOP "$daemon"
		sleep "$(echo "$stall" | awk '{ print $1 / 1000 }')"
		kill -CONT "$daemon"
	else
		for f in large small large small; do
			cp "$TMP/$f.yaml" "$TMP/live.yaml"
			kill -HUP "$daemon"
			sleep 0.3
		done
		kill -0 $sender 2>/dev/null ||
		    fail "the send ended before the reloads"
	fi
	wait $sender || fail "hep-send"
	sleep 1
	kill -TERM "$daemon"
	rc=0
	wait "$daemon" || rc=$?
	expect_eq "$1: exit status after SIGTERM" 0 "$rc"
}
trap 'kill $daemon 2>/dev/null || true; rm -rf "$TMP"' EXIT

live stop
# Counted as sent minus received: the kernel's own count (SO_RXQ_OVFL)
# reaches the daemon only with a datagram queued after the drops, and the
# send may end during the stall.
lost=$(($(cat "$TMP/sent") - $(last_stat "$TMP/out.jsonl" hep_listen.packets)))
[ "$lost" -gt 0 ] ||
    fail "control: a $stall ms stall lost nothing: the pace proves nothing"
echo "ok: control: stopped $stall ms, $lost datagrams lost"

live reload
sent=$(cat "$TMP/sent")
# Each SIGHUP was read and applied (a signal arriving while a load runs is
# taken after it: at least the last one is).
n=$(grep -c "reloaded $TMP/live.yaml" "$TMP/err.log" || true)
[ "$n" -ge 2 ] || fail "$n reloads applied: $(cat "$TMP/err.log")"
grep -q "reload: .*keeping the running" "$TMP/err.log" &&
    fail "a reload failed: $(cat "$TMP/err.log")"
echo "ok: $n reloads applied during the send"
expect_eq "datagrams lost in the kernel" 0 \
    "$(last_stat "$TMP/out.jsonl" hep_listen.kernel_drops)"
expect_eq "HEP datagrams received" "$sent" \
    "$(last_stat "$TMP/out.jsonl" hep_listen.packets)"
for f in offline out; do
	grep '"topic":"call.end\.' "$TMP/$f.jsonl" |
	    sed -E 's/"seq":[0-9]*,"boot":"[0-9a-f]*",//' | sort >"$TMP/$f.ends"
done
cmp -s "$TMP/offline.ends" "$TMP/out.ends" ||
    fail "call records differ from the offline replay"
echo "ok: $(wc -l <"$TMP/out.ends") call records, as offline, through 4 reloads"
