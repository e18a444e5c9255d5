#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# recorder.sh: ccmetrics-sub --db catching up a JetStream backlog into a local PostgreSQL, in rows per second.
#
# Generates one 4-hour contact-center day (tools/ccmetrics-gen, replayed by
# ccmetricsd), keeps its recorded kinds (interval.queue, interval.agent,
# call.end) and publishes them SITES times into a fresh JetStream stream as
# sites b0..b<SITES-1> (tests/js-bulk.py): a backlog of distinct rows, as a
# recorder that was down finds it. Then measures, several runs each, on a
# fresh private PostgreSQL cluster (fsync and synchronous_commit on, its
# defaults) and a new durable consumer each run:
#   (a) --nats: the backlog fetched, upserted in batches, acknowledged;
#   (b) -r: the same rows from a JSON-lines file (no broker);
# the wall-clock time and rows/s, the CPU time of the recorder and of
# PostgreSQL (all its processes) and the rows per second of their sum, the
# CPU time of nats-server, and the rows in the tables afterwards (which must be exactly the backlog). Timings are
# results, never pass/fail; the machine is shared: see the CPU rate too.
#
# -B OTHER: each JetStream run also with the ccmetrics-sub binary OTHER
# (another version), alternating with this build's run: a before/after
# comparison under the same load.
#
# usage: bench/recorder.sh [-n RUNS] [-s SITES] [-b BATCH] [-B OTHER]
set -eu

top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
runs=3 sites=100 batch=5000 other=
while [ $# -gt 0 ]; do
	case "$1" in
	-n) runs=$2; shift ;;
	-s) sites=$2; shift ;;
	-b) batch=$2; shift ;;
	-B) other=$2; shift ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
	esac
	shift
done

. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/nats-lib.sh"
PG_FSYNC=on
. "$top_srcdir/tests/pg-lib.sh"
[ -x "$NATS_TOOL" ] || ${MAKE:-make} -s -C "$top_builddir" tests/nats-tool
nats_require
JSB="$PYTHON3 $top_srcdir/tests/js-bulk.py"

$GEN --seed 31 --duration-s 14400 --mode full --out "$TMP/day.pcap" \
    --truth "$TMP/day.truth" --config "$TMP/gen.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
"$CCMETRICSD" -c "$TMP/gen.yaml" -r "$TMP/day.pcap" 2>"$TMP/err.log" |
    grep '"topic":"\(interval\.queue\|interval\.agent\|call\.end\)\.' \
    >"$TMP/day.jsonl" || fail "ccmetricsd: $(cat "$TMP/err.log")"
per_site=$(wc -l <"$TMP/day.jsonl")
rows=$((per_site * sites))
bytes=$(wc -c <"$TMP/day.jsonl")

pg_start
nats_start bench
nats_tool bench add-stream BACKLOG 'ccmetrics.>' >/dev/null || fail "stream"
echo "publishing $rows messages ($sites sites x $per_site) ..."
$JSB "$(nats_url bench)" publish "$TMP/day.jsonl" --site b --sites "$sites" \
    --id-prefix bench >/dev/null || fail "publish"
# The same backlog as one JSON-lines file, the site in each object.
$PYTHON3 - "$TMP/day.jsonl" "$sites" >"$TMP/backlog.jsonl" <<'PYEOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
for s in range(int(sys.argv[2])):
    for line in lines:
        obj = json.loads(line)
        obj["site"] = "b%d" % s
        print(json.dumps(obj, separators=(",", ":")))
PYEOF

# The CPU seconds PostgreSQL spent: the postmaster, its children alive
# and those it reaped (the recorder's backend exits with it).
server_cpu() {
	$PYTHON3 - "$PG_PID" <<'PYEOF'
import os, sys
total = 0
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        st = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    if pid == sys.argv[1]:
        total += sum(int(x) for x in st[11:15])
    elif st[1] == sys.argv[1]:
        total += int(st[11]) + int(st[12])
print(total / os.sysconf("SC_CLK_TCK"))
PYEOF
}

# The CPU seconds nats-server spent (delivering the backlog, taking acks).
nats_cpu() {
	awk -v t="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / t }' \
	    "/proc/$(cat "$(nats_dir bench)/pid")/stat"
}

# measure NAME ARGS...: one recorder run into an emptied database;
# prints "wall recorder_cpu rows server_cpu nats_cpu".
measure() {
	pg_query "TRUNCATE ccmetrics.interval_queue, ccmetrics.interval_agent,
	    ccmetrics.call_end" >/dev/null
	psql -q -c "VACUUM ANALYZE" >/dev/null
	c0=$(server_cpu)
	n0=$(nats_cpu)
	t0=$(date +%s.%N)
	/usr/bin/time -f '%U %S' -o "$TMP/time" "$SUB" --db "$PG_URL" \
	    --batch "$batch" "$@" 2>"$TMP/rec.err" || fail "recorder: $(cat "$TMP/rec.err")"
	t1=$(date +%s.%N)
	c1=$(server_cpu)
	n1=$(nats_cpu)
	got=$(pg_query "SELECT (SELECT count(*) FROM ccmetrics.interval_queue) +
	    (SELECT count(*) FROM ccmetrics.interval_agent) +
	    (SELECT count(*) FROM ccmetrics.call_end)")
	[ "$got" = "$rows" ] || fail "$got rows in the tables, $rows published: $(cat "$TMP/rec.err")"
	echo "$t0 $t1 $(cat "$TMP/time") $got $c0 $c1 $n0 $n1" |
	    awk '{ printf "%.3f %.3f %d %.3f %.3f\n", $2 - $1, $3 + $4, $5, $7 - $6, $9 - $8 }'
}

echo "backlog: $rows rows, $((bytes * sites / 1048576)) MiB of JSON; batch $batch; PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') (fsync on)"
SUB=$CCMETRICS_SUB
for mode in nats file; do
	i=1
	while [ $i -le "$runs" ]; do
		if [ $mode = nats ] && [ -n "$other" ]; then
			SUB=$other
			r=$(measure --nats "$(nats_url bench)" --stream BACKLOG \
			    --durable "other$i" -n "$rows")
			echo "$r" | awk -v i=$i '{ printf "nats (-B) run %d: %d rows in %.2f s wall: %.0f rows/s; CPU: recorder %.2f s, PostgreSQL %.2f s: %.0f rows/s of CPU (both); nats-server %.2f s\n", i, $3, $1, $3 / $1, $2, $4, $3 / ($2 + $4), $5 }'
			SUB=$CCMETRICS_SUB
		fi
		if [ $mode = nats ]; then
			r=$(measure --nats "$(nats_url bench)" --stream BACKLOG \
			    --durable "run$i" -n "$rows")
		else
			r=$(measure -q -r "$TMP/backlog.jsonl")
		fi
		echo "$r" | awk -v m=$mode -v i=$i '{ printf "%s run %d: %d rows in %.2f s wall: %.0f rows/s; CPU: recorder %.2f s, PostgreSQL %.2f s: %.0f rows/s of CPU (both); nats-server %.2f s\n", m, i, $3, $1, $3 / $1, $2, $4, $3 / ($2 + $4), $5 }'
		i=$((i + 1))
	done
done
