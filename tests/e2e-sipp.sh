#!/bin/sh
# e2e-sipp.sh: real SIP stacks on loopback. SIPp callers (trunk side,
# 127.N.2.x) call the ACD emulator (tests/acd-emu.py, the PBX, 127.N.0.10),
# which queues them and rings SIPp agent phones (127.N.1.x); ccmetricsd
# captures it all live on lo (only 127.N/16; N is drawn per run). Its call.end records must match the truth the
# emulator wrote (times within 5 ms), and its interval.queue counts the
# truth's counts. Scenario (13 calls, about 20 s):
#   sales   5100 ringing, agents 1001 (answers) and 1002 (never: RONA);
#           3 callers talk 4 s and hang up.
#   support 5200 answer-first, agents 1003 (holds 2 s, hangs up) and 1004
#           (blind-transfers to 1005 by REFER); 3 callers stay 20 s.
#   billing 5300 ringing, no agent, 480 after 5 s: 2 callers CANCEL after
#           3 s (short abandons), 1 waits for the 480 (timeout).
#   info    5400 answer-first, no agent, BYE after 8 s: 2 callers hang up
#           after 6 s (abandons), 1 stays (timeout by the PBX's BYE).
#   closed  5500 rejected with 503 (blocked); the caller called billing
#           just before (a repeat).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/e2e-lib.sh"

[ "$(id -u)" -eq 0 ] || skip "live capture needs root (CAP_NET_RAW)"
command -v sipp >/dev/null 2>&1 || skip "sipp not installed (Debian sip-tester)"
ip link show lo >/dev/null 2>&1 || skip "no loopback interface"

NET=$(e2e_net 100)
PBX=$NET.0.10
CALLS=13

cat >"$TMP/acd.json" <<EOT
{"listen": "$PBX:5060",
 "agents": {"1001": "$NET.1.1:5060", "1002": "$NET.1.2:5060",
            "1003": "$NET.1.3:5060", "1004": "$NET.1.4:5060",
            "1005": "$NET.1.5:5060"},
 "queues": [
  {"name": "sales", "dnis": ["5100"], "mode": "ring", "members": ["1001", "1002"]},
  {"name": "support", "dnis": ["5200"], "mode": "answer", "members": ["1003", "1004"]},
  {"name": "billing", "dnis": ["5300"], "mode": "ring", "members": [], "timeout_s": 5},
  {"name": "info", "dnis": ["5400"], "mode": "answer", "members": [], "timeout_s": 8},
  {"name": "closed", "dnis": ["5500"], "mode": "reject", "reject": 503}],
 "ring_timeout_s": 3, "rona_pause_s": 4, "wrap_s": 0.5, "short_abandon_s": 5}
EOT
cat >"$TMP/ccmetricsd.yaml" <<EOT
capture:
  filter: "udp and net $NET.0.0/16"
pbx:
  addresses: [$PBX]
trunks:
  addresses: [$NET.2.0/24]
agents:
  addresses: [$NET.1.0/24]
queues:
  - { name: sales, dnis: ["5100"] }
  - { name: support, dnis: ["5200"] }
  - { name: billing, dnis: ["5300"] }
  - { name: info, dnis: ["5400"] }
  - { name: closed, dnis: ["5500"] }
correlation:
  headers: [X-CC-Inbound]
metrics:
  short_abandon_s: 5
publish:
  zmq: ~
  jsonl: { path: "$TMP/out.jsonl" }
EOT

start=$(date +%s)
start_daemon "$TMP/ccmetricsd.yaml"
$PYTHON3 "$top_srcdir/tests/acd-emu.py" --config "$TMP/acd.json" \
    --truth "$TMP/truth.jsonl" --log "$TMP/acd.log" --calls $CALLS \
    --max-time-s 70 --ready "$TMP/acd.ready" 2>"$TMP/acd.err" &
emu=$!
started $emu
n=0
until [ -f "$TMP/acd.ready" ]; do
	n=$((n + 1))
	[ $n -le 50 ] || fail "acd-emu did not start: $(cat "$TMP/acd.err")"
	sleep 0.1
done

# The agent phones: at most 20 calls each, gone after 70 s anyway.
A="-m 20 -timeout 70s"
sipp_bg agent1001 agent-answer.xml $NET.1.1 -s 1001 $A
sipp_bg agent1002 agent-rona.xml $NET.1.2 -s 1002 $A
sipp_bg agent1003 agent-hold.xml $NET.1.3 -s 1003 $A
sipp_bg agent1004 agent-refer.xml $NET.1.4 -s 1004 -key target 1005 $A
sipp_bg agent1005 agent-answer.xml $NET.1.5 -s 1005 $A
sleep 0.5

# The callers: each SIPp places its calls and exits (-m), within 60 s.
C="-timeout 60s -timeout_error -r 1 -rp 2000 -l 10"
callers=""
sipp_bg sales caller-talk.xml $NET.2.1 -s 5100 -key caller +1555100 -m 3 $C "$PBX:5060"
callers="$callers $SIPP_PID"
sipp_bg support caller-long.xml $NET.2.2 -s 5200 -key caller +1555200 -m 3 $C "$PBX:5060"
callers="$callers $SIPP_PID"
sipp_bg billing-cancel caller-cancel.xml $NET.2.3 -s 5300 -key caller +1555300 -m 2 $C "$PBX:5060"
callers="$callers $SIPP_PID"
sipp_bg billing-wait caller-rejected.xml $NET.2.4 -s 5300 -key caller +1555400 -m 1 $C "$PBX:5060"
callers="$callers $SIPP_PID"
sipp_bg info-bye caller-bye.xml $NET.2.5 -s 5400 -key caller +1555500 -m 2 $C "$PBX:5060"
callers="$callers $SIPP_PID"
sipp_bg info-wait caller-long.xml $NET.2.6 -s 5400 -key caller +1555600 -m 1 $C "$PBX:5060"
callers="$callers $SIPP_PID"
sleep 1
sipp_bg closed caller-rejected.xml $NET.2.7 -s 5500 -key caller +1555400 -m 1 $C "$PBX:5060"
callers="$callers $SIPP_PID"

for p in $callers; do
	wait_for "$p" 65 "a SIPp caller" || { show_sipp_errors; fail "a SIPp caller failed (exit $?)"; }
done
wait_for $emu 15 acd-emu || { cat "$TMP/acd.err" >&2; fail "acd-emu"; }
stop_daemon
echo "traffic and capture took $(($(date +%s) - start)) s"

expect_eq "calls in the truth" $CALLS "$(wc -l <"$TMP/truth.jsonl" | tr -d ' ')"
$COMPARE "$TMP/truth.jsonl" "$TMP/out.jsonl" --tolerance 0.005 ||
    { show_sipp_errors; fail "call.end records differ from the emulator's truth"; }
$PYTHON3 "$top_srcdir/tests/queue-counts.py" "$TMP/truth.jsonl" "$TMP/out.jsonl" \
    --expect "sales:answered=3,support:answered=3,support:holds=2,support:transfers=1,billing:short_abandoned=2,billing:timeouts=1,info:abandoned=2,info:timeouts=1,closed:blocked=1" ||
    fail "interval.queue counts differ from the truth"
grep -q '"rona": [1-9]' "$TMP/truth.jsonl" || fail "scenario: no RONA happened"
grep -q '"repeat": true' "$TMP/truth.jsonl" || fail "scenario: no repeat caller"
echo "ok: SIPp callers and agents through the ACD emulator, captured live"
