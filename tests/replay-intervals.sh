#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# replay-intervals.sh: generated 2-hour days replayed offline; every
# interval.queue, interval.agent and rt.queue record must equal the truth the
# generator computes from its own model (tools/ccmgen_intervals.py): counts
# exactly, durations to the millisecond, derived ratios to 1e-9. Issue 5 is
# done when this holds for a plain day; the full day adds ringall, blind and
# attended transfers, every kind of hold, redials and a capture that starts
# late (partial calls, left out of intervals), with header correlation.
# Two more days hold regressions found this way: an answer within an
# interval's grace, and a late capture with a redial beside a partial leg.
. "$(dirname "$0")/lib.sh"

CMPI="$PYTHON3 $top_srcdir/tests/compare-intervals.py"

# Erlang C: DESIGN.md section 4 test vectors, in the generator's own code.
$PYTHON3 -c "import sys; sys.path.insert(0, '$top_srcdir/tools');
import ccmgen_intervals; ccmgen_intervals.check_vectors()" ||
    fail "generator: Erlang C test vectors"
echo "ok: Erlang C test vectors (generator)"
# Erlang A: DESIGN.md 4.1 vectors by the generator's chain (not the daemon's
# closed form: the interval comparison below then checks one against the other).
$PYTHON3 -c "import sys; sys.path.insert(0, '$top_srcdir/tools');
import ccmgen_intervals; ccmgen_intervals.check_erlang_a_vectors()" ||
    fail "generator: Erlang A test vectors"
echo "ok: Erlang A test vectors (generator's chain)"

# run_day NAME GENERATOR-ARGS...
run_day() {
	name=$1
	shift
	$GEN --duration-s 7200 --out "$TMP/$name.pcap" --truth "$TMP/$name.truth" \
	    --config "$TMP/$name.yaml" --intervals "$TMP/$name.iq" \
	    --agent-intervals "$TMP/$name.ia" --rt "$TMP/$name.rt" "$@" \
	    2>"$TMP/$name.gen" || fail "$name: generator: $(cat "$TMP/$name.gen")"
	"$CCMETRICSD" -c "$TMP/$name.yaml" -r "$TMP/$name.pcap" \
	    >"$TMP/$name.out" 2>"$TMP/err.log" ||
	    fail "$name: ccmetricsd: $(cat "$TMP/err.log")"
	for kind in queue agents rt; do
		case $kind in
		queue) truth=$TMP/$name.iq opt= ;;
		agents) truth=$TMP/$name.ia opt=--agents ;;
		rt) truth=$TMP/$name.rt opt=--rt ;;
		esac
		$CMPI $opt "$truth" "$TMP/$name.out" >"$TMP/$name.$kind.cmp" ||
		    { cat "$TMP/$name.$kind.cmp"; fail "$name: $kind records differ"; }
		echo "ok: $name: $(tail -n 1 "$TMP/$name.$kind.cmp")"
	done
}

# has NAME FILE WHAT PATTERN: the truth file has a record matching PATTERN.
has() {
	grep -q "$4" "$TMP/$1.$2" || fail "$1: no $2 truth record with $3"
	echo "ok: $1 has $2 records with $3"
}

run_day plain --seed 7
# Two queues, 2 hours and the calls still up after: 9 intervals each.
expect_eq "plain: queue intervals" 18 "$(grep -c . "$TMP/plain.iq")"
has plain iq "abandons" '"abandoned": [1-9]'
has plain iq "short abandons" '"short_abandoned": [1-9]'
has plain iq "blocks" '"blocked": [1-9]'
has plain iq "timeouts" '"timeouts": [1-9]'
has plain iq "RONA" '"rona": [1-9]'
has plain iq "holds" '"holds": [1-9]'
has plain iq "repeat calls" '"repeat_calls": [1-9]'
has plain iq "an Erlang C staffing" '"erlang_c_agents": [1-9]'
has plain iq "an interval without calls" '"offered": 0'
has plain ia "busy time" '"busy_s": [1-9]'
has plain rt "callers waiting" '"waiting": [1-9]'
has plain rt "agents on hold" '"on_hold": [1-9]'

run_day full --mode full --seed 31
has full iq "transfers" '"transfers": [1-9]'
has full iq "a ringall queue" '"queue": "billing"'
has full ia "transfers" '"transfers": [1-9]'
grep -q '(0 contacts before it)' "$TMP/full.gen" &&
    fail "full: no call starts before the capture"
echo "ok: full: partial calls left out of every interval"

# Agents answering within a second, few calls: an agent idle through an
# interval answers in the 2 s grace after its end, before it closes. That
# call was not up at the end: no interval.agent record for the idle one.
run_day fast --seed 229 --duration-s 14400 --calls-per-hour 30 \
    --ring-min-s 1 --ring-max-s 1
$PYTHON3 - "$TMP/fast.out" "$TMP/fast.ia" <<'PYEOF' || fail "fast: no answer in a grace"
import datetime, json, sys
fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
have = {(r["agent"], r["start"]) for r in map(json.loads, open(sys.argv[2]))}
for line in open(sys.argv[1]):
    if not line.startswith('{"topic":"call.answer.'):
        continue
    o = json.loads(line)
    t = datetime.datetime.strptime(o["ts"], fmt)
    start = t.replace(minute=t.minute // 15 * 15, second=0, microsecond=0)
    prev = (start - datetime.timedelta(minutes=15)).strftime(fmt)[:-3] + "Z"
    if t - start < datetime.timedelta(seconds=2) and (o["agent"], prev) not in have:
        print("ok: fast: %s answers at %s, idle before" % (o["agent"], o["ts"]))
        sys.exit(0)
sys.exit(1)
PYEOF

# A capture starting late under overload, with redials: agent legs whose
# INVITE was before the capture, seen only at their BYE while a redial of
# the same caller is up. A lone BYE opens nothing (DESIGN.md 3.3): no leg,
# so nothing to join the redial, in call.end or in any interval; it is
# counted in legs.orphans. Agent legs first seen at a re-INVITE or UPDATE
# answered 2xx are still published, as partial leg.end records that lived.
run_day late --mode overload --seed 312 --ring-min-s 1 --ring-max-s 1 \
    --rona-prob 0.3
$COMPARE "$TMP/late.truth" "$TMP/late.out" >"$TMP/late.cmp" ||
    { cat "$TMP/late.cmp"; fail "late: call.end records differ"; }
$PYTHON3 - "$TMP/late.out" <<'PYEOF' || fail "late: a lone BYE opened a leg"
import json, sys
objs = [json.loads(line) for line in open(sys.argv[1])]
legs = [o for o in objs if o["topic"] == "leg.end" and o["partial"]]
if not legs or any(o["answered_at"] == o["ended_at"] for o in legs):
    sys.exit(1)
print("ok: late: %d partial legs, none opened by a lone BYE" % len(legs))
PYEOF
[ "$(last_stat "$TMP/late.out" legs.orphans)" -gt 0 ] ||
    fail "late: no lone BYE of a cut leg counted as an orphan"

# Blind transferors whose phones hang up 10 s after the 202 (Asterisk never
# BYEs them): their segments end at the 202 (DESIGN.md 3.3), in call.end,
# in the intervals' handle and busy time and in real time.
run_day linger --mode transfer --seed 77 --duration-s 3600 \
    --transferor-linger-s 10
$COMPARE "$TMP/linger.truth" "$TMP/linger.out" >"$TMP/linger.cmp" ||
    { cat "$TMP/linger.cmp"; fail "linger: call.end records differ"; }
has linger iq "transfers" '"transfers": [1-9]'
