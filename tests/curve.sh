#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# curve.sh: with a CURVE secret key, a subscriber holding the daemon's
# public key receives every call, one without it receives nothing; with
# curve_allowed_clients, only a listed client key is served and the
# others are refused, logged and counted.
. "$(dirname "$0")/lib.sh"

$GEN --seed 13 --duration-s 1200 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>/dev/null ||
    fail "generator"
ncalls=$(wc -l <"$TMP/truth.jsonl")

keypair() {	# keypair NAME: $TMP/NAME.pub, $TMP/NAME.sec
	"$CCMETRICS_SUB" --keygen >"$TMP/$1.pair" || fail "--keygen"
	sed -n 's/^public: //p' "$TMP/$1.pair" >"$TMP/$1.pub"
	sed -n 's/^secret: //p' "$TMP/$1.pair" >"$TMP/$1.sec"
	[ "$(wc -c <"$TMP/$1.pub")" -eq 41 ] || fail "bad public key"
	[ "$(wc -c <"$TMP/$1.sec")" -eq 41 ] || fail "bad secret key"
}
keypair server
keypair client
keypair stranger

# config PORT [ALLOWED_KEY]
config() {
	sed '/^publish:/,$d' "$TMP/gen.yaml" >"$TMP/day.yaml"
	cat >>"$TMP/day.yaml" <<EOT
publish:
  zmq:
    endpoint: "tcp://127.0.0.1:$1"
    await_subscribers: 1
    await_ms: 10000
    curve_secret_key: "$(cat "$TMP/server.sec")"
    curve_public_key: "$(cat "$TMP/server.pub")"
EOT
	if [ $# -gt 1 ]; then
		echo "    curve_allowed_clients: [\"$2\"]" >>"$TMP/day.yaml"
	fi
	cat >>"$TMP/day.yaml" <<EOT
  jsonl: { path: "$TMP/daemon.jsonl" }
EOT
}

# 1. The server key is all a subscriber needs; without it, nothing.
port=$(free_port)
config "$port"
ep="tcp://127.0.0.1:$port"
timeout 60 "$CCMETRICS_SUB" -e "$ep" -t call.end. -w 8 \
    >"$TMP/nokey.jsonl" 2>"$TMP/nokey.err" &
nokey=$!
timeout 60 "$CCMETRICS_SUB" -e "$ep" -k "$(cat "$TMP/server.pub")" \
    -t call.end. -n "$ncalls" -w 20 >"$TMP/key.jsonl" 2>"$TMP/key.err" &
key=$!
timeout 60 "$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" \
    2>"$TMP/err.log" || fail "ccmetricsd: $(cat "$TMP/err.log")"
wait "$key" || fail "subscriber with the key: $(cat "$TMP/key.err")"
wait "$nokey" || true
expect_eq "call.end received with the server key" "$ncalls" \
    "$(wc -l <"$TMP/key.jsonl")"
$COMPARE "$TMP/truth.jsonl" "$TMP/key.jsonl" || fail "records differ"
expect_eq "messages received without the key" 0 \
    "$(wc -l <"$TMP/nokey.jsonl")"
grep -qF "CURVE on, server public key $(cat "$TMP/server.pub")" \
    "$TMP/err.log" || fail "public key not logged: $(cat "$TMP/err.log")"

# 2. Allowed clients: the listed key (a secret read from a file) is
# served; another client key, and no key, get nothing.
port=$(free_port)
config "$port" "$(cat "$TMP/client.pub")"
ep="tcp://127.0.0.1:$port"
rm -f "$TMP/daemon.jsonl"
timeout 60 "$CCMETRICS_SUB" -e "$ep" -t call.end. -w 8 \
    >"$TMP/nokey.jsonl" 2>/dev/null &
nokey=$!
timeout 60 "$CCMETRICS_SUB" -e "$ep" -k "$TMP/server.pub" \
    -K "$(cat "$TMP/stranger.sec")" -t call.end. -w 8 \
    >"$TMP/stranger.jsonl" 2>"$TMP/stranger.err" &
stranger=$!
timeout 60 "$CCMETRICS_SUB" -e "$ep" -k "$(cat "$TMP/server.pub")" \
    -K "$TMP/client.sec" -P "$TMP/client.pub" -t call.end. \
    -n "$ncalls" -w 20 >"$TMP/client.jsonl" 2>"$TMP/client.err" &
client=$!
sleep 1	# let the stranger knock before the replay starts
# Paced (20 min in 4 s): on a loaded machine the stranger's handshake may
# come after the allowed client's; it must still come before the end.
timeout 60 "$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" \
    --replay-speed 300 2>"$TMP/err.log" ||
    fail "ccmetricsd: $(cat "$TMP/err.log")"
wait "$client" || fail "allowed client: $(cat "$TMP/client.err")"
wait "$stranger" || true
wait "$nokey" || true
expect_eq "call.end received by the allowed client" "$ncalls" \
    "$(wc -l <"$TMP/client.jsonl")"
expect_eq "messages received by another client key" 0 \
    "$(wc -l <"$TMP/stranger.jsonl")"
expect_eq "messages received without a key" 0 "$(wc -l <"$TMP/nokey.jsonl")"
grep -q "refused a subscriber from 127.0.0.1: its key is not in" \
    "$TMP/err.log" || fail "refusal not logged: $(cat "$TMP/err.log")"
refused=$(grep '"topic":"stats"' "$TMP/daemon.jsonl" | tail -n 1 |
    sed -n 's/.*"zmq_refused":\([0-9]*\).*/\1/p')
[ "${refused:-0}" -ge 1 ] || fail "stats.publish.zmq_refused: '$refused'"
echo "ok: refused subscribers counted ($refused)"

# Bad keys on the command line are refused before connecting.
rc=0
"$CCMETRICS_SUB" -k tooshort -n 1 -w 1 2>"$TMP/err" || rc=$?
expect_eq "exit status of a bad -k" 1 "$rc"
grep -q "neither a key" "$TMP/err" || fail "bad -k message: $(cat "$TMP/err")"
