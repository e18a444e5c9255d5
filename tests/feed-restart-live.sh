#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# feed-restart-live.sh: a live daemon (HEP in on 127.0.0.1) killed with
# SIGKILL mid-interval and started again, then stopped with SIGTERM
# mid-interval and started again: each run has a boot id of its own; an
# interval a run did not observe whole says so, with observed_from and
# observed_to exactly the span it saw (docs/operations.md, "Restarts");
# no run publishes a call twice.
. "$(dirname "$0")/lib.sh"
own_netns "$0"

SEND="$PYTHON3 $top_srcdir/tests/hep-send.py"
$GEN --mode full --seed 43 --duration-s 3600 --encap hep3 \
    --out "$TMP/hep.pcap" --truth "$TMP/truth.jsonl" \
    --config "$TMP/gen.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
grep -q '^  interval_s: 900$' "$TMP/gen.yaml" || fail "intervals not 900 s"
port=$($PYTHON3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')

# The HEP timestamp (us) of each datagram, in sending order.
$PYTHON3 - "$TMP/hep.pcap" "$top_srcdir/tools" >"$TMP/ts" <<'EOT' ||
import struct, sys
sys.path.insert(0, sys.argv[2])
from ccmgen_wire import PcapReader, udp4_of
with open(sys.argv[1], "rb") as fh:
    for _, frame in PcapReader(fh, sys.argv[1]):
        udp = udp4_of(frame)
        if udp is None or udp[3] != 9060:
            continue
        hep, off, chunks = udp[4], 6, {}
        assert hep[:4] == b"HEP3", hep[:4]
        while off + 6 <= len(hep):
            _, ctype, clen = struct.unpack(">HHH", hep[off:off + 6])
            chunks[ctype] = hep[off + 6:off + clen]
            off += clen
        sec = struct.unpack(">I", chunks[9])[0]
        usec = struct.unpack(">I", chunks[10])[0]
        print(sec * 1000000 + usec)
EOT
    fail "reading HEP times"
# Where the runs change: the first datagram at or after 09:22 and 09:37
# of the capture's day (inside the intervals 09:15-09:30, 09:30-09:45).
index_at() {
	$PYTHON3 - "$TMP/ts" "$1" <<'EOT'
import sys
ts = [int(l) for l in open(sys.argv[1])]
day = ts[0] - ts[0] % 86400000000
at = day + int(sys.argv[2]) * 1000000
print(next(i for i, t in enumerate(ts) if t >= at))
EOT
}
k1=$(index_at $((9 * 3600 + 22 * 60)))
k2=$(index_at $((9 * 3600 + 37 * 60)))
total=$(wc -l <"$TMP/ts")

# run N FROM COUNT: start a daemon writing run N.jsonl, send it COUNT
# datagrams from FROM on, wait until it has read them all. Sets $pid.
run() {
	sed -e "s#^capture:#capture:\\n  hep_listen: \"127.0.0.1:$port\"#" \
	    -e '/^publish:/,$d' "$TMP/gen.yaml" >"$TMP/run$1.yaml"
	printf 'publish:\n  zmq: ~\n  jsonl: { path: "%s" }\n' \
	    "$TMP/run$1.jsonl" >>"$TMP/run$1.yaml"
	"$CCMETRICSD" -f -c "$TMP/run$1.yaml" 2>"$TMP/run$1.err" &
	pid=$!
	wait_hep_listener "$port" "$pid" "$TMP/run$1.err"
	sent=$(timeout 60 $SEND --skip "$2" --count "$3" "$TMP/hep.pcap" \
	    127.0.0.1 "$port") || { kill $pid; fail "hep-send"; }
	expect_eq "run $1: datagrams sent" "$3" "$sent"
	udp_drained "$port" $pid
}
pid=
trap '[ -z "$pid" ] || kill -9 $pid 2>/dev/null || true; rm -rf "$TMP"' EXIT

# Run 1 is killed inside 09:15-09:30.
run 1 0 "$k1"
sleep 0.5
kill -KILL $pid
wait $pid 2>/dev/null || true
# Run 2 is stopped inside 09:30-09:45.
run 2 "$k1" $((k2 - k1))
kill -TERM $pid
rc=0
wait $pid || rc=$?
expect_eq "run 2: exit status after SIGTERM" 0 "$rc"
# Run 3 sees the rest of the day and is stopped at its end.
run 3 "$k2" $((total - k2))
kill -TERM $pid
rc=0
wait $pid || rc=$?
expect_eq "run 3: exit status after SIGTERM" 0 "$rc"

$PYTHON3 - "$TMP/ts" "$k1" "$k2" "$TMP/run1.jsonl" "$TMP/run2.jsonl" \
    "$TMP/run3.jsonl" <<'EOT' || fail "restarts"
import calendar, json, re, sys

def us(text):
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z", text)
    sec = calendar.timegm(tuple(map(int, re.split("[-T:]", m.group(1)))))
    return sec * 1000000 + int(m.group(2)) * 1000

def ms(t):              # published times are in milliseconds
    return t - t % 1000

ts = [int(l) for l in open(sys.argv[1])]
k1, k2 = int(sys.argv[2]), int(sys.argv[3])
runs = [[json.loads(l) for l in open(p)] for p in sys.argv[4:]]
# Packet time of each run: from its first datagram to its last.
first = [ts[0], ts[k1], ts[k2]]
last = [ts[k1 - 1], ts[k2 - 1], ts[-1]]
killed = [True, False, False]

boots = []
for r, objs in enumerate(runs):
    ids = {o["boot"] for o in objs}
    assert len(ids) == 1, "run %d: boot ids %s" % (r + 1, ids)
    boots.append(ids.pop())
    assert re.fullmatch("[0-9a-f]{16}", boots[-1]), boots[-1]
    # SIGTERM: the stop is the packet time of the flush, the time of the
    # last stats (packet time runs on the monotonic clock while quiet).
    stop = None
    if not killed[r]:
        assert objs[-1]["type"] == "stats", objs[-1]["type"]
        stop = us(objs[-1]["ts"])
        assert ms(last[r]) <= stop <= last[r] + 30000000, (stop, last[r])
    npartial = nwhole = 0
    starts = set()
    for o in objs:
        if not o["type"].startswith("interval."):
            continue
        start, end = us(o["start"]), us(o["end"])
        starts.add(start)
        # Published while running: closed once packet time passed its end.
        to = stop if stop is not None and stop < end else end
        if first[r] <= start and to == end:
            assert "partial" not in o and "observed_from" not in o, \
                (r + 1, o["type"], o["start"])
            nwhole += 1
            continue
        want = (max(ms(first[r]), start), to)
        got = (us(o["observed_from"]), us(o["observed_to"]))
        assert o.get("partial") is True and got == want, \
            (r + 1, o["type"], o["start"], got, want)
        npartial += 1
    # Every run starts inside an interval and is stopped inside one.
    assert npartial > 0, (r + 1, npartial)
    if killed[r]:
        # Nothing of the interval open at the kill was published.
        open_start = last[r] - last[r] % 900000000
        assert open_start not in starts, "run %d: killed interval" % (r + 1)
    # No call published twice within one run.
    for kind in ("call.arrive", "call.end"):
        cids = [o["contact_id"] for o in objs if o["type"] == kind]
        assert len(cids) == len(set(cids)), "run %d: %s twice" % (r + 1, kind)
    print("ok: run %d (%s): boot %s, %d partial, %d whole intervals" % (
        r + 1, "SIGKILL" if killed[r] else "SIGTERM", boots[-1], npartial,
        nwhole))
assert len(set(boots)) == 3, boots
# The SIGTERM run published the calls in progress as partial call.end.
assert any(o["type"] == "call.end" and o.get("partial") for o in runs[1]), \
    "run 2: no partial call.end at SIGTERM"
EOT
