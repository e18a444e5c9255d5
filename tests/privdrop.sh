#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# privdrop.sh: started as root with daemon.user, a live ccmetricsd opens
# the capture, then runs as that user and group with no supplementary
# group and no capability left, still capturing, reloading on SIGHUP and
# stopping cleanly on SIGTERM. Needs root and a loopback interface.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "not root"
own_netns "$0"
getent passwd nobody >/dev/null || skip "no user nobody"
uid=$(id -u nobody)
gid=$(id -g nobody)

# An unknown user is a configuration error, found by --check-config.
cat >"$TMP/bad.yaml" <<EOT
pbx: { addresses: [127.0.0.1] }
agents: { addresses: [10.1.0.0/16] }
daemon: { user: no-such-user-ccm }
EOT
rc=0
"$CCMETRICSD" -c "$TMP/bad.yaml" --check-config 2>"$TMP/err" || rc=$?
expect_eq "exit status with an unknown user" 2 "$rc"
grep -q 'daemon.user: no user "no-such-user-ccm"' "$TMP/err" ||
    fail "message: $(cat "$TMP/err")"

# The dropped user must read the file on SIGHUP.
chmod 755 "$TMP"
port=$(free_port)
cat >"$TMP/live.yaml" <<EOT
capture: { interface: lo, sip_ports: [$port] }
pbx: { addresses: [127.0.0.1] }
agents: { addresses: [10.1.0.0/16] }
metrics: { realtime_s: 1 }
daemon: { user: nobody }
publish: { zmq: ~, jsonl: { path: "$TMP/out.jsonl" } }
EOT
chmod 644 "$TMP/live.yaml"
"$CCMETRICSD" -f -c "$TMP/live.yaml" 2>"$TMP/err.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -rf "$TMP"' EXIT
i=0
until grep -q "running as user" "$TMP/err.log"; do
	if ! kill -0 "$pid" 2>/dev/null; then
		grep -q -i "lo:\|capture\|permitted" "$TMP/err.log" &&
		    skip "no live capture on lo here: $(cat "$TMP/err.log")"
		fail "ccmetricsd died: $(cat "$TMP/err.log")"
	fi
	i=$((i + 1))
	[ "$i" -lt 50 ] || fail "no privilege drop: $(cat "$TMP/err.log")"
	sleep 0.1
done

status() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$pid/status" | tr -s ' \t' ' '; }
expect_eq "Uid" "$uid $uid $uid $uid" "$(status Uid)"
expect_eq "Gid" "$gid $gid $gid $gid" "$(status Gid)"
expect_eq "Groups" "$gid" "$(status Groups | sed 's/ $//')"
expect_eq "CapEff" 0000000000000000 "$(status CapEff)"
expect_eq "CapPrm" 0000000000000000 "$(status CapPrm)"
# Nothing to regain through setuid programs or file capabilities either.
expect_eq "CapBnd" 0000000000000000 "$(status CapBnd)"
expect_eq "CapAmb" 0000000000000000 "$(status CapAmb)"
expect_eq "NoNewPrivs" 1 "$(status NoNewPrivs)"

# Still capturing after the drop: a SIP datagram on lo is counted.
$PYTHON3 - "$port" <<'EOT'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
msg = (b"OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\n"
       b"Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK1\r\n"
       b"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:ping@127.0.0.1>\r\n"
       b"Call-ID: privdrop-test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
for _ in range(3):
    s.sendto(msg, ("127.0.0.1", int(sys.argv[1])))
EOT
sleep 1.5
kill -HUP "$pid"
sleep 0.5
grep -q "info: reloaded $TMP/live.yaml" "$TMP/err.log" ||
    fail "no reload as nobody: $(cat "$TMP/err.log")"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
trap 'rm -rf "$TMP"' EXIT
expect_eq "exit status after SIGTERM" 0 "$rc"
packets=$(last_stat "$TMP/out.jsonl" packets)
[ "${packets:-0}" -ge 1 ] || fail "nothing captured after the drop"
echo "ok: $packets packets captured as user nobody"
