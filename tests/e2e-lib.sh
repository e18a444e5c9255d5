# SPDX-License-Identifier: BSD-2-Clause
# e2e-lib.sh: helpers of the end-to-end tests with real SIP stacks on
# loopback (sourced after lib.sh). Every process a test starts is recorded
# and ended on exit, whatever the outcome; every wait is bounded.

E2E_PIDS=""
SIPP_COMMON="-nostdin -trace_err"

e2e_cleanup() {
	for p in $E2E_PIDS; do
		kill -TERM "$p" 2>/dev/null || true
	done
	sleep 0.2
	for p in $E2E_PIDS; do
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ -n "${E2E_KEEP:-}" ]; then
		echo "kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap e2e_cleanup EXIT
trap 'exit 1' INT TERM HUP

# started PID: remember a background process for the cleanup.
started() {
	E2E_PIDS="$E2E_PIDS $1"
}

# wait_for PID SECONDS WHAT: wait at most SECONDS for PID to exit; return
# its status, or fail naming WHAT.
wait_for() {
	_n=0
	while kill -0 "$1" 2>/dev/null; do
		_n=$((_n + 1))
		[ "$_n" -le $(($2 * 10)) ] || fail "$3 still running after $2 s"
		sleep 0.1
	done
	_rc=0
	wait "$1" || _rc=$?
	return $_rc
}

# sipp_bg NAME SCENARIO IP [SIPP OPTIONS...]: one SIPp on IP:5060, its
# unexpected messages in $TMP/NAME.err; sets SIPP_PID.
sipp_bg() {
	_name=$1 _sf=$2 _ip=$3
	shift 3
	# shellcheck disable=SC2086
	sipp -sf "$top_srcdir/tests/sipp/$_sf" -i "$_ip" -p 5060 \
	    $SIPP_COMMON -error_file "$TMP/$_name.err" "$@" \
	    >"$TMP/$_name.out" 2>&1 </dev/null &
	SIPP_PID=$!
	started "$SIPP_PID"
}

# show_sipp_errors: what SIPp logged as unexpected, for a failure report.
show_sipp_errors() {
	for f in "$TMP"/*.err; do
		grep -q -i "abort\|unexpected\|fail" "$f" 2>/dev/null || continue
		echo "--- $f" >&2
		head -c 2000 "$f" >&2
		echo >&2
	done
}

# start_daemon CONFIG: ccmetricsd in the foreground capturing on lo.
start_daemon() {
	"$CCMETRICSD" -f -c "$1" -i lo 2>"$TMP/daemon.log" &
	DAEMON_PID=$!
	started "$DAEMON_PID"
	sleep 1
	kill -0 "$DAEMON_PID" 2>/dev/null ||
	    fail "ccmetricsd: $(cat "$TMP/daemon.log")"
}

# stop_daemon: SIGTERM publishes every open call and interval.
stop_daemon() {
	kill -TERM "$DAEMON_PID"
	_rc=0
	wait_for "$DAEMON_PID" 10 ccmetricsd || _rc=$?
	expect_eq "ccmetricsd exit status after SIGTERM" 0 "$_rc"
}

# e2e_net LOW COUNT: a 127.N prefix for this run, N one of the COUNT odd
# numbers from LOW (odd) on, so that tests running at once (make -j, or
# two work trees on one machine) neither bind the same addresses nor
# capture each other's calls. Each e2e test has a range of its own;
# live-lo.sh takes even numbers.
e2e_net() {
	_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo "127.$(($1 + 2 * (_r % $2)))"
}

# ---- The contact-center scenario shared by the e2e tests ----------------
# NET (127.N, from e2e_net) must be set. The PBX (acd-emu.py) is
# $NET.0.10, agents $NET.1.x, callers $NET.2.x. 13 calls in about 20 s:
#   sales   5100 ringing, agents 1001 (answers) and 1002 (never: RONA);
#           3 callers talk 4 s and hang up.
#   support 5200 answer-first, agents 1003 (holds 2 s, hangs up) and 1004
#           (blind-transfers to 1005 by REFER); 3 callers stay 20 s.
#   billing 5300 ringing, no agent, 480 after 5 s: 2 callers CANCEL after
#           3 s (short abandons), 1 waits for the 480 (timeout).
#   info    5400 answer-first, no agent, BYE after 8 s: 2 callers hang up
#           after 6 s (abandons), 1 stays (timeout by the PBX's BYE).
#   closed  5500 rejected with 503 (blocked); its caller called billing
#           just before (a repeat).
ACD_CALLS=13
ACD_EXPECT="sales:answered=3,support:answered=3,support:holds=2"
ACD_EXPECT="$ACD_EXPECT,support:transfers=1,billing:short_abandoned=2"
ACD_EXPECT="$ACD_EXPECT,billing:timeouts=1,info:abandoned=2,info:timeouts=1"
ACD_EXPECT="$ACD_EXPECT,closed:blocked=1"

# acd_config FILTER TRUNKS [CAPTURE_LINE]: the emulator's configuration and
# the daemon's ($TMP/ccmetricsd.yaml) for the scenario. ACD_QUEUE_DELAY_S:
# how long a new call waits before an agent is rung (default 0).
acd_config() {
	PBX=$NET.0.10
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
 "ring_timeout_s": 3, "rona_pause_s": 4, "wrap_s": 0.5, "short_abandon_s": 5,
 "queue_delay_s": ${ACD_QUEUE_DELAY_S:-0}}
EOT
	cat >"$TMP/ccmetricsd.yaml" <<EOT
capture:
  filter: "$1"
${3:-}
pbx:
  addresses: [$PBX]
trunks:
  addresses: [$2]
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
}

# acd_start: the emulator and the agent phones.
acd_start() {
	$PYTHON3 "$top_srcdir/tests/acd-emu.py" --config "$TMP/acd.json" \
	    --truth "$TMP/truth.jsonl" --log "$TMP/acd.log" --calls $ACD_CALLS \
	    --max-time-s 70 --ready "$TMP/acd.ready" 2>"$TMP/acd.err" &
	ACD_PID=$!
	started $ACD_PID
	_n=0
	until [ -f "$TMP/acd.ready" ]; do
		_n=$((_n + 1))
		[ $_n -le 50 ] || fail "acd-emu did not start: $(cat "$TMP/acd.err")"
		sleep 0.1
	done
	# At most 20 calls each, gone after 70 s anyway.
	_a="-m 20 -timeout 70s"
	sipp_bg agent1001 agent-answer.xml "$NET.1.1" -s 1001 $_a
	sipp_bg agent1002 agent-rona.xml "$NET.1.2" -s 1002 $_a
	sipp_bg agent1003 agent-hold.xml "$NET.1.3" -s 1003 $_a
	sipp_bg agent1004 agent-refer.xml "$NET.1.4" -s 1004 -key target 1005 $_a
	sipp_bg agent1005 agent-answer.xml "$NET.1.5" -s 1005 $_a
	sleep 0.5
}

# acd_call TARGET: the callers, sending to TARGET (the PBX or a proxy);
# returns once they have all finished (at most 65 s) and the emulator has
# seen every call end (at most 15 s more).
acd_call() {
	_c="-timeout 60s -timeout_error -r 1 -rp 2000 -l 10"
	_callers=""
	sipp_bg sales caller-talk.xml "$NET.2.1" -s 5100 -key caller +1555100 -m 3 $_c "$1"
	_callers="$_callers $SIPP_PID"
	sipp_bg support caller-long.xml "$NET.2.2" -s 5200 -key caller +1555200 -m 3 $_c "$1"
	_callers="$_callers $SIPP_PID"
	sipp_bg billing-cancel caller-cancel.xml "$NET.2.3" -s 5300 -key caller +1555300 -m 2 $_c "$1"
	_callers="$_callers $SIPP_PID"
	sipp_bg billing-wait caller-rejected.xml "$NET.2.4" -s 5300 -key caller +1555400 -m 1 $_c "$1"
	_callers="$_callers $SIPP_PID"
	sipp_bg info-bye caller-bye.xml "$NET.2.5" -s 5400 -key caller +1555500 -m 2 $_c "$1"
	_callers="$_callers $SIPP_PID"
	sipp_bg info-wait caller-long.xml "$NET.2.6" -s 5400 -key caller +1555600 -m 1 $_c "$1"
	_callers="$_callers $SIPP_PID"
	sleep 1
	sipp_bg closed caller-rejected.xml "$NET.2.7" -s 5500 -key caller +1555400 -m 1 $_c "$1"
	_callers="$_callers $SIPP_PID"
	for _p in $_callers; do
		_rc=0
		wait_for "$_p" 65 "a SIPp caller" || _rc=$?
		[ $_rc -eq 0 ] ||
		    { show_sipp_errors; fail "a SIPp caller failed (exit $_rc)"; }
	done
	wait_for $ACD_PID 15 acd-emu || { cat "$TMP/acd.err" >&2; fail "acd-emu"; }
}

# acd_check: the daemon's records against the emulator's truth; times and
# durations within ACD_TOLERANCE seconds (default 0.02). The emulator
# stamps its truth with its own clock when it handles a message, the
# daemon with the capture time: on a loaded CI machine the Python emulator
# lags the capture by a few milliseconds (5 ms seen under make -j2
# distcheck), so the bound is the emulator's, not the daemon's.
acd_check() {
	expect_eq "calls in the truth" $ACD_CALLS \
	    "$(wc -l <"$TMP/truth.jsonl" | tr -d ' ')"
	$COMPARE "$TMP/truth.jsonl" "$TMP/out.jsonl" \
	    --tolerance "${ACD_TOLERANCE:-0.02}" ||
	    fail "call.end records differ from the emulator's truth"
	$PYTHON3 "$top_srcdir/tests/queue-counts.py" "$TMP/truth.jsonl" \
	    "$TMP/out.jsonl" --expect "$ACD_EXPECT" ||
	    fail "interval.queue counts differ from the truth"
	grep -q '"rona": [1-9]' "$TMP/truth.jsonl" ||
	    fail "scenario: no RONA happened"
	grep -q '"repeat": true' "$TMP/truth.jsonl" ||
	    fail "scenario: no repeat caller"
}

# kamailio_start CFG: Kamailio in the foreground (-DD), logging to stderr
# (-E), with the configuration the test wrote; fails unless it is up.
kamailio_start() {
	kamailio -c -f "$1" >"$TMP/kamailio-check.log" 2>&1 ||
	    fail "kamailio rejects its configuration: $(tail -n 5 "$TMP/kamailio-check.log")"
	kamailio -f "$1" -DD -E -n 1 -w "$TMP" -P "$TMP/kamailio.pid" \
	    >"$TMP/kamailio.log" 2>&1 &
	KAMAILIO_PID=$!
	started $KAMAILIO_PID
	sleep 1
	kill -0 $KAMAILIO_PID 2>/dev/null ||
	    fail "kamailio did not start: $(tail -n 5 "$TMP/kamailio.log")"
}

# kamailio_proxy_cfg FILE LISTEN_IP PBX_IP [MODULES [FIRST [ROUTES]]]: a
# stateful proxy that record-routes every dialog and relays every initial
# request to the PBX. MODULES (loadmodule and modparam lines) go after the
# standard ones, FIRST at the top of request_route, ROUTES after it.
kamailio_proxy_cfg() {
	cat >"$1" <<EOT
#!KAMAILIO
# Written by the test: a stateful proxy in front of the PBX emulator.
debug=2
log_stderror=yes
children=1
listen=udp:$2:5060
auto_aliases=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "pv.so"
${4:-}
request_route {
	${5:-}
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (has_totag()) {
		if (loose_route()) {
			t_relay();
			exit;
		}
		if (is_method("ACK") && t_check_trans())
			t_relay();
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans())
			t_relay();
		exit;
	}
	t_check_trans();
	record_route();
	\$du = "sip:$3:5060";
	t_relay();
}
${6:-}
EOT
	_mp=$(dpkg -L kamailio 2>/dev/null | grep '/modules/tm\.so$' | head -n 1)
	[ -z "$_mp" ] || sed -i "s#^mpath=.*#mpath=\"${_mp%/tm.so}/\"#" "$1"
}
