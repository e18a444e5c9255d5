#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# hep-drops.sh: datagrams the kernel drops on the HEP socket (buffer full
# while the daemon is stopped) are counted in stats.hep_listen.kernel_drops,
# exactly: sent = received + kernel_drops, as the kernel's own count says.
. "$(dirname "$0")/lib.sh"
own_netns "$0"

SEND="$PYTHON3 $top_srcdir/tests/hep-send.py"
# Three hours, about 12,000 datagrams.
$GEN --mode full --seed 7 --duration-s 10800 --encap hep3 \
    --out "$TMP/hep.pcap" --truth "$TMP/truth.jsonl" \
    --config "$TMP/gen.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
port=$($PYTHON3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
sed -e "s#^capture:#capture:\\n  hep_listen: \"127.0.0.1:$port\"#" \
    -e '/^publish:/,$d' "$TMP/gen.yaml" >"$TMP/live.yaml"
printf 'publish:\n  zmq: ~\n  jsonl: { path: "%s" }\n' "$TMP/out.jsonl" \
    >>"$TMP/live.yaml"

"$CCMETRICSD" -f -c "$TMP/live.yaml" 2>"$TMP/err.log" &
pid=$!
trap 'kill -CONT $pid 2>/dev/null || true; kill $pid 2>/dev/null || true; rm -rf "$TMP"' EXIT
wait_hep_listener "$port" "$pid" "$TMP/err.log"

[ "$(udp_sock "$port" drops)" = 0 ] || fail "drops before the test"

# The whole capture twice at once while the daemon is stopped (about
# 30 MB of socket memory, where SO_RCVBUF allows at most 16 MiB): the
# buffer fills and the kernel drops the rest.
kill -STOP $pid
burst=0
for pass in 1 2; do
	n=$(timeout 60 $SEND --preload --burst 1000000 "$TMP/hep.pcap" \
	    127.0.0.1 "$port") || fail "hep-send"
	burst=$((burst + n))
done
kill -CONT $pid
# Bounded wait until the daemon has read what the buffer held.
udp_drained "$port" $pid
# No datagram follows the burst: the drops are known only from the
# socket's own count (SO_RXQ_OVFL would tell them with the next datagram).
kdrops=$(udp_sock "$port" drops)
kill -TERM $pid
rc=0
wait $pid || rc=$?
expect_eq "exit status after SIGTERM" 0 "$rc"

sent=$burst
got=$(last_stat "$TMP/out.jsonl" hep_listen.packets)
drops=$(last_stat "$TMP/out.jsonl" hep_listen.kernel_drops)
[ "$drops" -gt 0 ] || fail "no kernel drop counted ($sent sent, $got received)"
expect_eq "kernel drops (sent $sent - received $got)" $((sent - got)) "$drops"
expect_eq "kernel drops as /proc/net/udp counts them" "$kdrops" "$drops"
