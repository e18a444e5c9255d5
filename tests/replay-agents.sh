#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# replay-agents.sh: agent states and occupancy (DESIGN.md 7) of generated days against their truth.
# Three 45-minute days per presence mode (register: shifts with challenged
# REGISTERs, refreshes, lapsed bindings, un-registers, agents registered
# before the capture, phones named only by their binding; static:
# agents.ids, login/logout codes), pauses by feature code (one in the very
# capture timestamp its wrap-up ends), queue wrap-up, agents' own outbound
# and internal calls; a static day with the background SIP of
# bench/add-noise.py (OPTIONS, REGISTER of every listed phone, BLF
# SUBSCRIBE/NOTIFY, keep-alives), a register day with that noise but its
# REGISTERs, and a day without the agent model (calls only, correlation by
# caller). Every agent.state event and every interval.agent record must
# equal the truth (ccmetrics-gen --agent-states / --agent-intervals) to the
# millisecond.
. "$(dirname "$0")/lib.sh"

CMPA="$PYTHON3 $top_srcdir/tests/compare-agents.py"
NOISE="$PYTHON3 $top_srcdir/bench/add-noise.py"
DAY="--duration-s 2700 --agents 10 --calls-per-hour 120"
failed=""

# gen NAME ARGS...: a generated day with its agent truth.
gen() {
	name=$1
	shift
	$GEN $DAY --out "$TMP/$name.pcap" --truth "$TMP/$name.truth" \
	    --config "$TMP/$name.yaml" --agent-intervals "$TMP/$name.ia" \
	    --agent-states "$TMP/$name.st" "$@" 2>"$TMP/$name.gen" ||
	    fail "$name: generator: $(cat "$TMP/$name.gen")"
}

# replay NAME PCAP: the daemon on PCAP; every difference listed, the day
# recorded as failed (the other days still run).
replay() {
	"$CCMETRICSD" -c "$TMP/$1.yaml" -r "$2" >"$TMP/$1.out" 2>"$TMP/err.log" ||
	    fail "$1: ccmetricsd: $(cat "$TMP/err.log")"
	# The agent model's own calls, codes and REGISTERs leave every call
	# record as the truth has it.
	$COMPARE --min-match 1.0 "$TMP/$1.truth" "$TMP/$1.out" >"$TMP/$1.calls" ||
	    { cat "$TMP/$1.calls"; failed="$failed $1(call.end)"; }
	if $CMPA "$TMP/$1.st" "$TMP/$1.ia" "$TMP/$1.out" >"$TMP/$1.cmp"; then
		echo "ok: $1: $(tail -n 1 "$TMP/$1.cmp")"
	else
		cat "$TMP/$1.cmp"
		echo "FAIL: $1: agent states differ from the truth" >&2
		failed="$failed $1"
	fi
}

# has NAME WHAT PATTERN: the agent.state truth of NAME has an event matching.
has() {
	grep -q "$3" "$TMP/$1.st" || fail "$1: the generated day has no $2"
}

# cases NAME MODE: the day exercises what DESIGN.md 7 defines, so that the
# comparison cannot pass on a day without it.
cases() {
	for r in ring answer dial end pause unpause login logout wrapup_end seen; do
		has "$1" "change by $r" "\"reason\": \"$r\""
	done
	for s in available ringing on_call busy_other wrapup paused logged_out; do
		has "$1" "$s state" "\"state\": \"$s\""
	done
	has "$1" "change tied to a contact" '"contact_id": '
	# A pause code in the capture timestamp its wrap-up ends: one change,
	# whose reason is pause (it comes before wrapup_end in DESIGN.md 7).
	has "$1" "pause coinciding with the end of wrap-up" \
	    '"state": "paused", "prev": "wrapup", "prev_s": [0-9.]*, "reason": "pause"'
	grep -q '"paused_s": [1-9]' "$TMP/$1.ia" || fail "$1: no paused time"
	grep -q '"wrapup_s": [1-9]' "$TMP/$1.ia" || fail "$1: no wrap-up time"
	grep -q '"busy_other_s": [1-9]' "$TMP/$1.ia" || fail "$1: no busy_other time"
	if [ "$2" = register ]; then
		for r in register unregister expired; do
			has "$1" "change by $r" "\"reason\": \"$r\""
		done
		has "$1" "unknown state" '"state": "unknown"'
		# An agent registered before the capture is first seen by a call.
		has "$1" "agent first seen ringing" '"state": "ringing", "prev": null'
		grep -q '"unknown_s": \([1-9]\|0\.[0-9]*[1-9]\)' "$TMP/$1.ia" || fail "$1: no unknown time"
		grep -q 'expires=0\|Contact: \*' "$TMP/$1.pcap" ||
		    fail "$1: no un-REGISTER on the wire"
		grep -q '401 Unauthorized' "$TMP/$1.pcap" || fail "$1: no challenge"
		# A phone whose Contact user is no agent id: the PBX's INVITE
		# names the agent only through the binding's host:port.
		grep -q 'INVITE sip:ph10[0-9][0-9]-' "$TMP/$1.pcap" ||
		    fail "$1: no agent leg to a bound contact"
	else
		grep -q '  ids: \["1001"' "$TMP/$1.yaml" || fail "$1: no agents.ids"
		# An agent not in agents.ids logs in by code.
		has "$1" "unlisted agent logging in" '"prev": null, "prev_s": null, "reason": "login"'
	fi
	grep -q '"occupancy": 0\.' "$TMP/$1.ia" || fail "$1: no occupancy"
	grep -q '  wrapup_s: [1-9]' "$TMP/$1.yaml" || fail "$1: no queue wrap-up configured"
	echo "ok: $1 exercises the agent model"
}

# day NAME MODE GENERATOR-ARGS...
day() {
	name=$1 mode=$2
	shift 2
	gen "$name" --presence "$mode" "$@"
	cases "$name" "$mode"
	replay "$name" "$TMP/$name.pcap"
}

# Plain days; full days (ringall, blind and attended transfers: a
# transferor's segment ends at the 202, its leg then in no contact; consult
# calls; redials; every kind of hold) from the first packet on (the agent
# model takes no --cut-s); a ringall and a transfer day.
day register42 register --seed 42
day register43 register --mode full --cut-s 0 --seed 43
day register44 register --mode ringall --seed 44
day static51 static --seed 51
day static52 static --mode full --cut-s 0 --seed 52
day static53 static --mode transfer --seed 53
# Without the agent model: no REGISTER, no code (agents.presence left to its
# default, register), correlation by caller number. Every agent is unknown
# but while a call of its own makes it ringing, on_call or busy_other (agent
# legs tied to no contact among them).
gen nomodel --mode transfer --corr caller --seed 55
has nomodel "agent first seen ringing" '"state": "ringing", "prev": null'
has nomodel "return to unknown" '"state": "unknown", "prev": "'
grep -q '"busy_other_s": [1-9]' "$TMP/nomodel.ia" || fail "nomodel: no busy_other time"
grep -q 'unmatched [1-9]' "$TMP/nomodel.gen" || fail "nomodel: no agent leg in no contact"
grep -q 'presence\|REGISTER [0-9]' "$TMP/nomodel.yaml" "$TMP/nomodel.gen" &&
    fail "nomodel: an agent model"
replay nomodel "$TMP/nomodel.pcap"

grep -q '"transfers": [1-9]' "$TMP/register43.truth" || fail "register43: no transfer"
grep -q '"queue": "billing"' "$TMP/register44.truth" || fail "register44: no ringall call"

# Noise: the phones in agents.ids (1001..1008) are qualified, register every
# 300 s (binding 600 s: never lapsing, so static presence does not change),
# subscribe to each other's dialog state and send keep-alives. The capture
# then ends at the last noise packet: the truth is made again for that end
# (--capture-end-us), the capture itself unchanged.
gen noisy --presence static --seed 54
$NOISE --seed 54 --agents 8 --register-s 300 "$TMP/noisy.pcap" \
    "$TMP/noisy-noise.pcap" 2>"$TMP/noise.log" || fail "add-noise: $(cat "$TMP/noise.log")"
grep -q 'REGISTER [1-9]' "$TMP/noise.log" || fail "add-noise added no REGISTER"
end_us=$($PYTHON3 -c '
import sys
sys.path.insert(0, sys.argv[1])
from ccmgen_wire import PcapReader
with open(sys.argv[2], "rb") as fh:
    print(max(PcapReader(fh).times()))' "$top_srcdir/tools" "$TMP/noisy-noise.pcap")
cp "$TMP/noisy.pcap" "$TMP/noisy.orig"
gen noisy --presence static --seed 54 --capture-end-us "$end_us"
cmp -s "$TMP/noisy.pcap" "$TMP/noisy.orig" || fail "noisy: the capture changed"
cases noisy static
replay noisy "$TMP/noisy-noise.pcap"

# Register mode under the same noise but its REGISTERs (--register-s 0: the
# day's own shifts are the registrations): every phone qualified, watched and
# keeping its NAT binding alive while its agent is unknown, bound or gone.
gen noisyreg --presence register --seed 45
$NOISE --seed 45 --agents 10 --register-s 0 "$TMP/noisyreg.pcap" \
    "$TMP/noisyreg-noise.pcap" 2>"$TMP/noise.log" || fail "add-noise: $(cat "$TMP/noise.log")"
grep -q 'SUBSCRIBE [1-9]' "$TMP/noise.log" || fail "add-noise added no SUBSCRIBE"
end_us=$($PYTHON3 -c '
import sys
sys.path.insert(0, sys.argv[1])
from ccmgen_wire import PcapReader
with open(sys.argv[2], "rb") as fh:
    print(max(PcapReader(fh).times()))' "$top_srcdir/tools" "$TMP/noisyreg-noise.pcap")
gen noisyreg --presence register --seed 45 --capture-end-us "$end_us"
cases noisyreg register
replay noisyreg "$TMP/noisyreg-noise.pcap"

[ -z "$failed" ] || fail "days whose agent states differ:$failed"
