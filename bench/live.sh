#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# live.sh: ccmetricsd capturing on lo while udp-blast sends SIP at rising rates.
#
# For each rate (messages/s): start `ccmetricsd -i lo` on a configuration
# whose addresses are the generated day's moved into 127.0.0.0/8 and whose
# SIP port is 15060 (so no other SIP on lo is disturbed or counted), send
# RATE x SECONDS payloads of the capture with bench/udp-blast, stop the
# daemon with SIGTERM and read its last stats object: packets captured and
# pcap_drops (the kernel's), and the daemon's CPU time. Loopback only,
# bounded in count (-n caps each step) and time.
#
# usage: bench/live.sh [-s SECONDS] [-n MAX_PER_STEP] [PCAP] [RATE...]
#   default: the clean day of bench/run.sh, rates 25000 50000 75000 100000
#   150000 200000, 10 s a step, at most 1500000 messages a step.
set -eu

top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
: "${BENCH_DIR:=/tmp/ccmetrics-bench}"
: "${PYTHON3:=python3}"
secs=10 max=1500000 port=15060

while [ $# -gt 0 ]; do
	case "$1" in
	-s) secs=$2; shift 2 ;;
	-n) max=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
		exit 0 ;;
	*) break ;;
	esac
done
pcap=${1:-$BENCH_DIR/day-s5-d86400-c3000-a120.pcap}
[ $# -gt 0 ] && shift
rates=${*:-25000 50000 75000 100000 150000 200000}

[ "$(id -u)" -eq 0 ] || { echo "live.sh: needs root (CAP_NET_RAW)" >&2; exit 1; }
[ -s "$pcap" ] || { echo "live.sh: no $pcap: run bench/run.sh first" >&2; exit 1; }
ccmetricsd=${CCMETRICSD:-$top_builddir/ccmetricsd}
make -s -C "$top_builddir" bench/udp-blast
conf=$BENCH_DIR/live.yaml
out=$BENCH_DIR/live.jsonl

# The generator's topology in 127/8 (as tests/live-lo.sh), on port 15060.
cat >"$conf" <<EOT
capture:
  sip_ports: [$port]
  filter: "udp port $port"
pbx:
  addresses: [127.0.0.10]
trunks:
  addresses: [127.0.2.0/24]
agents:
  addresses: [127.1.0.0/16]
  user_pattern: "^[0-9]{4}\$"
queues:
  - name: sales
    dnis: ["+18005550100", "5100"]
  - name: support
    dnis: ["+18005550200"]
correlation:
  headers: [X-CC-Inbound]
metrics:
  interval_s: 900
  realtime_s: 60
publish:
  zmq: ~
  jsonl: { path: "$out" }
EOT

# cpu_ticks PID: user + system clock ticks the process has used.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# field PATH JSON: a number of a JSON object by its dotted path.
field() {
	echo "$2" | $PYTHON3 -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[k]
print(v)' "$1"
}

echo "machine: $(nproc) CPU, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%10s %10s %10s %10s %8s %8s %10s\n' target sent/s captured \
    pcap_drops drop_% cpu_% sip_msgs
for rate in $rates; do
	n=$((rate * secs))
	[ "$n" -le "$max" ] || n=$max
	rm -f "$out"
	"$ccmetricsd" -f -c "$conf" -i lo 2>"$BENCH_DIR/live.err" &
	daemon=$!
	sleep 1
	kill -0 "$daemon" 2>/dev/null ||
		{ cat "$BENCH_DIR/live.err" >&2; exit 1; }
	ticks0=$(cpu_ticks "$daemon")
	t0=$(date +%s.%N)
	blast=$(timeout $((secs * 4 + 30)) "$top_builddir/bench/udp-blast" \
	    -r "$rate" -n "$n" -p "$port" "$pcap")
	sleep 2
	ticks1=$(cpu_ticks "$daemon")
	t1=$(date +%s.%N)
	kill -TERM "$daemon"
	wait "$daemon" || true
	stats=$(grep '"topic":"stats"' "$out" | tail -n 1)
	packets=$(field packets "$stats")
	drops=$(field pcap_drops "$stats")
	msgs=$(field sip.messages "$stats")
	sent_rate=$(echo "$blast" | sed -n 's/.*rate=\([0-9]*\).*/\1/p')
	cpu=$(echo "$ticks0 $ticks1 $t0 $t1 $(getconf CLK_TCK)" |
	    awk '{ printf "%.0f", ($2 - $1) / $5 / ($4 - $3) * 100 }')
	printf '%10s %10s %10s %10s %8s %8s %10s\n' "$rate" "$sent_rate" \
	    "$packets" "$drops" "$(echo "$drops $packets" |
	    awk '{ printf "%.2f", ($1 + $2 > 0) ? 100 * $1 / ($1 + $2) : 0 }')" \
	    "$cpu" "$msgs"
done
