#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# nats-outage.sh: ccmetricsd capturing live while its NATS server is down
# at start, then up, then stopped and started again: capture goes on, the
# bounded queue (max_pending) drops and counts what does not fit, memory
# stays bounded, the daemon reconnects and resumes, and exactly
# published + dropped = produced, the stream holding each published
# object once.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/nats-lib.sh"
nats_require
[ "$(id -u)" -eq 0 ] || skip "live capture needs root (CAP_NET_RAW)"
own_netns "$0"
ip link show lo >/dev/null 2>&1 || skip "no loopback interface"

MAX_PENDING=100
NQUEUES=1000	# each an rt.queue object a second: volume while down

for p in 1 2 3; do
	$GEN --seed "$p" --duration-s 10 --calls-per-hour 3000 --agents 20 \
	    --talk-mean-s 3 --patience-mean-s 8 --queue-timeout-s 10 \
	    --rona-timeout-s 4 --wrap-max-s 1 --ring-min-s 1 --ring-max-s 2 \
	    --out "$TMP/p$p.pcap" --truth "$TMP/truth$p.jsonl" \
	    --config "$TMP/gen.yaml" 2>/dev/null || fail "generator"
done
net=$(( ($$ % 100) * 2 + 20 ))
nats_start local
nats_stop local		# down at start; its port and store are kept
{
	echo "site: outage"
	sed -e "s#10\.0\.0\.10#127.$net.0.10#" \
	    -e "s#192\.0\.2\.0/24#127.$net.2.0/24#" \
	    -e "s#10\.1\.0\.0/16#127.$((net + 1)).0.0/16#" \
	    -e 's#realtime_s: .*#realtime_s: 1#' -e '/^publish:/,$d' \
	    -e "s#^capture:#capture:\\n  filter: \"udp port 5060 and net 127.$net.0.0/15\"#" \
	    -e '/^queues:/q' "$TMP/gen.yaml"
	i=0
	while [ "$i" -lt "$NQUEUES" ]; do
		printf '  - { name: q%d, dnis: ["9%d"] }\n' "$i" "$i"
		i=$((i + 1))
	done
	sed -n '/^queues:/,$p' "$TMP/gen.yaml" | sed -e '1d' \
	    -e 's#realtime_s: .*#realtime_s: 1#' -e '/^publish:/,$d'
	cat <<EOT
publish:
  zmq: ~
  jsonl: { path: "$TMP/out.jsonl" }
  nats: { url: "$(nats_url local)", max_pending: $MAX_PENDING }
EOT
} >"$TMP/live.yaml"

"$CCMETRICSD" -f -c "$TMP/live.yaml" -i lo 2>"$TMP/err.log" &
daemon=$!

# stat_wait PYTHON_CONDITION WHAT: until the last stats object's publish
# counters (p) satisfy it; bounded (60 s).
stat_wait() {
	i=0
	until $PYTHON3 - "$TMP/out.jsonl" "$1" <<'PYEOF'
import json, sys
last = None
try:
    for line in open(sys.argv[1], encoding="utf-8"):
        if line.startswith('{"topic":"stats"') and line.endswith("\n"):
            last = line
except FileNotFoundError:
    pass
sys.exit(0 if last and eval(sys.argv[2], {"p": json.loads(last)["publish"]}) else 1)
PYEOF
	do
		kill -0 "$daemon" 2>/dev/null ||
		    fail "ccmetricsd died: $(cat "$TMP/err.log")"
		i=$((i + 1))
		[ "$i" -le 600 ] || { kill "$daemon"; fail "waited for $2"; }
		sleep 0.1
	done
}
rss() {
	sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$daemon/status"
}

# Down at start: the queue fills and drops; capture goes on. (Packet time,
# and with it the real-time objects, starts with the first packet.)
timeout 120 $PYTHON3 "$top_srcdir/tests/udp-replay.py" --net "$net" \
    "$TMP/p1.pcap" || { kill "$daemon"; fail "udp-replay"; }
stat_wait "p['nats_dropped'] > 2 * $NQUEUES" "2 s of drops"
rss0=$(rss)
stat_wait "p['nats_dropped'] > 20 * $NQUEUES" "20 s of drops"
rss1=$(rss)
expect_eq "queued while down" "$MAX_PENDING" \
    "$(last_stat "$TMP/out.jsonl" publish.nats_pending)"

# The server comes up (the operator adds the stream): what waited goes.
nats_restart local
nats_tool local add-stream CCM 'ccmetrics.>' >/dev/null || fail "add stream"
stat_wait 'p["nats_connected"] and p["nats_pending"] < 5' "connected"
timeout 120 $PYTHON3 "$top_srcdir/tests/udp-replay.py" --net "$net" \
    "$TMP/p2.pcap" || { kill "$daemon"; fail "udp-replay"; }

# Stopped mid-run, and started again.
nats_stop local
stat_wait 'not p["nats_connected"]' "disconnected"
d0=$(last_stat "$TMP/out.jsonl" publish.nats_dropped)
timeout 120 $PYTHON3 "$top_srcdir/tests/udp-replay.py" --net "$net" \
    "$TMP/p3.pcap" || { kill "$daemon"; fail "udp-replay"; }
stat_wait "p['nats_dropped'] > $d0" "drops while stopped"
nats_restart local
stat_wait 'p["nats_connected"] and p["nats_reconnects"] >= 1 and p["nats_pending"] < 5' \
    "reconnected"
kill -TERM "$daemon"
rc=0
wait "$daemon" || rc=$?
expect_eq "exit status after SIGTERM" 0 "$rc"

# Capture went on through it all: every call of the three scenarios.
cat "$TMP"/truth1.jsonl "$TMP"/truth2.jsonl "$TMP"/truth3.jsonl \
    >"$TMP/truth.jsonl"
$COMPARE "$TMP/truth.jsonl" "$TMP/out.jsonl" --tolerance 0.5 \
    --ignore arrival,answered_at,ended_at || fail "live records differ"

# Exactly: published + dropped = produced, nothing refused or unsent.
n=$(wc -l <"$TMP/out.jsonl")
sum=$(sed -n 's/.*nats: \([0-9]*\) objects published (\([0-9]*\) duplicates), \([0-9]*\) dropped (queue full), \([0-9]*\) refused, \([0-9]*\) unsent at exit; \([0-9]*\) reconnects/\1 \2 \3 \4 \5 \6/p' \
    "$TMP/err.log")
[ -n "$sum" ] || fail "no summary: $(grep nats: "$TMP/err.log")"
set -- $sum
published=$1 dropped=$3
expect_eq "refused" 0 "$4"
expect_eq "unsent at exit" 0 "$5"
[ "$6" -ge 1 ] || fail "no reconnect counted: $sum"
expect_eq "published + dropped" "$n" "$((published + dropped))"
expect_eq "messages in the stream" "$published" "$(nats_tool local count CCM)"
nats_tool local dump CCM >"$TMP/dump.tsv" || fail "dump"
$PYTHON3 - "$TMP/out.jsonl" "$TMP/dump.tsv" "$rss0" "$rss1" <<'PYEOF' ||
import json, sys
objs = {}
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    objs["outage-%s-%d" % (o["boot"], o["seq"])] = line
ids = []
for m in open(sys.argv[2], encoding="utf-8").read().splitlines():
    subject, msgid, body = m.split("\t", 2)
    line = objs[msgid]
    topic = json.loads(line)["topic"]
    assert subject == "ccmetrics.outage." + topic, (subject, topic)
    assert body == "{" + line.rstrip("\n")[len(json.dumps(topic)) + 10:]
    ids.append(msgid)
assert len(ids) == len(set(ids)), "a Msg-Id twice in the stream"
# Memory: what the outage dropped would have taken to keep, against
# what the daemon grew by meanwhile.
kept = set(ids)
dropped_bytes = sum(len(l) for k, l in objs.items() if k not in kept)
grew = (int(sys.argv[4]) - int(sys.argv[3])) * 1024
print("ok: %d messages once each; %d bytes dropped, RSS grew %d bytes"
      % (len(ids), dropped_bytes, grew))
assert dropped_bytes > 4 * 1024 * 1024, "too little dropped to tell"
assert grew < dropped_bytes / 4, "memory grew with the outage"
PYEOF
    fail "stream content or memory"
echo "ok: $published published, $dropped dropped, $n produced"
