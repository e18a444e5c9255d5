#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# recorder-sites.sh: two sites (two daemons, two site names, one JetStream) recorded into PostgreSQL: each site's rows equal its own truth (agent state times and occupancy too: the generator's agent model), and the rollup views (per site by hour and day, across sites by interval, hour and day) equal the sums of the truths with every rate and occupancy recomputed from the sums.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/nats-lib.sh"
. "$top_srcdir/tests/pg-lib.sh"
nats_require

ROWS="$PYTHON3 $top_srcdir/tests/db-rows.py"
CMPI="$PYTHON3 $top_srcdir/tests/compare-intervals.py"
ROLLUP="$PYTHON3 $top_srcdir/tests/rollup-check.py"

pg_start
nats_start local
nats_tool local add-stream CCM 'ccmetrics.>' >/dev/null || fail "add stream"

total=0
for site in east1 west1; do
	# The agent model (DESIGN.md 7) on both, one presence mode each: the
	# state times and occupancy have a truth (--agent-states).
	case $site in
	east1) seed=51 presence=register ;;
	*) seed=52 presence=static ;;
	esac
	$GEN --seed $seed --duration-s 7200 --mode full --cut-s 0 \
	    --presence $presence --out "$TMP/$site.pcap" \
	    --truth "$TMP/$site.truth" --config "$TMP/$site.gen.yaml" \
	    --intervals "$TMP/$site.iq" --agent-intervals "$TMP/$site.ia" \
	    --agent-states "$TMP/$site.st" \
	    2>"$TMP/gen.log" || fail "generator: $(cat "$TMP/gen.log")"
	agent_truth_has_states "$TMP/$site.ia" $presence
	{
		echo "site: $site"
		sed '/^publish:/,$d' "$TMP/$site.gen.yaml"
		cat <<EOT
publish:
  zmq: ~
  jsonl: { path: "$TMP/$site.out" }
  nats: { url: "$(nats_url local)" }
EOT
	} >"$TMP/$site.yaml"
	"$CCMETRICSD" -c "$TMP/$site.yaml" -r "$TMP/$site.pcap" \
	    2>"$TMP/err.log" || fail "ccmetricsd $site: $(cat "$TMP/err.log")"
	total=$((total + $(wc -l <"$TMP/$site.out")))
done
expect_eq "messages of both sites in the stream" "$total" \
    "$(nats_wait_count local CCM "$total" 30)"

timeout 120 "$CCMETRICS_SUB" --db "$PG_URL" --nats "$(nats_url local)" \
    --stream CCM --durable rec -w 2 2>"$TMP/rec.err" ||
    fail "recorder: $(cat "$TMP/rec.err")"
grep -q ', 0 skipped (bad)' "$TMP/rec.err" || fail "recorder: $(cat "$TMP/rec.err")"

# Each site's rows are its own truth.
for site in east1 west1; do
	$ROWS queue --site $site >"$TMP/q.jsonl"
	$ROWS agent --site $site >"$TMP/a.jsonl"
	$ROWS call --site $site >"$TMP/c.jsonl"
	$CMPI "$TMP/$site.iq" "$TMP/q.jsonl" >"$TMP/q.cmp" ||
	    { cat "$TMP/q.cmp"; fail "$site: interval_queue rows differ"; }
	$CMPI --agents "$TMP/$site.ia" "$TMP/a.jsonl" >"$TMP/a.cmp" ||
	    { cat "$TMP/a.cmp"; fail "$site: interval_agent rows differ"; }
	$COMPARE "$TMP/$site.truth" "$TMP/c.jsonl" >"$TMP/c.cmp" ||
	    { cat "$TMP/c.cmp"; fail "$site: call_end rows differ"; }
	echo "ok: $site: $(tail -n 1 "$TMP/q.cmp"); $(tail -n 1 "$TMP/a.cmp"); $(tail -n 1 "$TMP/c.cmp")"
done
expect_eq "sites" "east1 west1" \
    "$(pg_query "SELECT DISTINCT site FROM ccmetrics.call_end ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"

# The rollups across sites: the sum of the two truths, rates from the sums.
for g in interval hour day; do
	$ROLLUP queue $g "$TMP/east1.iq" "$TMP/west1.iq" >"$TMP/r.cmp" ||
	    { cat "$TMP/r.cmp"; fail "queue rollup by $g"; }
	echo "ok: $(tail -n 1 "$TMP/r.cmp")"
	$ROLLUP --states agent $g "$TMP/east1.ia" "$TMP/west1.ia" >"$TMP/r.cmp" ||
	    { cat "$TMP/r.cmp"; fail "agent rollup by $g"; }
	echo "ok: $(tail -n 1 "$TMP/r.cmp")"
done
# Each site's own hour and day views: its truth summed alone.
for site in east1 west1; do
	for g in hour day; do
		$ROLLUP --site $site queue $g "$TMP/$site.iq" >"$TMP/r.cmp" ||
		    { cat "$TMP/r.cmp"; fail "$site: queue rollup by $g"; }
		echo "ok: $(tail -n 1 "$TMP/r.cmp")"
		$ROLLUP --site $site --states agent $g "$TMP/$site.ia" >"$TMP/r.cmp" ||
		    { cat "$TMP/r.cmp"; fail "$site: agent rollup by $g"; }
		echo "ok: $(tail -n 1 "$TMP/r.cmp")"
	done
	agent_rollup_not_averaged $site
done
agent_rollup_not_averaged
[ "$(pg_query "SELECT count(*) FROM ccmetrics.agent_interval_sites
    WHERE sites = 2")" -gt 0 ] || fail "no agent interval of both sites"
# Not vacuous: both sites in one row, and a rate that averaging would miss.
expect_eq "cross-site interval rows with both sites" \
    "$(pg_query "SELECT count(*) FROM ccmetrics.queue_interval_sites")" \
    "$(pg_query "SELECT count(*) FROM ccmetrics.queue_interval_sites WHERE sites = 2")"
pg_query "SELECT count(*) FROM ccmetrics.queue_hour_sites h WHERE
    abs(h.service_level - (SELECT avg(service_level) FROM ccmetrics.queue_hour s
	WHERE s.queue = h.queue AND s.hour = h.hour)) > 1e-6" >"$TMP/avg"
[ "$(cat "$TMP/avg")" -gt 0 ] ||
    fail "no hour where the average of the sites' service levels differs from the recomputed one"
echo "ok: $(cat "$TMP/avg") cross-site hours whose service level is not the sites' average"
# The per-site hour and day views roll up the same way: one site alone.
$PYTHON3 - "$TMP/east1.iq" <<'PYEOF' >"$TMP/east1.day" || fail "east1 day sums"
import json, sys
offered = answered = sl = abandoned = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    offered += r["offered"]; answered += r["answered"]
    sl += r["answered_within_sl"]; abandoned += r["abandoned"]
print("%d|%.12f" % (offered, sl / (answered + abandoned)))
PYEOF
expect_eq "east1 day: offered and service level, all queues" "$(cat "$TMP/east1.day")" \
    "$(pg_query "SELECT sum(offered), to_char(sum(answered_within_sl)::numeric /
	(sum(answered) + sum(abandoned)), 'FM0.000000000000') FROM ccmetrics.queue_day
	WHERE site = 'east1'")"
