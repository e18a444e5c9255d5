# SPDX-License-Identifier: BSD-2-Clause
# lib.sh: shared helpers of the shell integration tests (sourced).
set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PYTHON3:=python3}"

CCMETRICSD="$top_builddir/ccmetricsd"
CCMETRICS_SUB="$top_builddir/ccmetrics-sub"
GEN="$PYTHON3 $top_srcdir/tools/ccmetrics-gen"
COMPARE="$PYTHON3 $top_srcdir/tests/compare-calls.py"
SHARED_PCAPS="$top_srcdir/../shared/pcaps"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ccmetrics-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# expect_eq WHAT EXPECTED GOT
expect_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1: expected '$2', got '$3'"
	fi
	echo "ok: $1 = $3"
}

# The version configure.ac declares (AC_INIT), read from the source itself.
ac_version() {
	sed -n 's/^AC_INIT(\[ccmetrics\], \[\([^]]*\)\].*/\1/p' \
	    "$top_srcdir/configure.ac"
}

# A free TCP port on 127.0.0.1 (bounded attempts).
free_port() {
	$PYTHON3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# last_stat FILE KEY.PATH: a value of the last stats object of a JSON-lines
# file, e.g. last_stat out.jsonl decode.tcp.messages.
last_stat() {
	$PYTHON3 - "$1" "$2" <<'PYEOF'
import json, sys
last = None
with open(sys.argv[1]) as fh:
    for line in fh:
        if '"topic":"stats"' in line:
            last = line
if last is None:
    sys.exit("no stats object in %s" % sys.argv[1])
obj = json.loads(last)
for key in sys.argv[2].split("."):
    obj = obj[key]
print(obj)
PYEOF
}

# own_netns SCRIPT: run SCRIPT again in a network namespace of its own, its
# loopback up, when one can be made: nothing else running on the machine
# then reaches its live capture. Returns when inside one, or when it cannot.
own_netns() {
	if [ -z "${CCM_NETNS:-}" ] && command -v unshare >/dev/null 2>&1 &&
	    unshare -n true 2>/dev/null; then
		rm -rf "$TMP"
		CCM_NETNS=1 exec unshare -n sh -c 'ip link set lo up 2>/dev/null ||
		    ifconfig lo up 2>/dev/null; exec sh "$0"' "$1"
	fi
}

# wait_hep_listener PORT PID LOG: bounded wait (5 s) until ccmetricsd PID
# has bound its HEP listener on 127.0.0.1:PORT; fails (killing PID) when it
# never does or dies, with LOG (its stderr) in the message.
wait_hep_listener() {
	_wh_i=0
	while $PYTHON3 -c 'import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null; do
		_wh_i=$((_wh_i + 1))
		[ "$_wh_i" -lt 50 ] ||
		    { kill "$2"; fail "no HEP listener: $(cat "$3")"; }
		kill -0 "$2" 2>/dev/null || fail "ccmetricsd: $(cat "$3")"
		sleep 0.1
	done
}

# udp_sock PORT FIELD: the kernel's view of a UDP socket bound to PORT
# (/proc/net/udp): rx_queue (bytes waiting, hex) or drops.
udp_sock() {
	awk -v port="$(printf '%04X' "$1")" -v f="$2" '
	    $2 ~ ":" port "$" { split($5, q, ":");
	        print (f == "drops" ? $13 : q[2]); exit }' \
	    /proc/net/udp
}

# udp_drained PORT PID: bounded wait (30 s) until ccmetricsd PID has read
# every datagram waiting on its socket bound to PORT.
udp_drained() {
	_ud_i=0
	until [ "$(udp_sock "$1" rx_queue)" = 00000000 ]; do
		_ud_i=$((_ud_i + 1))
		[ "$_ud_i" -lt 300 ] || fail "the daemon does not drain port $1"
		kill -0 "$2" 2>/dev/null || fail "ccmetricsd died"
		sleep 0.1
	done
}

# PIDS: processes a test started; after stop_pids_at_exit, each is killed
# and waited for at exit, before the test's directory goes.
PIDS=
stop_pids() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null || true
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null || true
	done
}
stop_pids_at_exit() {
	trap 'stop_pids; rm -rf "$TMP"' EXIT
}

# wait_for WHAT COMMAND...: until COMMAND succeeds, 600 tries of 0.1 s.
wait_for() {
	what=$1
	shift
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 600 ] || fail "timed out waiting for $what"
		sleep 0.1
	done
}
