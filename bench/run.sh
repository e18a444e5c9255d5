#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run.sh: ccmetricsd against the physical limit on one generated contact-center day.
#
# Generates (once, cached in $BENCH_DIR) a day of calls with tools/ccmetrics-gen,
# merges background SIP into it with bench/add-noise.py (OPTIONS, REGISTER,
# SUBSCRIBE/NOTIFY, CRLF keep-alives, retransmissions), then measures, several
# runs each, on the noisy and on the clean capture:
#   (a) pcap-read:  libpcap reading the file, every cache line touched;
#   (b) osip-parse: osip_message_parse + free of every UDP payload (preloaded);
#   (c) ccmetricsd -r, JSON-lines sink to /dev/null, ZeroMQ off;
# and prints the median rates (messages/s by wall clock and by CPU time: on a
# shared machine the CPU rate is the fair one), the ratios c/a and c/b, and the
# peak RSS of (c). Finally the daemon's call records are checked against the
# generator's truth. Timings are results, never pass/fail.
#
# Environment: BENCH_DIR (cache, default /tmp/ccmetrics-bench), CCMETRICSD
# (the binary measured, default the build tree's), top_builddir, PYTHON3.
#
# usage: bench/run.sh [-n RUNS] [-d SECONDS] [-c CALLS_PER_HOUR] [-a AGENTS]
#                     [-s SEED] [-o DIR] [--noisy-only] [--no-verify]
set -eu

top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
: "${PYTHON3:=python3}"
: "${BENCH_DIR:=/tmp/ccmetrics-bench}"
runs=5 duration=86400 cph=3000 agents=120 seed=5 clean=1 verify=1

while [ $# -gt 0 ]; do
	case "$1" in
	-n) runs=$2; shift ;;
	-d) duration=$2; shift ;;
	-c) cph=$2; shift ;;
	-a) agents=$2; shift ;;
	-s) seed=$2; shift ;;
	-o) BENCH_DIR=$2; shift ;;
	--noisy-only) clean=0 ;;
	--no-verify) verify=0 ;;
	-h|--help) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
		exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

# CCMETRICSD: another binary to measure (say, a copy of an older build).
ccmetricsd=${CCMETRICSD:-$top_builddir/ccmetricsd}
[ -x "$ccmetricsd" ] || { echo "run.sh: build ccmetricsd first" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "run.sh: needs /usr/bin/time (GNU time)" >&2; exit 1; }
mkdir -p "$BENCH_DIR"

# The two bench programs, with configure's flags when the tree is configured.
if [ -f "$top_builddir/Makefile" ]; then
	make -s -C "$top_builddir" bench/pcap-read bench/osip-parse
	bindir=$top_builddir/bench
else
	bindir=$BENCH_DIR
	for p in pcap-read osip-parse; do
		${CC:-cc} -O2 -o "$bindir/$p" "$top_srcdir/bench/$p.c" \
		    $(pkg-config --cflags --libs libpcap libosip2)
	done
fi

name=day-s$seed-d$duration-c$cph-a$agents
clean_pcap=$BENCH_DIR/$name.pcap
noisy_pcap=$BENCH_DIR/$name-noisy.pcap
truth=$BENCH_DIR/$name.truth.jsonl
conf=$BENCH_DIR/$name.yaml
if [ ! -s "$clean_pcap" ] || [ ! -s "$truth" ] || [ ! -s "$conf" ]; then
	echo "generating $clean_pcap ..."
	$PYTHON3 "$top_srcdir/tools/ccmetrics-gen" --seed "$seed" \
	    --duration-s "$duration" --calls-per-hour "$cph" --agents "$agents" \
	    --out "$clean_pcap.tmp" --truth "$truth" --config "$conf"
	mv "$clean_pcap.tmp" "$clean_pcap"
fi
if [ ! -s "$noisy_pcap" ]; then
	echo "adding noise: $noisy_pcap ..."
	$PYTHON3 "$top_srcdir/bench/add-noise.py" --seed "$seed" \
	    --agents "$agents" "$clean_pcap" "$noisy_pcap.tmp"
	mv "$noisy_pcap.tmp" "$noisy_pcap"
fi
# JSON lines on stdout (to /dev/null), no ZeroMQ: what the generator writes.
grep -q 'zmq: ~' "$conf" && grep -q 'path: "-"' "$conf" ||
	{ echo "run.sh: $conf must have zmq: ~ and jsonl path \"-\"" >&2; exit 1; }

median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
	    else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# field NAME LINE: the value of NAME=... in a key=value line.
field() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

bench_one() {	# bench_one LABEL PCAP
	label=$1 pcap=$2
	: >"$BENCH_DIR/a.txt"; : >"$BENCH_DIR/b.txt"; : >"$BENCH_DIR/c.txt"
	"$bindir/pcap-read" "$pcap" >/dev/null	# page cache warm
	i=0
	while [ $i -lt "$runs" ]; do
		"$bindir/pcap-read" "$pcap" >>"$BENCH_DIR/a.txt"
		"$bindir/osip-parse" "$pcap" >>"$BENCH_DIR/b.txt"
		/usr/bin/time -f "ccmetricsd wall_s=%e user_s=%U sys_s=%S rss_kb=%M" \
		    -o "$BENCH_DIR/time.txt" "$ccmetricsd" -c "$conf" -r "$pcap" \
		    >/dev/null
		cat "$BENCH_DIR/time.txt" >>"$BENCH_DIR/c.txt"
		i=$((i + 1))
	done
	packets=$(field packets "$(head -n 1 "$BENCH_DIR/a.txt")")
	a_wall=$(while read -r l; do field wall_rate "$l"; done <"$BENCH_DIR/a.txt" | median)
	a_cpu=$(while read -r l; do field cpu_rate "$l"; done <"$BENCH_DIR/a.txt" | median)
	b_wall=$(while read -r l; do field wall_rate "$l"; done <"$BENCH_DIR/b.txt" | median)
	b_cpu=$(while read -r l; do field cpu_rate "$l"; done <"$BENCH_DIR/b.txt" | median)
	c_wall=$(while read -r l; do echo "$packets $(field wall_s "$l")"; done \
	    <"$BENCH_DIR/c.txt" | awk '{ print $1 / $2 }' | median)
	c_cpu=$(while read -r l; do echo "$packets $(field user_s "$l") $(field sys_s "$l")"
	    done <"$BENCH_DIR/c.txt" | awk '{ print $1 / ($2 + $3) }' | median)
	rss=$(while read -r l; do field rss_kb "$l"; done <"$BENCH_DIR/c.txt" | median)
	printf '\n%s: %s (%s SIP packets), median of %s runs\n' "$label" \
	    "$(basename "$pcap")" "$packets" "$runs"
	printf '  %-34s %14s %14s\n' "" "msg/s (wall)" "msg/s (CPU)"
	printf '  %-34s %14.0f %14.0f\n' "(a) libpcap read" "$a_wall" "$a_cpu"
	printf '  %-34s %14.0f %14.0f\n' "(b) libosip2 parse only" "$b_wall" "$b_cpu"
	printf '  %-34s %14.0f %14.0f\n' "(c) ccmetricsd -r end to end" "$c_wall" "$c_cpu"
	printf '  %-34s %14.3f %14.3f\n' "c/a" \
	    "$(echo "$c_wall $a_wall" | awk '{ print $1 / $2 }')" \
	    "$(echo "$c_cpu $a_cpu" | awk '{ print $1 / $2 }')"
	printf '  %-34s %14.3f %14.3f\n' "c/b" \
	    "$(echo "$c_wall $b_wall" | awk '{ print $1 / $2 }')" \
	    "$(echo "$c_cpu $b_cpu" | awk '{ print $1 / $2 }')"
	printf '  %-34s %11s KB\n' "(c) peak RSS" "$rss"
}

echo "machine: $(nproc) CPU, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo |
    head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ccmetricsd: $("$ccmetricsd" --version), $(pkg-config --modversion libosip2 |
    sed 's/^/libosip2 /')"
bench_one noisy "$noisy_pcap"
[ "$clean" -eq 0 ] || bench_one clean "$clean_pcap"

if [ "$verify" -eq 1 ]; then
	out=$BENCH_DIR/out.jsonl
	echo
	for pcap in "$noisy_pcap" $([ "$clean" -eq 0 ] || echo "$clean_pcap"); do
		"$ccmetricsd" -c "$conf" -r "$pcap" >"$out"
		printf '%s: ' "$(basename "$pcap")"
		$PYTHON3 "$top_srcdir/tests/compare-calls.py" "$truth" "$out" |
		    tail -n 1
		grep '"topic":"stats"' "$out" | tail -n 1 | cut -c1-400
	done
	rm -f "$out"
fi
