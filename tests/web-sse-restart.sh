#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# web-sse-restart.sh: /events across a restart of the site's daemon: a Last-Event-ID of the old run is never resumed past what the client missed.
# The daemon replays one capture twice into one ccmetrics-web: two runs
# (two boot ids) that publish the same seqs, so every id of the first run
# names an event of the second too. A client of the first run that
# reconnects with its last id after the restart must get the rest of the
# first run, then all of the second (what it missed: the ids of the
# daemon's own JSON-lines output), not only what followed the second
# run's event of the same seq.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null 2>&1 || skip "curl not installed"
WEB="$top_builddir/ccmetrics-web"

stop_pids_at_exit

$GEN --seed 47 --duration-s 1800 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>"$TMP/gen.err" ||
    fail "generator: $(cat "$TMP/gen.err")"
zport=$(free_port)
wport=$(free_port)
# daemon_conf N: run N's configuration (its own JSON-lines output).
daemon_conf() {
	{
		printf 'site: east\n'
		sed -e '/^publish:/,$d' -e 's/realtime_s: .*/realtime_s: 10/' \
		    "$TMP/gen.yaml"
		printf 'publish:\n  zmq: { endpoint: "tcp://127.0.0.1:%s",\n' \
		    "$zport"
		printf '         await_subscribers: 1, await_ms: 30000 }\n'
		printf '  jsonl: { path: "%s" }\n' "$TMP/out$1.jsonl"
	} >"$TMP/d$1.yaml"
}
daemon_conf 1
daemon_conf 2
cat >"$TMP/web.yaml" <<EOF
listen: 127.0.0.1:$wport
feeds:
  - endpoint: tcp://127.0.0.1:$zport
events: { ring: 100000, ring_bytes: 16777216 }
EOF
"$WEB" -f -c "$TMP/web.yaml" 2>"$TMP/web.err" &
WEBPID=$!
PIDS="$PIDS $WEBPID"
wait_for "ccmetrics-web" curl -sf "http://127.0.0.1:$wport/metrics"

# messages N: ccmetrics-web has received N objects.
messages() {
	curl -sf "http://127.0.0.1:$wport/metrics" |
	    grep -qx "ccmetrics_web_messages_total $1"
}

# ids FILE: the SSE ids of a run's objects, in the order published.
ids() {
	$PYTHON3 - "$1" <<'PYEOF'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["topic"].startswith(("rt.", "agent.state.", "interval.")):
        print("%s:%d" % (o["site"], o["seq"]))
PYEOF
}

# resume ID COUNT OUT: reconnect with Last-Event-ID ID, read COUNT events
# (at most 60 s), their ids to OUT, the comment lines to OUT.notes.
resume() {
	$PYTHON3 - "$wport" "$1" "$2" "$3" <<'PYEOF'
import socket, sys, time
port, last, want, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(("GET /events HTTP/1.0\r\nHost: 127.0.0.1\r\n"
           "Last-Event-ID: %s\r\n\r\n" % last).encode())
buf, ids, notes = b"", [], []
deadline = time.monotonic() + 60
head = None
while len(ids) < want and time.monotonic() < deadline:
    try:
        data = s.recv(65536)
    except socket.timeout:
        continue
    if not data:
        break
    buf += data
    if head is None:
        if b"\r\n\r\n" not in buf:
            continue
        head, buf = buf.split(b"\r\n\r\n", 1)
        if b" 200 " not in head.split(b"\r\n")[0]:
            sys.exit("not 200: %r" % head)
    while b"\n\n" in buf:
        block, buf = buf.split(b"\n\n", 1)
        for line in block.decode().split("\n"):
            if line.startswith("id: "):
                ids.append(line[4:])
            elif line.startswith(":") and len(line) > 1:
                notes.append(line)
# Anything more within a second would be an event too many.
s.settimeout(1)
try:
    while True:
        data = s.recv(65536)
        if not data:
            break
        buf += data
except socket.timeout:
    pass
for block in buf.split(b"\n\n"):
    for line in block.decode().split("\n"):
        if line.startswith("id: "):
            ids.append(line[4:])
s.close()
open(out, "w").write("\n".join(ids) + ("\n" if ids else ""))
open(out + ".notes", "w").write("\n".join(notes) + ("\n" if notes else ""))
PYEOF
}

"$CCMETRICSD" -c "$TMP/d1.yaml" -r "$TMP/day.pcap" --replay-speed 600 \
    2>"$TMP/d1.err" || fail "ccmetricsd, run 1: $(cat "$TMP/d1.err")"
n1=$(wc -l <"$TMP/out1.jsonl")
wait_for "run 1's $n1 objects" messages "$n1"
ids "$TMP/out1.jsonl" >"$TMP/ids1"
e1=$(wc -l <"$TMP/ids1")
[ "$e1" -gt 200 ] || fail "only $e1 events in run 1"
# The client's last id: a third of the way into run 1.
k=$((e1 / 3))
last=$(sed -n "${k}p" "$TMP/ids1")
sed "1,${k}d" "$TMP/ids1" >"$TMP/want1"
resume "$last" "$((e1 - k))" "$TMP/got1"
cmp -s "$TMP/want1" "$TMP/got1" ||
    fail "one run, resumed after $last: $(wc -l <"$TMP/got1") events, expected $((e1 - k))"
expect_eq "one run: notice" "" "$(cat "$TMP/got1.notes")"
echo "ok: one run: after $last, exactly the $((e1 - k)) events that followed"

"$CCMETRICSD" -c "$TMP/d2.yaml" -r "$TMP/day.pcap" --replay-speed 600 \
    2>"$TMP/d2.err" || fail "ccmetricsd, run 2: $(cat "$TMP/d2.err")"
b1=$(sed -n '1s/.*"boot":"\([^"]*\)".*/\1/p' "$TMP/out1.jsonl")
b2=$(sed -n '1s/.*"boot":"\([^"]*\)".*/\1/p' "$TMP/out2.jsonl")
[ -n "$b1" ] && [ "$b1" != "$b2" ] || fail "run 2 has the boot id of run 1 ($b1)"
wait_for "run 2's objects" messages "$((n1 + $(wc -l <"$TMP/out2.jsonl")))"
ids "$TMP/out2.jsonl" >"$TMP/ids2"
# Two runs of one capture: the same ids, so run 1's last id names an
# event of run 2 as well (the newest match skipped run 1's rest and run
# 2's first k events).
cmp -s "$TMP/ids1" "$TMP/ids2" || fail "the two runs published other ids"
grep -qx "$last" "$TMP/ids2" || fail "$last is not an id of run 2"

# Missed: the rest of run 1, then all of run 2. The ring holds both
# copies of the id, so it resumes after the older, with the notice.
cat "$TMP/want1" "$TMP/ids2" >"$TMP/want2"
want=$(wc -l <"$TMP/want2")
resume "$last" "$want" "$TMP/got2"
got=$(wc -l <"$TMP/got2")
if ! cmp -s "$TMP/want2" "$TMP/got2"; then
	first=$(head -n 1 "$TMP/got2")
	fail "after a restart, resumed after $last: $got events (first $first), expected $want: the rest of run 1 and all of run 2"
fi
echo "ok: after the restart, resumed after $last of run 1: the $want events it missed, none twice"
grep -q "events may come twice" "$TMP/got2.notes" ||
    fail "no notice that events may come twice: $(cat "$TMP/got2.notes")"
echo "ok: with the notice that events may come twice"

# A client of run 2 past run 1's last seq would be exact; run 2 has no
# seq past run 1's here, so take run 2's last id: nothing to miss from
# the new run, but it was issued by both: it resumes after run 1's copy.
lastid=$(tail -n 1 "$TMP/ids2")
resume "$lastid" "$e1" "$TMP/got3"
cmp -s "$TMP/ids2" "$TMP/got3" ||
    fail "resumed after $lastid: $(wc -l <"$TMP/got3") events, expected run 2's $e1"
echo "ok: $lastid (both runs): all of run 2, nothing skipped"

kill "$WEBPID"
rc=0
wait "$WEBPID" || rc=$?
expect_eq "ccmetrics-web exit status on SIGTERM" 0 "$rc"
if grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$TMP/web.err"; then
	fail "sanitizer report: $(cat "$TMP/web.err")"
fi
