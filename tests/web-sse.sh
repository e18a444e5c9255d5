#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# web-sse.sh: ccmetrics-web's /events during a replay: a client that
# disconnects and reconnects with Last-Event-ID receives exactly the events
# it missed; beside 200 idle clients and one that never reads, a client
# receives every event (ids and order as published) and never falls behind
# a control run without them by more than 5 s; the one that never reads is
# cut off and counted; the peak RSS stays within what the configuration
# bounds (the ring, the connections) above the RSS at start.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null 2>&1 || skip "curl not installed"
WEB="$top_builddir/ccmetrics-web"

stop_pids_at_exit

$GEN --seed 43 --duration-s 7200 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>"$TMP/gen.err" ||
    fail "generator: $(cat "$TMP/gen.err")"
# configs NAME: a daemon configuration and a ccmetrics-web one on new ports
# ($zport, $wport), the daemon's JSON-lines output $TMP/NAME.jsonl.
ringbytes=4194304
maxmsg=16384
configs() {
	zport=$(free_port)
	wport=$(free_port)
	# A snapshot every 5 s of packet time: some 3000 events in the day.
	{
		sed -e '/^publish:/,$d' -e 's/realtime_s: .*/realtime_s: 5/' \
		    "$TMP/gen.yaml"
		printf 'publish:\n  zmq: { endpoint: "tcp://127.0.0.1:%s",\n' \
		    "$zport"
		printf '         await_subscribers: 1, await_ms: 30000 }\n'
		printf '  jsonl: { path: "%s" }\n' "$TMP/$1.jsonl"
	} >"$TMP/d.yaml"
	cat >"$TMP/web.yaml" <<EOF
listen: 127.0.0.1:$wport
feeds:
  - endpoint: tcp://127.0.0.1:$zport
events: { ring: 100000, ring_bytes: $ringbytes }
limits:
  max_clients: 300
  client_buffer_bytes: 65536
  max_message_bytes: $maxmsg
  max_queues_total: 64
  max_agents_total: 512
  memory_bytes: 83886080
EOF
}

# --- Control: the same replay with only the watcher and the reconnector.
configs control
"$WEB" -f -c "$TMP/web.yaml" 2>"$TMP/web0.err" &
WEB0=$!
PIDS="$PIDS $WEB0"
wait_for "ccmetrics-web (control)" curl -sf "http://127.0.0.1:$wport/metrics"
$PYTHON3 "$top_srcdir/tests/sse-clients.py" --port "$wport" \
    --ready "$TMP/ready0" --done "$TMP/done0" --out "$TMP/res0.json" \
    --idle 0 --slow 0 2>"$TMP/clients0.err" &
CLIENTS=$!
PIDS="$PIDS $CLIENTS"
wait_for "the control clients to connect" test -f "$TMP/ready0"
"$CCMETRICSD" -c "$TMP/d.yaml" -r "$TMP/day.pcap" --replay-speed 300 \
    2>"$TMP/d.err" || fail "ccmetricsd (control): $(cat "$TMP/d.err")"
$PYTHON3 - "$TMP/control.jsonl" >"$TMP/done0.tmp" <<'PYEOF'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["topic"].startswith(("rt.", "agent.state.", "interval.")):
        print("%s:%d" % (o.get("site", "default"), o["seq"]))
print("--")
PYEOF
mv "$TMP/done0.tmp" "$TMP/done0"
wait "$CLIENTS" || fail "control clients: $(cat "$TMP/clients0.err")"
kill "$WEB0"
wait "$WEB0" || true

# --- The run beside 200 idle clients and one that never reads.
configs out
"$WEB" -f -c "$TMP/web.yaml" 2>"$TMP/web.err" &
WEBPID=$!
PIDS="$PIDS $WEBPID"
wait_for "ccmetrics-web" curl -sf "http://127.0.0.1:$wport/metrics"
# Its RSS before any client or object: the bound below is on top of it.
rss0=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$WEBPID/status")
[ -n "$rss0" ] || fail "no VmRSS for ccmetrics-web"

$PYTHON3 "$top_srcdir/tests/sse-clients.py" --port "$wport" \
    --ready "$TMP/ready" --done "$TMP/done" --out "$TMP/res.json" \
    --idle 200 --idle-topic interval.queue. 2>"$TMP/clients.err" &
CLIENTS=$!
PIDS="$PIDS $CLIENTS"
wait_for "the clients to connect" test -f "$TMP/ready"

"$CCMETRICSD" -c "$TMP/d.yaml" -r "$TMP/day.pcap" --replay-speed 300 \
    2>"$TMP/d.err" || fail "ccmetricsd: $(cat "$TMP/d.err")"

# What every client should have: the ids of the objects of the SSE topics,
# in the order published; the idle clients, those of interval.queue.
$PYTHON3 - "$TMP/out.jsonl" >"$TMP/done.tmp" <<'PYEOF'
import json, sys
every, iq = [], []
for line in open(sys.argv[1]):
    o = json.loads(line)
    t = o["topic"]
    eid = "%s:%d" % (o.get("site", "default"), o["seq"])
    if t.startswith(("rt.", "agent.state.", "interval.")):
        every.append(eid)
    if t.startswith("interval.queue."):
        iq.append(eid)
print("\n".join(every))
print("--")
print("\n".join(iq))
PYEOF
mv "$TMP/done.tmp" "$TMP/done"
wait "$CLIENTS" || fail "clients: $(cat "$TMP/clients.err")"

check() {
	$PYTHON3 - "$TMP/res.json" "$TMP/done" "$1" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().split("\n")
sep = lines.index("--")
every = lines[:sep]
iq = [x for x in lines[sep + 1:] if x]
what = sys.argv[3]
if what == "count":
    print(len(every))
elif what == "iq":
    print(len(iq))
elif what == "watcher":
    print("same" if r["watcher"] == every else
          "differs: %d of %d" % (len(r["watcher"]), len(every)))
elif what == "before":
    print(len(r["before"]))
elif what == "missed":
    # What it missed: after its last id, up to what the watcher had
    # when it reconnected; all of it came first, then the rest.
    b, a = r["before"], r["after"]
    print("same" if b + a == every else
          "differs: %d + %d of %d, first after: %s, last before: %s"
          % (len(b), len(a), len(every), a[:1], b[-1:]))
elif what == "gap":
    print(r["dropped_when_watcher_had"] is not None and
          len(r["before"]) < r["dropped_when_watcher_had"] + 300 <= len(every))
elif what == "idle":
    print("%d of %d" % (r["idle_ok"], r["idle"]))
elif what == "slow":
    print(r["slow_closed"])
PYEOF
}
n=$(check count)
[ "$n" -gt 2000 ] || fail "only $n events in the day"
[ "$(check iq)" -gt 5 ] || fail "too few interval.queue events"
expect_eq "the watcher's $n events" same "$(check watcher)"
expect_eq "events before the disconnect" 50 "$(check before)"
expect_eq "reconnected with Last-Event-ID: the missed events, then the rest" \
    same "$(check missed)"
expect_eq "reconnected 300 events later, before the end" True "$(check gap)"
expect_eq "idle clients with every interval.queue event" "200 of 200" \
    "$(check idle)"

curl -sf "http://127.0.0.1:$wport/metrics" >"$TMP/metrics.txt"
expect_eq "clients cut off" 1 \
    "$(sed -n 's/^ccmetrics_web_sse_cut_off_total //p' "$TMP/metrics.txt")"
expect_eq "the client that never reads was closed" True "$(check slow)"
expect_eq "connections (the reconnection is one more)" 204 \
    "$(sed -n 's/^ccmetrics_web_sse_connects_total //p' "$TMP/metrics.txt")"
# Memory: what the configuration bounds, on top of the RSS at start: the
# ring (events.ring_bytes, below events.ring x max_message_bytes), each of
# the 203 connections (libmicrohttpd's 32 KiB pool and the client, 4 KiB),
# a few messages being parsed, and 8 MiB for the rest (the ZeroMQ receive
# queue, the sites' tables, the allocator). A copy of the events per
# client (some 2 MB each) or a growing ring would be far over it.
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$WEBPID/status")
[ -n "$hwm" ] || fail "no VmHWM for ccmetrics-web"
membound=$((rss0 * 1024 + ringbytes + 203 * (32768 + 4096) + 4 * maxmsg + 8388608))
if grep -q AddressSanitizer "$WEB"; then
	# Shadow memory and quarantine are not the program's.
	echo "note: peak RSS $((hwm / 1024)) MiB under AddressSanitizer: bound not checked"
else
	[ $((hwm * 1024)) -le $membound ] ||
	    fail "peak RSS $((hwm * 1024)) bytes over the configuration's bound $membound (RSS at start $((rss0 * 1024)))"
	echo "ok: peak RSS $((hwm / 1024)) MiB (at start $((rss0 / 1024)) MiB), within the configuration's bound $((membound / 1048576)) MiB"
fi

# Starvation: the watcher's arrival of each event, from its first, beside
# the idle and stuck clients, never later than in the control run by more
# than 5 s (the replay lasts some 25 s; a server waiting on the stuck
# client would hold every event back).
$PYTHON3 - "$TMP/res0.json" "$TMP/res.json" >"$TMP/lag.txt" <<'PYEOF' ||
import json, sys
c, r = (json.load(open(p)) for p in sys.argv[1:])
if c["watcher"] != r["watcher"]:
    sys.exit("the control's watcher got %d events, this one %d" %
             (len(c["watcher"]), len(r["watcher"])))
ct, rt = c["watcher_times"], r["watcher_times"]
lag = max((b - rt[0]) - (a - ct[0]) for a, b in zip(ct, rt))
span = ct[-1] - ct[0]
print("%.3f s behind the control at most (control: %.1f s from first to last)"
      % (lag, span))
sys.exit(0 if lag <= 5.0 and span > 5.0 else 1)
PYEOF
    fail "the watcher beside the idle and stuck clients: $(cat "$TMP/lag.txt")"
echo "ok: the watcher beside 200 idle clients and a stuck one: $(cat "$TMP/lag.txt")"

# A clean stop with clients connected and waiting for events (suspended
# in libmicrohttpd): every client closed, everything freed (the
# sanitizers report here in their build).
curl -sN "http://127.0.0.1:$wport/events" >/dev/null 2>&1 &
PIDS="$PIDS $!"
curl -sN "http://127.0.0.1:$wport/events?topic=rt." >/dev/null 2>&1 &
PIDS="$PIDS $!"
two_clients() {
	curl -sf "http://127.0.0.1:$wport/metrics" |
	    grep -qx 'ccmetrics_web_sse_clients 2'
}
wait_for "two waiting clients" two_clients
kill "$WEBPID"
rc=0
wait "$WEBPID" || rc=$?
expect_eq "ccmetrics-web exit status on SIGTERM" 0 "$rc"
if grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error|Fatal error' \
    "$TMP/web.err"; then
	fail "sanitizer report: $(cat "$TMP/web.err")"
fi
