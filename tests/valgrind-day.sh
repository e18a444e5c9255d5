#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# valgrind-day.sh: a generated 30-minute day replayed under valgrind
# memcheck (ZeroMQ publishing on loopback as well): no invalid access, no
# use of uninitialised memory, no definite or indirect leak, and the calls
# still match the generator's truth.
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null 2>&1 || skip "no valgrind"
# valgrind cannot run a binary built with AddressSanitizer.
grep -q "AddressSanitizer" "$CCMETRICSD" && skip "sanitizer build"

$GEN --seed 9 --duration-s 1800 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/day.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
port=$(free_port)
sed "s|zmq: ~|zmq: { endpoint: \"tcp://127.0.0.1:$port\" }|" \
    "$TMP/day.yaml" >"$TMP/day-zmq.yaml"
grep -q "tcp://127.0.0.1:$port" "$TMP/day-zmq.yaml" ||
    fail "could not turn ZeroMQ on in the generated config"

valgrind --tool=memcheck --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
    --track-origins=yes --log-file="$TMP/valgrind.log" \
    "$CCMETRICSD" -c "$TMP/day-zmq.yaml" -r "$TMP/day.pcap" \
    >"$TMP/out.jsonl" 2>"$TMP/err.log" ||
    { cat "$TMP/valgrind.log"; fail "valgrind: exit $?"; }
grep -E "ERROR SUMMARY|definitely lost|indirectly lost" "$TMP/valgrind.log"
grep -q "ERROR SUMMARY: 0 errors" "$TMP/valgrind.log" ||
    { cat "$TMP/valgrind.log"; fail "valgrind reported errors"; }
$COMPARE "$TMP/truth.jsonl" "$TMP/out.jsonl" ||
    fail "records under valgrind differ from the truth"
