#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# iface-updown.sh: the capture interface going down and up again is logged
# once each way, and the daemon goes on capturing (a veth pair in a network
# namespace of the test's own).
. "$(dirname "$0")/lib.sh"
own_netns "$0"
[ -n "${CCM_NETNS:-}" ] || skip "needs a network namespace of its own"
ip link add ccm0 type veth peer name ccm1 2>/dev/null ||
    skip "cannot make a veth pair"
ip link set ccm0 up && ip link set ccm1 up || fail "veth up"

cat >"$TMP/c.yaml" <<EOT
pbx: { addresses: [10.0.0.10] }
agents: { addresses: [10.1.0.0/16] }
publish: { zmq: ~, jsonl: { path: "$TMP/out.jsonl" } }
EOT
"$CCMETRICSD" -f -c "$TMP/c.yaml" -i ccm0 2>"$TMP/err.log" &
pid=$!
# wait_log TEXT: until the daemon logs TEXT (bounded: 100 polls).
wait_log() {
	i=0
	until grep -q "$1" "$TMP/err.log"; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { kill "$pid"; fail "no '$1' in: $(cat "$TMP/err.log")"; }
		kill -0 "$pid" 2>/dev/null || fail "ccmetricsd died: $(cat "$TMP/err.log")"
		sleep 0.1
	done
}
wait_log "capturing on ccm0"
ip link set ccm0 down
wait_log "capture: ccm0 is down"
ip link set ccm0 up
wait_log "capture: ccm0 is up again"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "exit status after SIGTERM" 0 "$rc"
expect_eq "down lines" 1 "$(grep -c 'capture: ccm0 is down' "$TMP/err.log")"
expect_eq "up lines" 1 "$(grep -c 'capture: ccm0 is up again' "$TMP/err.log")"
echo "ok: interface down and up logged, daemon still running"
