#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# web-curve.sh: ccmetrics-web subscribes to a daemon whose feed is CURVE:
# with the daemon's key and its own listed client pair it receives every
# object; with a pair the daemon does not list it receives nothing.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null 2>&1 || skip "curl not installed"
WEB="$top_builddir/ccmetrics-web"
stop_pids_at_exit

keypair() {	# keypair NAME: $TMP/NAME.pub, $TMP/NAME.sec
	"$CCMETRICS_SUB" --keygen >"$TMP/$1.pair" || fail "--keygen"
	sed -n 's/^public: //p' "$TMP/$1.pair" >"$TMP/$1.pub"
	sed -n 's/^secret: //p' "$TMP/$1.pair" >"$TMP/$1.sec"
}
keypair server
keypair client
keypair stranger

$GEN --seed 47 --duration-s 1200 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>/dev/null ||
    fail "generator"
zport=$(free_port)
{
	sed '/^publish:/,$d' "$TMP/gen.yaml"
	cat <<EOT
publish:
  zmq:
    endpoint: "tcp://127.0.0.1:$zport"
    await_subscribers: 1
    await_ms: 60000
    curve_secret_key: "$(cat "$TMP/server.sec")"
    curve_public_key: "$(cat "$TMP/server.pub")"
    curve_allowed_clients: ["$(cat "$TMP/client.pub")"]
  jsonl: { path: "$TMP/out.jsonl" }
EOT
} >"$TMP/d.yaml"

# web NAME KEYPAIR: a ccmetrics-web with that client pair; its port in
# $TMP/NAME.port.
web() {
	port=$(free_port)
	cat >"$TMP/$1.yaml" <<EOT
listen: 127.0.0.1:$port
feeds:
  - endpoint: tcp://127.0.0.1:$zport
    server_key: "$(cat "$TMP/server.pub")"
    public_key: "$(cat "$TMP/$2.pub")"
    secret_key: "$(cat "$TMP/$2.sec")"
EOT
	"$WEB" -f -c "$TMP/$1.yaml" >/dev/null 2>"$TMP/$1.err" &
	PIDS="$PIDS $!"
	i=0
	until curl -sf "http://127.0.0.1:$port/metrics" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "$1 did not start: $(cat "$TMP/$1.err")"
		sleep 0.1
	done
	echo "$port" >"$TMP/$1.port"
}
# The stranger first: the daemon awaits its one subscriber, refuses the
# stranger's handshakes while it waits (logged), and only then is the
# listed client started, so the refusal is seen before the replay runs
# whatever the scheduling.
web bad stranger
bad=$(cat "$TMP/bad.port")
"$CCMETRICSD" -c "$TMP/d.yaml" -r "$TMP/day.pcap" 2>"$TMP/d.err" &
DPID=$!
PIDS="$PIDS $DPID"
i=0
until grep -q "refused" "$TMP/d.err"; do
	i=$((i + 1))
	[ $i -lt 80 ] || fail "the daemon did not log the refusal"
	sleep 0.1
done
echo "ok: the stranger was refused"
web good client
good=$(cat "$TMP/good.port")
wait "$DPID" || fail "ccmetricsd: $(cat "$TMP/d.err")"
n=$(wc -l <"$TMP/out.jsonl")
i=0
until curl -sf "http://127.0.0.1:$good/metrics" |
    grep -qx "ccmetrics_web_messages_total $n"; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the listed client did not get $n objects"
	sleep 0.1
done
echo "ok: the listed client received all $n objects"
expect_eq "objects at the stranger" 0 "$(curl -sf \
    "http://127.0.0.1:$bad/metrics" |
    sed -n 's/^ccmetrics_web_messages_total //p')"
