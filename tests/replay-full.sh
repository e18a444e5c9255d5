#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# replay-full.sh: generated 4-hour days with everything DESIGN.md section 3
# defines (ringing, answer-first and ringall queues, RONA, every kind of hold,
# blind and attended transfers, redials, blocks, timeouts, a capture that
# starts late), replayed offline in both correlation modes: with the
# correlation header, and by caller number alone (normal load and overload).
# Issue 4 is done when at least 99.5% of the records match in every field.
# Issue 14: on all three days every call.end field (previous_contact,
# previous_outcome, ended_on_hold included) and every interval.queue and
# interval.agent field (the planning fields of DESIGN.md 4.1 and
# erlang_a_agents included) equal the generator's own truth.
. "$(dirname "$0")/lib.sh"

CMPI="$PYTHON3 $top_srcdir/tests/compare-intervals.py"

# run_day NAME MIN_MATCH GENERATOR-ARGS...
run_day() {
	name=$1 min=$2
	shift 2
	$GEN --duration-s 14400 --out "$TMP/$name.pcap" --truth "$TMP/$name.truth" \
	    --config "$TMP/$name.yaml" --intervals "$TMP/$name.iq" \
	    --agent-intervals "$TMP/$name.ia" "$@" 2>"$TMP/$name.gen" ||
	    fail "$name: generator: $(cat "$TMP/$name.gen")"
	"$CCMETRICSD" -c "$TMP/$name.yaml" -r "$TMP/$name.pcap" \
	    >"$TMP/$name.out" 2>"$TMP/err.log" ||
	    fail "$name: ccmetricsd: $(cat "$TMP/err.log")"
	$COMPARE --min-match "$min" "$TMP/$name.truth" "$TMP/$name.out" \
	    >"$TMP/$name.cmp" || { cat "$TMP/$name.cmp"; fail "$name: records differ"; }
	echo "ok: $name: $(tail -n 1 "$TMP/$name.cmp")"
	$CMPI "$TMP/$name.iq" "$TMP/$name.out" >"$TMP/$name.iq.cmp" ||
	    { cat "$TMP/$name.iq.cmp"; fail "$name: interval.queue records differ"; }
	echo "ok: $name: $(tail -n 1 "$TMP/$name.iq.cmp")"
	$CMPI --agents "$TMP/$name.ia" "$TMP/$name.out" >"$TMP/$name.ia.cmp" ||
	    { cat "$TMP/$name.ia.cmp"; fail "$name: interval.agent records differ"; }
	echo "ok: $name: $(tail -n 1 "$TMP/$name.ia.cmp")"
	# Per outcome, the complete calls the daemon published equal the truth's.
	for o in answered abandoned short_abandoned blocked timeout; do
		want=$(grep -c "\"outcome\": *\"$o\"" "$TMP/$name.truth" || true)
		got=$(grep '"topic":"call.end\.' "$TMP/$name.out" |
		    grep -v '"partial":true' | grep -c "\"outcome\":\"$o\"" || true)
		[ "$want" -gt 0 ] || fail "$name: the generated day has no $o call"
		expect_eq "$name: $o calls" "$want" "$got"
	done
	stats=$(grep '"topic":"stats"' "$TMP/$name.out" | tail -n 1)
	case "$stats" in
	*'"parse_errors":0'*) echo "ok: $name: no parse errors" ;;
	*) fail "$name: stats: $stats" ;;
	esac
}

# has NAME WHAT PATTERN: the truth of NAME has a record matching PATTERN.
has() {
	grep -q "$3" "$TMP/$1.truth" || fail "$1: no call with $2"
	echo "ok: $1 has a call with $2"
}

# hasq NAME WHAT PATTERN: an interval.queue truth record of NAME matches.
hasq() {
	grep -q "$3" "$TMP/$1.iq" || fail "$1: no queue interval with $2"
	echo "ok: $1 has a queue interval with $2"
}

# planning_cases NAME: the day exercises what DESIGN.md 4.1 adds, so that
# the comparisons above cannot pass on zeros and nulls alone.
planning_cases() {
	has "$1" "a previous contact answered by the arrival" \
	    '"previous_outcome": "answered"'
	has "$1" "a previous contact still waiting" '"previous_outcome": "waiting"'
	has "$1" "a previous contact abandoned" '"previous_outcome": "abandoned"'
	has "$1" "a caller hanging up on hold" '"ended_on_hold": true'
	hasq "$1" "redials" '"redials": [1-9]'
	hasq "$1" "reconnects" '"reconnects": [1-9]'
	hasq "$1" "an agent ending calls" '"agent_ended": [1-9]'
	hasq "$1" "a measured patience" '"patience_s": [0-9]'
	hasq "$1" "an Erlang A staffing" '"erlang_a_agents": [1-9]'
}

run_day header 1.0 --mode full --seed 31
has header "a transfer" '"transfers": [12]'
has header "two answering agents" '"agents": \["[0-9]*", "[0-9]*"'
has header "a ringall queue" '"queue": "billing"'
has header "a ring-no-answer" '"rona": [1-9]'
has header "a hold" '"holds": [1-9]'
has header "a repeat caller" '"repeat": true'
planning_cases header
# A previous contact first seen mid-dialog (previous_outcome null) no
# longer occurs on these days: since DESIGN 3.3's ended-dialog rule a cut
# call is picked up only by a confirmed re-INVITE, UPDATE or REFER, and no
# redial of these seeds follows one. (Compared whenever it occurs.)
hasq header "blind transfers" '"transfers_blind": [1-9]'
hasq header "attended transfers" '"transfers_attended": [1-9]'
grep -q 'REFER [0-9]' "$TMP/header.gen" || fail "header: no REFER generated"
grep -q 'UPDATE [0-9]' "$TMP/header.gen" || fail "header: no UPDATE generated"
grep -q '(0 contacts before it)' "$TMP/header.gen" &&
    fail "header: no call starts before the capture"

# By caller number only. The truth ties each agent leg by DESIGN 3.2 rule 3
# (open contact of the same caller, unanswered first, then oldest; anonymous
# never), so some legs belong to a redialling caller's other call and an
# anonymous caller's legs to none. A leg tied by number and answered after
# its contact's inbound leg ended is no segment of it (the caller is gone).
run_day caller 1.0 --mode full --corr caller --seed 33
has caller "a transfer" '"transfers": [12]'
has caller "an anonymous caller" '"caller": "anonymous"'
planning_cases caller
run_day overload 1.0 --mode overload --corr caller --seed 32
planning_cases overload
for name in caller overload; do
	grep -q 'by caller [1-9][0-9]*, unmatched [1-9]' "$TMP/$name.gen" ||
	    fail "$name: no agent leg tied by caller, or none unmatched: $(cat "$TMP/$name.gen")"
done
echo "ok: caller-number correlation exercised"
