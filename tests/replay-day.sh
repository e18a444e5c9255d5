#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# replay-day.sh: a generated 2-hour day replayed offline; every call.end
# must match the generator's truth in every field.
. "$(dirname "$0")/lib.sh"

$GEN --seed 7 --duration-s 7200 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/day.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
"$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" >"$TMP/out.jsonl" \
    2>"$TMP/err.log" || fail "ccmetricsd: $(cat "$TMP/err.log")"
$COMPARE "$TMP/truth.jsonl" "$TMP/out.jsonl" || fail "records differ"

# The generator's model knows how many calls of each outcome it made.
for o in answered abandoned short_abandoned blocked timeout; do
	want=$(grep -c "\"outcome\": *\"$o\"" "$TMP/truth.jsonl" || true)
	got=$(grep '"topic":"call.end\.' "$TMP/out.jsonl" |
	    grep -c "\"outcome\":\"$o\"" || true)
	[ "$want" -gt 0 ] || fail "the generated day has no $o call"
	expect_eq "$o calls" "$want" "$got"
done
# Unmapped DNIS calls form no contact: published as leg.end only.
grep -q '"topic":"leg.end"' "$TMP/out.jsonl" || fail "no leg.end published"
# The last stats object counts no parse error on clean traffic.
stats=$(grep '"topic":"stats"' "$TMP/out.jsonl" | tail -n 1)
case "$stats" in
*'"parse_errors":0'*) echo "ok: no parse errors" ;;
*) fail "stats: $stats" ;;
esac
