#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# soak.sh: (a) 200 000 INVITEs that never complete, from as many numbers,
# with limits.max_legs 10000: peak RSS bounded, legs.evicted and the
# callers forgotten exactly as computed, open legs never above max_legs;
# (b) 200 000 garbage payloads on port 5060: exit 0, every one a parse
# error. Three real calls at the end of (a) and amid (b) are reported as
# their hand-written truth says. SOAK_N changes the 200 000.
. "$(dirname "$0")/lib.sh"

SOAK="$PYTHON3 $top_srcdir/tests/soak.py"
TIME=/usr/bin/time
MAX_LEGS=10000
MAX_CALLERS=10000
n=${SOAK_N:-200000}
[ -x "$TIME" ] || skip "no $TIME (Debian package time)"

# Under a sanitizer, memory is the sanitizer's and time 3-10x: a smaller
# flood, and no RSS bound (the counters are still exact).
sanitized=0
if grep -q "AddressSanitizer\|UndefinedBehaviorSanitizer" "$CCMETRICSD"; then
	sanitized=1
	n=${SOAK_N:-30000}
	echo "sanitizer build: $n packets per run, RSS not bounded"
fi

cat >"$TMP/soak.yaml" <<EOT
capture: { sip_ports: [5060] }
pbx: { addresses: [10.0.0.10] }
trunks: { addresses: [192.0.2.0/24] }
agents: { addresses: [10.1.0.0/16], user_pattern: "^[0-9]{4}\$" }
queues:
  - { name: sales, dnis: ["+18005550100", "5100"] }
  - { name: support, dnis: ["+18005550200"] }
correlation: { headers: [X-CC-Inbound] }
limits: { max_legs: $MAX_LEGS, max_callers: $MAX_CALLERS,
  unanswered_leg_timeout_s: 3600 }
publish: { zmq: ~, jsonl: { path: "-" } }
EOT

# rss_kb LOG: "Maximum resident set size" of /usr/bin/time -v.
rss_kb() {
	sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"
}

# run NAME PCAP: replay under /usr/bin/time -v; the flood's own records
# (contact ids flood-*) are dropped from the output as it streams.
run() {
	start=$(date +%s)
	$TIME -v -o "$TMP/$1.time" "$CCMETRICSD" -c "$TMP/soak.yaml" -r "$2" \
	    2>"$TMP/$1.err" | grep -v '"contact_id":"flood-' >"$TMP/$1.out"
	rc=$(sed -n 's/.*Exit status: //p' "$TMP/$1.time")
	[ "$rc" = 0 ] || fail "$1: exit ${rc:-?}: $(tail -n 5 "$TMP/$1.err")"
	echo "ok: $1: exit 0 in $(( $(date +%s) - start )) s," \
	    "peak RSS $(rss_kb "$TMP/$1.time") kB"
}

# The real calls alone: their truth, and the daemon's RSS at rest.
$SOAK real "$TMP/real.pcap" "$TMP/real.truth" || fail "soak.py real"
run real "$TMP/real.pcap"
$COMPARE "$TMP/real.truth" "$TMP/real.out" || fail "real calls alone"
base_kb=$(rss_kb "$TMP/real.time")

# (a) The INVITE flood.
$SOAK flood "$n" "$TMP/flood.pcap" "$TMP/flood.truth" "$TMP/flood.expected" \
    "$MAX_LEGS" "$MAX_CALLERS" || fail "soak.py flood"
run flood "$TMP/flood.pcap"
$SOAK check "$TMP/flood.expected" "$TMP/flood.out" ||
    fail "flood: counters differ from the computation"
$COMPARE "$TMP/flood.truth" "$TMP/flood.out" ||
    fail "flood: real calls after the flood differ from the truth"
# The bound: the daemon at rest, plus 2 kB per leg (the leg, its strings,
# its contact and map entries: about 1 kB measured) and 0.5 kB per caller
# remembered (about 0.2 kB measured), and never past 64 MB.
if [ "$sanitized" -eq 0 ]; then
	limit_kb=$((base_kb + MAX_LEGS * 2 + MAX_CALLERS / 2))
	[ "$limit_kb" -le 65536 ] || limit_kb=65536
	peak_kb=$(rss_kb "$TMP/flood.time")
	[ "$peak_kb" -lt "$limit_kb" ] ||
	    fail "flood: peak RSS $peak_kb kB, bound $limit_kb kB"
	echo "ok: flood: peak RSS $peak_kb kB < $limit_kb kB" \
	    "($base_kb kB at rest)"
fi

# (b) Endless garbage.
$SOAK garbage "$n" "$TMP/garbage.pcap" "$TMP/garbage.truth" \
    "$TMP/garbage.expected" || fail "soak.py garbage"
run garbage "$TMP/garbage.pcap"
$SOAK check "$TMP/garbage.expected" "$TMP/garbage.out" ||
    fail "garbage: counters differ from the computation"
$COMPARE "$TMP/garbage.truth" "$TMP/garbage.out" ||
    fail "garbage: real calls amid the garbage differ from the truth"
if [ "$sanitized" -eq 0 ]; then
	peak_kb=$(rss_kb "$TMP/garbage.time")
	[ "$peak_kb" -lt $((base_kb + 8192)) ] ||
	    fail "garbage: peak RSS $peak_kb kB, $base_kb kB at rest"
fi
