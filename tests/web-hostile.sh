#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# web-hostile.sh: ccmetrics-web against hostile clients and a hostile feed:
# slowloris and event streams cannot lock /metrics and the page out,
# oversized requests get a clear status, and a feed naming more queues and
# agents than limits.max_*_total, or names that are no label value, is cut
# to the bound and counted, never reaching /metrics unescaped; an object
# past limits.max_message_bytes does not leave ccmetrics-web deaf.
. "$(dirname "$0")/lib.sh"

WEB="$top_builddir/ccmetrics-web"
PUB="$top_builddir/tests/web-pub"
HOSTILE="$PYTHON3 $top_srcdir/tests/web-hostile.py"

stop_pids_at_exit

zport=$(free_port)
wport=$(free_port)
cat >"$TMP/web.yaml" <<EOF
listen: 127.0.0.1:$wport
feeds:
  - endpoint: tcp://127.0.0.1:$zport
events: { keepalive_s: 1 }
limits:
  max_clients: 8
  max_sites: 4
  max_queues: 1000
  max_agents: 1000
  max_queues_total: 6
  max_agents_total: 5
  max_message_bytes: 16384
metrics: { per_agent: true }
EOF
"$WEB" -f -c "$TMP/web.yaml" 2>"$TMP/web.err" &
PIDS="$PIDS $!"
i=0
until [ "$($HOSTILE metric "$wport" ccmetrics_web_scrapes_total 2>/dev/null)" \
    = 1 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "ccmetrics-web did not start: $(cat "$TMP/web.err")"
	sleep 0.1
done

# ---- HTTP: 8 connections at most, 7 of them event streams ----
$HOSTILE http "$wport" 8 >"$TMP/http.out" || fail "web-hostile.py http"
r() { sed -n "s/^$1 //p" "$TMP/http.out"; }
expect_eq "a scrape beside 8 slowloris connections" 200 "$(r slowloris_scrape)"
expect_eq "slowloris connections shut down" 8 "$(r slowloris_closed)"
expect_eq "a 100 KB header" 431 "$(r huge_header)"
expect_eq "a 100 KB URL" 414 "$(r huge_url)"
expect_eq "17 topic prefixes" 400 "$(r topics_17)"
expect_eq "POST" 405 "$(r post)"
expect_eq "OPTIONS" 405 "$(r options)"
expect_eq "/../../etc/passwd" 404 "$(r traversal)"
for n in 0 1 2 3; do
	expect_eq "a Last-Event-ID that is no id ($n)" "200 lost" \
	    "$(r last_event_id_$n)"
done
# 8 - 8/8 = 7 streams; the 8th is refused, the page and /metrics answer.
expect_eq "event streams within their share" 7 "$(r streams_ok)"
expect_eq "an event stream past its share" 503 "$(r stream_past_share)"
expect_eq "its Retry-After" yes "$(r stream_retry_after)"
expect_eq "the page beside 7 streams" 200 "$(r page_with_streams)"
expect_eq "a scrape beside 7 streams" 200 "$(r scrape_with_streams)"
# Refused: the stream past its share, nothing else (the slowloris made
# room instead). Closed while waiting: 1 to make room, 7 at the deadline;
# more only when a finished request's connection made room again.
expect_eq "requests refused" 1 \
    "$($HOSTILE metric "$wport" ccmetrics_web_http_refused_total)"
idle=$($HOSTILE metric "$wport" ccmetrics_web_http_idle_closed_total)
[ "$idle" -ge 8 ] || fail "connections closed while waiting: $idle, not >= 8"
echo "ok: connections closed while waiting: $idle"

# ---- the feed: more queues and agents than the totals, bad names ----
$PYTHON3 - >"$TMP/feed.txt" <<'PYEOF'
import json
seq = {}
def obj(topic, site, **f):
    seq[site] = seq.get(site, 0) + 1
    o = {"type": topic.rsplit(".", 1)[0] if topic.count(".") > 1 else topic,
         "v": 1, "seq": seq[site], "boot": "b1",
         "ts": "2026-11-23T09:00:00.000Z", "site": site}
    o.update(f)
    print(topic, json.dumps(o, separators=(",", ":")))
# 3 sites of 4 queues: 12 queues for a total of 6.
for site in ("a", "b", "c"):
    for q in range(4):
        obj("rt.queue.q%d" % q, site, queue="q%d" % q, waiting=1,
            longest_wait_s=2, talking=0, on_hold=0)
# 8 agents in one list for a total of 5.
obj("rt.agents", "a", counts={"available": 8}, agents=[
    {"agent": "ag%d" % i, "state": "available",
     "since": "2026-11-23T08:00:00.000Z", "queues": ["q0"]}
    for i in range(8)])
# Names that are no label value: a queue, a site.
obj("call.arrive.x", "a", queue='q"1\\\n}', repeat=False)
obj("call.arrive.q0", 'ev"il\n', queue="q0", repeat=False)
# Nested past jansson's depth, and not JSON.
print("rt.queue.q0 " + "[" * 3000 + "]" * 3000)
print('rt.queue.q0 {"type":"rt.queue","seq":NaN}')
PYEOF
sent=$("$PUB" "tcp://127.0.0.1:$zport" <"$TMP/feed.txt") || fail "web-pub"
expect_eq "feed messages sent" 17 "$sent"
i=0
until [ "$($HOSTILE metric "$wport" ccmetrics_web_messages_total)" = 14 ] &&
    [ "$($HOSTILE metric "$wport" ccmetrics_web_bad_messages_total)" = 3 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "messages: $($HOSTILE metric "$wport" \
	    ccmetrics_web_messages_total), bad $($HOSTILE metric "$wport" \
	    ccmetrics_web_bad_messages_total), expected 14 and 3"
	sleep 0.1
done
echo "ok: 14 messages taken, 3 bad (the site, the nesting, NaN)"
$HOSTILE get "$wport" /metrics >"$TMP/metrics.txt"
# Queues a0..a3, b0, b1 (the first 6); agents ag0..ag4 (the first 5).
expect_eq "queues on /metrics" "a q0 a q1 a q2 a q3 b q0 b q1" "$(sed -n \
    's/^ccmetrics_queue_waiting{site="\([^"]*\)",queue="\([^"]*\)"} 1$/\1 \2/p' \
    "$TMP/metrics.txt" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "agent series on /metrics (5 agents x 8 states)" 40 \
    "$(grep -c '^ccmetrics_agent_state{' "$TMP/metrics.txt")"
# Dropped: 6 queues, 3 agents, the queue name, the site name.
expect_eq "dropped series" 11 "$(sed -n \
    's/^ccmetrics_web_dropped_series_total //p' "$TMP/metrics.txt")"
# Every sample line: a name, labels of [A-Za-z0-9_.+-] values, a number.
bad=$(grep -v '^#' "$TMP/metrics.txt" | grep -Evc \
    '^[a-z_]+(\{([a-z]+="[A-Za-z0-9_.+-]*",)*[a-z]+="[A-Za-z0-9_.+-]*"\})? [-+0-9.e]+$' ||
    true)
expect_eq "sample lines not of the exposition's form" 0 "$bad"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$TMP/metrics.txt" >"$TMP/promtool.out" 2>&1 ||
	    fail "promtool: $(cat "$TMP/promtool.out")"
	echo "ok: promtool check metrics"
fi
# The wallboard: 6 queues in all, none of site c (nothing to evict there).
$HOSTILE get "$wport" /state.json >"$TMP/state.json"
expect_eq "wallboard queues" "6 0 5" "$($PYTHON3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(len(s["queues"]), sum(q["site"] == "c" for q in s["queues"]),
      len(s["agents"]))' "$TMP/state.json")"

# ---- an object past max_message_bytes: ZeroMQ gives the connection up
# (a protocol error, no reconnection of its own); ccmetrics-web connects
# anew, so the next daemon run is heard ----
$PYTHON3 -c 'print("rt.queue.q0 {\"type\":\"rt.queue\",\"v\":1,\"seq\":20,\"site\":\"a\",\"queue\":\"q0\",\"pad\":\"%s\"}" % ("x" * 20000))' \
    >"$TMP/big.txt"
"$PUB" "tcp://127.0.0.1:$zport" <"$TMP/big.txt" >/dev/null || fail "web-pub big"
printf '%s\n' 'rt.queue.q0 {"type":"rt.queue","v":1,"seq":21,"boot":"b1","site":"a","queue":"q0","waiting":7}' |
    "$PUB" "tcp://127.0.0.1:$zport" >/dev/null ||
    fail "web-pub after the oversized object: ccmetrics-web never came back"
i=0
until [ "$($HOSTILE metric "$wport" ccmetrics_web_messages_total)" = 15 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the object after the oversized one never came"
	sleep 0.1
done
expect_eq "feed connections made anew" 1 \
    "$($HOSTILE metric "$wport" ccmetrics_web_feed_resets_total)"
expect_eq "the queue's gauge after it" 7 "$($HOSTILE get "$wport" /metrics |
    sed -n 's/^ccmetrics_queue_waiting{site="a",queue="q0"} //p')"
grep -q 'AddressSanitizer\|runtime error' "$TMP/web.err" &&
    fail "sanitizer: $(cat "$TMP/web.err")"
exit 0
