#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run.sh: build the libFuzzer targets in a scratch copy of the tree and run each for SECONDS.
#
# Usage: fuzz/run.sh [SECONDS [TARGET...]]   (default 30 s, every fuzz/*-fuzzer.c)
#
# The tree itself keeps its normal build: the targets are built from a copy
# of its files (committed or not, build products left out) configured with
# --enable-fuzzing CC=clang. Each target starts from fuzz/corpus/TARGET/
# (copied: what it learns is thrown away) and fails the run on any crash,
# leak, sanitizer report or timeout; the input that did it is kept under
# $FUZZ_ARTIFACTS (default ./fuzz-artifacts) and printed as hex.
# FUZZ_BUILD_DIR reuses a build directory across runs; FUZZ_JOBS runs that
# many targets at once (default 1).
set -u

secs=${1:-30}
[ $# -gt 0 ] && shift
top=$(cd "$(dirname "$0")/.." && pwd)
artifacts=${FUZZ_ARTIFACTS:-$(pwd)/fuzz-artifacts}
jobs=${FUZZ_JOBS:-1}
case $secs in
''|*[!0-9]*) echo "usage: fuzz/run.sh [SECONDS [TARGET...]]" >&2; exit 2 ;;
esac

if [ -n "${FUZZ_BUILD_DIR:-}" ]; then
	work=$FUZZ_BUILD_DIR
	mkdir -p "$work" || exit 1
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/ccmetrics-fuzz.XXXXXX") || exit 1
	trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$artifacts" || exit 1
src=$work/src

# The files of the tree, as they are now; build products stay behind.
echo "=== copying the tree to $src"
mkdir -p "$src" || exit 1
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$top" ls-files -z --cached --others --exclude-standard |
	    (cd "$top" && tar -cf - --null --no-recursion \
	    --ignore-failed-read -T -) | tar -xf - -C "$src" || exit 1
else
	(cd "$top" && tar -cf - --exclude=./fuzz-artifacts .) |
	    tar -xf - -C "$src" || exit 1
	[ -f "$src/Makefile" ] && (cd "$src" && make distclean >/dev/null 2>&1)
fi

echo "=== building the fuzz targets (clang, ASan + UBSan + libFuzzer)"
(
	cd "$src" &&
	{ [ -x configure ] && [ configure -nt configure.ac ] ||
	    ./bootstrap >/dev/null 2>&1; } &&
	{ [ -f Makefile ] || ./configure --enable-fuzzing --enable-werror \
	    --disable-tests CC=clang CFLAGS="-g -O1" >configure.log 2>&1 ||
	    { cat configure.log; false; }; } &&
	make -j2 >make.log 2>&1 || { tail -n 40 make.log; false; }
) || { echo "fuzz: build failed" >&2; exit 1; }

targets=$*
if [ -z "$targets" ]; then
	for f in "$src"/fuzz/*-fuzzer.c; do
		t=$(basename "$f" .c)
		targets="$targets ${t%-fuzzer}"
	done
fi

# Inputs past these lengths add nothing: a jumbo frame, a large INVITE,
# a few calls' worth of messages, a long configuration.
max_len() {
	case $1 in
	decode) echo 9000 ;;
	sipmsg) echo 16384 ;;
	pipeline) echo 16384 ;;
	config) echo 8192 ;;
	*) echo 65536 ;;
	esac
}

dict() {
	case $1 in
	sipmsg|pipeline|decode) echo "-dict=$src/fuzz/sip.dict" ;;
	esac
}

run_target() {
	t=$1
	bin=$src/fuzz/$t-fuzzer
	corpus=$work/corpus/$t
	log=$work/$t.log
	[ -x "$bin" ] || { echo "FAIL: $t: no $bin" >&2; return 1; }
	rm -rf "$corpus"
	mkdir -p "$corpus"
	[ -d "$src/fuzz/corpus/$t" ] && cp "$src/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null
	# Regression inputs of earlier crashes run first, as seeds.
	[ -d "$src/fuzz/regress/$t" ] && cp "$src/fuzz/regress/$t"/* "$corpus"/ 2>/dev/null
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "$bin" -max_total_time="$secs" -max_len="$(max_len "$t")" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$artifacts/$t-" $(dict "$t") "$corpus" \
	    >"$log" 2>&1
	rc=$?
	stats=$(grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$log" |
	    sed 's/^stat:://' | tr '\n' ' ')
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: $t (exit $rc) $stats"
		grep -E "ERROR|SUMMARY|runtime error|#[0-9]+ 0x" "$log" | head -n 40
		for a in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log"); do
			echo "--- input $a:"
			od -A d -t x1z "$a" | head -n 40
		done
		return 1
	fi
	echo "ok: $t: $stats"
	return 0
}

echo "=== fuzzing$targets for ${secs} s each"
status=0
running=0
pids=
for t in $targets; do
	if [ "$jobs" -le 1 ]; then
		run_target "$t" || status=1
		continue
	fi
	run_target "$t" &
	pids="$pids $!"
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		for p in $pids; do wait "$p" || status=1; done
		pids=
		running=0
	fi
done
for p in $pids; do wait "$p" || status=1; done
[ "$status" -eq 0 ] && echo "fuzz: every target ran ${secs} s without a crash"
exit $status
