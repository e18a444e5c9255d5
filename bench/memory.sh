#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# memory.sh: bytes per open leg and per open contact, and RSS over a generated day.
#
# (1) Peak RSS of ccmetricsd -r over captures of N initial INVITEs never
#     answered (bench/open-legs.py), N = 0, 100000, 200000: the slope is the
#     memory of one open leg (unmapped DNIS: a leg alone), of one open inbound
#     call (mapped DNIS: leg + contact + real-time waiter), with one caller
#     number for all or a distinct one each (the repeat-caller history).
# (2) RSS sampled every 0.25 s while the day of bench/run.sh is replayed,
#     with the repeat-caller history (repeat_window_s 86400) and without.
#
# usage: bench/memory.sh   (after bench/run.sh, which caches the day)
set -eu

top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
: "${BENCH_DIR:=/tmp/ccmetrics-bench}"
: "${PYTHON3:=python3}"
ccmetricsd=${CCMETRICSD:-$top_builddir/ccmetricsd}
day=$BENCH_DIR/day-s5-d86400-c3000-a120
[ -s "$day.yaml" ] || { echo "memory.sh: run bench/run.sh first" >&2; exit 1; }

peak_kb() {	# peak_kb CONF PCAP
	/usr/bin/time -f "%M" -o "$BENCH_DIR/mem.time" "$ccmetricsd" -c "$1" \
	    -r "$2" >/dev/null
	cat "$BENCH_DIR/mem.time"
}

echo "(1) peak RSS with N open legs (KB), and bytes per open leg or call"
printf '  %-36s %10s %10s %10s %12s\n' "" "N=0" "N=100000" "N=200000" \
    "bytes each"
for kind in "leg only (unmapped DNIS)" "inbound call, one caller" \
    "inbound call, distinct callers"; do
	case "$kind" in
	leg*) args="--dnis +18005559999" ;;
	*one*) args="--callers one" ;;
	*) args="" ;;
	esac
	line=""
	for n in 0 100000 200000; do
		pcap=$BENCH_DIR/open-$n.pcap
		$PYTHON3 "$top_srcdir/bench/open-legs.py" -n "$n" $args "$pcap"
		kb=$(peak_kb "$day.yaml" "$pcap")
		line="$line $kb"
		rm -f "$pcap"
	done
	echo "$line" | awk -v k="$kind" '{ printf "  %-36s %10d %10d %10d %12.0f\n",
	    k, $1, $2, $3, ($3 - $2) * 1024 / 100000 }'
done

echo "(2) RSS (KB) every 0.25 s over the noisy day"
sed 's/repeat_window_s: .*/repeat_window_s: 0/' "$day.yaml" \
    >"$BENCH_DIR/norepeat.yaml"
for conf in "$day.yaml" "$BENCH_DIR/norepeat.yaml"; do
	"$ccmetricsd" -c "$conf" -r "$day-noisy.pcap" >/dev/null &
	pid=$!
	: >"$BENCH_DIR/rss.txt"
	while kill -0 "$pid" 2>/dev/null; do
		sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status" \
		    2>/dev/null >>"$BENCH_DIR/rss.txt" || true
		sleep 0.25
	done
	wait "$pid" || true
	printf '  %s: %s\n' "$(grep repeat_window_s "$conf" | tr -d ' ')" \
	    "$(awk 'NR % 4 == 1' "$BENCH_DIR/rss.txt" | tr '\n' ' ')"
done
