#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# replay-encap.sh: one generated day (every scenario family, a capture that
# starts late) written in every encapsulation of ccmetrics-gen: Ethernet/UDP,
# VLAN + IPv4 fragments, QinQ + IPv6 fragments, SLL + TCP, SLL2 + IPv6 +
# TCP, BSD loopback, raw IP and HEPv3. The truth is the same for all, and
# the daemon publishes the same call.end records for all, which match it.
. "$(dirname "$0")/lib.sh"

ENCAPS="eth-udp4 vlan-frag4 qinq-ip6-frag sll-tcp4 sll2-tcp6 null-udp4 raw-udp4 hep3"

# call.end records without the publisher's sequence number and run, sorted.
call_ends() {
	$PYTHON3 - "$1" <<'PYEOF'
import json, sys
recs = []
with open(sys.argv[1]) as fh:
    for line in fh:
        if '"topic":"call.end.' in line:
            obj = json.loads(line)
            obj.pop("seq", None)
            obj.pop("boot", None)
            recs.append(json.dumps(obj, sort_keys=True))
print("\n".join(sorted(recs)))
PYEOF
}

# expect_some WHAT FILE KEY: the counter KEY of the last stats is > 0.
expect_some() {
	v=$(last_stat "$2" "$3")
	[ "$v" -gt 0 ] || fail "$1: $3 is $v, the encapsulation did not exercise it"
	echo "ok: $1: $3 = $v"
}

for e in $ENCAPS; do
	$GEN --mode full --seed 5 --duration-s 7200 --encap "$e" \
	    --out "$TMP/$e.pcap" --truth "$TMP/$e.truth" \
	    --config "$TMP/$e.yaml" 2>"$TMP/gen.log" ||
	    fail "$e: generator: $(cat "$TMP/gen.log")"
	cmp -s "$TMP/eth-udp4.truth" "$TMP/$e.truth" ||
	    fail "$e: the truth depends on the encapsulation"
	"$CCMETRICSD" -c "$TMP/$e.yaml" -r "$TMP/$e.pcap" >"$TMP/$e.out" \
	    2>"$TMP/err.log" || fail "$e: ccmetricsd: $(cat "$TMP/err.log")"
	call_ends "$TMP/$e.out" >"$TMP/$e.ends"
	[ -s "$TMP/$e.ends" ] || fail "$e: no call.end published"
	cmp -s "$TMP/eth-udp4.ends" "$TMP/$e.ends" || {
		diff "$TMP/eth-udp4.ends" "$TMP/$e.ends" | head -n 6 >&2
		fail "$e: call records differ from eth-udp4's"
	}
	$COMPARE --min-match 0.995 "$TMP/$e.truth" "$TMP/$e.out" \
	    >"$TMP/cmp.txt" || { cat "$TMP/cmp.txt"; fail "$e: records differ"; }
	expect_eq "$e: SIP messages" "$(last_stat "$TMP/eth-udp4.out" sip.messages)" \
	    "$(last_stat "$TMP/$e.out" sip.messages)"
	expect_eq "$e: parse errors" 0 "$(last_stat "$TMP/$e.out" sip.parse_errors)"
	echo "ok: $e: $(wc -l <"$TMP/$e.ends") call records as eth-udp4; $(tail -n 1 "$TMP/cmp.txt")"
done

# Each wrapping went through the code it is there for.
for e in vlan-frag4 qinq-ip6-frag; do
	for k in reassembled duplicates overlaps; do
		expect_some "$e" "$TMP/$e.out" "decode.ipfrag.$k"
	done
	expect_eq "$e: fragments left over" 0 \
	    "$(last_stat "$TMP/$e.out" decode.ipfrag.timeouts)"
done
for e in sll-tcp4 sll2-tcp6; do
	for k in messages keepalives retransmitted overlaps out_of_order \
	    discarded_bytes; do
		expect_some "$e" "$TMP/$e.out" "decode.tcp.$k"
	done
	expect_eq "$e: TCP holes" 0 "$(last_stat "$TMP/$e.out" decode.tcp.gaps)"
done
expect_some hep3 "$TMP/hep3.out" decode.hep.payloads
expect_some hep3 "$TMP/hep3.out" decode.hep.not_sip
expect_eq "hep3: bad HEP" 0 "$(last_stat "$TMP/hep3.out" decode.hep.bad)"
