#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sizing.sh: what one generated day costs downstream: messages and JSON bytes per topic, JetStream store, PostgreSQL tables.
#
# Generates a day (tools/ccmetrics-gen --mode full --cut-s 0 with the
# agent model, --presence register), replays it with the daemon's default
# metrics.realtime_s (5) into a fresh JetStream stream (every topic) and
# its JSON-lines file, records the stream into a fresh PostgreSQL cluster
# with ccmetrics-sub --db --nats, then prints: messages and bytes per
# topic, the stream's bytes on disk, and each table's size with its
# indexes. docs/deployment.md's sizing table comes from this.
#
# usage: bench/sizing.sh [-d SECONDS] [-s SEED] [-a AGENTS]
set -eu

top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
dur=86400 seed=31 agents=10
while [ $# -gt 0 ]; do
	case "$1" in
	-d) dur=$2; shift ;;
	-s) seed=$2; shift ;;
	-a) agents=$2; shift ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
	esac
	shift
done

. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/nats-lib.sh"
. "$top_srcdir/tests/pg-lib.sh"
[ -x "$NATS_TOOL" ] || ${MAKE:-make} -s -C "$top_builddir" tests/nats-tool
nats_require

$GEN --mode full --cut-s 0 --seed "$seed" --duration-s "$dur" \
    --agents "$agents" --presence register --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>"$TMP/gen.err" ||
    fail "generator: $(cat "$TMP/gen.err")"
nats_start js
nats_tool js add-stream CCM 'ccmetrics.>' >/dev/null || fail "add-stream"
{
	sed -e '/^publish:/,$d' -e 's/^\( *realtime_s:\).*/\1 5/' \
	    "$TMP/gen.yaml"
	cat <<EOT
publish:
  zmq: ~
  jsonl: { path: "$TMP/out.jsonl" }
  nats: { url: "$(nats_url js)" }
EOT
} >"$TMP/d.yaml"
grep -q '^ *realtime_s: 5$' "$TMP/d.yaml" || fail "realtime_s not set to 5"
"$CCMETRICSD" -c "$TMP/d.yaml" -r "$TMP/day.pcap" 2>"$TMP/d.err" ||
    fail "ccmetricsd: $(cat "$TMP/d.err")"
n=$(wc -l <"$TMP/out.jsonl")
nats_wait_count js CCM "$n" 120 >/dev/null ||
    fail "the stream does not hold the $n objects"

pg_start
timeout 600 "$CCMETRICS_SUB" --db "$PG_URL" --nats "$(nats_url js)" \
    --stream CCM --durable sizing >/dev/null 2>"$TMP/rec.err" &
rec=$!
rows=$(grep -c '"type":"\(interval\.queue\|interval\.agent\|call\.end\)"' \
    "$TMP/out.jsonl")
i=0
while :; do
	got=$(pg_query "SELECT (SELECT count(*) FROM ccmetrics.interval_queue) +
	     (SELECT count(*) FROM ccmetrics.interval_agent) +
	     (SELECT count(*) FROM ccmetrics.call_end)")
	[ "$got" -ge "$rows" ] && break
	i=$((i + 1))
	[ $i -lt 600 ] || fail "recorded $got of $rows rows"
	sleep 1
done
kill "$rec" 2>/dev/null || true
wait "$rec" 2>/dev/null || true

calls=$(grep -c '"type":"call\.end"' "$TMP/out.jsonl")
echo "day: $dur s, seed $seed, $agents agents, $calls calls," \
    "metrics.realtime_s 5"
$PYTHON3 - "$TMP/out.jsonl" "$calls" <<'EOT'
import collections, json, sys
count, size = collections.Counter(), collections.Counter()
for line in open(sys.argv[1], "rb"):
    t = json.loads(line)["type"]
    count[t] += 1
    size[t] += len(line)
calls = int(sys.argv[2])
print("%-16s %9s %12s %14s" % ("topic", "messages", "bytes", "per 1000 calls"))
for t, n in count.most_common():
    print("%-16s %9d %12d %14.0f" % (t, n, size[t], n * 1000.0 / calls))
print("%-16s %9d %12d %14.0f" % ("all", sum(count.values()),
      sum(size.values()), sum(count.values()) * 1000.0 / calls))
EOT
echo "JetStream store (du -sb): $(du -sb "$(nats_dir js)/js" | cut -f1) bytes"
echo "recorded rows: $rows"
pg_query "SELECT c.relname || ': ' || pg_total_relation_size(c.oid) || ' bytes'
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'ccmetrics' AND c.relkind = 'r' ORDER BY 1"
