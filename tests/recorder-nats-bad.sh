#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# recorder-nats-bad.sh: messages in the JetStream stream that ccmetrics-sub --nats cannot parse or store (not JSON, empty, a wrong type, a required field missing, rows PostgreSQL refuses) are acknowledged, logged once and counted; the good ones around them are all stored; nothing is redelivered.
#
# DESIGN.md 8: "A message it cannot parse or store is acknowledged, logged
# once and counted (it never blocks the stream behind it)". A generated day
# goes into the stream in two halves with the bad messages between them;
# the recorder reads it in one batch (the batch fails, its messages are
# stored one by one) and, on a second durable into a second database, in
# batches of 7 (bad messages at every position of a batch).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/nats-lib.sh"
. "$top_srcdir/tests/pg-lib.sh"
nats_require

ROWS="$PYTHON3 $top_srcdir/tests/db-rows.py"
CMPI="$PYTHON3 $top_srcdir/tests/compare-intervals.py"
JSB="$PYTHON3 $top_srcdir/tests/js-bulk.py"

pg_start
nats_start local
nats_tool local add-stream CCM 'ccmetrics.>' >/dev/null || fail "add stream"

# --- A short day (agent model too), its objects as the daemon wrote them. -------
$GEN --seed 61 --duration-s 3600 --mode full --cut-s 0 --presence register \
    --out "$TMP/day.pcap" --truth "$TMP/day.truth" --config "$TMP/gen.yaml" \
    --intervals "$TMP/day.iq" --agent-intervals "$TMP/day.ia" \
    --agent-states "$TMP/day.st" \
    2>"$TMP/gen.log" || fail "generator: $(cat "$TMP/gen.log")"
agent_truth_has_states "$TMP/day.ia" register
{ echo "site: east1"; sed '/^publish:/,$d' "$TMP/gen.yaml"; } >"$TMP/day.yaml"
cat >>"$TMP/day.yaml" <<EOT
publish:
  zmq: ~
  jsonl: { path: "$TMP/out.jsonl" }
EOT
"$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" 2>"$TMP/err.log" ||
    fail "ccmetricsd: $(cat "$TMP/err.log")"
n=$(wc -l <"$TMP/out.jsonl")
ncalls=$(wc -l <"$TMP/day.truth")
nq=$(wc -l <"$TMP/day.iq")
na=$(wc -l <"$TMP/day.ia")
nrec=$((ncalls + nq + na))
head -n $((n / 2)) "$TMP/out.jsonl" >"$TMP/first.jsonl"
tail -n +$((n / 2 + 1)) "$TMP/out.jsonl" >"$TMP/second.jsonl"

# --- The bad messages: SUBJECT TAB NAME TAB BODY, each naming itself zz-NAME. ----
# The key field comes first in the body, so that the log's excerpt shows it.
$PYTHON3 - "$TMP/out.jsonl" >"$TMP/bad.tsv" <<'PYEOF' || fail "bad messages"
import json, sys
first = {}
for line in open(sys.argv[1]):
    obj = json.loads(line)
    kind = obj["type"]
    if kind in ("interval.queue", "interval.agent", "call.end") and kind not in first:
        obj.pop("topic")
        first[kind] = obj
KEY = {"interval.queue": "queue", "interval.agent": "agent", "call.end": "contact_id"}

def variant(kind, name, **change):
    """The first object of kind, key zz-NAME first, fields changed."""
    key = KEY[kind]
    obj = {key: "zz-" + name}
    obj.update((k, v) for k, v in first[kind].items() if k != key)
    obj.update(change)
    subject = "ccmetrics.east1.%s.%s" % (kind, "zz-" + name)
    return "%s\t%s\t%s" % (subject, name, json.dumps(obj, separators=(",", ":")))

print("ccmetrics.east1.interval.queue.zz-notjson\tnotjson\tzz-notjson: offered=12, no JSON {")
print("ccmetrics.east1.call.end.zz-empty\tempty\t")
print(variant("interval.queue", "text", offered="many"))
print(variant("interval.agent", "keytype", start=12))
print(variant("interval.agent", "intrange", attempts=99999999999))
print(variant("call.end", "numrange", talk_s=1e12))
print(variant("interval.queue", "object", answered={"n": 1}))
print(variant("call.end", "array", holds=[1, 2]))
# A required field missing: its COPY goes through (the stage has no NOT
# NULL), the batch's upsert fails in flight.
print(variant("interval.queue", "nooffered").replace('"offered":', '"offered_not":'))
# A number JSON allows, beyond double precision: PostgreSQL refuses it.
print(variant("interval.agent", "occrange", occupancy=0.5).replace(
    '"occupancy":0.5', '"occupancy":1e400'))
PYEOF
nbad=$(wc -l <"$TMP/bad.tsv")
expect_eq "bad messages" 10 "$nbad"

# publish_all: first half, the bad ones, second half.
$JSB "$(nats_url local)" publish "$TMP/first.jsonl" --id-prefix a >/dev/null ||
    fail "publish the first half"
while IFS='	' read -r subject name body; do
	nats_tool local publish "$subject" "bad-$name" "$body" >/dev/null ||
	    fail "publish $name"
done <"$TMP/bad.tsv"
$JSB "$(nats_url local)" publish "$TMP/second.jsonl" --id-prefix b >/dev/null ||
    fail "publish the second half"
total=$((n + nbad))
expect_eq "messages in the stream" "$total" "$(nats_wait_count local CCM "$total" 30)"

# consumer_state NAME: "pending ack_pending ack_floor redelivered" of NAME.
consumer_state() {
	$JSB "$(nats_url local)" consumer-info CCM "$1" | $PYTHON3 -c '
import json, sys
c = json.load(sys.stdin)
print(c["num_pending"], c["num_ack_pending"], c["ack_floor"]["stream_seq"],
      c.get("num_redelivered", 0))'
}

# check_run DURABLE ERRFILE: every good message stored, equal to the truth;
# every bad one skipped, counted, logged once and acknowledged.
check_run() {
	grep -q "info: $nrec messages stored in [0-9]* transactions, $nbad skipped (bad), $((n - nrec)) not recorded kinds, 0 lost (buffer full), 0 not stored" "$2" ||
	    fail "$1: counts: $(cat "$2")"
	while IFS='	' read -r subject name body; do
		c=$(grep -c "zz-$name" "$2")
		[ "$c" = 1 ] || {
			cat "$2"
			fail "$1: bad message $name logged $c times"
		}
	done <"$TMP/bad.tsv"
	grep -v 'zz-' "$2" | sed 's/^/  /'
	grep 'zz-' "$2" | cut -c 1-240 | sed 's/^/  /'
	# Nothing else logged: no second line about a bad message (the
	# failed batch it was in, say).
	expect_eq "$1: lines logged besides start, end and the bad messages" 0 \
	    "$(grep -v 'zz-\|recording into\|durable consumer\|reading NATS\|messages stored in' "$2" | wc -l | tr -d ' ')"
	# Each log line is one line: no message text spread over several.
	expect_eq "$1: log lines that are not ccmetrics-sub's" 0 \
	    "$(grep -vc '^ccmetrics-sub: ' "$2")"
	expect_eq "$1: rows of bad messages" 0 \
	    "$(pg_query "SELECT (SELECT count(*) FROM ccmetrics.interval_queue
		WHERE queue LIKE 'zz-%') + (SELECT count(*) FROM
		ccmetrics.interval_agent WHERE agent LIKE 'zz-%') + (SELECT
		count(*) FROM ccmetrics.call_end WHERE contact_id LIKE 'zz-%')")"
	$ROWS queue --site east1 >"$TMP/q.jsonl"
	$ROWS agent --site east1 >"$TMP/a.jsonl"
	$ROWS call --site east1 >"$TMP/c.jsonl"
	$CMPI "$TMP/day.iq" "$TMP/q.jsonl" >"$TMP/q.cmp" ||
	    { cat "$TMP/q.cmp"; fail "$1: interval_queue rows differ from the truth"; }
	$CMPI --agents "$TMP/day.ia" "$TMP/a.jsonl" >"$TMP/a.cmp" ||
	    { cat "$TMP/a.cmp"; fail "$1: interval_agent rows differ from the truth"; }
	$COMPARE "$TMP/day.truth" "$TMP/c.jsonl" >"$TMP/c.cmp" ||
	    { cat "$TMP/c.cmp"; fail "$1: call_end rows differ from the truth"; }
	echo "ok: $1: $(tail -n 1 "$TMP/q.cmp"); $(tail -n 1 "$TMP/a.cmp"); $(tail -n 1 "$TMP/c.cmp")"
	expect_eq "$1: pending, awaiting ack, ack floor, redelivered" "0 0 $total 0" \
	    "$(consumer_state "$1")"
	# Past the ack wait (1 s; the run waits 3 s for more): nothing
	# comes again.
	timeout 60 "$CCMETRICS_SUB" --db "$PGURL_RUN" --nats "$(nats_url local)" \
	    --stream CCM --durable "$1" -w 3 2>"$TMP/again.err" ||
	    fail "$1: recorder again: $(cat "$TMP/again.err")"
	grep -q "info: 0 messages stored in 0 transactions, 0 skipped (bad), 0 not recorded kinds" \
	    "$TMP/again.err" || fail "$1: redelivered: $(cat "$TMP/again.err")"
	echo "ok: $1: $nbad bad messages acknowledged, logged once, counted; none redelivered"
}

# --- One batch: it fails, its messages go one by one. ---------------------------
PGURL_RUN=$PG_URL
timeout 120 "$CCMETRICS_SUB" --db "$PG_URL" --nats "$(nats_url local)" \
    --stream CCM --durable rec1 --ack-wait 1 -w 2 2>"$TMP/rec1.err" ||
    fail "recorder: $(cat "$TMP/rec1.err")"
check_run rec1 "$TMP/rec1.err"

# --- Batches of 7, into another database. ----------------------------------------
pg_createdb ccm2
PGURL_RUN="postgresql://ccm@127.0.0.1:$PGPORT/ccm2"
timeout 120 "$CCMETRICS_SUB" --db "$PGURL_RUN" --nats "$(nats_url local)" \
    --stream CCM --durable rec2 --ack-wait 1 --batch 7 -w 2 2>"$TMP/rec2.err" ||
    fail "recorder, batches of 7: $(cat "$TMP/rec2.err")"
PGDATABASE=ccm2 check_run rec2 "$TMP/rec2.err"

# --- Batches of 1: each bad message fails its own COPY first. ----------------------
pg_createdb ccm3
PGURL_RUN="postgresql://ccm@127.0.0.1:$PGPORT/ccm3"
timeout 120 "$CCMETRICS_SUB" --db "$PGURL_RUN" --nats "$(nats_url local)" \
    --stream CCM --durable rec3 --ack-wait 1 --batch 1 -w 2 2>"$TMP/rec3.err" ||
    fail "recorder, batches of 1: $(cat "$TMP/rec3.err")"
PGDATABASE=ccm3 check_run rec3 "$TMP/rec3.err"
