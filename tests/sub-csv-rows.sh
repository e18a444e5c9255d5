#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sub-csv-rows.sh: the CSV writer of ccmetrics-sub -c, fed JSON lines with
# -r: exact bytes of header and rows (column order, nulls, RFC 4180
# quoting, CRLF, numbers as the daemon wrote them), header once across
# runs, a foreign header refused, a torn last row, usage errors.
. "$(dirname "$0")/lib.sh"

SUB="$CCMETRICS_SUB"
mkdir "$TMP/csv"

# Two queue intervals (one with every derived field null), agents whose ids
# need quoting, a record lacking a field, a real-time snapshot and topics
# that are no interval; records of an older daemon lack the site.
cat >"$TMP/in.jsonl" <<'EOT'
{"topic":"interval.queue.sales","type":"interval.queue","v":1,"seq":270,"site":"east1","ts":"2026-11-23T09:15:00.000Z","queue":"sales","start":"2026-11-23T09:00:00.000Z","end":"2026-11-23T09:15:00.000Z","interval_s":900,"offered":26,"blocked":1,"answered":24,"answered_within_sl":21,"wait_answered_s":285.223,"max_wait_s":39.621,"abandoned":0,"short_abandoned":1,"abandon_wait_s":0.0,"timeouts":0,"handled":21,"talk_s":2140.944,"hold_s":60.964,"handle_s":2201.908,"holds":3,"rona":2,"transfers":0,"repeat_calls":0,"service_level":0.875,"asa_s":11.8842916666667,"aht_s":104.852761904762,"abandon_rate":0.0,"erlang_c_agents":5,"sl_threshold_s":20,"sl_target":0.8,"wait_hist_answered":[1,2,3,4,5,6,7,8,9,10,11,12],"wait_hist_abandoned":[12,11,10,9,8,7,6,5,4,3,2,1],"wait_all_s":301.5,"max_wait_all_s":39.621,"redials":1,"reconnects":2,"ended_on_hold":1,"agent_ended":7,"transfers_blind":3,"transfers_attended":4,"patience_s":301.5,"abandon_rate_offered":0.0384615384615385,"erlang_a_agents":5}
{"topic":"call.end.sales","type":"call.end","v":1,"seq":271,"ts":"2026-11-23T09:15:01.000Z","queue":"sales"}
{"topic":"interval.queue.support","type":"interval.queue","v":1,"seq":272,"ts":"2026-11-23T11:15:00.000Z","queue":"support","start":"2026-11-23T11:00:00.000Z","end":"2026-11-23T11:15:00.000Z","interval_s":900,"offered":0,"blocked":0,"answered":0,"answered_within_sl":0,"wait_answered_s":0.0,"max_wait_s":0.0,"abandoned":0,"short_abandoned":0,"abandon_wait_s":0.0,"timeouts":0,"handled":0,"talk_s":0.0,"hold_s":0.0,"handle_s":0.0,"holds":0,"rona":0,"transfers":0,"repeat_calls":0,"service_level":null,"asa_s":null,"aht_s":null,"abandon_rate":null,"erlang_c_agents":null,"sl_threshold_s":30,"sl_target":0.9,"wait_hist_answered":[0,0,0,0,0,0,0,0,0,0,0,0],"wait_hist_abandoned":[0,0,0,0,0,0,0,0,0,0,0,0],"wait_all_s":0.0,"max_wait_all_s":0.0,"redials":0,"reconnects":0,"ended_on_hold":0,"agent_ended":0,"transfers_blind":0,"transfers_attended":0,"patience_s":null,"abandon_rate_offered":null,"erlang_a_agents":null}
{"topic":"interval.agent.1001","type":"interval.agent","v":1,"seq":273,"site":"east1","ts":"2026-11-23T09:15:00.000Z","agent":"1001","start":"2026-11-23T09:00:00.000Z","end":"2026-11-23T09:15:00.000Z","interval_s":900,"attempts":6,"answered":4,"rona":0,"handled":3,"talk_s":338.478,"hold_s":28.006,"handle_s":366.484,"holds":1,"transfers":0,"busy_s":437.212}
{"topic":"interval.agent.a,\"b","type":"interval.agent","v":1,"seq":274,"ts":"2026-11-23T09:15:00.000Z","agent":"a,\"b","start":"2026-11-23T09:00:00.000Z","end":"2026-11-23T09:15:00.000Z","interval_s":900,"attempts":1,"answered":0,"rona":1,"handled":0,"talk_s":0.0,"hold_s":0.0,"handle_s":0.0,"holds":0,"transfers":0,"busy_s":0.0}
{"topic":"interval.agent.x\ny","type":"interval.agent","v":1,"seq":275,"ts":"2026-11-23T09:15:00.000Z","agent":"x\ny","start":"2026-11-23T09:00:00.000Z","end":"2026-11-23T09:15:00.000Z","interval_s":900,"attempts":1,"answered":0,"rona":0,"handled":0,"talk_s":0.0,"hold_s":0.0,"handle_s":0.0,"holds":0,"transfers":0,"busy_s":0.0}
{"topic":"interval.agent.Zo\u00eb","type":"interval.agent","v":1,"seq":276,"ts":"2026-11-23T09:15:00.000Z","agent":"Zo\u00eb","start":"2026-11-23T09:00:00.000Z","end":"2026-11-23T09:15:00.000Z","interval_s":900,"attempts":2,"answered":2,"rona":0,"handled":2,"talk_s":12.5,"hold_s":0.0,"handle_s":12.5,"holds":0,"transfers":0}
{"topic":"rt.queue.sales","type":"rt.queue","v":1,"seq":277,"site":"east-1_b","ts":"2026-11-23T09:15:02.540Z","queue":"sales","waiting":2,"longest_wait_s":17.25,"talking":3,"on_hold":1}
{"topic":"stats","type":"stats","v":1,"seq":278,"ts":"2026-11-23T09:15:02.540Z","packets":29}
EOT

# With -c and no -t only interval. topics: nothing else on stdout either.
"$SUB" -c "$TMP/csv" -r "$TMP/in.jsonl" >"$TMP/out.jsonl" 2>"$TMP/err" ||
    fail "ccmetrics-sub -c -r: $(cat "$TMP/err")"
grep '"topic":"interval\.' "$TMP/in.jsonl" >"$TMP/want.jsonl"
cmp "$TMP/want.jsonl" "$TMP/out.jsonl" || fail "stdout is not the interval lines"
echo "ok: stdout holds the interval lines as read"
[ ! -e "$TMP/csv/rt.queue.csv" ] || fail "rt.queue.csv written without -t rt."
grep -q 'interval.agent: no busy_s in a record' "$TMP/err" ||
    fail "a missing field is not reported: $(cat "$TMP/err")"
expect_eq "a missing site reported once per kind" 2 \
    "$(grep -c ': no site in a record' "$TMP/err")"

q=start,end,interval_s,queue,offered,blocked,answered,answered_within_sl
q=$q,wait_answered_s,max_wait_s,abandoned,short_abandoned,abandon_wait_s
q=$q,timeouts,handled,talk_s,hold_s,handle_s,holds,rona,transfers
q=$q,repeat_calls,service_level,asa_s,aht_s,abandon_rate,erlang_c_agents
q=$q,sl_threshold_s,sl_target
for h in answered abandoned; do
	for e in 5 10 15 20 30 45 60 90 120 180 300; do
		q=$q,wait_hist_${h}_le$e
	done
	q=$q,wait_hist_${h}_gt300
done
q1=$q
q=$q,wait_all_s,max_wait_all_s,redials,reconnects,ended_on_hold,agent_ended
q=$q,transfers_blind,transfers_attended,patience_s,abandon_rate_offered
q=$q,erlang_a_agents
q2=$q
q=$q,site
a=start,end,interval_s,agent,attempts,answered,rona,handled,talk_s,hold_s
a=$a,handle_s,holds,transfers,busy_s,site
i1=2026-11-23T09:00:00.000Z,2026-11-23T09:15:00.000Z,900
i2=2026-11-23T11:00:00.000Z,2026-11-23T11:15:00.000Z,900
{
	printf '%s\r\n' "$q"
	printf '%s\r\n' "$i1,sales,26,1,24,21,285.223,39.621,0,1,0.0,0,21,2140.944,60.964,2201.908,3,2,0,0,0.875,11.8842916666667,104.852761904762,0.0,5,20,0.8,1,2,3,4,5,6,7,8,9,10,11,12,12,11,10,9,8,7,6,5,4,3,2,1,301.5,39.621,1,2,1,7,3,4,301.5,0.0384615384615385,5,east1"
	printf '%s\r\n' "$i2,support,0,0,0,0,0.0,0.0,0,0,0.0,0,0,0.0,0.0,0.0,0,0,0,0,,,,,,30,0.9,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0.0,0.0,0,0,0,0,0,0,,,,"
} >"$TMP/want-queue.csv"
{
	printf '%s\r\n' "$a"
	printf '%s\r\n' "$i1,1001,6,4,0,3,338.478,28.006,366.484,1,0,437.212,east1"
	printf '%s\r\n' "$i1,\"a,\"\"b\",1,0,1,0,0.0,0.0,0.0,0,0,0.0,"
	printf '%s\n%s\r\n' "$i1,\"x" "y\",1,0,0,0,0.0,0.0,0.0,0,0,0.0,"
	printf '%s\r\n' "$i1,Zo$(printf '\303\253'),2,2,0,2,12.5,0.0,12.5,0,0,,"
} >"$TMP/want-agent.csv"
cmp "$TMP/want-queue.csv" "$TMP/csv/interval.queue.csv" ||
    fail "interval.queue.csv: $(cat -A "$TMP/csv/interval.queue.csv")"
echo "ok: interval.queue.csv: header, nulls as empty cells, histogram columns"
cmp "$TMP/want-agent.csv" "$TMP/csv/interval.agent.csv" ||
    fail "interval.agent.csv: $(cat -A "$TMP/csv/interval.agent.csv")"
echo "ok: interval.agent.csv: RFC 4180 quoting, UTF-8, a missing field empty"

# An independent CSV reader gets the JSON values back.
$PYTHON3 - "$TMP/csv/interval.agent.csv" "$TMP/in.jsonl" <<'EOT' ||
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8") as fh:
    rows = list(csv.DictReader(fh))
recs = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
recs = [r for r in recs if r["type"] == "interval.agent"]
assert [r["agent"] for r in rows] == [r["agent"] for r in recs], rows
assert [float(r["talk_s"]) for r in rows] == [r["talk_s"] for r in recs]
EOT
    fail "python's csv module reads other values"
echo "ok: python csv reads the agent ids and values back"

# rt.queue when subscribed; a second run appends rows, never a header.
"$SUB" -q -c "$TMP/csv" -t interval. -t rt. -r "$TMP/in.jsonl" \
    2>/dev/null || fail "second run"
expect_eq "queue header lines" 1 \
    "$(grep -c '^start,end,interval_s,queue,' "$TMP/csv/interval.queue.csv")"
expect_eq "queue rows after two runs" 4 \
    "$(grep -c '^2026' "$TMP/csv/interval.queue.csv")"
printf 'ts,queue,waiting,longest_wait_s,talking,on_hold,site\r\n2026-11-23T09:15:02.540Z,sales,2,17.25,3,1,east-1_b\r\n' \
    >"$TMP/want-rt.csv"
cmp "$TMP/want-rt.csv" "$TMP/csv/rt.queue.csv" ||
    fail "rt.queue.csv: $(cat -A "$TMP/csv/rt.queue.csv")"
echo "ok: rt.queue.csv with -t rt."

# A row cut short by a crash: the next row starts on a line of its own.
printf '2026-11-23T09:15:02.540Z,sal' >>"$TMP/csv/rt.queue.csv"
grep '"topic":"rt\.' "$TMP/in.jsonl" |
    "$SUB" -q -c "$TMP/csv" -t rt. -r - || fail "append after a torn row"
expect_eq "last line after a torn row" \
    "2026-11-23T09:15:02.540Z,sales,2,17.25,3,1,east-1_b" \
    "$(tail -n 1 "$TMP/csv/rt.queue.csv" | tr -d '\r')"

# A file begun before the fields of DESIGN.md 4.1 (ccmetrics-sub of an
# earlier release) goes on with its own columns: no row of another shape.
mkdir "$TMP/v1"
printf '%s\r\n' "$q1" >"$TMP/v1/interval.queue.csv"
"$SUB" -q -c "$TMP/v1" -r "$TMP/in.jsonl" 2>"$TMP/err" ||
    fail "a file of the first columns refused: $(cat "$TMP/err")"
{
	printf '%s\r\n' "$q1"
	sed -n '2,3p' "$TMP/want-queue.csv" | sed 's/,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*\r$/\r/'
} >"$TMP/want-v1.csv"
cmp "$TMP/want-v1.csv" "$TMP/v1/interval.queue.csv" ||
    fail "first-columns file: $(cat -A "$TMP/v1/interval.queue.csv")"
expect_eq "cells of a first-columns row" 53 \
    "$(sed -n 2p "$TMP/v1/interval.queue.csv" | tr ',' '\n' | grep -c .)"
echo "ok: a file of the first columns keeps them"

# Files begun before the site column (DESIGN.md 8) go on without it.
mkdir "$TMP/v2"
printf '%s\r\n' "$q2" >"$TMP/v2/interval.queue.csv"
printf '%s\r\n' "${a%,site}" >"$TMP/v2/interval.agent.csv"
"$SUB" -q -c "$TMP/v2" -r "$TMP/in.jsonl" 2>"$TMP/err" ||
    fail "a file without the site column refused: $(cat "$TMP/err")"
sed 's/,[^,]*\r$/\r/' "$TMP/want-queue.csv" >"$TMP/want-v2.csv"
cmp "$TMP/want-v2.csv" "$TMP/v2/interval.queue.csv" ||
    fail "queue file without site: $(cat -A "$TMP/v2/interval.queue.csv")"
sed 's/,[^,]*\r$/\r/' "$TMP/want-agent.csv" >"$TMP/want-v2a.csv"
cmp "$TMP/want-v2a.csv" "$TMP/v2/interval.agent.csv" ||
    fail "agent file without site: $(cat -A "$TMP/v2/interval.agent.csv")"
expect_eq "cells of a queue row without site" 64 \
    "$(sed -n 2p "$TMP/v2/interval.queue.csv" | tr ',' '\n' | grep -c .)"
echo "ok: files begun before the site column keep their columns"

# A file with other columns is never appended to.
mkdir "$TMP/old"
printf 'start,end,queue,offered\r\n' >"$TMP/old/interval.queue.csv"
if "$SUB" -q -c "$TMP/old" -r "$TMP/in.jsonl" 2>"$TMP/err"; then
	fail "a foreign header was accepted"
fi
grep -q 'interval.queue.csv: its first line is not the header' "$TMP/err" ||
    fail "foreign header: $(cat "$TMP/err")"
expect_eq "foreign file untouched" 1 "$(wc -l <"$TMP/old/interval.queue.csv")"

# -c needs a writable directory; a line that is no object fails the run
# but not the other lines; usage errors exit 2.
"$SUB" -q -c "$TMP/in.jsonl" -r "$TMP/in.jsonl" 2>"$TMP/err" &&
    fail "-c on a file accepted"
grep -q 'not a directory' "$TMP/err" || fail "-c file: $(cat "$TMP/err")"
mkdir "$TMP/bad"
printf 'garbage\n' | cat - "$TMP/in.jsonl" >"$TMP/bad.jsonl"
"$SUB" -q -c "$TMP/bad" -r "$TMP/bad.jsonl" 2>"$TMP/err" &&
    fail "a garbage line did not fail the run"
grep -q 'bad.jsonl:1: not a JSON object' "$TMP/err" || fail "garbage line not reported: $(cat "$TMP/err")"
expect_eq "queue rows despite a garbage line" 2 \
    "$(grep -c '^2026' "$TMP/bad/interval.queue.csv")"
for args in "-q" "-r - -e tcp://127.0.0.1:1" "-r - -w 1" "extra"; do
	rc=0
	# shellcheck disable=SC2086
	"$SUB" $args </dev/null >/dev/null 2>&1 || rc=$?
	expect_eq "exit status of ccmetrics-sub $args" 2 "$rc"
done
