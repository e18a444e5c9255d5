#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# schema-validate.sh: every object published for a generated 2-hour day is
# valid against schema/<kind>.schema.json, and every kind is published at
# least once (but those the generator cannot produce yet, listed here).
. "$(dirname "$0")/lib.sh"

$PYTHON3 -c 'import jsonschema' 2>/dev/null ||
    skip "python3-jsonschema is not installed"
VALIDATE="$PYTHON3 $top_srcdir/tests/validate-schema.py $top_srcdir/schema"
# ccmetrics-gen makes no REFER yet: no call.transfer.
NOT_GENERATED=call.transfer

$GEN --seed 9 --duration-s 7200 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/day.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
timeout 60 "$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" \
    >"$TMP/out.jsonl" 2>"$TMP/err.log" || fail "ccmetricsd: $(cat "$TMP/err.log")"
$VALIDATE "$TMP/out.jsonl" --not-generated "$NOT_GENERATED" ||
    fail "published objects do not match their schema"

# Caller-number correlation, many ring-no-answers and holds: other
# paths to the same topics.
$GEN --seed 10 --duration-s 3600 --corr caller \
    --rona-prob 0.4 --hold-prob 0.6 --out "$TMP/caller.pcap" \
    --truth "$TMP/caller.truth" --config "$TMP/caller.yaml" \
    2>"$TMP/gen.log" || fail "generator: $(cat "$TMP/gen.log")"
timeout 60 "$CCMETRICSD" -c "$TMP/caller.yaml" -r "$TMP/caller.pcap" \
    >"$TMP/caller.jsonl" 2>"$TMP/err.log" ||
    fail "ccmetricsd: $(cat "$TMP/err.log")"
$VALIDATE "$TMP/caller.jsonl" --no-coverage ||
    fail "published objects (caller correlation) do not match their schema"

# Foreign captures, when present: whatever they publish is valid too.
if [ -d "$SHARED_PCAPS" ]; then
	cat >"$TMP/any.yaml" <<EOT
capture: { sip_ports: [5060] }
pbx: { addresses: [10.0.0.10] }
agents: { addresses: [10.1.0.0/16] }
publish: { zmq: ~, jsonl: { path: "-" } }
EOT
	for pcap in "$SHARED_PCAPS"/*.pcap; do
		[ -f "$pcap" ] || continue
		timeout 60 "$CCMETRICSD" -c "$TMP/any.yaml" -r "$pcap" \
		    >"$TMP/shared.jsonl" 2>/dev/null ||
		    fail "$(basename "$pcap"): ccmetricsd failed"
		$VALIDATE "$TMP/shared.jsonl" --no-coverage >/dev/null ||
		    fail "$(basename "$pcap"): objects do not match their schema"
		echo "ok: $(basename "$pcap") valid"
	done
fi
