#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# asterisk-cases.sh: what ccmetricsd beside a real Asterisk got wrong (issue
# 18), replayed from captures of that SIP, records checked to hand values.
. "$(dirname "$0")/lib.sh"

$PYTHON3 "$top_srcdir/tests/asterisk-cases.py" "$TMP" || fail "asterisk-cases.py"

replay() {
	"$CCMETRICSD" -c "${2:-$TMP/ast.yaml}" -r "$TMP/$1.pcap" \
	    >"$TMP/$1.out" 2>"$TMP/$1.err" ||
	    fail "ccmetricsd $1: $(cat "$TMP/$1.err")"
}

# field FILE TOPIC KEY [N]: KEY of the N-th (from 1) object of TOPIC.
field() {
	$PYTHON3 - "$@" <<'PYEOF'
import json, sys
path, topic, key = sys.argv[1:4]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 1
objs = [o for o in map(json.loads, open(path)) if o["topic"] == topic]
print(json.dumps(objs[n - 1][key]) if len(objs) >= n else "missing")
PYEOF
}

count() {
	grep -c "\"topic\":\"$2" "$TMP/$1.out" || true
}

# 1. A BYE with a stale To-tag, then one with the right tags, both answered
# 481 (at 10 s and 12 s): neither ends the caller's leg. The agent
# (answered at 5 s) hangs up at 30 s, the PBX ends the caller at 30.010 s.
replay bye481
expect_eq "bye481: call.end records" 1 "$(count bye481 call.end.)"
expect_eq "bye481: ended_by" '"agent"' "$(field $TMP/bye481.out call.end.sales ended_by)"
expect_eq "bye481: ended_at" '"2026-11-23T09:00:30.010Z"' \
    "$(field $TMP/bye481.out call.end.sales ended_at)"
expect_eq "bye481: handle_s (5 s to 30 s)" 25.0 \
    "$(field $TMP/bye481.out call.end.sales handle_s)"
expect_eq "bye481: talk_s" 25.0 "$(field $TMP/bye481.out call.end.sales talk_s)"
expect_eq "bye481: BYE with tags not the dialog's" 1 \
    "$(last_stat $TMP/bye481.out legs.bye_tags_mismatch)"
expect_eq "bye481: BYE answered 481" 1 "$(last_stat $TMP/bye481.out legs.bye_481)"

# 2. The agent's phone dies: Asterisk's re-INVITE at 15 s goes unanswered
# (6 copies after 20.010 s: 3), the caller hangs up at 20 s, Asterisk's BYE
# to the phone at 20.010 s (no answer: it ends the leg then) is re-sent 10
# times over 32 s (the copy at 20.510 s arrives while it waits for its
# answer: 9 after the end), and so is a new BYE at 52.010 s (1 + 10):
# 23 requests of the dead dialog, one call.end, nothing partial.
replay deadpeer
expect_eq "deadpeer: call.end records" 1 "$(count deadpeer call.end.)"
expect_eq "deadpeer: leg.end records" 0 "$(count deadpeer leg.end)"
expect_eq "deadpeer: partial" false "$(field $TMP/deadpeer.out call.end.sales partial)"
expect_eq "deadpeer: ended_by" '"caller"' \
    "$(field $TMP/deadpeer.out call.end.sales ended_by)"
expect_eq "deadpeer: handle_s (4 s to 20.010 s)" 16.01 \
    "$(field $TMP/deadpeer.out call.end.sales handle_s)"
expect_eq "deadpeer: requests of the ended dialog" 23 \
    "$(last_stat $TMP/deadpeer.out legs.ended_dialog_requests)"
expect_eq "deadpeer: legs created" 2 "$(last_stat $TMP/deadpeer.out legs.created)"
expect_eq "deadpeer: agent legs unmatched" 0 \
    "$(last_stat $TMP/deadpeer.out contacts.agent_unmatched)"
# Remembered for only 32 s (from its last message, 20.510 s): the BYE of
# 52.510 s is the last one the dialog absorbs; from 53.510 s on (9 copies)
# the dialog is unknown, and a lone BYE still opens nothing.
sed 's/^metrics:/limits:\n  ended_dialog_memory_s: 32\nmetrics:/' "$TMP/ast.yaml" \
    >"$TMP/mem32.yaml"
replay deadpeer "$TMP/mem32.yaml"
expect_eq "deadpeer/32 s: requests of the ended dialog" 14 \
    "$(last_stat $TMP/deadpeer.out legs.ended_dialog_requests)"
expect_eq "deadpeer/32 s: lone BYEs" 9 "$(last_stat $TMP/deadpeer.out legs.orphans)"
expect_eq "deadpeer/32 s: call.end records" 1 "$(count deadpeer call.end.)"
expect_eq "deadpeer/32 s: leg.end records" 0 "$(count deadpeer leg.end)"
expect_eq "deadpeer/32 s: agent legs unmatched" 0 \
    "$(last_stat $TMP/deadpeer.out contacts.agent_unmatched)"

# 3. Blind transfer: 1001 answered at 5 s, on hold 20..30 s, REFER's 202 at
# 60.005 s ends its segment (55.005 s, 10 s of it on hold); its phone holds
# again at 65 s and hangs up at 70.005 s: neither counts. 1002 talks from
# 64 s to 100 s (36 s).
replay blind
expect_eq "blind: handle_s (55.005 + 36)" 91.005 \
    "$(field $TMP/blind.out call.end.sales handle_s)"
expect_eq "blind: hold_s" 10.0 "$(field $TMP/blind.out call.end.sales hold_s)"
expect_eq "blind: talk_s" 81.005 "$(field $TMP/blind.out call.end.sales talk_s)"
expect_eq "blind: holds" 1 "$(field $TMP/blind.out call.end.sales holds)"
expect_eq "blind: transfers" 1 "$(field $TMP/blind.out call.end.sales transfers)"
expect_eq "blind: ended_by" '"agent"' "$(field $TMP/blind.out call.end.sales ended_by)"
expect_eq "blind: ended_at (the caller's leg)" '"2026-11-23T09:01:40.010Z"' \
    "$(field $TMP/blind.out call.end.sales ended_at)"
expect_eq "blind: 1001 handle_s" 55.005 \
    "$(field $TMP/blind.out interval.agent.1001 handle_s)"
expect_eq "blind: 1001 busy_s" 55.005 \
    "$(field $TMP/blind.out interval.agent.1001 busy_s)"
expect_eq "blind: 1001 hold_s" 10.0 "$(field $TMP/blind.out interval.agent.1001 hold_s)"
expect_eq "blind: 1002 handle_s" 36.0 \
    "$(field $TMP/blind.out interval.agent.1002 handle_s)"
expect_eq "blind: queue handle_s" 91.005 \
    "$(field $TMP/blind.out interval.queue.sales handle_s)"

# 4. Local-channel members: two agent INVITEs without X-CC-Inbound, one with.
# Matched by caller number, counted, and logged once naming the first agent.
replay noheader
expect_eq "noheader: agent legs without the header" 2 \
    "$(last_stat $TMP/noheader.out contacts.agent_without_header)"
expect_eq "noheader: tied by caller" 2 \
    "$(last_stat $TMP/noheader.out contacts.agent_by_caller)"
expect_eq "noheader: tied by header" 1 \
    "$(last_stat $TMP/noheader.out contacts.agent_by_header)"
expect_eq "noheader: warnings" 1 "$(grep -c 'carries no correlation header' \
    "$TMP/noheader.err" || true)"
grep -q 'agent 1004: .*X-CC-Inbound' "$TMP/noheader.err" ||
    fail "noheader: the warning names neither the agent nor the header"
# Without correlation.headers nothing is expected of agent legs.
grep -v -e '^correlation:' -e 'headers: \[X-CC-Inbound\]' "$TMP/ast.yaml" \
    >"$TMP/nohdr.yaml"
replay noheader "$TMP/nohdr.yaml"
expect_eq "noheader/none configured: counted" 0 \
    "$(last_stat $TMP/noheader.out contacts.agent_without_header)"
expect_eq "noheader/none configured: warnings" 0 \
    "$(grep -c 'carries no correlation header' "$TMP/noheader.err" || true)"
