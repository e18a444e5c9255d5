# SPDX-License-Identifier: BSD-2-Clause
# nats-lib.sh: real nats-server topologies for the tests (sourced after lib.sh).
#
# Variables of its own are named _nl_*. Servers run on loopback, each in $TMP/nats-NAME (config, JetStream store,
# log, pid), and are stopped by their PID when the test exits.
#   nats_require                      skip (77) without nats-server
#   nats_start NAME [DOMAIN] [CONF]   a JetStream server; CONF: more config
#   nats_stop NAME / nats_restart NAME    the same port and store again
#   nats_url NAME                     nats://127.0.0.1:PORT
#   nats_tool NAME ARGS...            tests/nats-tool against it
#   nats_leaf_pair SITE CENTRAL       SITE: a leaf node (JetStream domain
#                                     SITE) of CENTRAL (domain CENTRAL)
#   nats_wait_leaf NAME [N]           until NAME made N leaf connections
#   nats_wait_count NAME STREAM N S   until STREAM holds N (at most S s)

NATS_SERVER=${NATS_SERVER:-$(command -v nats-server 2>/dev/null ||
    echo /usr/sbin/nats-server)}
NATS_TOOL="$top_builddir/tests/nats-tool"
NATS_NAMES=

nats_require() {
	[ -x "$NATS_SERVER" ] ||
	    skip "nats-server not installed (Debian package nats-server)"
	[ -x "$NATS_TOOL" ] || fail "$NATS_TOOL not built (make check builds it)"
}

nats_stop_all() {
	for _nl_name in $NATS_NAMES; do
		nats_stop "$_nl_name" 2>/dev/null || true
	done
}
trap 'nats_stop_all; rm -rf "$TMP"' EXIT

nats_dir() {
	echo "$TMP/nats-$1"
}

nats_url() {
	echo "nats://127.0.0.1:$(cat "$(nats_dir "$1")/port")"
}

# nats_start NAME [DOMAIN] [MORE_CONFIG]
nats_start() {
	_nl_d=$(nats_dir "$1")
	mkdir -p "$_nl_d/js"
	_nl_port=$(free_port)
	echo "$_nl_port" >"$_nl_d/port"
	{
		echo "server_name: $1"
		echo "listen: 127.0.0.1:$_nl_port"
		echo "jetstream {"
		echo "  store_dir: \"$_nl_d/js\""
		[ -z "${2:-}" ] || echo "  domain: $2"
		echo "}"
		[ -z "${3:-}" ] || printf '%s\n' "$3"
	} >"$_nl_d/server.conf"
	NATS_NAMES="$NATS_NAMES $1"
	nats_launch "$1"
}

# Start NAME's server from its config; wait (bounded) until it serves.
nats_launch() {
	_nl_d=$(nats_dir "$1")
	: >"$_nl_d/log"
	"$NATS_SERVER" -c "$_nl_d/server.conf" >>"$_nl_d/log" 2>&1 &
	echo $! >"$_nl_d/pid"
	_nl_i=0
	until grep -q 'Server is ready' "$_nl_d/log"; do
		_nl_i=$((_nl_i + 1))
		if [ "$_nl_i" -gt 100 ] || ! kill -0 "$(cat "$_nl_d/pid")" 2>/dev/null
		then
			fail "nats-server $1 did not start: $(tail -n 5 "$_nl_d/log")"
		fi
		sleep 0.1
	done
}

# Stop NAME's server by its PID: TERM, then KILL after 10 s.
nats_stop() {
	_nl_d=$(nats_dir "$1")
	[ -f "$_nl_d/pid" ] || return 0
	_nl_pid=$(cat "$_nl_d/pid")
	rm -f "$_nl_d/pid"
	kill -TERM "$_nl_pid" 2>/dev/null || return 0
	_nl_i=0
	while kill -0 "$_nl_pid" 2>/dev/null; do
		_nl_i=$((_nl_i + 1))
		if [ "$_nl_i" -gt 100 ]; then
			kill -KILL "$_nl_pid" 2>/dev/null || true
			break
		fi
		sleep 0.1
	done
	wait "$_nl_pid" 2>/dev/null || true
}

nats_restart() {
	nats_launch "$1"
}

# nats_tool NAME ARGS...: the JetStream client against NAME's server.
nats_tool() {
	_nl_n=$1
	shift
	"$NATS_TOOL" -s "$(nats_url "$_nl_n")" "$@"
}

nats_wait_count() {
	nats_tool "$1" wait-count "$2" "$3" "$4"
}

# nats_leaf_pair SITE CENTRAL: CENTRAL takes leaf node connections; SITE,
# a leaf node of it, each with JetStream in a domain of its own name (the
# documented deployment: a leaf node per sensor host, store and forward).
# Waits (bounded) until the leaf connection is up.
nats_leaf_pair() {
	_nl_lport=$(free_port)
	echo "$_nl_lport" >"$TMP/nats-leafport"
	nats_start "$2" "$2" "leafnodes { listen: 127.0.0.1:$_nl_lport }"
	nats_start "$1" "$1" \
	    "leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:$_nl_lport\" } ] }"
	nats_wait_leaf "$1"
}

# Until NAME's log shows N leaf node connections made (default 1) since
# it started (bounded: 15 s).
nats_wait_leaf() {
	_nl_d=$(nats_dir "$1")
	_nl_i=0
	until [ "$(grep -c 'Leafnode connection created' "$_nl_d/log")" -ge \
	    "${2:-1}" ]; do
		_nl_i=$((_nl_i + 1))
		[ "$_nl_i" -le 150 ] ||
		    fail "no leaf node connection: $(tail -n 5 "$_nl_d/log")"
		sleep 0.1
	done
}
