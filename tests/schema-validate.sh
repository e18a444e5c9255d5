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

# Agent shifts, REGISTERs, feature codes, wrap-up and the agents' own
# calls (DESIGN.md section 7), in both presence modes, when the generator
# models them (ccmetrics-gen --presence).
if $GEN --help 2>/dev/null | grep -q -- --presence; then
	for presence in register static; do
		$GEN --seed 11 --duration-s 3600 --presence $presence \
		    --out "$TMP/$presence.pcap" --truth "$TMP/$presence.truth" \
		    --config "$TMP/$presence.yaml" 2>"$TMP/gen.log" ||
		    fail "generator: $(cat "$TMP/gen.log")"
		timeout 60 "$CCMETRICSD" -c "$TMP/$presence.yaml" \
		    -r "$TMP/$presence.pcap" >"$TMP/$presence.jsonl" \
		    2>"$TMP/err.log" || fail "ccmetricsd: $(cat "$TMP/err.log")"
		$VALIDATE "$TMP/$presence.jsonl" --no-coverage \
		    >"$TMP/$presence.valid" ||
		    fail "published objects (presence $presence) do not match their schema"
		for kind in agent.state rt.agents; do
			grep -q "^ok: [0-9]* $kind objects" "$TMP/$presence.valid" ||
			    fail "presence $presence: no $kind object"
		done
		echo "ok: presence $presence: every object valid"
	done
fi

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

# The agent topics (DESIGN.md section 7), written by hand: valid as they
# stand, and each broken copy below must be refused.
B='"v":1,"boot":"0123456789abcdef"'
cat >"$TMP/agents.jsonl" <<EOT
{"topic":"agent.state.2001","type":"agent.state",$B,"seq":1,"ts":"2026-01-05T10:00:00.000Z","agent":"2001","state":"unknown","prev":null,"prev_s":null,"reason":"seen","queue":null,"contact_id":null}
{"topic":"agent.state.2001","type":"agent.state",$B,"seq":2,"ts":"2026-01-05T10:00:00.200Z","agent":"2001","state":"available","prev":"unknown","prev_s":0.2,"reason":"register","queue":null,"contact_id":null}
{"topic":"agent.state.2001","type":"agent.state",$B,"seq":3,"ts":"2026-01-05T10:00:01.000Z","agent":"2001","state":"ringing","prev":"available","prev_s":0.8,"reason":"ring","queue":"sales","contact_id":"abc@10.0.0.1"}
{"topic":"rt.agents","type":"rt.agents",$B,"seq":4,"ts":"2026-01-05T10:00:02.000Z","agents":[{"agent":"2001","state":"ringing","since":"2026-01-05T10:00:01.000Z","queues":["sales"]}],"counts":{"on_call":0,"busy_other":0,"ringing":1,"wrapup":0,"logged_out":0,"paused":0,"available":0,"unknown":0}}
{"topic":"rt.queue.sales","type":"rt.queue",$B,"seq":5,"ts":"2026-01-05T10:00:02.000Z","queue":"sales","waiting":1,"longest_wait_s":1.5,"talking":0,"on_hold":0,"agents_staffed":1,"agents_available":0,"agents_ringing":1,"agents_on_call":0,"agents_busy_other":0,"agents_wrapup":0,"agents_paused":0}
{"topic":"interval.agent.2001","type":"interval.agent",$B,"seq":6,"ts":"2026-01-05T10:05:00.000Z","agent":"2001","start":"2026-01-05T10:00:00.000Z","end":"2026-01-05T10:05:00.000Z","interval_s":300,"attempts":1,"answered":1,"rona":0,"handled":1,"talk_s":60.0,"hold_s":0.0,"handle_s":60.0,"holds":0,"transfers":0,"busy_s":60.0,"staffed_s":299.8,"available_s":200.0,"ringing_s":4.0,"on_call_s":60.0,"busy_other_s":10.0,"wrapup_s":5.8,"paused_s":20.0,"unknown_s":0.2,"occupancy":0.285}
EOT
$VALIDATE "$TMP/agents.jsonl" --no-coverage >/dev/null ||
    fail "hand-written agent objects refused"
n=0
while IFS='|' read -r line from to; do
	n=$((n + 1))
	sed "${line}s/$from/$to/" "$TMP/agents.jsonl" >"$TMP/broken.jsonl"
	! cmp -s "$TMP/agents.jsonl" "$TMP/broken.jsonl" ||
	    fail "broken copy $n: the sed changed nothing"
	if $VALIDATE "$TMP/broken.jsonl" --no-coverage >/dev/null 2>&1; then
		fail "broken copy $n (line $line: $from -> $to) was accepted"
	fi
done <<'EOT'
1|"unknown"|"idle"
1|"seen"|"boot"
2|"prev":"unknown"|"prev":"available"
3|"topic":"agent.state.2001"|"topic":"agent.state.2002"
3|"queue":"sales"|"queue":7
2|,"contact_id":null||
4|"ringing":1|"ringing":2
4|"queues":\["sales"\]|"queues":"sales"
5|"agents_staffed":1|"agents_staffed":2
6|"occupancy":0.285|"occupancy":0.5
6|"staffed_s":299.8|"staffed_s":290.8
6|"on_call_s":60.0|"on_call_s":50.0
6|"wrapup_s":5.8|"wrapup_s":15.8
EOT
echo "ok: the agent topics' hand-written objects pass, $n broken copies fail"
