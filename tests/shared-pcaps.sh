#!/bin/sh
# shared-pcaps.sh: every capture of ../shared/pcaps replays without a crash
# and the SIP messages seen on UDP over Ethernet match INDEX.md.
. "$(dirname "$0")/lib.sh"

[ -d "$SHARED_PCAPS" ] || skip "no $SHARED_PCAPS"
cat >"$TMP/any.yaml" <<EOT
capture: { sip_ports: [5060] }
pbx: { addresses: [10.0.0.10] }
agents: { addresses: [10.1.0.0/16] }
publish: { zmq: ~, jsonl: { path: "-" } }
EOT
n=0
for pcap in "$SHARED_PCAPS"/*.pcap; do
	n=$((n + 1))
	timeout 60 "$CCMETRICSD" -c "$TMP/any.yaml" -r "$pcap" \
	    >"$TMP/out.jsonl" 2>"$TMP/err.log"
	rc=$?
	[ "$rc" -eq 0 ] || fail "$(basename "$pcap"): exit $rc: $(cat "$TMP/err.log")"
	grep -q '"topic":"stats"' "$TMP/out.jsonl" ||
	    fail "$(basename "$pcap"): no stats published"
	echo "ok: $(basename "$pcap") replayed"
done
[ "$n" -gt 0 ] || skip "no capture in $SHARED_PCAPS"

# 100 plain calls over UDP: 600 SIP messages (INDEX.md), 100 legs.
timeout 60 "$CCMETRICSD" -c "$TMP/any.yaml" \
    -r "$SHARED_PCAPS/sipp-udp-100calls.pcap" >"$TMP/udp.jsonl"
stats=$(grep '"topic":"stats"' "$TMP/udp.jsonl" | tail -n 1)
expect_eq "SIP messages in sipp-udp-100calls" 600 \
    "$(echo "$stats" | sed 's/.*"messages":\([0-9]*\).*/\1/')"
expect_eq "legs in sipp-udp-100calls" 100 \
    "$(echo "$stats" | sed 's/.*"created":\([0-9]*\).*"retransmissions".*/\1/')"
