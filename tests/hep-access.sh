#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# hep-access.sh: the live HEP listener takes datagrams only from
# capture.hep_sources carrying capture.hep_password, and one dated 2100
# does not move packet time (limits.max_time_jump_s).
. "$(dirname "$0")/lib.sh"

port=$(free_port)
cat >"$TMP/hep.yaml" <<EOT
capture:
  hep_listen: "127.0.0.1:$port"
  hep_sources: [127.0.0.2]
  hep_password: "s3cret"
pbx:
  addresses: [10.0.0.10]
agents:
  addresses: [10.1.0.0/16]
publish:
  zmq: ~
  jsonl: { path: "$TMP/out.jsonl" }
EOT
"$CCMETRICSD" -f -c "$TMP/hep.yaml" 2>"$TMP/err.log" &
daemon=$!
wait_hep_listener "$port" "$daemon" "$TMP/err.log"

# Each line: source address, auth key ("-": none), seconds since the epoch.
now=$(date +%s)
$PYTHON3 - "$port" "$now" <<'PYEOF' || { kill "$daemon"; fail "sending HEP"; }
import socket, struct, sys
port, now = int(sys.argv[1]), int(sys.argv[2])

def chunk(t, v):
    return struct.pack("!HHH", 0, t, 6 + len(v)) + v

def hep(sec, key, n):
    sip = ("OPTIONS sip:pbx@10.0.0.10 SIP/2.0\r\nCall-ID: opt%d\r\n"
           "CSeq: 1 OPTIONS\r\nFrom: <sip:a@10.1.0.5>;tag=1\r\n"
           "To: <sip:pbx@10.0.0.10>\r\nContent-Length: 0\r\n\r\n" % n)
    body = (chunk(1, b"\x02") + chunk(2, b"\x11") +
            chunk(3, socket.inet_aton("10.1.0.5")) +
            chunk(4, socket.inet_aton("10.0.0.10")) +
            chunk(7, struct.pack("!H", 5060)) + chunk(8, struct.pack("!H", 5060)) +
            chunk(9, struct.pack("!I", sec)) + chunk(10, struct.pack("!I", 0)) +
            chunk(11, b"\x01"))
    if key is not None:
        body += chunk(14, key.encode())
    body += chunk(15, sip.encode())
    return b"HEP3" + struct.pack("!H", 6 + len(body)) + body

sends = [("127.0.0.1", "s3cret", now)] * 3 + \
        [("127.0.0.2", None, now)] * 2 + \
        [("127.0.0.2", "s3cre", now)] + \
        [("127.0.0.2", "s3cret", now)] * 4 + \
        [("127.0.0.2", "s3cret", 4102444800)]		# 2100-01-01
for n, (src, key, sec) in enumerate(sends):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.sendto(hep(sec, key, n), ("127.0.0.1", port))
    s.close()
PYEOF
# Every datagram read (a bounded wait on the daemon's own log is not
# available: give the loop its 100 ms polls a few times over).
sleep 1
kill -TERM "$daemon"
rc=0
wait "$daemon" || rc=$?
expect_eq "exit status after SIGTERM" 0 "$rc"
expect_eq "refused: 3 from 127.0.0.1, 2 without a key, 1 with a wrong one" 6 \
    "$(last_stat "$TMP/out.jsonl" hep_listen.refused)"
expect_eq "HEP datagrams taken" 5 \
    "$(last_stat "$TMP/out.jsonl" hep_listen.packets)"
expect_eq "SIP payloads" 5 "$(last_stat "$TMP/out.jsonl" hep_listen.payloads)"
expect_eq "the datagram from 2100 held at packet time" 1 \
    "$(last_stat "$TMP/out.jsonl" time.held)"
# The last stats are dated now, not 2100.
year=$($PYTHON3 -c 'import json,sys
last=[l for l in open(sys.argv[1]) if "\"topic\":\"stats\"" in l][-1]
print(json.loads(last)["ts"][:4])' "$TMP/out.jsonl")
expect_eq "year of the last stats" "$(date -u +%Y)" "$year"
echo "ok: HEP listener: sources and key checked, a date in 2100 held"
