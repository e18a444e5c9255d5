#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# malformed.sh: a corpus of malformed SIP (truncated, wrong Content-Length,
# junk, a 64 KB header, missing Call-ID/CSeq/From/To, bad start lines and
# status codes, NUL bytes), each case counted in its own stats counter when
# replayed alone, and all of them mixed into a generated capture: exit 0,
# the counters are the clean capture's plus the cases', and every real call
# is still reported as the generator's truth says.
. "$(dirname "$0")/lib.sh"

MALFORMED="$PYTHON3 $top_srcdir/tests/malformed.py"

$GEN --seed 41 --duration-s 900 --calls-per-hour 120 --out "$TMP/clean.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/cfg.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
$MALFORMED write "$TMP/clean.pcap" "$TMP" || fail "malformed.py write"

# Each case alone: exit 0, one counter raised, no other drop counted.
n=0
for pcap in "$TMP"/case/*.pcap; do
	name=$(basename "$pcap" .pcap)
	counter=$(cat "$TMP/case/$name.counter")
	"$CCMETRICSD" -c "$TMP/cfg.yaml" -r "$pcap" >"$TMP/case.out" \
	    2>"$TMP/err.log" || fail "$name: exit $?: $(cat "$TMP/err.log")"
	why=$($MALFORMED check-case "$counter" "$TMP/case.out") ||
	    fail "$name: $why"
	echo "ok: $name: $counter"
	n=$((n + 1))
done
[ "$n" -ge 25 ] || fail "only $n cases"

# All of them among real calls.
"$CCMETRICSD" -c "$TMP/cfg.yaml" -r "$TMP/clean.pcap" >"$TMP/clean.out" \
    2>"$TMP/err.log" || fail "clean capture: $(cat "$TMP/err.log")"
"$CCMETRICSD" -c "$TMP/cfg.yaml" -r "$TMP/mixed.pcap" >"$TMP/mixed.out" \
    2>"$TMP/err.log" || fail "mixed capture: exit $?: $(cat "$TMP/err.log")"
$MALFORMED check "$TMP/expected.json" "$TMP/clean.out" "$TMP/mixed.out" ||
    fail "counters of the mixed capture"
$COMPARE "$TMP/truth.jsonl" "$TMP/mixed.out" ||
    fail "real calls among malformed messages differ from the truth"
# The clean capture is clean: every generated message parsed.
PYTHONPATH="$top_srcdir/tests" $PYTHON3 - "$TMP/clean.out" <<'PY' ||
import sys
from malformed import flat, last_stats
s = last_stats(sys.argv[1])
drops = {k: v for k, v in flat(s, "sip").items() if k != "messages" and v}
drops.update({k: v for k, v in flat(s, "decode").items() if k != "payloads" and v})
print("drops:", drops, "messages:", s["sip"]["messages"], "packets:", s["packets"])
sys.exit(1 if drops or s["sip"]["messages"] != s["packets"] else 0)
PY
    fail "the clean capture has drops"
echo "ok: clean capture without drops, mixed capture as computed"
