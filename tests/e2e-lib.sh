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
		[ -s "$f" ] || continue
		grep -v "receive timeout on message .*jumping to label" "$f" |
		    grep -q . || continue
		echo "--- $f" >&2
		head -n 20 "$f" >&2
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

# e2e_net LOW: a 127.N prefix (N in LOW..LOW+39) for this run, so that two
# runs of the suite on one machine (two work trees) neither bind the same
# addresses nor capture each other's calls.
e2e_net() {
	_r=$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
	echo "127.$(($1 + _r % 40))"
}
