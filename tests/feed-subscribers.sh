#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# feed-subscribers.sh: a stranger on the feed: a huge subscription frame is
# refused without growing the daemon, subscribers past max_subscribers are
# refused and counted, and the daemon says where it listens, in clear.
. "$(dirname "$0")/lib.sh"

PEER="$PYTHON3 $top_srcdir/tests/zmtp-peer.py"
hport=$(free_port)
zport=$(free_port)
cat >"$TMP/live.yaml" <<EOT
capture:
  hep_listen: "127.0.0.1:$hport"
pbx: { addresses: [10.0.0.10] }
agents: { addresses: [10.1.0.0/16] }
queues: [ { name: sales, dnis: ["5100"] } ]
publish:
  zmq: { endpoint: "tcp://127.0.0.1:$zport", max_subscribers: 3 }
EOT
"$CCMETRICSD" -f -c "$TMP/live.yaml" 2>"$TMP/err.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$TMP"' EXIT

# Bounded wait until the feed accepts connections.
i=0
until $PYTHON3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$zport),1)" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "no feed on port $zport: $(cat "$TMP/err.log")"
	kill -0 $pid 2>/dev/null || fail "daemon died: $(cat "$TMP/err.log")"
	sleep 0.1
done
grep -q "zmq: publishing on tcp://127.0.0.1:$zport, NOT encrypted" \
    "$TMP/err.log" || fail "no listening line: $(cat "$TMP/err.log")"
echo "ok: start-up says where the feed listens, unencrypted"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
before=$(rss)
# One subscription frame of 1 MiB: libzmq would build a trie node per byte
# (about 100 MiB); it must be refused at its header instead.
got=$($PEER bomb "$zport" 1048576 --timeout 5)
expect_eq "1 MiB subscription frame" closed "$got"
after=$(rss)
kill -0 $pid || fail "daemon died: $(cat "$TMP/err.log")"
grow=$((after - before))
[ "$grow" -lt 8192 ] || fail "RSS grew by $grow KiB on one subscription"
echo "ok: RSS grew by $grow KiB (< 8 MiB)"
# 50 MiB: aborted the daemon in libzmq's allocator before.
got=$($PEER bomb "$zport" 52428800 --timeout 5)
expect_eq "50 MiB subscription frame" closed "$got"
kill -0 $pid || fail "daemon died on 50 MiB: $(cat "$TMP/err.log")"
echo "ok: alive after a 50 MiB frame"

# Three subscribers are served, the fourth refused; one leaving makes room.
# The fourth connects once the three have subscribed (a bounded wait for
# their ready files), whatever the machine's load; they hold 10 s.
$PEER hold "$zport" 10 --ready "$TMP/r1" >"$TMP/h1" &
h1=$!
$PEER hold "$zport" 10 --ready "$TMP/r2" >"$TMP/h2" &
h2=$!
$PEER hold "$zport" 10 --ready "$TMP/r3" >"$TMP/h3" &
h3=$!
i=0
until [ -e "$TMP/r1" ] && [ -e "$TMP/r2" ] && [ -e "$TMP/r3" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the three subscribers did not subscribe"
	sleep 0.1
done
got=$($PEER hold "$zport" 3)
expect_eq "fourth subscriber" closed "$got"
wait $h1 $h2 $h3
expect_eq "first three subscribers" "open open open" \
    "$(cat "$TMP/h1") $(cat "$TMP/h2") $(cat "$TMP/h3")"
got=$($PEER hold "$zport" 1)
expect_eq "a subscriber once the three left" open "$got"
grep -q "zmq: refused a subscriber from 127.0.0.1:[0-9]*: already 3" \
    "$TMP/err.log" || fail "no refusal logged: $(cat "$TMP/err.log")"
echo "ok: refusal logged"
kill -TERM $pid
wait $pid || fail "exit status $?"
