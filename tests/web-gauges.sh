#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# web-gauges.sh: ccmetrics-web's gauges, with two daemons (two sites) feeding it, against the generator's truth.
# Site east replays an agent-model day (presence register) cut at a
# snapshot with callers waiting (the agents on a call there go to wrap-up
# when the capture ends: its calls are flushed); site west a whole static-presence day. Both
# feed two ccmetrics-web at once, one with metrics.per_agent, one without.
# Then every gauge of each site (ccmetrics_queue_waiting, _longest_wait_
# seconds, _talking, _on_hold, ccmetrics_queue_agents{state} over the
# queues' configured members, ccmetrics_agents{state}, and
# ccmetrics_agent_state with per_agent on; none with it off) equals what
# tests/web-gauges.py computes from the truth (--rt, --agent-states)
# alone; west's offered and answered counters equal its interval truth;
# a client of /events gets every event of both sites, with ids
# <site>:<seq> in each site's order.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null 2>&1 || skip "curl not installed"
WEB="$top_builddir/ccmetrics-web"
G="$PYTHON3 $top_srcdir/tests/web-gauges.py"

stop_pids_at_exit

DAY="--duration-s 2700 --agents 10 --calls-per-hour 120"
$GEN $DAY --presence register --seed 46 --out "$TMP/east-day.pcap" \
    --truth "$TMP/east.truth" --config "$TMP/east-gen.yaml" \
    --rt "$TMP/east.rt" --agent-states "$TMP/east.st" 2>"$TMP/gen.err" ||
    fail "generator: $(cat "$TMP/gen.err")"
$GEN $DAY --presence static --seed 51 --out "$TMP/west.pcap" \
    --truth "$TMP/west.truth" --config "$TMP/west-gen.yaml" \
    --rt "$TMP/west.rt" --agent-states "$TMP/west.st" \
    --intervals "$TMP/west.iq" 2>"$TMP/gen.err" ||
    fail "generator: $(cat "$TMP/gen.err")"

# East: cut at a snapshot with callers waiting and no agent change within
# 1.5 s of it (every change is then published, the snapshot is the last
# word). West: its last snapshot.
set -- $($G pick "$TMP/east.rt" "$TMP/east.st") ||
    fail "no snapshot to cut east at"
east_at=$1
npk=$($G cut "$TMP/east-day.pcap" "$TMP/east.pcap" "$2")
echo "ok: east cut at the snapshot of $east_at ($npk packets)"
west_at=$($G last "$TMP/west.rt" "$TMP/west.st" | cut -d' ' -f1) ||
    fail "west's last snapshot"

# At the end of east's capture file its calls still up end (flushed): an
# agent on a call then goes to wrap-up, which every queue of the day has.
[ "$(grep -c '^    wrapup_s: [1-9]' "$TMP/east-gen.yaml")" = 2 ] ||
    fail "east: a queue without wrap-up"

# Members by hand (rt.queue's agents_* count a queue's configured list),
# overlapping: 1004 to 1006 are in both queues and count in each.
MEMBERS='sales=1001,1002,1003,1004,1005,1006;support=1004,1005,1006,1007,1008,1009,1010'
# daemon_conf SITE PORT
daemon_conf() {
	{
		printf 'site: %s\n' "$1"
		sed -e '/^publish:/,$d' \
		    -e '/^  - name: sales/,/^  - name/s/^    wrapup_s: .*/&\n    agents: ["1001", "1002", "1003", "1004", "1005", "1006"]/' \
		    -e '/^  - name: support/,/^[a-z]/s/^    wrapup_s: .*/&\n    agents: ["1004", "1005", "1006", "1007", "1008", "1009", "1010"]/' \
		    "$TMP/$1-gen.yaml"
		printf 'publish:\n  zmq: { endpoint: "tcp://127.0.0.1:%s",\n' "$2"
		printf '         await_subscribers: 2, await_ms: 30000 }\n'
		printf '  jsonl: { path: "%s" }\n' "$TMP/$1.jsonl"
	} >"$TMP/$1.yaml"
	[ "$(grep -c '^    agents: \["100' "$TMP/$1.yaml")" = 2 ] ||
	    fail "$1: members not configured"
}
eport=$(free_port)
wzport=$(free_port)
daemon_conf east "$eport"
daemon_conf west "$wzport"

# web_conf NAME PORT PER_AGENT
web_conf() {
	port=$2
	cat >"$TMP/$1.yaml" <<EOF
listen: 127.0.0.1:$port
feeds:
  - endpoint: tcp://127.0.0.1:$eport
  - endpoint: tcp://127.0.0.1:$wzport
events: { ring: 100000 }
metrics: { per_agent: $3 }
EOF
	"$WEB" -f -c "$TMP/$1.yaml" >/dev/null 2>"$TMP/$1.err" &
	PIDS="$PIDS $!"
	wait_for "ccmetrics-web $1" curl -sf "http://127.0.0.1:$port/metrics"
}
aport=$(free_port)
bport=$(free_port)
web_conf weba "$aport" true
web_conf webb "$bport" false

# A client of /events on the first, connected before the replays.
curl -sN "http://127.0.0.1:$aport/events" >"$TMP/sse.txt" 2>/dev/null &
SSE=$!
PIDS="$PIDS $SSE"
one_client() {
	curl -sf "http://127.0.0.1:$aport/metrics" |
	    grep -qx 'ccmetrics_web_sse_clients 1'
}
wait_for "the SSE client" one_client

# Both daemons at once: two feeds, interleaved.
"$CCMETRICSD" -c "$TMP/east.yaml" -r "$TMP/east.pcap" --replay-speed 300 \
    2>"$TMP/east.err" &
EASTD=$!
"$CCMETRICSD" -c "$TMP/west.yaml" -r "$TMP/west.pcap" --replay-speed 300 \
    2>"$TMP/west.err" &
WESTD=$!
wait "$EASTD" || fail "ccmetricsd east: $(cat "$TMP/east.err")"
wait "$WESTD" || fail "ccmetricsd west: $(cat "$TMP/west.err")"
ne=$(wc -l <"$TMP/east.jsonl")
nw=$(wc -l <"$TMP/west.jsonl")
for port in "$aport" "$bport"; do
	has_all() {
		curl -sf "http://127.0.0.1:$port/metrics" |
		    grep -qx "ccmetrics_web_messages_total $((ne + nw))"
	}
	wait_for "the $((ne + nw)) objects at :$port" has_all
done

# The truth of each site.
$G expect --site east --rt "$TMP/east.rt" --states "$TMP/east.st" \
    --members "$MEMBERS" --at "$east_at" --flushed "$TMP/east.want" \
    >"$TMP/east.what" ||
    fail "east truth"
echo "ok: east at $east_at: $(cat "$TMP/east.what")"
$G expect --site west --rt "$TMP/west.rt" --states "$TMP/west.st" \
    --members "$MEMBERS" --at "$west_at" --final --offered "$TMP/west.iq" \
    "$TMP/west.want" >"$TMP/west.what" || fail "west truth"
echo "ok: west at $west_at: $(cat "$TMP/west.what")"
# The moment is not all zeros: callers wait at east, agents in several
# states (or the comparison could pass on an empty exposition).
grep -q 'waiting [1-9]' "$TMP/east.what" || fail "east: nobody waiting"
grep -q 'on hold [1-9]' "$TMP/east.what" || fail "east: nobody on hold"
[ "$(tr ' ' '\n' <"$TMP/east.what" | grep -c '^\(on_call\|busy_other\|ringing\|wrapup\|logged_out\|paused\|available\|unknown\)$')" -ge 3 ] ||
    fail "east: fewer than 3 agent states at $east_at"

curl -sf "http://127.0.0.1:$aport/metrics" >"$TMP/a.txt"
curl -sf "http://127.0.0.1:$bport/metrics" >"$TMP/b.txt"
$G compare "$TMP/a.txt" 1 "$TMP/east.want" "$TMP/west.want" >"$TMP/a.cmp" ||
    fail "per_agent on: $(cat "$TMP/a.cmp")"
echo "ok: per_agent on: $(cat "$TMP/a.cmp")"
$G compare "$TMP/b.txt" 0 "$TMP/east.want" "$TMP/west.want" >"$TMP/b.cmp" ||
    fail "per_agent off: $(cat "$TMP/b.cmp")"
echo "ok: per_agent off: $(cat "$TMP/b.cmp")"
for site in east west; do
	n=$(wc -l <"$TMP/$site.jsonl")
	expect_eq "$site: objects" "$n" "$(sed -n "s/^ccmetrics_feed_messages_total{site=\"$site\"} //p" "$TMP/a.txt")"
	expect_eq "$site: sequence gaps" 0 "$(sed -n "s/^ccmetrics_feed_sequence_gaps_total{site=\"$site\"} //p" "$TMP/a.txt")"
done

# /events: every event of each site, ids <site>:<seq> in that site's order.
$PYTHON3 - "$TMP/east.jsonl" "$TMP/west.jsonl" >"$TMP/sse.want" <<'PYEOF'
import json, sys
for path in sys.argv[1:]:
    for line in open(path):
        o = json.loads(line)
        if o["topic"].startswith(("rt.", "agent.state.", "interval.")):
            print("%s:%d" % (o["site"], o["seq"]))
PYEOF
nsse=$(wc -l <"$TMP/sse.want")
sse_has_all() {
	[ "$(grep -c '^id: ' "$TMP/sse.txt")" -ge "$nsse" ]
}
wait_for "the $nsse events at the SSE client" sse_has_all
kill "$SSE"
$PYTHON3 - "$TMP/sse.txt" "$TMP/sse.want" <<'PYEOF' || fail "SSE ids differ"
import sys
got = [l[4:].rstrip("\n") for l in open(sys.argv[1]) if l.startswith("id: ")]
want = [l.rstrip("\n") for l in open(sys.argv[2])]
for site in ("east", "west"):
    g = [x for x in got if x.startswith(site + ":")]
    w = [x for x in want if x.startswith(site + ":")]
    if g != w:
        sys.exit("%s: %d ids, expected %d" % (site, len(g), len(w)))
    print("ok: /events: the %d events of %s, ids in its order" % (len(w), site))
if len(got) != len(want):
    sys.exit("%d events, expected %d" % (len(got), len(want)))
# The two feeds interleaved: one site's events are not all first.
first_west = next(i for i, x in enumerate(got) if x.startswith("west:"))
last_east = max(i for i, x in enumerate(got) if x.startswith("east:"))
print("ok: the feeds interleaved" if first_west < last_east else
      "note: the feeds did not interleave")
PYEOF
