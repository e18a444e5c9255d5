#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sl-reload.sh: a call keeps the service-level threshold it arrived with.
# Live on loopback: call A arrives under sl_threshold_s 1; while it waits,
# SIGHUP raises the threshold to 60; A is answered after more than 1 s, so
# it is not within the service level. Call B arrives after the reload and
# waits as long: it is. The queue's interval publishes the threshold in
# force at its close (60), answered 2, answered_within_sl 1.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "live capture needs root (CAP_NET_RAW)"
own_netns "$0"
ip link show lo >/dev/null 2>&1 || skip "no loopback interface"

# A range of 127.0.0.0/8 of its own, as live-lo.sh picks it.
net=$(( ($$ % 100) * 2 + 21 ))
config() {
	cat <<EOT
capture:
  sip_ports: [5060]
  filter: "udp port 5060 and net 127.$net.0.0/16"
pbx: { addresses: [127.$net.0.10] }
trunks: { addresses: [127.$net.2.0/24] }
agents: { addresses: [127.$net.1.0/24] }
queues:
  - { name: sales, dnis: ["+18005550100"], sl_threshold_s: $1 }
correlation: { headers: [X-CC-Inbound] }
metrics: { interval_s: 900, realtime_s: 60 }
publish:
  zmq: ~
  jsonl: { path: "$TMP/out.jsonl" }
EOT
}
config 1 >"$TMP/live.yaml"

"$CCMETRICSD" -f -c "$TMP/live.yaml" -i lo 2>"$TMP/err.log" &
daemon=$!
# The sender drives the calls and the reload; every wait it makes is
# bounded (50 polls of 0.1 s), and only the order of events matters:
# A's arrival is published before the reload, the reload is done before
# A is answered, and each wait is at least 1.2 s (at most what a loaded
# machine adds).
PYTHONPATH="$top_srcdir/tests" timeout 60 $PYTHON3 - "$net" "$daemon" \
    "$TMP" <<'PY' || { kill "$daemon"; fail "sender: $(cat "$TMP/err.log")"; }
import os, signal, socket, sys, time
from sippcap import Leg

net, pid, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
PBX, TRUNK, AGENT = ("127.%s.0.10" % net, "127.%s.2.1" % net,
                     "127.%s.1.1" % net)
socks = {}
for ip in (PBX, TRUNK, AGENT):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, 5060))
    socks[ip] = s

def send(src, dst, msg):
    socks[src].sendto(msg, (dst, 5060))

def wait_for(path, text, count=1):
    for _ in range(50):
        if os.path.exists(path) and open(path).read().count(text) >= count:
            return
        time.sleep(0.1)
    sys.exit("%s never showed %r" % (path, text))

def arrive(name):
    inb = Leg(name + "@127.0.2.1", TRUNK, PBX, "+1555222000" + name[-1],
              "+18005550100", name)
    send(TRUNK, PBX, inb.invite())
    send(PBX, TRUNK, inb.ringing())
    return inb, time.monotonic()

def answer(inb, t0):
    time.sleep(max(0.0, t0 + 1.2 - time.monotonic()))
    ag = Leg("ag-" + inb.call_id, PBX, AGENT, inb.from_user, "1001",
             "g" + inb.tag_uac, headers=[("X-CC-Inbound", inb.call_id)])
    send(PBX, AGENT, ag.invite())
    send(AGENT, PBX, ag.ringing())
    send(AGENT, PBX, ag.ok())
    send(PBX, TRUNK, inb.ok())
    return ag

def hang_up(inb, ag):
    send(AGENT, PBX, ag.request("BYE", by_uac=False))
    send(PBX, TRUNK, inb.request("BYE", by_uac=False))

time.sleep(0.5)                 # the capture opens
a, ta = arrive("ca")
wait_for(tmp + "/out.jsonl", '"contact_id":"ca@127.0.2.1"')
with open(tmp + "/live.yaml") as f:
    cfg = f.read()
with open(tmp + "/live.yaml", "w") as f:
    f.write(cfg.replace("sl_threshold_s: 1 ", "sl_threshold_s: 60 "))
os.kill(pid, signal.SIGHUP)
wait_for(tmp + "/err.log", "reloaded")
ag_a = answer(a, ta)
b, tb = arrive("cb")
ag_b = answer(b, tb)
hang_up(a, ag_a)
hang_up(b, ag_b)
wait_for(tmp + "/out.jsonl", '"topic":"call.end.sales"', 2)
PY
kill -TERM "$daemon"
rc=0
wait "$daemon" || rc=$?
expect_eq "exit status after SIGTERM" 0 "$rc"
grep -q "reload: .*has errors" "$TMP/err.log" && fail "reload refused"

$PYTHON3 - "$TMP/out.jsonl" <<'PY' || fail "service level after the reload"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
waits = {r["contact_id"]: r["wait_s"] for r in recs
         if r["topic"] == "call.answer.sales"}
# The premises: both waited more than the old threshold, less than the new.
assert sorted(waits) == ["ca@127.0.2.1", "cb@127.0.2.1"], waits
assert all(1.0 < w <= 60.0 for w in waits.values()), waits
iv = [r for r in recs if r["topic"] == "interval.queue.sales"]
assert iv, "no interval.queue.sales"
answered = sum(r["answered"] for r in iv)
within = sum(r["answered_within_sl"] for r in iv)
assert (answered, within) == (2, 1), (answered, within)
assert {r["sl_threshold_s"] for r in iv} == {60}, iv
print("ok: waits %s; answered 2, within 1 (A kept threshold 1 s, B got 60 s)"
      % sorted(waits.values()))
PY
