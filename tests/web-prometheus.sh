#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# web-prometheus.sh: a real Prometheus scrapes ccmetrics-web every second
# while ccmetricsd replays a generated day into its ZeroMQ feed; PromQL
# over what Prometheus stored (offered per queue, service level over the
# day, every counter per queue, the wait histogram) equals the generator's
# own truth; promtool
# accepts the exposition and contrib/prometheus/ccmetrics-rules.yml.
. "$(dirname "$0")/lib.sh"

command -v prometheus >/dev/null 2>&1 || skip "prometheus not installed"
command -v promtool >/dev/null 2>&1 || skip "promtool not installed"
command -v curl >/dev/null 2>&1 || skip "curl not installed"
WEB="$top_builddir/ccmetrics-web"

stop_pids_at_exit

promtool check rules "$top_srcdir/contrib/prometheus/ccmetrics-rules.yml" \
    >"$TMP/rules.out" 2>&1 || fail "promtool check rules: $(cat "$TMP/rules.out")"
echo "ok: promtool check rules"

$GEN --seed 41 --duration-s 14400 --mode full --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" \
    --intervals "$TMP/iq.jsonl" 2>"$TMP/gen.err" ||
    fail "generator: $(cat "$TMP/gen.err")"

zport=$(free_port)
wport=$(free_port)
pport=$(free_port)
{
	sed '/^publish:/,$d' "$TMP/gen.yaml"
	printf 'publish:\n  zmq: { endpoint: "tcp://127.0.0.1:%s",\n' "$zport"
	printf '         await_subscribers: 1, await_ms: 30000 }\n'
	printf '  jsonl: { path: "%s" }\n' "$TMP/out.jsonl"
} >"$TMP/d.yaml"
cat >"$TMP/web.yaml" <<EOF
listen: 127.0.0.1:$wport
feeds:
  - endpoint: tcp://127.0.0.1:$zport
EOF
"$WEB" -f -c "$TMP/web.yaml" 2>"$TMP/web.err" &
PIDS="$PIDS $!"

wait_for "ccmetrics-web" curl -sf "http://127.0.0.1:$wport/metrics"

cat >"$TMP/prom.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["$top_srcdir/contrib/prometheus/ccmetrics-rules.yml"]
scrape_configs:
  - job_name: ccmetrics-web
    static_configs:
      - targets: ["127.0.0.1:$wport"]
EOF
prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/tsdb" \
    --web.listen-address="127.0.0.1:$pport" >"$TMP/prom.log" 2>&1 &
PROM=$!
PIDS="$PIDS $PROM"
wait_for "prometheus" curl -sf "http://127.0.0.1:$pport/-/ready"

# promql EXPR: the value of an instant query with one result.
promql() {
	curl -sf --get "http://127.0.0.1:$pport/api/v1/query" \
	    --data-urlencode "query=$1" >"$TMP/q.json" || return 1
	$PYTHON3 - "$TMP/q.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
res = r["data"]["result"]
if r["status"] != "success" or len(res) != 1:
    sys.exit(1)
print(res[0]["value"][1])
PYEOF
}

# The replay takes about 12 s (1200 times capture speed): many scrapes.
"$CCMETRICSD" -c "$TMP/d.yaml" -r "$TMP/day.pcap" --replay-speed 1200 \
    2>"$TMP/d.err" || fail "ccmetricsd: $(cat "$TMP/d.err")"
nobj=$(wc -l <"$TMP/out.jsonl")
# Every object reached ccmetrics-web, then Prometheus scraped that.
web_has_all() {
	curl -sf "http://127.0.0.1:$wport/metrics" |
	    grep -qx "ccmetrics_web_messages_total $nobj"
}
wait_for "all $nobj objects at ccmetrics-web" web_has_all
prom_has_all() {
	[ "$(promql 'ccmetrics_web_messages_total')" = "$nobj" ]
}
wait_for "Prometheus to scrape the last of them" prom_has_all
samples=$(promql 'count_over_time(ccmetrics_web_messages_total[10m])')
[ "$samples" -ge 5 ] || fail "only $samples scrapes during the replay"
echo "ok: $samples scrapes of $nobj objects"

curl -sf "http://127.0.0.1:$wport/metrics" >"$TMP/metrics.txt"
promtool check metrics <"$TMP/metrics.txt" >"$TMP/check.out" 2>&1 ||
    fail "promtool check metrics: $(cat "$TMP/check.out")"
echo "ok: promtool check metrics"

# The generator's truth: its interval.queue records, summed over the day.
truth() {
	$PYTHON3 - "$TMP/iq.jsonl" "$@" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
what = sys.argv[2]
def tot(k, q=None):
    return sum(r[k] for r in rows if q is None or r["queue"] == q)
if what == "queues":
    print(" ".join(sorted({r["queue"] for r in rows})))
elif what == "offered":
    print(tot("offered", sys.argv[3]))
elif what == "sl":
    print(repr(tot("answered_within_sl") /
               (tot("answered") + tot("abandoned"))))
elif what == "sl_queue":
    q = sys.argv[3]
    print(repr(tot("answered_within_sl", q) /
               (tot("answered", q) + tot("abandoned", q))))
elif what == "field":
    print(repr(tot(sys.argv[3], sys.argv[4])))
elif what == "hist20":
    print(sum(sum(r["wait_hist_answered"][:4]) for r in rows))
elif what == "abandons":
    print(tot("abandoned") + tot("short_abandoned"))
PYEOF
}
# same_number WHAT EXPECTED GOT: equal as doubles (Prometheus prints
# the shortest form that reads back the same).
same_number() {
	$PYTHON3 -c 'import sys; sys.exit(float(sys.argv[1]) != float(sys.argv[2]))' \
	    "$2" "$3" || fail "$1: expected $2, got $3"
	echo "ok: $1 = $3"
}

queues=$(truth queues)
[ -n "$queues" ] || fail "no queue in the truth"
for q in $queues; do
	want=$(truth offered "$q")
	[ "$want" -gt 0 ] || fail "queue $q: nothing offered"
	got=$(promql "sum by (queue) (ccmetrics_calls_offered_total{queue=\"$q\"})") ||
	    fail "offered $q: no result"
	expect_eq "offered to $q over the day" "$want" "$got"
	got=$(promql "sum(ccmetrics_calls_answered_within_sl_total{queue=\"$q\"}) / (sum(ccmetrics_calls_answered_total{queue=\"$q\"}) + sum(ccmetrics_calls_abandoned_total{queue=\"$q\"}))") ||
	    fail "service level $q: no result"
	same_number "service level of $q over the day" "$(truth sl_queue "$q")" "$got"
done
# Every counter of docs/web.md's table, per queue, equals the day's sum
# of the interval field it mirrors (sums of seconds to a microsecond:
# they are added in another order).
close_number() {
	$PYTHON3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 1e-6 * max(1.0, abs(a)))' \
	    "$2" "$3" || fail "$1: expected $2, got $3"
	echo "ok: $1 = $3"
}
for q in $queues; do
	for pair in answered:calls_answered_total \
	    answered_within_sl:calls_answered_within_sl_total \
	    abandoned:calls_abandoned_total \
	    short_abandoned:calls_short_abandoned_total \
	    blocked:calls_blocked_total timeouts:calls_timeouts_total \
	    repeat_calls:calls_repeat_total rona:rona_total \
	    transfers:transfers_total holds:holds_total handled:handled_total \
	    handle_s:handle_seconds_total talk_s:talk_seconds_total \
	    hold_s:hold_seconds_total; do
		field=${pair%%:*}
		metric=ccmetrics_${pair#*:}
		got=$(promql "sum($metric{queue=\"$q\"})") ||
		    fail "$metric $q: no result"
		close_number "$metric of $q = interval $field" \
		    "$(truth field "$field" "$q")" "$got"
	done
done
got=$(promql 'sum(ccmetrics_calls_answered_within_sl_total) / (sum(ccmetrics_calls_answered_total) + sum(ccmetrics_calls_abandoned_total))') ||
    fail "service level: no result"
same_number "service level over the day, all queues" "$(truth sl)" "$got"
got=$(promql 'sum(ccmetrics_wait_seconds_bucket{outcome="answered",le="20"})')
expect_eq "answered within 20 s (histogram)" "$(truth hist20)" "$got"
got=$(promql 'sum(ccmetrics_wait_seconds_count{outcome=~"abandoned|short_abandoned"})')
expect_eq "abandons (histogram)" "$(truth abandons)" "$got"
# The sum over time of scrapes agrees too: the counter only ever grew.
got=$(promql 'sum(resets(ccmetrics_calls_offered_total[1h]))')
expect_eq "counter resets" 0 "$got"
got=$(promql 'max(ccmetrics_feed_sequence_gaps_total)')
expect_eq "sequence gaps" 0 "$got"

# Every query of the Grafana dashboard runs in this Prometheus.
$PYTHON3 - "$top_srcdir/contrib/grafana/ccmetrics.json" "$pport" <<'PYEOF' ||
import json, sys, urllib.parse, urllib.request
dash = json.load(open(sys.argv[1]))
n = 0
for p in dash["panels"]:
    for t in p.get("targets", []):
        q = (t["expr"].replace("$site", ".*").replace("$queue", ".*")
             .replace("$__range", "1h"))
        url = ("http://127.0.0.1:%s/api/v1/query?" % sys.argv[2] +
               urllib.parse.urlencode({"query": q}))
        try:
            r = json.load(urllib.request.urlopen(url, timeout=30))
        except Exception as e:
            sys.exit("%s: %s: %s" % (p["title"], q, e))
        if r.get("status") != "success":
            sys.exit("%s: %s: %s" % (p["title"], q, r))
        n += 1
if n < 10:
    sys.exit("only %d queries in the dashboard" % n)
print("ok: the %d queries of contrib/grafana/ccmetrics.json run" % n)
PYEOF
    fail "Grafana dashboard query"

kill "$PROM"
wait "$PROM" 2>/dev/null || true
echo "ok: prometheus stopped"
