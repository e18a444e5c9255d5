#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# replay-cases.sh: generated days stressing one behaviour each (ring-no-
# answer, overload, retransmissions, blocking, holds, repeat callers);
# every call.end must match the generator's truth in every field.
. "$(dirname "$0")/lib.sh"

run_case() {
	name=$1
	shift
	$GEN --duration-s 3600 --out "$TMP/$name.pcap" \
	    --truth "$TMP/$name.truth" --config "$TMP/$name.yaml" "$@" \
	    2>"$TMP/gen.log" || fail "$name: generator: $(cat "$TMP/gen.log")"
	"$CCMETRICSD" -c "$TMP/$name.yaml" -r "$TMP/$name.pcap" \
	    >"$TMP/$name.out" 2>"$TMP/err.log" ||
	    fail "$name: ccmetricsd: $(cat "$TMP/err.log")"
	$COMPARE "$TMP/$name.truth" "$TMP/$name.out" >"$TMP/cmp.log" ||
	    { cat "$TMP/cmp.log"; fail "$name: records differ"; }
	echo "ok: $name: $(tail -n 1 "$TMP/cmp.log")"
}

run_case rona --seed 21 --rona-prob 0.5
run_case overload --seed 22 --agents 3 --calls-per-hour 300
run_case retransmissions --seed 23 --retx-prob 0.4
run_case blocking --seed 24 --blocked-share 0.3
run_case holds --seed 25 --hold-prob 0.9
run_case repeat-callers --seed 26 --caller-pool 20
run_case agent-hangups --seed 27 --agent-hangup-share 0.9
