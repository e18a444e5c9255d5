#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# agents-live.sh: agent presence and state (DESIGN.md section 7) on live
# SIP. SIPp agent phones (127.N.1.x) REGISTER at the ACD emulator
# (tests/acd-emu.py, 127.N.0.10) through a digest challenge, send feature
# codes, place an outbound call and take the calls of SIPp callers
# (127.N.2.x) that the emulator queues and offers to them (never to a
# paused, logged-out or unbound agent, nor during its queue's wrap-up);
# ccmetricsd captures it all on lo. Every agent.state event it publishes
# must equal, in sequence, the change the emulator itself recorded (state,
# previous state, reason, queue and contact), its time within
# ACD_TOLERANCE (e2e-lib.sh), and interval.agent's state times must add up
# to the same truth. The timeline (seconds, about 32 in all):
#   0    2001, 2002, 2003 (Contact user ph2003) register for 60 s, 2004
#        for 7 s (never refreshed: expires at 7)
#   1    2002 pauses (*46); 2003 calls 90001 for 3 s (busy_other)
#   2    caller A (sales, wrap-up 2 s): 2004 rings and never answers
#        (RONA at 5), then 2001 answers; the caller leaves 4 s later
#   8    2002 unpauses (*47)
#   11   2001 pauses during its wrap-up: paused when the wrap-up ends
#   13   caller B (sales) goes to 2002; 13.5 caller C (support, wrap-up
#        3 s) to 2003, rung at its bound contact (no agent id in it)
#   15   2001 logs out (*45: the pause goes too), 16.5 logs in (*44)
#   18.5 2003 blind-transfers caller C to 2001 (REFER): the 202 ends its
#        segment (busy_other until it hangs up, then wrap-up); 2001 answers
#   22.5 2001 and 2003 un-register (Expires: 0), 2002 with Contact: *;
#        2001, on a call, stays on it, hangs up at 27.5: wrap-up, then
#        logged out when the wrap-up ends
# Then the same with presence static (phones that never register, 12 s):
#   0    2001 is listed in agents.ids: logged in from start-up; 2002 is not
#   0.5  2002 logs in (*44)
#   1    caller D (sales) goes to 2001; 2 caller E (sales) to 2002
#   3    2001 pauses during its call: paused after its wrap-up
#   8    2002 logs out (*45) during its wrap-up; 10 2001 logs out
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/e2e-lib.sh"

[ "$(id -u)" -eq 0 ] || skip "live capture needs root (CAP_NET_RAW)"
command -v sipp >/dev/null 2>&1 || skip "sipp not installed (Debian sip-tester)"
ip link show lo >/dev/null 2>&1 || skip "no loopback interface"
# A network namespace of its own when one can be made: its 127.N range
# (only 9 to draw from) then meets no other test's traffic.
own_netns "$0"
[ -z "${CCM_NETNS:-}" ] || echo "ok: in a network namespace of its own"

NET=$(e2e_net 3 9)
PBX=$NET.0.10
PHONES=""
TOL=${ACD_TOLERANCE:-0.02}
# rt.agents and rt.queue's agent counts: the states at their ts (0 s lag).
RT_LAG=${AGENTS_RT_LAG:-0}

# ip_of AGENT: the phone's address.
ip_of() {
	echo "$NET.1.${1#200}"
}

# configure PRESENCE [STATIC_IDS]: the emulator's configuration and the
# daemon's, in $TMP/$PRESENCE/.
configure() {
	D=$TMP/$1
	mkdir -p "$D"
	cat >"$D/acd.json" <<EOT
{"listen": "$PBX:5060",
 "agents": {"2001": "$NET.1.1:5060", "2002": "$NET.1.2:5060",
            "2003": "$NET.1.3:5060", "2004": "$NET.1.4:5060"},
 "presence": "$1", "static_ids": [${2:+\"$2\"}],
 "registrar": {"realm": "acd.test", "password": "secret", "max_expires_s": 60},
 "feature_codes": {"pause": ["*46"], "unpause": ["*47"],
                   "login": ["*44"], "logout": ["*45"]},
 "queues": [
  {"name": "sales", "dnis": ["5100"], "mode": "ring", "wrapup_s": 2,
   "members": ["2004", "2001", "2002", "2003"]},
  {"name": "support", "dnis": ["5200"], "mode": "ring", "wrapup_s": 3,
   "members": ["2003"]}],
 "ring_timeout_s": 3, "rona_pause_s": 4, "wrap_s": 0, "short_abandon_s": 5}
EOT
	cat >"$D/ccmetricsd.yaml" <<EOT
capture:
  filter: "udp and net $NET.0.0/16"
pbx:
  addresses: [$PBX]
trunks:
  addresses: [$NET.2.0/24]
agents:
  addresses: [$NET.1.0/24]
  user_pattern: "^[0-9]{4}\$"
  presence: $1
  ids: [${2:-}]
  feature_codes: { pause: ["*46"], unpause: ["*47"], login: ["*44"], logout: ["*45"] }
queues:
  - { name: sales, dnis: ["5100"], wrapup_s: 2 }
  - { name: support, dnis: ["5200"], wrapup_s: 3 }
correlation:
  headers: [X-CC-Inbound]
metrics:
  interval_s: 300
  realtime_s: 1
  short_abandon_s: 5
publish:
  zmq: ~
  jsonl: { path: "$D/out.jsonl" }
EOT
}

# phone AGENT SCENARIO [SIPP OPTIONS...]: one request of the agent's phone
# (a SIPp client on its address, port 5061; it takes calls on 5060), in the
# background, ended by 15 s whatever happens.
phone() {
	_ag=$1 _sf=$2
	shift 2
	_n=$(($(echo "$PHONES" | wc -w) + 1))
	# shellcheck disable=SC2086
	sipp -sf "$top_srcdir/tests/sipp/$_sf" -i "$(ip_of "$_ag")" -p 5061 \
	    $SIPP_COMMON -error_file "$D/phone$_n.err" -m 1 \
	    -timeout 15s -timeout_error "$@" "$PBX:5060" \
	    >"$D/phone$_n.out" 2>&1 </dev/null &
	PHONES="$PHONES $!"
	started $!
}

# register AGENT EXPIRES [CONTACT]: REGISTER through the challenge.
register() {
	phone "$1" phone-register.xml -s "$1" -ap secret -key expires "$2" \
	    -key contact "${3:-<sip:$1@$(ip_of "$1"):5060>}"
}

# code AGENT NUMBER [MS]: the agent dials NUMBER (a feature code or an
# outbound number) and hangs up MS (default 300) after the answer.
code() {
	phone "$1" phone-code.xml -s "$2" -key agent "$1" -d "${3:-300}"
}

# caller N DNIS [SCENARIO]: a SIPp caller on 127.N.2.N that talks 4 s once
# answered (caller-long.xml: until the PBX hangs up, at most 20 s).
caller() {
	sipp_bg "caller$1" "${3:-caller-talk.xml}" "$NET.2.$1" -s "$2" \
	    -key caller "+155520$1" -m 1 -timeout 60s -timeout_error "$PBX:5060"
	PHONES="$PHONES $SIPP_PID"
}

# start: the daemon, the emulator and the phones' call side (each gone
# after 60 s anyway) for the configuration in $D.
start() {
	PHONES=""
	[ -n "${AGENTS_LIVE_NO_DAEMON:-}" ] || start_daemon "$D/ccmetricsd.yaml"
	$PYTHON3 "$top_srcdir/tests/acd-emu.py" --config "$D/acd.json" \
	    --truth "$D/truth.jsonl" --agent-truth "$D/agents.truth" \
	    --log "$D/acd.log" --max-time-s 60 --ready "$D/acd.ready" \
	    2>"$D/acd.err" &
	ACD_PID=$!
	started $ACD_PID
	_n=0
	until [ -f "$D/acd.ready" ]; do
		_n=$((_n + 1))
		[ $_n -le 300 ] || fail "acd-emu did not start in 30 s: $(cat "$D/acd.err")"
		sleep 0.1
	done
	AGENT_UAS=""
	for _a in 2001 2002; do
		sipp_bg "agent$_a" agent-answer.xml "$(ip_of $_a)" -s $_a -m 5 -timeout 60s
		AGENT_UAS="$AGENT_UAS $SIPP_PID"
	done
	sipp_bg agent2003 agent-refer.xml "$(ip_of 2003)" -s 2003 -key target 2001 \
	    -m 5 -timeout 60s
	AGENT_UAS="$AGENT_UAS $SIPP_PID"
	sipp_bg agent2004 agent-rona.xml "$(ip_of 2004)" -s 2004 -m 5 -timeout 60s
	AGENT_UAS="$AGENT_UAS $SIPP_PID"
	sleep 0.5
}

# finish CALLS REASONS [CHECK OPTIONS]: wait for every phone request and
# caller, stop the emulator and the daemon, and compare.
finish() {
	for _p in $PHONES; do
		_rc=0
		wait_for "$_p" 65 "a SIPp phone or caller" || _rc=$?
		[ $_rc -eq 0 ] || { show_sipp_errors; fail "a SIPp phone or caller failed (exit $_rc)"; }
	done
	sleep 0.5
	kill -TERM $ACD_PID
	_rc=0
	wait_for $ACD_PID 10 acd-emu || _rc=$?
	[ $_rc -eq 0 ] || fail "acd-emu (exit $_rc): $(cat "$D/acd.err")"
	if [ -n "${AGENTS_LIVE_NO_DAEMON:-}" ]; then
		cat "$D/agents.truth"
	else
		stop_daemon
	fi
	# The agent phones' call side: done for this run.
	for _p in $AGENT_UAS; do
		kill -TERM "$_p" 2>/dev/null || true
		wait_for "$_p" 5 "a SIPp agent phone" || true
	done
	[ -z "${AGENTS_LIVE_NO_DAEMON:-}" ] || return 0
	echo "ok: $(wc -l <"$D/agents.truth" | tr -d ' ') agent state changes in the emulator's truth"
	# The calls themselves, as every e2e test checks them.
	expect_eq "calls in the truth" "$1" "$(wc -l <"$D/truth.jsonl" | tr -d ' ')"
	$COMPARE "$D/truth.jsonl" "$D/out.jsonl" --tolerance "$TOL" ||
	    fail "call.end records differ from the emulator's truth"
	# The agents: every change, snapshot and state time.
	_r=$2
	shift 2
	$PYTHON3 "$top_srcdir/tests/compare-live-agents.py" "$D/agents.truth" \
	    "$D/out.jsonl" --tolerance "$TOL" --rt-lag $RT_LAG --reasons "$_r" "$@" ||
	    fail "agent states differ from the emulator's truth"
	# And what was published is what the schemas say.
	if $PYTHON3 -c 'import jsonschema' 2>/dev/null; then
		$PYTHON3 "$top_srcdir/tests/validate-schema.py" "$top_srcdir/schema" \
		    "$D/out.jsonl" --no-coverage >"$D/validate.log" ||
		    fail "published objects do not match their schema"
		for _k in agent.state rt.agents interval.agent rt.queue; do
			grep -q "^ok: [0-9]* $_k objects" "$D/validate.log" ||
			    fail "no $_k object was validated"
		done
		echo "ok: every object valid against schema/"
	fi
}

# ---- presence register ----------------------------------------------------
configure register
start
register 2001 60
register 2002 60
register 2003 60 "<sip:ph2003@$(ip_of 2003):5060>"
register 2004 7
sleep 1
code 2002 '*46'
code 2003 90001 3000
sleep 1
caller 1 5100
sleep 6
code 2002 '*47'
sleep 3
code 2001 '*46'
sleep 2
caller 2 5100
sleep 0.5
caller 3 5200 caller-long.xml
sleep 1.5
code 2001 '*45'
sleep 1.5
code 2001 '*44'
sleep 6
register 2001 0
register 2002 0 '*'
register 2003 0 "<sip:ph2003@$(ip_of 2003):5060>"
# 2001's wrap-up after the transferred call (ends about 27.5) ends at 30.5.
sleep 8.5
finish 3 seen,register,unregister,expired,ring,answer,end,dial,pause,unpause,login,logout,wrapup_end
echo "ok: presence register"

# ---- presence static --------------------------------------------------------
configure static 2001
start
sleep 0.5
code 2002 '*44'
sleep 0.5
caller 4 5100
sleep 1
caller 5 5100
sleep 1
code 2001 '*46'
sleep 5
code 2002 '*45'
sleep 2
code 2001 '*45'
finish 2 seen,login,ring,answer,end,wrapup_end,logout --startup 2001
echo "ok: presence static"
echo "ok: agent phones, codes and calls through the ACD emulator, captured live"
