#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# web-scrape.sh: the time of one /metrics scrape of ccmetrics-web holding many queues and agents.
#
# Starts ccmetrics-web (metrics.per_agent on: the worst case), feeds it a
# synthetic daemon (bench/web-feed: QUEUES queues with counters, histograms
# and rt.queue agent gauges, AGENTS agents in agent.state and rt.agents),
# then times RUNS scrapes with curl and prints the medians to the first byte
# (ccmetrics-web builds the whole exposition before it sends any) and to
# the last, the largest, and the size of the exposition and its series. DESIGN.md 8's bound: under
# 50 ms with 100 queues and 2,000 agents. Timings are results, not
# pass/fail.
#
# usage: bench/web-scrape.sh [-q QUEUES] [-a AGENTS] [-n RUNS]
set -eu

top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
: "${PYTHON3:=python3}"
queues=100 agents=2000 runs=30
while getopts q:a:n: o; do
	case $o in
	q) queues=$OPTARG ;;
	a) agents=$OPTARG ;;
	n) runs=$OPTARG ;;
	*) echo "usage: $0 [-q QUEUES] [-a AGENTS] [-n RUNS]" >&2; exit 2 ;;
	esac
done
${MAKE:-make} -s -C "$top_builddir" ccmetrics-web bench/web-feed >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/web-scrape.XXXXXX")
web=
trap '[ -n "$web" ] && kill $web 2>/dev/null; rm -rf "$tmp"' EXIT
port() {
	$PYTHON3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
zport=$(port)
wport=$(port)
cat >"$tmp/web.yaml" <<EOT
listen: 127.0.0.1:$wport
feeds: [ { endpoint: "tcp://127.0.0.1:$zport" } ]
limits: { max_message_bytes: 16777216, memory_bytes: 1073741824 }
metrics: { per_agent: true }
EOT
"$top_builddir/ccmetrics-web" -f -c "$tmp/web.yaml" 2>"$tmp/web.err" &
web=$!
sent=$("$top_builddir/bench/web-feed" "tcp://127.0.0.1:$zport" "$queues" \
    "$agents")
i=0
until curl -sf "http://127.0.0.1:$wport/metrics" |
    grep -qx "ccmetrics_web_messages_total $sent"; do
	i=$((i + 1))
	[ $i -lt 300 ] || { echo "ccmetrics-web did not get $sent objects" >&2; exit 1; }
	sleep 0.1
done
curl -sf -o "$tmp/metrics.txt" "http://127.0.0.1:$wport/metrics"
bytes=$(wc -c <"$tmp/metrics.txt")
series=$(grep -vc '^#' "$tmp/metrics.txt")
n=0
while [ $n -lt "$runs" ]; do
	curl -sf -o /dev/null -w '%{time_starttransfer} %{time_total}\n' \
	    "http://127.0.0.1:$wport/metrics" >>"$tmp/times"
	n=$((n + 1))
done
awk -v q="$queues" -v a="$agents" -v b="$bytes" -v s="$series" '
	{ f[NR] = $1 * 1000; t[NR] = $2 * 1000 }
	function median(x, n,   i, j, v) {
		for (i = 2; i <= n; i++) {
			v = x[i]
			for (j = i - 1; j >= 1 && x[j] > v; j--)
				x[j + 1] = x[j]
			x[j + 1] = v
		}
		return x[int((n + 1) / 2)]
	}
	END {
		printf "ccmetrics-web /metrics, %d queues, %d agents (per_agent): " \
		    "%d series, %d bytes\n", q, a, s, b
		printf "over %d scrapes: median %.2f ms to the first byte " \
		    "(the exposition built), %.2f ms to the last; max %.2f ms\n",
		    NR, median(f, NR), median(t, NR), t[NR]
	}' "$tmp/times"
