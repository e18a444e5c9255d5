#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# feed-dead-peer.sh: a subscriber that never answers the daemon's ZMTP
# heartbeats (PING every 10 s, dropped 30 s after one goes unanswered) is
# dropped within 10 + 30 s and its place under max_subscribers goes free;
# one that answers stays; the daemon's side of a connection has TCP
# keepalive armed (60 s idle).
. "$(dirname "$0")/lib.sh"
own_netns "$0"

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
  zmq: { endpoint: "tcp://127.0.0.1:$zport", max_subscribers: 2 }
  jsonl: { path: "$TMP/out.jsonl" }
EOT
"$CCMETRICSD" -f -c "$TMP/live.yaml" 2>"$TMP/err.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$TMP"' EXIT

# Heartbeat interval + timeout (src/publish.c), and slack for a busy machine.
BOUND=48
$PEER heartbeat "$zport" mute --timeout $BOUND --ready "$TMP/mute.ready" \
    >"$TMP/mute" &
mute=$!
$PEER heartbeat "$zport" answer --timeout 42 \
    --ready "$TMP/answer.ready" >"$TMP/answer" &
answer=$!
i=0
until [ -e "$TMP/mute.ready" ] && [ -e "$TMP/answer.ready" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "peers not subscribed: $(cat "$TMP/err.log")"
	kill -0 $pid 2>/dev/null || fail "daemon died: $(cat "$TMP/err.log")"
	sleep 0.1
done
t0=$(date +%s)

# TCP keepalive on the daemon's side of both connections (ss -o shows
# the armed timer: keepalive, at most 60 s away, where the kernel
# default is 2 h).
ka=$(ss -tno state established "( sport = :$zport )" |
    grep -c 'timer:(keepalive,\([0-9.]*sec\|1min\),0)' || true)
expect_eq "daemon-side connections with TCP keepalive armed" 2 "$ka"

# Both places taken: a third subscriber is refused.
expect_eq "a third subscriber, max_subscribers 2" closed \
    "$($PEER hold "$zport" 1 --timeout 5)"

wait $mute || fail "mute peer"
t1=$(date +%s)
got=$(cat "$TMP/mute")
case $got in
[1-9]*" closed") ;;
*) fail "a peer not answering PINGs was not dropped within $BOUND s: $got" ;;
esac
echo "ok: mute peer dropped after $((t1 - t0)) s, ${got% closed} PINGs unanswered"

# Its place is free again: a new subscriber is served.
expect_eq "a subscriber once the dead peer is reaped" open \
    "$($PEER hold "$zport" 1 --timeout 5)"

wait $answer || fail "answering peer"
got=$(cat "$TMP/answer")
case $got in
[1-9]*" open") ;;
*) fail "a peer answering PINGs was dropped, or saw none: $got" ;;
esac
echo "ok: answering peer kept, ${got% open} PINGs answered"

kill -TERM $pid
wait $pid || fail "exit status $?"
expect_eq "stats.publish.zmq_refused" 1 \
    "$(last_stat "$TMP/out.jsonl" publish.zmq_refused)"
