#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# recorder-zmq.sh: ccmetrics-sub --db from ZeroMQ into a private PostgreSQL: every row equals the generator's truth; a database unreachable at start, a missing schema, bad messages, the database stopped while running (nothing lost), and a full buffer (loss counted).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/pg-lib.sh"

ROWS="$PYTHON3 $top_srcdir/tests/db-rows.py"
CMPI="$PYTHON3 $top_srcdir/tests/compare-intervals.py"

pg_start

# --- Unreachable at start: a clear error naming the server, exit 1. -----------
dead=$(free_port)
if "$CCMETRICS_SUB" --db "postgresql://ccm@127.0.0.1:$dead/ccmetrics" -q \
    -w 1 >/dev/null 2>"$TMP/dead.err"; then
	fail "started without a database"
fi
grep -q "PostgreSQL at 127.0.0.1:$dead (database ccmetrics)" "$TMP/dead.err" ||
    fail "the error does not name the server: $(cat "$TMP/dead.err")"
echo "ok: unreachable database: $(head -n 1 "$TMP/dead.err")"
# A database without the schema, and one of another version.
psql -q -d postgres -c 'CREATE DATABASE empty' >/dev/null
if "$CCMETRICS_SUB" --db "postgresql://ccm@127.0.0.1:$PGPORT/empty" -q -w 1 \
    >/dev/null 2>"$TMP/empty.err"; then
	fail "started without the schema"
fi
grep -q 'no ccmetrics schema: load it with psql -f .*/ccmetrics.sql' \
    "$TMP/empty.err" || fail "missing schema: $(cat "$TMP/empty.err")"
echo "ok: missing schema: $(cat "$TMP/empty.err")"
psql -q -d empty -c 'CREATE SCHEMA ccmetrics; CREATE TABLE
    ccmetrics.schema_version (version integer); INSERT INTO
    ccmetrics.schema_version VALUES (2)' >/dev/null
if "$CCMETRICS_SUB" --db "postgresql://ccm@127.0.0.1:$PGPORT/empty" -q -w 1 \
    >/dev/null 2>"$TMP/v2.err"; then
	fail "started on schema version 2"
fi
grep -q 'ccmetrics schema version 2, this ccmetrics-sub records into version 1' \
    "$TMP/v2.err" || fail "version 2: $(cat "$TMP/v2.err")"
echo "ok: other schema version refused"

# --- A generated day over ZeroMQ: every row equals the truth. ------------------
$GEN --seed 41 --duration-s 7200 --mode full --out "$TMP/day.pcap" \
    --truth "$TMP/day.truth" --config "$TMP/gen.yaml" \
    --intervals "$TMP/day.iq" --agent-intervals "$TMP/day.ia" \
    2>"$TMP/gen.log" || fail "generator: $(cat "$TMP/gen.log")"
port=$(free_port)
{ echo "site: east1"; sed '/^publish:/,$d' "$TMP/gen.yaml"; } >"$TMP/day.yaml"
cat >>"$TMP/day.yaml" <<EOT
publish:
  zmq: { endpoint: "tcp://127.0.0.1:$port", await_subscribers: 1, await_ms: 10000 }
  jsonl: { path: "$TMP/daemon.jsonl" }
EOT
ncalls=$(wc -l <"$TMP/day.truth")
nq=$(wc -l <"$TMP/day.iq")
na=$(wc -l <"$TMP/day.ia")
nrec=$((ncalls + nq + na))

timeout 120 "$CCMETRICS_SUB" --db "$PG_URL" -q -e "tcp://127.0.0.1:$port" \
    -n "$nrec" -w 20 2>"$TMP/sub.err" &
sub=$!
timeout 60 "$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" \
    2>"$TMP/err.log" || fail "ccmetricsd: $(cat "$TMP/err.log")"
wait "$sub" || fail "recorder: $(cat "$TMP/sub.err")"
grep -q "$nrec messages stored" "$TMP/sub.err" ||
    fail "recorder: $(cat "$TMP/sub.err")"

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
}
check_truth "ZeroMQ"
expect_eq "rows of other sites" 0 \
    "$(pg_query "SELECT count(*) FROM ccmetrics.call_end WHERE site <> 'east1'")"

# --- Replayed again: upserted, never doubled. ----------------------------------
pg_query "SELECT 'q', count(*) FROM ccmetrics.interval_queue UNION ALL
    SELECT 'a', count(*) FROM ccmetrics.interval_agent UNION ALL
    SELECT 'c', count(*) FROM ccmetrics.call_end" >"$TMP/counts1"
"$CCMETRICS_SUB" --db "$PG_URL" -q -r "$TMP/daemon.jsonl" 2>"$TMP/rsub.err" ||
    fail "replay: $(cat "$TMP/rsub.err")"
pg_query "SELECT 'q', count(*) FROM ccmetrics.interval_queue UNION ALL
    SELECT 'a', count(*) FROM ccmetrics.interval_agent UNION ALL
    SELECT 'c', count(*) FROM ccmetrics.call_end" >"$TMP/counts2"
cmp "$TMP/counts1" "$TMP/counts2" || fail "a replay changed the row counts"
expect_eq "rows" "q|$nq a|$na c|$ncalls" "$(tr '\n' ' ' <"$TMP/counts2" | sed 's/ $//')"
check_truth "replayed"

# --- Bad messages: acknowledged (skipped), logged, counted; the rest stored. ----
q1=$(grep -m 1 '"topic":"interval.queue\.' "$TMP/daemon.jsonl")
c1=$(grep -m 1 '"topic":"call.end\.' "$TMP/daemon.jsonl")
{
	echo "$q1" | sed 's/"queue":"[^"]*"/"queue":"zz-good"/g'
	echo "$q1" | sed 's/"queue":"[^"]*"/"queue":"zz-text"/g; s/"offered":[0-9]*/"offered":"many"/'
	echo "$q1" | sed 's/"queue":"[^"]*",//g'
	echo "$q1" | sed 's/"queue":"[^"]*"/"queue":"zz-hist"/g; s/"wait_hist_answered":\[[^]]*\]/"wait_hist_answered":[1,2]/'
	echo "$c1" | sed 's/"contact_id":"[^"]*"/"contact_id":"zz-time"/; s/"arrival":"[^"]*"/"arrival":"at noon or so"/'
	echo "$c1" | sed 's/"contact_id":"[^"]*"/"contact_id":"zz-dup"/; s/"site":"east1"/"site":"east1","site":"west"/'
	echo "$c1" | sed 's/"contact_id":"[^"]*"/"contact_id":"zz-site"/; s/"site":"east1"/"site":"no site!"/'
	echo "$c1" | sed 's/"contact_id":"[^"]*"/"contact_id":"zz-good"/'
} >"$TMP/bad.jsonl"
if "$CCMETRICS_SUB" --db "$PG_URL" -q -r "$TMP/bad.jsonl" 2>"$TMP/bad.err"; then
	fail "bad messages: exit 0"
fi
grep -q '2 messages stored in 1 transactions, 6 skipped (bad)' "$TMP/bad.err" ||
    fail "bad messages: $(cat "$TMP/bad.err")"
expect_eq "bad messages logged" 6 "$(grep -c 'message skipped\|not stored:' "$TMP/bad.err" | tr -d ' ')"
expect_eq "good rows stored beside bad ones" "zz-good zz-good" \
    "$(pg_query "SELECT queue FROM ccmetrics.interval_queue WHERE queue LIKE 'zz-%'
	UNION ALL SELECT contact_id FROM ccmetrics.call_end WHERE contact_id LIKE 'zz-%'" | tr '\n' ' ' | sed 's/ $//')"

# --- The database stopped while running: kept, stored when it is back. ---------
pg_query "TRUNCATE ccmetrics.interval_queue, ccmetrics.interval_agent, ccmetrics.call_end"
port=$(free_port)
sed "s|tcp://127.0.0.1:[0-9]*|tcp://127.0.0.1:$port|" "$TMP/day.yaml" >"$TMP/day2.yaml"
timeout 120 "$CCMETRICS_SUB" --db "$PG_URL" -q -e "tcp://127.0.0.1:$port" \
    -n "$nrec" -w 60 2>"$TMP/sub2.err" &
sub=$!
# Connected (it checked the schema): now the database goes away.
i=0
until grep -q 'recording into' "$TMP/sub2.err"; do
	[ $i -lt 100 ] || fail "recorder did not start: $(cat "$TMP/sub2.err")"
	sleep 0.1
	i=$((i + 1))
done
pg_stop
timeout 60 "$CCMETRICSD" -c "$TMP/day2.yaml" -r "$TMP/day.pcap" \
    2>"$TMP/err.log" || fail "ccmetricsd: $(cat "$TMP/err.log")"
# Every message is in the recorder's buffer; it has failed at least once.
i=0
until grep -q 'keeping messages, trying again' "$TMP/sub2.err"; do
	[ $i -lt 200 ] || fail "no database failure logged: $(cat "$TMP/sub2.err")"
	sleep 0.1
	i=$((i + 1))
done
pg_run
wait "$sub" || fail "recorder after the outage: $(cat "$TMP/sub2.err")"
grep -q "$nrec messages stored" "$TMP/sub2.err" ||
    fail "after the outage: $(cat "$TMP/sub2.err")"
grep -q 'storing again' "$TMP/sub2.err" || fail "no recovery logged"
check_truth "database down while running"

# --- A full buffer: the loss is counted and logged, exit 1. ---------------------
pg_query "TRUNCATE ccmetrics.interval_queue, ccmetrics.interval_agent, ccmetrics.call_end"
port=$(free_port)
sed "s|tcp://127.0.0.1:[0-9]*|tcp://127.0.0.1:$port|" "$TMP/day.yaml" >"$TMP/day3.yaml"
timeout 120 "$CCMETRICS_SUB" --db "$PG_URL" -q -e "tcp://127.0.0.1:$port" \
    --buffer 100 -n "$nrec" -w 60 2>"$TMP/sub3.err" &
sub=$!
i=0
until grep -q 'recording into' "$TMP/sub3.err"; do
	[ $i -lt 100 ] || fail "recorder did not start: $(cat "$TMP/sub3.err")"
	sleep 0.1
	i=$((i + 1))
done
pg_stop
timeout 60 "$CCMETRICSD" -c "$TMP/day3.yaml" -r "$TMP/day.pcap" \
    2>"$TMP/err.log" || fail "ccmetricsd: $(cat "$TMP/err.log")"
i=0
until grep -q 'buffer full (100 messages)' "$TMP/sub3.err"; do
	[ $i -lt 200 ] || fail "no buffer loss logged: $(cat "$TMP/sub3.err")"
	sleep 0.1
	i=$((i + 1))
done
pg_run
if wait "$sub"; then
	fail "a recorder that lost messages exited 0"
fi
lost=$((nrec - 100))
grep -q "100 messages stored .* $lost lost (buffer full), 0 not stored" \
    "$TMP/sub3.err" || fail "buffer: $(cat "$TMP/sub3.err")"
grep -q "$lost messages dropped while the buffer was full" "$TMP/sub3.err" ||
    fail "loss not logged on recovery: $(cat "$TMP/sub3.err")"
expect_eq "rows kept by a buffer of 100" 100 \
    "$(pg_query "SELECT (SELECT count(*) FROM ccmetrics.interval_queue) +
	(SELECT count(*) FROM ccmetrics.interval_agent) +
	(SELECT count(*) FROM ccmetrics.call_end)")"
