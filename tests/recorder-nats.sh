#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# recorder-nats.sh: a generated day (with the agent model) through ccmetricsd -> JetStream -> ccmetrics-sub --nats (durable pull consumer) -> PostgreSQL equals the generator's truth, agent state times and hour/day rollups included, every message acknowledged; the recorder killed (-9) in the middle of a batch and restarted gives the same tables, no row missing or doubled.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/nats-lib.sh"
. "$top_srcdir/tests/pg-lib.sh"
nats_require

ROWS="$PYTHON3 $top_srcdir/tests/db-rows.py"
CMPI="$PYTHON3 $top_srcdir/tests/compare-intervals.py"
JSB="$PYTHON3 $top_srcdir/tests/js-bulk.py"
ROLLUP="$PYTHON3 $top_srcdir/tests/rollup-check.py"

pg_start
nats_start local
nats_tool local add-stream CCM 'ccmetrics.>' >/dev/null || fail "add stream"

# --- The day, published by the daemon into JetStream. --------------------------
# With the generator's agent model (DESIGN.md 7: registrations, codes,
# wrap-up, agents' own calls): interval.agent carries the state times, whose
# truth comes with --agent-states. The model takes the capture whole.
$GEN --seed 31 --duration-s 14400 --mode full --cut-s 0 --presence register \
    --out "$TMP/day.pcap" --truth "$TMP/day.truth" --config "$TMP/gen.yaml" \
    --intervals "$TMP/day.iq" --agent-intervals "$TMP/day.ia" \
    --agent-states "$TMP/day.st" \
    2>"$TMP/gen.log" || fail "generator: $(cat "$TMP/gen.log")"
agent_truth_has_states "$TMP/day.ia" register
{
	echo "site: east1"
	sed '/^publish:/,$d' "$TMP/gen.yaml"
	cat <<EOT
publish:
  zmq: ~
  jsonl: { path: "$TMP/out.jsonl" }
  nats: { url: "$(nats_url local)" }
EOT
} >"$TMP/day.yaml"
"$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" 2>"$TMP/err.log" ||
    fail "ccmetricsd: $(cat "$TMP/err.log")"
n=$(wc -l <"$TMP/out.jsonl")
expect_eq "messages in the stream" "$n" "$(nats_wait_count local CCM "$n" 30)"
ncalls=$(wc -l <"$TMP/day.truth")
nq=$(wc -l <"$TMP/day.iq")
na=$(wc -l <"$TMP/day.ia")
nrec=$((ncalls + nq + na))

# check_truth WHAT: every row of site east1 equals the generator's truth
# (interval_agent's state times and occupancy too), and so do its hour and
# day rollups (sums of the truth, occupancy and the rates from the sums).
check_truth() {
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
	for g in hour day; do
		$ROLLUP --site east1 queue $g "$TMP/day.iq" >"$TMP/r.cmp" ||
		    { cat "$TMP/r.cmp"; fail "$1: queue rollup by $g"; }
		$ROLLUP --site east1 --states agent $g "$TMP/day.ia" >"$TMP/ra.cmp" ||
		    { cat "$TMP/ra.cmp"; fail "$1: agent rollup by $g"; }
		echo "ok: $1: $(tail -n 1 "$TMP/r.cmp"); $(tail -n 1 "$TMP/ra.cmp")"
	done
}

# consumer_state NAME: "pending ack_pending" of the durable NAME.
consumer_state() {
	$JSB "$(nats_url local)" consumer-info CCM "$1" | $PYTHON3 -c '
import json, sys
c = json.load(sys.stdin)
print(c["num_pending"], c["num_ack_pending"], c["ack_floor"]["stream_seq"])'
}

# --- (1) The whole stream recorded: equal to the truth, all acknowledged. ------
timeout 120 "$CCMETRICS_SUB" --db "$PG_URL" --nats "$(nats_url local)" \
    --stream CCM --durable rec1 -w 2 2>"$TMP/rec1.err" ||
    fail "recorder: $(cat "$TMP/rec1.err")"
grep -q "$nrec messages stored in [0-9]* transactions, 0 skipped (bad), $((n - nrec)) not recorded kinds" \
    "$TMP/rec1.err" || fail "recorder: $(cat "$TMP/rec1.err")"
check_truth "JetStream"
agent_rollup_not_averaged east1
expect_eq "consumer rec1: pending, awaiting ack, ack floor" "0 0 $n" \
    "$(consumer_state rec1)"
# Run again on the same durable: nothing more to do, nothing changes.
$ROWS dump >"$TMP/dump1"
timeout 60 "$CCMETRICS_SUB" --db "$PG_URL" --nats "$(nats_url local)" \
    --stream CCM --durable rec1 -w 1 2>"$TMP/rec1b.err" ||
    fail "recorder again: $(cat "$TMP/rec1b.err")"
grep -q ": 0 messages stored" "$TMP/rec1b.err" || grep -q "info: 0 messages stored" \
    "$TMP/rec1b.err" || fail "a consumed durable gave more: $(cat "$TMP/rec1b.err")"
$ROWS dump | cmp -s - "$TMP/dump1" || fail "the tables changed"
echo "ok: the durable consumed: nothing redelivered"

# --- (2) kill -9 in the middle of a batch, restart: the same tables. -----------
# A trigger holds the transaction that stores the middle call in the
# database: the recorder is then surely between two commits.
pg_createdb ccm2
mid=$(grep '"topic":"call.end\.' "$TMP/out.jsonl" |
    sed -n "$((ncalls / 2))p" | sed 's/.*"contact_id":"\([^"]*\)".*/\1/')
psql -q -d ccm2 -v ON_ERROR_STOP=1 >/dev/null <<EOSQL || fail "trigger"
CREATE FUNCTION stall() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	IF NEW.contact_id = '$mid' THEN PERFORM pg_sleep(120); END IF;
	RETURN NEW;
END \$\$;
CREATE TRIGGER stall BEFORE INSERT ON ccmetrics.call_end
	FOR EACH ROW EXECUTE FUNCTION stall();
EOSQL
URL2="postgresql://ccm@127.0.0.1:$PGPORT/ccm2"
"$CCMETRICS_SUB" --db "$URL2" --nats "$(nats_url local)" --stream CCM \
    --durable rec2 --ack-wait 2 --batch 50 2>"$TMP/rec2.err" &
rec=$!
i=0
until [ "$(psql -d ccm2 -At -c "SELECT count(*) FROM pg_stat_activity
    WHERE wait_event = 'PgSleep'")" = 1 ]; do
	[ $i -lt 300 ] || fail "the recorder never reached the middle: $(cat "$TMP/rec2.err")"
	kill -0 "$rec" 2>/dev/null || fail "recorder exited: $(cat "$TMP/rec2.err")"
	sleep 0.1
	i=$((i + 1))
done
kill -KILL "$rec"
wait "$rec" 2>/dev/null || true
# Its server side goes too (it would hold the batch's uncommitted rows).
psql -d ccm2 -At -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE wait_event = 'PgSleep'" >/dev/null
psql -q -d ccm2 -c "DROP TRIGGER stall ON ccmetrics.call_end" >/dev/null
before=$(psql -d ccm2 -At -c "SELECT count(*) FROM ccmetrics.call_end")
[ "$before" -gt 0 ] && [ "$before" -lt "$ncalls" ] ||
    fail "not killed in the middle: $before of $ncalls calls stored"
grep -q "$mid" "$TMP/rec2.err" && fail "the stalled row was logged as bad"
set -- $(consumer_state rec2)
[ "$2" -gt 0 ] || fail "no message awaiting its ack after the kill: $*"
echo "ok: killed with $before of $ncalls calls stored, $2 messages unacknowledged"
# Restarted: the unacknowledged batch comes again (ack wait 2 s).
timeout 120 "$CCMETRICS_SUB" --db "$URL2" --nats "$(nats_url local)" \
    --stream CCM --durable rec2 -w 5 2>"$TMP/rec3.err" ||
    fail "restarted recorder: $(cat "$TMP/rec3.err")"
expect_eq "consumer rec2: pending, awaiting ack, ack floor" "0 0 $n" \
    "$(consumer_state rec2)"
PGDATABASE=ccm2 $ROWS dump >"$TMP/dump2"
cmp -s "$TMP/dump1" "$TMP/dump2" || {
	diff "$TMP/dump1" "$TMP/dump2" | head -n 20
	fail "the tables after the kill differ from those without it"
}
echo "ok: after kill -9 and restart the tables equal those of the run without ($(wc -l <"$TMP/dump2") rows)"
PGDATABASE=ccm2 check_truth "killed and restarted"
