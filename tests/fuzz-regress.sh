#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# fuzz-regress.sh: inputs that once broke a fuzz target (fuzz/regress/),
# fed to the daemon the way it meets them. Configurations (cut at the first
# NUL, as config-fuzzer reads them) through --check-config, with 512 MB of
# address space and 5 s: exit 0 or 2, no crash, no hang (regcomp() took
# 11 s on one), and never the C library running out of memory. Packets,
# SIP payloads and pipeline message sequences (tests/fuzz-input.py) as a
# capture replayed: exit 0 with a stats object published. In the sanitizer
# build the sanitizers watch every one.
. "$(dirname "$0")/lib.sh"

# A sanitizer's shadow memory needs more address space than the limit.
limit=524288
grep -q "AddressSanitizer" "$CCMETRICSD" && limit=unlimited

n=0
for f in "$top_srcdir"/fuzz/regress/config/*; do
	[ -f "$f" ] || continue
	name=config/$(basename "$f")
	$PYTHON3 -c 'import sys; sys.stdout.buffer.write(
	    open(sys.argv[1], "rb").read().split(b"\0")[0])' "$f" \
	    >"$TMP/in.yaml"
	rc=0
	(ulimit -v "$limit" && exec timeout 5 "$CCMETRICSD" \
	    -c "$TMP/in.yaml" --check-config) >"$TMP/out" 2>&1 || rc=$?
	case $rc in
	0|2) ;;
	*) fail "$name: exit $rc: $(tail -n 5 "$TMP/out")" ;;
	esac
	grep -qi "memory exhausted\|out of memory" "$TMP/out" &&
	    fail "$name: $(cat "$TMP/out")"
	echo "ok: $name: exit $rc"
	n=$((n + 1))
done

# ccmetrics-web's configurations, the same way.
for f in "$top_srcdir"/fuzz/regress/webconf/*; do
	[ -f "$f" ] || continue
	name=webconf/$(basename "$f")
	$PYTHON3 -c 'import sys; sys.stdout.buffer.write(
	    open(sys.argv[1], "rb").read().split(b"\0")[0])' "$f" \
	    >"$TMP/in.yaml"
	rc=0
	(ulimit -v "$limit" && exec timeout 5 "$top_builddir/ccmetrics-web" \
	    -c "$TMP/in.yaml" --check-config) >"$TMP/out" 2>&1 || rc=$?
	case $rc in
	0|2) ;;
	*) fail "$name: exit $rc: $(tail -n 5 "$TMP/out")" ;;
	esac
	echo "ok: $name: exit $rc"
	n=$((n + 1))
done

for target in decode sipmsg pipeline; do
	for f in "$top_srcdir/fuzz/regress/$target"/*; do
		[ -f "$f" ] || continue
		name=$target/$(basename "$f")
		rc=0
		$PYTHON3 "$top_srcdir/tests/fuzz-input.py" "$target" "$f" \
		    "$TMP/in.pcap" "$TMP/in.yaml" || rc=$?
		[ "$rc" -eq 3 ] && { echo "skip: $name: no capture"; continue; }
		[ "$rc" -eq 0 ] || fail "$name: fuzz-input.py: exit $rc"
		rc=0
		timeout 60 "$CCMETRICSD" -c "$TMP/in.yaml" -r "$TMP/in.pcap" \
		    >"$TMP/out" 2>"$TMP/err" || rc=$?
		[ "$rc" -eq 0 ] || fail "$name: exit $rc: $(tail -n 20 "$TMP/err")"
		grep -q '"topic":"stats"' "$TMP/out" ||
		    fail "$name: no stats published"
		echo "ok: $name: replayed"
		n=$((n + 1))
	done
done
[ "$n" -gt 0 ] || skip "no regression inputs"
