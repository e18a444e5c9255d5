#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# recorder-leaf.sh: the multi-site deployment of tests/nats-leaf.sh with ccmetrics-sub --db recording the central stream: the central server stopped 30 s during a live replay; once caught up, the database holds each interval.queue, interval.agent and call.end object exactly once, and the consumer has nothing pending.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/nats-lib.sh"
. "$top_srcdir/tests/pg-lib.sh"
nats_require
[ "$(id -u)" -eq 0 ] || skip "live capture needs root (CAP_NET_RAW)"
own_netns "$0"
ip link show lo >/dev/null 2>&1 || skip "no loopback interface"

OUTAGE_S=30
JSB="$PYTHON3 $top_srcdir/tests/js-bulk.py"
ROWS="$PYTHON3 $top_srcdir/tests/db-rows.py"

$GEN --seed 5 --duration-s 50 --calls-per-hour 1500 --agents 10 \
    --talk-mean-s 5 --patience-mean-s 10 --queue-timeout-s 15 \
    --rona-timeout-s 5 --wrap-max-s 2 --ring-min-s 1 --ring-max-s 3 \
    --out "$TMP/live.pcap" --truth "$TMP/truth.jsonl" \
    --config "$TMP/gen.yaml" 2>/dev/null || fail "generator"
net=$(( ($$ % 100) * 2 + 20 ))

pg_start
nats_leaf_pair east1 central
nats_tool east1 add-stream CCM_EAST1 'ccmetrics.east1.>' >/dev/null ||
    fail "leaf stream"
nats_tool central add-source CCM CCM_EAST1 '$JS.east1.API' >/dev/null ||
    fail "central stream"

{
	echo "site: east1"
	sed -e "s#10\.0\.0\.10#127.$net.0.10#" \
	    -e "s#192\.0\.2\.0/24#127.$net.2.0/24#" \
	    -e "s#10\.1\.0\.0/16#127.$((net + 1)).0.0/16#" \
	    -e 's#realtime_s: .*#realtime_s: 1#' -e '/^publish:/,$d' \
	    -e "s#^capture:#capture:\\n  filter: \"udp port 5060 and net 127.$net.0.0/15\"#" \
	    "$TMP/gen.yaml"
	cat <<EOT
publish:
  zmq: ~
  jsonl: { path: "$TMP/out.jsonl" }
  nats: { url: "$(nats_url east1)" }
EOT
} >"$TMP/live.yaml"

# The recorder reads the central stream through its durable consumer for
# the whole run (reconnecting while the central server is down); an ack
# wait of 2 s redelivers quickly what the outage left unacknowledged.
"$CCMETRICS_SUB" --db "$PG_URL" --nats "$(nats_url central)" --stream CCM \
    --durable rec --ack-wait 2 --batch 20 2>"$TMP/rec.err" &
rec=$!
"$CCMETRICSD" -f -c "$TMP/live.yaml" -i lo 2>"$TMP/err.log" &
daemon=$!
timeout 180 $PYTHON3 "$top_srcdir/tests/udp-replay.py" --net "$net" \
    "$TMP/live.pcap" 2>"$TMP/replay.log" &
replay=$!
stop_all() { kill "$daemon" "$replay" "$rec" 2>/dev/null || true; }

# The central server goes down once it has some of the replay, and the
# database some rows of it.
[ "$(nats_wait_count central CCM 20 60)" -ge 20 ] ||
    { stop_all; fail "nothing reached the central stream"; }
i=0
until [ "$(pg_query 'SELECT (SELECT count(*) FROM ccmetrics.call_end)
    + (SELECT count(*) FROM ccmetrics.interval_queue)
    + (SELECT count(*) FROM ccmetrics.interval_agent)')" -gt 0 ]; do
	[ $i -lt 300 ] || { stop_all; fail "nothing recorded: $(cat "$TMP/rec.err")"; }
	kill -0 "$rec" 2>/dev/null || { stop_all; fail "recorder exited: $(cat "$TMP/rec.err")"; }
	sleep 0.1
	i=$((i + 1))
done
nats_stop central
rows_down=$(pg_query 'SELECT count(*) FROM ccmetrics.call_end')
leaf_down=$(nats_tool east1 count CCM_EAST1)
sleep "$OUTAGE_S"
leaf_up=$(nats_tool east1 count CCM_EAST1)
[ "$leaf_up" -gt "$((leaf_down + 20))" ] ||
    { stop_all; fail "the leaf stored little while the central server was down"; }
kill -0 "$rec" 2>/dev/null || { stop_all; fail "the recorder exited while central was down: $(cat "$TMP/rec.err")"; }
rows_up=$(pg_query 'SELECT count(*) FROM ccmetrics.call_end')
expect_eq "call rows after the outage, as before it (none while central was down)" \
    "$rows_down" "$rows_up"
nats_restart central
nats_wait_leaf central
wait "$replay" || { stop_all; fail "udp-replay: $(cat "$TMP/replay.log")"; }
kill -TERM "$daemon"
rc=0
wait "$daemon" || rc=$?
expect_eq "daemon exit status after SIGTERM" 0 "$rc"
# (The daemon's live records against the truth field by field are
# tests/nats-leaf.sh's; here the database is checked against the objects
# the daemon published, and its calls against the generator's.)

n=$(wc -l <"$TMP/out.jsonl")
grep -q "nats: $n objects published (0 duplicates), 0 dropped (queue full), 0 refused, 0 unsent at exit; 0 reconnects" \
    "$TMP/err.log" || fail "summary: $(grep 'nats:' "$TMP/err.log")"
expect_eq "messages in the central stream, caught up" "$n" \
    "$(nats_wait_count central CCM "$n" 60)"
ncalls=$(grep -c '"topic":"call\.end\.' "$TMP/out.jsonl")
nq=$(grep -c '"topic":"interval\.queue\.' "$TMP/out.jsonl")
na=$(grep -c '"topic":"interval\.agent\.' "$TMP/out.jsonl")
nrec=$((ncalls + nq + na))
[ "$ncalls" -gt "$rows_down" ] ||
    fail "every call was recorded before the outage ($ncalls): nothing to catch up"
expect_eq "call.end objects, the generator's calls" \
    "$(wc -l <"$TMP/truth.jsonl")" "$ncalls"

# consumer_state: "pending ack_pending ack_floor delivered" of durable rec.
consumer_state() {
	$JSB "$(nats_url central)" consumer-info CCM rec | $PYTHON3 -c '
import json, sys
c = json.load(sys.stdin)
print(c["num_pending"], c["num_ack_pending"], c["ack_floor"]["stream_seq"],
      c["delivered"]["stream_seq"])'
}
# Caught up: every message of the stream acknowledged (bounded: 60 s).
i=0
until [ "$(consumer_state | cut -d' ' -f1-3)" = "0 0 $n" ]; do
	[ $i -lt 600 ] || { stop_all; fail "the recorder did not catch up: $(consumer_state); $(cat "$TMP/rec.err")"; }
	kill -0 "$rec" 2>/dev/null || { stop_all; fail "recorder exited: $(cat "$TMP/rec.err")"; }
	sleep 0.1
	i=$((i + 1))
done
kill -TERM "$rec"
rc=0
wait "$rec" || rc=$?
expect_eq "recorder exit status after SIGTERM" 0 "$rc"
cat "$TMP/rec.err"
stored=$(sed -n 's/.* \([0-9]*\) messages stored in [0-9]* transactions, 0 skipped (bad), \([0-9]*\) not recorded kinds.*/\1 \2/p' "$TMP/rec.err")
[ -n "$stored" ] || fail "recorder summary: $(cat "$TMP/rec.err")"
set -- $stored
[ "$1" -ge "$nrec" ] || fail "recorder stored $1 messages of $nrec"
expect_eq "consumer: pending, awaiting ack, ack floor, delivered" "0 0 $n $n" \
    "$(consumer_state)"

# The database: one row per object the daemon published, each equal to it
# (envelope boot and seq included), none missing, none more.
for k in queue agent call; do
	$ROWS "$k" --site east1 >"$TMP/db-$k.jsonl"
done
expect_eq "rows of other sites" 0 "$(pg_query "SELECT
    (SELECT count(*) FROM ccmetrics.call_end WHERE site <> 'east1')
    + (SELECT count(*) FROM ccmetrics.interval_queue WHERE site <> 'east1')
    + (SELECT count(*) FROM ccmetrics.interval_agent WHERE site <> 'east1')")"
pg_query "SET TimeZone = 'UTC'; SELECT 'queue', queue, start, boot, seq FROM ccmetrics.interval_queue
    UNION ALL SELECT 'agent', agent, start, boot, seq FROM ccmetrics.interval_agent
    UNION ALL SELECT 'call', contact_id, arrival, boot, seq FROM ccmetrics.call_end" \
    >"$TMP/envelopes.txt" || fail "envelopes"
$PYTHON3 - "$TMP/out.jsonl" "$TMP" "$ncalls" "$nq" "$na" <<'PYEOF' || fail "database rows"
import json, sys
out, tmp = sys.argv[1], sys.argv[2]
truth = [json.loads(l)["contact_id"] for l in open(tmp + "/truth.jsonl", encoding="utf-8")]
want = dict(zip(("call", "queue", "agent"), map(int, sys.argv[3:6])))
prefix = {"queue": "interval.queue.", "agent": "interval.agent.", "call": "call.end."}
published = {k: [] for k in prefix}
for line in open(out, encoding="utf-8"):
    o = json.loads(line)
    for k, p in prefix.items():
        if o["topic"].startswith(p):
            published[k].append(o)
envelope = {}
for line in open(tmp + "/envelopes.txt", encoding="utf-8").read().splitlines():
    kind, name, start, boot, seq = line.split("|")
    key = (kind, name)
    envelope.setdefault(key, []).append((boot, int(seq)))

def comparable(o, kind):
    """The fields a row holds: the envelope's boot and seq are checked
    apart; call_end has no column for a call.end's ts (its publication)."""
    o = dict(o)
    for f in ("boot", "seq", "site", "type", "v"):
        o.pop(f, None)
    if kind == "call":
        o.pop("ts", None)
    return o

names = {"queue": ("queue", "start"), "agent": ("agent", "start"),
         "call": ("contact_id", "arrival")}
for k in ("queue", "agent", "call"):
    objs = published[k]
    assert len(objs) == want[k], (k, len(objs), want[k])
    rows = [json.loads(l) for l in open("%s/db-%s.jsonl" % (tmp, k), encoding="utf-8")]
    assert len(rows) == len(objs), "%s: %d rows for %d objects" % (k, len(rows), len(objs))
    # Keyed as the table is: equal as values (the database's 1 is 1.0).
    a = {tuple(o[f] for f in names[k]): comparable(o, k) for o in objs}
    b = {tuple(r[f] for f in names[k]): comparable(r, k) for r in rows}
    assert len(a) == len(objs), "%s: two objects of one key" % k
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            print("published:", a.get(key))
            print("stored:   ", b.get(key))
            sys.exit("%s %s: the row differs from the object" % (k, key))
    # Each row's envelope is that of its object: its own message, once.
    got = sorted(e for (kind, _), es in envelope.items() if kind == k for e in es)
    exp = sorted((o["boot"], o["seq"]) for o in objs)
    assert got == exp, "%s: the rows' boot/seq are not the objects'" % k
    print("ok: %s: %d rows, one per object published" % (k, len(rows)))
    if k == "call":
        got = sorted(r["contact_id"] for r in rows)
        assert got == sorted(truth), "call_end: missing %s, more %s" % (
            sorted(set(truth) - set(got)), sorted(set(got) - set(truth)))
        print("ok: call_end: one row per call of the generator's truth")
PYEOF
echo "ok: the leaf stored $((leaf_up - leaf_down)) messages while central was down"
echo "ok: $nrec rows ($nq queue intervals, $na agent intervals, $ncalls calls): $rows_down calls stored before the outage, ${1} messages stored by the recorder, $2 not recorded"
