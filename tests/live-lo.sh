#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# live-lo.sh: ccmetricsd capturing live on the loopback interface while a
# generated scenario is sent as real UDP between 127.0.0.0/8 addresses;
# SIGTERM then publishes everything, and the records match the truth
# (times are today's, durations within the sender's timing jitter).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "live capture needs root (CAP_NET_RAW)"
own_netns "$0"
ip link show lo >/dev/null 2>&1 || skip "no loopback interface"

$GEN --seed 3 --duration-s 20 --calls-per-hour 2400 --agents 5 \
    --talk-mean-s 4 --patience-mean-s 10 --queue-timeout-s 15 \
    --rona-timeout-s 5 --wrap-max-s 2 --ring-min-s 1 --ring-max-s 3 \
    --out "$TMP/live.pcap" --truth "$TMP/truth.jsonl" \
    --config "$TMP/gen.yaml" 2>/dev/null || fail "generator"
# The same topology moved into 127.0.0.0/8 as udp-replay.py --net maps it,
# a range of its own so that tests running at once do not see each other.
net=$(( ($$ % 100) * 2 + 20 ))
sed -e "s#10\.0\.0\.10#127.$net.0.10#" \
    -e "s#192\.0\.2\.0/24#127.$net.2.0/24#" \
    -e "s#10\.1\.0\.0/16#127.$((net + 1)).0.0/16#" -e '/^publish:/,$d' \
    -e "s#^capture:#capture:\\n  filter: \"udp port 5060 and net 127.$net.0.0/15\"#" \
    "$TMP/gen.yaml" >"$TMP/live.yaml"
cat >>"$TMP/live.yaml" <<EOT
publish:
  zmq: ~
  jsonl: { path: "$TMP/out.jsonl" }
EOT

"$CCMETRICSD" -f -c "$TMP/live.yaml" -i lo 2>"$TMP/err.log" &
daemon=$!
sleep 1
kill -0 "$daemon" 2>/dev/null || fail "ccmetricsd: $(cat "$TMP/err.log")"
timeout 120 $PYTHON3 "$top_srcdir/tests/udp-replay.py" --net "$net" \
    "$TMP/live.pcap" ||
    { kill "$daemon"; fail "udp-replay"; }
sleep 1
kill -TERM "$daemon"
rc=0
wait "$daemon" || rc=$?
expect_eq "exit status after SIGTERM" 0 "$rc"

# The sender keeps the capture's gaps only as well as a loaded machine lets
# it (seen: 0.13 s late under the sanitizers); timing to the millisecond
# is what the offline replays check.
$COMPARE "$TMP/truth.jsonl" "$TMP/out.jsonl" --tolerance 0.5 \
    --ignore arrival,answered_at,ended_at || fail "live records differ"
grep -q '"topic":"interval.queue.sales"' "$TMP/out.jsonl" ||
    fail "SIGTERM did not publish the open interval"
echo "ok: live capture on lo"
